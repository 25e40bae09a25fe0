import { gapKey } from '../../src/analytics/gap-key';
import { groupGaps, sameWord } from '../../src/analytics/gap-groups';
import type { KnowledgeGapRow } from '../../src/storage/ports';

/** Gap rows as the store returns them: one per key, from the citizens' (redacted) texts. */
function gaps(language: 'it' | 'en', texts: readonly string[]): KnowledgeGapRow[] {
  const rows = new Map<string, KnowledgeGapRow>();
  for (const text of texts) {
    const key = gapKey(text);
    if (!key) continue;
    const row = rows.get(key) ?? { language, key, count: 0, examples: [] };
    rows.set(key, { ...row, count: row.count + 1, examples: row.examples.includes(text) ? row.examples : [...row.examples, text].slice(0, 5) });
  }
  return [...rows.values()];
}

describe('knowledge gaps: what is one, and which are one', () => {
  test('button labels and yes/no words are not gaps, typed or tapped, in either language', () => {
    for (const text of ['Conferma', 'conferma', 'Acconsento', 'Non acconsento', 'sì', 'Si!', 'yes', 'No', 'ok', 'OK grazie', 'sì confermo', 'I agree', 'Annulla', 'Esci dalla coda', 'Parla con un operatore', 'Talk to an operator', 'Richiesta scritta', 'Continuo ad attendere', 'ok, va bene', 'yes please']) {
      expect([text, gapKey(text)]).toEqual([text, '']);
    }
    // A question that merely contains one of those words still is one.
    expect(gapKey('no la tari non arriva')).not.toBe('');
    expect(gapKey('conferma prenotazione piscina')).toBe('conferma piscina prenotazione');
  });

  test('near-identical questions merge: plurals, verb forms, word order, a typo, punctuation', () => {
    const grouped = groupGaps([
      ...gaps('it', [
        'orari piscina comunale', 'orari piscina comunale', 'Orari piscine comunali?', 'orario piscina comunale',
        'orari picsina comunale', 'piscina comunale orari estivi', 'ORARI PISCINA COMUNALE!!',
        'orari del cimitero maggiore', 'orario cimitero maggiore', 'quando apre il cimitero maggiore',
        'dove lascio la bici rubata ritrovata', 'ho ritrovato una bici rubata dove la lascio',
      ]),
      ...gaps('en', ['swimming pool opening hours', 'opening hours of the swimming pools', 'swiming pool opening hours']),
    ]);
    const summary = grouped.map((g) => [g.language, g.count, g.key]);
    expect(summary).toEqual([
      ['it', 7, 'comunale orari piscina'],
      // Ties lead in key order: here the misspelt one.
      ['en', 3, 'hours opening pool swiming'],
      ['it', 2, 'bici dove lascio ritrovata rubata'],
      ['it', 2, 'cimitero maggiore orari'],
      // Another way of asking (when it opens, not its hours): near, not near-identical.
      ['it', 1, 'apre cimitero maggiore quando'],
    ]);
    expect(grouped[0]?.examples).toEqual(expect.arrayContaining(['orari picsina comunale', 'orario piscina comunale']));
  });

  test('different needs with a word in common stay apart', () => {
    const grouped = groupGaps(gaps('it', ['orari piscina comunale', 'orari cimitero maggiore', 'orari biblioteca comunale', 'prenotare campo calcio comunale']));
    expect(grouped).toHaveLength(4);
  });

  test('one typo apart is the same word; short words and two typos are not', () => {
    expect(sameWord('piscin', 'picsin')).toBe(true);
    expect(sameWord('piscin', 'piscinx')).toBe(true);
    expect(sameWord('piscin', 'pscin')).toBe(true);
    expect(sameWord('piscin', 'pisxin')).toBe(true);
    expect(sameWord('tari', 'tasi')).toBe(false);
    expect(sameWord('piscin', 'pxsxin')).toBe(false);
    expect(sameWord('piscin', 'cimiter')).toBe(false);
  });
});
