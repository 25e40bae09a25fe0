import { addDays, dayRange } from '../../src/forecast/calendar-days';
import { calendarFactors, runEngine, toForecastResult } from '../../src/forecast/forecast-engine';
import { dailySeries } from '../../src/forecast/series';
import { seededRandom } from '../../src/seeded-random';
import { syntheticRows } from './synthetic';
import { communication } from '../fixtures/communications';
import type { DailySeries } from '../../src/forecast/series';

describe('the forecast engine', () => {
  function seriesOf(days: string[], byTopic: Record<string, number[]>): DailySeries {
    const topics = new Map(Object.entries(byTopic));
    const total = days.map((_, i) => [...topics.values()].reduce((s, v) => s + (v[i] ?? 0), 0));
    return { days, total, byTopic: topics, byChannel: new Map(), handoffs: days.map(() => 0), hourProfile: { source: 'office-hours', byWeekday: [] } };
  }

  test.each([
    ['Holt-Winters', 30],
    ['seasonal naive', 10],
  ])('a planner’s uplift wins on a topic too short for the regression (%s, %i days)', (model, length) => {
    const days = dayRange('2026-05-01', addDays('2026-05-01', 199));
    const fresh = days.map((_, i) => (i >= days.length - length ? 20 : 0));
    const old = days.map(() => 30);
    const effective = addDays(days[days.length - 1]!, 10);
    const calendar = [communication({ id: 'fresh-deadline', topics: ['fresh'], published: addDays(effective, -20), effective, expectedUplift: 1 })];
    const without = runEngine(seriesOf(days, { fresh, old }), [], { horizon: 21, interval: 0.8 });
    const out = runEngine(seriesOf(days, { fresh, old }), calendar, { horizon: 21, interval: 0.8 });
    expect(out.byTopic.get('fresh')!.model).toBe(model === 'Holt-Winters' ? 'holt-winters' : 'seasonal-naive');
    const mean = out.byTopic.get('fresh')!.mean;
    const base = without.byTopic.get('fresh')!.mean;
    // Day 10 is the effective day (u x 1), day 13 in e+1 (u x 0.5), day 20 past every window.
    expect(mean[9]! / base[9]!).toBeCloseTo(2, 6);
    expect(mean[12]! / base[12]!).toBeCloseTo(1.5, 6);
    expect(mean[19]! / base[19]!).toBeCloseTo(1, 6);
    // The other topic is not concerned; the total carries the rise.
    expect(out.byTopic.get('old')!.mean).toEqual(without.byTopic.get('old')!.mean);
    expect(out.total.mean[9]! - without.total.mean[9]!).toBeCloseTo(base[9]!, 6);
  });

  test('a topic too short for the regression borrows the effect that longer topics learned', () => {
    const days = dayRange('2025-11-01', addDays('2025-11-01', 239));
    // Five past deadlines on the old topic triple its day; the fresh topic began 30 days ago.
    const past = [60, 90, 120, 150, 180].map((i) => days[i]!);
    const old = days.map((d) => (past.includes(d) ? 90 : 30));
    const fresh = days.map((_, i) => (i >= days.length - 30 ? 20 : 0));
    const deadline = (effective: string, id: string) => communication({ id, topics: ['old', 'fresh'], published: addDays(effective, -30), effective });
    const effective = addDays(days[days.length - 1]!, 5);
    const calendar = [...past.map((d, k) => deadline(d, `past-${k}`)), deadline(effective, 'coming')];
    const out = runEngine(seriesOf(days, { old, fresh }), calendar, { horizon: 14, interval: 0.8 });
    expect(out.byTopic.get('fresh')!.model).toBe('holt-winters');
    const mean = out.byTopic.get('fresh')!.mean;
    // Learned on 'old' (about x3 on the day, shrunk by the ridge), applied to 'fresh' on its day only.
    expect(mean[4]! / mean[11]!).toBeGreaterThan(2);
    expect(mean[11]!).toBeCloseTo(20, 0);
  });

  test('the calendar’s factors: effects learned on topics apply to a topic’s series, not to one of all topics (the handoffs); the planner’s to both', () => {
    const days = dayRange('2026-06-01', '2026-06-14');
    const effective = days[4]!;
    const learned = [communication({ id: 'learned', published: addDays(effective, -30), effective })];
    const planned = [communication({ id: 'planned', published: addDays(effective, -30), effective, expectedUplift: 0.5 })];
    const pooled = new Map([['payment-deadline:e0', Math.log(3)]]);
    expect(calendarFactors(days, learned, ['imu'], pooled)[4]).toBeCloseTo(3, 9);
    expect(calendarFactors(days, learned, ['tari-pagamento'], pooled)[4]).toBe(1);
    expect(calendarFactors(days, learned, null, pooled).every((f) => f === 1)).toBe(true);
    expect(calendarFactors(days, planned, null, pooled)[4]).toBeCloseTo(1.5, 9);
    expect(calendarFactors(days, planned, ['imu'], pooled)[4]).toBeCloseTo(1.5, 9);
  });

  test('a window already open on the history’s last day is not added again to a short topic', () => {
    const days = dayRange('2026-05-01', addDays('2026-05-01', 199));
    const fresh = days.map((_, i) => (i >= days.length - 30 ? 20 : 0));
    // An enrolment window open since well before the origin, to 20 days after it.
    const opened = addDays(days[days.length - 1]!, -20);
    const calendar = [communication({ id: 'open-window', kind: 'enrolment-opens', topics: ['fresh'], published: addDays(opened, -5), effective: opened, until: addDays(opened, 40), expectedUplift: 1 })];
    const without = runEngine(seriesOf(days, { fresh }), [], { horizon: 14, interval: 0.8 });
    const out = runEngine(seriesOf(days, { fresh }), calendar, { horizon: 14, interval: 0.8 });
    expect(out.byTopic.get('fresh')!.mean).toEqual(without.byTopic.get('fresh')!.mean);
  });

  test('a topic added lately is modelled from its first contact, not from the zeros before it', () => {
    const days = dayRange('2026-01-01', '2026-06-30');
    const fresh = days.map((_, i) => (i > 150 ? 20 : 0));
    const old = days.map(() => 30);
    const out = runEngine(
      { days, total: fresh.map((v, i) => v + old[i]!), byTopic: new Map([['fresh', fresh], ['old', old]]), byChannel: new Map(), handoffs: days.map(() => 0), hourProfile: { source: 'office-hours', byWeekday: [] } },
      [],
      { horizon: 7, interval: 0.8 },
    );
    for (const m of out.byTopic.get('fresh')!.mean) expect(m).toBeCloseTo(20, 0);
    // Before it began it was fitted at 0 (not NaN, which had dropped those days from the total's dispersion).
    const fitted = out.byTopic.get('fresh')!.fitted;
    expect(fitted).toHaveLength(days.length);
    expect(fitted.slice(0, 151).every((v) => v === 0)).toBe(true);
  });

  test('the total is the sum of the topics; channels split it by their recent share; hours add up to the day', () => {
    const from = '2026-03-02';
    const rows = syntheticRows({ from, days: 112, perTopic: { imu: 40, 'tari-pagamento': 25 }, calendar: [], uplift: () => 0, random: seededRandom(8), channels: ['directline', 'messenger'] });
    const series = dailySeries(rows, from, addDays(from, 111));
    const out = runEngine(series, [], { horizon: 42, interval: 0.8 });
    const result = toForecastResult(series, out, [], { interval: 0.8, generatedAt: new Date('2026-06-22T08:00:00Z') });
    result.total.forEach((p, h) => {
      const topics = result.byTopic.reduce((s, t) => s + t.points[h]!.mean, 0);
      expect(p.mean).toBeCloseTo(topics, 1);
      const channels = result.byChannel.reduce((s, c) => s + c.points[h]!.mean, 0);
      expect(channels).toBeCloseTo(p.mean, 1);
      const hours = result.handoffsByHour.filter((x) => x.day === p.day).reduce((s, x) => s + x.mean, 0);
      expect(hours).toBeCloseTo(out.handoffs.mean[h]!, 1);
    });
    // The synthetic split is 70/30.
    const share = result.byChannel[0]!.points[0]!.mean / result.total[0]!.mean;
    expect(result.byChannel[0]!.channel).toBe('directline');
    expect(share).toBeGreaterThan(0.66);
    expect(share).toBeLessThan(0.74);
    // Office-hours profile: nothing queued at night.
    expect(result.handoffsByHour.filter((x) => x.hour < 8 || x.hour >= 18).every((x) => x.mean === 0)).toBe(true);
  });
});
