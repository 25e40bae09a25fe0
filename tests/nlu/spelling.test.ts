import { SpellingCorrector } from '../../src/nlu/spelling';

describe('SpellingCorrector', () => {
  const speller = new SpellingCorrector(['residenza', 'carta', 'identita', 'pagamento', 'casa', 'cassa', 'operatore']);

  test.each([
    ['resdienza', 'residenza'],
    ['pagamnto', 'pagamento'],
    ['identiat', 'identita'],
    ['operatre', 'operatore'],
  ])('corrects %s to %s', (wrong, right) => {
    expect(speller.correct(wrong)).toBe(right);
  });

  test('leaves known words and short words alone', () => {
    expect(speller.correct('casa')).toBe('casa');
    expect(speller.correct('cas')).toBeUndefined();
  });

  test('does not invent a correction for an unrelated word', () => {
    expect(speller.correct('pizzeria')).toBeUndefined();
  });
});
