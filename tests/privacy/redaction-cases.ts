// The redactor's table: personal data in the formats citizens write, and look-alikes that must
// stay as typed. Written apart from the implementation (lookup objects, BigInt), so that a slip in
// one is caught by the other.
import type { RedactionKind } from '../../src/privacy/redact';

const CF_ODD: Readonly<Record<string, number>> = {
  '0': 1, '1': 0, '2': 5, '3': 7, '4': 9, '5': 13, '6': 15, '7': 17, '8': 19, '9': 21,
  A: 1, B: 0, C: 5, D: 7, E: 9, F: 13, G: 15, H: 17, I: 19, J: 21, K: 2, L: 4, M: 18,
  N: 20, O: 11, P: 3, Q: 6, R: 8, S: 12, T: 14, U: 16, V: 10, W: 22, X: 25, Y: 24, Z: 23,
};

function cfEvenValue(char: string): number {
  return /\d/.test(char) ? Number(char) : char.charCodeAt(0) - 'A'.charCodeAt(0);
}

/** Appends the official check character to the first 15 characters of a codice fiscale. */
export function withCheckChar(first15: string): string {
  let sum = 0;
  [...first15].forEach((char, i) => {
    sum += (i + 1) % 2 === 1 ? (CF_ODD[char] ?? Number.NaN) : cfEvenValue(char);
  });
  return first15 + String.fromCharCode('A'.charCodeAt(0) + (sum % 26));
}

/** Swaps the check character for another letter. */
export function withWrongCheckChar(cf: string): string {
  const last = cf.charAt(15);
  return cf.slice(0, 15) + (last === 'A' ? 'B' : 'A');
}

/** Builds an IBAN with valid check digits from a country code and a BBAN. */
export function iban(country: string, bban: string): string {
  const numeric = (bban + country + '00').replace(/[A-Z]/g, (letter) => String(letter.charCodeAt(0) - 55));
  const check = 98n - (BigInt(numeric) % 97n);
  return country + String(check).padStart(2, '0') + bban;
}

export function inGroupsOfFour(compact: string, separator = ' '): string {
  return (compact.match(/.{1,4}/g) ?? []).join(separator);
}

export function withWrongCheckDigits(valid: string): string {
  const check = Number(valid.slice(2, 4));
  return valid.slice(0, 2) + String(check === 98 ? 2 : check + 1).padStart(2, '0') + valid.slice(4);
}

/** Appends the digit that makes the number pass the Luhn check. */
export function withLuhnDigit(prefix: string): string {
  for (let last = 0; last <= 9; last++) {
    const candidate = prefix + String(last);
    const sum = [...candidate].reverse().reduce((total, char, i) => {
      const doubled = i % 2 === 1 ? Number(char) * 2 : Number(char);
      return total + (doubled > 9 ? doubled - 9 : doubled);
    }, 0);
    if (sum % 10 === 0) return candidate;
  }
  throw new Error('unreachable');
}

export const MARIO_ROSSI = withCheckChar('RSSMRA85T10A562');
// Omocodia: the last digits replaced by letters (2 -> N, 6 -> S), as the Agenzia delle Entrate
// does when two people would otherwise share a code.
export const OMOCODIA = withCheckChar('RSSMRA85T10A5SN');
export const GIULIA_BIANCHI = withCheckChar('BNCGLI92E45F205');
const LUCA_VERDI = withCheckChar('VRDLCU80A01F205');
// Born abroad (Z114, the United Kingdom).
const JOHN_SMITH = withCheckChar('SMTJHN75C15Z114');
export const IBAN_IT = iban('IT', 'X0542811101000000123456');
export const IBAN_IT_OTHER = iban('IT', 'A0306909606100000063251');
export const IBAN_DE = iban('DE', '370400440532013000');
const IBAN_SM = iban('SM', 'X0854009800000000123456');
// The Italian layout: country and check, CIN, ABI, CAB, account.
const italianLayout = (compact: string, separator = ' ') =>
  [compact.slice(0, 4), compact.slice(4, 5), compact.slice(5, 10), compact.slice(10, 15), compact.slice(15)].join(separator);

/** A message holding one item of personal data, and what it must become. */
export interface Positive {
  readonly name: string;
  readonly kind: RedactionKind;
  readonly input: string;
  readonly expected: string;
}

/** A message with nothing to redact. */
export interface LookAlike {
  readonly name: string;
  readonly input: string;
}

const cf = (name: string, input: string, expected: string): Positive => ({ name, kind: 'codice-fiscale', input, expected });
const email = (name: string, input: string, expected: string): Positive => ({ name, kind: 'email', input, expected });
const phone = (name: string, input: string, expected: string): Positive => ({ name, kind: 'phone', input, expected });
const ibanCase = (name: string, input: string, expected: string): Positive => ({ name, kind: 'iban', input, expected });
const card = (name: string, input: string, expected: string): Positive => ({ name, kind: 'card', input, expected });

export const POSITIVES: readonly Positive[] = [
  cf('a codice fiscale, upper case', `Il mio codice fiscale è ${MARIO_ROSSI}.`, 'Il mio codice fiscale è [CODICE_FISCALE].'),
  cf('a codice fiscale, lower case', `mi chiamo giulia, cf ${GIULIA_BIANCHI.toLowerCase()}?`, 'mi chiamo giulia, cf [CODICE_FISCALE]?'),
  cf('a codice fiscale, mixed case', `Codice ${'R' + MARIO_ROSSI.slice(1).toLowerCase()} per la TARI`, 'Codice [CODICE_FISCALE] per la TARI'),
  cf('a codice fiscale in groups 3-3-5-5', `CF: ${MARIO_ROSSI.slice(0, 3)} ${MARIO_ROSSI.slice(3, 6)} ${MARIO_ROSSI.slice(6, 11)} ${MARIO_ROSSI.slice(11)} grazie`, 'CF: [CODICE_FISCALE] grazie'),
  cf('a codice fiscale in groups 6-5-5, lower case', `codice fiscale ${LUCA_VERDI.slice(0, 6).toLowerCase()} ${LUCA_VERDI.slice(6, 11).toLowerCase()} ${LUCA_VERDI.slice(11).toLowerCase()} e nome Luca`, 'codice fiscale [CODICE_FISCALE] e nome Luca'),
  cf('a codice fiscale spaced in every part', `è ${[MARIO_ROSSI.slice(0, 3), MARIO_ROSSI.slice(3, 6), MARIO_ROSSI.slice(6, 8), MARIO_ROSSI.slice(8, 9), MARIO_ROSSI.slice(9, 11), MARIO_ROSSI.slice(11, 12), MARIO_ROSSI.slice(12, 15), MARIO_ROSSI.slice(15)].join(' ')}, controllate`, 'è [CODICE_FISCALE], controllate'),
  cf('a codice fiscale with dashes', `cf ${GIULIA_BIANCHI.slice(0, 3)}-${GIULIA_BIANCHI.slice(3, 6)}-${GIULIA_BIANCHI.slice(6, 11)}-${GIULIA_BIANCHI.slice(11)}`, 'cf [CODICE_FISCALE]'),
  cf('a codice fiscale with omocodia', `il codice sulla tessera è ${OMOCODIA}`, 'il codice sulla tessera è [CODICE_FISCALE]'),
  cf('a codice fiscale in an English sentence', `My tax code is ${JOHN_SMITH}, I moved from London.`, 'My tax code is [CODICE_FISCALE], I moved from London.'),
  cf('a codice fiscale in brackets', `Luca Verdi (${LUCA_VERDI.toLowerCase()})`, 'Luca Verdi ([CODICE_FISCALE])'),

  email('a plain address', 'scrivetemi a mario.rossi@gmail.com per favore', 'scrivetemi a [EMAIL] per favore'),
  email('an address with [at]', 'il mio indirizzo: giulia.bianchi[at]libero.it', 'il mio indirizzo: [EMAIL]'),
  email('an address with (at) and spaces', 'email luca (at) fastwebnet.it grazie', 'email [EMAIL] grazie'),
  email('an address with (at) attached', 'mario(at)alice.it', '[EMAIL]'),
  email('an address with a spaced dot', 'scrivete ad anna@tiscali . it quando potete', 'scrivete ad [EMAIL] quando potete'),
  email('an address with [at] and [dot]', 'paolo.verdi [at] gmail [dot] com', '[EMAIL]'),
  email('an address with (chiocciola)', 'contatto: rossi(chiocciola)virgilio.it.', 'contatto: [EMAIL].'),
  email('an address spelt out in English words', 'write to mario at gmail dot com please', 'write to [EMAIL] please'),
  email('an address spelt out in Italian words', 'la mia mail è anna chiocciola libero punto it', 'la mia mail è [EMAIL]'),
  email('an address with spaces around @', 'mario.rossi @ gmail.com è la mia mail', '[EMAIL] è la mia mail'),
  email('an English address', 'my email is john.smith@outlook.co.uk, please reply', 'my email is [EMAIL], please reply'),
  email('an address in capitals', 'MARIO.ROSSI@GMAIL.COM', '[EMAIL]'),
  email('a PEC address', 'inviate alla PEC rossi.mario@pec.it la ricevuta', 'inviate alla PEC [EMAIL] la ricevuta'),

  phone('a mobile with a slash', 'il mio cellulare è 333/1234567', 'il mio cellulare è [PHONE]'),
  phone('a mobile with +39 and dots', 'richiamatemi al +39 333.123.4567', 'richiamatemi al [PHONE]'),
  phone('a mobile in two groups', 'cell 333 1234567 dopo le 18', 'cell [PHONE] dopo le 18'),
  phone('a mobile written solid', 'il numero è 3331234567.', 'il numero è [PHONE].'),
  phone('a mobile with +39 solid', 'whatsapp +393331234567', 'whatsapp [PHONE]'),
  phone('a mobile with 0039', 'dalla Svizzera: 0039 333 123 4567', 'dalla Svizzera: [PHONE]'),
  phone('a mobile with dashes', 'chiamate il 347-7654321, grazie', 'chiamate il [PHONE], grazie'),
  phone('a mobile in pairs', 'numero 348 76 54 321', 'numero [PHONE]'),
  phone('a mobile with dots', 'cellulare 328.1234567', 'cellulare [PHONE]'),
  phone('a mobile with +39 and dashes', 'tel +39-333-1234567', 'tel [PHONE]'),
  phone('a mobile with a slash after +39', 'il mio numero +39 333/1234567 è attivo', 'il mio numero [PHONE] è attivo'),
  phone('a mobile in an English sentence', 'call me on +39 347 765 4321 after 5pm', 'call me on [PHONE] after 5pm'),
  phone('a Milan landline', 'ufficio 02 8845 1234', 'ufficio [PHONE]'),
  phone('a landline with a slash', 'casa 02/88451234', 'casa [PHONE]'),
  phone('a landline with dashes', 'tel. 02-8845-1234', 'tel. [PHONE]'),
  phone('a landline with the area code in brackets', 'studio (02) 88451234', 'studio [PHONE]'),
  phone('a landline outside Milan', 'fisso di Legnano 0331 123456', 'fisso di Legnano [PHONE]'),
  phone('a landline with +39', 'from abroad +39 02 88451234', 'from abroad [PHONE]'),
  phone('a British mobile', 'my UK number is +44 7700 900123', 'my UK number is [PHONE]'),
  phone('a mobile at the end of a question', 'potete chiamare il 3471234567?', 'potete chiamare il [PHONE]?'),

  ibanCase('an Italian IBAN, solid', `IBAN ${IBAN_IT} per il rimborso`, 'IBAN [IBAN] per il rimborso'),
  ibanCase('an Italian IBAN in groups of four', `accredito su ${inGroupsOfFour(IBAN_IT)} grazie`, 'accredito su [IBAN] grazie'),
  ibanCase('an Italian IBAN with dashes', `iban ${inGroupsOfFour(IBAN_IT, '-')}`, 'iban [IBAN]'),
  ibanCase('an Italian IBAN in the bank layout', `coordinate: ${italianLayout(IBAN_IT_OTHER)}.`, 'coordinate: [IBAN].'),
  ibanCase('an Italian IBAN in the bank layout with dashes', `IBAN ${italianLayout(IBAN_IT, '-')} intestato a me`, 'IBAN [IBAN] intestato a me'),
  ibanCase('an Italian IBAN, lower case in groups', `il mio iban è ${inGroupsOfFour(IBAN_IT_OTHER.toLowerCase())}`, 'il mio iban è [IBAN]'),
  ibanCase('an IBAN with a space after the country', `IBAN: IT ${IBAN_IT.slice(2, 4)} ${italianLayout(IBAN_IT).slice(5)}`, 'IBAN: [IBAN]'),
  ibanCase('a German IBAN in an English sentence', `please refund to ${IBAN_DE} by Friday`, 'please refund to [IBAN] by Friday'),
  ibanCase('a British IBAN in groups', 'my account GB29 NWBK 6016 1331 9268 19 in London', 'my account [IBAN] in London'),
  ibanCase('a French IBAN in groups', 'compte FR14 2004 1010 0505 0001 3M02 606', 'compte [IBAN]'),
  ibanCase('a San Marino IBAN', `conto a San Marino ${IBAN_SM}`, 'conto a San Marino [IBAN]'),

  card('a Visa in groups', 'carta 4111 1111 1111 1111 scade a marzo', 'carta [CARD] scade a marzo'),
  card('a Visa with dots', 'ho pagato con 4111.1111.1111.1111', 'ho pagato con [CARD]'),
  card('a Visa with dashes', 'carta 4111-1111-1111-1111, addebito doppio', 'carta [CARD], addebito doppio'),
  card('a Mastercard solid', 'la carta 5555555555554444 è stata addebitata', 'la carta [CARD] è stata addebitata'),
  card('a Mastercard with dots', 'Mastercard 5555.5555.5555.4444', 'Mastercard [CARD]'),
  card('a Mastercard with dashes', 'numero 5105-1051-0510-5100', 'numero [CARD]'),
  card('an American Express with dashes', 'amex 3782-822463-10005', 'amex [CARD]'),
  card('an American Express with dots', 'AmEx 3782.822463.10005 grazie', 'AmEx [CARD] grazie'),
  card('a card in an English sentence', 'my card 4012 8888 8888 1881 was charged twice', 'my card [CARD] was charged twice'),
  card('a Visa with 13 digits', 'vecchia carta 4222222222222', 'vecchia carta [CARD]'),
  card('a Discover in groups', 'Discover 6011 1111 1111 1117', 'Discover [CARD]'),
];

// A pagoPA notice code: 18 digits, often pasted by citizens paying the TARI.
const PAGOPA_NOTICE = withLuhnDigit('30200000000123456');

export const LOOK_ALIKES: readonly LookAlike[] = [
  { name: 'a protocol number PG', input: 'la mia pratica è PG 0123456/2025' },
  { name: 'a protocol number PG with a date', input: 'PG 0456789/2025 del 03/02/2025' },
  { name: 'a protocol number prot. n.', input: 'prot. n. 0123456 del 12/05/2025' },
  { name: 'a protocol number without a year', input: 'numero di protocollo 0123456' },
  { name: 'a file number with a year', input: 'pratica n. 12345/2026 ancora aperta' },
  { name: 'a fine with the year first', input: 'verbale 2025/123456' },
  { name: 'a Dialogo ticket reference', input: 'riferimento DLG-2026-000123' },
  { name: 'a ticket reference with a date', input: 'la richiesta DLG-2026-000123 è del 03/12/2026' },
  { name: 'a postcode with the city', input: 'abito in via Larga 12, 20121 Milano' },
  { name: 'a postcode on its own', input: 'CAP 20154' },
  { name: 'a house number with a letter', input: 'via Dante 12/A, scala B' },
  { name: 'a house number with an interior', input: 'corso Buenos Aires 33 interno 12' },
  { name: 'a time with a colon', input: 'ci vediamo alle 10:30' },
  { name: 'a time with a dot', input: 'apre alle ore 8.30' },
  { name: 'opening hours', input: 'orari 8.30-12.30 e 14.00-16.30' },
  { name: 'a year', input: 'residente dal 2019' },
  { name: 'a range of years', input: 'dal 2020 al 2025' },
  { name: 'a date with slashes', input: 'appuntamento il 12/05/2025' },
  { name: 'a short date with slashes', input: 'scade il 1/3/26' },
  { name: 'a date with dots', input: 'scadenza 31.12.2026' },
  { name: 'a date with dashes and a short year', input: 'nato il 12-05-85' },
  { name: 'an ISO date', input: 'dal 2025-05-12 al 2025-06-12' },
  { name: 'a date in words', input: 'il 12 maggio 2025 alle 9' },
  { name: 'an English date and amount', input: 'on 5/12/2025 at 10:30 I paid EUR 1,250.00' },
  { name: 'an amount with cents', input: 'la carta d’identità costa 22,20 €' },
  { name: 'an amount with a thousands separator', input: 'multa di € 1.500,00' },
  { name: 'a large amount', input: 'un appalto da 1.234.567 euro' },
  { name: 'an amount grouped like a nine-digit mobile', input: 'il bilancio vale 333.123.456 euro' },
  { name: 'a law reference', input: 'ai sensi della L. 241/1990' },
  { name: 'a decree reference', input: 'D.Lgs. 196/2003 e DPR 445/2000' },
  { name: 'the contact centre', input: 'ho chiamato lo 020202 tre volte' },
  { name: 'the contact centre in pairs', input: 'numero 02 02 02' },
  { name: 'the contact centre from abroad', input: 'from abroad call +39 02 0202' },
  { name: 'a toll-free number', input: 'numero verde 800 123 456' },
  { name: 'an emergency number', input: 'in emergenza chiamate il 112' },
  { name: 'a plate with spaces', input: 'multa per la targa AB 123 CD' },
  { name: 'a plate solid', input: 'la mia auto AB123CD è stata rimossa' },
  { name: 'the city’s VAT number', input: 'P.IVA 01199250158' },
  { name: 'a pagoPA notice code', input: `codice avviso ${PAGOPA_NOTICE}` },
  { name: 'a pagoPA notice code in groups', input: `codice avviso ${inGroupsOfFour(PAGOPA_NOTICE)}` },
  { name: 'a codice fiscale with a wrong check character', input: `cf ${withWrongCheckChar(MARIO_ROSSI)}` },
  { name: 'a spaced codice fiscale with a wrong check character', input: `cf ${withWrongCheckChar(GIULIA_BIANCHI).replace(/^(.{6})(.{5})/, '$1 $2 ')}` },
  { name: 'an IBAN with wrong check digits, in groups', input: inGroupsOfFour(withWrongCheckDigits(IBAN_IT)) },
  { name: 'an IBAN with dashes and a mistyped digit', input: inGroupsOfFour(IBAN_IT.replace('123456', '123465'), '-') },
  { name: 'a card failing Luhn, with dots', input: 'carta 4111.1111.1111.1112' },
  { name: 'a social handle', input: 'seguite @ComuneMI per gli avvisi' },
  { name: 'an at sign in a sentence', input: 'ci vediamo @ casa tua' },
  { name: 'an English sentence with "at"', input: 'I will be at home at 5 pm' },
  { name: 'an English sentence with "at" and "dot"', input: 'we meet at noon on the dot' },
  { name: 'page numbers and counts', input: 'pagina 3 di 12, chiamato 3 volte' },
  { name: 'plain words', input: 'Vorrei rinnovare la carta d’identità, come faccio?' },
];

/**
 * Precision and recall over the table. A positive counts as found only when its output is
 * exactly the expected one; any placeholder elsewhere (in a look-alike, or a wrong or partial
 * redaction of a positive) counts as a false alarm.
 */
export function scoreRedactor(redactText: (text: string) => string): { truePositives: number; falseNegatives: number; falsePositives: number; precision: number; recall: number } {
  const placeholders = (text: string) => (text.match(/\[(?:CODICE_FISCALE|EMAIL|PHONE|IBAN|CARD)\]/g) ?? []).length;
  let truePositives = 0;
  let falseNegatives = 0;
  let falsePositives = 0;
  for (const positive of POSITIVES) {
    const output = redactText(positive.input);
    if (output === positive.expected) truePositives += 1;
    else {
      falseNegatives += 1;
      falsePositives += placeholders(output);
    }
  }
  for (const lookAlike of LOOK_ALIKES) falsePositives += placeholders(redactText(lookAlike.input));
  return {
    truePositives,
    falseNegatives,
    falsePositives,
    precision: truePositives / Math.max(1, truePositives + falsePositives),
    recall: truePositives / (truePositives + falseNegatives),
  };
}
