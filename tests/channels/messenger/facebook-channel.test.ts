import { loadConfig } from '../../../src/config';
import { shapeForMessenger } from '../../../src/channels/messenger/facebook-channel-middleware';
import { startDialogo, type Dialogo } from '../../../src/index';
import { createLogger } from '../../../src/logger';
import { KB_DIR, tempDataDir } from '../../fixtures/runtime';

const PAGE = '104857600000001';

/** An activity as Azure Bot Service's Facebook channel relays it (the Messenger event in channelData). */
function relayed(psid: string, text: string, channelData: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    type: 'message',
    text,
    channelId: 'facebook',
    from: { id: psid },
    recipient: { id: PAGE },
    conversation: { id: `${psid}-${PAGE}` },
    serviceUrl: 'https://facebook.botframework.com/',
    deliveryMode: 'expectReplies',
    channelData: { sender: { id: psid }, recipient: { id: PAGE }, timestamp: Date.now(), ...channelData },
  };
}

describe('Messenger relayed by Azure Bot Service (channelId facebook on /api/messages)', () => {
  let dialogo: Dialogo;
  const post = async (body: unknown) => {
    const response = await fetch(`http://127.0.0.1:${dialogo.port}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    expect(response.status).toBe(200);
    return ((await response.json()) as { activities: any[] }).activities;
  };

  beforeAll(async () => {
    dialogo = await startDialogo(loadConfig({ PORT: '0', HOST: '127.0.0.1', KB_DIR, KB_WATCH: 'false', NODE_ENV: 'test', DATA_DIR: tempDataDir() }), createLogger('silent'));
  });
  afterAll(() => dialogo.stop());

  test('replies have at most 13 suggested actions with titles of 20 characters, as on the webhook', async () => {
    const [reply] = await post(relayed('9100000000000001', 'Domande frequenti', { postback: { title: 'Domande frequenti', payload: 'DIALOGO_MENU:frequent:it' } }));
    const actions = reply.suggestedActions.actions as { title: string; value: string }[];
    expect(actions.length).toBeGreaterThan(3);
    expect(actions.length).toBeLessThanOrEqual(13);
    for (const action of actions) expect(Array.from(action.title).length).toBeLessThanOrEqual(20);
    expect(actions.some((a) => a.value.length > 20)).toBe(true);
  });

  test('the answer text is the same as on the web chat', async () => {
    const question = 'quanto costa la carta d’identità?';
    const [facebook] = await post(relayed('9100000000000002', question));
    const [web] = await post({ ...relayed('9100000000000003', question), channelId: 'webchat', channelData: {} });
    expect(facebook.text).toBe(web.text);
    expect(facebook.channelData.dialogo).toMatchObject({ topicId: 'carta-identita', outcome: 'answered' });
  });

  test('a quick-reply payload in channelData is read as the text: the cut title picks the offered topic', async () => {
    const psid = '9100000000000004';
    const [menu] = await post(relayed(psid, 'Domande frequenti', { postback: { title: 'Domande frequenti', payload: 'DIALOGO_MENU:frequent:it' } }));
    const long = (menu.suggestedActions.actions as { title: string; value: string }[]).find((a) => a.value.length > 20)!;
    const [answer] = await post(relayed(psid, long.title, { message: { mid: 'm_1', text: long.title, quick_reply: { payload: long.value } } }));
    // Chosen from the offer (confidence 1), not guessed by the recognizer from the cut title.
    expect(answer.channelData.dialogo).toMatchObject({ outcome: 'answered', confidence: 1 });
  });

  test('Get Started relayed as a postback gets the welcome', async () => {
    const [welcome] = await post(relayed('9100000000000005', 'Get Started', { postback: { title: 'Inizia', payload: 'DIALOGO_GET_STARTED' } }));
    expect(welcome.text).toMatch(/sono Dialogo/);
  });

  test('a long text is split into messages of at most 2,000 characters, the buttons on the last', () => {
    const shaped = shapeForMessenger({ type: 'message', text: `${'Primo paragrafo. '.repeat(100)}\n\n${'Secondo paragrafo. '.repeat(60)}`, suggestedActions: { to: [], actions: [{ type: 'imBack', title: '👍', value: '👍' }] } });
    expect(shaped.length).toBe(2);
    for (const part of shaped) expect((part.text ?? '').length).toBeLessThanOrEqual(2000);
    expect(shaped[0]!.suggestedActions).toBeUndefined();
    expect(shaped[1]!.suggestedActions?.actions).toHaveLength(1);
  });
});
