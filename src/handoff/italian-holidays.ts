/**
 * Italy's national public holidays (the days the 020202 contact centre is closed by law),
 * as `MM-DD` strings per year, cached once computed.
 */

const FIXED = ['01-01', '01-06', '04-25', '05-01', '06-02', '08-15', '11-01', '12-08', '12-25', '12-26'] as const;
/** San Francesco d'Assisi is a national holiday again from 2026 (legge 151/2025). */
const SAN_FRANCESCO = '10-04';
const SAN_FRANCESCO_FROM = 2026;

const cache = new Map<number, ReadonlySet<string>>();

function pad(n: number): string {
  return String(n).padStart(2, '0');
}

/**
 * Easter Sunday of a Gregorian year, by the anonymous Gregorian algorithm (Meeus/Jones/Butcher).
 *
 * @example
 * easterSunday(2026); // { month: 4, day: 5 }
 */
export function easterSunday(year: number): { month: number; day: number } {
  const a = year % 19;
  const b = Math.floor(year / 100);
  const c = year % 100;
  const d = Math.floor(b / 4);
  const e = b % 4;
  const f = Math.floor((b + 8) / 25);
  const g = Math.floor((b - f + 1) / 3);
  const h = (19 * a + b - d - g + 15) % 30;
  const i = Math.floor(c / 4);
  const k = c % 4;
  const l = (32 + 2 * e + 2 * i - h - k) % 7;
  const m = Math.floor((a + 11 * h + 22 * l) / 451);
  const n = h + l - 7 * m + 114;
  return { month: Math.floor(n / 31), day: (n % 31) + 1 };
}

/**
 * The national holidays of `year` as `MM-DD`: the fixed ones, Easter Monday, and 4 October from 2026.
 *
 * @example
 * italianNationalHolidays(2026).has('04-06'); // true: Easter Monday 2026
 */
export function italianNationalHolidays(year: number): ReadonlySet<string> {
  const cached = cache.get(year);
  if (cached) return cached;
  const easter = easterSunday(year);
  const monday = new Date(Date.UTC(year, easter.month - 1, easter.day + 1));
  const days = new Set<string>(FIXED);
  days.add(`${pad(monday.getUTCMonth() + 1)}-${pad(monday.getUTCDate())}`);
  if (year >= SAN_FRANCESCO_FROM) days.add(SAN_FRANCESCO);
  cache.set(year, days);
  return days;
}
