import { isIP } from 'node:net';

/** The parts of an HTTP request the client address is read from (restify's and node's requests both fit). */
export interface AddressedRequest {
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly socket: { readonly remoteAddress?: string | undefined };
}

/**
 * The address of the client that sent `req`, for rate limits and logs. With `trustedHops` 0 it is
 * the socket's peer; behind N trusted reverse proxies (App Service's front end is one) it is the
 * entry N places from the right of `X-Forwarded-For`, the last one a trusted proxy appended.
 * Entries further left are written by the client and never believed: a client cannot choose its
 * own rate-limit key by sending the header. A header shorter than expected, or an entry that is
 * not an IP address, falls back to the leftmost address a trusted hop wrote, else the socket.
 *
 * @example
 * clientAddress({ headers: { 'x-forwarded-for': '6.6.6.6, 203.0.113.7' }, socket: { remoteAddress: '10.0.0.2' } }, 1);
 * // '203.0.113.7' (6.6.6.6 was written by the client)
 */
export function clientAddress(req: AddressedRequest, trustedHops: number): string {
  const socketAddress = normalise(req.socket.remoteAddress ?? '') ?? 'unknown';
  if (trustedHops <= 0) return socketAddress;
  const raw = req.headers['x-forwarded-for'];
  const header = Array.isArray(raw) ? raw.join(',') : raw ?? '';
  const entries = header.split(',').map((entry) => entry.trim()).filter(Boolean);
  // The rightmost `trustedHops` entries were appended by our proxies; the one they saw is the last of them.
  const index = entries.length - trustedHops;
  for (let i = Math.max(index, 0); i < entries.length; i += 1) {
    const address = normalise(entries[i] ?? '');
    if (address) return address;
  }
  return socketAddress;
}

/** An IP address without port or IPv4-mapped prefix, or undefined when `value` is not one. */
function normalise(value: string): string | undefined {
  let address = value.trim();
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(address);
  if (bracketed?.[1]) address = bracketed[1];
  else if (/^\d{1,3}(\.\d{1,3}){3}:\d+$/.test(address)) address = address.slice(0, address.lastIndexOf(':'));
  if (address.toLowerCase().startsWith('::ffff:') && isIP(address.slice(7)) === 4) address = address.slice(7);
  return isIP(address) ? address.toLowerCase() : undefined;
}
