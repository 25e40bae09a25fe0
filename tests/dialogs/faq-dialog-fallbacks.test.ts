import type { Activity } from 'botbuilder';
import { DialogTestClient } from 'botbuilder-testing';
import { FaqDialog } from '../../dialogs/faq-dialog';
import type { KnowledgeRuntime } from '../../src/bot/runtime';
import { CONTACT, TableRecognizer, realRuntime, faqRecognition } from '../fixtures/runtime';

interface Dialogo {
  topicId: string | null;
  outcome: string;
}

function dialogoOf(activity: Partial<Activity>): Dialogo {
  return (activity.channelData as { dialogo: Dialogo }).dialogo;
}

function actionsOf(activity: Partial<Activity>): string[] {
  return (activity.suggestedActions?.actions ?? []).map((a) => String(a.value));
}

const table = new TableRecognizer({
  moto: faqRecognition({ 'area-b': 0.175, 'area-c': 0.17, 'refezione-scolastica': 0.126, 'tessera-elettorale': 0.06 }),
  blablabla: faqRecognition({ 'accesso-atti': 0.055, animali: 0.055 }),
  rimborso: faqRecognition({ 'tari-pagamento': 0.219, autocertificazione: 0.003 }),
  'bollettino della spazzatura non arrivato': faqRecognition({ 'tari-pagamento': 0.475, 'tessera-elettorale': 0.034 }),
  'mi consigli un ristorante': {
    language: 'it',
    intent: 'faq',
    candidates: [{ topicId: 'attivita-commerciali', confidence: 0.137 }],
    band: 'fallback',
    outOfScope: 0.515,
  },
  'un ristorante economico?': { language: 'it', intent: 'faq', candidates: [], band: 'fallback', outOfScope: 0.6 },
});

describe('FaqDialog fallbacks', () => {
  let runtime: KnowledgeRuntime;
  beforeAll(async () => {
    const real = await realRuntime();
    runtime = { kb: real.kb, recognizer: table };
  });
  const client = () => new DialogTestClient('test', new FaqDialog({ runtime: () => runtime, contact: CONTACT }));
  const title = (id: string) => runtime.kb.get(id)!.title.it;
  const frequent = ['carta-identita', 'certificati-anagrafici', 'tari-pagamento', 'multe-pagamento'];

  test.each([
    ['the candidates that carry evidence, best first', 'moto', ['area-b', 'area-c', 'refezione-scolastica']],
    ['the frequent topics when no candidate carries evidence', 'blablabla', frequent],
  ])('a fallback suggests %s', async (_name, text, ids) => {
    const reply = await client().sendActivity(text);
    expect(dialogoOf(reply).outcome).toBe('fallback');
    expect(actionsOf(reply)).toEqual([...ids.map(title), 'Parla con un operatore']);
  });

  test('a suggested topic chosen after a fallback is answered', async () => {
    const c = client();
    await c.sendActivity('moto');
    expect(dialogoOf(await c.sendActivity(title('area-c')))).toMatchObject({ outcome: 'answered', topicId: 'area-c' });
  });

  test.each([
    ['a disambiguation with one candidate', 'bollettino della spazzatura non arrivato', 'disambiguation'],
    ['a fallback with one related candidate', 'rimborso', 'fallback'],
  ])('%s asks "Intendi: <titolo>?" with Sì and No', async (_name, text, outcome) => {
    const reply = await client().sendActivity(text);
    expect(dialogoOf(reply).outcome).toBe(outcome);
    expect(reply.text).toContain(`Intendi: ${title('tari-pagamento')}?`);
    expect(actionsOf(reply)).toEqual(['Sì', 'No']);
  });

  test.each([
    ['Sì', 'answered', 'tari-pagamento'],
    ['si', 'answered', 'tari-pagamento'],
    ['No', 'fallback', null],
  ])('"%s" to the yes/no question gives %s', async (answer, outcome, topicId) => {
    const c = client();
    await c.sendActivity('bollettino della spazzatura non arrivato');
    const reply = await c.sendActivity(answer);
    expect(dialogoOf(reply)).toMatchObject({ outcome, topicId });
    if (outcome === 'fallback') expect(actionsOf(reply)).not.toContain(title('tari-pagamento'));
  });

  test('a menu choice between the yes/no question and "Sì" withdraws the question', async () => {
    const c = client();
    await c.sendActivity('bollettino della spazzatura non arrivato');
    await c.sendActivity({ type: 'message', value: { dialogo: 'welcome' } });
    expect(dialogoOf(await c.sendActivity('Sì')).topicId).not.toBe('tari-pagamento');
  });

  test.each([
    ['out-of-scope rejections do not count as misses', ['mi consigli un ristorante', 'un ristorante economico?', 'mi consigli un ristorante'], ['fallback', 'fallback', 'fallback']],
    ['an out-of-scope rejection between municipal misses does not count', ['blablabla', 'un ristorante economico?', 'moto'], ['fallback', 'fallback', 'handoff']],
    ['two municipal misses offer a person', ['blablabla', 'moto'], ['fallback', 'handoff']],
  ])('%s', async (_name, turns, outcomes) => {
    const c = client();
    const seen: string[] = [];
    for (const turn of turns) seen.push(dialogoOf(await c.sendActivity(turn)).outcome);
    expect(seen).toEqual(outcomes);
  });

  test('an out-of-scope message is told so and offered the frequent topics, not its weak candidates', async () => {
    const reply = await client().sendActivity('mi consigli un ristorante');
    expect(reply.text).toMatch(/non riguarda i servizi del Comune/);
    expect(actionsOf(reply)).toEqual([...frequent.map(title), 'Parla con un operatore']);
  });
});

describe('FaqDialog small talk with the real recognizer', () => {
  let runtime: KnowledgeRuntime;
  beforeAll(async () => {
    runtime = await realRuntime();
  });
  const client = () => new DialogTestClient('test', new FaqDialog({ runtime: () => runtime, contact: CONTACT }));

  test.each([
    ['thanks, bye', /Goodbye/],
    ['ok grazie ciao', /Arrivederci/],
    ['sei stupido', /Mi dispiace/],
    ['you are useless', /sorry/],
    ['asdfghjkl', /Non ho capito/],
    ['😂', /Non ho capito/],
  ])('"%s" is small talk answered politely', async (text, pattern) => {
    const reply = await client().sendActivity(text);
    expect(dialogoOf(reply)).toMatchObject({ outcome: 'smalltalk', topicId: null });
    expect(reply.text).toMatch(pattern);
  });

  test.each([
    ['thanks, bye', 'grazie ciao'],
    ['sei inutile', 'qwertyuiop'],
    ['🙂', 'fanculo'],
  ])('"%s" then "%s" are not misses: a miss after them is the first', async (first, second) => {
    const c = client();
    const seen: string[] = [];
    for (const text of [first, second, 'blablabla']) seen.push(dialogoOf(await c.sendActivity(text)).outcome);
    expect(seen).toEqual(['smalltalk', 'smalltalk', 'fallback']);
  });
});
