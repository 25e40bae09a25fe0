/**
 * Wall-clock time in an IANA time zone, from the platform's Intl data (so daylight saving
 * switches follow the zone's rules, not a fixed offset).
 */

/** A calendar date and time of day as a clock on the wall of `timeZone` shows it. */
export interface WallClock {
  readonly year: number;
  /** 1-12 */
  readonly month: number;
  readonly day: number;
  /** 0-23 */
  readonly hour: number;
  readonly minute: number;
  readonly second: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/**
 * The wall clock of `timeZone` at the instant `at`.
 *
 * @example
 * wallClock(new Date('2026-07-01T06:00:00Z'), 'Europe/Rome'); // { year: 2026, month: 7, day: 1, hour: 8, minute: 0, second: 0 }
 */
export function wallClock(at: Date, timeZone: string): WallClock {
  const parts: Record<string, number> = {};
  for (const p of formatter(timeZone).formatToParts(at)) {
    if (p.type !== 'literal') parts[p.type] = Number(p.value);
  }
  const get = (type: string): number => {
    const value = parts[type];
    if (value === undefined || Number.isNaN(value)) throw new Error(`Intl gave no ${type} for ${at.toISOString()} in ${timeZone}`);
    return value;
  };
  return { year: get('year'), month: get('month'), day: get('day'), hour: get('hour'), minute: get('minute'), second: get('second') };
}

/** Milliseconds the zone's clock is ahead of UTC at the instant `ms`. */
function offsetAt(ms: number, timeZone: string): number {
  const whole = Math.floor(ms / 1000) * 1000;
  const w = wallClock(new Date(whole), timeZone);
  return Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second) - whole;
}

/**
 * The instant at which the clock of `timeZone` shows the given date and minute of the day.
 * A time skipped by a daylight saving switch resolves to the instant one hour later.
 *
 * @example
 * zonedInstant(2026, 12, 28, 8 * 60, 'Europe/Rome').toISOString(); // '2026-12-28T07:00:00.000Z'
 */
export function zonedInstant(year: number, month: number, day: number, minuteOfDay: number, timeZone: string): Date {
  const asIfUtc = Date.UTC(year, month - 1, day, 0, minuteOfDay);
  const first = asIfUtc - offsetAt(asIfUtc, timeZone);
  const second = asIfUtc - offsetAt(first, timeZone);
  return new Date(second);
}
