import type { Communication } from '../knowledge/communication-schema';
import { dayNumber, isCityHoliday, weekday } from './calendar-days';
import { communicationsFor, effectName, plannerFactor, windowsOn, windowSpan } from './communication-effects';
import { dot, fitPoisson } from './poisson-regression';

/** A daily series to model: its days (consecutive), values, and the topics it counts. */
export interface SeriesInput {
  readonly days: readonly string[];
  readonly values: readonly number[];
  /** The topics whose communications move it; null: every communication (a total); [] none. */
  readonly topics: readonly string[] | null;
}

export interface RegressionOptions {
  /** Recent days weigh more: an observation `halfLife` days old counts half (the level drifts). */
  readonly halfLifeDays: number;
  /** Yearly Fourier harmonics, used once the history spans `yearlyFromDays`. */
  readonly harmonics: number;
  readonly yearlyFromDays: number;
  /** Ridge penalties: on the trend, the calendar terms and the communication windows. */
  readonly trendPenalty: number;
  readonly penalty: number;
  readonly effectPenalty: number;
  /**
   * Level correction: forecasts are scaled by (actual + prior) / (fitted + prior) over the last
   * `levelDays` days, so that a level shift the calendar terms cannot explain (a quiet August
   * before a year of history shows it) is followed within weeks; `levelPrior` contacts keep a
   * small series' correction near 1. 0 days: none.
   */
  readonly levelDays: number;
  readonly levelPrior: number;
}

export const DEFAULT_REGRESSION: RegressionOptions = {
  halfLifeDays: 120,
  harmonics: 10,
  yearlyFromDays: 365,
  trendPenalty: 50,
  penalty: 1,
  effectPenalty: 2,
  levelDays: 28,
  levelPrior: 100,
};

/** A fitted regression: predicts any day, with the communication effects it learned. */
export interface RegressionModel {
  readonly dispersion: number;
  /** In-sample fitted means, one per history day. */
  readonly fitted: readonly number[];
  /** Learned log-effect of each communication window seen in the history (`kind:window`). */
  readonly effects: ReadonlyMap<string, number>;
  /**
   * Expected values of `days`. A communication with a planner's `expectedUplift` gets that
   * uplift times its windows' shape; otherwise its kind's learned effect on this series, else
   * `pooled` (the kind's effect learned on other series), else none.
   */
  predict(days: readonly string[], calendar: readonly Communication[], pooled?: ReadonlyMap<string, number>): number[];
}

const YEAR_DAYS = 365.25;

/**
 * Fits log E[y] = intercept + trend + day of week + holiday + yearly Fourier terms + the
 * communication windows of the series' topics (counts of communications of a kind in a window).
 *
 * @example
 * const model = fitRegression({ days, values, topics: ['tari-pagamento'] }, calendar);
 * model.predict(nextDays, calendar);
 */
export function fitRegression(series: SeriesInput, calendar: readonly Communication[], options: RegressionOptions = DEFAULT_REGRESSION): RegressionModel {
  const n = series.days.length;
  if (n === 0) throw new Error('fitRegression: empty history');
  const origin = dayNumber(series.days[0]!);
  const last = dayNumber(series.days[n - 1]!);
  const harmonics = n >= options.yearlyFromDays ? options.harmonics : 0;
  const relevant = communicationsFor(calendar, series.topics).filter((c) => {
    const span = windowSpan(c);
    return span.last >= origin && span.first <= last;
  });
  const effectNames: string[] = [];
  const effectIndex = new Map<string, number>();
  const effectRows = series.days.map((day) => effectCounts(relevant, dayNumber(day)));
  for (const counts of effectRows) {
    for (const name of counts.keys()) {
      if (!effectIndex.has(name)) {
        effectIndex.set(name, effectNames.length);
        effectNames.push(name);
      }
    }
  }
  const baseWidth = 1 + 1 + 6 + 1 + 2 * harmonics;
  const base = (day: string): number[] => baseFeatures(day, origin, harmonics);
  const x = series.days.map((day, i) => {
    const row = base(day);
    const effects = new Array<number>(effectNames.length).fill(0);
    for (const [name, count] of effectRows[i]!) effects[effectIndex.get(name)!] = count;
    return [...row, ...effects];
  });
  const penalty = [0, options.trendPenalty, ...new Array<number>(baseWidth - 2).fill(options.penalty), ...new Array<number>(effectNames.length).fill(options.effectPenalty)];
  const weights = series.days.map((_, i) => 0.5 ** ((n - 1 - i) / options.halfLifeDays));
  const fit = fitPoisson(x, series.values, { penalty, weights });
  const beta = fit.coefficients;
  const baseBeta = beta.slice(0, baseWidth);
  const effects = new Map<string, number>(effectNames.map((name, j) => [name, beta[baseWidth + j] ?? 0]));
  let recentActual = options.levelPrior;
  let recentFitted = options.levelPrior;
  for (let i = Math.max(0, n - options.levelDays); i < n; i += 1) {
    recentActual += series.values[i] ?? 0;
    recentFitted += fit.fitted[i] ?? 0;
  }
  const level = options.levelDays > 0 && recentFitted > 0 ? recentActual / recentFitted : 1;
  return {
    dispersion: fit.dispersion,
    fitted: fit.fitted,
    effects,
    predict(days, future, pooled) {
      const mine = communicationsFor(future, series.topics);
      return days.map((day) => {
        const t = dayNumber(day);
        let logMean = dot(base(day), baseBeta);
        let factor = 1;
        for (const c of mine) {
          for (const w of windowsOn(c, t)) {
            if (c.expectedUplift !== undefined) factor *= plannerFactor(c.expectedUplift, w);
            else logMean += effects.get(effectName(c.kind, w)) ?? pooled?.get(effectName(c.kind, w)) ?? 0;
          }
        }
        return Math.exp(Math.min(30, logMean)) * factor * level;
      });
    },
  };
}

/**
 * Intercept, trend (years), day of week (Monday is the base), holiday, yearly harmonics. A
 * holiday counts as a Sunday, whatever its weekday (offices are closed as on Sundays), and
 * the holiday term learns only how it differs from one.
 */
function baseFeatures(day: string, origin: number, harmonics: number): number[] {
  const t = dayNumber(day);
  const holiday = isCityHoliday(day);
  const dow = holiday ? 6 : weekday(day);
  const row = [1, (t - origin) / YEAR_DAYS];
  for (let d = 1; d < 7; d += 1) row.push(dow === d ? 1 : 0);
  row.push(holiday ? 1 : 0);
  for (let k = 1; k <= harmonics; k += 1) {
    const angle = (2 * Math.PI * k * t) / YEAR_DAYS;
    row.push(Math.sin(angle), Math.cos(angle));
  }
  return row;
}

function effectCounts(calendar: readonly Communication[], day: number): Map<string, number> {
  const counts = new Map<string, number>();
  for (const c of calendar) {
    for (const w of windowsOn(c, day)) {
      const name = effectName(c.kind, w);
      counts.set(name, (counts.get(name) ?? 0) + 1);
    }
  }
  return counts;
}
