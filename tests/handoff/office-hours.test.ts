import { easterSunday, italianNationalHolidays } from '../../src/handoff/italian-holidays';
import { DEFAULT_OFFICE_HOURS_SPEC, parseOfficeHours } from '../../src/handoff/office-hours';

// Instants are written with Milan's UTC offset of the day: +01:00 in winter, +02:00 in summer
// (from the last Sunday of March to the last Sunday of October).
const at = (iso: string): Date => new Date(iso);

describe('office hours: the default calendar of the 020202 contact centre', () => {
  const hours = parseOfficeHours('default');

  test.each([
    ['a Wednesday morning', '2026-03-04T10:00+01:00', true],
    ['a Saturday morning', '2026-03-07T10:00+01:00', true],
    ['a Sunday morning', '2026-03-08T10:00+01:00', false],
    ['07:59 on a weekday', '2026-11-10T07:59+01:00', false],
    ['07:59:59 on a weekday', '2026-11-10T07:59:59+01:00', false],
    ['08:00 on a weekday', '2026-11-10T08:00+01:00', true],
    ['17:59 on a weekday', '2026-11-10T17:59+01:00', true],
    ['18:00 on a weekday', '2026-11-10T18:00+01:00', false],
    ['07:59 on a summer weekday', '2026-07-15T07:59+02:00', false],
    ['08:00 on a summer weekday', '2026-07-15T08:00+02:00', true],
    ['18:00 on a summer weekday', '2026-07-15T18:00+02:00', false],
    ['Easter Monday 2026 (6 April)', '2026-04-06T10:00+02:00', false],
    ['the Tuesday after Easter 2026', '2026-04-07T10:00+02:00', true],
    ['Easter Monday 2027 (29 March)', '2027-03-29T10:00+02:00', false],
    ['Sant\'Ambrogio (7 December 2026, a Monday)', '2026-12-07T10:00+01:00', false],
    ['the Immacolata (8 December 2026)', '2026-12-08T10:00+01:00', false],
    ['9 December 2026', '2026-12-09T10:00+01:00', true],
    ['New Year\'s Day 2027 (a Friday)', '2027-01-01T10:00+01:00', false],
    ['Epiphany 2027 (a Wednesday)', '2027-01-06T10:00+01:00', false],
    ['Liberation Day 2026 (a Saturday)', '2026-04-25T10:00+02:00', false],
    ['Republic Day 2026 (a Tuesday)', '2026-06-02T10:00+02:00', false],
    ['Ferragosto 2026 (a Saturday)', '2026-08-15T10:00+02:00', false],
    ['San Francesco 2027 (4 October, a Monday)', '2027-10-04T10:00+02:00', false],
    ['4 October 2025, before San Francesco was restored (a Saturday)', '2025-10-04T10:00+02:00', true],
    ['Santo Stefano 2026 (a Saturday)', '2026-12-26T10:00+01:00', false],
    ['the Monday after the spring DST switch, 07:59', '2026-03-30T07:59+02:00', false],
    ['the Monday after the spring DST switch, 08:00', '2026-03-30T08:00+02:00', true],
    ['the Monday after the autumn DST switch, 07:59', '2026-10-26T07:59+01:00', false],
    ['the Monday after the autumn DST switch, 08:00', '2026-10-26T08:00+01:00', true],
  ])('%s (%s) is open: %s', (_what, iso, open) => {
    expect(hours.isOpen(at(iso))).toBe(open);
  });

  test('from Saturday evening the next opening is Monday 08:00 in Milan', () => {
    expect(hours.nextOpening(at('2026-03-07T19:00+01:00'))).toEqual(at('2026-03-09T08:00+01:00'));
  });

  test('from the evening of 24 December 2026 the next opening skips Christmas and Santo Stefano (a Saturday) to Monday 28 December', () => {
    expect(hours.nextOpening(at('2026-12-24T19:00+01:00'))).toEqual(at('2026-12-28T08:00+01:00'));
  });

  test('across the DST switches the next opening is 08:00 on the new clock', () => {
    expect(hours.nextOpening(at('2026-03-28T18:30+01:00'))).toEqual(at('2026-03-30T08:00+02:00'));
    expect(hours.nextOpening(at('2026-03-29T01:30+01:00'))).toEqual(at('2026-03-30T08:00+02:00'));
    expect(hours.nextOpening(at('2026-10-24T19:00+02:00'))).toEqual(at('2026-10-26T08:00+01:00'));
    expect(hours.nextOpening(at('2026-10-25T02:30+01:00'))).toEqual(at('2026-10-26T08:00+01:00'));
  });

  test('before opening on a working day the next opening is 08:00 the same day; while open it is now', () => {
    expect(hours.nextOpening(at('2026-11-10T06:15+01:00'))).toEqual(at('2026-11-10T08:00+01:00'));
    expect(hours.nextOpening(at('2026-11-10T12:34:56+01:00'))).toEqual(at('2026-11-10T12:34:56+01:00'));
    expect(hours.nextOpening(at('2026-11-10T18:00+01:00'))).toEqual(at('2026-11-11T08:00+01:00'));
  });

  test('from the eve of Easter Monday 2027 the next opening is Tuesday', () => {
    expect(hours.nextOpening(at('2027-03-27T18:00+01:00'))).toEqual(at('2027-03-30T08:00+02:00'));
  });

  test('describes itself to citizens in Italian and English', () => {
    expect(hours.describe('it')).toBe('dal lunedì al sabato, 8-18, festivi esclusi');
    expect(hours.describe('en')).toBe('Monday to Saturday, 8 am to 6 pm, except public holidays');
    expect(hours.alwaysOpen).toBe(false);
  });

  test('"default" is the documented spec', () => {
    const spelled = parseOfficeHours(DEFAULT_OFFICE_HOURS_SPEC);
    for (const iso of ['2026-12-07T10:00+01:00', '2026-12-09T10:00+01:00', '2026-03-08T10:00+01:00']) {
      expect(spelled.isOpen(at(iso))).toBe(hours.isOpen(at(iso)));
    }
  });
});

describe('office hours: other specs', () => {
  test('"always" is open at every instant, has no next opening and says so', () => {
    const always = parseOfficeHours(' Always ');
    expect(always.alwaysOpen).toBe(true);
    expect(always.isOpen(at('2026-12-25T03:00+01:00'))).toBe(true);
    expect(always.nextOpening(at('2026-12-25T03:00+01:00'))).toBeNull();
    expect(always.describe('it')).toBe('sempre aperto');
    expect(always.describe('en')).toBe('always open');
  });

  test('split hours, a short Saturday, extra closing days and no national holidays', () => {
    const hours = parseOfficeHours('mon-fri 08:30-12:30, 14:00-17:00; sat 09:00-12:00; closed 12-07, 2026-08-14; holidays none');
    expect(hours.isOpen(at('2026-11-10T12:29+01:00'))).toBe(true);
    expect(hours.isOpen(at('2026-11-10T13:00+01:00'))).toBe(false);
    expect(hours.nextOpening(at('2026-11-10T13:00+01:00'))).toEqual(at('2026-11-10T14:00+01:00'));
    expect(hours.isOpen(at('2026-11-14T11:00+01:00'))).toBe(true);
    expect(hours.isOpen(at('2026-11-14T12:00+01:00'))).toBe(false);
    expect(hours.isOpen(at('2026-08-14T10:00+02:00'))).toBe(false);
    expect(hours.isOpen(at('2027-08-14T10:00+02:00'))).toBe(true);
    expect(hours.isOpen(at('2026-04-06T10:00+02:00'))).toBe(true);
    expect(hours.isOpen(at('2026-12-07T10:00+01:00'))).toBe(false);
    expect(hours.describe('it')).toBe('dal lunedì al venerdì, 8.30-12.30 e 14-17; il sabato, 9-12');
    expect(hours.describe('en')).toBe('Monday to Friday, 8:30 am to 12:30 pm and 2 pm to 5 pm; Saturday, 9 am to 12 pm');
  });

  test('on the DST switch Sundays the hours follow the wall clock', () => {
    const hours = parseOfficeHours('mon-sun 08:00-18:00; holidays none');
    expect(hours.isOpen(at('2026-03-29T07:59+02:00'))).toBe(false);
    expect(hours.isOpen(at('2026-03-29T08:00+02:00'))).toBe(true);
    expect(hours.isOpen(at('2026-03-29T17:59+02:00'))).toBe(true);
    expect(hours.isOpen(at('2026-03-29T18:00+02:00'))).toBe(false);
    expect(hours.nextOpening(at('2026-03-29T01:59+01:00'))).toEqual(at('2026-03-29T08:00+02:00'));
    expect(hours.isOpen(at('2026-10-25T07:59+01:00'))).toBe(false);
    expect(hours.isOpen(at('2026-10-25T08:00+01:00'))).toBe(true);
    expect(hours.isOpen(at('2026-10-25T17:59+01:00'))).toBe(true);
    expect(hours.isOpen(at('2026-10-25T18:00+01:00'))).toBe(false);
    expect(hours.nextOpening(at('2026-10-25T02:30+02:00'))).toEqual(at('2026-10-25T08:00+01:00'));
  });

  test('Sunday is described with its feminine article', () => {
    expect(parseOfficeHours('sat-sun 10:00-13:00').describe('it')).toBe('dal sabato alla domenica, 10-13, festivi esclusi');
    expect(parseOfficeHours('sun 10:00-24:00; holidays none').describe('it')).toBe('la domenica, 10-24');
    expect(parseOfficeHours('sun 00:00-24:00; holidays none').describe('en')).toBe('Sunday, midnight to midnight');
  });

  test('with no opening within 400 days, nextOpening is null', () => {
    const everyDay: string[] = [];
    for (let d = new Date(Date.UTC(2024, 0, 1)); d.getUTCFullYear() === 2024; d.setUTCDate(d.getUTCDate() + 1)) {
      everyDay.push(d.toISOString().slice(5, 10));
    }
    const hours = parseOfficeHours(`mon-sun 08:00-18:00; closed ${everyDay.join(',')}`);
    expect(hours.nextOpening(at('2026-11-10T10:00+01:00'))).toBeNull();
  });

  test.each([
    ['', /empty/],
    ['mon-sat', /"mon-sat" needs an argument/],
    ['mon-sat 8-18', /"8" is not a time from 00:00 to 24:00/],
    ['mon-sat 08:00-25:00', /"25:00" is not a time/],
    ['mon-sat 08:00-08:60', /"08:60" is not a time/],
    ['mon-sat 18:00-08:00', /"18:00-08:00" ends before it starts/],
    ['mon-sat 08:00-13:00,12:00-18:00', /overlap/],
    ['mon-sat 08:00to18:00', /"08:00to18:00" is not a time range/],
    ['sat-mon 08:00-18:00', /"sat-mon" runs backwards/],
    ['funday 08:00-18:00', /"funday" is not a day/],
    ['mon-sat 08:00-18:00; sat 09:00-12:00', /sat is given more than once/],
    ['mon-sat 08:00-18:00; closed 02-30', /"02-30" is not a date/],
    ['mon-sat 08:00-18:00; closed 2027-02-29', /"2027-02-29" is not a date/],
    ['mon-sat 08:00-18:00;', /empty clause/],
    ['mon-sat 08:00-18:00; holidays fr', /holidays is "it" or "none"/],
    ['closed 12-07', /no opening hours/],
    ['always; closed 12-07', /"always" must be the whole spec/],
  ])('"%s" is refused, naming the bad part', (spec, message) => {
    expect(() => parseOfficeHours(spec)).toThrow(message);
    expect(() => parseOfficeHours(spec)).toThrow(/^invalid office hours "/);
  });

  test('closed 02-29 is a valid yearly date', () => {
    expect(parseOfficeHours('mon-sun 08:00-18:00; closed 02-29').isOpen(at('2028-02-29T10:00+01:00'))).toBe(false);
  });
});

describe('Italian national holidays', () => {
  test.each([
    [2024, 3, 31],
    [2025, 4, 20],
    [2026, 4, 5],
    [2027, 3, 28],
    [2038, 4, 25],
    [2285, 3, 22],
  ])('Easter %i is on %i/%i', (year, month, day) => {
    expect(easterSunday(year)).toEqual({ month, day });
  });

  test('2026 has twelve national holidays including Easter Monday and San Francesco', () => {
    expect([...italianNationalHolidays(2026)].sort()).toEqual(['01-01', '01-06', '04-06', '04-25', '05-01', '06-02', '08-15', '10-04', '11-01', '12-08', '12-25', '12-26']);
    expect(italianNationalHolidays(2025).has('10-04')).toBe(false);
    expect(italianNationalHolidays(2027).has('03-29')).toBe(true);
  });
});
