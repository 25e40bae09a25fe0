import { fitHoltWinters, seasonalNaive, seasonalNaiveScale } from '../../src/forecast/baselines';
import { seededRandom } from '../../src/seeded-random';
import { WEEK_SHAPE, poisson } from './synthetic';

describe('seasonal naive', () => {
  test('repeats the last week, weekday by weekday', () => {
    expect(seasonalNaive([9, 9, 1, 2, 3, 4, 5, 6, 7], 9)).toEqual([1, 2, 3, 4, 5, 6, 7, 1, 2]);
  });
  test('its scale is the mean absolute week-on-week change', () => {
    // |8-1| and |2-2| over two pairs.
    expect(seasonalNaiveScale([1, 2, 3, 4, 5, 6, 7, 8, 2])).toBeCloseTo(3.5, 10);
    expect(seasonalNaiveScale([5, 5, 5, 5, 5, 5, 5, 5])).toBeNull();
  });
});

describe('Holt-Winters', () => {
  test('tracks a level shift: after four weeks at double the level it forecasts the new level', () => {
    const random = seededRandom(5);
    const values = Array.from({ length: 140 }, (_, t) => poisson((t < 112 ? 60 : 120) * WEEK_SHAPE[t % 7]!, random));
    const forecast = fitHoltWinters(values).forecast(14);
    const expected = Array.from({ length: 14 }, (_, h) => 120 * WEEK_SHAPE[(140 + h) % 7]!);
    const total = forecast.reduce((a, b) => a + b, 0);
    const truth = expected.reduce((a, b) => a + b, 0);
    expect(Math.abs(total / truth - 1)).toBeLessThan(0.1);
    // The weekly shape survives: Monday's forecast is well above Sunday's.
    expect(forecast[0]! / forecast[6]!).toBeGreaterThan(2.5);
  });
});
