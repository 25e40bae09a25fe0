/**
 * Prediction intervals for counts: a negative-binomial band whose variance is the mean times
 * the dispersion measured on the model's residuals (a Poisson band when the dispersion is 1).
 */

/** Above this mean the band uses the normal approximation (the exact sums would be long). */
const EXACT_BELOW = 60;

/**
 * The central interval of probability `coverage` for a count of mean `mean` and variance
 * `dispersion * mean`: the `(1 - coverage) / 2` and `(1 + coverage) / 2` quantiles. Never negative.
 *
 * @example
 * countInterval(75, 1, 0.8); // { lower: 64, upper: 86 } (Poisson)
 */
export function countInterval(mean: number, dispersion: number, coverage: number): { lower: number; upper: number } {
  if (!(mean > 0)) return { lower: 0, upper: 0 };
  const low = (1 - coverage) / 2;
  const high = (1 + coverage) / 2;
  const phi = Math.max(1, dispersion);
  if (mean >= EXACT_BELOW) {
    const sd = Math.sqrt(phi * mean);
    const z = normalQuantile(high);
    return { lower: Math.max(0, mean - z * sd), upper: mean + z * sd };
  }
  // Poisson when phi is 1; else negative binomial with size r = mean / (phi - 1), P(0) = (r / (r + mean))^r.
  const poisson = phi < 1.0001;
  const r = poisson ? 0 : mean / (phi - 1);
  let p = poisson ? Math.exp(-mean) : Math.exp(r * Math.log(r / (r + mean)));
  const q = poisson ? 0 : mean / (r + mean);
  let cumulative = p;
  let k = 0;
  let lower: number | undefined = cumulative >= low ? 0 : undefined;
  while (cumulative < high && k < 100_000) {
    p = poisson ? (p * mean) / (k + 1) : (p * (k + r) * q) / (k + 1);
    k += 1;
    cumulative += p;
    if (lower === undefined && cumulative >= low) lower = k;
  }
  return { lower: lower ?? 0, upper: k };
}

/** The standard normal quantile (Acklam's rational approximation, relative error under 1.2e-9). */
export function normalQuantile(p: number): number {
  if (!(p > 0 && p < 1)) throw new Error(`normalQuantile: p must be in (0, 1), got ${p}`);
  const a = [-39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716, 2.506628277459239];
  const b = [-54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572];
  const c = [-0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
  const d = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416];
  const tail = 0.02425;
  const poly = (coef: number[], x: number) => coef.reduce((s, v) => s * x + v, 0);
  if (p < tail) {
    const q = Math.sqrt(-2 * Math.log(p));
    return poly(c, q) / (poly(d, q) * q + 1);
  }
  if (p > 1 - tail) return -normalQuantile(1 - p);
  const q = p - 0.5;
  const r = q * q;
  return (poly(a, r) * q) / (poly(b, r) * r + 1);
}

/** Pearson dispersion of values around fitted means (at least 1), from index `from` on. */
export function pearsonDispersion(values: readonly number[], fitted: readonly number[], from = 0, parameters = 0): number {
  let sum = 0;
  let used = 0;
  for (let i = from; i < values.length; i += 1) {
    const mu = fitted[i] ?? 0;
    if (!(mu > 0)) continue;
    sum += ((values[i] ?? 0) - mu) ** 2 / mu;
    used += 1;
  }
  return used > parameters ? Math.max(1, sum / (used - parameters)) : 1;
}
