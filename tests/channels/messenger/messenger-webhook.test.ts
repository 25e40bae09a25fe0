import { rmSync } from 'node:fs';
import pino from 'pino';
import { REDELIVERY_WINDOW_MS } from '../../../src/channels/messenger/messaging-window';
import { loadConfig } from '../../../src/config';
import { startDialogo, type Dialogo } from '../../../src/index';
import { createLogger } from '../../../src/logger';
import { FakeGraphApi } from '../../fixtures/fake-graph-api';
import * as fb from '../../fixtures/messenger-payloads';
import { KB_DIR, tempDataDir } from '../../fixtures/runtime';

const silent = createLogger('silent');
let psidCounter = 0;
/** A fresh citizen per test, so tests do not share conversation state. */
const newPsid = () => `${7100000000000000 + (psidCounter += 1) * 7919}`;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('Messenger webhook at /api/messenger', () => {
  let graph: FakeGraphApi;
  let dialogo: Dialogo;

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
        MESSENGER_APP_SECRET: fb.APP_SECRET,
        MESSENGER_VERIFY_TOKEN: fb.VERIFY_TOKEN,
        MESSENGER_PAGE_ACCESS_TOKEN: fb.PAGE_TOKEN,
        MESSENGER_GRAPH_URL: graph.url,
        MESSENGER_PAGE_ID: fb.PAGE_ID,
        OFFICE_HOURS: 'always',
      }),
      silent,
    );
    // A console open, as on a shift: with nobody available the citizen is offered a written request instead of the queue.
    dialogo.handoff.operatorOnline({ name: 'giulia', role: 'operator', maxConcurrent: 3 }, true);
  });
  afterAll(async () => {
    await dialogo.stop();
    await graph.close();
  });
  beforeEach(() => graph.reset());

  describe('GET: subscription check', () => {
    const verify = (query: string) => fetch(`http://127.0.0.1:${dialogo.port}/api/messenger?${query}`);

    test('answers hub.challenge when the verify token matches', async () => {
      const response = await verify(`hub.mode=subscribe&hub.verify_token=${fb.VERIFY_TOKEN}&hub.challenge=1158201444`);
      expect(response.status).toBe(200);
      expect(await response.text()).toBe('1158201444');
    });

    test.each([
      ['a wrong token', `hub.mode=subscribe&hub.verify_token=nope-nope&hub.challenge=1`],
      ['another mode', `hub.mode=unsubscribe&hub.verify_token=${fb.VERIFY_TOKEN}&hub.challenge=1`],
      ['no parameters', ''],
    ])('refuses %s with 403', async (_name, query) => {
      const response = await verify(query);
      expect(response.status).toBe(403);
      expect(((await response.json()) as any).error.code).toBe('VERIFY_TOKEN_MISMATCH');
    });
  });

  describe('POST: signature before anything', () => {
    const body = () => fb.webhook([fb.text(newPsid(), 'quanto costa la carta d’identità?')]);

    test.each([
      ['no signature', { secret: null }],
      ['a signature under another secret', { secret: 'someone-else-secret' }],
      ['a body changed after signing', { tamper: (raw: string) => raw.replace('carta', 'carte') }],
    ])('%s: 403 and nothing processed', async (_name, options) => {
      const response = await fb.deliver(dialogo.port, body(), options);
      expect(response.status).toBe(403);
      expect(JSON.parse(response.text).error.code).toBe('BAD_SIGNATURE');
      await sleep(150);
      expect(graph.requests).toHaveLength(0);
    });

    test('a signed body that is not JSON gets 400', async () => {
      const response = await fb.deliver(dialogo.port, '{"object": "page",');
      expect(response.status).toBe(400);
      expect(JSON.parse(response.text).error.code).toBe('NOT_JSON');
    });

    test('a signed body that is not a page webhook gets 400 with the problem', async () => {
      const response = await fb.deliver(dialogo.port, { object: 'instagram', entry: [] });
      expect(response.status).toBe(400);
      expect(JSON.parse(response.text).error).toMatchObject({ code: 'INVALID_WEBHOOK', details: [expect.stringContaining('object')] });
    });
  });

  describe('POST: events', () => {
    test('a question is acknowledged at once, then typing_on and the answer go to the citizen', async () => {
      const psid = newPsid();
      const response = await fb.deliver(dialogo.port, fb.webhook([fb.text(psid, 'quanto costa la carta d’identità?')]));
      expect(response).toEqual({ status: 200, text: 'EVENT_RECEIVED' });
      const [answer] = await graph.waitForMessages(1, psid);
      const toCitizen = graph.requests.filter((r) => r.body.recipient?.id === psid);
      expect(toCitizen[0]!.body).toEqual({ recipient: { id: psid }, sender_action: 'typing_on' });
      expect(answer!.accessToken).toBe(fb.PAGE_TOKEN);
      expect(answer!.body.messaging_type).toBe('RESPONSE');
      expect(answer!.body.message.text).toMatch(/carta d.identit/i);
      // The topic's other facets (authored titles of at most 20 characters), then the thumbs.
      const titles = answer!.body.message.quick_replies.map((q: { title: string }) => q.title) as string[];
      expect(titles.slice(-2)).toEqual(['👍', '👎']);
      expect(titles.length).toBeGreaterThan(2);
      for (const title of titles) expect(Array.from(title).length).toBeLessThanOrEqual(20);
    });

    test('a redelivered message (same mid) is answered once', async () => {
      const psid = newPsid();
      const event = fb.text(psid, 'come pago la TARI?', { mid: `m_dup_${psid}` });
      await fb.deliver(dialogo.port, fb.webhook([event]));
      await fb.deliver(dialogo.port, fb.webhook([event]));
      await graph.waitForMessages(1, psid);
      await sleep(300);
      expect(graph.messages(psid)).toHaveLength(1);
    });

    test('batched entries are all processed, each citizen’s events in order', async () => {
      const a = newPsid();
      const b = newPsid();
      const payload = fb.webhook(
        [fb.text(a, 'ciao'), fb.text(b, 'quanto costa la carta d’identità?')],
        [fb.text(a, 'come pago una multa?'), fb.text(b, 'grazie')],
      );
      expect((await fb.deliver(dialogo.port, payload)).status).toBe(200);
      const toA = await graph.waitForMessages(2, a);
      const toB = await graph.waitForMessages(2, b);
      expect(toA[0]!.body.message.text).toMatch(/Dialogo/);
      expect(toA[1]!.body.message.text).toMatch(/multa|multe|sanzion/i);
      expect(toB[0]!.body.message.text).toMatch(/carta d.identit/i);
      expect(toB[1]!.body.message.text).toMatch(/Prego/);
    });

    test('a quick-reply tap is read as the payload: 👍 on an answer is thanked', async () => {
      const psid = newPsid();
      await fb.deliver(dialogo.port, fb.webhook([fb.text(psid, 'quanto costa la carta d’identità?')]));
      const [answer] = await graph.waitForMessages(1, psid);
      const up = (answer!.body.message.quick_replies as { title: string; payload: string }[]).find((q) => q.title === '👍')!;
      await fb.deliver(dialogo.port, fb.webhook([fb.quickReply(psid, up.title, up.payload)]));
      const replies = await graph.waitForMessages(2, psid);
      expect(replies[1]!.body.message.text).toMatch(/Grazie del riscontro/);
    });

    test('a long topic title on a quick reply is cut to 20 characters, and its tap still picks the topic', async () => {
      const psid = newPsid();
      await fb.deliver(dialogo.port, fb.webhook([fb.postback(psid, 'Domande frequenti', 'DIALOGO_MENU:frequent:it')]));
      const [menu] = await graph.waitForMessages(1, psid);
      const quick = menu!.body.message.quick_replies as { title: string; payload: string }[];
      expect(quick.length).toBeGreaterThan(3);
      for (const q of quick) expect(Array.from(q.title).length).toBeLessThanOrEqual(20);
      const long = quick.find((q) => q.payload.length > 20)!;
      await fb.deliver(dialogo.port, fb.webhook([fb.quickReply(psid, long.title, long.payload)]));
      const replies = await graph.waitForMessages(2, psid);
      expect((replies[1]!.body.message.quick_replies.map((q: { title: string }) => q.title) as string[]).slice(-2)).toEqual(['👍', '👎']);
    });

    test('Get Started gets the welcome', async () => {
      const psid = newPsid();
      await fb.deliver(dialogo.port, fb.webhook([fb.postback(psid, 'Inizia', 'DIALOGO_GET_STARTED')]));
      const [welcome] = await graph.waitForMessages(1, psid);
      expect(welcome!.body.message.text).toMatch(/sono Dialogo/);
    });

    test.each([
      ['operator', 'it', /operatore del contact center 020202/],
      ['operator', 'en', /operator of the 020202 contact centre/],
      ['contacts', 'it', /020202/],
    ])('the persistent menu item %s (%s) is answered', async (command, language, expected) => {
      const psid = newPsid();
      await fb.deliver(dialogo.port, fb.webhook([fb.postback(psid, 'voce di menu', `DIALOGO_MENU:${command}:${language}`)]));
      const [reply] = await graph.waitForMessages(1, psid);
      expect(reply!.body.message.text).toMatch(expected);
    });

    test('a picture gets a polite answer that Dialogo reads text, with the written-request link', async () => {
      const psid = newPsid();
      await fb.deliver(dialogo.port, fb.webhook([fb.attachment(psid, 'image')]));
      const [reply] = await graph.waitForMessages(1, psid);
      expect(reply!.body.message.text).toMatch(/solo testo.*https:\/\//);
    });

    test('the thumbs-up sticker counts as 👍', async () => {
      const psid = newPsid();
      await fb.deliver(dialogo.port, fb.webhook([fb.text(psid, 'quanto costa la carta d’identità?')]));
      await graph.waitForMessages(1, psid);
      await fb.deliver(dialogo.port, fb.webhook([fb.attachment(psid, 'image', { sticker_id: 369239263222822 })]));
      const replies = await graph.waitForMessages(2, psid);
      expect(replies[1]!.body.message.text).toMatch(/Grazie del riscontro/);
    });

    test('echoes, delivery and read receipts, standby events and unknown events are acknowledged and ignored', async () => {
      const psid = newPsid();
      const unknown = { sender: { id: psid }, recipient: { id: fb.PAGE_ID }, timestamp: Date.now(), reaction: { reaction: 'love', emoji: '❤', action: 'react', mid: 'm_x' } };
      const broken = { sender: {}, timestamp: 'yesterday' };
      for (const body of [
        fb.webhook([fb.echo(psid, 'risposta inviata dalla pagina'), fb.delivery(psid), fb.read(psid), unknown, broken]),
        fb.standbyWebhook(fb.text(psid, 'scrivo mentre un’altra app gestisce la conversazione')),
      ]) {
        expect((await fb.deliver(dialogo.port, body)).status).toBe(200);
      }
      await sleep(300);
      expect(graph.requests).toHaveLength(0);
      const ready = await (await fetch(`http://127.0.0.1:${dialogo.port}/readyz`)).json();
      expect(ready).toMatchObject({ ready: true, channels: { messenger: true } });
    });

    test('events for another page are not answered', async () => {
      const psid = newPsid();
      const body = { object: 'page', entry: [{ id: '999', time: Date.now(), messaging: [{ ...fb.text(psid, 'ciao'), recipient: { id: '999' } }] }] };
      expect((await fb.deliver(dialogo.port, body)).status).toBe(200);
      await sleep(300);
      expect(graph.requests).toHaveLength(0);
    });

    test('the answer still arrives when the Graph API fails once with a 5xx', async () => {
      const psid = newPsid();
      graph.failNext(1, 500, { error: { message: 'An unknown error has occurred.', type: 'OAuthException', code: 1 } });
      await fb.deliver(dialogo.port, fb.webhook([fb.text(psid, 'come pago una multa?')]));
      const [answer] = await graph.waitForMessages(1, psid);
      expect(answer!.body.message.text).toMatch(/multa|multe|sanzion/i);
    });
  });
});

describe('Messenger replays: processed events are kept in the store', () => {
  const logLines: Record<string, unknown>[] = [];
  const logger = pino({ level: 'info' }, { write: (line: string) => void logLines.push(JSON.parse(line) as Record<string, unknown>) });
  const dataDir = tempDataDir();
  let graph: FakeGraphApi;
  let dialogo: Dialogo | undefined;
  const start = () =>
    startDialogo(
      loadConfig({
        PORT: '0',
        HOST: '127.0.0.1',
        KB_DIR,
        KB_WATCH: 'false',
        NODE_ENV: 'test',
        DATA_DIR: dataDir,
        MESSENGER_APP_SECRET: fb.APP_SECRET,
        MESSENGER_VERIFY_TOKEN: fb.VERIFY_TOKEN,
        MESSENGER_PAGE_ACCESS_TOKEN: fb.PAGE_TOKEN,
        MESSENGER_GRAPH_URL: graph.url,
        MESSENGER_PAGE_ID: fb.PAGE_ID,
        OFFICE_HOURS: 'always',
      }),
      logger,
    );

  beforeAll(async () => {
    graph = await FakeGraphApi.start();
  });
  afterAll(async () => {
    await dialogo?.stop();
    await graph.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  test('a signed delivery replayed after a restart is acknowledged and not answered again', async () => {
    const psid = newPsid();
    const body = fb.webhook([fb.text(psid, 'come pago la TARI?', { mid: `m_replay_${psid}` })]);
    dialogo = await start();
    expect((await fb.deliver(dialogo.port, body)).status).toBe(200);
    await graph.waitForMessages(1, psid);
    await dialogo.stop();

    dialogo = await start();
    graph.reset();
    expect(await fb.deliver(dialogo.port, body)).toEqual({ status: 200, text: 'EVENT_RECEIVED' });
    await sleep(400);
    expect(graph.messages(psid)).toHaveLength(0);
    expect(logLines).toContainEqual(expect.objectContaining({ msg: expect.stringMatching(/already processed/), mid: `m_replay_${psid}` }));
    // Two start-ups with the knowledge base: seconds each on a loaded machine.
  }, 60_000);

  test('an event older than the redelivery window is acknowledged, not answered, and logged', async () => {
    dialogo ??= await start();
    graph.reset();
    const psid = newPsid();
    const old = fb.text(psid, 'quanto costa la carta d’identità?', { mid: `m_old_${psid}`, timestamp: Date.now() - REDELIVERY_WINDOW_MS - 60_000 });
    expect(await fb.deliver(dialogo.port, fb.webhook([old]))).toEqual({ status: 200, text: 'EVENT_RECEIVED' });
    await sleep(400);
    expect(graph.requests).toHaveLength(0);
    expect(logLines).toContainEqual(expect.objectContaining({ msg: expect.stringMatching(/older than the redelivery window/), mid: `m_old_${psid}` }));
  });
});

describe('Messenger not configured', () => {
  test('the webhook answers 404 with what to set', async () => {
    const dialogo = await startDialogo(loadConfig({ PORT: '0', HOST: '127.0.0.1', KB_DIR, KB_WATCH: 'false', NODE_ENV: 'test', DATA_DIR: tempDataDir() }), silent);
    try {
      const response = await fb.deliver(dialogo.port, fb.webhook([fb.text('1', 'ciao')]));
      expect(response.status).toBe(404);
      expect(JSON.parse(response.text).error).toMatchObject({ code: 'CHANNEL_NOT_CONFIGURED', details: [expect.stringContaining('MESSENGER_APP_SECRET')] });
    } finally {
      await dialogo.stop();
    }
  });
});
