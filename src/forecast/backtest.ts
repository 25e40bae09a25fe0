import type { Communication } from '../knowledge/communication-schema';
import { seasonalNaive, seasonalNaiveScale } from './baselines';
import { countInterval } from './intervals';
import { runEngine, type ModelName } from './forecast-engine';
import type { RegressionOptions } from './regression';
import type { DailySeries } from './series';

export interface BacktestOptions {
  /** Most forecast origins; fewer when the history is short. */
  readonly origins: number;
  /** Days forecast from each origin. */
  readonly horizon: number;
  /** Days between consecutive origins. */
  readonly step: number;
  /** Least history before the first origin. */
  readonly minHistory: number;
  /** The model under test; by history length (the service's choice) when absent. */
  readonly model?: ModelName;
  readonly interval: number;
  readonly regression?: RegressionOptions;
}

export const DEFAULT_BACKTEST: BacktestOptions = { origins: 6, horizon: 42, step: 28, minHistory: 56, interval: 0.8 };

export interface TopicScore {
  readonly topicId: string;
  /** Actual contacts over all the origins' horizons. */
  readonly volume: number;
  readonly wape: number | null;
  /** Mean over origins of the horizon's MAE over the in-sample seasonal-naive MAE; null without a scale. */
  readonly mase: number | null;
  readonly seasonalNaiveWape: number | null;
  /** Seasonal naive's own MASE over the same horizons: the figure `mase` has to beat. */
  readonly seasonalNaiveMase: number | null;
}

/** The total's scores from one origin: which origins a figure over all of them hides. */
export interface OriginScore {
  /** The last day of history. */
  readonly origin: string;
  /** Days of history the model saw. */
  readonly historyDays: number;
  readonly wape: number | null;
  readonly seasonalNaiveWape: number | null;
}

export interface BacktestReport {
  /** Days of history in the store. */
  readonly days: number;
  /** The forecast origins (the last day of history of each run) and the horizon. */
  readonly origins: readonly string[];
  /** The total's WAPE from each origin, in the order of `origins`. */
  readonly byOrigin: readonly OriginScore[];
  readonly horizon: number;
  readonly totalWape: number | null;
  readonly totalMase: number | null;
  readonly seasonalNaiveWape: number | null;
  readonly seasonalNaiveMase: number | null;
  /** Share of actual daily topic counts inside their interval (nominal `interval`). */
  readonly coverage: number | null;
  readonly interval: number;
  readonly topics: readonly TopicScore[];
}

/** Weighted absolute percentage error: sum |actual - forecast| / sum actual; null when nothing happened. */
export function wape(actual: readonly number[], forecast: readonly number[]): number | null {
  let error = 0;
  let volume = 0;
  actual.forEach((a, i) => {
    error += Math.abs(a - (forecast[i] ?? 0));
    volume += Math.abs(a);
  });
  return volume > 0 ? error / volume : null;
}

/** Mean absolute scaled error of one horizon: its MAE over the history's seasonal-naive MAE. */
export function mase(history: readonly number[], actual: readonly number[], forecast: readonly number[]): number | null {
  const scale = seasonalNaiveScale(history);
  if (scale === null || actual.length === 0) return null;
  const mae = actual.reduce((s, a, i) => s + Math.abs(a - (forecast[i] ?? 0)), 0) / actual.length;
  return mae / scale;
}

interface Accumulator {
  actual: number[];
  forecast: number[];
  naive: number[];
  mase: number[];
  naiveMase: number[];
}

/**
 * Rolling-origin evaluation: from each origin (the last `origins` ones, `step` days apart, the
 * last leaving a full horizon) the history up to it is forecast `horizon` days ahead and
 * compared with what happened; seasonal naive is scored the same way.
 *
 * @example
 * const report = backtest(dailySeries(rows, from, to), calendar);
 * report.totalWape; // 0.07
 */
export function backtest(series: DailySeries, calendar: readonly Communication[], options: BacktestOptions = DEFAULT_BACKTEST): BacktestReport {
  const n = series.days.length;
  const ends: number[] = [];
  for (let end = n - options.horizon; end >= options.minHistory && ends.length < options.origins; end -= options.step) ends.unshift(end);
  const total = accumulator();
  const topics = new Map<string, Accumulator>();
  const byOrigin: OriginScore[] = [];
  let inside = 0;
  let counted = 0;
  for (const end of ends) {
    const history = slice(series, end);
    const out = runEngine(history, calendar, { horizon: options.horizon, interval: options.interval, ...(options.model ? { model: options.model } : {}), ...(options.regression ? { regression: options.regression } : {}) });
    const actualTotal = series.total.slice(end, end + options.horizon);
    score(total, history.total, actualTotal, out.total.mean);
    byOrigin.push({
      origin: series.days[end - 1]!,
      historyDays: end,
      wape: round(wape(actualTotal, out.total.mean)),
      seasonalNaiveWape: round(wape(actualTotal, seasonalNaive(history.total, actualTotal.length))),
    });
    for (const [topicId, f] of out.byTopic) {
      const actual = series.byTopic.get(topicId)!.slice(end, end + options.horizon);
      const acc = topics.get(topicId) ?? accumulator();
      score(acc, history.byTopic.get(topicId)!, actual, f.mean);
      topics.set(topicId, acc);
      actual.forEach((a, h) => {
        const band = countInterval(f.mean[h] ?? 0, f.dispersion, options.interval);
        counted += 1;
        if (a >= band.lower && a <= band.upper) inside += 1;
      });
    }
  }
  return {
    days: n,
    origins: ends.map((end) => series.days[end - 1]!),
    byOrigin,
    horizon: options.horizon,
    totalWape: round(wape(total.actual, total.forecast)),
    totalMase: round(average(total.mase)),
    seasonalNaiveWape: round(wape(total.actual, total.naive)),
    seasonalNaiveMase: round(average(total.naiveMase)),
    coverage: counted > 0 ? round(inside / counted) : null,
    interval: options.interval,
    topics: [...topics]
      .map(([topicId, acc]) => ({
        topicId,
        volume: acc.actual.reduce((a, b) => a + b, 0),
        wape: round(wape(acc.actual, acc.forecast)),
        mase: round(average(acc.mase)),
        seasonalNaiveWape: round(wape(acc.actual, acc.naive)),
        seasonalNaiveMase: round(average(acc.naiveMase)),
      }))
      .sort((a, b) => b.volume - a.volume || a.topicId.localeCompare(b.topicId)),
  };
}

function accumulator(): Accumulator {
  return { actual: [], forecast: [], naive: [], mase: [], naiveMase: [] };
}

function score(acc: Accumulator, history: readonly number[], actual: readonly number[], forecast: readonly number[]): void {
  const naive = seasonalNaive(history, actual.length);
  acc.actual.push(...actual);
  acc.forecast.push(...forecast.slice(0, actual.length));
  acc.naive.push(...naive);
  const m = mase(history, actual, forecast);
  if (m !== null) acc.mase.push(m);
  const nm = mase(history, actual, naive);
  if (nm !== null) acc.naiveMase.push(nm);
}

/** The series' first `end` days. */
export function slice(series: DailySeries, end: number): DailySeries {
  const cut = (values: readonly number[]) => values.slice(0, end);
  return {
    days: series.days.slice(0, end),
    total: cut(series.total),
    byTopic: new Map([...series.byTopic].map(([k, v]) => [k, cut(v)])),
    byChannel: new Map([...series.byChannel].map(([k, v]) => [k, cut(v)])),
    handoffs: cut(series.handoffs),
    hourProfile: series.hourProfile,
  };
}

function average(values: readonly number[]): number | null {
  return values.length > 0 ? values.reduce((a, b) => a + b, 0) / values.length : null;
}

function round(v: number | null): number | null {
  return v === null ? null : Math.round(v * 10_000) / 10_000;
}
