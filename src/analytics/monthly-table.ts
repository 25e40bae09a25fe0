import type { RollupRow } from '../storage/ports';
import { absorbed, n, ratio, round1, type Counters } from './counter-sums';
import { addInto, emptyCounters } from './rollup-day-cache';
import { daysBetween } from './rome-day';

/**
 * The figures of the 020202-style table: every engaged conversation is in exactly one of
 * `answeredByBot`, `answeredByOperator`, `abandoned`, `diverted` and `unresolved`, which add up to
 * `in`; `referred` is the part of `answeredByBot` sent to another administration, and
 * `queuedToOperator` counts the handoff requests queued (on their own day), apart from the sum.
 */
export interface MonthFigures {
  in: number;
  answeredByBot: number;
  referred: number;
  answeredByOperator: number;
  abandoned: number;
  diverted: number;
  unresolved: number;
  queuedToOperator: number;
  avgWaitSec: number | null;
  avgHandleSec: number | null;
}

/** A row of the table with its comparison on the same days one year earlier. */
export interface TableRow extends MonthFigures {
  /** Last year's figures on the compared days only; null when no day compares. */
  previousYear: MonthFigures | null;
  /**
   * Percentage change (12.5 is +12.5 %) of this year's figures on the compared days against last
   * year's on the same days; null without a compared day, a single figure null when last year's was 0.
   */
  change: { [K in keyof MonthFigures]: number | null } | null;
  /** Days of the row with conversations. */
  daysWithData: number;
  /** Days with conversations on both sides, each complete (before `today`): what the change compares. */
  comparedDays: number;
  /** Some days with data have no complete counterpart: the change covers `comparedDays` only ("base parziale"). */
  partialBase: boolean;
}

export interface MonthSummary extends TableRow {
  month: string;
  /**
   * The row's first and last day: the month's days inside the period, so a month cut by the
   * period (or still running) says which of its days it holds rather than reading as a whole one.
   */
  from: string;
  to: string;
}

/** A row covering a span of days: the period's total, or the year to date. */
export interface SpanRow extends TableRow {
  from: string;
  to: string;
}

function monthFigures(c: Counters): MonthFigures {
  return {
    in: n(c, 'engaged'),
    // As 020202 counts a call that it sends elsewhere as answered, so is a referral.
    answeredByBot: absorbed(c),
    referred: n(c, 'referred'),
    answeredByOperator: n(c, 'escalated'),
    abandoned: n(c, 'abandoned'),
    diverted: n(c, 'tickets'),
    unresolved: n(c, 'unresolved'),
    queuedToOperator: n(c, 'handoffsQueued'),
    avgWaitSec: round1(ratio(n(c, 'waitSecSum'), n(c, 'waitCount'))),
    avgHandleSec: round1(ratio(n(c, 'handleSecSum'), n(c, 'handleCount'))),
  };
}

function change(current: number | null, previous: number | null): number | null {
  if (current === null || previous === null || previous === 0) return null;
  return round1(((current - previous) / previous) * 100);
}

/** `YYYY-MM-DD` one year later; null for 29 February, which has no same day a year later. */
function nextYearDay(date: string): string | null {
  if (date.slice(5) === '02-29') return null;
  return `${String(Number(date.slice(0, 4)) + 1).padStart(4, '0')}${date.slice(4)}`;
}

const FIGURE_KEYS = ['in', 'answeredByBot', 'referred', 'answeredByOperator', 'abandoned', 'diverted', 'unresolved', 'queuedToOperator', 'avgWaitSec', 'avgHandleSec'] as const;

/** The sum of counter sets, by name. */
function addUp(sets: readonly Counters[]): Counters {
  const total = emptyCounters();
  for (const set of sets) addInto(total, set);
  return total;
}

/** Each day's counters summed over its rows (the table's input), from rows in any order. */
export function dayTotals(rows: readonly RollupRow[]): Map<string, Counters> {
  const totals = new Map<string, Record<string, number>>();
  for (const row of rows) {
    let sum = totals.get(row.key.day);
    if (!sum) {
      sum = emptyCounters();
      totals.set(row.key.day, sum);
    }
    addInto(sum, row.counters);
  }
  return totals;
}

/** What the table needs of the summary's options. */
export interface MonthlyTableOptions {
  readonly from: string;
  readonly to: string;
  readonly previousYearRows: readonly RollupRow[];
  readonly today?: string;
}

/**
 * The 020202-style table of the days `from` to `to`: one row per month the range overlaps (its
 * days inside the range only), the period's total and the year to date (1 January of `to`'s
 * year to `to`, read from `rows`, which may start before `from`). Each row is compared with the
 * same days one year earlier, counting only the days with conversations on both sides and
 * before `options.today` (docs/metrics.md, "The 020202 monthly table").
 *
 * @example
 * const { monthly, monthlyTotal, yearToDate } = monthlyTable(rows, { from: '2026-01-01', to: '2026-03-31', previousYearRows, today: '2026-04-10' });
 * monthly[0]!.in === monthly[0]!.answeredByBot + monthly[0]!.answeredByOperator + monthly[0]!.abandoned + monthly[0]!.diverted + monthly[0]!.unresolved; // true
 */
export function monthlyTable(rows: readonly RollupRow[], options: MonthlyTableOptions): MonthlyTable {
  return monthlyTableOfDays(dayTotals(rows), dayTotals(options.previousYearRows), options);
}

/** The monthly table, its total row and the year to date. */
export interface MonthlyTable {
  monthly: MonthSummary[];
  monthlyTotal: SpanRow;
  yearToDate: SpanRow;
}

/**
 * {@link monthlyTable} from each day's counters already summed (src/analytics/rollup-day-cache.ts
 * keeps them): `current` by day from the earlier of `from` and 1 January of `to`'s year to `to`,
 * `previousYear` by last year's day (days outside the compared span are ignored).
 *
 * @example
 * monthlyTableOfDays(new Map([['2026-03-02', { engaged: 4, conversations: 5 }]]), new Map(), { from: '2026-03-01', to: '2026-03-31' });
 */
export function monthlyTableOfDays(current: ReadonlyMap<string, Counters>, previousYear: ReadonlyMap<string, Counters>, options: Omit<MonthlyTableOptions, 'previousYearRows'>): MonthlyTable {
  const { from, to } = options;
  // Year on year: only days with conversations on both sides, and complete (before today), are
  // compared, so that a base year holding five days of a month, or today's first hours, never
  // read as a +378.9 % or a -100 %.
  const yearStart = `${to.slice(0, 4)}-01-01`;
  const earliest = yearStart < from ? yearStart : from;
  const inSpan = (day: string) => day >= earliest && day <= to;
  const currentDays = new Map([...current].filter(([day]) => inSpan(day)));
  const previous = new Map<string, Counters>();
  for (const [day, counters] of previousYear) {
    const shifted = nextYearDay(day);
    if (shifted !== null && inSpan(shifted)) previous.set(shifted, counters);
  }
  const hasData = (sums: ReadonlyMap<string, Counters>, date: string) => (sums.get(date)?.conversations ?? 0) > 0;
  const sumOf = (sums: ReadonlyMap<string, Counters>, days: readonly string[]): Counters => addUp(days.flatMap((d): Counters[] => { const day = sums.get(d); return day ? [day] : []; }));
  const tableRow = (days: readonly string[]): TableRow => {
    const figures = monthFigures(sumOf(currentDays, days));
    const withData = days.filter((d) => hasData(currentDays, d));
    const compared = withData.filter((d) => (options.today === undefined || d < options.today) && hasData(previous, d));
    const comparison = { daysWithData: withData.length, comparedDays: compared.length, partialBase: compared.length < withData.length };
    if (compared.length === 0) return { ...figures, previousYear: null, change: null, ...comparison };
    const now = monthFigures(sumOf(currentDays, compared));
    const before = monthFigures(sumOf(previous, compared));
    const changes = Object.fromEntries(FIGURE_KEYS.map((k) => [k, change(now[k], before[k])])) as { [K in keyof MonthFigures]: number | null };
    return { ...figures, previousYear: before, change: changes, ...comparison };
  };

  const rangeDays = daysBetween(from, to);
  const months = [...new Set(rangeDays.map((d) => d.slice(0, 7)))];
  const monthly = months.map((month): MonthSummary => {
    const days = rangeDays.filter((d) => d.startsWith(month));
    return { month, from: days[0] ?? from, to: days[days.length - 1] ?? to, ...tableRow(days) };
  });
  const monthlyTotal: SpanRow = { from, to, ...tableRow(rangeDays) };
  const yearToDate: SpanRow = { from: yearStart, to, ...tableRow(daysBetween(yearStart, to)) };
  return { monthly, monthlyTotal, yearToDate };
}
