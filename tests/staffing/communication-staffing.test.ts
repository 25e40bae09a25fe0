import type { ForecastResult, HourlyPoint } from '../../src/forecast/forecast-types';
import type { Communication } from '../../src/knowledge/communication-schema';
import { extraOperatorsFor } from '../../src/staffing/communication-staffing';
import { staffHours, type MeasuredQueue, type StaffingSettings } from '../../src/staffing/staffing';

const QUEUE: MeasuredQueue = { handleSec: 240, handleSource: 'measured', handled: 500, patienceSec: null, abandoned: 0 };
const SETTINGS: StaffingSettings = { target: { share: 0.85, withinSec: 30 }, shrinkage: 0.3, chatsPerOperator: 3 };
const DAYS = ['2026-12-14', '2026-12-15', '2026-12-16'];

const deadline: Communication = {
  id: 'tari-saldo', kind: 'payment-deadline', published: '2026-12-15', effective: '2026-12-16', topics: ['tari-pagamento'], channels: ['letter'],
  notice: { it: 'La TARI scade il 16 dicembre.', en: 'TARI is due on 16 December.' },
};

/** Three days, 100 contacts a day of which `tari` on TARI; `handoffs` an hour from 9 to 17. */
function forecast(tari: number, handoffs: number, uplift: number | null): ForecastResult {
  const point = (day: string, mean: number) => ({ day, mean, lower: mean * 0.8, upper: mean * 1.2 });
  const hours: HourlyPoint[] = DAYS.flatMap((day) => Array.from({ length: 9 }, (_, i) => ({ ...point(day, handoffs), hour: 9 + i })));
  return {
    generatedAt: '2026-12-13T23:00:00Z', historyTo: '2026-12-13', from: DAYS[0]!, to: DAYS[2]!, interval: 0.8, model: 'regression',
    total: DAYS.map((d) => point(d, 100)),
    byTopic: [{ topicId: 'tari-pagamento', points: DAYS.map((d) => point(d, tari)) }, { topicId: 'altro', points: DAYS.map((d) => point(d, 100 - tari)) }],
    byChannel: [],
    handoffsByHour: hours,
    communications: uplift === null ? [] : [{ id: 'tari-saldo', kind: 'payment-deadline', published: '2026-12-15', effective: '2026-12-16', topics: ['tari-pagamento'], uplift, upliftSource: 'learned' }],
  };
}

describe('extraOperatorsFor: the operators a communication adds to the forecast', () => {
  test("is the peak hour's operators with the forecast handoffs less those without the communication's share of them", () => {
    // TARI is 60 of 100 contacts, 50 % up on the deadline: 20 of the 100 are the communication's, so 20 % of the handoffs.
    const result = forecast(60, 300, 0.5);
    const withIt = staffHours([{ day: DAYS[1]!, hour: 9, mean: 300, lower: 240, upper: 360 }], QUEUE, SETTINGS)[0]!.operatorsNeeded;
    const without = staffHours([{ day: DAYS[1]!, hour: 9, mean: 240, lower: 192, upper: 288 }], QUEUE, SETTINGS)[0]!.operatorsNeeded;
    expect(withIt - without).toBeGreaterThan(0);
    expect(extraOperatorsFor(deadline, result, QUEUE, SETTINGS)).toBe(withIt - without);
  });

  test('grows with the uplift and is 0 when the communication adds too little to need anyone', () => {
    const small = extraOperatorsFor(deadline, forecast(5, 2, 0.1), QUEUE, SETTINGS);
    const large = extraOperatorsFor(deadline, forecast(60, 300, 2), QUEUE, SETTINGS);
    expect(small).toBe(0);
    expect(large!).toBeGreaterThan(extraOperatorsFor(deadline, forecast(60, 300, 0.5), QUEUE, SETTINGS)!);
  });

  test('is null outside the forecast (or not in its list), 0 where it applies no uplift or a fall (a closure)', () => {
    expect(extraOperatorsFor({ ...deadline, published: '2027-03-01', effective: '2027-03-02' }, forecast(60, 300, 0.5), QUEUE, SETTINGS)).toBeNull();
    expect(extraOperatorsFor(deadline, forecast(60, 300, null), QUEUE, SETTINGS)).toBeNull();
    const noUplift = forecast(60, 300, 0.5);
    expect(extraOperatorsFor(deadline, { ...noUplift, communications: [{ ...noUplift.communications[0]!, uplift: null, upliftSource: 'none' }] }, QUEUE, SETTINGS)).toBe(0);
    expect(extraOperatorsFor(deadline, forecast(60, 300, -0.4), QUEUE, SETTINGS)).toBe(0);
  });
});
