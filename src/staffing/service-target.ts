import type { ServiceTarget } from './erlang';

/** 020202's stated target: 85 % of contacts answered within 30 seconds. */
export const DEFAULT_SERVICE_TARGET = '85% in 30s';
/** Share of paid time not spent on contacts (breaks, training, absence) when none is configured. */
export const DEFAULT_SHRINKAGE = '30%';

const TARGET = /^(\d{1,2}(?:[.,]\d{1,2})?)\s*%\s*(?:in|entro|within|\/)\s*(\d{1,4})\s*(?:s|sec|secondi|seconds)?$/i;
const PERCENT = /^(\d{1,2}(?:[.,]\d{1,2})?)\s*%?$/;

/**
 * Parses a service-level target such as `85% in 30s` (also `85 % entro 30 s`, `80%/20s`): a share
 * above 0 and below 100 %, a time from 1 second to an hour. Throws a RangeError naming the form.
 *
 * @example
 * parseServiceTarget('85% in 30s'); // { share: 0.85, withinSec: 30 }
 */
export function parseServiceTarget(text: string): ServiceTarget {
  const match = TARGET.exec(text.trim());
  const share = match ? Number(match[1]!.replace(',', '.')) : Number.NaN;
  const withinSec = match ? Number(match[2]) : Number.NaN;
  if (!(share > 0 && share < 100) || !(withinSec >= 1 && withinSec <= 3600)) {
    throw new RangeError(`"${text}" is not a target such as "85% in 30s" (a share above 0 and below 100 %, within 1 to 3600 seconds)`);
  }
  return { share: share / 100, withinSec };
}

/**
 * Parses a shrinkage such as `30%` (or `30`): from 0 to 90 %, as a fraction.
 *
 * @example
 * parseShrinkage('30%'); // 0.3
 */
export function parseShrinkage(text: string): number {
  const match = PERCENT.exec(text.trim());
  const value = match ? Number(match[1]!.replace(',', '.')) : Number.NaN;
  if (!(value >= 0 && value <= 90)) throw new RangeError(`"${text}" is not a shrinkage such as "30%" (0 to 90 %)`);
  return value / 100;
}
