import { loadConfig } from '../../src/config';
import { startDialogo, type Dialogo } from '../../src/index';
import { createLogger } from '../../src/logger';
import { FakeGraphApi } from '../fixtures/fake-graph-api';
import * as fb from '../fixtures/messenger-payloads';
import { KB_DIR, tempDataDir } from '../fixtures/runtime';

const HOUR = 60 * 60 * 1000;
const PASSWORD = 'una-password-lunga';

describe('handoff on Messenger through the fake Graph API, with Messenger’s windows (fake clock)', () => {
  let graph: FakeGraphApi;
  let dialogo: Dialogo;
  let clock = new Date('2026-11-30T09:00:00.000Z');
  const psid = '7400000000000001';

  const api = async (method: string, path: string, token?: string, body?: unknown) => {
    const response = await fetch(`http://127.0.0.1:${dialogo.port}/api/operator${path}`, {
      method,
      headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    return { status: response.status, json: (await response.json()) as any };
  };
  /** The citizen writes; resolves with the bot's next message to them. */
  const write = async (text: string) => {
    const before = graph.messages(psid).length;
    await fb.deliver(dialogo.port, fb.webhook([fb.text(psid, text, { timestamp: clock.getTime() })]));
    return (await graph.waitForMessages(before + 1, psid))[before]!.body;
  };

  beforeAll(async () => {
    graph = await FakeGraphApi.start();
    dialogo = await startDialogo(
      loadConfig({
        PORT: '0',
        HOST: '127.0.0.1',
        KB_DIR,
        KB_WATCH: 'false',
        NODE_ENV: 'test',
        DATA_DIR: tempDataDir(),
        OFFICE_HOURS: 'always',
        MESSENGER_APP_SECRET: fb.APP_SECRET,
        MESSENGER_VERIFY_TOKEN: fb.VERIFY_TOKEN,
        MESSENGER_PAGE_ACCESS_TOKEN: fb.PAGE_TOKEN,
        MESSENGER_GRAPH_URL: graph.url,
      }),
      createLogger('silent'),
      { now: () => clock },
    );
    await dialogo.operators.add('giulia', 'operator', PASSWORD, { displayName: 'Giulia B.' });
    // A console open, as on a shift: with nobody available the citizen is offered a written request instead of the queue.
    dialogo.handoff.operatorOnline({ name: 'giulia', role: 'operator', maxConcurrent: 3 }, true);
  });
  afterAll(async () => {
    await dialogo.stop();
    await graph.close();
  });

  test('queue, claim and chat on Messenger; HUMAN_AGENT after 24 hours; refused with a reason after 7 days', async () => {
    const offer = await write('vorrei parlare con un operatore');
    expect(offer.message.quick_replies.map((q: { title: string }) => q.title)).toEqual(['Sì', 'No']);
    await write('Sì');
    await write('ho ricevuto una multa che ho già pagato');
    const queued = await write('Acconsento');
    expect(queued.message.text).toMatch(/Sei in coda: posizione 1/);

    const token = (await api('POST', '/login', undefined, { username: 'giulia', password: PASSWORD })).json.token as string;
    const session = (await api('GET', '/queue', token)).json.sessions[0];
    expect(session).toMatchObject({ channel: 'facebook', description: 'ho ricevuto una multa che ho già pagato' });
    const before = graph.messages(psid).length;
    expect((await api('POST', `/conversations/${session.id}/claim`, token)).status).toBe(200);
    const connected = (await graph.waitForMessages(before + 1, psid))[before]!.body;
    expect(connected).toMatchObject({ messaging_type: 'RESPONSE', message: { text: expect.stringMatching(/Sei in contatto con Giulia B\. del/) } });
    // The way out, as a quick reply: the button's short title, not the label cut to "Termina la chat con…"; the payload is the whole label.
    expect(connected.message.quick_replies).toEqual([{ content_type: 'text', title: 'Termina la chat', payload: 'Termina la chat con l’operatore' }]);

    // The citizen answers: the bot stays silent on Messenger too.
    const silentBefore = graph.messages(psid).length;
    await fb.deliver(dialogo.port, fb.webhook([fb.text(psid, 'il verbale è del 3 novembre', { timestamp: clock.getTime() })]));
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(graph.messages(psid)).toHaveLength(silentBefore);
    expect((await api('GET', `/conversations/${session.id}`, token)).json.messages.map((m: { text: string }) => m.text)).toEqual(['il verbale è del 3 novembre']);

    clock = new Date(clock.getTime() + 30 * HOUR);
    expect((await api('POST', `/conversations/${session.id}/messages`, token, { text: 'Ho verificato: il pagamento risulta.' })).status).toBe(201);
    const tagged = graph.messages(psid).at(-1)!.body;
    expect(tagged).toMatchObject({ messaging_type: 'MESSAGE_TAG', tag: 'HUMAN_AGENT', message: { text: 'Giulia B. (020202): Ho verificato: il pagamento risulta.' } });

    clock = new Date(clock.getTime() + 7 * 24 * HOUR);
    const sent = graph.messages(psid).length;
    const refused = await api('POST', `/conversations/${session.id}/messages`, token, { text: 'Mi scusi il ritardo.' });
    expect(refused.status).toBe(422);
    expect(refused.json.error).toMatchObject({ code: 'MESSAGING_WINDOW_CLOSED', message: expect.stringMatching(/7 giorni/) });
    expect(graph.messages(psid)).toHaveLength(sent);
    expect((await api('GET', `/conversations/${session.id}`, token)).json.messages.map((m: { text: string }) => m.text)).not.toContain('Mi scusi il ritardo.');
  });

  test('a photo sent to the operator is not lost in silence: the citizen is told to write it, the operator that one came', async () => {
    const citizen = '7400000000000002';
    const writeAs = async (event: Record<string, unknown>) => {
      const before = graph.messages(citizen).length;
      await fb.deliver(dialogo.port, fb.webhook([event]));
      return (await graph.waitForMessages(before + 1, citizen))[before]!.body;
    };
    const at = { timestamp: clock.getTime() };
    await writeAs(fb.text(citizen, 'vorrei parlare con un operatore', at));
    await writeAs(fb.text(citizen, 'Sì', at));
    await writeAs(fb.text(citizen, 'mi è arrivato un sollecito per una multa pagata', at));
    await writeAs(fb.text(citizen, 'Acconsento', at));
    const token = (await api('POST', '/login', undefined, { username: 'giulia', password: PASSWORD })).json.token as string;
    const session = (await api('GET', '/queue', token)).json.sessions.find((s: { description: string }) => s.description.includes('sollecito'));
    const before = graph.messages(citizen).length;
    expect((await api('POST', `/conversations/${session.id}/claim`, token)).status).toBe(200);
    await graph.waitForMessages(before + 1, citizen);

    const reply = await writeAs({ ...fb.attachment(citizen, 'image'), timestamp: clock.getTime() });
    expect(reply.message.text).toMatch(/L’operatore non può vedere foto/);
    const { messages } = (await api('GET', `/conversations/${session.id}`, token)).json;
    expect(messages.map((m: { from: string; text: string }) => `${m.from}: ${m.text}`)).toEqual([expect.stringMatching(/^citizen: \[Il cittadino ha inviato un allegato/)]);
  });
});
