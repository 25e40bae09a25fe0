import { IBAN_LENGTHS } from './iban-lengths';

/**
 * The kinds of personal data that {@link redact} replaces, each with its own placeholder.
 *
 * @example
 * const kind: RedactionKind = 'codice-fiscale'; // becomes "[CODICE_FISCALE]"
 */
export type RedactionKind = 'codice-fiscale' | 'email' | 'phone' | 'iban' | 'card';

/** Matches the placeholders {@link redact} writes, for readers that must skip them. */
export const PLACEHOLDER_PATTERN = /\[(?:CODICE_FISCALE|EMAIL|PHONE|IBAN|CARD)\]/g;

const PLACEHOLDERS: Readonly<Record<RedactionKind, string>> = {
  'codice-fiscale': '[CODICE_FISCALE]',
  email: '[EMAIL]',
  phone: '[PHONE]',
  iban: '[IBAN]',
  card: '[CARD]',
};

/**
 * `keep` is for a look-alike (right shape, failed check): it stays as typed, and later detectors
 * may not read into it, so a mistyped IBAN is not half-redacted as a phone number.
 */
type Verdict = 'redact' | 'keep' | 'reject';

interface Detector {
  /** `reference`: numbers that are not personal data and that other detectors would misread. */
  readonly kind: RedactionKind | 'reference';
  /** Global, never matches the empty string, and every match ends on a letter or digit. */
  readonly candidates: RegExp;
  readonly judge: (stretch: string) => Verdict;
  /**
   * Fewest digits a redactable stretch holds. Stretches are prefixes of their candidate, so a
   * candidate with fewer is rejected whole, without judging each stretch: a long run of short
   * numbers ("3 3 3 ...") would otherwise cost thousands of full checks.
   */
  readonly minDigits?: number;
  /**
   * Every candidate holds an ASCII digit (its pattern requires `\d`): a text without one is
   * passed over whole. Most messages and nearly every bot reply have none, and the candidates'
   * scans with their look-behinds were most of a turn's redaction.
   */
  readonly needsDigit?: boolean;
}

/** Text still open to detection, or text that a detector has settled (a placeholder or a look-alike). */
interface Piece {
  readonly open: boolean;
  readonly text: string;
}

// Codice fiscale.

// Citizens copy it in the card's groups or split it by meaning (surname, name, birth date, place,
// check): one optional space, dot or dash is allowed at each of those boundaries.
const CODICE_FISCALE_CANDIDATES =
  /(?<![\p{L}\p{N}])[A-Z]{3}[ .-]?[A-Z]{3}[ .-]?[\dLMNP-V]{2}[ .-]?[ABCDEHLMPRST][ .-]?[\dLMNP-V]{2}[ .-]?[A-Z][ .-]?[\dLMNP-V]{3}[ .-]?[A-Z](?![\p{L}\p{N}])/giu;

/** Odd-position values for A..Z; a digit counts as the letter of the same rank (0 as A, 9 as J). */
const CODICE_FISCALE_ODD_VALUES = [
  1, 0, 5, 7, 9, 13, 15, 17, 19, 21, 2, 4, 18, 20, 11, 3, 6, 8, 12, 14, 16, 10, 22, 25, 24, 23,
] as const;

function codiceFiscaleRank(char: string): number | undefined {
  const code = char.charCodeAt(0);
  if (code >= 48 && code <= 57) return code - 48;
  if (code >= 65 && code <= 90) return code - 65;
  return undefined;
}

function judgeCodiceFiscale(stretch: string): Verdict {
  const cf = stretch.toUpperCase().replace(/[ .-]/g, '');
  if (cf.length !== 16) return 'reject';
  let sum = 0;
  for (let i = 0; i < 15; i++) {
    const rank = codiceFiscaleRank(cf.charAt(i));
    // Case-insensitive matching lets through look-alikes such as the Kelvin sign.
    if (rank === undefined) return 'reject';
    // Positions are counted from 1 in the official rules, so index 0 is an odd position.
    sum += i % 2 === 0 ? (CODICE_FISCALE_ODD_VALUES[rank] ?? Number.NaN) : rank;
  }
  return cf.charAt(15) === String.fromCharCode(65 + (sum % 26)) ? 'redact' : 'keep';
}

// E-mail.

// Citizens hide the @ from spam harvesters ("nome[at]dominio.it", "nome (at) dominio.it") or put
// spaces around it; those are still their address. A dot written with spaces is read only before
// a common top-level domain in lower case, so that "mario@example. Poi" keeps its next sentence;
// so is an address spelt out in words ("mario at gmail dot com", "anna chiocciola libero punto
// it"), which needs both words and such a domain, as "at" alone is everyday English.
const EMAIL_LOCAL = String.raw`(?<![\p{L}\p{N}._%+-])[\p{L}\p{N}._%+-]+`;
const EMAIL_AT = String.raw`(?:\s?@\s?|\s?[\[(]\s?(?:at|AT|chiocciola|CHIOCCIOLA)\s?[\])]\s?)`;
const EMAIL_DOT = String.raw`(?:\.|\s?[\[(]\s?(?:dot|DOT|punto|PUNTO)\s?[\])]\s?)`;
const EMAIL_LABEL = String.raw`[\p{L}\p{N}-]+`;
const EMAIL_COMMON_TLD = String.raw`(?:it|com|net|org|eu|info|biz|gov|edu)`;
const EMAIL_END = String.raw`(?![\p{L}\p{N}-])`;
const EMAIL_CANDIDATES = new RegExp(
  [
    String.raw`${EMAIL_LOCAL}${EMAIL_AT}${EMAIL_LABEL}(?:${EMAIL_DOT}${EMAIL_LABEL})*(?:${EMAIL_DOT}\p{L}{2,}|\s?\.\s?${EMAIL_COMMON_TLD})${EMAIL_END}`,
    String.raw`${EMAIL_LOCAL} (?:at|chiocciola) ${EMAIL_LABEL}(?: (?:dot|punto) ${EMAIL_LABEL})*? (?:dot|punto) ${EMAIL_COMMON_TLD}${EMAIL_END}`,
  ].join('|'),
  'gu',
);

// References: protocol numbers, file numbers, laws, our tickets, VAT numbers.

// A number after a protocol marker ("PG 0123456/2025", "prot. n. 0123456", "numero di protocollo
// 0123456"), a number over a year ("241/1990", "12345/2026"), a Dialogo ticket reference or a VAT
// number after its marker. None is personal data, and a protocol number of seven digits starting
// with 0 is shaped exactly like a landline.
const REFERENCE_MARKER = String.raw`(?:P\.?\s?G\.?|prot\.?|protocollo|pratica|verbale|fascicolo|P\.?\s?IVA|partita\s+IVA)`;
// Bounded spaces: unbounded runs around optional words would backtrack polynomially on long blanks.
const REFERENCE_NUMBER_PREFIX = String.raw`(?:\s{0,3}(?:n\.?|nr\.?|num\.?|numero|n°))?\s{0,3}:?\s{0,3}`;
const REFERENCE_CANDIDATES = new RegExp(
  [
    String.raw`(?<![\p{L}\p{N}])${REFERENCE_MARKER}${REFERENCE_NUMBER_PREFIX}\d+(?:[\/.-]\d+)*`,
    String.raw`(?<![\p{L}\p{N}_\/.-])\d{1,10}\/(?:19|20)\d{2}(?![\p{N}\/])`,
    String.raw`(?<![\p{L}\p{N}])DLG-\d{4}-\d{1,10}(?!\p{N})`,
  ].join('|'),
  'giu',
);

// IBAN.

// Compact, or with one kind of separator (space or dash) anywhere: in groups of four, or in the
// Italian bank layout "IT60 X 05428 11101 000000123456". A trailing word may be caught too, and is
// trimmed off by trying shorter stretches against the country's length.
const IBAN_CANDIDATES = /(?<![\p{L}\p{N}])[A-Z]{2}[ -]?\d{2}(?:[ -]?[A-Z\d]){11,30}(?![\p{L}\p{N}])/giu;
const IBAN_COMPACT = /^([A-Z]{2})\d{2}([A-Z\d]+)$/;

function ibanRemainder(iban: string): number {
  const rearranged = iban.slice(4) + iban.slice(0, 4);
  let remainder = 0;
  // Digit by digit, because the number (letters become 10..35) is far beyond 2^53.
  for (const char of rearranged) {
    const value = parseInt(char, 36);
    remainder = (remainder * (value < 10 ? 10 : 100) + value) % 97;
  }
  return remainder;
}

function judgeIban(stretch: string): Verdict {
  // The length first, cheaply: most stretches of a candidate fail it.
  if (stretch.length - countSeparators(stretch) !== IBAN_LENGTHS.get(stretch.slice(0, 2).toUpperCase())) return 'reject';
  const iban = stretch.toUpperCase();
  if (/ /.test(iban) && /-/.test(iban)) return 'reject';
  const compact = iban.replace(/[ -]/g, '');
  const parts = IBAN_COMPACT.exec(compact);
  if (parts === null || compact.length !== IBAN_LENGTHS.get(parts[1] ?? '')) return 'reject';
  // Account numbers are mostly digits; a stretch of words that happens to fit is not one.
  const bban = parts[2] ?? '';
  if (bban.replace(/\D/g, '').length * 2 < bban.length) return 'reject';
  return ibanRemainder(compact) === 1 ? 'redact' : 'keep';
}

// Payment card.

const CARD_CANDIDATES = /(?<![\p{L}\p{N}_+])(?<!\d[.,])\d{1,19}(?!\d)(?:[ .-]\d{1,19}(?!\d)){0,4}/gu;
/** Compact, 4-4-4-4(-3) with one kind of separator, or American Express / Diners 4-6-5 and 4-6-4. */
const CARD_LAYOUTS = [/^\d+$/, /^\d{4}([ .-])\d{4}(?:\1\d{4}){1,2}(?:\1\d{1,4})?$/, /^\d{4}([ .-])\d{6}\1\d{4,5}$/];

/**
 * Whether the issuer prefix allows this length: cards start with 2 to 6, and those starting with 3
 * have the length of their network (American Express 15, Diners 14 or 16, JCB 16 to 19). pagoPA
 * notice codes (18 digits starting with 0 to 3) and most other long numbers fail here.
 */
function plausibleCardNumber(digits: string): boolean {
  const first = digits.charAt(0);
  if (first < '2' || first > '6') return false;
  if (first !== '3') return true;
  const prefix = digits.slice(0, 2);
  if (prefix === '34' || prefix === '37') return digits.length === 15;
  if (prefix === '30' || prefix === '36' || prefix === '38' || prefix === '39') return digits.length === 14 || digits.length === 16;
  return prefix === '35' && digits.length >= 16;
}

function passesLuhn(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let digit = Number(digits.charAt(digits.length - 1 - i));
    if (i % 2 === 1) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    sum += digit;
  }
  return sum % 10 === 0;
}

function judgeCard(stretch: string): Verdict {
  const digits = stretch.replace(/\D/g, '');
  if (digits.length < 13 || digits.length > 19 || !plausibleCardNumber(digits)) return 'reject';
  if (!CARD_LAYOUTS.some((layout) => layout.test(stretch))) return 'reject';
  return passesLuhn(digits) ? 'redact' : 'keep';
}

// Phone.

// Not after a digit and a separator, so that "12/05/2024" or "22,20" is never read from the middle.
// A slash is a separator too: "333/1234567" is how many citizens write a mobile.
const PHONE_CANDIDATES =
  /(?<![\p{L}\p{N}_])(?<!\d[.,/:-])\(?\+?\d{1,15}(?!\d)(?:(?:[ ./-]?\(|\)[ ./-]?|[ ./-])\d{1,15}(?!\d)){0,7}/gu;
const ITALIAN_PREFIX = /^\(?(?:\+|00)39\)?[ .-]?/;
const INTERNATIONAL_PREFIX = /^\(?(?:\+|00(?=[1-9]))/;
const DATE = /^(\d{1,2})([ ./-])(\d{1,2})\2(?:\d{2}|(?:19|20)\d{2})$/;
/** "333.123.456" is an amount with thousands separators before it is a nine-digit mobile. */
const THOUSANDS = /^\d{1,3}(?:\.\d{3})+$/;
/** The city's own service numbers (020202 and 02.0208): quoting them is not personal data. */
const CITY_SERVICE_NUMBERS: ReadonlySet<string> = new Set(['020202', '020208']);

function looksLikeDate(stretch: string): boolean {
  const date = DATE.exec(stretch);
  if (date === null) return false;
  const day = Number(date[1]);
  const month = Number(date[3]);
  return day >= 1 && day <= 31 && month >= 1 && month <= 12;
}

function hasBalancedParentheses(stretch: string): boolean {
  return (stretch.match(/\(/g) ?? []).length === (stretch.match(/\)/g) ?? []).length;
}

function isItalianNumber(national: string): boolean {
  const groups = national.match(/\d+/g) ?? [];
  const digits = groups.join('');
  if (CITY_SERVICE_NUMBERS.has(digits)) return false;
  // Mixed separators mean several numbers side by side, like opening hours "09.00-12.30".
  const separators = new Set(national.replace(/[()]/g, '').match(/[ ./-]/g) ?? []);
  if (separators.size > 1) return false;
  // An area code or mobile prefix has at most four digits: "020202 333" is two numbers.
  if (groups.length > 1 && (groups[0] ?? '').length > 4) return false;
  return /^3\d{8,9}$/.test(digits) || /^0[1-9]\d{5,9}$/.test(digits);
}

/** Spaces and dashes, the separators an IBAN may be written with. */
function countSeparators(text: string): number {
  let separators = 0;
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 32 || text.charCodeAt(i) === 45) separators += 1;
  return separators;
}

/** The shortest Italian landline has 7 digits; foreign numbers need 8. */
const PHONE_MIN_DIGITS = 7;

function countDigits(text: string): number {
  let digits = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code >= 48 && code <= 57) digits += 1;
  }
  return digits;
}

function judgePhone(stretch: string): Verdict {
  if (countDigits(stretch) < PHONE_MIN_DIGITS) return 'reject';
  if (!hasBalancedParentheses(stretch) || looksLikeDate(stretch) || THOUSANDS.test(stretch)) return 'reject';
  const italianPrefix = ITALIAN_PREFIX.exec(stretch);
  if (italianPrefix !== null) return isItalianNumber(stretch.slice(italianPrefix[0].length)) ? 'redact' : 'reject';
  if (INTERNATIONAL_PREFIX.test(stretch)) {
    const digits = stretch.replace(/\D/g, '').replace(/^00/, '');
    return digits.length >= 8 && digits.length <= 15 ? 'redact' : 'reject';
  }
  return isItalianNumber(stretch) ? 'redact' : 'reject';
}

/**
 * IBANs and cards come before phones, so that a card is not half-eaten as a phone number; e-mails
 * come first because their local part may hold digits or a codice fiscale; references come before
 * cards and phones, which would read a protocol number as a landline.
 */
const DETECTORS: readonly Detector[] = [
  { kind: 'email', candidates: EMAIL_CANDIDATES, judge: () => 'redact' },
  { kind: 'reference', candidates: REFERENCE_CANDIDATES, judge: () => 'keep', needsDigit: true },
  // Omocodia may put letters for every digit: a codice fiscale needs none.
  { kind: 'codice-fiscale', candidates: CODICE_FISCALE_CANDIDATES, judge: judgeCodiceFiscale },
  { kind: 'iban', candidates: IBAN_CANDIDATES, judge: judgeIban, needsDigit: true },
  { kind: 'card', candidates: CARD_CANDIDATES, judge: judgeCard, minDigits: 13, needsDigit: true },
  { kind: 'phone', candidates: PHONE_CANDIDATES, judge: judgePhone, minDigits: PHONE_MIN_DIGITS, needsDigit: true },
];

const ASCII_DIGIT = /\d/;

/** The detectors, for the test that checks each `needsDigit` against its pattern. */
export const DETECTOR_PATTERNS: readonly { kind: Detector['kind']; candidates: RegExp; needsDigit: boolean }[] = DETECTORS.map((d) => ({
  kind: d.kind,
  candidates: d.candidates,
  needsDigit: d.needsDigit ?? false,
}));

/**
 * A candidate may run on into the next number or word ("333 1234567 2 volte"), so its stretches
 * ending on a word are tried from the longest; a redaction wins over a look-alike.
 */
function settle(candidate: string, judge: Detector['judge']): { stretch: string; redact: boolean } | undefined {
  const stretches = Array.from(candidate.matchAll(/[\p{L}\p{N}]+/gu), (word) => candidate.slice(0, word.index + word[0].length)).reverse();
  let lookalike: string | undefined;
  for (const stretch of stretches) {
    const verdict = judge(stretch);
    if (verdict === 'redact') return { stretch, redact: true };
    if (verdict === 'keep') lookalike ??= stretch;
  }
  return lookalike === undefined ? undefined : { stretch: lookalike, redact: false };
}

function detect(text: string, detector: Detector, found: Record<RedactionKind, number>): Piece[] {
  if (detector.needsDigit && !ASCII_DIGIT.test(text)) return [{ open: true, text }];
  const pieces: Piece[] = [];
  // A copy, so that its lastIndex is ours alone.
  const candidates = new RegExp(detector.candidates);
  let settledUpTo = 0;
  let match: RegExpExecArray | null;
  while ((match = candidates.exec(text)) !== null) {
    const settled = countDigits(match[0]) < (detector.minDigits ?? 0) ? undefined : settle(match[0], detector.judge);
    if (settled === undefined) {
      // The number may start further in ("1234 4111 1111 1111 1111"); the candidates' look-behinds
      // keep the next try at the start of a word.
      candidates.lastIndex = match.index + 1;
      continue;
    }
    if (match.index > settledUpTo) pieces.push({ open: true, text: text.slice(settledUpTo, match.index) });
    const kind = detector.kind === 'reference' || !settled.redact ? undefined : detector.kind;
    pieces.push({ open: false, text: kind === undefined ? settled.stretch : PLACEHOLDERS[kind] });
    if (kind !== undefined) found[kind] += 1;
    settledUpTo = match.index + settled.stretch.length;
    candidates.lastIndex = settledUpTo;
  }
  if (settledUpTo < text.length) pieces.push({ open: true, text: text.slice(settledUpTo) });
  return pieces;
}

/**
 * Replaces personal data with typed placeholders, before a message is stored or logged: codici
 * fiscali (check character verified, omocodia included), e-mail addresses, Italian and
 * international phone numbers, IBANs (mod-97 verified) and payment card numbers (Luhn verified).
 *
 * Look-alikes that fail their check stay as typed, and so do the city's service numbers (020202,
 * 02.0208), dates, amounts, years, postcodes, times and short numbers. The rest of the text is
 * untouched.
 *
 * @example
 * redact('Sono RSSMRA85T10A562S, chiamatemi al 333 123 4567 o allo 020202');
 * // {
 * //   text: 'Sono [CODICE_FISCALE], chiamatemi al [PHONE] o allo 020202',
 * //   found: { 'codice-fiscale': 1, email: 0, phone: 1, iban: 0, card: 0 },
 * // }
 */
export function redact(text: string): { text: string; found: Record<RedactionKind, number> } {
  const found: Record<RedactionKind, number> = { 'codice-fiscale': 0, email: 0, phone: 0, iban: 0, card: 0 };
  let pieces: Piece[] = [{ open: true, text }];
  for (const detector of DETECTORS) {
    pieces = pieces.flatMap((piece) => (piece.open ? detect(piece.text, detector, found) : [piece]));
  }
  return { text: pieces.map((piece) => piece.text).join(''), found };
}
