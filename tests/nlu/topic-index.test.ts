import { Analyzer } from '../../src/nlu/analyzer';
import { TopicIndex } from '../../src/nlu/topic-index';
import { loadKnowledgeBase } from '../../src/knowledge/load-knowledge-base';
import { KB_DIR } from '../fixtures/runtime';

describe('TopicIndex.score', () => {
  let kb: Awaited<ReturnType<typeof loadKnowledgeBase>>;
  let analyzer: Analyzer;
  beforeAll(async () => {
    kb = await loadKnowledgeBase(KB_DIR);
    analyzer = new Analyzer(kb.synonyms);
  });

  const questions: [string, 'it' | 'en'][] = [
    ["quanto costa la carta d'identità", 'it'],
    ['come pago la tari', 'it'],
    ['area c moto', 'it'],
    ['where do I book an appointment for the identity card', 'en'],
    ['zanzare pappagallo', 'it'],
    ['rifiuti ingombranti ritiro gratuito a domicilio', 'it'],
  ];

  test('scores each question as a fresh index does, whatever was scored before it (its scratch arrays start clean)', () => {
    const used = new TopicIndex(kb, analyzer);
    for (let round = 0; round < 3; round++) {
      for (const [text, language] of questions) {
        const terms = analyzer.terms(text, language);
        const fresh = new TopicIndex(kb, analyzer).score(terms, 5, ['tari-pagamento']);
        expect(used.score(terms, 5, ['tari-pagamento'])).toEqual(fresh);
      }
    }
  });

  test('ranks the best topics first, each once, with the topics asked for by another model added', () => {
    const index = new TopicIndex(kb, analyzer);
    const scores = index.score(analyzer.terms("quanto costa la carta d'identità", 'it'), 5, ['tari-pagamento']);
    expect(scores[0]?.topicId).toBe('carta-identita');
    expect(new Set(scores.map((s) => s.topicId)).size).toBe(scores.length);
    expect(scores.map((s) => s.topicId)).toContain('tari-pagamento');
    const ranked = scores.filter((s) => s.topicId !== 'tari-pagamento' || s.bm25 > 0).map((s) => s.bm25);
    expect(ranked.slice(0, 5)).toEqual([...ranked.slice(0, 5)].sort((a, b) => b - a));
    expect(scores.every((s) => s.nearest >= 0 && s.nearest <= 1 + 1e-9 && s.coverage >= 0 && s.coverage <= 1 + 1e-9)).toBe(true);
  });

  test('a question with no known term scores nothing', () => {
    expect(new TopicIndex(kb, analyzer).score([], 5)).toEqual([]);
    expect(new TopicIndex(kb, analyzer).score(analyzer.terms('zzzz qqqq', 'it'), 5)).toEqual([]);
  });
});
