import { estimateWaitSeconds } from '../../src/handoff/estimate';

const op = (maxConcurrent: number, held: number) => ({ maxConcurrent, held });

describe('estimateWaitSeconds: positions ahead of the free slots × average handling time ÷ slots', () => {
  test('2 operators of 3 slots holding 4, 300 s average: the first two citizens are served now, the third waits 300 / 6', () => {
    const serving = [op(3, 2), op(3, 2)];
    expect([1, 2, 3, 4, 8].map((p) => estimateWaitSeconds(p, serving, 300))).toEqual([0, 0, 50, 100, 300]);
  });

  test('nobody available: no estimate, not "under a minute"', () => {
    expect(estimateWaitSeconds(1, [], 300)).toBeNull();
    expect(estimateWaitSeconds(5, [], 300)).toBeNull();
  });

  test('an operator with no slot is no capacity', () => {
    expect(estimateWaitSeconds(1, [op(0, 0)], 300)).toBeNull();
  });

  test('every available operator at capacity: each position waits for one more slot to free', () => {
    const serving = [op(2, 2), op(3, 3)];
    expect([1, 2, 5].map((p) => estimateWaitSeconds(p, serving, 250))).toEqual([50, 100, 250]);
  });

  test('an operator forced over the limit frees no slot of the others', () => {
    expect(estimateWaitSeconds(1, [op(2, 4), op(2, 1)], 200)).toBe(0);
    expect(estimateWaitSeconds(2, [op(2, 4), op(2, 1)], 200)).toBe(50);
  });

  test('more operators, shorter waits: one operator of 3 slots against three', () => {
    const one = estimateWaitSeconds(4, [op(3, 3)], 240);
    const three = estimateWaitSeconds(4, [op(3, 3), op(3, 3), op(3, 3)], 240);
    expect(one).toBe(320);
    expect(three).toBe(107);
  });
});
