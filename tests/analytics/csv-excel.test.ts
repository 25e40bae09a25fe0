// The monthly 020202 table as files: CSV in the dialect Excel reads on an Italian system, byte
// for byte, and an XLSX workbook that opens (unzipped with fflate) with the figures in its sheet.
import { strFromU8, unzipSync } from 'fflate';
import { excelCsv } from '../../src/analytics/csv';
import { daysBetween } from '../../src/analytics/rome-day';
import { monthlyCsv, monthlyTableRows, monthlyXlsx } from '../../src/analytics/monthly-export';
import { summarize } from '../../src/analytics/summary';
import type { RollupRow } from '../../src/storage/ports';

function day(date: string, scale = 1): RollupRow {
  return {
    key: { day: date, channel: 'directline', language: 'it', topicId: null },
    counters: {
      conversations: 11 * scale, engaged: 10 * scale, resolvedAssumed: 4 * scale, referred: 1 * scale, escalated: 2 * scale, abandoned: 1 * scale,
      tickets: 1 * scale, unresolved: 1 * scale, handoffsQueued: 3 * scale, waitSecSum: 95.5 * scale, waitCount: 1 * scale,
    },
  };
}

// February and March 2026; last year only from 20 March 2025 (a partial base for March).
const summary = summarize(daysBetween('2026-01-01', '2026-03-31').map((d) => day(d)), [], {
  from: '2026-02-01', to: '2026-03-31', today: '2026-04-02', topicTitle: () => null,
  previousYearRows: daysBetween('2025-03-20', '2025-03-31').map((d) => day(d, 0.5)),
});

describe('excelCsv', () => {
  test('BOM, semicolons, decimal comma, CRLF, and RFC 4180 quoting of a title with a quote', () => {
    const csv = excelCsv([
      ['Mese', 'Risposte "ufficiali"', 'a;b', 'due\nrighe'],
      ['Marzo 2026', 1234.5, -3.25, null],
      [true, false, 0, ''],
    ]);
    const expected = '\uFEFFMese;"Risposte ""ufficiali""";"a;b";"due\nrighe"\r\nMarzo 2026;1234,5;-3,25;\r\nsì;no;0;\r\n';
    expect(csv.equals(Buffer.from(expected, 'utf8'))).toBe(true);
    expect([...csv.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect(csv.toString('utf8')).toContain('sì'); // UTF-8, not Latin-1
  });
});

describe('the monthly table exported', () => {
  test('the CSV is the table: header, months, total, year to date', () => {
    const lines = monthlyCsv(summary).toString('utf8').slice(1).split('\r\n');
    expect(lines.pop()).toBe('');
    expect(lines).toHaveLength(5);
    expect(lines[0]).toBe(
      'Mese;Entrate;Risolte dal bot;di cui indirizzate ad altri enti;Risolte da operatore;Abbandonate;Dirottate a richiesta scritta;Non risolte;Richieste di operatore in coda;Attesa media (s);Gestione media (s);' +
        'Giorni confrontati con l’anno precedente;Base parziale;Variazione % Entrate;Variazione % Risolte dal bot;Variazione % di cui indirizzate ad altri enti;Variazione % Risolte da operatore;' +
        'Variazione % Abbandonate;Variazione % Dirottate a richiesta scritta;Variazione % Non risolte;Variazione % Richieste di operatore in coda;Variazione % Attesa media;Variazione % Gestione media',
    );
    // February: 28 days, no base at all.
    expect(lines[1]).toBe('Febbraio 2026;280;140;28;56;28;28;28;84;95,5;;0;sì;;;;;;;;;;');
    // March: 12 of 31 days compared (20-31 March), each at double last year's volume: +100 %.
    expect(lines[2]).toBe('Marzo 2026;310;155;31;62;31;31;31;93;95,5;;12;sì;100;100;100;100;100;100;100;100;0;');
    expect(lines[3]).toMatch(/^Totale dal 01\/02\/2026 al 31\/03\/2026;590;295;59;/);
    expect(lines[4]).toMatch(/^Da inizio anno \(dal 01\/01\/2026 al 31\/03\/2026\);900;450;/);
    // Every row adds up: bot + operator + abandoned + diverted + unresolved = in.
    for (const row of monthlyTableRows(summary).slice(1)) {
      const [, inbound, bot, , operator, abandoned, diverted, unresolved] = row as number[];
      expect(bot! + operator! + abandoned! + diverted! + unresolved!).toBe(inbound);
    }
  });

  test('a month cut by the period, or still running, says which of its days the row holds', async () => {
    // Sunday 6 December 2026, the last 30 days: 24 days of November and December so far.
    const recent = summarize(daysBetween('2026-01-01', '2026-12-06').map((d) => day(d)), [], {
      from: '2026-11-07', to: '2026-12-06', today: '2026-12-06', topicTitle: () => null, previousYearRows: [],
    });
    expect(recent.today).toBe('2026-12-06');
    expect(recent.monthly.map((m) => [m.month, m.from, m.to])).toEqual([['2026-11', '2026-11-07', '2026-11-30'], ['2026-12', '2026-12-01', '2026-12-06']]);
    const labels = monthlyCsv(recent, '2026-12-06').toString('utf8').slice(1).split('\r\n').map((line) => line.split(';')[0]);
    expect(labels.slice(1, 3)).toEqual(['Novembre 2026 (dal 07/11 al 30/11)', 'Dicembre 2026 (dal 01/12 al 06/12, in corso)']);
    // The whole of a month still running says so too; whole past months keep their name alone.
    const december = summarize([], [], { from: '2026-11-01', to: '2026-12-31', today: '2026-12-06', topicTitle: () => null, previousYearRows: [] });
    expect(monthlyTableRows(december, '2026-12-06').slice(1, 3).map((row) => row[0])).toEqual(['Novembre 2026', 'Dicembre 2026 (dal 01/12 al 31/12, in corso)']);
    const strings = strFromU8(unzipSync(new Uint8Array(await monthlyXlsx(recent, '2026-12-06')))['xl/sharedStrings.xml'] ?? new Uint8Array());
    expect(strings).toContain('Dicembre 2026 (dal 01/12 al 06/12, in corso)');
  });

  test('the XLSX opens: a workbook whose sheet holds the title, the headings and the figures', async () => {
    const file = await monthlyXlsx(summary, '2026-04-02');
    expect(file.subarray(0, 2).toString('latin1')).toBe('PK');
    const entries = unzipSync(new Uint8Array(file));
    expect(Object.keys(entries)).toEqual(expect.arrayContaining(['[Content_Types].xml', 'xl/workbook.xml', 'xl/worksheets/sheet1.xml']));
    expect(strFromU8(entries['xl/workbook.xml']!)).toContain('name="Riepilogo mensile"');
    const sheet = strFromU8(entries['xl/worksheets/sheet1.xml']!);
    const strings = entries['xl/sharedStrings.xml'] ? strFromU8(entries['xl/sharedStrings.xml']) : sheet;
    expect(strings).toContain('Dialogo – riepilogo mensile dei canali chat dal 01/02/2026 al 31/03/2026 (estratto il 02/04/2026)');
    expect(strings).toContain('Marzo 2026');
    expect(strings).toContain('Non risolte');
    // Numbers are numbers (not text): February's row, in order from "Entrate".
    const numbers = [...sheet.matchAll(/<c r="([A-Z]+)3"[^>]*>(?:<v>([^<]*)<\/v>)?/g)].map((m) => [m[1], m[2]]);
    expect(numbers.slice(1, 10)).toEqual([['B', '280'], ['C', '140'], ['D', '28'], ['E', '56'], ['F', '28'], ['G', '28'], ['H', '28'], ['I', '84'], ['J', '95.5']]);
    expect(sheet).toMatch(/<c r="B4"[^>]*><v>310<\/v>/);
  });
});
