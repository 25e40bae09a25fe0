import { addDays, dayRange, weekday } from '../../src/forecast/calendar-days';
import { fitRegression } from '../../src/forecast/regression';
import { dailySeries } from '../../src/forecast/series';
import { seededRandom } from '../../src/seeded-random';
import { WEEK_SHAPE, communication, poisson, syntheticRows } from './synthetic';

const FROM = '2025-09-01';
const DAYS = 300;
const topic = 'tari-pagamento';
// 300 contacts a day keeps the sampling error of a weekday ratio near 2 %. A deadline every five weeks; the true effect: +100 % on the day, +50 % the three days before.
const calendar = Array.from({ length: 8 }, (_, k) => communication({ id: `tari-${k}`, kind: 'payment-deadline', effective: addDays(FROM, 30 + 35 * k), topics: [topic] }));
const uplift = (_c: unknown, window: string) => (window === 'e0' ? 1 : window === 'e-3' ? 0.5 : 0);

describe('the regression', () => {
  const rows = syntheticRows({ from: FROM, days: DAYS, perTopic: { [topic]: 300, imu: 40 }, calendar, uplift, random: seededRandom(11) });
  const series = dailySeries(rows, FROM, addDays(FROM, DAYS - 1));
  const model = fitRegression({ days: series.days, values: series.byTopic.get(topic)!, topics: [topic] }, calendar);

  test('recovers the weekly pattern within 5 %', () => {
    // An ordinary week with no communication near it: the predicted week over its Monday.
    const week = dayRange('2026-08-03', '2026-08-09');
    const predicted = model.predict(week, []);
    const monday = predicted[0]!;
    week.forEach((day, i) => {
      expect(weekday(day)).toBe(i);
      expect(Math.abs(predicted[i]! / monday / (WEEK_SHAPE[i]! / WEEK_SHAPE[0]!) - 1)).toBeLessThan(0.05);
    });
  });

  test('recovers the deadline uplift per window within tolerance', () => {
    expect(Math.exp(model.effects.get('payment-deadline:e0')!) - 1).toBeGreaterThan(0.85);
    expect(Math.exp(model.effects.get('payment-deadline:e0')!) - 1).toBeLessThan(1.15);
    expect(Math.exp(model.effects.get('payment-deadline:e-3')!) - 1).toBeGreaterThan(0.4);
    expect(Math.exp(model.effects.get('payment-deadline:e-3')!) - 1).toBeLessThan(0.6);
    expect(Math.abs(model.effects.get('payment-deadline:e+4')!)).toBeLessThan(0.1);
  });

  test('applies a future deadline it learned, and the planner’s uplift wins where given', () => {
    const deadline = '2026-09-16'; // a Wednesday
    const days = [deadline, '2026-09-30']; // the same weekday, two weeks after: outside every window
    const learned = model.predict(days, [communication({ id: 'next', kind: 'payment-deadline', effective: deadline, topics: [topic] })]);
    expect(learned[0]! / learned[1]!).toBeGreaterThan(1.8);
    expect(learned[0]! / learned[1]!).toBeLessThan(2.2);
    const planned = model.predict(days, [communication({ id: 'next', kind: 'payment-deadline', effective: deadline, topics: [topic], expectedUplift: 3 })]);
    const alone = model.predict([deadline], []);
    expect(planned[0]! / alone[0]!).toBeCloseTo(4, 8);
  });

  test('a communication on another topic leaves this one alone', () => {
    const day = '2026-09-16';
    const alone = model.predict([day], []);
    const other = model.predict([day], [communication({ id: 'imu', kind: 'payment-deadline', effective: day, topics: ['imu'] })]);
    expect(other[0]).toBeCloseTo(alone[0]!, 8);
  });

  test('holidays are learned as quiet days', () => {
    const [christmas, friday] = model.predict(['2026-12-25', '2026-12-18'], []);
    expect(christmas! / friday!).toBeLessThan(0.5);
  });
});

describe('the regression’s level correction', () => {
  test('follows a level shift of four weeks that no calendar term explains', () => {
    const random = seededRandom(9);
    const days = dayRange('2026-01-05', addDays('2026-01-05', 139));
    const values = days.map((day, t) => poisson((t < 112 ? 60 : 120) * WEEK_SHAPE[weekday(day)]!, random));
    const next = dayRange(addDays(days[139]!, 1), addDays(days[139]!, 14));
    const predicted = fitRegression({ days, values, topics: [] }, []).predict(next, []);
    const truth = next.map((day) => 120 * WEEK_SHAPE[weekday(day)]!);
    const ratio = predicted.reduce((a, b) => a + b, 0) / truth.reduce((a, b) => a + b, 0);
    expect(ratio).toBeGreaterThan(0.9);
    expect(ratio).toBeLessThan(1.1);
  });
});
