import type { Communication } from '../knowledge/communication-schema';
import type { AppliedCommunication, ForecastPoint, ForecastResult, HourlyPoint } from './forecast-types';
import { addDays, dayNumber, dayRange, weekday } from './calendar-days';
import { fitHoltWinters, seasonalNaive } from './baselines';
import { communicationsFor, EFFECT_WINDOWS, effectName, plannerFactor, windowsOn, windowSpan } from './communication-effects';
import { countInterval, pearsonDispersion } from './intervals';
import { DEFAULT_REGRESSION, fitRegression, type RegressionModel, type RegressionOptions } from './regression';
import { NO_TOPIC, type DailySeries } from './series';

export type ModelName = 'regression' | 'holt-winters' | 'seasonal-naive';

/** Shortest histories each model is used with; shorter ones fall back to the next. */
export const MIN_DAYS: Readonly<Record<ModelName, number>> = { regression: 56, 'holt-winters': 14, 'seasonal-naive': 7 };
/** Recent days the channels' shares of the total are measured on. */
const SHARE_DAYS = 56;

export interface EngineOptions {
  readonly horizon: number;
  /** Central coverage of the intervals. */
  readonly interval: number;
  /** Force one model for every series (the backtest compares them); by history length when absent. */
  readonly model?: ModelName;
  readonly regression?: RegressionOptions;
}

/** One series' forecast: means for the horizon and its dispersion (for the band). */
export interface SeriesForecast {
  readonly model: ModelName;
  readonly mean: number[];
  /** In-sample fitted means aligned with the history (0 before the series began, NaN where the model has none). */
  readonly fitted: number[];
  readonly dispersion: number;
  readonly regression?: RegressionModel;
}

/** Everything one forecast produces, before it is shaped as a {@link ForecastResult}. */
export interface EngineOutput {
  readonly days: string[];
  readonly byTopic: Map<string, SeriesForecast>;
  /** The sum of the topics' means and its dispersion measured on the sum of their fitted values. */
  readonly total: { readonly mean: number[]; readonly dispersion: number };
  readonly handoffs: SeriesForecast;
  readonly pooled: ReadonlyMap<string, number>;
  readonly models: ReadonlySet<ModelName>;
}

/**
 * Forecasts every topic of `series` for `options.horizon` days after its last day, sums them
 * into the total, and forecasts the daily handoffs. Communication effects a topic never saw
 * are borrowed from the topics that did (the median of their learned effects).
 *
 * @example
 * const out = runEngine(dailySeries(rows, from, to), calendar, { horizon: 42, interval: 0.8 });
 */
export function runEngine(series: DailySeries, calendar: readonly Communication[], options: EngineOptions): EngineOutput {
  const n = series.days.length;
  const last = series.days[n - 1];
  if (last === undefined) throw new Error('runEngine: no history');
  const days = dayRange(addDays(last, 1), addDays(last, options.horizon));
  const regressionOptions = options.regression ?? DEFAULT_REGRESSION;
  const modelFor = (length: number): ModelName => {
    const chosen = options.model ?? pickModel(length);
    return length >= MIN_DAYS[chosen] ? chosen : pickModel(length);
  };
  const models = new Set<ModelName>();

  // A topic added to the knowledge base lately has zeros before it existed: it is modelled from
  // its first contact (a regression over the zeros forecast a third of a new topic's level).
  const topics = [...series.byTopic.keys()].map((topic) => {
    const values = series.byTopic.get(topic)!;
    const firstSeen = values.findIndex((v) => v > 0);
    const start = firstSeen < 0 ? Math.max(0, n - 7) : Math.min(firstSeen, Math.max(0, n - 7));
    return { topic, start, values: values.slice(start), days: series.days.slice(start), model: modelFor(n - start) };
  });
  const regressions = new Map<string, RegressionModel>();
  for (const t of topics) {
    if (t.model === 'regression') regressions.set(t.topic, fitRegression({ days: t.days, values: t.values, topics: t.topic === NO_TOPIC ? [] : [t.topic] }, calendar, regressionOptions));
  }
  const pooled = poolEffects([...regressions.values()]);
  const byTopic = new Map<string, SeriesForecast>();
  for (const t of topics) {
    const forecast = forecastOne(t.model, t.values, days, calendar, pooled, regressions.get(t.topic), t.topic === NO_TOPIC ? [] : [t.topic]);
    models.add(forecast.model);
    // Before its first contact a topic had none, and none was expected: 0, so the total's fit stays whole.
    byTopic.set(t.topic, { ...forecast, fitted: [...new Array<number>(t.start).fill(0), ...forecast.fitted] });
  }
  const model = modelFor(n);
  const mean = days.map((_, h) => sum([...byTopic.values()].map((f) => f.mean[h] ?? 0)));
  const fittedTotal = series.days.map((_, t) => sum([...byTopic.values()].map((f) => f.fitted[t] ?? Number.NaN)));
  const totalDispersion = pearsonDispersion(series.total, fittedTotal.map((v) => (Number.isFinite(v) ? v : 0)));
  const handoffRegression = model === 'regression' ? fitRegression({ days: series.days, values: series.handoffs, topics: null }, calendar, regressionOptions) : undefined;
  const handoffs = forecastOne(model, series.handoffs, days, calendar, pooled, handoffRegression, null);
  return { days, byTopic, total: { mean, dispersion: totalDispersion }, handoffs, pooled, models };
}

function pickModel(n: number): ModelName {
  if (n >= MIN_DAYS.regression) return 'regression';
  if (n >= MIN_DAYS['holt-winters']) return 'holt-winters';
  return 'seasonal-naive';
}

/**
 * One series' forecast by `model`. The regression carries the calendar in its terms; Holt-Winters
 * and seasonal naive, used while a series is too short for it, get the calendar as factors on
 * their means ({@link calendarFactors}), so that a planner's uplift wins whatever the model.
 * `topics` are the series' topics (null: every communication applies, as for handoffs).
 */
function forecastOne(
  model: ModelName,
  values: readonly number[],
  days: readonly string[],
  calendar: readonly Communication[],
  pooled: ReadonlyMap<string, number>,
  regression: RegressionModel | undefined,
  topics: readonly string[] | null,
): SeriesForecast {
  const n = values.length;
  if (model === 'regression' && regression) {
    return { model, mean: regression.predict(days, calendar, pooled), fitted: [...regression.fitted], dispersion: regression.dispersion, regression };
  }
  const factors = calendarFactors(days, calendar, topics, pooled);
  const withCalendar = (mean: readonly number[]) => mean.map((m, h) => m * (factors[h] ?? 1));
  if (model === 'holt-winters' && n >= MIN_DAYS['holt-winters']) {
    const hw = fitHoltWinters(values);
    const fitted = [...hw.fitted];
    return { model, mean: withCalendar(hw.forecast(days.length)), fitted, dispersion: pearsonDispersion(values, fitted, 14, 3) };
  }
  if (n >= MIN_DAYS['seasonal-naive']) {
    const fitted = values.map((_, t) => (t >= 7 ? (values[t - 7] ?? 0) : Number.NaN));
    return { model: 'seasonal-naive', mean: withCalendar(seasonalNaive(values, days.length)), fitted, dispersion: pearsonDispersion(values, fitted, 7) };
  }
  const average = n > 0 ? sum(values) / n : 0;
  return { model: 'seasonal-naive', mean: withCalendar(days.map(() => average)), fitted: values.map(() => average), dispersion: 1 };
}

/**
 * The calendar's effect on each forecast day of a series whose model has no calendar terms: for
 * every window of its communications on that day, 1 + u x shape where the planner gave an uplift
 * u, else the effect the regressions of other series learned for that kind and window (their
 * median; nothing when none did). Those effects were learned on topics, so a series of all topics
 * (`topics` null: the handoffs) takes only the planner's, as the regression does. A window that
 * already held the history's last day is left out: the model's level has seen it (a communication
 * active at the origin is not added twice).
 */
export function calendarFactors(days: readonly string[], calendar: readonly Communication[], topics: readonly string[] | null, pooled: ReadonlyMap<string, number>): number[] {
  const first = days[0];
  if (first === undefined) return [];
  const origin = dayNumber(first) - 1;
  const mine = communicationsFor(calendar, topics);
  return days.map((day) => {
    const t = dayNumber(day);
    let factor = 1;
    for (const c of mine) {
      const seen = new Set(windowsOn(c, origin).map((w) => w.name));
      for (const w of windowsOn(c, t)) {
        if (seen.has(w.name)) continue;
        if (c.expectedUplift !== undefined) factor *= plannerFactor(c.expectedUplift, w);
        else if (topics !== null) factor *= Math.exp(pooled.get(effectName(c.kind, w)) ?? 0);
      }
    }
    return factor;
  });
}

/** The median, over the series that learned it, of each communication window's effect. */
function poolEffects(models: readonly RegressionModel[]): Map<string, number> {
  const all = new Map<string, number[]>();
  for (const m of models) for (const [name, value] of m.effects) all.set(name, [...(all.get(name) ?? []), value]);
  return new Map([...all].map(([name, values]) => [name, median(values)]));
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

function sum(values: readonly number[]): number {
  let s = 0;
  for (const v of values) s += v;
  return s;
}

function points(days: readonly string[], mean: readonly number[], dispersion: number, coverage: number): ForecastPoint[] {
  return days.map((day, h) => {
    const m = Math.max(0, mean[h] ?? 0);
    const band = countInterval(m, dispersion, coverage);
    return { day, mean: round(m), lower: round(band.lower), upper: round(band.upper) };
  });
}

function round(v: number): number {
  return Math.round(v * 100) / 100;
}

/**
 * Shapes an engine run as the shared {@link ForecastResult}: topics by expected volume, the
 * channels as their recent share of the total, handoffs per hour by the weekday's hour profile,
 * and the communications whose windows touch the forecast's days with the uplift applied.
 */
export function toForecastResult(series: DailySeries, out: EngineOutput, calendar: readonly Communication[], options: { interval: number; generatedAt: Date }): ForecastResult {
  const { days } = out;
  const coverage = options.interval;
  const byTopic = [...out.byTopic]
    .map(([topicId, f]) => ({ topicId, points: points(days, f.mean, f.dispersion, coverage), volume: sum(f.mean) }))
    .sort((a, b) => b.volume - a.volume || a.topicId.localeCompare(b.topicId))
    .map(({ topicId, points: p }) => ({ topicId, points: p }));
  const n = series.days.length;
  const recentTotal = sum(series.total.slice(Math.max(0, n - SHARE_DAYS)));
  const byChannel = [...series.byChannel]
    .map(([channel, values]) => {
      const share = recentTotal > 0 ? sum(values.slice(Math.max(0, n - SHARE_DAYS))) / recentTotal : 0;
      return { channel, share, points: points(days, out.total.mean.map((m) => m * share), out.total.dispersion, coverage) };
    })
    .filter((c) => c.share > 0)
    .sort((a, b) => b.share - a.share)
    .map(({ channel, points: p }) => ({ channel, points: p }));
  const handoffsByHour: HourlyPoint[] = [];
  days.forEach((day, h) => {
    const daily = Math.max(0, out.handoffs.mean[h] ?? 0);
    const profile = series.hourProfile.byWeekday[weekday(day)] ?? [];
    for (let hour = 0; hour < 24; hour += 1) {
      const m = daily * (profile[hour] ?? 0);
      const band = countInterval(m, out.handoffs.dispersion, coverage);
      handoffsByHour.push({ day, hour, mean: round(m), lower: round(band.lower), upper: round(band.upper) });
    }
  });
  const from = days[0]!;
  const to = days[days.length - 1]!;
  // No series with history (a fresh install): say so rather than an empty name.
  const models = out.models.size > 0 ? [...out.models].join('+') : 'none (no history yet)';
  const profileNote = series.hourProfile.source === 'office-hours' ? '; handoffs per hour: flat 08-18 office-hours profile (no queued_hNN history yet)' : '';
  return {
    generatedAt: options.generatedAt.toISOString(),
    historyTo: series.days[n - 1]!,
    from,
    to,
    interval: coverage,
    model: `${models}${profileNote}`,
    total: points(days, out.total.mean, out.total.dispersion, coverage),
    byTopic,
    byChannel,
    handoffsByHour,
    communications: appliedCommunications(calendar, out, from, to),
  };
}

function appliedCommunications(calendar: readonly Communication[], out: EngineOutput, from: string, to: string): AppliedCommunication[] {
  const first = dayNumber(from);
  const last = dayNumber(to);
  const peak = EFFECT_WINDOWS.find((w) => w.name === 'e0')!;
  return calendar
    .filter((c) => {
      const span = windowSpan(c);
      return span.last >= first && span.first <= last;
    })
    .map((c) => {
      const name = effectName(c.kind, peak);
      const learned = c.topics.map((t) => out.byTopic.get(t)?.regression?.effects.get(name) ?? out.pooled.get(name)).filter((v): v is number => v !== undefined);
      const base = { id: c.id, kind: c.kind, published: c.published, effective: c.effective, ...(c.until ? { until: c.until } : {}), topics: c.topics };
      if (c.expectedUplift !== undefined) return { ...base, uplift: c.expectedUplift, upliftSource: 'planner' as const };
      if (learned.length > 0) return { ...base, uplift: round(Math.exp(sum(learned) / learned.length) - 1), upliftSource: 'learned' as const };
      return { ...base, uplift: null, upliftSource: 'none' as const };
    })
    .sort((a, b) => a.effective.localeCompare(b.effective) || a.id.localeCompare(b.id));
}
