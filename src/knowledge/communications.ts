import { romeDay } from '../analytics/rome-day';
import { lastActiveDay, type Communication } from './communication-schema';
import type { Language } from './topic-schema';

/** Most notices under one answer: more would bury the answer itself. */
export const MAX_NOTICES = 2;
/** Most communications the greeting mentions. */
export const MAX_GREETING_NOTICES = 2;
/**
 * The recognition prior of a topic with an active communication: candidates are ranked by
 * confidence times this. 1.15 lets it pass another topic only when the other is less than 15 %
 * more likely (0.38 passes 0.40, not 0.45): a tie-break, never an override.
 */
export const ACTIVE_PRIOR = 1.15;

/**
 * The city's communications calendar as the bot reads it: which communications are active on a
 * Europe/Rome day, the notices of a topic, its recognition prior. Built once per knowledge-base
 * load; each question is a lookup by topic plus a scan of that topic's few communications.
 *
 * @example
 * const calendar = new CommunicationsCalendar(communications);
 * calendar.noticesFor('imu', 'it', '2026-12-05').map((c) => c.id); // ['imu-saldo-2026']
 */
export class CommunicationsCalendar {
  private readonly byTopic: ReadonlyMap<string, readonly Communication[]>;

  constructor(readonly communications: readonly Communication[] = []) {
    const byTopic = new Map<string, Communication[]>();
    for (const c of communications) for (const topicId of new Set(c.topics)) byTopic.set(topicId, [...(byTopic.get(topicId) ?? []), c]);
    for (const list of byTopic.values()) list.sort(mostRecentEffectiveFirst);
    this.byTopic = byTopic;
  }

  get size(): number {
    return this.communications.length;
  }

  /** The communications active on `today` (`YYYY-MM-DD`, Rome day): published <= today <= last active day; most recent effective first. */
  active(today: string): Communication[] {
    return this.communications.filter((c) => isActive(c, today)).sort(mostRecentEffectiveFirst);
  }

  /**
   * The communications whose notices an answer of `topicId` carries on `today`: the topic's active
   * ones, most recent effective first, one per notice text in `language`, at most {@link MAX_NOTICES}
   * (twins are dropped before the cap, so that they never hide a third, different notice).
   */
  noticesFor(topicId: string, language: Language, today: string): Communication[] {
    const seen = new Set<string>();
    return (this.byTopic.get(topicId) ?? [])
      .filter((c) => isActive(c, today) && !seen.has(c.notice[language]) && seen.add(c.notice[language]))
      .slice(0, MAX_NOTICES);
  }

  /** The topic's recognition prior on `today`: {@link ACTIVE_PRIOR} while one of its communications is active, 1 otherwise. */
  prior(topicId: string, today: string): number {
    return (this.byTopic.get(topicId) ?? []).some((c) => isActive(c, today)) ? ACTIVE_PRIOR : 1;
  }

  /**
   * What the greeting mentions: the active communications whose day is nearest (a deadline in two
   * days before one in a month, then windows already running), at most {@link MAX_GREETING_NOTICES}.
   */
  forGreeting(today: string): Communication[] {
    const coming = (c: Communication) => c.effective >= today;
    return this.active(today)
      .sort((a, b) => {
        if (coming(a) !== coming(b)) return coming(a) ? -1 : 1;
        return (coming(a) ? a.effective.localeCompare(b.effective) : b.effective.localeCompare(a.effective)) || a.id.localeCompare(b.id);
      })
      .slice(0, MAX_GREETING_NOTICES);
  }
}

/** Whether `c` is active on the Rome day `today`. */
export function isActive(c: Communication, today: string): boolean {
  return c.published <= today && today <= lastActiveDay(c);
}

/** The Europe/Rome day of an instant: what "today" means for the calendar. */
export function calendarDay(at: Date): string {
  return romeDay(at.getTime());
}

function mostRecentEffectiveFirst(a: Communication, b: Communication): number {
  return b.effective.localeCompare(a.effective) || b.published.localeCompare(a.published) || a.id.localeCompare(b.id);
}
