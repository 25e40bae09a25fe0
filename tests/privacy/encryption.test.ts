import { createRecordCipher, isSealed, SealedRecordError, sealedWrapper } from '../../src/privacy/encryption';

const KEY = 'chiave-di-prova-lunga-almeno-32-caratteri!';
const OTHER_KEY = 'unaltra-chiave-di-prova-lunga-32-caratteri';
const TEXT = 'Il mio codice fiscale è RSSMRA85T10A562S';

describe('record cipher (AES-256-GCM, key derived with HKDF)', () => {
  test('a sealed value opens to the same text for the same context, and holds none of it in clear', () => {
    const cipher = createRecordCipher(KEY);
    const sealed = cipher.seal(TEXT, 'ticket/DLG-2026-000001/description');
    expect(sealed).toMatch(/^enc:1:[0-9a-f]{8}:[A-Za-z0-9_-]+$/);
    expect(sealed).not.toContain('RSSMRA85T10A562S');
    expect(Buffer.from(sealed.split(':')[3]!, 'base64url').toString('latin1')).not.toContain('RSSMRA');
    expect(cipher.open(sealed, 'ticket/DLG-2026-000001/description')).toBe(TEXT);
    expect(isSealed(sealed)).toBe(true);
  });

  test('every seal uses a fresh IV: the same text sealed twice differs', () => {
    const cipher = createRecordCipher(KEY);
    const sealed = new Set(Array.from({ length: 50 }, () => cipher.seal(TEXT, 'c')));
    expect(sealed.size).toBe(50);
    const ivs = new Set([...sealed].map((s) => Buffer.from(s.split(':')[3]!, 'base64url').subarray(0, 12).toString('hex')));
    expect(ivs.size).toBe(50);
  });

  test('the prefix names the key by an id that is stable for the secret and differs between secrets', () => {
    const a = createRecordCipher(KEY);
    expect(createRecordCipher(KEY).keyId).toBe(a.keyId);
    expect(createRecordCipher(OTHER_KEY).keyId).not.toBe(a.keyId);
    expect(a.seal('x', 'c').split(':')[2]).toBe(a.keyId);
    expect(KEY).not.toContain(a.keyId);
  });

  test('a value moved to another record does not open', () => {
    const cipher = createRecordCipher(KEY);
    const sealed = cipher.seal(TEXT, 'ticket/DLG-2026-000001/description');
    expect(() => cipher.open(sealed, 'ticket/DLG-2026-000002/description')).toThrow(SealedRecordError);
    expect(() => cipher.open(sealed, 'ticket/DLG-2026-000002/description')).toThrow(/altered, or sealed for another record/);
  });

  test('an altered value does not open, whichever byte was changed', () => {
    const cipher = createRecordCipher(KEY);
    const sealed = cipher.seal(TEXT, 'c');
    const [prefix, version, id, body] = sealed.split(':') as [string, string, string, string];
    const bytes = Buffer.from(body, 'base64url');
    for (const index of [0, 11, 12, bytes.length - 17, bytes.length - 1]) {
      const altered = Buffer.from(bytes);
      altered[index] = altered[index]! ^ 0x01;
      expect(() => cipher.open(`${prefix}:${version}:${id}:${altered.toString('base64url')}`, 'c')).toThrow(SealedRecordError);
    }
    expect(() => cipher.open(`${prefix}:${version}:${id}:${bytes.subarray(0, 20).toString('base64url')}`, 'c')).toThrow(/too short/);
  });

  test('a value sealed with a key the deployment does not hold names that key, not the content', () => {
    const sealed = createRecordCipher(OTHER_KEY).seal(TEXT, 'c');
    const error = (() => {
      try {
        createRecordCipher(KEY).open(sealed, 'c');
      } catch (e) {
        return e as SealedRecordError;
      }
      throw new Error('opened with the wrong key');
    })();
    expect(error).toBeInstanceOf(SealedRecordError);
    expect(error.reason).toBe('unknown-key');
    expect(error.message).toContain(createRecordCipher(OTHER_KEY).keyId);
    expect(error.message).toMatch(/DATA_ENCRYPTION_KEY/);
    expect(error.message).not.toContain('RSSMRA');
  });

  test('after a rotation, values sealed with a previous key still open and new ones use the new key', () => {
    const old = createRecordCipher(OTHER_KEY).seal(TEXT, 'c');
    const rotated = createRecordCipher(KEY, [OTHER_KEY]);
    expect(rotated.open(old, 'c')).toBe(TEXT);
    expect(rotated.seal(TEXT, 'c').split(':')[2]).toBe(createRecordCipher(KEY).keyId);
  });

  test('a secret shorter than 32 characters is refused', () => {
    expect(() => createRecordCipher('troppo-corta')).toThrow(/at least 32 characters, got 12/);
    expect(() => createRecordCipher(KEY, ['corta'])).toThrow(/at least 32 characters/);
  });

  test('text that merely looks like a prefix is not taken for a sealed value', () => {
    expect(isSealed('enc:1:deadbeef:')).toBe(false);
    expect(isSealed('enc:1:DEADBEEF:abc')).toBe(false);
    expect(isSealed('Il mio enc:1:deadbeef:abc')).toBe(false);
    expect(() => createRecordCipher(KEY).open('testo in chiaro', 'c')).toThrow(/not a sealed value/);
  });

  test('a sealed wrapper is an object whose only field is a sealed value', () => {
    const sealed = createRecordCipher(KEY).seal('{}', 'c');
    expect(sealedWrapper({ 'dialogo:sealed': sealed })).toBe(sealed);
    expect(sealedWrapper({ 'dialogo:sealed': sealed, other: 1 })).toBeUndefined();
    expect(sealedWrapper({ 'dialogo:sealed': 'testo' })).toBeUndefined();
    expect(sealedWrapper(null)).toBeUndefined();
  });
});
