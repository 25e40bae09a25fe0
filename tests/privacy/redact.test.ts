import fc from 'fast-check';
import { DETECTOR_PATTERNS, redact, type RedactionKind } from '../../src/privacy/redact';

import {
  GIULIA_BIANCHI,
  IBAN_DE,
  IBAN_IT,
  IBAN_IT_OTHER,
  inGroupsOfFour,
  LOOK_ALIKES,
  MARIO_ROSSI,
  OMOCODIA,
  POSITIVES,
  scoreRedactor,
  withWrongCheckChar,
  withCheckChar,
  withWrongCheckDigits,
} from './redaction-cases';

function counts(partial: Partial<Record<RedactionKind, number>>): Record<RedactionKind, number> {
  return { 'codice-fiscale': 0, email: 0, phone: 0, iban: 0, card: 0, ...partial };
}

describe('test helpers', () => {
  test('agree with the published examples', () => {
    expect(MARIO_ROSSI).toBe('RSSMRA85T10A562S');
    expect(IBAN_IT).toBe('IT60X0542811101000000123456');
    expect(IBAN_DE).toBe('DE89370400440532013000');
  });
});

describe('redact: the table of formats citizens write', () => {
  test('has at least 60 positives covering every kind, and at least 40 look-alikes', () => {
    expect(POSITIVES.length).toBeGreaterThanOrEqual(60);
    expect(LOOK_ALIKES.length).toBeGreaterThanOrEqual(40);
    expect(new Set(POSITIVES.map((p) => p.kind))).toEqual(new Set(['codice-fiscale', 'email', 'phone', 'iban', 'card']));
  });

  test.each(POSITIVES.map((p) => [p.kind, p.name, p] as const))('redacts %s: %s', (_kind, _name, positive) => {
    expect(redact(positive.input)).toEqual({ text: positive.expected, found: counts({ [positive.kind]: 1 }) });
  });

  test.each(LOOK_ALIKES.map((l) => [l.name, l.input] as const))('leaves untouched: %s', (_name, input) => {
    expect(redact(input)).toEqual({ text: input, found: counts({}) });
  });

  test('scores precision 1 and recall 1 on the table (0.82 and 0.65 before the new formats)', () => {
    expect(scoreRedactor((text) => redact(text).text)).toMatchObject({ precision: 1, recall: 1 });
  });
});

describe('redact', () => {
  describe('redacts a codice fiscale whose check character is right', () => {
    test.each([
      ['upper case', `Il mio codice fiscale è ${MARIO_ROSSI}.`, 'Il mio codice fiscale è [CODICE_FISCALE].'],
      ['lower case', `cf ${MARIO_ROSSI.toLowerCase()} grazie`, 'cf [CODICE_FISCALE] grazie'],
      ['with omocodia', `codice ${OMOCODIA}`, 'codice [CODICE_FISCALE]'],
      ['a woman born in Milan', `${GIULIA_BIANCHI}`, '[CODICE_FISCALE]'],
      ['between punctuation', `(${GIULIA_BIANCHI})`, '([CODICE_FISCALE])'],
    ])('%s', (_name, input, expected) => {
      expect(redact(input)).toEqual({ text: expected, found: counts({ 'codice-fiscale': 1 }) });
    });
  });

  describe('redacts e-mail addresses', () => {
    test.each([
      ['a plain address', 'scrivete a mario.rossi@example.it.', 'scrivete a [EMAIL].'],
      ['a tagged address', 'mail: Giulia.Bianchi+tari@comune.milano.it grazie', 'mail: [EMAIL] grazie'],
      ['a PEC address', '<nome_cognome@pec.example.org>', '<[EMAIL]>'],
    ])('%s', (_name, input, expected) => {
      expect(redact(input)).toEqual({ text: expected, found: counts({ email: 1 }) });
    });
  });

  describe('redacts Italian and international phone numbers', () => {
    test.each([
      ['a mobile with spaces', 'chiamatemi al 333 123 4567 grazie', 'chiamatemi al [PHONE] grazie'],
      ['a mobile written solid', 'cell 3331234567', 'cell [PHONE]'],
      ['a mobile with +39', 'tel. +39 333 123 4567', 'tel. [PHONE]'],
      ['a mobile with +39 attached', 'tel:+393331234567', 'tel:[PHONE]'],
      ['a mobile with 0039 and dots', 'numero 0039 333.123.4567', 'numero [PHONE]'],
      ['a mobile with dashes', 'il mio è 347-123-4567', 'il mio è [PHONE]'],
      ['a mobile in pairs', 'il mio è 347.12.34.567', 'il mio è [PHONE]'],
      ['a mobile with the prefix in brackets', '(+39) 333 1234567', '[PHONE]'],
      ['a Milan landline', 'ufficio 02 1234 5678', 'ufficio [PHONE]'],
      ['a landline with a dash', 'ufficio 02-12345678', 'ufficio [PHONE]'],
      ['a landline with dots', 'ufficio 02.1234.5678', 'ufficio [PHONE]'],
      ['a landline with +39', 'ufficio +39 02 1234 5678', 'ufficio [PHONE]'],
      ['a landline with the area code in brackets', 'casa (02) 8845 1234', 'casa [PHONE]'],
      ['a landline outside Milan', 'Varese 0332 123456', 'Varese [PHONE]'],
      ['a landline in brackets', 'casa (0212345678)', 'casa ([PHONE])'],
      ['a British number', 'from London +44 20 7946 0958', 'from London [PHONE]'],
      ['a French number', 'Paris +33 1 23 45 67 89', 'Paris [PHONE]'],
      ['a US number', 'NY +1 (212) 555-0123', 'NY [PHONE]'],
      ['a number followed by another word', 'ho chiamato 333 1234567 2 volte', 'ho chiamato [PHONE] 2 volte'],
    ])('%s', (_name, input, expected) => {
      expect(redact(input)).toEqual({ text: expected, found: counts({ phone: 1 }) });
    });
  });

  describe('redacts an IBAN whose mod-97 checksum is right', () => {
    test.each([
      ['Italian, solid', `IBAN ${IBAN_IT}`, 'IBAN [IBAN]'],
      ['Italian, in groups of four', `IBAN: ${inGroupsOfFour(IBAN_IT)} grazie`, 'IBAN: [IBAN] grazie'],
      ['Italian, lower case', `iban ${IBAN_IT_OTHER.toLowerCase()}`, 'iban [IBAN]'],
      ['German, ending on a full group before a word', `${inGroupsOfFour(IBAN_DE)} ciao`, '[IBAN] ciao'],
    ])('%s', (_name, input, expected) => {
      expect(redact(input)).toEqual({ text: expected, found: counts({ iban: 1 }) });
    });
  });

  describe('redacts a card number that passes the Luhn check', () => {
    test.each([
      ['Visa in groups', 'carta 4111 1111 1111 1111 scade', 'carta [CARD] scade'],
      ['Mastercard with dashes', 'carta 5555-5555-5555-4444.', 'carta [CARD].'],
      ['Visa solid', 'pagato con 4012888888881881', 'pagato con [CARD]'],
      ['Visa with 13 digits', 'vecchia 4222222222222', 'vecchia [CARD]'],
      // Starts with 3, so it would be read as a mobile if phones went first.
      ['American Express 4-6-5', 'amex 3782 822463 10005', 'amex [CARD]'],
      ['a card followed by a year', 'carta 4111 1111 1111 1111 2027', 'carta [CARD] 2027'],
    ])('%s', (_name, input, expected) => {
      expect(redact(input)).toEqual({ text: expected, found: counts({ card: 1 }) });
    });
  });

  describe('leaves look-alikes and ordinary text untouched', () => {
    test.each([
      ['a codice fiscale with a wrong check character', `cf ${withWrongCheckChar(MARIO_ROSSI)}`],
      ['an omocodia code with a wrong check character', withWrongCheckChar(OMOCODIA)],
      ['an IBAN with wrong check digits', `IBAN ${withWrongCheckDigits(IBAN_IT)}`],
      ['an IBAN in groups with wrong check digits', inGroupsOfFour(withWrongCheckDigits(IBAN_IT))],
      ['an IBAN with a mistyped digit', IBAN_IT.replace('123456', '123465')],
      ['a 16-digit number failing Luhn', 'carta 4111 1111 1111 1112'],
      ['a solid 16-digit number failing Luhn', 'codice 1234567890123456'],
      ['the city contact centre', 'ho chiamato lo 020202 ma nessuno risponde'],
      ['the city contact centre with +39', 'dall’estero +39 02 0202'],
      ['the other city number', 'chiamate lo 02.0208'],
      ['a date with slashes', 'appuntamento il 12/05/2024'],
      ['a date with dots', 'appuntamento il 03.05.2024'],
      ['a date with dashes', 'scadenza 03-05-2024'],
      ['an amount with cents', 'la carta costa 22,20 €'],
      ['an amount with thousands', 'multa di 1.500 euro, o € 1.500.000,00'],
      ['a year', 'nel 2024'],
      ['a postcode', 'via Larga 12, 20121 Milano'],
      ['short numbers', 'chiamate il 112 o il 1500, sportello 3'],
      ['times', 'alle 10:30 o alle 9.30'],
      ['opening hours', 'orari 09.00-12.30 e 14.00-16.00'],
      ['a protocol number', 'pratica PG 123456/2024'],
      ['plain words', 'Vorrei rinnovare la carta d’identità, come faccio?'],
      ['an empty message', ''],
    ])('%s', (_name, input) => {
      expect(redact(input)).toEqual({ text: input, found: counts({}) });
    });
  });

  test('keeps the city number and redacts the mobile written after it', () => {
    expect(redact('020202 333 1234567')).toEqual({ text: '020202 [PHONE]', found: counts({ phone: 1 }) });
  });

  test('keeps the surrounding text and counts every kind in a mixed message', () => {
    const message =
      `Buongiorno, sono Mario Rossi (${MARIO_ROSSI}), mail mario.rossi@example.it, ` +
      `cell +39 333 123 4567 o ufficio 02 1234 5678. Rimborso TARI di 22,20 € del 12/05/2024 ` +
      `su IBAN ${inGroupsOfFour(IBAN_IT)}; avevo pagato con 4111 1111 1111 1111. Ho già chiamato lo 020202.`;
    expect(redact(message)).toEqual({
      text:
        'Buongiorno, sono Mario Rossi ([CODICE_FISCALE]), mail [EMAIL], ' +
        'cell [PHONE] o ufficio [PHONE]. Rimborso TARI di 22,20 € del 12/05/2024 ' +
        'su IBAN [IBAN]; avevo pagato con [CARD]. Ho già chiamato lo 020202.',
      found: counts({ 'codice-fiscale': 1, email: 1, phone: 2, iban: 1, card: 1 }),
    });
  });

  test('counts several items of the same kind', () => {
    expect(redact(`${MARIO_ROSSI} e ${GIULIA_BIANCHI}, oppure ${OMOCODIA}`)).toEqual({
      text: '[CODICE_FISCALE] e [CODICE_FISCALE], oppure [CODICE_FISCALE]',
      found: counts({ 'codice-fiscale': 3 }),
    });
  });

  test('leaves already redacted text as it is', () => {
    const once = redact(`${MARIO_ROSSI} 333 1234567 ${IBAN_IT} 4111111111111111 a@b.it`).text;
    expect(redact(once)).toEqual({ text: once, found: counts({}) });
  });
});

describe('redact: detectors passed over for text without digits', () => {
  const withDigits = DETECTOR_PATTERNS.filter((d) => d.needsDigit);

  test('only the detectors whose every candidate holds a digit are passed over; the codice fiscale and e-mail are always looked for', () => {
    expect(withDigits.map((d) => d.kind).sort()).toEqual(['card', 'iban', 'phone', 'reference']);
    // RSSMRA85T10A562S with every digit written as its omocodia letter: no digit left.
    const allLetters = withCheckChar('RSSMRAURTMLARSN');
    expect(redact(`Sono ${allLetters}`)).toEqual({ text: 'Sono [CODICE_FISCALE]', found: counts({ 'codice-fiscale': 1 }) });
    expect(redact('scrivete a mario at gmail dot com').found.email).toBe(1);
  });

  test('no text without an ASCII digit matches the candidates of a detector that is passed over', () => {
    const noDigits = (alphabet: fc.Arbitrary<string>) => fc.array(alphabet, { maxLength: 60 }).map((chars) => chars.join('').replace(/[0-9]/g, ''));
    // Letters and separators the patterns use, markers included, and any other text.
    const shaped = fc.constantFrom('I', 'T', 'X', 'D', 'L', 'G', '-', ' ', '.', '/', '(', ')', '+', 'prot', 'PG', 'n.', 'DLG-', 'IVA', '٣', '０', '²');
    fc.assert(
      fc.property(fc.oneof(noDigits(shaped), noDigits(fc.string({ unit: 'grapheme' }))), (text) => {
        for (const detector of withDigits) expect(text.match(new RegExp(detector.candidates))).toBeNull();
      }),
      { numRuns: 2000 },
    );
  });
});
