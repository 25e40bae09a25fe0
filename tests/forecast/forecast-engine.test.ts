import { addDays, dayRange } from '../../src/forecast/calendar-days';
import { runEngine, toForecastResult } from '../../src/forecast/forecast-engine';
import { dailySeries } from '../../src/forecast/series';
import { seededRandom } from '../../src/seeded-random';
import { syntheticRows } from './synthetic';

describe('the forecast engine', () => {
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
