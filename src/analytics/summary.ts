import type { KnowledgeGapRow, RollupRow } from '../storage/ports';
import { BUCKET_BOUNDS, bucketCounters } from './counters';
import { absorbed, n, ratio, resolved, round1, type Counters } from './counter-sums';
import { groupGaps } from './gap-groups';
import { dayTotals, monthlyTableOfDays, type MonthSummary, type SpanRow } from './monthly-table';
import { DAY_PATTERN, compare } from './rollup-batch';
import { digestDays, sumDays, sumGroups, type DayDigest } from './rollup-day-cache';

/** Most knowledge gaps listed in a summary. */
export const SUMMARY_GAPS = 50;

export interface SummaryOptions {
  /** First and last day (`YYYY-MM-DD`, inclusive) of the rows. */
  readonly from: string;
  readonly to: string;
  /**
   * The rows of the same days one year earlier (for the monthly comparison), from the day one
   * year before the earlier of `from` and 1 January of `to`'s year; [] when none.
   */
  readonly previousYearRows: readonly RollupRow[];
  /**
   * The current day (Europe/Rome): it and later days are still being counted, so they are never
   * compared with last year. Unset: every day of the range is complete.
   */
  readonly today?: string;
  /** A topic's title for people, or null when the knowledge base no longer has it. */
  readonly topicTitle: (topicId: string) => string | null;
}

/** Conversations and their outcomes, with the rates on engaged conversations. */
interface Breakdown {
  conversations: number;
  engaged: number;
  resolved: number;
  /** Ended on a referral to another administration: self-help absorbed them, apart from `resolved`. */
  referred: number;
  escalated: number;
  deflectionRate: number | null;
}

/** The figures of a period: one day of `byDay`, or the whole range at the top of the summary. */
export interface PeriodFigures {
  conversations: number;
  engaged: number;
  resolved: number;
  resolvedConfirmed: number;
  resolvedAssumed: number;
  /** Conversations that ended on a referral to another administration (docs/metrics.md). */
  referred: number;
  /** Question turns answered with a referral to another administration. */
  referrals: number;
  escalated: number;
  abandoned: number;
  tickets: number;
  unengaged: number;
  unresolved: number;
  /** (resolved + referred) over engaged conversations: the demand self-help absorbed. */
  deflectionRate: number | null;
  escalationRate: number | null;
  fallbackRate: number | null;
  csat: number | null;
  avgQueueWaitSec: number | null;
  avgHandleSec: number | null;
}

export interface DaySummary extends PeriodFigures {
  day: string;
}

export type { MonthFigures, MonthSummary, SpanRow, TableRow } from './monthly-table';

export interface AnalyticsSummary extends PeriodFigures {
  from: string;
  to: string;
  /**
   * The current Europe/Rome day when the summary was made (null when the caller gave none): it is
   * still being counted (conversations in progress are not in it) and later days have no data yet.
   */
  today: string | null;
  /** Handoff steps, each counted on the day it happened (a conversation's outcome waits for its end). */
  handoffs: { queued: number; answered: number; abandoned: number; tickets: number };
  p90QueueWaitSec: number | null;
  byChannel: (Breakdown & { channel: string })[];
  byLanguage: (Breakdown & { language: string })[];
  byTopic: (Breakdown & { topicId: string | null; title: string | null; fallbacks: number })[];
  byDay: DaySummary[];
  monthly: MonthSummary[];
  /** The monthly table's total row: the whole period. */
  monthlyTotal: SpanRow;
  /** From 1 January of `to`'s year to `to` (it may start before `from`). */
  yearToDate: SpanRow;
  knowledgeGaps: KnowledgeGapRow[];
}

function breakdown(c: Counters): Breakdown {
  return {
    conversations: n(c, 'conversations'), engaged: n(c, 'engaged'), resolved: resolved(c), referred: n(c, 'referred'), escalated: n(c, 'escalated'),
    deflectionRate: ratio(absorbed(c), n(c, 'engaged')),
  };
}

/**
 * The 90th percentile of a histogram, as the upper bound of the bucket that holds it (so an
 * upper estimate): the bucket where the running count first reaches 90 % of the total. When
 * that is the open bucket (over an hour) the last bound, 3600, is reported: "an hour or more".
 * Null when nothing was counted.
 *
 * @example
 * p90FromBuckets({ wait_le_30: 5, wait_le_60: 4, wait_le_120: 1 }, 'wait') // 60 (9 of 10 within 60 s)
 */
export function p90FromBuckets(c: Counters, prefix: 'wait' | 'handle'): number | null {
  const names = bucketCounters(prefix);
  const total = names.reduce((acc, name) => acc + n(c, name), 0);
  if (total <= 0) return null;
  const rank = Math.ceil(0.9 * total);
  let running = 0;
  for (const [index, name] of names.entries()) {
    running += n(c, name);
    if (running >= rank) return BUCKET_BOUNDS[index] ?? BUCKET_BOUNDS[BUCKET_BOUNDS.length - 1] ?? null;
  }
  return null;
}

function day(c: Counters, date: string): DaySummary {
  return {
    day: date,
    conversations: n(c, 'conversations'),
    engaged: n(c, 'engaged'),
    resolved: resolved(c),
    resolvedConfirmed: n(c, 'resolvedConfirmed'),
    resolvedAssumed: n(c, 'resolvedAssumed'),
    referred: n(c, 'referred'),
    referrals: n(c, 'referrals'),
    escalated: n(c, 'escalated'),
    abandoned: n(c, 'abandoned'),
    tickets: n(c, 'tickets'),
    unengaged: n(c, 'unengaged'),
    unresolved: n(c, 'unresolved'),
    deflectionRate: ratio(absorbed(c), n(c, 'engaged')),
    escalationRate: ratio(n(c, 'escalated'), n(c, 'engaged')),
    fallbackRate: ratio(n(c, 'fallbacks'), n(c, 'questions')),
    csat: ratio(n(c, 'ratedUp'), n(c, 'ratedUp') + n(c, 'ratedDown')),
    avgQueueWaitSec: round1(ratio(n(c, 'waitSecSum'), n(c, 'waitCount'))),
    avgHandleSec: round1(ratio(n(c, 'handleSecSum'), n(c, 'handleCount'))),
  };
}

/**
 * The figures of each day from `from` to `to` (a day without rows reads as zeros): the summary's
 * `byDay`, and all the daily CSV needs, so that export reads no more than the period's rows.
 *
 * @example
 * summaryCsv({ byDay: dailyFigures(await rollups.range(from, to), from, to) });
 */
export function dailyFigures(rows: readonly RollupRow[], from: string, to: string): DaySummary[] {
  return digestDays(rows, from, to).map(dayFigures);
}

/** One day's figures from its digest (the daily CSV's line, an entry of the summary's `byDay`). */
export function dayFigures(digest: DayDigest): DaySummary {
  return day(digest.total, digest.day);
}

/**
 * The figures of docs/metrics.md from rollup rows and knowledge gaps of the days `from` to
 * `to`: pure arithmetic on the counters, no store, no clock. Rates are 0..1, null when their
 * denominator is 0; seconds are rounded to 1 decimal. The monthly table covers each month the
 * range overlaps, counting only the days of the range, and compares with the same days one
 * year earlier (`previousYearRows`), null when those days have no data.
 *
 * @example
 * const rows = await backend.rollups.range('2026-04-01', '2026-04-30');
 * const previousYearRows = await backend.rollups.range('2025-04-01', '2025-04-30');
 * const summary = summarize(rows, await backend.rollups.gaps('2026-04-01', '2026-04-30'),
 *   { from: '2026-04-01', to: '2026-04-30', previousYearRows, topicTitle: (id) => kb.get(id)?.title.it ?? null });
 */
export function summarize(rows: readonly RollupRow[], gaps: readonly KnowledgeGapRow[], options: SummaryOptions): AnalyticsSummary {
  const { from, to } = options;
  checkRange(from, to);
  const yearStart = `${to.slice(0, 4)}-01-01`;
  const days = digestDays(rows, yearStart < from ? yearStart : from, to);
  return summarizeDays(days, dayTotals(options.previousYearRows), gaps, options);
}

function checkRange(from: string, to: string): void {
  if (!DAY_PATTERN.test(from) || !DAY_PATTERN.test(to) || from > to) throw new Error(`summary range must be two days YYYY-MM-DD, from not after to; got ${from} to ${to}`);
}

/**
 * {@link summarize} from day digests (src/analytics/rollup-day-cache.ts): `days` covers at least
 * `from` to `to` and, for the year to date, 1 January of `to`'s year to `to`; `previousYear` is
 * each day's counters one year earlier, by that earlier day.
 *
 * @example
 * const days = await cache.days('2026-01-01', '2026-11-30');
 * const previousYear = new Map((await cache.days('2025-01-01', '2025-11-30')).map((d) => [d.day, d.total]));
 * summarizeDays(days, previousYear, await rollups.gaps('2026-11-01', '2026-11-30'), { from: '2026-11-01', to: '2026-11-30', today: '2026-12-05', topicTitle });
 */
export function summarizeDays(days: readonly DayDigest[], previousYear: ReadonlyMap<string, Counters>, gaps: readonly KnowledgeGapRow[], options: Omit<SummaryOptions, 'previousYearRows'>): AnalyticsSummary {
  const { from, to } = options;
  checkRange(from, to);
  const inRange = days.filter((d) => d.day >= from && d.day <= to);
  const total = sumDays(inRange);
  const totals = day(total, from);

  const byChannel = [...sumGroups(inRange, (d) => d.byChannel)].map(([channel, c]) => ({ channel, ...breakdown(c) }));
  byChannel.sort((a, b) => b.conversations - a.conversations || compare(a.channel, b.channel));
  const byLanguage = [...sumGroups(inRange, (d) => d.byLanguage)].map(([language, c]) => ({ language, ...breakdown(c) }));
  byLanguage.sort((a, b) => b.conversations - a.conversations || compare(a.language, b.language));
  const byTopic = [...sumGroups(inRange, (d) => d.byTopic)].map(([id, c]) => {
    const topicId = id === '' ? null : id;
    return { topicId, title: topicId === null ? null : options.topicTitle(topicId), ...breakdown(c), fallbacks: n(c, 'fallbacks') };
  });
  byTopic.sort((a, b) => b.conversations - a.conversations || b.fallbacks - a.fallbacks || compare(a.topicId ?? '', b.topicId ?? ''));

  const byDay = inRange.map(dayFigures);

  const { monthly, monthlyTotal, yearToDate } = monthlyTableOfDays(new Map(days.map((d) => [d.day, d.total])), previousYear, options);

  return {
    from,
    to,
    today: options.today ?? null,
    conversations: totals.conversations,
    engaged: totals.engaged,
    resolved: totals.resolved,
    resolvedConfirmed: totals.resolvedConfirmed,
    resolvedAssumed: totals.resolvedAssumed,
    referred: totals.referred,
    referrals: totals.referrals,
    escalated: totals.escalated,
    abandoned: totals.abandoned,
    tickets: totals.tickets,
    unengaged: totals.unengaged,
    unresolved: totals.unresolved,
    deflectionRate: totals.deflectionRate,
    escalationRate: totals.escalationRate,
    fallbackRate: totals.fallbackRate,
    csat: totals.csat,
    handoffs: { queued: n(total, 'handoffsQueued'), answered: n(total, 'handoffsAnswered'), abandoned: n(total, 'handoffsAbandoned'), tickets: n(total, 'ticketsCreated') },
    avgQueueWaitSec: totals.avgQueueWaitSec,
    p90QueueWaitSec: p90FromBuckets(total, 'wait'),
    avgHandleSec: totals.avgHandleSec,
    byChannel,
    byLanguage,
    byTopic,
    byDay,
    monthly,
    monthlyTotal,
    yearToDate,
    knowledgeGaps: groupGaps(gaps).slice(0, SUMMARY_GAPS),
  };
}
