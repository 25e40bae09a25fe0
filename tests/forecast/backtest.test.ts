import { backtest, mase, wape } from '../../src/forecast/backtest';
import { addDays, dayRange } from '../../src/forecast/calendar-days';
import type { DailySeries } from '../../src/forecast/series';

describe('backtest metrics', () => {
  test('WAPE is the absolute errors over the actual volume', () => {
    // |10-8| + |20-25| + |0-1| = 8 over 30.
    expect(wape([10, 20, 0], [8, 25, 1])).toBeCloseTo(8 / 30, 12);
    expect(wape([0, 0], [1, 2])).toBeNull();
  });

  test('MASE scales the horizon’s MAE by the history’s seasonal-naive MAE', () => {
    const history = [1, 2, 3, 4, 5, 6, 7, 3, 2, 3, 4, 5, 6, 9]; // week-on-week changes: 2, 0, 0, 0, 0, 0, 2 -> MAE 4/7
    // Horizon MAE: (|5-4| + |5-7|) / 2 = 1.5.
    expect(mase(history, [5, 5], [4, 7])).toBeCloseTo(1.5 / (4 / 7), 12);
    expect(mase([2, 2, 2, 2, 2, 2, 2, 2], [1], [1])).toBeNull();
  });
});

describe('rolling-origin backtest', () => {
  // Four weeks of one topic: three identical weeks, then a week 10 % busier on its first three days.
  const week = [100, 90, 80, 80, 70, 30, 20];
  const last = [110, 99, 88, 80, 70, 30, 20];
  const values = [...week, ...week, ...week, ...last];
  const days = dayRange('2026-03-02', addDays('2026-03-02', values.length - 1));
  const series: DailySeries = {
    days,
    total: values,
    byTopic: new Map([['imu', values]]),
    byChannel: new Map([['directline', values]]),
    handoffs: values.map(() => 0),
    hourProfile: { source: 'office-hours', byWeekday: Array.from({ length: 7 }, () => new Array<number>(24).fill(1 / 24)) },
  };

  test('scores seasonal naive against hand-computed figures', () => {
    const report = backtest(series, [], { origins: 3, horizon: 7, step: 7, minHistory: 14, model: 'seasonal-naive', interval: 0.8 });
    // Origins after weeks 2 and 3: the first forecast is exact, the second misses 10 + 9 + 8 of 497 + 470.
    expect(report.origins).toEqual([days[13], days[20]]);
    expect(report.totalWape).toBeCloseTo(27 / (470 + 497), 4);
    expect(report.seasonalNaiveWape).toBe(report.totalWape);
    // The histories' week-on-week changes are all 0 for the first origin (no scale) and for the second.
    expect(report.totalMase).toBeNull();
    expect(report.topics).toEqual([{ topicId: 'imu', volume: 967, wape: report.totalWape, mase: null, seasonalNaiveWape: report.totalWape, seasonalNaiveMase: null }]);
  });

  test('scores each origin apart, so that one bad horizon shows', () => {
    const report = backtest(series, [], { origins: 3, horizon: 7, step: 7, minHistory: 14, model: 'seasonal-naive', interval: 0.8 });
    // The first origin repeats an identical week; the second misses the busier days by 27 of 497.
    expect(report.byOrigin).toEqual([
      { origin: days[13], historyDays: 14, wape: 0, seasonalNaiveWape: 0 },
      { origin: days[20], historyDays: 21, wape: Math.round((27 / 497) * 10_000) / 10_000, seasonalNaiveWape: Math.round((27 / 497) * 10_000) / 10_000 },
    ]);
  });

  test('uses as many origins as the history allows, the last leaving a full horizon', () => {
    const report = backtest(series, [], { origins: 10, horizon: 7, step: 2, minHistory: 14, model: 'seasonal-naive', interval: 0.8 });
    expect(report.origins).toEqual([15, 17, 19, 21].map((end) => days[end - 1]));
    expect(report.days).toBe(28);
  });
});
