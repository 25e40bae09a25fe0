import { romeHour } from '../analytics/rome-day';
import type { HourlyPoint } from '../forecast/forecast-types';
import type { OfficeHours } from '../handoff/office-hours';
import { zonedInstant } from '../handoff/zoned-time';
import type { RollupRow } from '../storage/ports';
import { queueMetrics, serversForTarget, withShrinkage, type ServiceTarget } from './erlang';

/** Handling time assumed while the rollups hold no handled conversation (the handoff service's default too). */
export const DEFAULT_HANDLE_SEC = 240;
/** Fewest abandonments from which a patience is estimated; below it nobody is assumed to give up (Erlang C, the safe side). */
export const MIN_ABANDONMENTS_FOR_PATIENCE = 20;
const HOUR_SEC = 3600;

/** What the rollups measured of the queue: handling time per chat and the citizens' patience. */
export interface MeasuredQueue {
  /** Mean handling time of one conversation, seconds (measured per chat: with k chats at once each lasts longer). */
  readonly handleSec: number;
  readonly handleSource: 'measured' | 'default';
  /** Handled conversations it was measured on. */
  readonly handled: number;
  /**
   * Mean patience, seconds: total wait of every citizen who waited ÷ citizens who gave up (the
   * maximum-likelihood estimate for exponential patience, those served counting as censored).
   * Null when too few gave up to tell: the model then assumes nobody does (Erlang C).
   */
  readonly patienceSec: number | null;
  readonly abandoned: number;
}

/**
 * The queue as the rollups measured it (docs/metrics.md): handleSecSum ÷ handleCount, and
 * waitSecSum ÷ handoffsAbandoned for the patience.
 *
 * @example
 * measureQueue(await rollups.range('2026-11-01', '2026-11-28'));
 */
export function measureQueue(rows: readonly RollupRow[]): MeasuredQueue {
  let handleSum = 0;
  let handled = 0;
  let waitSum = 0;
  let abandoned = 0;
  for (const { counters } of rows) {
    handleSum += counters.handleSecSum ?? 0;
    handled += counters.handleCount ?? 0;
    waitSum += counters.waitSecSum ?? 0;
    abandoned += counters.handoffsAbandoned ?? 0;
  }
  const measured = handled > 0 && handleSum > 0;
  return {
    handleSec: measured ? handleSum / handled : DEFAULT_HANDLE_SEC,
    handleSource: measured ? 'measured' : 'default',
    handled,
    patienceSec: abandoned >= MIN_ABANDONMENTS_FOR_PATIENCE && waitSum > 0 ? waitSum / abandoned : null,
    abandoned,
  };
}

/** The settings of the staffing model. */
export interface StaffingSettings {
  readonly target: ServiceTarget;
  /** Share of paid time not spent on contacts (0.3). */
  readonly shrinkage: number;
  /** Conversations one operator holds at once (each is a server of the model). */
  readonly chatsPerOperator: number;
  /**
   * Whether 020202 takes live chats in an hour (a Europe/Rome day and hour): outside its hours a
   * citizen who asks for a person leaves a written request, so no operator is needed then. Every
   * hour when not given.
   */
  readonly openHour?: (day: string, hour: number) => boolean;
}

/** Operators for one hour of one day. */
export interface StaffedHour {
  readonly day: string;
  readonly hour: number;
  /**
   * The contact centre is closed all this hour ({@link StaffingSettings.openHour}): its expected
   * handoffs become written requests, and it needs no operator.
   */
  readonly closed: boolean;
  /** Expected handoffs in the hour, with the forecast's interval. */
  readonly handoffs: number;
  readonly handoffsUpper: number;
  /** Chat slots that must be open to meet the target with the expected handoffs. */
  readonly slotsNeeded: number;
  /** Operators at their consoles: slots ÷ chats per operator, rounded up. */
  readonly operatorsOnDuty: number;
  /** Operators to roster once shrinkage is counted: what the plan is compared with. */
  readonly operatorsNeeded: number;
  /** The same at the forecast's upper bound. */
  readonly operatorsNeededUpper: number;
}

/**
 * Operators needed per hour for the forecast's handoffs: Erlang A when a patience was measured,
 * Erlang C otherwise; each operator counts as `chatsPerOperator` servers.
 *
 * @example
 * staffHours(forecast.handoffsByHour, measureQueue(rows), { target: { share: 0.85, withinSec: 30 }, shrinkage: 0.3, chatsPerOperator: 3 });
 */
export function staffHours(points: readonly HourlyPoint[], queue: MeasuredQueue, settings: StaffingSettings): StaffedHour[] {
  const chats = Math.max(1, Math.floor(settings.chatsPerOperator));
  const cache = slotsKept(queue, settings.target);
  const slotsFor = (handoffs: number): number => {
    const key = Math.round(handoffs * 1000) / 1000;
    let slots = cache.get(key);
    if (slots === undefined) {
      slots = key <= 0 ? 0 : serversForTarget({ arrivals: key, intervalSec: HOUR_SEC, handleSec: queue.handleSec, patienceSec: queue.patienceSec ?? undefined }, settings.target);
      if (cache.size >= MAX_KEPT_VOLUMES) cache.clear();
      cache.set(key, slots);
    }
    return slots;
  };
  const roster = (slots: number): number => withShrinkage(Math.ceil(slots / chats), settings.shrinkage);
  return points.map((point) => {
    const handoffs = Math.max(0, point.mean);
    const handoffsUpper = Math.max(handoffs, point.upper);
    const closed = settings.openHour ? !settings.openHour(point.day, point.hour) : false;
    if (closed) return { day: point.day, hour: point.hour, closed, handoffs, handoffsUpper, slotsNeeded: 0, operatorsOnDuty: 0, operatorsNeeded: 0, operatorsNeededUpper: 0 };
    const slotsNeeded = slotsFor(handoffs);
    return {
      day: point.day,
      hour: point.hour,
      closed,
      handoffs,
      handoffsUpper,
      slotsNeeded,
      operatorsOnDuty: Math.ceil(slotsNeeded / chats),
      operatorsNeeded: roster(slotsNeeded),
      operatorsNeededUpper: roster(slotsFor(handoffsUpper)),
    };
  });
}

/**
 * Chat slots needed per hourly volume, kept across calls for the same queue and target: many hours
 * share a volume (nights at 0, similar weekdays), and the staffing route, each communication of
 * the communications check (with and without its share) and the next day's forecast ask for the
 * same volumes again. Under Erlang A one search takes about 0.1 ms, so six weeks of distinct
 * volumes are 75-115 ms of the event loop; a kept volume is a map read. The queue measurement
 * changes once a day, so few queues are ever live.
 */
const slotsByQueue = new Map<string, Map<number, number>>();
const MAX_KEPT_QUEUES = 8;
const MAX_KEPT_VOLUMES = 100_000;

function slotsKept(queue: MeasuredQueue, target: ServiceTarget): Map<number, number> {
  const key = JSON.stringify([queue.handleSec, queue.patienceSec, target.share, target.withinSec]);
  let kept = slotsByQueue.get(key);
  if (!kept) {
    if (slotsByQueue.size >= MAX_KEPT_QUEUES) slotsByQueue.clear();
    kept = new Map();
    slotsByQueue.set(key, kept);
  }
  return kept;
}

/**
 * The service level a rostered number of operators would give in an hour (shrinkage taken off,
 * each operator `chatsPerOperator` servers); null when no handoff is expected.
 */
export function serviceLevelWith(operators: number, handoffs: number, queue: MeasuredQueue, settings: StaffingSettings): number | null {
  if (!(handoffs > 0)) return null;
  const servers = Math.floor(operators * (1 - settings.shrinkage)) * Math.max(1, Math.floor(settings.chatsPerOperator));
  return queueMetrics({ arrivals: handoffs, intervalSec: HOUR_SEC, handleSec: queue.handleSec, servers, targetSec: settings.target.withinSec, patienceSec: queue.patienceSec ?? undefined }).serviceLevel;
}

export type StaffingStatus = 'under' | 'well' | 'over' | 'no-plan';

/**
 * Planned against needed: under when fewer than needed; over when more than needed by more than
 * max(1, 20 % of needed) (one spare operator is cover, not waste); well staffed in between.
 *
 * @example
 * staffingStatus(5, 5); // 'well'
 * staffingStatus(4, 5); // 'under'
 * staffingStatus(8, 5); // 'over'
 */
export function staffingStatus(planned: number | null, needed: number): StaffingStatus {
  if (planned === null) return 'no-plan';
  if (planned < needed) return 'under';
  if (planned - needed > Math.max(1, Math.round(0.2 * needed))) return 'over';
  return 'well';
}

const QUARTER_MS = 15 * 60_000;
const HOUR_MS = 3_600_000;
const TIME_ZONE = 'Europe/Rome';

/**
 * {@link StaffingSettings.openHour} from the contact centre's calendar: an hour (Europe/Rome) is
 * open when the centre answers at any quarter of it (so 08:30-17:00 opens the hour from 8 and
 * the hour from 16). An hour that does not exist (02:00 on the day clocks go forward) is closed;
 * one that happens twice (02:00 on the day they go back) reads the same on the wall both times.
 *
 * @example
 * const openHour = officeHourOpen(parseOfficeHours('default'));
 * openHour('2026-12-07', 10) // false: Sant'Ambrogio
 * openHour('2026-12-09', 10) // true
 */
export function officeHourOpen(hours: OfficeHours): (day: string, hour: number) => boolean {
  if (hours.alwaysOpen) return () => true;
  return (day, hour) => {
    const [year, month, date] = day.split('-').map(Number) as [number, number, number];
    const start = zonedInstant(year, month, date, hour * 60, TIME_ZONE).getTime();
    // A skipped hour resolves to the next one: it has no quarter of its own.
    if (Number.isNaN(start) || romeHour(start) !== hour) return false;
    for (let at = start; at < start + HOUR_MS; at += QUARTER_MS) if (hours.isOpen(new Date(at))) return true;
    return false;
  };
}
