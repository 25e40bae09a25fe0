import { rmSync } from 'node:fs';
import { loadConfig } from '../../src/config';
import type { LifecycleEvent } from '../../src/handoff/handoff-service';
import { startDialogo, type Dialogo } from '../../src/index';
import { createLogger } from '../../src/logger';
import { KB_DIR, tempDataDir } from '../fixtures/runtime';

/** A citizen on Dialogo's own Direct Line who can post any activity, events included. */
async function directLineCitizen(port: number): Promise<{ conversationId: string; post(activity: Record<string, unknown>): Promise<void> }> {
  const base = `http://127.0.0.1:${port}/v3/directline`;
  const user = { id: `citizen-${Math.random().toString(36).slice(2, 10)}` };
  const { token } = (await (await fetch(`${base}/tokens/generate`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ user }) })).json()) as { token: string };
  const { conversationId } = (await (await fetch(`${base}/conversations`, { method: 'POST', headers: { authorization: `Bearer ${token}` } })).json()) as { conversationId: string };
  return {
    conversationId,
    async post(activity) {
      const response = await fetch(`${base}/conversations/${conversationId}/activities`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ from: user, locale: 'it-IT', ...activity }),
      });
      expect(response.status).toBe(200);
    },
  };
}

/** Asks for an operator, describes the need and consents: the citizen is queued. */
async function queue(say: (text: string) => Promise<unknown>): Promise<void> {
  for (const text of ['voglio parlare con un operatore', 'sì', 'ho perso la tessera sanitaria', 'acconsento']) await say(text);
}

/** The handoff steps the analytics count (queued, connected, closed...), as Dialogo emits them. */
function lifecycleOf(dialogo: Dialogo): string[] {
  const states: string[] = [];
  dialogo.handoff.on('lifecycle', (event: LifecycleEvent) => states.push(event.state));
  return states;
}

/** HANDOFF_MODE=external: the Bot Framework handoff protocol, for a deployment with its own agent hub. */
describe('Bot Framework handoff protocol (HANDOFF_MODE=external)', () => {
  let dialogo: Dialogo;
  let dataDir: string;
  const activity = (extra: Record<string, unknown>) => ({
    channelId: 'webchat',
    from: { id: 'citizen-hub-1' },
    recipient: { id: 'dialogo' },
    conversation: { id: 'hub-conversation-1' },
    serviceUrl: 'http://127.0.0.1:9',
    deliveryMode: 'expectReplies',
    ...extra,
  });
  const post = async (body: Record<string, unknown>) => {
    const response = await fetch(`http://127.0.0.1:${dialogo.port}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(activity(body)) });
    expect(response.status).toBe(200);
    const text = await response.text();
    return text ? ((JSON.parse(text) as { activities?: any[] }).activities ?? []) : [];
  };
  const say = (text: string) => post({ type: 'message', text });

  beforeAll(async () => {
    dataDir = tempDataDir();
    dialogo = await startDialogo(
      loadConfig({ PORT: '0', HOST: '127.0.0.1', KB_DIR, KB_WATCH: 'false', NODE_ENV: 'test', DATA_DIR: dataDir, OFFICE_HOURS: 'always', HANDOFF_MODE: 'external' }),
      createLogger('silent'),
    );
  });
  afterAll(async () => {
    await dialogo.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  test('a Direct Line citizen who posts handoff.status changes nothing: still queued, no step counted', async () => {
    const citizen = await directLineCitizen(dialogo.port);
    await queue((text) => citizen.post({ type: 'message', text }));
    expect((await dialogo.handoff.activeFor('directline', citizen.conversationId))?.state).toBe('queued');
    const steps = lifecycleOf(dialogo);
    await citizen.post({ type: 'event', name: 'handoff.status', value: { state: 'accepted' } });
    await citizen.post({ type: 'event', name: 'handoff.status', value: { state: 'completed' } });
    expect((await dialogo.handoff.activeFor('directline', citizen.conversationId))?.state).toBe('queued');
    expect(steps).toEqual([]);
  });

  test('emits handoff.initiate with the transcript, follows handoff.status, and stays silent while the hub holds the conversation', async () => {
    await say('quanto costa la carta d’identità?');
    await say('voglio parlare con un operatore');
    await say('sì');
    await say('mi hanno rubato la carta d’identità all’estero');
    const replies = await say('acconsento');
    const initiate = replies.find((a) => a.type === 'event' && a.name === 'handoff.initiate');
    expect(initiate).toBeDefined();
    expect(initiate.value).toMatchObject({ description: 'mi hanno rubato la carta d’identità all’estero', language: 'it', phoneCode: expect.stringMatching(/^\d{6}$/) });
    // As botbuilder's EventFactory attaches it: { activities } named "Transcript".
    const transcript = initiate.attachments.find((a: { name: string }) => a.name === 'Transcript');
    expect(transcript.content.activities.map((a: { text: string }) => a.text)).toContain('quanto costa la carta d’identità?');
    expect(replies.find((a) => a.type === 'message').channelData.dialogo.handoff).toMatchObject({ state: 'queued' });

    expect(await post({ type: 'event', name: 'handoff.status', value: { state: 'accepted' } })).toEqual([]);
    expect((await dialogo.handoff.activeFor('webchat', 'hub-conversation-1'))?.state).toBe('connected');
    expect(await say('pronto?')).toEqual([]);

    const [back] = await post({ type: 'event', name: 'handoff.status', value: { state: 'completed' } });
    expect(back.text).toMatch(/Sono di nuovo io/);
    expect(back.channelData.dialogo.handoff).toMatchObject({ state: 'closed' });
    const [answer] = await say('come pago la TARI?');
    expect(answer.channelData.dialogo.outcome).toBe('answered');
  });
});

/** HANDOFF_MODE=console: Dialogo's own operators answer; no hub, so no handoff.status is believed. */
describe('handoff.status in console mode', () => {
  let dialogo: Dialogo;
  let dataDir: string;
  beforeAll(async () => {
    dataDir = tempDataDir();
    dialogo = await startDialogo(loadConfig({ PORT: '0', HOST: '127.0.0.1', KB_DIR, KB_WATCH: 'false', NODE_ENV: 'test', DATA_DIR: dataDir, OFFICE_HOURS: 'always' }), createLogger('silent'));
    // A console open, as on a shift: with nobody available the citizen is offered a written request instead of the queue.
    dialogo.handoff.operatorOnline({ name: 'giulia', role: 'operator', maxConcurrent: 3 }, true);
  });
  afterAll(async () => {
    await dialogo.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  test('a queued Direct Line citizen cannot mark the session answered: still queued, no step counted', async () => {
    const citizen = await directLineCitizen(dialogo.port);
    await queue((text) => citizen.post({ type: 'message', text }));
    expect((await dialogo.handoff.activeFor('directline', citizen.conversationId))?.state).toBe('queued');
    const steps = lifecycleOf(dialogo);
    await citizen.post({ type: 'event', name: 'handoff.status', value: { state: 'accepted' } });
    expect((await dialogo.handoff.activeFor('directline', citizen.conversationId))?.state).toBe('queued');
    expect(steps).toEqual([]);
  });

  test('nor can it arrive on the Bot Framework endpoint', async () => {
    const post = (extra: Record<string, unknown>) =>
      fetch(`http://127.0.0.1:${dialogo.port}/api/messages`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ channelId: 'webchat', from: { id: 'citizen-bf-1' }, recipient: { id: 'dialogo' }, conversation: { id: 'bf-conversation-1' }, serviceUrl: 'http://127.0.0.1:9', deliveryMode: 'expectReplies', ...extra }),
      });
    await queue(async (text) => expect((await post({ type: 'message', text })).status).toBe(200));
    expect((await dialogo.handoff.activeFor('webchat', 'bf-conversation-1'))?.state).toBe('queued');
    const steps = lifecycleOf(dialogo);
    expect((await post({ type: 'event', name: 'handoff.status', value: { state: 'accepted' } })).status).toBe(200);
    expect((await dialogo.handoff.activeFor('webchat', 'bf-conversation-1'))?.state).toBe('queued');
    expect(steps).toEqual([]);
  });
});
