import { countInterval, normalQuantile } from '../../src/forecast/intervals';
import { seededRandom } from '../../src/seeded-random';
import { poisson } from './synthetic';

describe('count intervals', () => {
  test('normal quantiles match the tables', () => {
    expect(normalQuantile(0.9)).toBeCloseTo(1.28155, 4);
    expect(normalQuantile(0.975)).toBeCloseTo(1.95996, 4);
    expect(normalQuantile(0.01)).toBeCloseTo(-2.32635, 4);
  });

  test.each([3, 12, 40, 75, 300])('an 80 %% Poisson band covers about 80 %% of Poisson draws of mean %d', (mean) => {
    const random = seededRandom(mean);
    const band = countInterval(mean, 1, 0.8);
    const draws = 4000;
    let inside = 0;
    for (let i = 0; i < draws; i += 1) {
      const x = poisson(mean, random);
      if (x >= band.lower && x <= band.upper) inside += 1;
    }
    // Discrete bands include both ends, so they cover at least the nominal share, a little more for small means.
    expect(inside / draws).toBeGreaterThan(0.77);
    expect(inside / draws).toBeLessThan(mean < 20 ? 0.92 : 0.86);
  });

  test('over-dispersion widens the band; it is never negative', () => {
    const poissonBand = countInterval(20, 1, 0.8);
    const wide = countInterval(20, 4, 0.8);
    expect(wide.upper - wide.lower).toBeGreaterThan(1.6 * (poissonBand.upper - poissonBand.lower));
    expect(countInterval(0.2, 3, 0.8).lower).toBe(0);
    expect(countInterval(0, 1, 0.8)).toEqual({ lower: 0, upper: 0 });
    expect(countInterval(500, 1, 0.8).lower).toBeGreaterThan(0);
  });
});
