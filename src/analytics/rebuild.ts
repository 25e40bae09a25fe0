import type { InteractionEvent } from '../storage/interaction-event';
import type { InteractionEventStore, RollupStore } from '../storage/ports';
import { AnalyticsAggregator } from './aggregator';

/** Events read per query. */
export const REBUILD_PAGE = 5000;

export interface RebuildSummary {
  readonly events: number;
  readonly skipped: number;
  readonly pages: number;
  readonly conversations: number;
  /** Sessions still open at `now` (quiet for 30 minutes or less): kept in the checkpoint. */
  readonly openSessions: number;
}

/**
 * Recomputes the rollups from the stored events: clears them, replays every event in time
 * order a page at a time (each page flushed, sessions swept at the page's last event, so memory
 * stays bounded), sweeps at `now` and flushes. The sessions still open at `now` are saved as
 * the checkpoint, so an aggregator started afterwards carries on from there.
 *
 * Pages are by time: the next page starts at the last event's instant, skipping the events of
 * that instant already counted (the store orders equal instants the same way every time).
 *
 * @example
 * const summary = await rebuildRollups(backend.events, backend.rollups, new Date());
 */
export async function rebuildRollups(
  events: InteractionEventStore,
  rollups: RollupStore,
  now: Date,
  options: { pageSize?: number } = {},
): Promise<RebuildSummary> {
  const pageSize = options.pageSize ?? REBUILD_PAGE;
  if (!Number.isInteger(pageSize) || pageSize < 1) throw new Error(`pageSize must be a whole number of at least 1, got ${pageSize}`);
  await rollups.clear();
  const aggregator = new AnalyticsAggregator(rollups);
  let from: Date | undefined;
  /** Ids of the events at `from` already counted. */
  let seenAtFrom = new Set<string>();
  let pages = 0;
  let limit = pageSize;
  for (;;) {
    const page: InteractionEvent[] = await events.query({ ...(from ? { from } : {}), limit });
    pages += 1;
    const full = page.length === limit;
    const fresh = page.filter((e) => !(from && Date.parse(e.ts) === from.getTime() && seenAtFrom.has(e.eventId)));
    const last = page[page.length - 1];
    if (fresh.length === 0) {
      // A full page of one instant already counted: more events share it, so read further at once.
      if (full && last) {
        limit *= 2;
        continue;
      }
      break;
    }
    limit = pageSize;
    for (const event of fresh) aggregator.observe(event);
    const lastMs = Date.parse(fresh[fresh.length - 1]?.ts ?? '');
    if (from && from.getTime() === lastMs) {
      for (const e of fresh) seenAtFrom.add(e.eventId);
    } else {
      seenAtFrom = new Set(fresh.filter((e) => Date.parse(e.ts) === lastMs).map((e) => e.eventId));
      from = new Date(lastMs);
    }
    aggregator.sweep(new Date(lastMs));
    await aggregator.flush();
    if (!full) break;
  }
  aggregator.sweep(now);
  await aggregator.flush();
  const stats = aggregator.stats;
  return { events: stats.events, skipped: stats.skipped, pages, conversations: stats.sessionsFinalised, openSessions: aggregator.openSessions };
}
