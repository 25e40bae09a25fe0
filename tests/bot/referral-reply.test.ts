import path from 'node:path';
import { referralReply } from '../../src/bot/referral-reply';
import { loadKnowledgeBase } from '../../src/knowledge/load-knowledge-base';
import type { Referral } from '../../src/knowledge/referral-schema';

const referral: Pick<Referral, 'answer' | 'who' | 'link'> = {
  answer: { it: 'Il passaporto lo rilascia la Questura, non il Comune.', en: 'Passports are issued by the Questura, not by the City.' },
  who: { it: 'Questura di Milano', en: 'Questura di Milano (State Police)' },
  link: 'https://www.passaportonline.poliziadistato.it',
};

describe('referralReply', () => {
  test('gives the answer, then who handles the matter and their page, in the language asked', () => {
    expect(referralReply(referral, 'it')).toBe(
      'Il passaporto lo rilascia la Questura, non il Comune.\n\nQuestura di Milano: https://www.passaportonline.poliziadistato.it',
    );
    expect(referralReply(referral, 'en')).toBe(
      'Passports are issued by the Questura, not by the City.\n\nQuestura di Milano (State Police): https://www.passaportonline.poliziadistato.it',
    );
  });

  test("prints each referral of the knowledge base with its page once, the answer's first sentence first", async () => {
    const kb = await loadKnowledgeBase(path.join(__dirname, '..', '..', 'knowledge-base'));
    expect(kb.referrals.length).toBeGreaterThanOrEqual(18);
    for (const r of kb.referrals) {
      for (const language of ['it', 'en'] as const) {
        const text = referralReply(r, language);
        expect(text.startsWith(r.answer[language].trim())).toBe(true);
        expect(text.split(r.link)).toHaveLength(2);
        expect(text.endsWith(`${r.who[language]}: ${r.link}`)).toBe(true);
      }
    }
  });
});
