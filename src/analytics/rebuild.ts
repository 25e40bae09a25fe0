import { zonedInstant } from '../handoff/zoned-time';
import type { InteractionEvent } from '../storage/interaction-event';
import type { InteractionEventStore, RollupStore } from '../storage/ports';
import { AnalyticsAggregator } from './aggregator';
import { TIME_ZONE, romeDay } from './rome-day';

/** Events read per query. */
export const REBUILD_PAGE = 5000;
const DAY_MS = 24 * 60 * 60 * 1000;

/** What a rebuild will do, said before it starts: the days it recomputes and those it keeps. */
export interface RebuildPlan {
  /** Time of the oldest stored event; null when none is stored. */
  readonly oldestEvent: string | null;
  /**
   * The first day (`YYYY-MM-DD`, Europe/Rome) whose events are all still stored: from it on the
   * rollups are recomputed; null when nothing is stored, and then nothing is touched.
   */
  readonly firstDay: string | null;
  /** The latest instant a retention pass may have purged up to (now minus the retention); null without a retention. */
  readonly retentionCutoff: string | null;
}

/**
 * Decides which days a rebuild may recompute. Retention deletes events older than `now` minus
 * `retentionDays`, so the day of the oldest stored event may have lost its earlier hours when
 * that cutoff reaches into it (or past it): then the first complete day is the next one. When the
 * oldest event is younger than any cutoff could be, its whole day is still stored.
 *
 * @example
 * const plan = await planRebuild(backend.events, new Date(), config.storage.retentionDays);
 * // { oldestEvent: '2026-06-08T09:12:00.000Z', firstDay: '2026-06-09', retentionCutoff: '2026-06-08T10:00:00.000Z' }
 */
export async function planRebuild(events: InteractionEventStore, now: Date, retentionDays?: number): Promise<RebuildPlan> {
  if (retentionDays !== undefined && (!Number.isFinite(retentionDays) || retentionDays <= 0)) throw new Error(`retentionDays must be a positive number, got ${retentionDays}`);
  const [oldest] = await events.query({ limit: 1 });
  const cutoff = retentionDays === undefined ? null : new Date(now.getTime() - retentionDays * DAY_MS);
  const oldestMs = oldest ? Date.parse(oldest.ts) : Number.NaN;
  if (!oldest || Number.isNaN(oldestMs)) return { oldestEvent: null, firstDay: null, retentionCutoff: cutoff?.toISOString() ?? null };
  const oldestDay = romeDay(oldestMs);
  const partial = cutoff !== null && romeDay(cutoff.getTime()) >= oldestDay;
  return { oldestEvent: new Date(oldestMs).toISOString(), firstDay: partial ? nextDay(oldestDay) : oldestDay, retentionCutoff: cutoff?.toISOString() ?? null };
}

/** The calendar day after `day` (`YYYY-MM-DD`). */
function nextDay(day: string): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + DAY_MS).toISOString().slice(0, 10);
}

/** The instant a Europe/Rome day begins. */
function romeMidnight(day: string): Date {
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  return zonedInstant(y, m, d, 0, TIME_ZONE);
}

export interface RebuildSummary {
  /** The first day recomputed (older rollups were kept); null when no event was stored and nothing changed. */
  readonly firstDay: string | null;
  readonly events: number;
  readonly skipped: number;
  readonly pages: number;
  readonly conversations: number;
  /** Sessions still open at `now` (quiet for 30 minutes or less): kept in the checkpoint. */
  readonly openSessions: number;
}

/**
 * Recomputes the rollups of the days whose events are all still stored ({@link planRebuild}):
 * clears those days only (older rollups, whose events retention deleted, stay as they are),
 * replays their events in time order a page at a time (each page flushed, sessions swept at the page's last event, so memory
 * stays bounded), sweeps at `now` and flushes. The sessions still open at `now` are saved as
 * the checkpoint, so an aggregator started afterwards carries on from there.
 *
 * Pages are by time: the next page starts at the last event's instant, skipping the events of
 * that instant already counted (the store orders equal instants the same way every time).
 *
 * A conversation under way at midnight at the start of the first day is counted again on that
 * day (its earlier turns are not replayed): at most the conversations open at that midnight.
 *
 * @example
 * const plan = await planRebuild(backend.events, new Date(), config.storage.retentionDays);
 * const summary = await rebuildRollups(backend.events, backend.rollups, new Date(), { plan });
 */
export async function rebuildRollups(
  events: InteractionEventStore,
  rollups: RollupStore,
  now: Date,
  options: { pageSize?: number; plan?: RebuildPlan } = {},
): Promise<RebuildSummary> {
  const pageSize = options.pageSize ?? REBUILD_PAGE;
  if (!Number.isInteger(pageSize) || pageSize < 1) throw new Error(`pageSize must be a whole number of at least 1, got ${pageSize}`);
  const plan = options.plan ?? (await planRebuild(events, now));
  if (plan.firstDay === null) return { firstDay: null, events: 0, skipped: 0, pages: 0, conversations: 0, openSessions: 0 };
  await rollups.clearFrom(plan.firstDay);
  const aggregator = new AnalyticsAggregator(rollups);
  let from: Date | undefined = romeMidnight(plan.firstDay);
  /** Ids of the events at `from` already counted. */
  let seenAtFrom = new Set<string>();
  let pages = 0;
  let limit = pageSize;
  for (;;) {
    const page: InteractionEvent[] = await events.query({ from, limit });
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
  return { firstDay: plan.firstDay, events: stats.events, skipped: stats.skipped, pages, conversations: stats.sessionsFinalised, openSessions: aggregator.openSessions };
}
