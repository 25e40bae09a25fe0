import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

/**
 * Operator passwords, stored as `scrypt$N$r$p$saltB64$hashB64`: scrypt with N=16384, r=8, p=1
 * (the parameters OWASP lists as a minimum, about 50 ms and 16 MiB per hash), a 16-byte
 * random salt and a 64-byte key. The parameters travel with each hash, so raising them later
 * leaves existing hashes verifiable.
 */

export const MIN_PASSWORD_LENGTH = 10;
/** Bounds the work an attacker can ask of the server with one oversized password. */
export const MAX_PASSWORD_LENGTH = 1024;

const PARAMS = { N: 16384, r: 8, p: 1 } as const;
const SALT_BYTES = 16;
const KEY_BYTES = 64;
/** Stored hashes are trusted only up to this cost (N ≤ 2^20, r ≤ 32, p ≤ 16). */
const LIMITS = { N: 2 ** 20, r: 32, p: 16 } as const;

/** Thrown when a new password does not meet the policy; the message says what is wrong. */
export class PasswordPolicyError extends Error {
  readonly code = 'WEAK_PASSWORD';
  constructor(message: string) {
    super(message);
    this.name = 'PasswordPolicyError';
  }
}

function derive(password: string, salt: Buffer, keyLength: number, params: { N: number; r: number; p: number }): Promise<Buffer> {
  // 128 * N * r bytes are needed; the default cap (32 MiB) would refuse the upper LIMITS.
  const options: ScryptOptions = { ...params, maxmem: 256 * params.N * params.r + 1024 * 1024 };
  return new Promise((resolve, reject) => {
    scrypt(password.normalize('NFC'), salt, keyLength, options, (error, key) => (error ? reject(error) : resolve(key)));
  });
}

/**
 * Throws a {@link PasswordPolicyError} unless `password` may be set: 10 to 1024 characters.
 *
 * @example
 * assertPasswordPolicy('short'); // throws: password too short: at least 10 characters, got 5
 */
export function assertPasswordPolicy(password: string): void {
  const length = [...password].length;
  if (length < MIN_PASSWORD_LENGTH) throw new PasswordPolicyError(`password too short: at least ${MIN_PASSWORD_LENGTH} characters, got ${length}`);
  if (length > MAX_PASSWORD_LENGTH) throw new PasswordPolicyError(`password too long: at most ${MAX_PASSWORD_LENGTH} characters, got ${length}`);
}

/**
 * The encoded scrypt hash of a new password; rejects with {@link PasswordPolicyError} when it is too short.
 *
 * @example
 * const hash = await hashPassword('correct horse battery'); // 'scrypt$16384$8$1$...$...'
 */
export async function hashPassword(password: string): Promise<string> {
  assertPasswordPolicy(password);
  const salt = randomBytes(SALT_BYTES);
  const key = await derive(password, salt, KEY_BYTES, PARAMS);
  return ['scrypt', PARAMS.N, PARAMS.r, PARAMS.p, salt.toString('base64'), key.toString('base64')].join('$');
}

/**
 * A hash in the current form that no password matches (its key is random bytes, not derived):
 * verifying against it costs what verifying a real hash costs, for logins with unknown names.
 *
 * @example
 * await verifyPassword('anything at all', unmatchableHash()); // false, after one scrypt
 */
export function unmatchableHash(): string {
  return ['scrypt', PARAMS.N, PARAMS.r, PARAMS.p, randomBytes(SALT_BYTES).toString('base64'), randomBytes(KEY_BYTES).toString('base64')].join('$');
}

function decode(encoded: string): { params: { N: number; r: number; p: number }; salt: Buffer; key: Buffer } {
  const parts = encoded.split('$');
  const [scheme, n, r, p, salt, key] = parts;
  const params = { N: Number(n), r: Number(r), p: Number(p) };
  const base64 = /^[A-Za-z0-9+/]+={0,2}$/;
  const valid =
    parts.length === 6 &&
    scheme === 'scrypt' &&
    Number.isInteger(params.N) && params.N > 1 && params.N <= LIMITS.N && (params.N & (params.N - 1)) === 0 &&
    Number.isInteger(params.r) && params.r >= 1 && params.r <= LIMITS.r &&
    Number.isInteger(params.p) && params.p >= 1 && params.p <= LIMITS.p &&
    base64.test(salt ?? '') && base64.test(key ?? '');
  // The message never quotes the hash: it may end up in a log.
  if (!valid) throw new Error('stored password hash is not in the form scrypt$N$r$p$salt$hash (with N a power of two up to 2^20)');
  return { params, salt: Buffer.from(salt!, 'base64'), key: Buffer.from(key!, 'base64') };
}

/**
 * Whether `password` matches `encoded` (from {@link hashPassword}); the comparison takes the
 * same time wherever the keys differ. Throws when `encoded` is not a hash of this form.
 *
 * @example
 * await verifyPassword('correct horse battery', hash); // true
 */
export async function verifyPassword(password: string, encoded: string): Promise<boolean> {
  const { params, salt, key } = decode(encoded);
  if (key.length === 0) return false;
  // No stored password is longer than 1024 code points (2048 UTF-16 units): a longer one
  // cannot match, and is not worth hashing in full.
  const tooLong = password.length > MAX_PASSWORD_LENGTH * 2;
  const candidate = await derive(tooLong ? '' : password, salt, key.length, params);
  return timingSafeEqual(candidate, key) && !tooLong;
}
