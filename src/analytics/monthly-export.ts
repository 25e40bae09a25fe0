import writeXlsxFile from 'write-excel-file/node';
import { excelCsv, type TableCell } from './csv';
import type { MonthFigures, MonthSummary, TableRow } from './monthly-table';
import type { AnalyticsSummary } from './summary';

const MONTHS = ['Gennaio', 'Febbraio', 'Marzo', 'Aprile', 'Maggio', 'Giugno', 'Luglio', 'Agosto', 'Settembre', 'Ottobre', 'Novembre', 'Dicembre'];

/** The table's figures, in the dashboard's order, with their Italian headings. */
const FIGURES: readonly [keyof MonthFigures, string][] = [
  ['in', 'Entrate'],
  ['answeredByBot', 'Risolte dal bot'],
  ['referred', 'di cui indirizzate ad altri enti'],
  ['answeredByOperator', 'Risolte da operatore'],
  ['abandoned', 'Abbandonate'],
  ['diverted', 'Dirottate a richiesta scritta'],
  ['unresolved', 'Non risolte'],
  ['queuedToOperator', 'Richieste di operatore in coda'],
  ['avgWaitSec', 'Attesa media (s)'],
  ['avgHandleSec', 'Gestione media (s)'],
];

/** `2026-03` as "Marzo 2026". */
export function monthLabel(month: string): string {
  return `${MONTHS[Number(month.slice(5, 7)) - 1] ?? month} ${month.slice(0, 4)}`;
}

/** `2026-03-31` as "31/03/2026". */
export function dayLabel(day: string): string {
  return `${day.slice(8, 10)}/${day.slice(5, 7)}/${day.slice(0, 4)}`;
}

/** The last day of the month of `day` (`YYYY-MM-DD`). */
function lastOfMonth(day: string): string {
  const last = new Date(Date.UTC(Number(day.slice(0, 4)), Number(day.slice(5, 7)), 0)).getUTCDate();
  return `${day.slice(0, 8)}${String(last).padStart(2, '0')}`;
}

/**
 * A month row's label: "Marzo 2026" for the whole month; with its days when the period cuts it
 * ("Novembre 2026 (dal 07/11 al 30/11)") and "in corso" when it holds `today`, so that a part
 * of a month never reads as a whole one.
 *
 * @example
 * monthRowLabel({ month: '2026-12', from: '2026-12-01', to: '2026-12-06' }, '2026-12-06') // 'Dicembre 2026 (dal 01/12 al 06/12, in corso)'
 */
export function monthRowLabel(row: Pick<MonthSummary, 'month' | 'from' | 'to'>, today?: string | null): string {
  const whole = row.from.endsWith('-01') && row.to === lastOfMonth(row.to);
  const running = today != null && row.from <= today && today <= row.to;
  if (whole && !running) return monthLabel(row.month);
  const short = (day: string) => dayLabel(day).slice(0, 5);
  return `${monthLabel(row.month)} (dal ${short(row.from)} al ${short(row.to)}${running ? ', in corso' : ''})`;
}

function cells(label: string, row: TableRow): TableCell[] {
  return [
    label,
    ...FIGURES.map(([key]) => row[key]),
    row.comparedDays,
    row.partialBase,
    ...FIGURES.map(([key]) => (row.change ? row.change[key] : null)),
  ];
}

/**
 * The monthly 020202 table as rows of cells, as the dashboard shows it: a header, one row per
 * month, the period's total and the year to date; each with its figures, the days compared with
 * the previous year, whether that base is partial, and the percentage changes (empty where
 * nothing compares).
 *
 * @example
 * monthlyTableRows(summary)[0]![0] // 'Mese'
 */
export function monthlyTableRows(summary: Pick<AnalyticsSummary, 'monthly' | 'monthlyTotal' | 'yearToDate'>, today?: string | null): TableCell[][] {
  const header = ['Mese', ...FIGURES.map(([, title]) => title), 'Giorni confrontati con l’anno precedente', 'Base parziale', ...FIGURES.map(([, title]) => `Variazione % ${title.replace(/ \(s\)$/, '')}`)];
  const total = summary.monthlyTotal;
  const ytd = summary.yearToDate;
  return [
    header,
    ...summary.monthly.map((m) => cells(monthRowLabel(m, today), m)),
    cells(`Totale dal ${dayLabel(total.from)} al ${dayLabel(total.to)}`, total),
    cells(`Da inizio anno (dal ${dayLabel(ytd.from)} al ${dayLabel(ytd.to)})`, ytd),
  ];
}

/** The monthly table as CSV for Excel on an Italian system (see {@link excelCsv}); `today` marks the running month. */
export function monthlyCsv(summary: Pick<AnalyticsSummary, 'monthly' | 'monthlyTotal' | 'yearToDate'>, today?: string | null): Buffer {
  return excelCsv(monthlyTableRows(summary, today));
}

/**
 * The monthly table as an Excel workbook (one sheet "Riepilogo mensile"): the title with the
 * period and the date it was made on the first row, the header in bold, numbers as numbers.
 *
 * @example
 * const xlsx = await monthlyXlsx(summary, new Date());
 */
export function monthlyXlsx(summary: Pick<AnalyticsSummary, 'from' | 'to' | 'monthly' | 'monthlyTotal' | 'yearToDate'>, madeOn: string): Promise<Buffer> {
  const [header = [], ...body] = monthlyTableRows(summary, madeOn);
  const title = `Dialogo – riepilogo mensile dei canali chat dal ${dayLabel(summary.from)} al ${dayLabel(summary.to)} (estratto il ${dayLabel(madeOn)})`;
  const data = [
    [{ value: title, fontWeight: 'bold' as const }],
    header.map((value) => ({ value: String(value), fontWeight: 'bold' as const, wrap: true })),
    ...body.map((row) => row.map((value) => (value === null ? null : typeof value === 'boolean' ? (value ? 'sì' : 'no') : value))),
  ];
  return writeXlsxFile(data, { sheet: 'Riepilogo mensile', columns: header.map((_, i) => ({ width: i === 0 ? 38 : 14 })) }).toBuffer();
}
