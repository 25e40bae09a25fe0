/**
 * Ticket references: `DLG-<year>-<sequence>`, the sequence zero padded to 6 digits and
 * restarting at 1 every year. Past 999999 in one year the sequence simply grows a digit
 * rather than failing: a citizen must always get a reference.
 */

const PREFIX = 'DLG';
const MIN_YEAR = 2000;
const MAX_YEAR = 9999;

/**
 * The reference of the `sequence`-th ticket of `year`.
 *
 * @example
 * formatTicketReference(2026, 123); // 'DLG-2026-000123'
 */
export function formatTicketReference(year: number, sequence: number): string {
  assertTicketYear(year);
  if (!Number.isSafeInteger(sequence) || sequence < 1) throw new RangeError(`ticket sequence must be a positive integer, got ${sequence}`);
  return `${PREFIX}-${year}-${String(sequence).padStart(6, '0')}`;
}

/**
 * Throws a RangeError unless `year` is a whole year between 2000 and 9999.
 *
 * @example
 * assertTicketYear(2026); // passes
 */
export function assertTicketYear(year: number): void {
  if (!Number.isInteger(year) || year < MIN_YEAR || year > MAX_YEAR) {
    throw new RangeError(`ticket year must be an integer from ${MIN_YEAR} to ${MAX_YEAR}, got ${year}`);
  }
}

/**
 * The name of the counter that numbers `year`'s tickets, in the adapters' counters table or collection.
 *
 * @example
 * ticketCounterName(2026); // 'ticket-2026'
 */
export function ticketCounterName(year: number): string {
  assertTicketYear(year);
  return `ticket-${year}`;
}
