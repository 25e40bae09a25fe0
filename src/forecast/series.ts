import type { RollupRow } from '../storage/ports';
import { dayNumber, dayRange, weekday } from './calendar-days';

/** The series key of conversations with no recognised topic. */
export const NO_TOPIC = '(none)';

/** Daily series read from the rollups, every day of `days` present (0 where nothing was counted). */
export interface DailySeries {
  readonly days: readonly string[];
  /** Contacts (the `conversations` counter), all topics and channels. */
  readonly total: number[];
  /** Per topic id, and {@link NO_TOPIC}. */
  readonly byTopic: ReadonlyMap<string, number[]>;
  readonly byChannel: ReadonlyMap<string, number[]>;
  /** Handoffs queued for an operator (`handoffsQueued`). */
  readonly handoffs: number[];
  /**
   * Share of a day's handoffs in each Europe/Rome hour, per weekday (Monday 0), from the
   * `queued_hNN` counters; `source` says whether they were measured or the flat office-hours profile.
   */
  readonly hourProfile: { readonly source: 'measured' | 'office-hours'; readonly byWeekday: readonly (readonly number[])[] };
}

const HOURS = 24;
const HOUR_COUNTERS = Array.from({ length: HOURS }, (_, h) => `queued_h${String(h).padStart(2, '0')}`);
/** 020202's default hours (src/handoff/office-hours.ts): Monday to Saturday 8-18. */
const OFFICE_OPEN = 8;
const OFFICE_CLOSE = 18;
/** Fewer queued handoffs than this on a weekday's hours of history: that weekday uses the pooled profile. */
const MIN_PROFILE_HANDOFFS = 50;

/**
 * Sums rollup rows into daily series from `from` to `to`.
 *
 * @example
 * const series = dailySeries(await rollups.range(from, to), from, to);
 * series.byTopic.get('tari-pagamento');
 */
export function dailySeries(rows: readonly RollupRow[], from: string, to: string): DailySeries {
  const days = dayRange(from, to);
  const start = dayNumber(from);
  const firstWeekday = weekday(from);
  // Rows come many per day: parse each day once.
  const index = new Map<string, number>();
  const zeros = () => new Array<number>(days.length).fill(0);
  const total = zeros();
  const handoffs = zeros();
  const byTopic = new Map<string, number[]>();
  const byChannel = new Map<string, number[]>();
  const hourly = Array.from({ length: 7 }, () => new Array<number>(HOURS).fill(0));
  let measuredHours = 0;
  for (const row of rows) {
    let i = index.get(row.key.day);
    if (i === undefined) {
      i = dayNumber(row.key.day) - start;
      index.set(row.key.day, i);
    }
    if (i < 0 || i >= days.length) continue;
    const contacts = finite(row.counters.conversations);
    total[i]! += contacts;
    const topic = row.key.topicId ?? NO_TOPIC;
    const topicSeries = byTopic.get(topic) ?? zeros();
    topicSeries[i]! += contacts;
    byTopic.set(topic, topicSeries);
    const channelSeries = byChannel.get(row.key.channel) ?? zeros();
    channelSeries[i]! += contacts;
    byChannel.set(row.key.channel, channelSeries);
    handoffs[i]! += finite(row.counters.handoffsQueued);
    const dow = (firstWeekday + i) % 7;
    for (let h = 0; h < HOURS; h += 1) {
      const queued = finite(row.counters[HOUR_COUNTERS[h]!]);
      if (queued > 0) {
        hourly[dow]![h]! += queued;
        measuredHours += queued;
      }
    }
  }
  return { days, total, byTopic, byChannel, handoffs, hourProfile: hourProfile(hourly, measuredHours) };
}

function finite(value: number | undefined): number {
  return typeof value === 'number' && Number.isFinite(value) ? value : 0;
}

function hourProfile(hourly: number[][], measured: number): DailySeries['hourProfile'] {
  if (measured < MIN_PROFILE_HANDOFFS) {
    const flat = Array.from({ length: HOURS }, (_, h) => (h >= OFFICE_OPEN && h < OFFICE_CLOSE ? 1 / (OFFICE_CLOSE - OFFICE_OPEN) : 0));
    return { source: 'office-hours', byWeekday: Array.from({ length: 7 }, () => flat) };
  }
  const pooled = new Array<number>(HOURS).fill(0);
  for (const day of hourly) day.forEach((v, h) => (pooled[h]! += v));
  const normalise = (v: readonly number[]) => {
    const sum = v.reduce((a, b) => a + b, 0);
    return v.map((x) => x / sum);
  };
  return {
    source: 'measured',
    byWeekday: hourly.map((day) => normalise(day.reduce((a, b) => a + b, 0) >= MIN_PROFILE_HANDOFFS ? day : pooled)),
  };
}
