/**
 * Queueing formulas for the 020202 queue (docs/staffing.md): Erlang C (M/M/n, callers who never
 * give up) and Erlang A (Palm's M/M/n+M, callers whose patience is exponential), plus the wait of
 * one citizen at a known position. Times are in seconds; nothing here knows of hours or forecasts.
 *
 * Computed without factorials or powers that overflow: Erlang B by its recursion, Erlang A's
 * queue states by running products, both stable for thousands of servers.
 */

/** A queue in one interval: contacts offered, handling time, servers, and the answer-time target. */
export interface QueueInput {
  /** Contacts offered in the interval. */
  readonly arrivals: number;
  /** Length of the interval, seconds (1800 for a half hour). */
  readonly intervalSec: number;
  /** Mean handling time of one contact, seconds. */
  readonly handleSec: number;
  /** Servers (agents, or chat slots) working in the interval. */
  readonly servers: number;
  /** The service level counts contacts answered within this many seconds. */
  readonly targetSec: number;
  /** Mean patience of a waiting contact, seconds (Erlang A); unset or Infinity: nobody gives up (Erlang C). */
  readonly patienceSec?: number;
}

/** What a queue achieves with the given servers. */
export interface QueueResult {
  /** Offered load in Erlangs: arrivals × handling time ÷ interval. */
  readonly traffic: number;
  readonly servers: number;
  /** Share of contacts that wait at all. */
  readonly waitProbability: number;
  /** Share of offered contacts answered within the target (those who give up count as not answered). */
  readonly serviceLevel: number;
  /** Mean wait of all contacts, those answered at once included (ASA), seconds; Infinity when the queue grows without bound. */
  readonly averageWaitSec: number;
  /** Share of offered contacts who give up while waiting (0 under Erlang C). */
  readonly abandonShare: number;
  /** Share of the servers' time spent handling contacts. */
  readonly occupancy: number;
}

/**
 * Erlang B: the blocking probability of `servers` lines offered `traffic` Erlangs, by the
 * recursion B(0) = 1, B(k) = A·B(k−1) / (k + A·B(k−1)).
 *
 * @example
 * erlangB(2, 1); // 0.2
 */
export function erlangB(servers: number, traffic: number): number {
  if (traffic <= 0) return 0;
  let b = 1;
  for (let k = 1; k <= servers; k++) b = (traffic * b) / (k + traffic * b);
  return b;
}

/**
 * Erlang C: the probability that a contact waits, C = n·B / (n − A·(1 − B)); 1 when the servers
 * cannot keep up (n ≤ A).
 *
 * @example
 * erlangC(14, 10); // ≈ 0.1741 (pyworkforce's worked example)
 */
export function erlangC(servers: number, traffic: number): number {
  if (traffic <= 0) return 0;
  if (servers <= traffic) return 1;
  const b = erlangB(servers, traffic);
  return (servers * b) / (servers - traffic * (1 - b));
}

/**
 * Erlang C (patience unset) or Erlang A (patience set): service level, wait, abandonment and
 * occupancy of a queue with `servers` servers.
 *
 * @example
 * queueMetrics({ arrivals: 100, intervalSec: 1800, handleSec: 180, servers: 14, targetSec: 20 }).serviceLevel; // ≈ 0.8883
 */
export function queueMetrics(input: QueueInput): QueueResult {
  check(input);
  const servers = Math.floor(input.servers);
  const traffic = (input.arrivals * input.handleSec) / input.intervalSec;
  const patience = input.patienceSec ?? Infinity;
  if (traffic === 0) return { traffic, servers, waitProbability: 0, serviceLevel: 1, averageWaitSec: 0, abandonShare: 0, occupancy: 0 };
  if (servers === 0) return { traffic, servers, waitProbability: 1, serviceLevel: 0, averageWaitSec: Number.isFinite(patience) ? patience : Infinity, abandonShare: Number.isFinite(patience) ? 1 : 0, occupancy: 0 };
  if (!Number.isFinite(patience)) return erlangCMetrics(servers, traffic, input.handleSec, input.targetSec);
  return erlangAMetrics(servers, traffic, input.arrivals / input.intervalSec, input.handleSec, patience, input.targetSec);
}

/** A service-level target: `share` of contacts answered within `withinSec` seconds. */
export interface ServiceTarget {
  readonly share: number;
  readonly withinSec: number;
}

/**
 * The fewest servers whose service level reaches the target (and, under Erlang C, at least
 * one more than the load, so that the queue is stable). Returns 0 when nothing is offered.
 *
 * @example
 * serversForTarget({ arrivals: 100, intervalSec: 1800, handleSec: 180 }, { share: 0.8, withinSec: 20 }); // 14
 */
export function serversForTarget(load: Omit<QueueInput, 'servers' | 'targetSec'>, target: ServiceTarget, maxServers = 10_000): number {
  if (!(target.share > 0 && target.share < 1) || !(target.withinSec >= 0)) throw new RangeError('the target share must be between 0 and 1 (exclusive) and the time not negative');
  const traffic = (load.arrivals * load.handleSec) / load.intervalSec;
  if (!(traffic > 0)) return 0;
  const meets = (servers: number, patienceSec?: number): boolean => queueMetrics({ ...load, patienceSec, servers, targetSec: target.withinSec }).serviceLevel >= target.share;
  // Erlang C first: nothing at or below the load is stable, and the service level grows with
  // every server added, so climb from just above the load.
  let servers = Math.floor(traffic) + 1;
  while (!meets(servers)) {
    servers += 1;
    if (servers > maxServers) throw new RangeError(`more than ${maxServers} servers would be needed`);
  }
  if (!Number.isFinite(load.patienceSec ?? Infinity)) return servers;
  // Erlang A's answer is near Erlang C's: those who give up shorten the queue (fewer servers), but
  // count as not answered (more, when patience is short against the target). Its service level
  // grows with every server too, so walk from Erlang C's answer, a server or two either way.
  if (meets(servers, load.patienceSec)) {
    while (servers > 1 && meets(servers - 1, load.patienceSec)) servers -= 1;
    return servers;
  }
  while (!meets(servers, load.patienceSec)) {
    servers += 1;
    if (servers > maxServers) throw new RangeError(`more than ${maxServers} servers would be needed`);
  }
  return servers;
}

/**
 * Servers to schedule once shrinkage (breaks, training, absence: the share of paid time not spent
 * on contacts) is counted: ceil(servers ÷ (1 − shrinkage)).
 *
 * @example
 * withShrinkage(14, 0.3); // 20
 */
export function withShrinkage(servers: number, shrinkage: number): number {
  if (!(shrinkage >= 0 && shrinkage < 1)) throw new RangeError('shrinkage must be at least 0 and below 1');
  // The epsilon keeps 14 / 0.7 = 20.000000000000004 at 20.
  return Math.max(0, Math.ceil(servers / (1 - shrinkage) - 1e-9));
}

/**
 * How long the citizen with `ahead` conversations to end before theirs waits, when `servers` slots
 * are all busy and conversations last `handleSec` on average (exponentially): `ahead` endings at
 * rate servers ÷ handleSec, so the wait follows an Erlang distribution of `ahead` phases. Returns
 * its `quantile` (0.8: 4 citizens in 5 are served within it), the conservative figure to quote; the
 * mean is ahead × handleSec ÷ servers. Citizens ahead who give up would only shorten it, so they
 * are not counted.
 *
 * @example
 * positionWaitSec(1, 1, 240, 0.5); // ≈ 166 (the median of one exponential ending)
 */
export function positionWaitSec(ahead: number, servers: number, handleSec: number, quantile: number): number {
  if (!(quantile > 0 && quantile < 1)) throw new RangeError('the quantile must be between 0 and 1 (exclusive)');
  if (ahead <= 0 || handleSec <= 0) return 0;
  if (servers <= 0) return Infinity;
  // Erlang(k, rate) is Erlang(k, 1) ÷ rate: only the unit quantile needs the search.
  return (unitErlangQuantile(Math.ceil(ahead), quantile) * handleSec) / servers;
}

/**
 * Quantiles of Erlang(k, 1) already found, by quantile then k. Every queued citizen's estimate
 * asks for one each time the queue is read (a search of O(60·k) steps), and k only ranges over
 * queue positions: bounded, so they are kept.
 */
const unitQuantiles = new Map<number, Map<number, number>>();
const MAX_KEPT_QUANTILES = 10_000;
let quantileSearches = 0;

/** How many quantile searches ran since the process started: the cache's effect, observable without a clock. */
export function erlangQuantileSearches(): number {
  return quantileSearches;
}

function unitErlangQuantile(k: number, quantile: number): number {
  let byK = unitQuantiles.get(quantile);
  if (!byK) {
    byK = new Map();
    unitQuantiles.set(quantile, byK);
  }
  const kept = byK.get(k);
  if (kept !== undefined) return kept;
  // P(X ≤ x) = P(Poisson(x) ≥ k), increasing in x: bisection between bounds that hold.
  quantileSearches++;
  let low = 0;
  let high = k + 10 * Math.sqrt(k) + 10;
  while (erlangCdf(k, high) < quantile) high *= 2;
  for (let i = 0; i < 60; i++) {
    const mid = (low + high) / 2;
    if (erlangCdf(k, mid) < quantile) low = mid;
    else high = mid;
  }
  if (byK.size >= MAX_KEPT_QUANTILES) byK.clear();
  byK.set(k, high);
  return high;
}

/** P(Erlang(k, 1) ≤ x) = 1 − Σ_{i<k} e^−x xⁱ/i!, with the terms built in logs. */
function erlangCdf(k: number, x: number): number {
  if (x <= 0) return 0;
  let logTerm = -x;
  let below = 0;
  for (let i = 0; i < k; i++) {
    below += Math.exp(logTerm);
    logTerm += Math.log(x) - Math.log(i + 1);
  }
  return Math.max(0, 1 - below);
}

function erlangCMetrics(servers: number, traffic: number, handleSec: number, targetSec: number): QueueResult {
  const occupancy = Math.min(1, traffic / servers);
  if (servers <= traffic) return { traffic, servers, waitProbability: 1, serviceLevel: 0, averageWaitSec: Infinity, abandonShare: 0, occupancy };
  const waitProbability = erlangC(servers, traffic);
  const serviceLevel = 1 - waitProbability * Math.exp((-(servers - traffic) * targetSec) / handleSec);
  const averageWaitSec = (waitProbability * handleSec) / (servers - traffic);
  return { traffic, servers, waitProbability, serviceLevel, averageWaitSec, abandonShare: 0, occupancy };
}

/**
 * Erlang A from its birth-death chain: below n servers busy the chain is Erlang B's; with j
 * waiting, departures run at nμ + jθ. The queue states are summed until their terms vanish.
 * The offered wait V (the wait of a contact who would never give up) has, after Mandelbaum and
 * Zeltyn (2005), P(V > t) = P(V > 0) · γ(x, y·e^(−θt)) / γ(x, y) with x = nμ/θ, y = λ/θ and γ the
 * lower incomplete gamma function; the answered-within-target share integrates the patience
 * against it: SL = 1 − e^(−θt)·P(V>t) − θ∫₀ᵗ e^(−θs)·P(V>s) ds.
 */
function erlangAMetrics(servers: number, traffic: number, lambda: number, handleSec: number, patienceSec: number, targetSec: number): QueueResult {
  const mu = 1 / handleSec;
  const theta = 1 / patienceSec;
  const b = erlangB(servers, traffic);
  // Relative to the state "n busy, nobody waiting" (weight 1): states below weigh (1 − B)/B in all.
  const below = b > 0 ? (1 - b) / b : Infinity;
  let queueWeight = 0;
  let queueLength = 0;
  let term = 1;
  for (let j = 1; j < 10_000_000; j++) {
    term *= lambda / (servers * mu + j * theta);
    queueWeight += term;
    queueLength += j * term;
    if (term < 1e-16 * (1 + queueWeight) && servers * mu + j * theta > lambda) break;
  }
  const total = below + 1 + queueWeight;
  const waitProbability = (1 + queueWeight) / total;
  const meanQueue = queueLength / total;
  const abandonShare = (theta * meanQueue) / lambda;
  const averageWaitSec = meanQueue / lambda;
  const x = (servers * mu) / theta;
  const y = lambda / theta;
  const logGammaY = logLowerGammaScaled(x, y);
  const tail = (t: number): number => {
    if (t <= 0) return waitProbability;
    const yt = y * Math.exp(-theta * t);
    // γ(x, y') / γ(x, y) with γ(x, z) = z^x e^−z S(x, z): the powers give e^(−nμt).
    return waitProbability * Math.exp(-servers * mu * t + (y - yt) + logLowerGammaScaled(x, yt) - logGammaY);
  };
  // The integrand is smooth and monotone over the target's few seconds: 16 Simpson steps agree with
  // 256 to better than 1e-6 on the tests' cases.
  const steps = 16;
  const h = targetSec / steps;
  let integral = 0;
  for (let i = 0; i <= steps; i++) {
    const weight = i === 0 || i === steps ? 1 : i % 2 === 1 ? 4 : 2;
    integral += weight * Math.exp(-theta * i * h) * tail(i * h);
  }
  integral *= h / 3;
  const serviceLevel = Math.min(1, Math.max(0, 1 - Math.exp(-theta * targetSec) * tail(targetSec) - theta * integral));
  const occupancy = Math.min(1, (traffic * (1 - abandonShare)) / servers);
  return { traffic, servers, waitProbability, serviceLevel, averageWaitSec, abandonShare, occupancy };
}

/** log S(x, z) where S = Σ_{k≥0} z^k / (x(x+1)…(x+k)), so that γ(x, z) = z^x e^−z S(x, z). */
function logLowerGammaScaled(x: number, z: number): number {
  // Terms grow while z > x + k, then fall geometrically: sum them relative to the largest so far.
  let logTerm = -Math.log(x);
  let max = logTerm;
  let sum = 0;
  const logZ = Math.log(z);
  for (let k = 0; k < 10_000_000; k++) {
    if (logTerm > max) {
      sum = sum * Math.exp(max - logTerm) + 1;
      max = logTerm;
    } else {
      sum += Math.exp(logTerm - max);
    }
    if (x + k + 1 > z && logTerm < max - 40) break;
    logTerm += logZ - Math.log(x + k + 1);
  }
  return max + Math.log(sum);
}

function check(input: QueueInput): void {
  const { arrivals, intervalSec, handleSec, servers, targetSec, patienceSec } = input;
  if (!(arrivals >= 0 && Number.isFinite(arrivals))) throw new RangeError('arrivals must be a finite number, not negative');
  if (!(intervalSec > 0 && Number.isFinite(intervalSec))) throw new RangeError('the interval must be positive');
  if (!(handleSec > 0 && Number.isFinite(handleSec))) throw new RangeError('the handling time must be positive');
  if (!(servers >= 0 && Number.isFinite(servers))) throw new RangeError('servers must be a finite number, not negative');
  if (!(targetSec >= 0 && Number.isFinite(targetSec))) throw new RangeError('the target time must be finite, not negative');
  if (patienceSec !== undefined && !(patienceSec > 0)) throw new RangeError('patience must be positive (Infinity: nobody gives up)');
}
