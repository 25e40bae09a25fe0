import { lastActiveDay, type Communication } from '../knowledge/communication-schema';
import { dayNumber } from './calendar-days';

/**
 * The windows around a communication whose effect the regression learns, one coefficient per
 * communication kind and window. Offsets are days from the anchor, both ends included.
 * `shape` is the share of a planner's `expectedUplift` applied in that window (1 on the day it
 * bites), so that a planner's single figure becomes a rise, a peak and a decay.
 */
export interface EffectWindow {
  readonly name: string;
  readonly anchor: 'effective' | 'published' | 'active';
  readonly from: number;
  readonly to: number;
  readonly shape: number;
}

export const EFFECT_WINDOWS: readonly EffectWindow[] = [
  { name: 'e-14', anchor: 'effective', from: -14, to: -8, shape: 0.15 },
  { name: 'e-7', anchor: 'effective', from: -7, to: -4, shape: 0.35 },
  { name: 'e-3', anchor: 'effective', from: -3, to: -1, shape: 0.7 },
  { name: 'e0', anchor: 'effective', from: 0, to: 0, shape: 1 },
  { name: 'e+1', anchor: 'effective', from: 1, to: 3, shape: 0.5 },
  { name: 'e+4', anchor: 'effective', from: 4, to: 7, shape: 0.2 },
  // Letters arrive over several days after they are mailed and citizens call as they open them.
  { name: 'p0', anchor: 'published', from: 0, to: 3, shape: 0.5 },
  { name: 'p4', anchor: 'published', from: 4, to: 10, shape: 0.3 },
  // A window that stays open (an enrolment period, a closure) beyond the week after it starts.
  { name: 'active', anchor: 'active', from: 8, to: Number.POSITIVE_INFINITY, shape: 0.4 },
];

/** A planner's `expectedUplift` u on a day of window `w`: 1 + u x shape, never below 0. */
export function plannerFactor(uplift: number, w: EffectWindow): number {
  return Math.max(0, 1 + uplift * w.shape);
}

/** Whether a communication's `published` day gets windows of its own: letters, which arrive. */
export function hasPublishedWindows(c: Communication): boolean {
  return c.kind === 'tax-letters' || c.channels.includes('letter');
}

/** The feature name of a kind's window: `tax-letters:e0`. */
export function effectName(kind: string, window: EffectWindow): string {
  return `${kind}:${window.name}`;
}

/**
 * The windows of `c` that contain `day` (a day number), as feature names with their window.
 * Published windows stop where the effective ones start, so one day is not counted twice for
 * the same letter.
 */
export function windowsOn(c: Communication, day: number): EffectWindow[] {
  const effective = dayNumber(c.effective);
  const published = dayNumber(c.published);
  const last = dayNumber(lastActiveDay(c));
  const found: EffectWindow[] = [];
  for (const w of EFFECT_WINDOWS) {
    if (w.anchor === 'effective') {
      const offset = day - effective;
      if (offset >= w.from && offset <= w.to) found.push(w);
    } else if (w.anchor === 'published') {
      if (!hasPublishedWindows(c) || day >= effective - 14) continue;
      const offset = day - published;
      if (offset >= w.from && offset <= w.to) found.push(w);
    } else if (day <= last) {
      const offset = day - effective;
      if (offset >= w.from && offset <= w.to) found.push(w);
    }
  }
  return found;
}

/** The communications that concern any of `topics` (all of them when `topics` is null). */
export function communicationsFor(calendar: readonly Communication[], topics: readonly string[] | null): Communication[] {
  if (topics === null) return [...calendar];
  const wanted = new Set(topics);
  return calendar.filter((c) => c.topics.some((t) => wanted.has(t)));
}

/** First and last day number any window of `c` can touch. */
export function windowSpan(c: Communication): { first: number; last: number } {
  const effective = dayNumber(c.effective);
  const first = Math.min(effective - 14, hasPublishedWindows(c) ? dayNumber(c.published) : effective);
  return { first, last: Math.max(effective + 7, dayNumber(lastActiveDay(c))) };
}
