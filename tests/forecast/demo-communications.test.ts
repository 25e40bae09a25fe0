import { communicationUplift, topicBoost } from '../../scripts/demo-communications';
import { communication } from './synthetic';

describe('the demo seed’s communication uplift', () => {
  const deadline = communication({ id: 'tari', kind: 'payment-deadline', published: '2026-03-01', effective: '2026-03-12', topics: ['tari-pagamento', 'pagopa'], expectedUplift: 2 });

  test('rises from published, peaks on effective, then halves every two days for a week', () => {
    expect(communicationUplift(deadline, '2026-02-28')).toBe(0);
    expect(communicationUplift(deadline, '2026-03-01')).toBeCloseTo(0.5, 10); // 0.25 U
    expect(communicationUplift(deadline, '2026-03-11')).toBeCloseTo(1.6, 10); // 0.8 U the day before
    expect(communicationUplift(deadline, '2026-03-12')).toBe(2);
    expect(communicationUplift(deadline, '2026-03-14')).toBeCloseTo(1, 10);
    expect(communicationUplift(deadline, '2026-03-19')).toBeCloseTo(2 * 0.5 ** 3.5, 10);
    expect(communicationUplift(deadline, '2026-03-20')).toBe(0);
  });

  test('a window stays at half its uplift while open; the kind’s default applies without a planner figure', () => {
    const window = communication({ id: 'nidi', kind: 'enrolment-opens', effective: '2026-01-12', until: '2026-02-13', topics: ['nidi-infanzia-iscrizioni'] });
    expect(communicationUplift(window, '2026-01-12')).toBeCloseTo(0.9, 10);
    expect(communicationUplift(window, '2026-02-01')).toBeCloseTo(0.45, 10);
    expect(communicationUplift(window, '2026-02-15')).toBeCloseTo(0.45 * 0.5, 10);
  });

  test('the boost adds up on each topic of each communication', () => {
    const letters = communication({ id: 'letters', kind: 'tax-letters', effective: '2026-03-12', topics: ['tari-pagamento'] });
    const boost = topicBoost([deadline, letters], '2026-03-12');
    expect(boost.get('tari-pagamento')).toBeCloseTo(2.8, 10);
    expect(boost.get('pagopa')).toBe(2);
    expect(boost.has('imu')).toBe(false);
  });
});
