import type { Activity } from 'botbuilder';
import { DialogTestClient } from 'botbuilder-testing';
import { FaqDialog, MAX_QUESTION_CHARS } from '../../dialogs/faq-dialog';
import { linkLines } from '../../src/bot/answer-composer';
import type { KnowledgeRuntime } from '../../src/bot/runtime';
import { KnowledgeBase } from '../../src/knowledge/knowledge-base';
import { CONTACT, TableRecognizer, realRuntime, faqRecognition } from '../fixtures/runtime';

function dialogoOf(activity: Partial<Activity>): { topicId: string | null; confidence: number | null; outcome: string } {
  return (activity.channelData as { dialogo: { topicId: string | null; confidence: number | null; outcome: string } }).dialogo;
}

function actionsOf(activity: Partial<Activity>): string[] {
  return (activity.suggestedActions?.actions ?? []).map((a) => String(a.value));
}

describe('FaqDialog with a table recognizer', () => {
  let runtime: KnowledgeRuntime;
  const table = new TableRecognizer({
    'quanto costa la cie': faqRecognition({ 'carta-identita': 0.93 }),
    'how much is area c': faqRecognition({ 'area-c': 0.9 }, 'en'),
    'tassa': faqRecognition({ 'tari-pagamento': 0.4, imu: 0.3 }),
    'voglio un operatore': { language: 'it', intent: 'handoff', candidates: [], band: 'fallback' },
    'qualcosa di vago': faqRecognition({ 'tari-pagamento': 0.20135672868461524, imu: 0.19 }),
    'mi sono trasferito a milano. devo cambiare la residenza. e come iscrivo mio figlio al nido?': {
      language: 'it',
      intent: 'faq',
      candidates: [{ topicId: 'cambio-residenza', confidence: 0.9 }],
      band: 'answer',
      alsoAsked: [{ topicId: 'nidi-infanzia-iscrizioni', confidence: 0.8 }],
    },
    ciao: { language: 'it', intent: 'greeting', candidates: [], band: 'fallback' },
    'ricorso contro il verbale': faqRecognition({ 'multe-ricorso': 0.9 }),
  });

  beforeAll(async () => {
    const real = await realRuntime();
    runtime = { kb: real.kb, recognizer: table };
  });

  const client = () => new DialogTestClient('test', new FaqDialog({ runtime: () => runtime, contact: CONTACT }));

  test.each([
    ['an Italian question gets the answer with its link and the feedback question', 'quanto costa la cie', 'carta-identita', 'answered', /Ti è stata utile\?/],
    ['an English question gets the English answer', 'how much is area c', 'area-c', 'answered', /Was this helpful\?/],
    ['a request for a human gets 020202 and the written request', 'voglio un operatore', null, 'handoff', /020202/],
    ['a greeting is small talk that says what Dialogo does', 'ciao', null, 'smalltalk', /Dialogo/],
    ['an unknown question falls back with a rephrasing hint', 'blablabla', null, 'fallback', /parole chiave/],
  ])('%s', async (_name, text, topicId, outcome, pattern) => {
    const reply = await client().sendActivity(text);
    expect(dialogoOf(reply)).toMatchObject({ topicId, outcome });
    expect(reply.text).toMatch(pattern);
  });

  test('a fallback reports its best confidence rounded like an answer, to three decimals', async () => {
    const reply = await client().sendActivity('qualcosa di vago');
    expect(dialogoOf(reply)).toMatchObject({ outcome: 'fallback', confidence: 0.201 });
  });

  test("a long message's other question is offered beside the answer, first, and pressing it answers it", async () => {
    const c = client();
    const reply = await c.sendActivity('mi sono trasferito a milano. devo cambiare la residenza. e come iscrivo mio figlio al nido?');
    expect(dialogoOf(reply)).toMatchObject({ topicId: 'cambio-residenza', outcome: 'answered' });
    expect(reply.text).toMatch(/hai chiesto anche altro/);
    const nido = runtime.kb.get('nidi-infanzia-iscrizioni')!;
    expect(reply.suggestedActions?.actions[0]).toMatchObject({ title: nido.shortTitle.it, value: nido.title.it });
    const second = await c.sendActivity(nido.title.it);
    expect(dialogoOf(second)).toMatchObject({ topicId: 'nidi-infanzia-iscrizioni', outcome: 'answered' });
  });

  test("an answer carries the official link, the topic's other facets and thumbs up and down as suggested actions", async () => {
    const reply = await client().sendActivity('quanto costa la cie');
    const topic = runtime.kb.get('carta-identita')!;
    expect(reply.text).toContain(topic.link);
    const others = topic.facets.filter((f) => f.id !== 'costo').slice(0, 5).map((f) => f.shortTitle.it);
    expect(actionsOf(reply)).toEqual([...others, '👍', '👎']);
    expect(dialogoOf(reply).confidence).toBeCloseTo(0.93);
  });

  test('an answer whose next step is the same page as its link prints that page once', async () => {
    const topic = runtime.kb.get('carta-identita')!;
    const page = 'https://www.comune.milano.it/servizi/anagrafe/carta-d-identita';
    const same = { ...topic, link: page, next: { ...topic.next, url: `${page}/` } };
    const text = linkLines(same, 'it');
    expect(text.match(/comune\.milano\.it\/servizi\/anagrafe\/carta-d-identita/g)).toHaveLength(1);
    expect(text).toBe(`${topic.next.label.it}: ${page}/`);
    const booking = 'https://servizicrm.comune.milano.it/spec/appuntamenti/anagrafecie';
    expect(linkLines({ ...same, next: { ...same.next, url: booking } }, 'en')).toBe(`More information: ${page}\n\n${topic.next.label.en}: ${booking}`);
  });

  test('the answer sent to the citizen shows a page once when link and next.url are the same page', async () => {
    const topic = runtime.kb.get('carta-identita')!;
    const page = 'https://www.comune.milano.it/servizi/anagrafe/carta-d-identita';
    const kb = new KnowledgeBase([{ ...topic, link: page, next: { ...topic.next, url: page } }], runtime.kb.synonyms);
    const same: KnowledgeRuntime = { kb, recognizer: table };
    const reply = await new DialogTestClient('test', new FaqDialog({ runtime: () => same, contact: CONTACT })).sendActivity('quanto costa la cie');
    expect(reply.text!.split(page)).toHaveLength(2);
    expect(reply.text).toContain(`${topic.next.label.it}: ${page}`);
  });

  test('ambiguity offers the candidates as suggested actions and a click answers that topic', async () => {
    const c = client();
    const offer = await c.sendActivity('tassa');
    expect(dialogoOf(offer)).toMatchObject({ outcome: 'disambiguation', topicId: 'tari-pagamento' });
    const titles = actionsOf(offer);
    expect(titles).toEqual([runtime.kb.get('tari-pagamento')!.title.it, runtime.kb.get('imu')!.title.it]);
    const answer = await c.sendActivity(titles[1]!);
    expect(dialogoOf(answer)).toMatchObject({ outcome: 'answered', topicId: 'imu' });
  });

  test('two misses in a row offer a person', async () => {
    const c = client();
    expect(dialogoOf(await c.sendActivity('blablabla')).outcome).toBe('fallback');
    const second = await c.sendActivity('ancora blablabla');
    expect(dialogoOf(second).outcome).toBe('handoff');
    expect(second.text).toMatch(/020202/);
  });

  test('a miss after an answer does not count the answer as a miss', async () => {
    const c = client();
    await c.sendActivity('blablabla');
    await c.sendActivity('quanto costa la cie');
    expect(dialogoOf(await c.sendActivity('blablabla')).outcome).toBe('fallback');
  });

  test('thumbs up after an answer is thanked and recorded as feedback', async () => {
    const c = client();
    await c.sendActivity('quanto costa la cie');
    const reply = await c.sendActivity('👍');
    expect(reply.text).toMatch(/Grazie/);
    expect(reply.channelData.dialogo).toMatchObject({ feedback: 'up', topicId: 'carta-identita' });
  });

  test('a thumbs-up with no answer to rate (Messenger’s like button) is thanked, and never counted as a miss', async () => {
    const c = client();
    await c.sendActivity('ciao');
    for (let i = 0; i < 3; i += 1) {
      const reply = await c.sendActivity('👍');
      expect(reply.text).toMatch(/Prego/);
      expect(dialogoOf(reply).outcome).toBe('smalltalk');
    }
    const down = await c.sendActivity('👎');
    expect(dialogoOf(down).outcome).toBe('smalltalk');
    expect(down.text).toMatch(/Non ho capito/);
  });

  test('thumbs down on a topic where a person adds value offers the person', async () => {
    const c = client();
    await c.sendActivity('ricorso contro il verbale');
    const reply = await c.sendActivity('👎');
    const escalate = runtime.kb.get('multe-ricorso')!.escalate;
    expect(reply.channelData.dialogo.feedback).toBe('down');
    expect(dialogoOf(reply).outcome).toBe(escalate ? 'handoff' : 'smalltalk');
  });

  test('a message over the length limit is refused politely', async () => {
    const reply = await client().sendActivity('a'.repeat(MAX_QUESTION_CHARS + 1));
    expect(reply.text).toMatch(/troppo lungo/);
  });

  test('markup with no words asks for words', async () => {
    const reply = await client().sendActivity('<b></b><br/>');
    expect(reply.text).toMatch(/solo testo/);
  });

  test('an attachment without text gets the written-request link', async () => {
    const reply = await client().sendActivity({ type: 'message', attachments: [{ contentType: 'image/png', contentUrl: 'https://example.org/a.png' }] });
    expect(reply.text).toMatch(/allegati/);
    expect(reply.text).toContain(CONTACT.writtenRequestUrl);
  });
});

describe('FaqDialog with the real recognizer', () => {
  let runtime: KnowledgeRuntime;
  beforeAll(async () => {
    runtime = await realRuntime();
  });
  const client = () => new DialogTestClient('test', new FaqDialog({ runtime: () => runtime, contact: CONTACT }));

  test.each([
    ['quanto costa la carta d’identità?', 'carta-identita', 'answered'],
    ['How much does it cost to enter Area C?', 'area-c', 'answered'],
    ['voglio parlare con un operatore', null, 'handoff'],
    ['che tempo farà domani?', null, 'fallback'],
  ])('"%s" -> %s (%s)', async (text, topicId, outcome) => {
    const reply = await client().sendActivity(text);
    expect(dialogoOf(reply)).toMatchObject({ topicId, outcome });
  });

  test('the language follows the citizen from Italian to English', async () => {
    const c = client();
    expect((await c.sendActivity('quanto costa la carta d’identità?')).text).toMatch(/Ti è stata utile/);
    expect((await c.sendActivity('How much does it cost to enter Area C?')).text).toMatch(/Was this helpful/);
  });
});
