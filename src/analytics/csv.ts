import type { AnalyticsSummary, DaySummary } from './summary';

/** The columns of the daily CSV, in order, with the byDay field each one shows. */
const COLUMNS: readonly [string, keyof DaySummary][] = [
  ['day', 'day'],
  ['conversations', 'conversations'],
  ['engaged', 'engaged'],
  ['resolved', 'resolved'],
  ['resolved_confirmed', 'resolvedConfirmed'],
  ['resolved_assumed', 'resolvedAssumed'],
  ['escalated', 'escalated'],
  ['abandoned', 'abandoned'],
  ['tickets', 'tickets'],
  ['unengaged', 'unengaged'],
  ['deflection_rate', 'deflectionRate'],
  ['escalation_rate', 'escalationRate'],
  ['fallback_rate', 'fallbackRate'],
  ['csat', 'csat'],
  ['avg_queue_wait_sec', 'avgQueueWaitSec'],
  ['avg_handle_sec', 'avgHandleSec'],
  // Added after the first release: at the end, so that the earlier columns keep their place.
  ['referred', 'referred'],
  ['referral_turns', 'referrals'],
];

const RATES = new Set<keyof DaySummary>(['deflectionRate', 'escalationRate', 'fallbackRate', 'csat']);

/** One field as RFC 4180 asks: quoted (quotes doubled) when it holds a comma, a quote or a line break. */
export function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

function cell(day: DaySummary, field: keyof DaySummary): string {
  const value = day[field];
  if (value === null) return '';
  if (typeof value === 'number') return RATES.has(field) ? value.toFixed(4) : String(value);
  return value;
}

/**
 * The summary's days as CSV (RFC 4180: CRLF line ends, a header row, one row per day of the
 * range): counts as integers, rates with 4 decimals, seconds as in the summary (1 decimal),
 * empty cells where the summary has null.
 *
 * @example
 * summaryCsv(summary).split('\r\n')[0] // 'day,conversations,engaged,resolved,...'
 */
export function summaryCsv(summary: Pick<AnalyticsSummary, 'byDay'>): string {
  const lines = [COLUMNS.map(([header]) => csvField(header)).join(',')];
  for (const day of summary.byDay) lines.push(COLUMNS.map(([, field]) => csvField(cell(day, field))).join(','));
  return `${lines.join('\r\n')}\r\n`;
}

/** A cell of an exported table: text, a number, yes/no, or empty. */
export type TableCell = string | number | boolean | null;

/**
 * One field in the dialect Excel reads on an Italian system: numbers with a decimal comma and no
 * grouping, yes/no as "sì"/"no", empty for null; quoted (quotes doubled) as RFC 4180 asks when it
 * holds the separator, a quote or a line break.
 */
function excelField(value: TableCell): string {
  if (value === null) return '';
  if (typeof value === 'boolean') return value ? 'sì' : 'no';
  const text = typeof value === 'number' ? String(value).replace('.', ',') : value;
  return /[;"\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/**
 * A table as CSV for Excel on an Italian system: UTF-8 with a byte-order mark (without it Excel
 * reads the file as Windows-1252 and "è" breaks), `;` between fields (the comma is the decimal
 * separator there), decimal comma, CRLF after every row.
 *
 * @example
 * excelCsv([['Mese', 'Attesa media (s)'], ['Marzo 2026', 95.5]]).toString('utf8')
 * // '\uFEFFMese;Attesa media (s)\r\nMarzo 2026;95,5\r\n'
 */
export function excelCsv(rows: readonly (readonly TableCell[])[]): Buffer {
  return Buffer.from(`\uFEFF${rows.map((row) => `${row.map(excelField).join(';')}\r\n`).join('')}`, 'utf8');
}
