import { italianNationalHolidays } from './italian-holidays';
import { wallClock, zonedInstant } from './zoned-time';

/**
 * When the 020202 contact centre answers, so that the bot offers an operator only while one
 * can answer and otherwise says when it reopens.
 *
 * Spec grammar (case-insensitive; clauses separated by `;`, in any order):
 *
 * - `always`: open at every instant (demos and tests); nothing else may follow.
 * - `default`: the contact centre's own hours, {@link DEFAULT_OFFICE_HOURS_SPEC}.
 * - `<days> <ranges>`: opening hours on those days. `<days>` is a day (`mon tue wed thu fri
 *   sat sun`), a span within one week (`mon-sat`; `sat-mon` is refused) or a comma list of
 *   both (`mon-wed,fri`); `<ranges>` is one or more `HH:MM-HH:MM` separated by commas, from
 *   00:00 to 24:00, each starting before it ends (`08:00-12:30,14:00-18:00`). A day may
 *   appear in one clause only.
 * - `closed <dates>`: extra closing days, comma separated: `MM-DD` every year, `YYYY-MM-DD`
 *   once (`closed 12-07, 2026-08-14`).
 * - `holidays it` (the default) or `holidays none`: closed, or not, on Italy's national
 *   holidays (see `italian-holidays.ts`).
 *
 * Times are wall-clock times in Europe/Rome: 08:00 is 08:00 in Milan in winter and in summer.
 */

/** The contact centre's hours: Monday to Saturday 8-18, closed on national holidays and on Sant'Ambrogio. */
export const DEFAULT_OFFICE_HOURS_SPEC = 'mon-sat 08:00-18:00; holidays it; closed 12-07';

const TIME_ZONE = 'Europe/Rome';
/** How far {@link OfficeHours.nextOpening} looks ahead before it gives up. */
const SEARCH_DAYS = 400;
const DAY_CODES = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
const DAYS_IT = ['lunedì', 'martedì', 'mercoledì', 'giovedì', 'venerdì', 'sabato', 'domenica'] as const;
const DAYS_EN = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'] as const;

/** Opening hours as a calendar: which instants the contact centre answers. */
export interface OfficeHours {
  /** True for the `always` spec. */
  readonly alwaysOpen: boolean;
  /** Whether the centre answers at the instant `at`. */
  isOpen(at: Date): boolean;
  /**
   * The earliest instant at or after `at` when the centre is open: `at` itself while open,
   * else the start of the next opening; null for `always`, or if none within 400 days.
   */
  nextOpening(at: Date): Date | null;
  /** The weekly hours in words for citizens, e.g. `dal lunedì al sabato, 8-18, festivi esclusi`. */
  describe(language: 'it' | 'en'): string;
}

interface TimeRange {
  /** Minutes after midnight, start inclusive. */
  readonly start: number;
  /** Minutes after midnight, end exclusive. */
  readonly end: number;
}

interface Calendar {
  /** Index 0 is Monday. */
  readonly week: readonly (readonly TimeRange[])[];
  readonly holidays: boolean;
  /** `MM-DD` */
  readonly closedEveryYear: ReadonlySet<string>;
  /** `YYYY-MM-DD` */
  readonly closedOnce: ReadonlySet<string>;
}

function fail(spec: string, problem: string): never {
  throw new Error(`invalid office hours "${spec}": ${problem}`);
}

const pad = (n: number): string => String(n).padStart(2, '0');

function parseDays(spec: string, text: string): number[] {
  const days: number[] = [];
  for (const part of text.split(',')) {
    const [from, to, extra] = part.split('-');
    const start = DAY_CODES.indexOf(from as (typeof DAY_CODES)[number]);
    const end = to === undefined ? start : DAY_CODES.indexOf(to as (typeof DAY_CODES)[number]);
    if (extra !== undefined || start < 0 || end < 0) {
      fail(spec, `"${part}" is not a day or a span of days (use mon tue wed thu fri sat sun, e.g. mon-sat)`);
    }
    if (end < start) fail(spec, `"${part}" runs backwards: a span goes from Monday towards Sunday (e.g. mon-sat)`);
    for (let d = start; d <= end; d++) days.push(d);
  }
  return days;
}

function parseTime(spec: string, text: string): number {
  const match = /^(\d{2}):(\d{2})$/.exec(text);
  const hours = Number(match?.[1]);
  const minutes = Number(match?.[2]);
  if (!match || minutes > 59 || hours > 24 || (hours === 24 && minutes > 0)) fail(spec, `"${text}" is not a time from 00:00 to 24:00 (HH:MM)`);
  return hours * 60 + minutes;
}

function parseRanges(spec: string, text: string): TimeRange[] {
  const ranges = text.split(',').map((part) => {
    const [from, to, extra] = part.split('-');
    if (from === undefined || to === undefined || extra !== undefined) fail(spec, `"${part}" is not a time range (HH:MM-HH:MM, e.g. 08:00-18:00)`);
    const range = { start: parseTime(spec, from), end: parseTime(spec, to) };
    if (range.start >= range.end) fail(spec, `"${part}" ends before it starts (ranges cannot cross midnight)`);
    return range;
  });
  ranges.sort((a, b) => a.start - b.start);
  for (let i = 1; i < ranges.length; i++) {
    if (ranges[i]!.start < ranges[i - 1]!.end) fail(spec, `the ranges in "${text}" overlap`);
  }
  return ranges;
}

function parseClosedDate(spec: string, text: string, calendar: { closedEveryYear: Set<string>; closedOnce: Set<string> }): void {
  const match = /^(?:(\d{4})-)?(\d{2})-(\d{2})$/.exec(text);
  const year = match?.[1] === undefined ? 2024 : Number(match[1]); // 2024 is a leap year: 02-29 is a valid yearly date
  const month = Number(match?.[2]);
  const day = Number(match?.[3]);
  const probe = new Date(Date.UTC(year, month - 1, day));
  if (!match || probe.getUTCFullYear() !== year || probe.getUTCMonth() !== month - 1 || probe.getUTCDate() !== day) {
    fail(spec, `"${text}" is not a date (MM-DD every year, or YYYY-MM-DD once)`);
  }
  if (match[1] === undefined) calendar.closedEveryYear.add(`${match[2]}-${match[3]}`);
  else calendar.closedOnce.add(text);
}

function parseCalendar(spec: string): Calendar {
  const week: TimeRange[][] = DAY_CODES.map(() => []);
  const seen = new Set<number>();
  const closed = { closedEveryYear: new Set<string>(), closedOnce: new Set<string>() };
  let holidays = true;
  for (const raw of spec.split(';')) {
    const clause = raw.trim().toLowerCase().replace(/\s+/g, ' ').replace(/ ?([,-]) ?/g, '$1');
    if (!clause) fail(spec, 'empty clause (two ";" in a row, or one at the end)');
    if (clause === 'always' || clause === 'default') fail(spec, `"${clause}" must be the whole spec`);
    const space = clause.indexOf(' ');
    if (space < 0) fail(spec, `"${clause}" needs an argument (e.g. "mon-sat 08:00-18:00", "closed 12-07", "holidays it")`);
    const head = clause.slice(0, space);
    const rest = clause.slice(space + 1);
    if (head === 'holidays') {
      if (rest !== 'it' && rest !== 'none') fail(spec, `"${clause}": holidays is "it" or "none"`);
      holidays = rest === 'it';
    } else if (head === 'closed') {
      for (const date of rest.split(',')) parseClosedDate(spec, date, closed);
    } else {
      const days = parseDays(spec, head);
      const ranges = parseRanges(spec, rest);
      for (const day of days) {
        if (seen.has(day)) fail(spec, `${DAY_CODES[day]} is given more than once`);
        seen.add(day);
        week[day] = ranges;
      }
    }
  }
  if (seen.size === 0) fail(spec, 'no opening hours (add a clause such as "mon-sat 08:00-18:00", or use "always")');
  return { week, holidays, ...closed };
}

/** Monday 0 ... Sunday 6, for a calendar date. */
function weekdayIndex(year: number, month: number, day: number): number {
  return (new Date(Date.UTC(year, month - 1, day)).getUTCDay() + 6) % 7;
}

function isClosedDay(calendar: Calendar, year: number, month: number, day: number): boolean {
  const monthDay = `${pad(month)}-${pad(day)}`;
  return (
    calendar.closedEveryYear.has(monthDay) ||
    calendar.closedOnce.has(`${year}-${monthDay}`) ||
    (calendar.holidays && italianNationalHolidays(year).has(monthDay))
  );
}

function formatTime(minutes: number, language: 'it' | 'en'): string {
  const h = Math.floor(minutes / 60);
  const m = minutes % 60;
  if (language === 'it') return m === 0 ? String(h) : `${h}.${pad(m)}`;
  if (h === 0 || h === 24) return m === 0 ? 'midnight' : `12:${pad(m)} am`;
  const clock = h % 12 === 0 ? 12 : h % 12;
  return `${m === 0 ? clock : `${clock}:${pad(m)}`} ${h < 12 ? 'am' : 'pm'}`;
}

function describeRanges(ranges: readonly TimeRange[], language: 'it' | 'en'): string {
  const parts = ranges.map((r) => (language === 'it' ? `${formatTime(r.start, 'it')}-${formatTime(r.end, 'it')}` : `${formatTime(r.start, 'en')} to ${formatTime(r.end, 'en')}`));
  return parts.join(language === 'it' ? ' e ' : ' and ');
}

function describeDays(first: number, last: number, language: 'it' | 'en'): string {
  if (language === 'en') return first === last ? DAYS_EN[first]! : `${DAYS_EN[first]} to ${DAYS_EN[last]}`;
  // Sunday (index 6) is the one feminine day: "la domenica", "alla domenica".
  if (first === last) return `${first === 6 ? 'la' : 'il'} ${DAYS_IT[first]}`;
  return `dal ${DAYS_IT[first]} ${last === 6 ? 'alla' : 'al'} ${DAYS_IT[last]}`;
}

function describeCalendar(calendar: Calendar, language: 'it' | 'en'): string {
  const groups: string[] = [];
  const same = (a: readonly TimeRange[], b: readonly TimeRange[]): boolean => a.length === b.length && a.every((r, i) => r.start === b[i]!.start && r.end === b[i]!.end);
  for (let first = 0; first < 7; first++) {
    const ranges = calendar.week[first]!;
    if (ranges.length === 0) continue;
    let last = first;
    while (last + 1 < 7 && same(calendar.week[last + 1]!, ranges)) last++;
    groups.push(`${describeDays(first, last, language)}, ${describeRanges(ranges, language)}`);
    first = last;
  }
  const text = groups.join('; ');
  if (!calendar.holidays) return text;
  return `${text}, ${language === 'it' ? 'festivi esclusi' : 'except public holidays'}`;
}

class CalendarOfficeHours implements OfficeHours {
  readonly alwaysOpen = false;
  constructor(private readonly calendar: Calendar) {}

  isOpen(at: Date): boolean {
    const w = wallClock(at, TIME_ZONE);
    if (isClosedDay(this.calendar, w.year, w.month, w.day)) return false;
    const minute = w.hour * 60 + w.minute + w.second / 60;
    return this.calendar.week[weekdayIndex(w.year, w.month, w.day)]!.some((r) => r.start <= minute && minute < r.end);
  }

  nextOpening(at: Date): Date | null {
    const now = wallClock(at, TIME_ZONE);
    const nowMinute = now.hour * 60 + now.minute + now.second / 60;
    for (let offset = 0; offset <= SEARCH_DAYS; offset++) {
      const date = new Date(Date.UTC(now.year, now.month - 1, now.day + offset));
      const [year, month, day] = [date.getUTCFullYear(), date.getUTCMonth() + 1, date.getUTCDate()];
      if (isClosedDay(this.calendar, year, month, day)) continue;
      for (const range of this.calendar.week[weekdayIndex(year, month, day)]!) {
        if (offset === 0 && range.end <= nowMinute) continue;
        if (offset === 0 && range.start <= nowMinute) return new Date(at.getTime());
        return zonedInstant(year, month, day, range.start, TIME_ZONE);
      }
    }
    return null;
  }

  describe(language: 'it' | 'en'): string {
    return describeCalendar(this.calendar, language);
  }
}

const ALWAYS: OfficeHours = Object.freeze({
  alwaysOpen: true,
  isOpen: () => true,
  nextOpening: () => null,
  describe: (language: 'it' | 'en') => (language === 'it' ? 'sempre aperto' : 'always open'),
});

/**
 * Office hours from a spec (grammar above); throws an Error that quotes the spec and names the bad part.
 *
 * @example
 * const hours = parseOfficeHours('default');
 * hours.isOpen(new Date('2026-03-30T07:30:00Z')); // true: Monday 09:30 in Milan
 * hours.describe('it'); // 'dal lunedì al sabato, 8-18, festivi esclusi'
 * parseOfficeHours('mon-fri 08:30-12:30,14:00-17:00; sat 09:00-12:00; closed 12-07, 2026-08-14');
 */
export function parseOfficeHours(spec: string): OfficeHours {
  const trimmed = spec.trim().toLowerCase();
  if (trimmed === '') fail(spec, 'empty (use "default", "always" or e.g. "mon-sat 08:00-18:00")');
  if (trimmed === 'always') return ALWAYS;
  return new CalendarOfficeHours(parseCalendar(trimmed === 'default' ? DEFAULT_OFFICE_HOURS_SPEC : spec));
}
