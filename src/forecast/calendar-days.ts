import { italianNationalHolidays } from '../handoff/italian-holidays';

const DAY_MS = 24 * 60 * 60 * 1000;
/** Milan's patron saint: the city's offices and 020202 close on 7 December. */
const SANT_AMBROGIO = '12-07';

/** Days since 1970-01-01 of a `YYYY-MM-DD` day (calendar arithmetic, no time zone involved). */
export function dayNumber(day: string): number {
  return Math.round(Date.parse(`${day}T00:00:00Z`) / DAY_MS);
}

/**
 * Whether `text` is a real calendar day written `YYYY-MM-DD` (Date.parse rolls 30 February over
 * to 2 March: a real day reads back as itself; it refuses 2026-13-01 outright).
 *
 * @example
 * isRealDay('2026-02-30'); // false
 */
export function isRealDay(text: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(text)) return false;
  // Month 13 or day 32 do not parse at all (NaN), and an invalid Date cannot be formatted.
  const n = dayNumber(text);
  return Number.isFinite(n) && dayOfNumber(n) === text;
}

/** The `YYYY-MM-DD` day of a day number. */
export function dayOfNumber(n: number): string {
  return new Date(n * DAY_MS).toISOString().slice(0, 10);
}

/**
 * The day `n` days after `day` (before it when negative).
 *
 * @example
 * addDays('2026-02-27', 2); // '2026-03-01'
 */
export function addDays(day: string, n: number): string {
  return dayOfNumber(dayNumber(day) + n);
}

/** The days from `from` to `to` inclusive; empty when `to` is before `from`. */
export function dayRange(from: string, to: string): string[] {
  const days: string[] = [];
  for (let n = dayNumber(from), end = dayNumber(to); n <= end; n += 1) days.push(dayOfNumber(n));
  return days;
}

/** Day of the week, Monday 0 to Sunday 6. */
export function weekday(day: string): number {
  return (new Date(`${day}T00:00:00Z`).getUTCDay() + 6) % 7;
}

/**
 * Whether the city's contact channels are closed that day: an Italian national holiday or
 * Sant'Ambrogio (7 December, Milan only).
 *
 * @example
 * isCityHoliday('2026-12-07'); // true
 */
export function isCityHoliday(day: string): boolean {
  const monthDay = day.slice(5);
  return monthDay === SANT_AMBROGIO || italianNationalHolidays(Number(day.slice(0, 4))).has(monthDay);
}
