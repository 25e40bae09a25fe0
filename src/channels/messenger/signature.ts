import { createHmac, timingSafeEqual } from 'node:crypto';

/** The header Meta signs webhook deliveries with: `sha256=<hex HMAC of the raw body>`. */
export const SIGNATURE_HEADER = 'x-hub-signature-256';

/**
 * True when `header` is the HMAC-SHA256 of exactly these body bytes under the app secret.
 * Compared in constant time; a missing, malformed or SHA-1 (`sha1=`) header is false.
 *
 * @example
 * if (!verifySignature(rawBody, req.headers['x-hub-signature-256'], appSecret)) return res.send(403);
 */
export function verifySignature(rawBody: Buffer, header: string | string[] | undefined, appSecret: string): boolean {
  if (typeof header !== 'string') return false;
  const match = /^sha256=([0-9a-f]{64})$/i.exec(header.trim());
  if (!match?.[1]) return false;
  const given = Buffer.from(match[1].toLowerCase(), 'hex');
  const expected = createHmac('sha256', appSecret).update(rawBody).digest();
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** The header value for a body, as Meta computes it (for tests and the benchmark). */
export function signBody(rawBody: Buffer | string, appSecret: string): string {
  return `sha256=${createHmac('sha256', appSecret).update(rawBody).digest('hex')}`;
}
