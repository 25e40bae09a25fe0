// The monthly 020202 table: year on year on the days both years have (a partial base says so),
// never on a day still being counted, and columns that add up to the engaged conversations, with
// the period's total and the year to date.
import { daysBetween } from '../../src/analytics/rome-day';
import { summarize } from '../../src/analytics/summary';
import type { RollupRow } from '../../src/storage/ports';

const topicTitle = (): null => null;

/** One day of 10 engaged conversations: 5 by the bot (1 referred), 2 by operators, 1 abandoned, 1 diverted, 1 unresolved; 3 queued. */
function day(date: string, scale = 1): RollupRow {
  return {
    key: { day: date, channel: 'directline', language: 'it', topicId: 'tari' },
    counters: {
      conversations: 11 * scale, unengaged: 1 * scale, engaged: 10 * scale,
      resolvedConfirmed: 1 * scale, resolvedAssumed: 3 * scale, referred: 1 * scale,
      escalated: 2 * scale, abandoned: 1 * scale, tickets: 1 * scale, unresolved: 1 * scale,
      handoffsQueued: 3 * scale, waitSecSum: 120 * scale, waitCount: 4 * scale,
    },
  };
}

/** A day where only turns were counted (the conversations have not ended yet). */
function turnsOnly(date: string): RollupRow {
  return { key: { day: date, channel: 'directline', language: 'it', topicId: 'tari' }, counters: { turns: 40, questions: 30, handoffsQueued: 2 } };
}

describe('year on year in the monthly table', () => {
  test('a base year holding one day of the month compares that day only, and says the base is partial', () => {
    // October 2026 complete; of October 2025 only the 31st (the store began then), with 8 engaged.
    const rows = daysBetween('2026-10-01', '2026-10-31').map((d) => day(d));
    const base: RollupRow = { key: { day: '2025-10-31', channel: 'directline', language: 'it', topicId: 'tari' }, counters: { conversations: 8, engaged: 8, resolvedAssumed: 8 } };
    const [october] = summarize(rows, [], { from: '2026-10-01', to: '2026-10-31', previousYearRows: [base], topicTitle, today: '2026-12-05' }).monthly;
    expect(october).toMatchObject({ month: '2026-10', in: 310, daysWithData: 31, comparedDays: 1, partialBase: true });
    // 10 engaged on 31 October 2026 against 8 on 31 October 2025: +25 %, not (310 - 8) / 8 = +3,775 %.
    expect(october!.change!.in).toBe(25);
    expect(october!.previousYear).toMatchObject({ in: 8, answeredByBot: 8 });
  });

  test('on the first day of a month, today is not compared: no change at all rather than -100 %', () => {
    // 1 December 2026, 10:00: only turns are counted yet; last year's 1 December is complete.
    const rows = [...daysBetween('2026-11-01', '2026-11-30').map((d) => day(d)), turnsOnly('2026-12-01')];
    const previousYearRows = daysBetween('2025-11-01', '2025-12-31').map((d) => day(d));
    const summary = summarize(rows, [], { from: '2026-11-01', to: '2026-12-01', previousYearRows, topicTitle, today: '2026-12-01' });
    const december = summary.monthly.find((m) => m.month === '2026-12')!;
    expect(december).toMatchObject({ in: 0, daysWithData: 0, comparedDays: 0, previousYear: null, change: null });
    // Even once conversations of today are counted, today is not compared until it is over.
    const later = summarize([...rows, day('2026-12-01', 0.5)], [], { from: '2026-11-01', to: '2026-12-01', previousYearRows, topicTitle, today: '2026-12-01' });
    expect(later.monthly.find((m) => m.month === '2026-12')).toMatchObject({ in: 5, daysWithData: 1, comparedDays: 0, partialBase: true, change: null });
    // November is whole on both sides: the same figures, 0 % everywhere there was a base.
    const november = summary.monthly.find((m) => m.month === '2026-11')!;
    expect(november).toMatchObject({ comparedDays: 30, daysWithData: 30, partialBase: false });
    expect(november.change).toMatchObject({ in: 0, answeredByBot: 0, unresolved: 0, queuedToOperator: 0, avgWaitSec: 0 });
  });

  test('without today, a range ending yesterday compares every day that has data on both sides', () => {
    const rows = daysBetween('2026-03-01', '2026-03-10').map((d) => day(d, 2));
    const previousYearRows = daysBetween('2025-03-01', '2025-03-10').map((d) => day(d));
    const [march] = summarize(rows, [], { from: '2026-03-01', to: '2026-03-10', previousYearRows, topicTitle }).monthly;
    expect(march).toMatchObject({ comparedDays: 10, partialBase: false, change: { in: 100, diverted: 100, avgWaitSec: 0 } });
  });

  test('29 February has no same day a year later: it is not compared with 1 March', () => {
    const rows = [day('2025-03-01')];
    const previousYearRows = [day('2024-02-29', 5), day('2024-03-01')];
    const [march] = summarize(rows, [], { from: '2025-03-01', to: '2025-03-01', previousYearRows, topicTitle }).monthly;
    expect(march!.change!.in).toBe(0);
  });
});

describe('the monthly table adds up', () => {
  // 1 February to 15 April 2026, with data since 1 January; last year's same days at half the volume.
  const rows = daysBetween('2026-01-01', '2026-04-15').map((d) => day(d));
  const previousYearRows = daysBetween('2025-01-01', '2025-04-15').map((d) => day(d, 0.5));
  const summary = summarize(rows, [], { from: '2026-02-01', to: '2026-04-15', previousYearRows, topicTitle, today: '2026-04-16' });

  test('every engaged conversation is in exactly one column', () => {
    for (const row of [...summary.monthly, summary.monthlyTotal, summary.yearToDate]) {
      expect(row.answeredByBot + row.answeredByOperator + row.abandoned + row.diverted + row.unresolved).toBe(row.in);
    }
    expect(summary.monthly.map((m) => [m.month, m.in, m.referred, m.queuedToOperator])).toEqual([
      ['2026-02', 280, 28, 84],
      ['2026-03', 310, 31, 93],
      ['2026-04', 150, 15, 45],
    ]);
  });

  test('the total row is the sum of the months, compared on the same days', () => {
    const total = summary.monthlyTotal;
    expect(total).toMatchObject({ from: '2026-02-01', to: '2026-04-15', daysWithData: 74, comparedDays: 74, partialBase: false });
    for (const key of ['in', 'answeredByBot', 'referred', 'answeredByOperator', 'abandoned', 'diverted', 'unresolved', 'queuedToOperator'] as const) {
      expect(total[key]).toBe(summary.monthly.reduce((sum, m) => sum + m[key], 0));
    }
    expect(total.avgWaitSec).toBe(30);
    expect(total.change).toMatchObject({ in: 100, answeredByOperator: 100, avgWaitSec: 0 });
  });

  test('the year to date starts on 1 January, before the period', () => {
    expect(summary.yearToDate).toMatchObject({ from: '2026-01-01', to: '2026-04-15', in: 1050, daysWithData: 105, comparedDays: 105, change: { in: 100 } });
    // The period's own figures stay on its days.
    expect(summary.engaged).toBe(740);
  });
});
