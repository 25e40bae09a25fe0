/**
 * The number a citizen gives for a callback, checked and normalised to E.164 (`+<country><number>`),
 * so that the list shows one form and a mistyped number is refused while the citizen is still
 * on the line. Accepted: Italian numbers as people write them (`02 1234 5678`, `333-123 4567`,
 * `(02) 12345678`), with `+39` or `0039`, and international numbers with `+` or `00` (8 to 15 digits).
 */

const SEPARATORS = /[\s.\-()/]/g;

/** Italian national numbers: landlines start with 0 (6 to 11 digits), mobiles with 3 (9 or 10 digits). */
function italianNational(digits: string): boolean {
  return /^0\d{5,10}$/.test(digits) || /^3\d{8,9}$/.test(digits);
}

/**
 * The number in E.164 form, or undefined when it is not a plausible Italian or international number.
 *
 * @example
 * normalisePhoneNumber('333 123 4567'); // '+393331234567'
 * normalisePhoneNumber('0041 44 123 45 67'); // '+41441234567'
 * normalisePhoneNumber('12345'); // undefined
 */
export function normalisePhoneNumber(input: string): string | undefined {
  if (input.length > 32) return undefined;
  const compact = input.trim().replace(SEPARATORS, '');
  let international: string;
  if (/^\+\d+$/.test(compact)) international = compact.slice(1);
  else if (/^00\d+$/.test(compact)) international = compact.slice(2);
  else if (/^\d+$/.test(compact)) {
    if (!italianNational(compact)) return undefined;
    international = `39${compact}`;
  } else return undefined;
  if (!/^[1-9]\d{7,14}$/.test(international)) return undefined;
  if (international.startsWith('39') && !italianNational(international.slice(2))) return undefined;
  return `+${international}`;
}
