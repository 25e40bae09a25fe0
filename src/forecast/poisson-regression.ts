/**
 * Poisson regression with a log link, fitted by iteratively reweighted least squares with a
 * ridge penalty: counts are never negative, day-of-week and event effects multiply demand
 * rather than add to it, and a coefficient reads as a relative change (exp(b) - 1).
 */

export interface PoissonFitOptions {
  /** Ridge penalty per coefficient (0 leaves it free; the intercept should get 0). */
  readonly penalty: readonly number[];
  /** Weight of each observation (recent days count more); 1 when absent. */
  readonly weights?: readonly number[];
  readonly maxIterations?: number;
}

export interface PoissonFit {
  readonly coefficients: number[];
  /** Pearson dispersion: 1 for Poisson noise, above it for extra variation. */
  readonly dispersion: number;
  /** The fitted means of the observations. */
  readonly fitted: number[];
  readonly iterations: number;
}

/** Largest linear predictor allowed while iterating, so that a bad step cannot overflow exp. */
const MAX_ETA = 30;

/**
 * Fits log E[y] = X b. Rows of `x` are observations; every row has the same length.
 *
 * @example
 * const fit = fitPoisson([[1, 0], [1, 1]], [10, 20], { penalty: [0, 0] });
 * Math.exp(fit.coefficients[1]!); // about 2
 */
export function fitPoisson(x: readonly (readonly number[])[], y: readonly number[], options: PoissonFitOptions): PoissonFit {
  const n = x.length;
  const p = options.penalty.length;
  if (n !== y.length) throw new Error(`fitPoisson: ${n} rows but ${y.length} observations`);
  const weights = options.weights ?? new Array<number>(n).fill(1);
  const mean = y.reduce((a, b) => a + b, 0) / Math.max(1, n);
  const beta = new Array<number>(p).fill(0);
  beta[0] = Math.log(Math.max(mean, 0.1));
  const maxIterations = options.maxIterations ?? 25;
  let iterations = 0;
  let eta = x.map((row) => dot(row, beta));
  for (; iterations < maxIterations; iterations += 1) {
    // Normal equations of the weighted least-squares step: (X'WX + P) b = X'Wz.
    const a = Array.from({ length: p }, () => new Array<number>(p).fill(0));
    const rhs = new Array<number>(p).fill(0);
    for (let i = 0; i < n; i += 1) {
      const row = x[i]!;
      const mu = Math.exp(eta[i]!);
      const w = (weights[i] ?? 1) * mu;
      const z = eta[i]! + ((y[i] ?? 0) - mu) / mu;
      for (let j = 0; j < p; j += 1) {
        const xj = row[j] ?? 0;
        if (xj === 0) continue;
        const wx = w * xj;
        rhs[j] = (rhs[j] ?? 0) + wx * z;
        const aj = a[j]!;
        for (let k = 0; k <= j; k += 1) aj[k] = (aj[k] ?? 0) + wx * (row[k] ?? 0);
      }
    }
    for (let j = 0; j < p; j += 1) {
      const aj = a[j]!;
      aj[j] = (aj[j] ?? 0) + (options.penalty[j] ?? 0);
      for (let k = 0; k < j; k += 1) a[k]![j] = aj[k]!;
    }
    const next = solveSymmetric(a, rhs);
    let change = 0;
    for (let j = 0; j < p; j += 1) change = Math.max(change, Math.abs((next[j] ?? 0) - (beta[j] ?? 0)));
    for (let j = 0; j < p; j += 1) beta[j] = next[j] ?? 0;
    eta = x.map((row) => Math.min(MAX_ETA, Math.max(-MAX_ETA, dot(row, beta))));
    if (change < 1e-6) {
      iterations += 1;
      break;
    }
  }
  const fitted = eta.map((e) => Math.exp(e));
  let pearson = 0;
  let used = 0;
  for (let i = 0; i < n; i += 1) {
    const mu = fitted[i]!;
    if (mu <= 0) continue;
    pearson += ((y[i] ?? 0) - mu) ** 2 / mu;
    used += 1;
  }
  const dispersion = used > p ? Math.max(1, pearson / (used - p)) : 1;
  return { coefficients: beta, dispersion, fitted, iterations };
}

export function dot(a: readonly number[], b: readonly number[]): number {
  let s = 0;
  for (let i = 0; i < a.length; i += 1) s += (a[i] ?? 0) * (b[i] ?? 0);
  return s;
}

/**
 * Solves A x = b for a symmetric positive semi-definite A by Cholesky, adding a little to the
 * diagonal when A is singular (a feature that never occurs in the data): that feature's
 * coefficient then stays at 0 instead of the solve failing.
 */
export function solveSymmetric(a: readonly (readonly number[])[], b: readonly number[]): number[] {
  const n = b.length;
  let jitter = 0;
  for (let attempt = 0; attempt < 8; attempt += 1) {
    const l = cholesky(a, jitter);
    if (l) {
      const y = new Array<number>(n).fill(0);
      for (let i = 0; i < n; i += 1) {
        let s = b[i] ?? 0;
        for (let k = 0; k < i; k += 1) s -= l[i]![k]! * y[k]!;
        y[i] = s / l[i]![i]!;
      }
      const x = new Array<number>(n).fill(0);
      for (let i = n - 1; i >= 0; i -= 1) {
        let s = y[i]!;
        for (let k = i + 1; k < n; k += 1) s -= l[k]![i]! * x[k]!;
        x[i] = s / l[i]![i]!;
      }
      return x;
    }
    jitter = jitter === 0 ? 1e-8 * Math.max(1, ...a.map((row, i) => Math.abs(row[i] ?? 0))) : jitter * 100;
  }
  throw new Error('solveSymmetric: the matrix is not positive definite');
}

function cholesky(a: readonly (readonly number[])[], jitter: number): number[][] | undefined {
  const n = a.length;
  const l = Array.from({ length: n }, () => new Array<number>(n).fill(0));
  for (let i = 0; i < n; i += 1) {
    for (let j = 0; j <= i; j += 1) {
      let s = (a[i]![j] ?? 0) + (i === j ? jitter : 0);
      for (let k = 0; k < j; k += 1) s -= l[i]![k]! * l[j]![k]!;
      if (i === j) {
        if (!(s > 1e-12)) return undefined;
        l[i]![i] = Math.sqrt(s);
      } else l[i]![j] = s / l[j]![j]!;
    }
  }
  return l;
}
