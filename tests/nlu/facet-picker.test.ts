import type { KnowledgeBase } from '../../src/knowledge/knowledge-base';
import { FacetPicker } from '../../src/nlu/facet-picker';
import * as redaction from '../../src/privacy/redact';
import { realRuntime } from '../fixtures/runtime';

describe('FacetPicker', () => {
  let kb: KnowledgeBase;
  beforeAll(async () => {
    kb = (await realRuntime()).kb;
  });
  const pick = (text: string, topicId: string) => FacetPicker.of(kb).pick(text, 'it', kb.get(topicId)!)?.facet.id;

  test("the words that tell a topic's facets apart decide; the topic's own name alone gets the overview", () => {
    expect(pick("quanto costa la carta d'identità", 'carta-identita')).toBe('costo');
    expect(pick('cie per mio figlio minorenne', 'carta-identita')).toBe('minori');
    expect(pick("carta d'identità", 'carta-identita')).toBeUndefined();
  });

  test('the words of a kind of facet that every topic has (cost, documents) decide within a topic, however common they are across topics', () => {
    // "quanto costa" is in the cost facet of most topics; within the nursery topic it still names its fee.
    expect(pick('quanto costa iscrivere il bambino al nido comunale', 'nidi-infanzia-iscrizioni')).toBe('retta');
  });

  test('"cosa" names no facet: "what do I do" about a stolen card gets the overview, which says to report the theft first', () => {
    expect(pick("mi hanno rubato la carta d'identità cosa devo fare", 'carta-identita-smarrimento')).toBeUndefined();
    expect(pick("carta rubata, cosa devo portare allo sportello?", 'carta-identita-smarrimento')).toBe('documenti');
  });

  test('personal data and words the knowledge base never uses are no evidence; words of other subjects lower the score', () => {
    expect(pick("quanto costa la carta d'identità? scrivetemi a mario.rossi@example.it", 'carta-identita')).toBe('costo');
    const picker = FacetPicker.of(kb);
    const own = picker.rank("quanto costa la carta d'identità", 'it', kb.get('carta-identita')!)[0]!.score;
    const other = picker.rank('quanto costa il passaporto', 'it', kb.get('carta-identita')!)[0]!.score;
    expect(other).toBeLessThan(own);
  });

  test("a number alone tells no facet apart, even one a facet's sample uses (a boy of 15)", () => {
    expect(pick("carta d'identità 15", 'carta-identita')).toBeUndefined();
  });

  test('a recognised message is redacted and analysed once for every topic a turn tries, with the same picks as its text', () => {
    const picker = FacetPicker.of(kb);
    const recognition = { text: "quanto costa la carta d'identità per mio figlio? mario.rossi@example.it", language: 'it' as const };
    const topics = ['carta-identita', 'carta-identita-smarrimento', 'tari-pagamento', 'area-c'].map((id) => kb.get(id)!);
    const spy = jest.spyOn(redaction, 'redact');
    try {
      const picks = topics.map((topic) => picker.pickFor(recognition, topic)?.facet.id);
      expect(spy).toHaveBeenCalledTimes(1);
      expect(picks).toEqual(topics.map((topic) => picker.pick(recognition.text, 'it', topic)?.facet.id));
      expect(picks[0]).toBeDefined();
      // Another recognition of the same words is analysed on its own.
      spy.mockClear();
      picker.pickFor({ ...recognition }, topics[0]!);
      expect(spy).toHaveBeenCalledTimes(1);
    } finally {
      spy.mockRestore();
    }
  });

  test('the picker is built once per knowledge base', () => {
    expect(FacetPicker.of(kb)).toBe(FacetPicker.of(kb));
  });
});
