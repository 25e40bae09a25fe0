import { SpellingCorrector } from '../../src/nlu/spelling';
import { wordLexicon } from '../../src/nlu/lexicon';

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

describe('SpellingCorrector with a lexicon', () => {
  const speller = new SpellingCorrector(['carta', 'identita', 'smarrimento', 'rifiuti'], wordLexicon());

  test.each([['smaltimento'], ['spazzatura'], ['bollettino'], ['centre'], ['drive']])('never rewrites the real word "%s"', (word) => {
    expect(speller.correct(word)).toBe(word);
  });

  test('still corrects a misspelling that is no real word', () => {
    expect(speller.correct('smarimento')).toBe('smarrimento');
  });
});

describe('wordLexicon', () => {
  test('is read once per process and holds real words of both languages, not short ones', () => {
    const lexicon = wordLexicon();
    expect(wordLexicon()).toBe(lexicon);
    expect(lexicon.has('smaltimento')).toBe(true);
    expect(lexicon.has('centre')).toBe(true);
    expect(lexicon.has('fee')).toBe(false);
    expect(lexicon.size).toBeGreaterThan(300_000);
  });
});
