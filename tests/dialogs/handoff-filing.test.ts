import { DialogTestClient } from 'botbuilder-testing';
import { MainDialog } from '../../dialogs/main-dialog';
import type { KnowledgeRuntime } from '../../src/bot/runtime';
import type { HandoffService } from '../../src/handoff/handoff-service';
import { CONTACT, TableRecognizer, realRuntime, faqRecognition } from '../fixtures/runtime';

/** The handoff service's surface the dialog uses, recording the topic each request is filed under. */
class RecordingHandoff {
  readonly filed: (string | null)[] = [];
  constructor(private readonly open: boolean) {}
  async availability() {
    return this.open ? { open: true as const } : { open: false as const, reason: 'closed' as const, nextOpening: null };
  }
  describeHours(): string {
    return 'dal lunedì al sabato, 8-18';
  }
  async enqueue(input: { topicId: string | null; description: string }) {
    this.filed.push(input.topicId);
    return { position: 1, etaSeconds: 60, session: { id: 's1', description: input.description, phoneCode: '1234' } };
  }
  async createTicket(input: { topicId: string | null }) {
    this.filed.push(input.topicId);
    return { reference: 'MI-1' };
  }
}

const table = new TableRecognizer({
  'tessera elettorale': faqRecognition({ 'tessera-elettorale': 0.9 }),
  'voglio un operatore': { language: 'it', intent: 'handoff', candidates: [], band: 'fallback' },
  'ho pagato la tari due volte, voglio il rimborso': faqRecognition({ 'tari-pagamento': 0.9 }),
  'un mio problema': faqRecognition({ animali: 0.06 }),
});

describe('a request for a person is filed under the topic of the request', () => {
  let runtime: KnowledgeRuntime;
  beforeAll(async () => {
    const real = await realRuntime();
    runtime = { kb: real.kb, recognizer: table };
  });

  const client = (handoff: RecordingHandoff) =>
    new DialogTestClient(
      'test',
      new MainDialog({
        runtime: () => runtime,
        contact: CONTACT,
        handoff: { handoff: handoff as unknown as HandoffService, contact: CONTACT, transcriptOf: async () => [], mode: 'console' },
      }),
    );

  test.each([
    ['the description names another topic than the last answered', ['tessera elettorale', 'voglio un operatore'], 'ho pagato la tari due volte, voglio il rimborso', 'tari-pagamento'],
    ['a vague description after two misses is unknown, not the last answered topic', ['tessera elettorale', 'blablabla', 'ancora blablabla'], 'un mio problema', null],
    ['a vague description keeps the topic of the answer that led to the request', ['tessera elettorale', 'voglio un operatore'], 'un mio problema', 'tessera-elettorale'],
  ])('queue: %s', async (_name, turns, description, topicId) => {
    const handoff = new RecordingHandoff(true);
    const c = client(handoff);
    for (const turn of turns) await c.sendActivity(turn);
    await c.sendActivity('Sì');
    await c.sendActivity(description);
    await c.sendActivity('Acconsento');
    expect(handoff.filed).toEqual([topicId]);
  });

  test.each([
    ['the description of the written request names its topic', 'ho pagato la tari due volte, voglio il rimborso', 'tari-pagamento'],
    ['a vague written request after misses is unknown', 'un mio problema', null],
  ])('written request: %s', async (_name, description, topicId) => {
    const handoff = new RecordingHandoff(false);
    const c = client(handoff);
    for (const turn of ['tessera elettorale', 'blablabla', 'ancora blablabla', 'Sì', 'cittadino@example.org', description, 'Sì']) await c.sendActivity(turn);
    expect(handoff.filed).toEqual([topicId]);
  });
});
