import { loadConfig } from '../../src/config';
import { startDialogo, type Dialogo } from '../../src/index';
import { createLogger } from '../../src/logger';
import { KB_DIR, tempDataDir } from '../fixtures/runtime';

/** HANDOFF_MODE=external: the Bot Framework handoff protocol, for a deployment with its own agent hub. */
describe('Bot Framework handoff protocol (HANDOFF_MODE=external)', () => {
  let dialogo: Dialogo;
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
    dialogo = await startDialogo(
      loadConfig({ PORT: '0', HOST: '127.0.0.1', KB_DIR, KB_WATCH: 'false', NODE_ENV: 'test', DATA_DIR: tempDataDir(), OFFICE_HOURS: 'always', HANDOFF_MODE: 'external' }),
      createLogger('silent'),
    );
  });
  afterAll(() => dialogo.stop());

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
