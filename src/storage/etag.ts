import { randomUUID } from 'node:crypto';

/** A fresh eTag for a stored item. */
export function newETag(): string {
  return randomUUID();
}

/**
 * botbuilder's eTag rule, as its MemoryStorage applies it: a write without an eTag, with
 * `*`, or on a missing item always succeeds; otherwise its eTag must equal the stored one.
 */
export function writeAllowed(incoming: unknown, stored: string | undefined): boolean {
  if (stored === undefined || isUnconditional(incoming)) return true;
  return incoming === stored;
}

/** Whether a write's eTag asks for last-writer-wins (none, empty or `*`). */
export function isUnconditional(eTag: unknown): boolean {
  return eTag === undefined || eTag === null || eTag === '' || eTag === '*';
}
