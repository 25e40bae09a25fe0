import path from 'node:path';
import { loadKnowledgeBase } from '../../src/knowledge/load-knowledge-base';
import { normalize } from '../../src/nlu/normalize';
import { loadOutOfScope } from '../../src/nlu/out-of-scope';

const KB_DIR = path.join(__dirname, '..', '..', 'knowledge-base');

/** The first sentence of an answer: up to the first full stop or colon followed by a space. */
function firstSentence(text: string): string {
  return text.split(/(?<=[.:])\s/)[0] ?? text;
}

describe('knowledge-base/referrals.yaml: other administrations\' matters', () => {
  test("covers at least the administrations issue 12 names", async () => {
    const kb = await loadKnowledgeBase(KB_DIR);
    expect(kb.referrals.length).toBeGreaterThanOrEqual(18);
  });

  test("each answer's first sentence says that the City does not handle the matter", async () => {
    const kb = await loadKnowledgeBase(KB_DIR);
    for (const r of kb.referrals) {
      expect([r.id, /non (il|al|con il|dal|gli uffici del) Comune/.test(firstSentence(r.answer.it))]).toEqual([r.id, true]);
      expect([r.id, /not (by |to |from )?the City/.test(firstSentence(r.answer.en))]).toEqual([r.id, true]);
    }
  });

  test("no referral sample is also a topic's sample or an out-of-scope example", async () => {
    const kb = await loadKnowledgeBase(KB_DIR);
    const outOfScope = await loadOutOfScope(KB_DIR);
    const elsewhere = new Set([
      ...kb.entries.filter((e) => e.kind === 'topic').flatMap((e) => [...e.samples.it, ...e.samples.en]),
      ...outOfScope.it,
      ...outOfScope.en,
    ].map(normalize));
    const clashes = kb.referrals.flatMap((r) => [...r.samples.it, ...r.samples.en].filter((s) => elsewhere.has(normalize(s))).map((s) => `${r.id}: ${s}`));
    expect(clashes).toEqual([]);
  });
});
