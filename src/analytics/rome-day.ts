/** The city's time zone: a conversation's day is its calendar day in Milan. */
export const TIME_ZONE = 'Europe/Rome';

const HOUR_MS = 60 * 60 * 1000;
const CACHE_LIMIT = 50_000;
const formatter = new Intl.DateTimeFormat('en-CA', { timeZone: TIME_ZONE, year: 'numeric', month: '2-digit', day: '2-digit' });
// Rome's offset from UTC is a whole number of hours, so its days start on UTC hour boundaries:
// one formatting per UTC hour is exact, and formatting is the slow part.
const byHour = new Map<number, string>();
const hourFormatter = new Intl.DateTimeFormat('en-GB', { timeZone: TIME_ZONE, hour: '2-digit', hourCycle: 'h23' });
const hourOfDay = new Map<number, number>();

/**
 * The Europe/Rome calendar day (`YYYY-MM-DD`) of an instant in epoch milliseconds.
 *
 * @example
 * romeDay(Date.parse('2026-03-31T22:30:00Z')) // '2026-04-01' (00:30 in Milan, summer time)
 */
export function romeDay(ms: number): string {
  const hour = Math.floor(ms / HOUR_MS);
  let day = byHour.get(hour);
  if (day === undefined) {
    const parts = formatter.formatToParts(new Date(hour * HOUR_MS));
    const part = (type: string): string => parts.find((p) => p.type === type)?.value ?? '';
    day = `${part('year')}-${part('month')}-${part('day')}`;
    if (byHour.size >= CACHE_LIMIT) byHour.clear();
    byHour.set(hour, day);
  }
  return day;
}

/**
 * The Europe/Rome hour of the day (0-23) of an instant in epoch milliseconds: on the day clocks
 * go back, 02:00-02:59 happens twice and both count as hour 2.
 *
 * @example
 * romeHour(Date.parse('2026-01-15T07:30:00Z')) // 8 (winter time, UTC+1)
 */
export function romeHour(ms: number): number {
  const hour = Math.floor(ms / HOUR_MS);
  let local = hourOfDay.get(hour);
  if (local === undefined) {
    local = Number(hourFormatter.formatToParts(new Date(hour * HOUR_MS)).find((p) => p.type === 'hour')?.value ?? 'NaN') % 24;
    if (hourOfDay.size >= CACHE_LIMIT) hourOfDay.clear();
    hourOfDay.set(hour, local);
  }
  return local;
}

/** The days from `from` to `to` inclusive (`YYYY-MM-DD`), in order. */
export function daysBetween(from: string, to: string): string[] {
  const days: string[] = [];
  const end = Date.parse(`${to}T00:00:00Z`);
  for (let t = Date.parse(`${from}T00:00:00Z`); t <= end; t += 24 * HOUR_MS) days.push(new Date(t).toISOString().slice(0, 10));
  return days;
}
