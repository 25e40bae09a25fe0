import { KnowledgeBase } from '../../src/knowledge/knowledge-base';
import { lintKnowledgeBase } from '../../src/knowledge/lint';
import { realRuntime } from '../fixtures/runtime';

describe('lintKnowledgeBase', () => {
  let kb: KnowledgeBase;
  beforeAll(async () => {
    kb = (await realRuntime()).kb;
  });

  test('the knowledge base as committed has no errors', () => {
    expect(lintKnowledgeBase(kb, new Date('2026-11-29T00:00:00Z')).filter((f) => f.level === 'error')).toEqual([]);
  });

  test('reports a sample used by two topics, stale reviews and passed review dates', () => {
    const imu = kb.get('imu')!;
    const tari = kb.get('tari-pagamento')!;
    const edited = new KnowledgeBase(
      [
        { ...imu, lastReviewed: '2024-01-10', reviewBy: '2025-01-01' },
        { ...tari, samples: { ...tari.samples, it: [...tari.samples.it, imu.samples.it[0]!] } },
      ],
      kb.synonyms,
    );
    const messages = lintKnowledgeBase(edited, new Date('2026-11-29T00:00:00Z')).map((f) => `${f.level} ${f.topicId} ${f.message}`);
    expect(messages).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^error tari-pagamento sample ".*" is also a sample of imu$/),
        expect.stringMatching(/^warning imu lastReviewed 2024-01-10 is older than 12 months$/),
        expect.stringMatching(/^warning imu reviewBy 2025-01-01 has passed/),
      ]),
    );
  });
});
