import { heldNormalizations, normalize } from '../../src/nlu/normalize';

describe('normalize', () => {
  test.each([
    ["Com'è la TARI?", 'com e la tari'],
    ["carta d'identità", 'carta identita'],
    ['carta d’identità', 'carta identita'],
    ["dell'anagrafe", 'dell anagrafe'],
    ["C'è l'Area C?", 'e area c'],
    ['PERCHÉ  non   funziona!!!', 'perche non funziona'],
    ['costa 22,20€', 'costa 22 20'],
    ['chiamo lo 020202', 'chiamo lo 020202'],
    ['<b>ciao</b>', 'ciao'],
    ['🙂🙂', ''],
  ])('%s -> %s', (input, expected) => {
    expect(normalize(input)).toBe(expected);
  });
});

describe('normalize, asked again', () => {
  it('gives the same result for the same text however many other texts came between', () => {
    const texts = Array.from({ length: 40 }, (_, i) => `Quant'è la TARI ${i}? Com'è l'Area C`);
    const first = texts.map((text) => normalize(text));
    for (let round = 0; round < 3; round++) expect(texts.map((text) => normalize(text))).toEqual(first);
    expect(normalize("C'è l'Area C?")).toBe('e area c');
    expect(normalize("C'è l'Area C?")).toBe('e area c');
    const long = `${'identità '.repeat(400)}fine`;
    expect(normalize(long)).toBe(`${'identita '.repeat(400)}fine`);
  });

  test("a citizen's message is held only until the event loop moves on: repeats within a turn are saved, nothing stays after it", async () => {
    const message = 'Sono Mario Rossi, RSSMRA85T10A562S, chiamatemi al 333 123 4567';
    const first = normalize(message);
    expect(normalize(message)).toBe(first);
    expect(heldNormalizations()).toBeGreaterThan(0);
    await new Promise((resolve) => setImmediate(resolve));
    expect(heldNormalizations()).toBe(0);
    expect(normalize(message)).toBe(first);
  });
});
