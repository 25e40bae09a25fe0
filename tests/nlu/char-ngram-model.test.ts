import { CharNgramModel, charGrams } from '../../src/nlu/char-ngram-model';

describe('charGrams', () => {
  test('hashes the 3- to 5-grams of each word within its boundaries, without repeats', () => {
    expect(charGrams(['tari'])).toHaveLength(9);
    expect(charGrams(['tari', 'tari'])).toEqual(charGrams(['tari']));
    expect(charGrams([])).toEqual([]);
  });
});

describe('CharNgramModel', () => {
  const examples = [
    { words: ['raccolta', 'rifiuti'], label: 'rifiuti', rivals: ['residenza'] },
    { words: ['ritiro', 'rifiuti', 'ingombranti'], label: 'rifiuti', rivals: ['residenza'] },
    { words: ['cambio', 'residenza'], label: 'residenza', rivals: ['rifiuti'] },
    { words: ['trasferire', 'residenza', 'milano'], label: 'residenza', rivals: ['rifiuti'] },
    { words: ['meteo', 'domani'], label: 'none', rivals: ['rifiuti', 'residenza'] },
    { words: ['ristorante', 'centro'], label: 'none', rivals: ['rifiuti'] },
  ];
  const model = CharNgramModel.train(examples, { always: 'none' });

  test('recognises a word it never saw from its pieces (inflected, misspelt)', () => {
    const p = model.probabilities(['rifiuto', 'ingombrante'], ['rifiuti', 'residenza']);
    expect(p.get('rifiuti')).toBeGreaterThan(p.get('residenza') ?? 1);
    const q = model.probabilities(['residnza'], ['rifiuti', 'residenza']);
    expect(q.get('residenza')).toBeGreaterThan(q.get('rifiuti') ?? 1);
  });

  test('gives probabilities over the labels asked and the out-of-scope class', () => {
    const p = model.probabilities(['meteo'], ['rifiuti', 'residenza']);
    expect([...p.keys()]).toEqual(['rifiuti', 'residenza', 'none']);
    expect([...p.values()].reduce((a, b) => a + b, 0)).toBeCloseTo(1, 10);
    expect(p.get('none')).toBeGreaterThan(0.5);
  });

  test('a label never trained scores as no evidence, and a build is reproducible', () => {
    const p = model.probabilities([], ['sconosciuto', 'rifiuti']);
    expect(p.get('sconosciuto')).toBeCloseTo(1 / 3, 10);
    const again = CharNgramModel.train(examples, { always: 'none' });
    expect(again.probabilities(['rifiuto'], ['rifiuti'])).toEqual(model.probabilities(['rifiuto'], ['rifiuti']));
  });
});
