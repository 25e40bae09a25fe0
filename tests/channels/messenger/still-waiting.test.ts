import { rmSync } from 'node:fs';
import { loadConfig } from '../../../src/config';
import type { LifecycleEvent } from '../../../src/handoff/handoff-service';
import { startDialogo, type Dialogo } from '../../../src/index';
import { createLogger } from '../../../src/logger';
import { FakeGraphApi } from '../../fixtures/fake-graph-api';
import * as fb from '../../fixtures/messenger-payloads';
import { KB_DIR, tempDataDir } from '../../fixtures/runtime';

const MINUTE = 60_000;
const QUESTION = /^L’attesa è più lunga del previsto\. Vuoi continuare ad attendere un operatore\?/;

describe('Messenger citizens, who have no presence: the still-waiting question after the queue timeout (fake clock)', () => {
  let graph: FakeGraphApi;
  let dialogo: Dialogo;
  let dataDir: string;
  let clock = new Date('2026-11-30T09:00:00.000Z');
  const steps: string[] = [];

  /** The citizen writes (or taps a quick reply: its payload is the button's text); resolves with the bot's answers. */
  const write = async (psid: string, text: string, quickReply = false) => {
    const before = graph.messages(psid).length;
    const event = fb.text(psid, text, { timestamp: clock.getTime() });
    if (quickReply) (event.message as Record<string, unknown>).quick_reply = { payload: text };
    await fb.deliver(dialogo.port, fb.webhook([event]));
    return (await graph.waitForMessages(before + 1, psid)).slice(before).map((m) => m.body.message);
  };
  const queue = async (psid: string) => {
    for (const text of ['vorrei parlare con un operatore', 'Sì', 'ho ricevuto una multa che ho già pagato']) await write(psid, text);
    const [queued] = await write(psid, 'Acconsento');
    expect(queued.text).toMatch(/Sei in coda/);
    return (await dialogo.handoff.activeFor('facebook', `${psid}-${fb.PAGE_ID}`))!;
  };
  /** The queue timeout passes and the sweep runs: resolves with the question sent. */
  const askAfterTimeout = async (psid: string) => {
    const before = graph.messages(psid).length;
    clock = new Date(clock.getTime() + 10 * MINUTE);
    await dialogo.handoff.sweep();
    return (await graph.waitForMessages(before + 1, psid)).slice(before).map((m) => m.body.message);
  };

  beforeAll(async () => {
    graph = await FakeGraphApi.start();
    dataDir = tempDataDir();
    dialogo = await startDialogo(
      loadConfig({
        PORT: '0',
        HOST: '127.0.0.1',
        KB_DIR,
        KB_WATCH: 'false',
        NODE_ENV: 'test',
        DATA_DIR: dataDir,
        OFFICE_HOURS: 'always',
        MESSENGER_APP_SECRET: fb.APP_SECRET,
        MESSENGER_VERIFY_TOKEN: fb.VERIFY_TOKEN,
        MESSENGER_PAGE_ACCESS_TOKEN: fb.PAGE_TOKEN,
        MESSENGER_GRAPH_URL: graph.url,
        // The test runs the sweep itself, on the fake clock.
        HANDOFF_SWEEP_INTERVAL_MS: '60000',
      }),
      createLogger('silent'),
      { now: () => clock },
    );
    // A console is open: with nobody available a citizen is offered the written request instead of the queue.
    dialogo.handoff.operatorOnline({ name: 'giulia', role: 'operator', maxConcurrent: 5 }, true);
    dialogo.handoff.on('lifecycle', (event: LifecycleEvent) => steps.push(`${event.session.conversationId}:${event.state}:${event.session.outcome ?? ''}`));
  });
  afterAll(async () => {
    await dialogo.stop();
    await graph.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  test('after the queue timeout the citizen is asked, with quick replies to wait, give up or write; "No, lascio perdere" leaves', async () => {
    const psid = '7400000000000101';
    const session = await queue(psid);
    const [question, ...more] = await askAfterTimeout(psid);
    expect(more).toEqual([]);
    expect(question.text).toMatch(QUESTION);
    expect(question.text).toMatch(/richiesta scritta/);
    expect(question.quick_replies.map((q: { title: string }) => q.title)).toEqual(['Sì, attendo', 'No, lascio perdere', 'Richiesta scritta']);

    const [left] = await write(psid, 'No, lascio perdere', true);
    expect(left.text).toMatch(/^Sei uscito dalla coda/);
    expect(await dialogo.handoff.get(session.id)).toMatchObject({ state: 'abandoned', outcome: 'left' });
  });

  test('no answer within the presence timeout after the question: abandoned (no-answer), counted as an abandonment, and told', async () => {
    const psid = '7400000000000102';
    const session = await queue(psid);
    await askAfterTimeout(psid);
    clock = new Date(clock.getTime() + 2 * MINUTE - 1000);
    await dialogo.handoff.sweep();
    expect((await dialogo.handoff.get(session.id))?.state).toBe('queued');
    const before = graph.messages(psid).length;
    clock = new Date(clock.getTime() + 1000);
    await dialogo.handoff.sweep();
    expect(await dialogo.handoff.get(session.id)).toMatchObject({ state: 'abandoned', outcome: 'no-answer' });
    expect(steps).toContain(`${session.conversationId}:abandoned:no-answer`);
    const [told] = (await graph.waitForMessages(before + 1, psid)).slice(before).map((m) => m.body.message);
    expect(told.text).toMatch(/^Ti ho tolto dalla coda perché non ti ho più sentito/);
  });

  test('any message answers: the citizen who writes stays in the queue; "Sì, attendo" too', async () => {
    const psid = '7400000000000103';
    const session = await queue(psid);
    await askAfterTimeout(psid);
    const [reply] = await write(psid, 'sono ancora qui, ho fretta');
    expect(reply.text).toMatch(/Sei in coda: posizione \d+/);
    clock = new Date(clock.getTime() + 5 * MINUTE);
    await dialogo.handoff.sweep();
    expect((await dialogo.handoff.get(session.id))?.state).toBe('queued');

    await askAfterTimeout(psid);
    const [waiting] = await write(psid, 'Sì, attendo', true);
    expect(waiting.text).toMatch(/Sei in coda: posizione \d+/);
    clock = new Date(clock.getTime() + 5 * MINUTE);
    await dialogo.handoff.sweep();
    expect((await dialogo.handoff.get(session.id))?.state).toBe('queued');
    expect((await dialogo.handoff.get(session.id))?.messages.map((m) => m.text)).toEqual(['sono ancora qui, ho fretta']);
  });
});
