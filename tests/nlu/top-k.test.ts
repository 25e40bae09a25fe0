import fc from 'fast-check';
import { keepBest } from '../../src/nlu/top-k';

describe('keepBest', () => {
  test('keeps the k highest, best first, ties in the order they came: what a stable sort then a cut gives', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 6 }), { maxLength: 40 }), fc.integer({ min: 0, max: 45 }), (values, k) => {
        const items = values.map((value, order) => ({ value, order }));
        const best: typeof items = [];
        for (const item of items) keepBest(best, item, item.value, k, (i) => i.value);
        expect(best).toEqual([...items].sort((a, b) => b.value - a.value).slice(0, k));
      }),
      { numRuns: 2000 },
    );
  });

  test('an item equal to the lowest of a full list does not displace it', () => {
    const best = [{ id: 'a', v: 5 }, { id: 'b', v: 2 }];
    keepBest(best, { id: 'c', v: 2 }, 2, 2, (i) => i.v);
    expect(best.map((i) => i.id)).toEqual(['a', 'b']);
    keepBest(best, { id: 'd', v: 5 }, 5, 2, (i) => i.v);
    expect(best.map((i) => i.id)).toEqual(['a', 'd']);
  });
});
