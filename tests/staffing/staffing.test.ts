import type { HourlyPoint } from '../../src/forecast/forecast-types';
import * as erlang from '../../src/staffing/erlang';
import { queueMetrics, type QueueResult } from '../../src/staffing/erlang';
import { parseOfficeHours } from '../../src/handoff/office-hours';
import { DEFAULT_HANDLE_SEC, measureQueue, officeHourOpen, serviceLevelWith, staffHours, staffingStatus, type MeasuredQueue } from '../../src/staffing/staffing';
import type { RollupRow } from '../../src/storage/ports';

const row = (day: string, counters: Record<string, number>): RollupRow => ({ key: { day, channel: 'directline', language: 'it', topicId: null }, counters });
const hour = (h: number, mean: number, upper = mean * 1.3): HourlyPoint => ({ day: '2026-12-09', hour: h, mean, lower: mean * 0.7, upper });
const ERLANG_C_180: MeasuredQueue = { handleSec: 180, handleSource: 'measured', handled: 500, patienceSec: null, abandoned: 0 };

describe('measureQueue: handling time and patience from the rollups', () => {
  test('handling time is handleSecSum ÷ handleCount over all rows; patience is the total wait ÷ abandonments', () => {
    const queue = measureQueue([
      row('2026-12-01', { handleSecSum: 30_000, handleCount: 100, waitSecSum: 6_000, handoffsAbandoned: 20 }),
      row('2026-12-02', { handleSecSum: 12_000, handleCount: 20, waitSecSum: 3_000, handoffsAbandoned: 10, conversations: 500 }),
    ]);
    expect(queue).toEqual({ handleSec: 350, handleSource: 'measured', handled: 120, patienceSec: 300, abandoned: 30 });
  });

  test('no handled conversation: the default handling time, said so; too few abandonments: no patience (Erlang C)', () => {
    const queue = measureQueue([row('2026-12-01', { waitSecSum: 900, handoffsAbandoned: 3 })]);
    expect(queue).toMatchObject({ handleSec: DEFAULT_HANDLE_SEC, handleSource: 'default', patienceSec: null, abandoned: 3 });
  });
});

describe('staffHours: operators per hour for the forecast handoffs', () => {
  const settings = { target: { share: 0.8, withinSec: 20 }, shrinkage: 0.3, chatsPerOperator: 1 };

  test('pyworkforce’s 100 per half hour is 200 handoffs an hour (180 s, 80 % in 20 s): 14 slots, 20 operators with 30 % shrinkage', () => {
    const [staffed] = staffHours([hour(10, 200)], ERLANG_C_180, settings);
    // 10 Erlangs: the fewest servers with 80 % in 20 s, checked against the formula itself.
    expect(queueMetrics({ arrivals: 200, intervalSec: 3600, handleSec: 180, servers: staffed!.slotsNeeded, targetSec: 20 }).serviceLevel).toBeGreaterThanOrEqual(0.8);
    expect(queueMetrics({ arrivals: 200, intervalSec: 3600, handleSec: 180, servers: staffed!.slotsNeeded - 1, targetSec: 20 }).serviceLevel).toBeLessThan(0.8);
    expect(staffed).toMatchObject({ slotsNeeded: 14, operatorsOnDuty: 14, operatorsNeeded: 20 });
  });

  test('operators holding 3 chats at once are 3 servers each: a third of the operators at the console', () => {
    const [one] = staffHours([hour(10, 60)], ERLANG_C_180, settings);
    const [three] = staffHours([hour(10, 60)], ERLANG_C_180, { ...settings, chatsPerOperator: 3 });
    expect(three!.slotsNeeded).toBe(one!.slotsNeeded);
    expect(three!.operatorsOnDuty).toBe(Math.ceil(one!.slotsNeeded / 3));
  });

  test('hours without handoffs need nobody; the upper bound of the forecast needs at least as many', () => {
    const staffed = staffHours([hour(3, 0), hour(10, 40, 70)], ERLANG_C_180, settings);
    expect(staffed[0]).toMatchObject({ slotsNeeded: 0, operatorsNeeded: 0 });
    expect(staffed[1]!.operatorsNeededUpper).toBeGreaterThan(staffed[1]!.operatorsNeeded);
  });

  test('hours when 020202 is closed need nobody, whatever the forecast: their handoffs become written requests', () => {
    const openHour = officeHourOpen(parseOfficeHours('default'));
    const at = (day: string, h: number): HourlyPoint => ({ ...hour(h, 0.4), day });
    // Wednesday 9 December at 10 (open), Sunday 6 and Monday 7 (Sant'Ambrogio) at 10, Wednesday at 19.
    const staffed = staffHours([at('2026-12-09', 10), at('2026-12-06', 10), at('2026-12-07', 10), at('2026-12-09', 19)], ERLANG_C_180, { ...settings, openHour });
    expect(staffed.map((h) => [h.closed, h.operatorsNeeded > 0])).toEqual([[false, true], [true, false], [true, false], [true, false]]);
    expect(staffed[1]).toMatchObject({ handoffs: 0.4, slotsNeeded: 0, operatorsOnDuty: 0, operatorsNeeded: 0, operatorsNeededUpper: 0 });
    // Without a calendar every hour is open, as before.
    expect(staffHours([at('2026-12-06', 10)], ERLANG_C_180, settings)[0]).toMatchObject({ closed: false, operatorsNeeded: 2 });
  });

  test('an hour is open when the centre answers in any quarter of it, in Rome time, across the clock changes', () => {
    const openHour = officeHourOpen(parseOfficeHours('mon-sun 02:00-03:00,08:30-17:00'));
    expect([7, 8, 16, 17].map((h) => openHour('2026-12-09', h))).toEqual([false, true, true, false]);
    // 29 March 2026: 02:00-02:59 does not exist in Rome; 25 October 2026: it happens twice.
    expect(openHour('2026-03-29', 2)).toBe(false);
    expect(openHour('2026-10-25', 2)).toBe(true);
    expect(openHour('2026-10-25', 8)).toBe(true);
    expect(officeHourOpen(parseOfficeHours('always'))('2026-12-25', 3)).toBe(true);
  });

  test('a measured patience (Erlang A) never asks for more operators than Erlang C', () => {
    const patient = staffHours([hour(10, 120)], { ...ERLANG_C_180, patienceSec: 60, abandoned: 50 }, settings)[0]!;
    const never = staffHours([hour(10, 120)], ERLANG_C_180, settings)[0]!;
    expect(patient.slotsNeeded).toBeLessThanOrEqual(never.slotsNeeded);
  });

  test('the planned operators’ service level: shrinkage off, chats as servers; null without handoffs', () => {
    const level = serviceLevelWith(20, 200, ERLANG_C_180, settings)!;
    expect(level).toBeCloseTo(queueMetrics({ arrivals: 200, intervalSec: 3600, handleSec: 180, servers: 14, targetSec: 20 }).serviceLevel, 10);
    expect(serviceLevelWith(5, 0, ERLANG_C_180, settings)).toBeNull();
  });
});

describe('staffingStatus: planned against needed', () => {
  test.each([
    [null, 5, 'no-plan'],
    [4, 5, 'under'],
    [5, 5, 'well'],
    [6, 5, 'well'],
    [7, 5, 'over'],
    [12, 10, 'well'],
    [13, 10, 'over'],
    [0, 0, 'well'],
    [1, 0, 'well'],
    [2, 0, 'over'],
  ] as const)('planned %p, needed %p: %s', (planned, needed, status) => {
    expect(staffingStatus(planned, needed)).toBe(status);
  });
});

describe('the worked example of docs/staffing.md', () => {
  // 30 handoffs in the hour, 300 s handling, 2 chats per operator, 85 % in 30 s, 30 % shrinkage.
  const load = { arrivals: 30, intervalSec: 3600, handleSec: 300, targetSec: 30 };
  const settings = { target: { share: 0.85, withinSec: 30 }, shrinkage: 0.3, chatsPerOperator: 2 };
  const round = (x: number, digits: number) => Number(x.toFixed(digits));

  test('Erlang C: 4 slots fall short (SL 72.5 %, waits 32.0 %, ASA 64.0 s), 5 meet it (SL 89.8 %, 13.0 %, 15.6 s); 3 on duty, 5 to roster', () => {
    const four = queueMetrics({ ...load, servers: 4 });
    const five = queueMetrics({ ...load, servers: 5 });
    const shown = (m: QueueResult) => [round(m.serviceLevel, 3), round(m.waitProbability, 3), round(m.averageWaitSec, 1)];
    expect(shown(four)).toEqual([0.725, 0.32, 64.0]);
    expect(shown(five)).toEqual([0.898, 0.13, 15.6]);
    const [staffed] = staffHours([hour(10, 30)], { handleSec: 300, handleSource: 'measured', handled: 200, patienceSec: null, abandoned: 0 }, settings);
    expect(staffed).toMatchObject({ slotsNeeded: 5, operatorsOnDuty: 3, operatorsNeeded: 5 });
    expect([4, 5, 6, 7].map((planned) => staffingStatus(planned, staffed!.operatorsNeeded))).toEqual(['under', 'well', 'well', 'over']);
  });

  test('Erlang A with 120 s patience: 4 slots SL 83.4 % with 9.6 % giving up, 5 slots SL 92.9 %, 3.8 %, mean wait 4.6 s; the same 5 to roster', () => {
    const four = queueMetrics({ ...load, servers: 4, patienceSec: 120 });
    const five = queueMetrics({ ...load, servers: 5, patienceSec: 120 });
    expect([round(four.serviceLevel, 3), round(four.abandonShare, 3)]).toEqual([0.834, 0.096]);
    expect([round(five.serviceLevel, 3), round(five.abandonShare, 3), round(five.averageWaitSec, 1)]).toEqual([0.929, 0.038, 4.6]);
    const [staffed] = staffHours([hour(10, 30)], { handleSec: 300, handleSource: 'measured', handled: 200, patienceSec: 120, abandoned: 40 }, settings);
    expect(staffed).toMatchObject({ slotsNeeded: 5, operatorsOnDuty: 3, operatorsNeeded: 5 });
  });
});

describe('staffHours keeps the slots of each volume across calls', () => {
  test('the same volumes asked again (a dashboard refresh, the communications check) are not searched again; another queue is', () => {
    const search = jest.spyOn(erlang, 'serversForTarget');
    try {
      // A queue no other test uses, so that nothing is kept from before.
      const queue: MeasuredQueue = { handleSec: 271, handleSource: 'measured', handled: 90, patienceSec: 133, abandoned: 25 };
      const settings = { target: { share: 0.85, withinSec: 30 }, shrinkage: 0.3, chatsPerOperator: 2 };
      const week = Array.from({ length: 168 }, (_, i) => hour(i % 24, 1 + (i % 37)));
      const first = staffHours(week, queue, settings);
      expect(search).toHaveBeenCalledTimes(new Set(week.flatMap((p) => [p.mean, p.upper].map((v) => Math.round(v * 1000) / 1000))).size);
      search.mockClear();
      expect(staffHours(week, queue, { ...settings, chatsPerOperator: 3, shrinkage: 0.2 }).map((h) => h.slotsNeeded)).toEqual(first.map((h) => h.slotsNeeded));
      expect(staffHours(week, queue, settings)).toEqual(first);
      expect(search).not.toHaveBeenCalled();
      staffHours(week.slice(0, 1), { ...queue, handleSec: 272 }, settings);
      expect(search).toHaveBeenCalled();
    } finally {
      search.mockRestore();
    }
  });
});
