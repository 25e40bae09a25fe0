import { erlangB, erlangC, positionWaitSec, queueMetrics, serversForTarget, withShrinkage } from '../../src/staffing/erlang';
import { seededRandom } from '../../src/seeded-random';

// pyworkforce's README (and Call Centre Helper's "Erlang C Formula – Made Simple"): 100 contacts
// per 30 minutes, 180 s handling, 80 % within 20 s, 30 % shrinkage. The CRAN package ErlangC 0.1.0
// documents the same case with its ASA, 7.83593701177724 s.
const PYWORKFORCE = { arrivals: 100, intervalSec: 1800, handleSec: 180 } as const;

describe('Erlang C against published worked examples', () => {
  test('pyworkforce: 14 positions, 20 after 30 % shrinkage, service level 0.888, waiting 0.1741, occupancy 0.714, ASA 7.836 s', () => {
    const servers = serversForTarget(PYWORKFORCE, { share: 0.8, withinSec: 20 });
    expect(servers).toBe(14);
    expect(withShrinkage(servers, 0.3)).toBe(20);
    const result = queueMetrics({ ...PYWORKFORCE, servers, targetSec: 20 });
    expect(result.traffic).toBe(10);
    expect(result.serviceLevel).toBeCloseTo(0.88835, 4);
    expect(result.waitProbability).toBeCloseTo(0.1741, 4);
    expect(result.occupancy).toBeCloseTo(0.7143, 4);
    expect(result.averageWaitSec).toBeCloseTo(7.8359, 3);
    // 13 positions miss the target: 14 is the fewest.
    expect(queueMetrics({ ...PYWORKFORCE, servers: 13, targetSec: 20 }).serviceLevel).toBeLessThan(0.8);
  });

  test('the Erlang B table: 5 Erlangs on 10 lines block 1.84 %; 1 Erlang on 2 lines blocks exactly 0.2', () => {
    expect(erlangB(10, 5)).toBeCloseTo(0.018385, 5);
    expect(erlangB(2, 1)).toBeCloseTo(0.2, 12);
  });

  test('M/M/2 in closed form: P(wait) = 2ρ²/(1 + ρ), and M/M/1 waits with probability ρ and on average ρ/(1 − ρ) handling times', () => {
    for (const rho of [0.3, 0.5, 0.9]) expect(erlangC(2, 2 * rho)).toBeCloseTo((2 * rho * rho) / (1 + rho), 12);
    const mm1 = queueMetrics({ arrivals: 45, intervalSec: 3600, handleSec: 60, servers: 1, targetSec: 0 });
    expect(mm1.waitProbability).toBeCloseTo(0.75, 12);
    expect(mm1.averageWaitSec).toBeCloseTo(60 * 3, 9);
  });

  test('stable with thousands of servers (no factorials): 1,900 Erlangs on 2,000 servers waits as Halfin and Whitt predict (≈ 1.27 %)', () => {
    const result = queueMetrics({ arrivals: 1900 * 3600 / 300, intervalSec: 3600, handleSec: 300, servers: 2000, targetSec: 30 });
    expect(Number.isFinite(result.waitProbability)).toBe(true);
    // Halfin-Whitt: β = (n − A)/√A = 2.294, P(wait) ≈ 1 / (1 + β·Φ(β)/φ(β)) = 0.0127.
    expect(result.waitProbability).toBeCloseTo(0.0127, 2);
  });

  test('too few servers: everyone waits, nobody within the target, the wait has no bound', () => {
    expect(queueMetrics({ ...PYWORKFORCE, servers: 10, targetSec: 20 })).toMatchObject({ waitProbability: 1, serviceLevel: 0, averageWaitSec: Infinity });
  });

  test('bad inputs are refused, not computed', () => {
    expect(() => queueMetrics({ ...PYWORKFORCE, handleSec: 0, servers: 3, targetSec: 20 })).toThrow(RangeError);
    expect(() => queueMetrics({ ...PYWORKFORCE, arrivals: Number.NaN, servers: 3, targetSec: 20 })).toThrow(RangeError);
    expect(() => serversForTarget(PYWORKFORCE, { share: 1, withinSec: 20 })).toThrow(RangeError);
    expect(() => withShrinkage(10, 1)).toThrow(RangeError);
  });
});

describe('Erlang A (exponential patience)', () => {
  test('with patience far longer than any wait it is Erlang C', () => {
    const c = queueMetrics({ ...PYWORKFORCE, servers: 14, targetSec: 20 });
    const a = queueMetrics({ ...PYWORKFORCE, servers: 14, targetSec: 20, patienceSec: 1e7 });
    expect(a.serviceLevel).toBeCloseTo(c.serviceLevel, 5);
    expect(a.waitProbability).toBeCloseTo(c.waitProbability, 5);
    expect(a.averageWaitSec).toBeCloseTo(c.averageWaitSec, 3);
    expect(a.abandonShare).toBeLessThan(1e-5);
  });

  test('patience equal to the handling time makes it an M/M/∞ queue: Poisson(A) in the system, P(wait) = P(N ≥ n), abandonment E[(N − n)+] / A', () => {
    const traffic = 10;
    const servers = 12;
    const poisson: number[] = [Math.exp(-traffic)];
    for (let k = 1; k < 80; k++) poisson.push((poisson[k - 1]! * traffic) / k);
    const waiting = poisson.slice(servers).reduce((a, b) => a + b, 0);
    const excess = poisson.reduce((sum, p, k) => sum + Math.max(0, k - servers) * p, 0);
    const result = queueMetrics({ ...PYWORKFORCE, servers, targetSec: 20, patienceSec: 180 });
    expect(result.waitProbability).toBeCloseTo(waiting, 10);
    expect(result.abandonShare).toBeCloseTo(excess / traffic, 10);
  });

  test('agrees with a simulation of the M/M/n+M queue (400,000 contacts): service level, abandonment, wait', () => {
    const input = { arrivals: 100, intervalSec: 1800, handleSec: 180, servers: 9, targetSec: 30, patienceSec: 120 };
    const simulated = simulate(input, 400_000, 20261205);
    const exact = queueMetrics(input);
    expect(exact.serviceLevel).toBeCloseTo(simulated.serviceLevel, 2);
    expect(exact.abandonShare).toBeCloseTo(simulated.abandonShare, 2);
    expect(exact.waitProbability).toBeCloseTo(simulated.waitProbability, 2);
    expect(Math.abs(exact.averageWaitSec - simulated.averageWaitSec)).toBeLessThan(0.5);
    // Overloaded (9 servers for 10 Erlangs) yet stable: patience keeps the queue bounded.
    expect(exact.abandonShare).toBeGreaterThan(0.05);
  });

  test('needs fewer servers than Erlang C for the same target, and never more', () => {
    const target = { share: 0.85, withinSec: 30 };
    const c = serversForTarget(PYWORKFORCE, target);
    const a = serversForTarget({ ...PYWORKFORCE, patienceSec: 90 }, target);
    expect(a).toBeLessThanOrEqual(c);
    expect(queueMetrics({ ...PYWORKFORCE, servers: a, targetSec: 30, patienceSec: 90 }).serviceLevel).toBeGreaterThanOrEqual(0.85);
    expect(queueMetrics({ ...PYWORKFORCE, servers: a - 1, targetSec: 30, patienceSec: 90 }).serviceLevel).toBeLessThan(0.85);
  });
});

describe('positionWaitSec: the wait of a citizen with k conversations to end first', () => {
  test('one ending of one slot: the quantiles of an exponential (median h·ln 2, 80 % h·ln 5)', () => {
    expect(positionWaitSec(1, 1, 240, 0.5)).toBeCloseTo(240 * Math.LN2, 6);
    expect(positionWaitSec(1, 1, 240, 0.8)).toBeCloseTo(240 * Math.log(5), 6);
  });

  test('the Erlang quantile grows with the position and shrinks with the slots, and stays above the mean k·h/c at 80 %', () => {
    const waits = [1, 2, 5, 10].map((k) => positionWaitSec(k, 6, 300, 0.8));
    expect(waits).toEqual([...waits].sort((a, b) => a - b));
    for (const [i, k] of [1, 2, 5, 10].entries()) expect(waits[i]!).toBeGreaterThan((k * 300) / 6);
    expect(positionWaitSec(5, 12, 300, 0.8)).toBeLessThan(positionWaitSec(5, 6, 300, 0.8));
  });

  test('nobody ahead waits nothing; no slot at all waits forever', () => {
    expect(positionWaitSec(0, 3, 300, 0.8)).toBe(0);
    expect(positionWaitSec(2, 0, 300, 0.8)).toBe(Infinity);
  });
});

/** A discrete-event simulation of M/M/n+M, first come first served; the first 5 % is warm-up. */
function simulate(input: { arrivals: number; intervalSec: number; handleSec: number; servers: number; targetSec: number; patienceSec: number }, contacts: number, seed: number) {
  const random = seededRandom(seed);
  const exp = (mean: number) => -mean * Math.log(1 - random());
  const freeAt: number[] = new Array(input.servers).fill(0);
  const meanGap = input.intervalSec / input.arrivals;
  let now = 0;
  let counted = 0;
  let withinTarget = 0;
  let abandoned = 0;
  let waited = 0;
  let waitSum = 0;
  // FCFS with exponential patience: each contact takes the earliest free server unless its
  // patience runs out first; those who leave do not hold a server.
  for (let i = 0; i < contacts; i++) {
    now += exp(meanGap);
    let best = 0;
    for (let s = 1; s < freeAt.length; s++) if (freeAt[s]! < freeAt[best]!) best = s;
    const offeredWait = Math.max(0, freeAt[best]! - now);
    const patience = exp(input.patienceSec);
    const served = offeredWait <= patience;
    if (served) freeAt[best] = now + offeredWait + exp(input.handleSec);
    if (i < contacts / 20) continue;
    counted += 1;
    const wait = served ? offeredWait : patience;
    waitSum += wait;
    if (offeredWait > 0) waited += 1;
    if (!served) abandoned += 1;
    else if (offeredWait <= input.targetSec) withinTarget += 1;
  }
  return { serviceLevel: withinTarget / counted, abandonShare: abandoned / counted, waitProbability: waited / counted, averageWaitSec: waitSum / counted };
}
