import { Analyzer } from '../../src/nlu/analyzer';
import { featuresOf, unknownShare } from '../../src/nlu/calibration';
import type { LocalRecognizer } from '../../src/nlu/local-recognizer';
import { loadLocalRecognizer } from '../../src/nlu/load-local-recognizer';
import { Posteriors } from '../../src/nlu/naive-bayes';
import { TopicIndex, type TopicScores } from '../../src/nlu/topic-index';
import { loadKnowledgeBase } from '../../src/knowledge/load-knowledge-base';
import { KB_DIR } from '../fixtures/runtime';

describe('unknownShare', () => {
  let index: TopicIndex;
  let analyzer: Analyzer;
  beforeAll(async () => {
    const kb = await loadKnowledgeBase(KB_DIR);
    analyzer = new Analyzer(kb.synonyms);
    index = new TopicIndex(kb, analyzer);
  });

  test('is the share of the terms no topic contains, real words included', () => {
    expect(unknownShare(index, analyzer.terms('rifiuti ingombranti', 'it'))).toBe(0);
    // "zanzare" and "pappagallo" are Italian, but no topic uses them: no evidence for any.
    expect(unknownShare(index, analyzer.terms('zanzare rifiuti pappagallo', 'it'))).toBeCloseTo(2 / 3, 10);
    expect(unknownShare(index, [])).toBe(0);
  });
});

describe('the calibrator', () => {
  let recognizer: LocalRecognizer;
  beforeAll(async () => {
    recognizer = (await loadLocalRecognizer(KB_DIR)).recognizer;
  });

  test('is less confident in the same scores when more of the message is unknown', () => {
    const scores: TopicScores[] = [
      { topicId: 'tari-pagamento', bm25: 0.4, nearest: 0.5, coverage: 0.4 },
      { topicId: 'imu', bm25: 0.1, nearest: 0.1, coverage: 0.1 },
    ];
    const evidence = (share: number) => ({ posteriors: Posteriors.empty(), chars: new Map([['tari-pagamento', 0.6]]), unknownShare: share });
    const known = recognizer.calibrator.predict(featuresOf(scores, 0, evidence(0)));
    const unknown = recognizer.calibrator.predict(featuresOf(scores, 0, evidence(0.8)));
    expect(unknown).toBeLessThan(known);
  });
});
