import { ConversationState, MemoryStorage, TestAdapter, UserState, type Activity } from 'botbuilder';
import { DialogTestClient } from 'botbuilder-testing';
import { FaqDialog } from '../../dialogs/faq-dialog';
import { MainDialog } from '../../dialogs/main-dialog';
import { DialogoBot } from '../../src/bot/dialogo-bot';
import { MESSAGES } from '../../src/bot/messages';
import type { KnowledgeRuntime } from '../../src/bot/runtime';
import type { Communication } from '../../src/knowledge/communication-schema';
import { KnowledgeBase } from '../../src/knowledge/knowledge-base';
import { CONTACT, TableRecognizer, faqRecognition, realRuntime } from '../fixtures/runtime';

const imuDeadline: Communication = {
  id: 'imu-saldo-2026',
  kind: 'payment-deadline',
  published: '2026-12-01',
  effective: '2026-12-16',
  topics: ['imu'],
  channels: ['portal'],
  notice: { it: 'IMU 2026: il saldo scade il 16 dicembre.', en: 'IMU 2026: the balance is due on 16 December.' },
};
const closure: Communication = {
  id: 'sant-ambrogio-2026',
  kind: 'office-closure',
  published: '2026-12-01',
  effective: '2026-12-07',
  topics: ['appuntamenti-anagrafe'],
  channels: ['portal'],
  notice: { it: 'Lunedì 7 dicembre gli uffici sono chiusi. I certificati restano online.', en: 'On Monday 7 December the offices are closed. Certificates stay online.' },
};
const windowOpen: Communication = {
  id: 'nidi-2027',
  kind: 'enrolment-opens',
  published: '2026-11-20',
  effective: '2026-11-20',
  until: '2027-01-31',
  topics: ['nidi-infanzia-iscrizioni'],
  channels: ['portal'],
  notice: { it: 'Iscrizioni ai nidi aperte fino al 31 gennaio.', en: 'Nursery enrolment open until 31 January.' },
};

interface Data {
  topicId: string | null;
  outcome: string;
  communicationIds?: string[];
}
const dialogoOf = (activity: Partial<Activity>) => (activity.channelData as { dialogo: Data }).dialogo;
/** Noon in Milan on a day. */
const at = (day: string) => () => new Date(`${day}T11:00:00Z`);

describe('the communications calendar in the bot', () => {
  let runtime: KnowledgeRuntime;
  const table = new TableRecognizer({
    'imu scadenza': faqRecognition({ imu: 0.9 }),
    'imu deadline': faqRecognition({ imu: 0.9 }, 'en'),
    'tassa sulla casa': faqRecognition({ 'tari-pagamento': 0.4, imu: 0.38 }),
    'tari quando pago': faqRecognition({ 'tari-pagamento': 0.8, imu: 0.1 }),
    ciao: { language: 'it', intent: 'greeting', candidates: [], band: 'fallback' },
  });

  beforeAll(async () => {
    const real = await realRuntime();
    const kb = new KnowledgeBase(real.kb.topics, real.kb.synonyms, { referrals: real.kb.referrals, communications: [imuDeadline, closure, windowOpen] });
    runtime = { kb, recognizer: table };
  });

  const client = (now?: () => Date) => new DialogTestClient('test', new FaqDialog({ runtime: () => runtime, contact: CONTACT, ...(now ? { now } : {}) }));

  test.each([
    ['it', 'imu scadenza', 'Da sapere: IMU 2026: il saldo scade il 16 dicembre.'],
    ['en', 'imu deadline', 'Good to know: IMU 2026: the balance is due on 16 December.'],
  ])('while active, an answer of its topic carries the %s notice after the answer text, and says so in channelData', async (_language, text, line) => {
    const reply = await client(at('2026-12-05')).sendActivity(text);
    expect(dialogoOf(reply)).toMatchObject({ topicId: 'imu', outcome: 'answered', communicationIds: ['imu-saldo-2026'] });
    const answer = runtime.kb.get('imu')!.answer[_language as 'it' | 'en'];
    const body: string = reply.text ?? '';
    expect(body.indexOf(line)).toBeGreaterThan(body.indexOf(answer));
    expect(body.split('\n').filter((l: string) => l === line)).toHaveLength(1);
  });

  test.each([['2026-11-30'], ['2026-12-17']])('on %s, outside the window, the answer has no notice', async (day) => {
    const reply = await client(at(day)).sendActivity('imu scadenza');
    expect(reply.text).not.toContain('Da sapere');
    expect(dialogoOf(reply).communicationIds).toBeUndefined();
  });

  test('an answer of a topic without an active communication has no notice', async () => {
    const reply = await client(at('2026-12-05')).sendActivity('tari quando pago');
    expect(dialogoOf(reply)).toMatchObject({ topicId: 'tari-pagamento', outcome: 'answered' });
    expect(dialogoOf(reply).communicationIds).toBeUndefined();
    expect(reply.text).not.toContain('Da sapere');
  });

  test('the prior breaks a near-tie towards the announced topic only while it is active', async () => {
    const during = await client(at('2026-12-05')).sendActivity('tassa sulla casa');
    const before = await client(at('2026-11-15')).sendActivity('tassa sulla casa');
    expect(dialogoOf(during).topicId).toBe('imu');
    expect(dialogoOf(before).topicId).toBe('tari-pagamento');
  });

  test('the prior does not override a clear other topic', async () => {
    const reply = await client(at('2026-12-05')).sendActivity('tari quando pago');
    expect(dialogoOf(reply).topicId).toBe('tari-pagamento');
  });

  test('a dialog without a clock ignores the calendar (tests that set no day do not depend on the date)', async () => {
    const reply = await client().sendActivity('imu scadenza');
    expect(reply.text).not.toContain('Da sapere');
  });

  test('the greeting mentions the two nearest active communications, shortly, in the language of the conversation', async () => {
    const reply = await client(at('2026-12-05')).sendActivity('ciao');
    const text = reply.text ?? '';
    expect(text.startsWith(MESSAGES.welcome.it)).toBe(true);
    expect(text).toContain('In evidenza:\n- Lunedì 7 dicembre gli uffici sono chiusi.\n- IMU 2026: il saldo scade il 16 dicembre.');
    expect(text).not.toContain('nidi');
    expect(text).not.toContain('I certificati restano online');
  });

  test('a new member of an English conversation gets the news in English; none once nothing is active', async () => {
    const bot = (day: string) => {
      const storage = new MemoryStorage();
      return new DialogoBot(new ConversationState(storage), new UserState(storage), new MainDialog({ runtime: () => runtime, contact: CONTACT, now: at(day) }));
    };
    const join = { type: 'conversationUpdate', locale: 'en-US', membersAdded: [{ id: 'citizen', name: 'c' }], recipient: { id: 'bot', name: 'bot' } };
    const active = bot('2026-12-05');
    await new TestAdapter((context) => active.run(context)).send(join).assertReply((reply: Partial<Activity>) => {
      expect(reply.text).toContain('Coming up:\n- On Monday 7 December the offices are closed.');
      expect(reply.suggestedActions?.actions).toHaveLength(MESSAGES.starters.en.length);
    });
    const quiet = bot('2027-03-01');
    await new TestAdapter((context) => quiet.run(context)).send(join).assertReply((reply: Partial<Activity>) => {
      expect(reply.text).toBe(MESSAGES.welcome.en);
    });
  });
});
