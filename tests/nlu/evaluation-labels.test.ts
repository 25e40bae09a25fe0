import { readFileSync } from 'node:fs';
import path from 'node:path';
import { externalTopicMapSchema, isHeldOut, labelByTopicMap, labelKindOf, parseEvaluationFile } from '../../src/nlu/evaluation';

// Made-up rows in the shape of an external data set: the real sentences stay in ../shared.
const rows = [
  { faqId: '1', text: 'come pago la tassa' },
  { faqId: '1', text: 'tassa e un caso strano' },
  { faqId: '1', text: 'tassa da saltare' },
  { faqId: '2', text: 'regole del lockdown' },
  { faqId: '2', text: 'lockdown ma in realtà rifiuti' },
  { faqId: '9', text: 'faq non mappata ma etichettata a mano' },
  { faqId: '9', text: 'faq non mappata' },
  { faqId: '1', text: '   ' },
];

describe('labelByTopicMap: curated utterance labels before FAQ labels', () => {
  const topicMap = externalTopicMapSchema.parse({
    about: 'test map',
    map: { '1': 'tari-pagamento', '2': 'none' },
    utterances: {
      'tassa e un caso strano': 'tari-dichiarazioni',
      'tassa da saltare': 'skip',
      'lockdown ma in realtà rifiuti': 'rifiuti-raccolta',
      'faq non mappata ma etichettata a mano': 'none',
    },
  });

  test('an utterance label wins over its FAQ label, skip leaves it out, an unlisted FAQ is left out', () => {
    const { lines, overridden, skipped, unmatched } = labelByTopicMap(rows, topicMap);
    expect(lines).toEqual([
      { text: 'come pago la tassa', expected: 'tari-pagamento' },
      { text: 'tassa e un caso strano', expected: 'tari-dichiarazioni' },
      { text: 'regole del lockdown', expected: 'none' },
      { text: 'lockdown ma in realtà rifiuti', expected: 'rifiuti-raccolta' },
      { text: 'faq non mappata ma etichettata a mano', expected: 'none' },
    ]);
    expect({ overridden, skipped, unmatched }).toEqual({ overridden: 3, skipped: 1, unmatched: [] });
  });

  test('curated utterances that match no row are reported, so a stale curation is noticed', () => {
    const { unmatched } = labelByTopicMap(rows, { ...topicMap, utterances: { ...topicMap.utterances, 'una frase che non esiste': 'none' } });
    expect(unmatched).toEqual(['una frase che non esiste']);
  });

  test('a map without utterances still parses (FAQ labels only)', () => {
    const parsed = externalTopicMapSchema.parse({ map: { '1': 'tari-pagamento' } });
    expect(labelByTopicMap(rows, parsed).lines.map((l) => l.expected)).toEqual(['tari-pagamento', 'tari-pagamento', 'tari-pagamento']);
  });

  test('a map whose labels are not strings is refused', () => {
    expect(externalTopicMapSchema.safeParse({ map: { '1': 3 } }).success).toBe(false);
  });
});

describe('the development set: a tuning part and a held-out part, split by a hash of the text', () => {
  const read = (name: string) => parseEvaluationFile(readFileSync(path.resolve(__dirname, '../fixtures', name), 'utf8'));
  const tuning = read('dev-set.jsonl');
  const heldOut = read('dev-set-held-out.jsonl');

  test('every line sits in the part its hash names, and no text is in both', () => {
    expect(tuning.filter((l) => isHeldOut(l.text)).map((l) => l.text)).toEqual([]);
    expect(heldOut.filter((l) => !isHeldOut(l.text)).map((l) => l.text)).toEqual([]);
    const tuningTexts = new Set(tuning.map((l) => l.text));
    expect(heldOut.filter((l) => tuningTexts.has(l.text))).toEqual([]);
  });

  test('the held-out part is about a quarter and holds every kind of label', () => {
    const share = heldOut.length / (heldOut.length + tuning.length);
    expect(share).toBeGreaterThan(0.18);
    expect(share).toBeLessThan(0.32);
    const kinds = new Set(heldOut.map((l) => labelKindOf(l.expected)));
    for (const kind of ['topic', 'none', 'handoff'] as const) expect(kinds).toContain(kind);
  });

  test('the split is the documented rule: first byte of SHA-256 below 64, about a quarter', () => {
    // SHA-256 first bytes: "a" 0xca, "b" 0x3e, "e" 0x3f, "g" 0xcd.
    expect(['a', 'b', 'e', 'g'].map(isHeldOut)).toEqual([false, true, true, false]);
    const sample = Array.from({ length: 4000 }, (_, i) => `domanda numero ${i}`);
    const share = sample.filter(isHeldOut).length / sample.length;
    expect(share).toBeGreaterThan(0.22);
    expect(share).toBeLessThan(0.28);
  });
});
