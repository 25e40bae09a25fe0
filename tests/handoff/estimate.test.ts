import { estimateWaitSeconds, QUOTED_WAIT_QUANTILE } from '../../src/handoff/estimate';
import { erlangQuantileSearches, positionWaitSec } from '../../src/staffing/erlang';

const op = (maxConcurrent: number, held: number) => ({ maxConcurrent, held });
/** P(Erlang(k phases, rate) ≤ t): the share of citizens with k endings ahead served within t. */
const servedWithin = (k: number, rate: number, t: number) => {
  let term = Math.exp(-rate * t);
  let below = 0;
  for (let i = 0; i < k; i++) {
    below += term;
    term *= (rate * t) / (i + 1);
  }
  return 1 - below;
};

describe('estimateWaitSeconds: the Erlang model of the staffing, applied to the queue as it is', () => {
  test('one conversation to end first among 6 busy slots: the wait 4 citizens in 5 keep, 300/6 × ln 5, not the mean 300/6', () => {
    expect(QUOTED_WAIT_QUANTILE).toBe(0.8);
    // 2 operators of 3 slots holding 4: the first two citizens find a free slot now.
    const serving = [op(3, 2), op(3, 2)];
    expect(estimateWaitSeconds(1, serving, 300)).toBe(0);
    expect(estimateWaitSeconds(2, serving, 300)).toBe(0);
    expect(estimateWaitSeconds(3, serving, 300)).toBe(Math.round(50 * Math.log(5)));
  });

  test('further back: the 80th percentile of k endings at rate slots ÷ handling time, above the mean k·h/c', () => {
    const serving = [op(3, 2), op(3, 2)];
    for (const position of [4, 8, 20]) {
      const ahead = position - 2;
      const quoted = estimateWaitSeconds(position, serving, 300)!;
      expect(servedWithin(ahead, 6 / 300, quoted)).toBeCloseTo(0.8, 2);
      expect(quoted).toBeGreaterThan((ahead * 300) / 6);
    }
  });

  test('nobody available: no estimate, not "under a minute"', () => {
    expect(estimateWaitSeconds(1, [], 300)).toBeNull();
    expect(estimateWaitSeconds(5, [], 300)).toBeNull();
  });

  test('an operator with no slot is no capacity', () => {
    expect(estimateWaitSeconds(1, [op(0, 0)], 300)).toBeNull();
  });

  test('every available operator at capacity: each position waits for one more slot to free', () => {
    const waits = [1, 2, 5].map((p) => estimateWaitSeconds(p, [op(2, 2), op(3, 3)], 250)!);
    expect(waits[0]).toBe(Math.round(50 * Math.log(5)));
    expect(waits).toEqual([...waits].sort((a, b) => a - b));
  });

  test('an operator forced over the limit frees no slot of the others', () => {
    expect(estimateWaitSeconds(1, [op(2, 4), op(2, 1)], 200)).toBe(0);
    expect(estimateWaitSeconds(2, [op(2, 4), op(2, 1)], 200)).toBe(Math.round(50 * Math.log(5)));
  });

  test('more operators, shorter waits: one operator of 3 slots against three', () => {
    const one = estimateWaitSeconds(4, [op(3, 3)], 240)!;
    const three = estimateWaitSeconds(4, [op(3, 3), op(3, 3), op(3, 3)], 240)!;
    expect(three).toBe(Math.round(one / 3));
  });

  test('the queue is read often: once seen, 200 positions are estimated again without a new search', () => {
    const serving = Array.from({ length: 20 }, () => op(3, 3));
    const estimates = (handleSec: number) => Array.from({ length: 200 }, (_, i) => estimateWaitSeconds(i + 1, serving, handleSec)!);
    const first = estimates(240);
    const searchesBefore = erlangQuantileSearches();
    for (let round = 0; round < 10; round++) expect(estimates(240)).toEqual(first);
    // 2,000 estimates, no search: with a search each they took 8.3 s in this test.
    expect(erlangQuantileSearches()).toBe(searchesBefore);
    // Another handling time or more slots rescale the same quantiles exactly, still without a search.
    expect(estimates(480).map((w, i) => Math.abs(w - 2 * positionWaitSec(i + 1, 60, 240, QUOTED_WAIT_QUANTILE)) <= 1)).not.toContain(false);
    expect(erlangQuantileSearches()).toBe(searchesBefore);
    for (let p = 1; p <= 200; p++) expect(servedWithin(p, 60 / 240, positionWaitSec(p, 60, 240, QUOTED_WAIT_QUANTILE))).toBeCloseTo(QUOTED_WAIT_QUANTILE, 9);
  });
});
