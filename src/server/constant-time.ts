import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * Compares a secret a client sent with the configured one in constant time, whatever their
 * lengths (their SHA-256 digests are compared, so not even the length leaks).
 *
 * @example
 * if (!sameSecret(bearerToken, config.directLine.secret)) return sendError(res, 'SECRET_REQUIRED');
 */
export function sameSecret(given: string, secret: string): boolean {
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(secret).digest();
  return timingSafeEqual(a, b);
}
