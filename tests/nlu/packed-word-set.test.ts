import { PackedWordSet } from '../../src/nlu/packed-word-set';

describe('PackedWordSet', () => {
  it('finds exactly the words it was given, prefixes and extensions included', () => {
    const words = PackedWordSet.from(['casale', 'casa', 'cas', 'cane', 'zebra', 'abaco', 'casa']);
    expect(words.size).toBe(6);
    for (const word of ['cas', 'casa', 'casale', 'cane', 'zebra', 'abaco']) expect(words.has(word)).toBe(true);
    for (const word of ['ca', 'casal', 'casalex', 'canes', 'a', 'zzz', '', 'Casa']) expect(words.has(word)).toBe(false);
  });

  it('answers as a Set of the same words does, over thousands of random words and misses', () => {
    let seed = 7;
    const random = () => (seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648) / 2_147_483_648;
    const randomWord = () => Array.from({ length: 1 + Math.floor(random() * 8) }, () => String.fromCharCode(97 + Math.floor(random() * 6))).join('');
    const given = Array.from({ length: 3_000 }, randomWord);
    const reference = new Set(given);
    const packed = PackedWordSet.from(given);
    expect(packed.size).toBe(reference.size);
    let hits = 0;
    for (let i = 0; i < 20_000; i++) {
      const query = randomWord();
      expect(packed.has(query)).toBe(reference.has(query));
      if (reference.has(query)) hits++;
    }
    expect(hits).toBeGreaterThan(1_000); // both branches were exercised
  });

  it('leaves out words with characters outside ASCII, and never matches a query that has one', () => {
    const words = PackedWordSet.from(['città', 'citta', 'perché']);
    expect(words.size).toBe(1);
    expect(words.has('citta')).toBe(true);
    expect(words.has('città')).toBe(false);
    expect(words.has('perché')).toBe(false);
  });

  it('rebuilt from its snapshot answers as before; offsets that do not describe the bytes are refused', () => {
    const words = PackedWordSet.from(['casale', 'casa', 'cane']);
    const { bytes, starts } = words.toSnapshot();
    const copy = PackedWordSet.fromSnapshot(bytes, starts);
    for (const word of ['casale', 'casa', 'cane', 'cas', 'canes']) expect(copy.has(word)).toBe(words.has(word));
    expect(() => PackedWordSet.fromSnapshot(bytes, new Uint32Array([0, 4, 2, bytes.length]))).toThrow(/offsets/);
    expect(() => PackedWordSet.fromSnapshot(bytes, new Uint32Array([0, 4, 8, bytes.length + 1]))).toThrow(/offsets/);
    expect(() => PackedWordSet.fromSnapshot(bytes, new Uint32Array([1, 4, 8, bytes.length]))).toThrow(/offsets/);
    expect(() => PackedWordSet.fromSnapshot(bytes, new Uint32Array([]))).toThrow(/offsets/);
  });

  it('is empty when given nothing', () => {
    const words = PackedWordSet.from([]);
    expect(words.size).toBe(0);
    expect(words.has('casa')).toBe(false);
  });
});
