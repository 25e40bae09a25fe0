/**
 * The two reference models: seasonal naive (each weekday as it was last week) and Holt-Winters
 * with a weekly season. Both work on the values alone; the calendar is the regression's.
 */

const WEEK = 7;

/**
 * Seasonal naive: day h after the history's end repeats the same weekday of the last week.
 *
 * @example
 * seasonalNaive([1, 2, 3, 4, 5, 6, 7], 8); // [1, 2, 3, 4, 5, 6, 7, 1]
 */
export function seasonalNaive(history: readonly number[], horizon: number): number[] {
  const n = history.length;
  if (n < WEEK) throw new Error(`seasonalNaive needs a week of history, got ${n} days`);
  return Array.from({ length: horizon }, (_, h) => history[n - WEEK + (h % WEEK)] ?? 0);
}

/**
 * Mean absolute error of the in-sample seasonal naive (y[t] against y[t-7]): MASE's scale.
 * Null when the history is shorter than eight days or constant week on week.
 */
export function seasonalNaiveScale(history: readonly number[]): number | null {
  let sum = 0;
  let count = 0;
  for (let t = WEEK; t < history.length; t += 1) {
    sum += Math.abs((history[t] ?? 0) - (history[t - WEEK] ?? 0));
    count += 1;
  }
  return count > 0 && sum > 0 ? sum / count : null;
}

export interface HoltWintersParameters {
  readonly alpha: number;
  readonly beta: number;
  readonly gamma: number;
}

export interface HoltWintersModel {
  readonly parameters: HoltWintersParameters;
  /** Mean squared one-step error on the square-root scale, after the first two weeks. */
  readonly mse: number;
  /** In-sample one-step forecasts (back on the count scale), one per history day (the first two weeks: the values). */
  readonly fitted: readonly number[];
  forecast(horizon: number): number[];
}

const ALPHAS = [0.05, 0.1, 0.2, 0.35, 0.5];
const BETAS = [0, 0.02, 0.1];
const GAMMAS = [0.05, 0.15, 0.3];
/** The trend fades: 42 days ahead a slope learned in a few weeks would run away. */
const DAMPING = 0.95;

/**
 * Additive Holt-Winters with a damped trend and a weekly season, on the square root of the
 * counts (which steadies Poisson-like variance and makes the season roughly multiplicative).
 * The smoothing parameters are those of a small grid with the least in-sample one-step error.
 *
 * @example
 * const model = fitHoltWinters(values);
 * model.forecast(42);
 */
export function fitHoltWinters(history: readonly number[]): HoltWintersModel {
  if (history.length < 2 * WEEK) throw new Error(`Holt-Winters needs two weeks of history, got ${history.length} days`);
  const y = history.map((v) => Math.sqrt(Math.max(0, v)));
  let best: { parameters: HoltWintersParameters; run: Run } | undefined;
  for (const alpha of ALPHAS) {
    for (const beta of BETAS) {
      for (const gamma of GAMMAS) {
        const run = smooth(y, { alpha, beta, gamma });
        if (!best || run.mse < best.run.mse) best = { parameters: { alpha, beta, gamma }, run };
      }
    }
  }
  const { parameters, run } = best!;
  const variance = run.mse;
  return {
    parameters,
    mse: run.mse,
    fitted: run.oneStep.map((f, t) => (t < 2 * WEEK ? (history[t] ?? 0) : Math.max(0, f) ** 2 + variance)),
    forecast(horizon) {
      const out: number[] = [];
      let damp = 0;
      for (let h = 1; h <= horizon; h += 1) {
        damp += DAMPING ** h;
        const season = run.season[(y.length + h - 1) % WEEK] ?? 0;
        const root = Math.max(0, run.level + damp * run.trend + season);
        // Back from the square root: E[X^2] = E[X]^2 + Var X.
        out.push(root ** 2 + variance);
      }
      return out;
    },
  };
}

interface Run {
  readonly mse: number;
  readonly level: number;
  readonly trend: number;
  /** Season by position in the history modulo 7. */
  readonly season: number[];
  readonly oneStep: number[];
}

function smooth(y: readonly number[], { alpha, beta, gamma }: HoltWintersParameters): Run {
  const first = y.slice(0, WEEK);
  const second = y.slice(WEEK, 2 * WEEK);
  const mean = (a: readonly number[]) => a.reduce((s, v) => s + v, 0) / a.length;
  let level = mean([...first, ...second]);
  let trend = 0;
  const season = Array.from({ length: WEEK }, (_, i) => ((first[i] ?? 0) + (second[i] ?? 0)) / 2 - level);
  const oneStep: number[] = [];
  let sse = 0;
  let count = 0;
  for (let t = 0; t < y.length; t += 1) {
    const s = season[t % WEEK] ?? 0;
    const forecast = level + DAMPING * trend + s;
    oneStep.push(forecast);
    const value = y[t] ?? 0;
    if (t >= 2 * WEEK) {
      sse += (value - forecast) ** 2;
      count += 1;
    }
    const previous = level;
    level = alpha * (value - s) + (1 - alpha) * (previous + DAMPING * trend);
    trend = beta * (level - previous) + (1 - beta) * DAMPING * trend;
    season[t % WEEK] = gamma * (value - level) + (1 - gamma) * s;
  }
  return { mse: count > 0 ? sse / count : 0, level, trend, season, oneStep };
}
