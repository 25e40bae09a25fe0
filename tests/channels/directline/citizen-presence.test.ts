import { rmSync } from 'node:fs';
import WebSocket from 'ws';
import { loadConfig } from '../../../src/config';
import type { LifecycleEvent } from '../../../src/handoff/handoff-service';
import { startDialogo, type Dialogo } from '../../../src/index';
import { createLogger } from '../../../src/logger';
import { DirectLineCitizen } from '../../fixtures/directline-citizen';
import { KB_DIR, tempDataDir } from '../../fixtures/runtime';

const PRESENCE_MS = 300;
const PASSWORD = 'una-password-lunga';
const QUEUE = ['voglio parlare con un operatore', 'sì', 'ho perso la tessera sanitaria', 'acconsento'];

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function until<T>(check: () => Promise<T | undefined> | T | undefined, what: string, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(25);
  }
}

describe('citizen presence on Direct Line (HANDOFF_PRESENCE_TIMEOUT_SEC=0.3)', () => {
  let dialogo: Dialogo;
  let dataDir: string;
  const abandoned: { conversationId: string; outcome: string | undefined; at: number }[] = [];

  const sessionOf = async (conversationId: string) => (await dialogo.handoff.queue()).find((e) => e.session.conversationId === conversationId)?.session;

  beforeAll(async () => {
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
        DIRECTLINE_CONVERSATIONS_PER_MINUTE: '1000',
        HANDOFF_PRESENCE_TIMEOUT_SEC: String(PRESENCE_MS / 1000),
        HANDOFF_SWEEP_INTERVAL_MS: '50',
      }),
      createLogger('silent'),
    );
    dialogo.handoff.on('lifecycle', (event: LifecycleEvent) => {
      if (event.state === 'abandoned') abandoned.push({ conversationId: event.session.conversationId, outcome: event.session.outcome, at: Date.now() });
    });
    // A console is open: with nobody available a citizen is offered the written request instead of the queue.
    dialogo.handoff.operatorOnline({ name: 'giulia', role: 'operator', maxConcurrent: 5 }, true);
    await dialogo.operators.add('giulia', 'operator', PASSWORD, { displayName: 'Giulia B.' });
  });
  afterAll(async () => {
    await dialogo.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  test('a queued citizen whose stream closes is abandoned (away) twice the presence timeout later, not before', async () => {
    const base = `http://127.0.0.1:${dialogo.port}/v3/directline`;
    const { token } = (await (await fetch(`${base}/tokens/generate`, { method: 'POST' })).json()) as { token: string };
    const started = (await (await fetch(`${base}/conversations`, { method: 'POST', headers: { authorization: `Bearer ${token}` } })).json()) as { conversationId: string; token: string; streamUrl: string };
    const ws = new WebSocket(started.streamUrl);
    await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
    for (const text of QUEUE) {
      const posted = await fetch(`${base}/conversations/${started.conversationId}/activities`, {
        method: 'POST',
        headers: { authorization: `Bearer ${started.token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ type: 'message', from: { id: 'citizen-stream' }, text, locale: 'it-IT' }),
      });
      expect(posted.status).toBe(200);
    }
    expect((await sessionOf(started.conversationId))?.state).toBe('queued');
    // With the stream open, nothing posted for longer than the abandonment time: still there.
    await sleep(3 * PRESENCE_MS);
    expect((await sessionOf(started.conversationId))?.state).toBe('queued');

    const closedAt = Date.now();
    ws.close();
    const gone = await until(() => abandoned.find((a) => a.conversationId === started.conversationId), 'the abandonment');
    expect(gone.outcome).toBe('away');
    expect(gone.at - closedAt).toBeGreaterThanOrEqual(2 * PRESENCE_MS);
    expect(await sessionOf(started.conversationId)).toBeUndefined();
  });

  test('a citizen who keeps polling is not abandoned; the same citizen is once they stop', async () => {
    const citizen = await DirectLineCitizen.start(dialogo.port);
    for (const text of QUEUE) await citizen.say(text);
    const keepPolling = Date.now() + 5 * PRESENCE_MS;
    while (Date.now() < keepPolling) {
      await citizen.read();
      await sleep(PRESENCE_MS / 3);
    }
    expect((await sessionOf(citizen.conversationId))?.state).toBe('queued');
    expect(abandoned.find((a) => a.conversationId === citizen.conversationId)).toBeUndefined();
    const gone = await until(() => abandoned.find((a) => a.conversationId === citizen.conversationId), 'the abandonment');
    expect(gone.outcome).toBe('away');
  });

  test('a connected citizen who stops polling is shown away to the operator, with awaySince, and stays connected', async () => {
    const login = await fetch(`http://127.0.0.1:${dialogo.port}/api/operator/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'giulia', password: PASSWORD }) });
    const { token } = (await login.json()) as { token: string };
    const citizen = await DirectLineCitizen.start(dialogo.port);
    for (const text of QUEUE) await citizen.say(text);
    const session = (await sessionOf(citizen.conversationId))!;
    // The citizen polls as Web Chat does until the operator has claimed the conversation, so that a
    // slow machine cannot let the presence timeout pass between the last poll and the claim.
    let polling = true;
    let lastPoll = 0;
    const poller = (async () => {
      while (polling) {
        const at = Date.now();
        await citizen.read();
        lastPoll = at;
        await sleep(PRESENCE_MS / 4);
      }
    })();
    const claimed = await fetch(`http://127.0.0.1:${dialogo.port}/api/operator/conversations/${session.id}/claim`, { method: 'POST', headers: { authorization: `Bearer ${token}` } });
    polling = false;
    await poller;
    expect(((await claimed.json()) as { session: { citizenPresence: string } }).session.citizenPresence).toBe('present');
    const view = async () => {
      const queue = (await (await fetch(`http://127.0.0.1:${dialogo.port}/api/operator/queue`, { headers: { authorization: `Bearer ${token}` } })).json()) as { sessions: { id: string; state: string; citizenPresence: string; awaySince: string | null }[] };
      return queue.sessions.find((s) => s.id === session.id);
    };
    const away = await until(async () => {
      const found = await view();
      return found?.citizenPresence === 'away' ? found : undefined;
    }, 'the away presence');
    expect(Date.parse(away.awaySince!)).toBeGreaterThanOrEqual(lastPoll - 50);
    await sleep(3 * PRESENCE_MS);
    expect(await view()).toMatchObject({ state: 'connected', citizenPresence: 'away' });
    expect(abandoned.find((a) => a.conversationId === citizen.conversationId)).toBeUndefined();
  });
});
