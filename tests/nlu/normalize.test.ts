import { normalize } from '../../src/nlu/normalize';

describe('normalize', () => {
  test.each([
    ["Com'è la TARI?", 'com e la tari'],
    ["carta d'identità", 'carta identita'],
    ['carta d’identità', 'carta identita'],
    ["dell'anagrafe", 'dell anagrafe'],
    ["C'è l'Area C?", 'e area c'],
    ['PERCHÉ  non   funziona!!!', 'perche non funziona'],
    ['costa 22,20€', 'costa 22 20'],
    ['chiamo lo 020202', 'chiamo lo 020202'],
    ['<b>ciao</b>', 'ciao'],
    ['🙂🙂', ''],
  ])('%s -> %s', (input, expected) => {
    expect(normalize(input)).toBe(expected);
  });
});
