import type { Activity } from 'botbuilder';
import { DialogTestClient } from 'botbuilder-testing';
import { FaqDialog } from '../../dialogs/faq-dialog';
import type { KnowledgeRuntime } from '../../src/bot/runtime';
import { CONTACT, TableRecognizer, realRuntime, faqRecognition } from '../fixtures/runtime';

const dialogoOf = (a: Partial<Activity>) => (a.channelData as { dialogo: { topicId: string | null; outcome: string } }).dialogo;

describe("FaqDialog redirects other administrations' matters", () => {
  let runtime: KnowledgeRuntime;
  const table = new TableRecognizer({
    'rinnovo passaporto': faqRecognition({ passaporto: 0.9 }),
    'documento per viaggiare': faqRecognition({ 'carta-identita': 0.4, passaporto: 0.35 }),
  });

  beforeAll(async () => {
    runtime = { kb: (await realRuntime()).kb, recognizer: table };
  });
  const client = () => new DialogTestClient('test', new FaqDialog({ runtime: () => runtime, contact: CONTACT }));

  test('a referral names who handles the matter and links their page, with outcome referral and no feedback question', async () => {
    const reply = await client().sendActivity('rinnovo passaporto');
    const passport = runtime.kb.referral('passaporto')!;
    expect(dialogoOf(reply)).toMatchObject({ topicId: 'passaporto', outcome: 'referral' });
    expect(reply.text).toContain(passport.who.it);
    expect(reply.text).toContain(passport.link);
    expect(reply.text).not.toMatch(/utile\?/);
    expect(reply.suggestedActions).toBeUndefined();
  });

  test('a referral can be offered beside a topic, with its short title, and pressing it redirects', async () => {
    const c = client();
    const offer = await c.sendActivity('documento per viaggiare');
    expect(offer.suggestedActions?.actions.map((a: { title: string }) => a.title)).toEqual([runtime.kb.get('carta-identita')!.shortTitle.it, runtime.kb.referral('passaporto')!.shortTitle.it]);
    const reply = await c.sendActivity(runtime.kb.referral('passaporto')!.title.it);
    expect(dialogoOf(reply)).toMatchObject({ topicId: 'passaporto', outcome: 'referral' });
  });
});
