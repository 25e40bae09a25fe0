import type { StorageBackend } from './ports';

/** How many records one retention pass deleted, per store. */
export interface PurgeCounts {
  /** Interaction events older than the cutoff. */
  readonly events: number;
  /** Handoff sessions (with their live messages) that ended before the cutoff. */
  readonly handoffSessions: number;
  /** Written requests closed before the cutoff. */
  readonly tickets: number;
  /** State items (dialog state, Direct Line history, Messenger windows) not written since the cutoff. */
  readonly stateItems: number;
  /** Operators' notes written before the cutoff (their sessions ended before it too). */
  readonly handoffNotes: number;
  /** Callbacks done before the cutoff (pending ones stay until done). */
  readonly callbacks: number;
  /** Direct Line conversations in the database (MongoDB) not active since the cutoff; 0 where they live in the state store. */
  readonly directLineConversations: number;
}

/**
 * One retention pass over every store that holds what citizens wrote: the daily job and
 * `npm run data:purge` both run this, so they cannot drift apart. Active handoff sessions and
 * open written requests stay, however old: someone still has to answer them. Rollups stay:
 * they hold counts and redacted examples only.
 *
 * @example
 * const counts = await purgeOlderThan(backend, new Date(Date.now() - 180 * DAY_MS));
 */
export async function purgeOlderThan(backend: StorageBackend, cutoff: Date): Promise<PurgeCounts> {
  const events = await backend.events.purgeBefore(cutoff);
  const handoffSessions = await backend.handoffs.purgeEndedBefore(cutoff);
  const tickets = await backend.tickets.purgeClosedBefore(cutoff);
  const stateItems = await backend.stateRetention.purgeNotUpdatedSince(cutoff);
  const handoffNotes = await backend.handoffNotes.purgeBefore(cutoff);
  const callbacks = await backend.callbacks.purgeDoneBefore(cutoff);
  const directLineConversations = (await backend.directLine?.purgeIdleBefore(cutoff)) ?? 0;
  return { events, handoffSessions, tickets, stateItems, handoffNotes, callbacks, directLineConversations };
}

/** Total of a pass's counts. */
export function purgedTotal(counts: PurgeCounts): number {
  return counts.events + counts.handoffSessions + counts.tickets + counts.stateItems + counts.handoffNotes + counts.callbacks + counts.directLineConversations;
}
