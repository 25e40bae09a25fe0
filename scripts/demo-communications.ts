// The demo seed's communications (scripts/demo-seed.ts): how much demand each communication of
// the calendar adds to its topics on a day. The seed's own assumption, documented in
// docs/forecast.md so that the backtest's figures on the seed can be read.
import { addDays } from '../src/forecast/calendar-days';
import { lastActiveDay, type Communication, type CommunicationKind } from '../src/knowledge/communication-schema';

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * A communication's uplift on its topics, as a fraction of their normal demand, where the
 * calendar gives no `expectedUplift` (the seed's own assumption, not a measurement).
 */
export const KIND_UPLIFT: Readonly<Record<CommunicationKind, number>> = {
  'tax-letters': 0.8,
  'payment-deadline': 1.2,
  'enrolment-opens': 0.9,
  'enrolment-closes': 1.0,
  'rule-change': 0.6,
  'office-closure': 0.4,
  strike: 0.3,
  campaign: 0.3,
};

/**
 * Extra demand on each topic on `day` (0.5 is +50 %), summed over the communications that
 * concern it. The shape of one communication of uplift U (its `expectedUplift`, else the kind's
 * default in KIND_UPLIFT): nothing before `published`; from `published` a rise from 0.25 U to
 * 0.8 U the day before `effective`; U on `effective`; 0.5 U while it stays active (to `until`);
 * then half of what is left every two days for a week.
 */
export function communicationUplift(c: Communication, day: string): number {
  const u = c.expectedUplift ?? KIND_UPLIFT[c.kind];
  const last = lastActiveDay(c);
  if (day < c.published || day > addDays(last, 7)) return 0;
  if (day === c.effective) return u;
  if (day < c.effective) {
    const span = Math.max(1, daysFrom(c.published, c.effective) - 1);
    return u * (0.25 + (0.55 * daysFrom(c.published, day)) / span);
  }
  if (day <= last) return 0.5 * u;
  return (last === c.effective ? u : 0.5 * u) * 0.5 ** (daysFrom(last, day) / 2);
}

function daysFrom(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / DAY_MS);
}

/** Extra demand per topic on `day`: the sum of the uplifts of the communications that concern it. */
export function topicBoost(calendar: readonly Communication[], day: string): Map<string, number> {
  const boost = new Map<string, number>();
  for (const c of calendar) {
    const u = communicationUplift(c, day);
    if (u !== 0) for (const topic of c.topics) boost.set(topic, (boost.get(topic) ?? 0) + u);
  }
  return boost;
}
