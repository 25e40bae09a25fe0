/**
 * The kinds of personal data that {@link redact} replaces, each with its own placeholder.
 *
 * @example
 * const kind: RedactionKind = 'codice-fiscale'; // becomes "[CODICE_FISCALE]"
 */
export type RedactionKind = 'codice-fiscale' | 'email' | 'phone' | 'iban' | 'card';

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
  readonly kind: RedactionKind;
  /** Global, never matches the empty string, and every match ends on a letter or digit. */
  readonly candidates: RegExp;
  readonly judge: (stretch: string) => Verdict;
}

/** Text still open to detection, or text that a detector has settled (a placeholder or a look-alike). */
interface Piece {
  readonly open: boolean;
  readonly text: string;
}

// Codice fiscale.

const CODICE_FISCALE_CANDIDATES =
  /(?<![\p{L}\p{N}])[A-Z]{6}[\dLMNP-V]{2}[ABCDEHLMPRST][\dLMNP-V]{2}[A-Z][\dLMNP-V]{3}[A-Z](?![\p{L}\p{N}])/giu;

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
  const cf = stretch.toUpperCase();
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

const EMAIL_CANDIDATES =
  /(?<![\p{L}\p{N}._%+-])[\p{L}\p{N}._%+-]+@[\p{L}\p{N}-]+(?:\.[\p{L}\p{N}-]+)*\.\p{L}{2,}(?![\p{L}\p{N}-])/gu;

// IBAN.

// Compact, or in groups of four; a trailing word may be caught as one more group, and is then
// trimmed off by trying shorter stretches.
const IBAN_CANDIDATES =
  /(?<![\p{L}\p{N}])[A-Z]{2}\d{2}(?:[A-Z\d]{11,30}|(?: [A-Z\d]{1,4}(?![\p{L}\p{N}])){3,8})(?![\p{L}\p{N}])/giu;
const IBAN_COMPACT = /^[A-Z]{2}\d{2}[A-Z\d]{11,30}$/;
const IBAN_GROUPED = /^[A-Z]{2}\d{2}(?: [A-Z\d]{4})*(?: [A-Z\d]{1,4})?$/;

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
  const iban = stretch.toUpperCase();
  const compact = iban.replace(/ /g, '');
  if (!IBAN_COMPACT.test(compact) || (iban.includes(' ') && !IBAN_GROUPED.test(iban))) return 'reject';
  return ibanRemainder(compact) === 1 ? 'redact' : 'keep';
}

// Payment card.

const CARD_CANDIDATES = /(?<![\p{L}\p{N}_+])(?<!\d[.,])\d{1,19}(?!\d)(?:[ -]\d{1,19}(?!\d)){0,4}/gu;
/** Compact, 4-4-4-4(-3) with one kind of separator, or American Express / Diners 4-6-5 and 4-6-4. */
const CARD_LAYOUTS = [/^\d+$/, /^\d{4}([ -])\d{4}(?:\1\d{4}){1,2}(?:\1\d{1,4})?$/, /^\d{4}([ -])\d{6}\1\d{4,5}$/];

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
  // No card number starts with 0, while "0039..." phone numbers do.
  if (digits.length < 13 || digits.length > 19 || digits.startsWith('0')) return 'reject';
  if (!CARD_LAYOUTS.some((layout) => layout.test(stretch))) return 'reject';
  return passesLuhn(digits) ? 'redact' : 'keep';
}

// Phone.

// Not after a digit and a separator, so that "12/05/2024" or "22,20" is never read from the middle.
const PHONE_CANDIDATES =
  /(?<![\p{L}\p{N}_])(?<!\d[.,/:-])\(?\+?\d{1,15}(?!\d)(?:(?:[ .-]?\(|\)[ .-]?|[ .-])\d{1,15}(?!\d)){0,7}/gu;
const ITALIAN_PREFIX = /^\(?(?:\+|00)39\)?[ .-]?/;
const INTERNATIONAL_PREFIX = /^\(?(?:\+|00(?=[1-9]))/;
const DATE = /^(\d{1,2})([ .-])(\d{1,2})\2(?:\d{2}|(?:19|20)\d{2})$/;
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
  const separators = new Set(national.replace(/[()]/g, '').match(/[ .-]/g) ?? []);
  if (separators.size > 1) return false;
  // An area code or mobile prefix has at most four digits: "020202 333" is two numbers.
  if (groups.length > 1 && (groups[0] ?? '').length > 4) return false;
  return /^3\d{8,9}$/.test(digits) || /^0[1-9]\d{5,9}$/.test(digits);
}

function judgePhone(stretch: string): Verdict {
  if (!hasBalancedParentheses(stretch) || looksLikeDate(stretch)) return 'reject';
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
 * come first because their local part may hold digits or a codice fiscale.
 */
const DETECTORS: readonly Detector[] = [
  { kind: 'email', candidates: EMAIL_CANDIDATES, judge: () => 'redact' },
  { kind: 'codice-fiscale', candidates: CODICE_FISCALE_CANDIDATES, judge: judgeCodiceFiscale },
  { kind: 'iban', candidates: IBAN_CANDIDATES, judge: judgeIban },
  { kind: 'card', candidates: CARD_CANDIDATES, judge: judgeCard },
  { kind: 'phone', candidates: PHONE_CANDIDATES, judge: judgePhone },
];

/**
 * A candidate may run on into the next number or word ("333 1234567 2 volte"), so its stretches
 * ending on a word are tried from the longest; a redaction wins over a look-alike.
 */
function settle(candidate: string, judge: Detector['judge']): { stretch: string; redact: boolean } | undefined {
  const stretches = Array.from(candidate.matchAll(/[\p{L}\p{N}]+/gu), (word) => candidate.slice(0, word.index + word[0].length)).reverse();
  const redactable = stretches.find((stretch) => judge(stretch) === 'redact');
  if (redactable !== undefined) return { stretch: redactable, redact: true };
  const lookalike = stretches.find((stretch) => judge(stretch) === 'keep');
  return lookalike === undefined ? undefined : { stretch: lookalike, redact: false };
}

function detect(text: string, detector: Detector, found: Record<RedactionKind, number>): Piece[] {
  const pieces: Piece[] = [];
  // A copy, so that its lastIndex is ours alone.
  const candidates = new RegExp(detector.candidates);
  let settledUpTo = 0;
  let match: RegExpExecArray | null;
  while ((match = candidates.exec(text)) !== null) {
    const settled = settle(match[0], detector.judge);
    if (settled === undefined) {
      // The number may start further in ("1234 4111 1111 1111 1111"); the candidates' look-behinds
      // keep the next try at the start of a word.
      candidates.lastIndex = match.index + 1;
      continue;
    }
    if (match.index > settledUpTo) pieces.push({ open: true, text: text.slice(settledUpTo, match.index) });
    pieces.push({ open: false, text: settled.redact ? PLACEHOLDERS[detector.kind] : settled.stretch });
    if (settled.redact) found[detector.kind] += 1;
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
