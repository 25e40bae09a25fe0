import { hashPassword, MIN_PASSWORD_LENGTH, PasswordPolicyError, unmatchableHash, verifyPassword } from '../../src/operators/passwords';

describe('operator passwords', () => {
  test('a hash is scrypt$16384$8$1$salt$key with a 16-byte salt and a 64-byte key, and verifies its password only', async () => {
    const hash = await hashPassword('una password lunga');
    const [scheme, n, r, p, salt, key] = hash.split('$');
    expect([scheme, n, r, p]).toEqual(['scrypt', '16384', '8', '1']);
    expect(Buffer.from(salt!, 'base64')).toHaveLength(16);
    expect(Buffer.from(key!, 'base64')).toHaveLength(64);
    await expect(verifyPassword('una password lunga', hash)).resolves.toBe(true);
    await expect(verifyPassword('una password lungA', hash)).resolves.toBe(false);
    await expect(verifyPassword('', hash)).resolves.toBe(false);
  });

  test('the same password hashes differently each time (random salt)', async () => {
    const [a, b] = await Promise.all([hashPassword('una password lunga'), hashPassword('una password lunga')]);
    expect(a).not.toBe(b);
  });

  test('composed and decomposed accents are the same password', async () => {
    const hash = await hashPassword('perch\u00e9 no, grazie');
    await expect(verifyPassword('perche\u0301 no, grazie', hash)).resolves.toBe(true);
  });

  test(`passwords shorter than ${MIN_PASSWORD_LENGTH} characters are refused with a clear error`, async () => {
    await expect(hashPassword('123456789')).rejects.toBeInstanceOf(PasswordPolicyError);
    await expect(hashPassword('123456789')).rejects.toThrow('password too short: at least 10 characters, got 9');
    await expect(hashPassword('1234567890')).resolves.toMatch(/^scrypt\$/);
  });

  test('absurdly long passwords are refused when set and never match when verified', async () => {
    await expect(hashPassword('x'.repeat(1025))).rejects.toThrow('password too long: at most 1024 characters, got 1025');
    const hash = await hashPassword('x'.repeat(1024));
    await expect(verifyPassword('x'.repeat(1024), hash)).resolves.toBe(true);
    await expect(verifyPassword('x'.repeat(5000), hash)).resolves.toBe(false);
  });

  test.each([
    ['not a hash'],
    ['bcrypt$16384$8$1$c2FsdA==$a2V5'],
    ['scrypt$16385$8$1$c2FsdA==$a2V5'],
    ['scrypt$4194304$8$1$c2FsdA==$a2V5'],
    ['scrypt$16384$8$1$c2FsdA==$'],
    ['scrypt$16384$8$1$c2FsdA==$a2V5$extra'],
  ])('a malformed stored hash (%s) is an error that does not quote it', async (stored) => {
    await expect(verifyPassword('una password lunga', stored)).rejects.toThrow(/^stored password hash is not in the form scrypt\$N\$r\$p\$salt\$hash/);
  });

  test('an unmatchable hash has the current form and matches nothing', async () => {
    const hash = unmatchableHash();
    expect(hash).toMatch(/^scrypt\$16384\$8\$1\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$/);
    await expect(verifyPassword('una password lunga', hash)).resolves.toBe(false);
  });
});
