import { judgeTurn, parseConversations, summarizeConversations } from '../../src/bot/conversation-evaluation';

describe('conversation evaluation', () => {
  test('a fact counts only when it is in the first 240 characters, accents and case aside', () => {
    const turn = { text: 'quanto costa', expected: 'area-c', facet: 'costo', fact: 'Perché 7,50' };
    const data = { topicId: 'area-c', facetId: 'costo', confidence: 0.9, outcome: 'answered' as const };
    expect(judgeTurn('c', 1, turn, { text: `perche 7,50 euro ${'x'.repeat(300)}`, data })).toMatchObject({ topicRight: true, facetRight: true, factOnFirstScreen: true });
    expect(judgeTurn('c', 1, turn, { text: `${'x'.repeat(240)} perché 7,50`, data })).toMatchObject({ factOnFirstScreen: false });
  });

  test('the overview is facet "overview"; a right facet of a wrong topic is wrong; none wants no answer', () => {
    const overview = { topicId: 'area-c', facetId: null, confidence: 0.9, outcome: 'answered' as const };
    expect(judgeTurn('c', 1, { text: 'area c', expected: 'area-c', facet: 'overview' }, { text: '', data: overview }).facetRight).toBe(true);
    expect(judgeTurn('c', 1, { text: 'x', expected: 'area-b', facet: 'costo' }, { text: '', data: { ...overview, facetId: 'costo' } })).toMatchObject({ topicRight: false, facetRight: false });
    expect(judgeTurn('c', 1, { text: 'pizza', expected: 'none' }, { text: '', data: { topicId: null, confidence: null, outcome: 'fallback' } }).topicRight).toBe(true);
    expect(judgeTurn('c', 1, { text: 'pizza', expected: 'none' }, { text: '', data: overview }).topicRight).toBe(false);
  });

  test('later turns are summarised apart, and a bad line is refused with its number', () => {
    const data = { topicId: 'imu', confidence: 1, outcome: 'answered' as const };
    const results = [judgeTurn('a', 1, { text: 'imu', expected: 'imu' }, { text: '', data }), judgeTurn('a', 2, { text: 'e poi?', expected: 'tari-pagamento' }, { text: '', data })];
    expect(summarizeConversations(results)).toMatchObject({ conversations: 1, turns: 2, topicAccuracy: 0.5, laterTurnAccuracy: 0 });
    expect(() => parseConversations('{"id":"a","turns":[{"text":"x","expected":"imu"}]}\n{"id":"b","turns":[]}')).toThrow(/^line 2: turns/);
  });
});
