import { contextWeight, readAsFollowUp, type AnsweredContext } from '../../src/bot/conversation-context';
import type { KnowledgeBase } from '../../src/knowledge/knowledge-base';
import { FacetPicker } from '../../src/nlu/facet-picker';
import type { Recognition } from '../../src/nlu/recognizer';
import { realRuntime } from '../fixtures/runtime';

describe('reading a message in the context of the last answer', () => {
  let kb: KnowledgeBase;
  beforeAll(async () => {
    kb = (await realRuntime()).kb;
  });
  const now = Date.parse('2026-12-05T10:00:00Z');
  const tari: AnsweredContext = { topicId: 'tari-dichiarazioni', facetId: null, turn: 3, at: now };
  const recognition = (text: string, top: string, confidence: number): Recognition => ({
    text, language: 'it', intent: 'faq', candidates: [{ topicId: top, confidence }], band: 'answer', recognizer: 'test',
  });

  test('the weight is 1 on the next message and halves with each further message and every ten minutes', () => {
    expect(contextWeight(tari, 4, now)).toBe(1);
    expect(contextWeight(tari, 5, now)).toBe(0.5);
    expect(contextWeight(tari, 4, now + 10 * 60_000)).toBeCloseTo(0.5);
  });

  test('a short message opening with "e" holds the context against a confident other topic; without it, that topic wins', () => {
    const picker = FacetPicker.of(kb);
    const marked = readAsFollowUp(recognition('e se poi vendo casa?', 'attivita-commerciali', 0.7), kb, picker, tari, 4, now);
    expect(marked).toMatchObject({ topic: { id: 'tari-dichiarazioni' }, facet: { facet: { id: 'cessazione' } } });
    expect(readAsFollowUp(recognition('se poi vendo casa?', 'attivita-commerciali', 0.7), kb, picker, tari, 4, now)).toBeUndefined();
  });

  test('a message no facet of the last topic speaks of is not a follow-up', () => {
    expect(readAsFollowUp(recognition('quanto costa il passaporto', 'passaporto', 0.9), kb, FacetPicker.of(kb), tari, 4, now)).toBeUndefined();
  });
});
