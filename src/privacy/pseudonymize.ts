import { createHmac } from 'node:crypto';

/**
 * A stable pseudonym for a citizen on a channel, to key stored conversations without storing the
 * channel's user id: the same citizen on the same channel always gets the same id, and without the
 * secret nobody can recompute it from a known user id or reverse it.
 *
 * It is the first 32 hex characters (128 bits) of HMAC-SHA256(secret, channel and user id).
 *
 * @throws Error when the secret is empty, since the id would then be a plain hash that anyone
 * can recompute from a user id.
 *
 * @example
 * pseudonymousId(secret, 'msteams', '29:1a2b3c4d'); // e.g. '3f9c0b7e1d2a4c6e8f0a1b2c3d4e5f60'
 */
export function pseudonymousId(secret: string, channelId: string, userId: string): string {
  if (secret.length === 0) {
    throw new Error('pseudonymousId needs a non-empty secret');
  }
  // JSON keeps the two ids apart, so ('ab', 'c') and ('a', 'bc') cannot collide.
  const input = JSON.stringify([channelId, userId]);
  let bySecret = recent.get(secret);
  if (!bySecret) {
    bySecret = new Map();
    recent.set(secret, bySecret);
  }
  const known = bySecret.get(input);
  if (known !== undefined) return known;
  const id = createHmac('sha256', secret).update(input).digest('hex').slice(0, 32);
  // Every turn of a conversation asks for the same id: the recent ones are kept, a bounded number.
  if (bySecret.size >= KEPT_IDS) bySecret.clear();
  bySecret.set(input, id);
  return id;
}

/** Ids computed lately, by secret (one in production; tests use several). */
const recent = new Map<string, Map<string, string>>();
const KEPT_IDS = 20_000;
