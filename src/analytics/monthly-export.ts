import writeXlsxFile from 'write-excel-file/node';
import { excelCsv, type TableCell } from './csv';
import type { MonthFigures, TableRow } from './monthly-table';
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
export function monthlyTableRows(summary: Pick<AnalyticsSummary, 'monthly' | 'monthlyTotal' | 'yearToDate'>): TableCell[][] {
  const header = ['Mese', ...FIGURES.map(([, title]) => title), 'Giorni confrontati con l’anno precedente', 'Base parziale', ...FIGURES.map(([, title]) => `Variazione % ${title.replace(/ \(s\)$/, '')}`)];
  const total = summary.monthlyTotal;
  const ytd = summary.yearToDate;
  return [
    header,
    ...summary.monthly.map((m) => cells(monthLabel(m.month), m)),
    cells(`Totale dal ${dayLabel(total.from)} al ${dayLabel(total.to)}`, total),
    cells(`Da inizio anno (dal ${dayLabel(ytd.from)} al ${dayLabel(ytd.to)})`, ytd),
  ];
}

/** The monthly table as CSV for Excel on an Italian system (see {@link excelCsv}). */
export function monthlyCsv(summary: Pick<AnalyticsSummary, 'monthly' | 'monthlyTotal' | 'yearToDate'>): Buffer {
  return excelCsv(monthlyTableRows(summary));
}

/**
 * The monthly table as an Excel workbook (one sheet "Riepilogo mensile"): the title with the
 * period and the date it was made on the first row, the header in bold, numbers as numbers.
 *
 * @example
 * const xlsx = await monthlyXlsx(summary, new Date());
 */
export function monthlyXlsx(summary: Pick<AnalyticsSummary, 'from' | 'to' | 'monthly' | 'monthlyTotal' | 'yearToDate'>, madeOn: string): Promise<Buffer> {
  const [header = [], ...body] = monthlyTableRows(summary);
  const title = `Dialogo – riepilogo mensile dei canali chat dal ${dayLabel(summary.from)} al ${dayLabel(summary.to)} (estratto il ${dayLabel(madeOn)})`;
  const data = [
    [{ value: title, fontWeight: 'bold' as const }],
    header.map((value) => ({ value: String(value), fontWeight: 'bold' as const, wrap: true })),
    ...body.map((row) => row.map((value) => (value === null ? null : typeof value === 'boolean' ? (value ? 'sì' : 'no') : value))),
  ];
  return writeXlsxFile(data, { sheet: 'Riepilogo mensile', columns: header.map((_, i) => ({ width: i === 0 ? 38 : 14 })) }).toBuffer();
}
