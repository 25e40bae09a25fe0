import type { ForecastResult, HourlyPoint } from '../forecast/forecast-types';
import { lastActiveDay, type Communication } from '../knowledge/communication-schema';
import { staffHours, type MeasuredQueue, type StaffingSettings } from './staffing';

/**
 * The extra operators the forecast asks for because of one communication: in each hour of its
 * window (published to its last active day, within the forecast), the operators needed for the
 * forecast handoffs against those needed without the communication's share of them; the largest
 * difference. The share is the part of the day's expected contacts that the communication adds
 * on its topics (its applied uplift u: a fraction u / (1 + u) of those topics' contacts), and the
 * handoffs are assumed to follow the contacts across topics (the rollups count handoffs per topic,
 * but the forecast's hourly handoffs are not split by topic). 0 when the forecast applies no
 * uplift to it (none learned, or a fall, as for an office closure); null when it is outside the
 * forecast's days.
 *
 * @example
 * extraOperatorsFor(calendar[0], await forecast.current(), measureQueue(rows), { target, shrinkage: 0.3, chatsPerOperator: 3 }); // 2
 */
export function extraOperatorsFor(c: Communication, forecast: ForecastResult, queue: MeasuredQueue, settings: StaffingSettings): number | null {
  const applied = forecast.communications.find((a) => a.id === c.id);
  const from = c.published > forecast.from ? c.published : forecast.from;
  const to = lastActiveDay(c) < forecast.to ? lastActiveDay(c) : forecast.to;
  if (!applied || from > to) return null;
  if (applied.uplift === null || applied.uplift <= 0) return 0;
  const totalByDay = new Map(forecast.total.map((p) => [p.day, p.mean]));
  const topicsByDay = new Map<string, number>();
  for (const series of forecast.byTopic) {
    if (!c.topics.includes(series.topicId)) continue;
    for (const p of series.points) topicsByDay.set(p.day, (topicsByDay.get(p.day) ?? 0) + p.mean);
  }
  const added = applied.uplift / (1 + applied.uplift);
  const hours = forecast.handoffsByHour.filter((h) => h.day >= from && h.day <= to);
  if (hours.length === 0) return null;
  const without: HourlyPoint[] = hours.map((h) => {
    const total = totalByDay.get(h.day) ?? 0;
    const share = total > 0 ? Math.min(1, ((topicsByDay.get(h.day) ?? 0) * added) / total) : 0;
    return { ...h, mean: h.mean * (1 - share), lower: h.lower * (1 - share), upper: h.upper * (1 - share) };
  });
  const withIt = staffHours(hours, queue, settings);
  const withoutIt = staffHours(without, queue, settings);
  let extra = 0;
  withIt.forEach((hour, i) => {
    extra = Math.max(extra, hour.operatorsNeeded - (withoutIt[i]?.operatorsNeeded ?? 0));
  });
  return extra;
}
