import { MemoryStorage, type TurnContext } from 'botbuilder';
import { GraphClient } from '../../../src/channels/messenger/graph-client';
import { activityOf, conversationIdOf, MessengerAdapter } from '../../../src/channels/messenger/messenger-adapter';
import { MessagingWindowError, ThreadClock } from '../../../src/channels/messenger/messaging-window';
import { eventsOf, webhookSchema, type MessengerEvent } from '../../../src/channels/messenger/webhook';
import { createLogger } from '../../../src/logger';
import { FakeGraphApi } from '../../fixtures/fake-graph-api';
import * as fb from '../../fixtures/messenger-payloads';

const HOUR = 60 * 60 * 1000;
const logger = createLogger('silent');

describe('MessengerAdapter: operator messages and the messaging window (fake clock)', () => {
  let graph: FakeGraphApi;
  let storage: MemoryStorage;
  let now: number;
  const lastWrote = Date.parse('2026-11-20T09:30:00Z');
  const psid = '7200000000000001';
  const conversationId = conversationIdOf(psid, fb.PAGE_ID);

  const adapter = () =>
    new MessengerAdapter({
      graph: new GraphClient({ baseUrl: graph.url, pageAccessToken: fb.PAGE_TOKEN, logger, sleep: async () => undefined }),
      threads: new ThreadClock(storage),
      botLogic: async (context: TurnContext) => {
        await context.sendActivity(`eco: ${context.activity.text ?? ''}`);
      },
      logger,
      now: () => now,
    });

  beforeAll(async () => {
    graph = await FakeGraphApi.start();
  });
  afterAll(() => graph.close());
  beforeEach(async () => {
    storage = new MemoryStorage();
    graph.reset();
    now = lastWrote;
  });

  async function citizenWrites(target: MessengerAdapter): Promise<void> {
    await target.processWebhook(webhookSchema.parse(fb.webhook([fb.text(psid, 'ho un problema con la TARI', { timestamp: lastWrote })])));
    graph.reset();
  }

  test('an operator answering within 24 hours sends a RESPONSE', async () => {
    const messenger = adapter();
    await citizenWrites(messenger);
    now = lastWrote + 3 * HOUR;
    await messenger.sendToConversation(conversationId, { type: 'message', text: 'Buongiorno, sono Giulia del 020202.' }, 'operator');
    expect(graph.messages(psid)[0]!.body).toEqual({ recipient: { id: psid }, messaging_type: 'RESPONSE', message: { text: 'Buongiorno, sono Giulia del 020202.' } });
  });

  test('between 24 hours and 7 days an operator’s message carries the HUMAN_AGENT tag', async () => {
    const messenger = adapter();
    await citizenWrites(messenger);
    now = lastWrote + 30 * HOUR;
    await messenger.sendToConversation(conversationId, { type: 'message', text: 'Ho verificato la sua pratica.' }, 'operator');
    expect(graph.messages(psid)[0]!.body).toMatchObject({ messaging_type: 'MESSAGE_TAG', tag: 'HUMAN_AGENT' });
  });

  test('after 24 hours the bot itself is refused, and nothing reaches the Graph API', async () => {
    const messenger = adapter();
    await citizenWrites(messenger);
    now = lastWrote + 25 * HOUR;
    const error = await messenger.sendToConversation(conversationId, { type: 'message', text: 'Sei ancora in coda.' }, 'bot').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MessagingWindowError);
    expect(error).toMatchObject({ code: 'WINDOW_CLOSED_24H' });
    expect(graph.requests).toHaveLength(0);
  });

  test('after 7 days an operator is refused with a reason to show in the console', async () => {
    const messenger = adapter();
    await citizenWrites(messenger);
    now = lastWrote + 7 * 24 * HOUR + HOUR;
    const error = await messenger.sendToConversation(conversationId, { type: 'message', text: 'Mi scusi il ritardo.' }, 'operator').catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'WINDOW_CLOSED_7D', reason: expect.stringMatching(/7 giorni/) });
    expect(graph.requests).toHaveLength(0);
  });

  test('the window survives a restart: a new adapter on the same store knows when the citizen wrote', async () => {
    await citizenWrites(adapter());
    now = lastWrote + 30 * HOUR;
    await adapter().sendToConversation(conversationId, { type: 'message', text: 'Riprendo la sua richiesta.' }, 'operator');
    expect(graph.messages(psid)[0]!.body).toMatchObject({ messaging_type: 'MESSAGE_TAG', tag: 'HUMAN_AGENT' });
  });

  test('when the store fails, the citizen is still answered and the window is kept in memory', async () => {
    const down = new Error('store unreachable');
    const failing = { read: () => Promise.reject(down), write: () => Promise.reject(down), delete: () => Promise.reject(down) };
    const messenger = new MessengerAdapter({
      graph: new GraphClient({ baseUrl: graph.url, pageAccessToken: fb.PAGE_TOKEN, logger, sleep: async () => undefined }),
      threads: new ThreadClock(failing),
      botLogic: async (context: TurnContext) => {
        await context.sendActivity(`eco: ${context.activity.text ?? ''}`);
      },
      logger,
      now: () => now,
    });
    await messenger.processWebhook(webhookSchema.parse(fb.webhook([fb.text(psid, 'ciao', { timestamp: lastWrote })])));
    expect(graph.messages(psid).map((m) => m.body.message.text)).toEqual(['eco: ciao']);
  });

  test('a citizen who never wrote cannot be messaged', async () => {
    const error = await adapter().sendToConversation(conversationIdOf('7299999999999999', fb.PAGE_ID), { type: 'message', text: 'Salve' }, 'operator').catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'NO_CITIZEN_MESSAGE' });
  });

  test('a conversation id that is not Messenger’s is an error, not a send', async () => {
    await expect(adapter().sendToConversation('not a conversation', { type: 'message', text: 'x' })).rejects.toThrow(/not a Messenger conversation id/);
  });
});

describe('activityOf: Messenger events as the activities the bot reads', () => {
  const one = (event: Record<string, unknown>) => {
    const [parsed] = eventsOf(webhookSchema.parse(fb.webhook([event])));
    return activityOf(parsed as Extract<MessengerEvent, { kind: 'message' | 'postback' }>);
  };

  test('a text message: channel facebook, the PSID as the user, the page as the bot, Azure’s conversation id', () => {
    const activity = one(fb.text('7300000000000001', 'ciao', { mid: 'm_abc', timestamp: 1764000000000 }));
    expect(activity).toMatchObject({
      type: 'message',
      id: 'm_abc',
      text: 'ciao',
      channelId: 'facebook',
      from: { id: '7300000000000001', role: 'user' },
      recipient: { id: fb.PAGE_ID, role: 'bot' },
      conversation: { id: `7300000000000001-${fb.PAGE_ID}` },
    });
    expect(activity.timestamp).toEqual(new Date(1764000000000));
  });

  test('a quick reply is read as its payload, not its (cut) title', () => {
    expect(one(fb.quickReply('7300000000000001', 'Carta d’identità e…', 'Carta d’identità elettronica')).text).toBe('Carta d’identità elettronica');
  });

  test('menu postbacks become menu commands in their language; Get Started a new member', () => {
    expect(one(fb.postback('7300000000000001', 'Talk to an operator', 'DIALOGO_MENU:operator:en'))).toMatchObject({ type: 'message', value: { dialogo: 'operator' }, locale: 'en-US' });
    expect(one(fb.postback('7300000000000001', 'Inizia', 'DIALOGO_GET_STARTED'))).toMatchObject({ type: 'conversationUpdate', membersAdded: [{ id: '7300000000000001' }] });
    expect(one(fb.postback('7300000000000001', 'Costi', 'quanto costa la carta d’identità'))).toMatchObject({ type: 'message', text: 'quanto costa la carta d’identità' });
  });

  test('attachments keep their type and URL; the like sticker is 👍', () => {
    expect(one(fb.attachment('7300000000000001', 'image')).attachments).toEqual([{ contentType: 'image/*', contentUrl: 'https://scontent.example/abc.jpg', name: 'image' }]);
    expect(one(fb.attachment('7300000000000001', 'image', { sticker_id: 369239263222822 })).text).toBe('👍');
  });
});

describe('MessengerAdapter: citizens do not wait for each other', () => {
  test('a citizen whose answers Meta holds does not delay another citizen’s answer', async () => {
    const graph = await FakeGraphApi.start();
    const graphClient = new GraphClient({ baseUrl: graph.url, pageAccessToken: fb.PAGE_TOKEN, logger, sleep: async () => undefined, maxInFlight: 2 });
    try {
      const messenger = new MessengerAdapter({
        graph: graphClient,
        threads: new ThreadClock(new MemoryStorage()),
        botLogic: async (context: TurnContext) => {
          await context.sendActivity(`eco: ${context.activity.text ?? ''}`);
        },
        logger,
      });
      graph.hold('7400000000000001');
      const slow = messenger.processWebhook(webhookSchema.parse(fb.webhook([fb.text('7400000000000001', 'prima'), fb.text('7400000000000001', 'seconda')])));
      await graph.waitForPending(1);
      await messenger.processWebhook(webhookSchema.parse(fb.webhook([fb.text('7400000000000002', 'ciao')])));
      expect(graph.messages('7400000000000002').map((m) => m.body.message.text)).toEqual(['eco: ciao']);
      graph.release();
      await slow;
      expect(graph.messages('7400000000000001').map((m) => m.body.message.text)).toEqual(['eco: prima', 'eco: seconda']);
    } finally {
      graphClient.close();
      await graph.close();
    }
  });
});

describe('MessengerAdapter: the typing indicator', () => {
  let graph: FakeGraphApi;
  let graphClient: GraphClient;
  beforeAll(async () => {
    graph = await FakeGraphApi.start();
    graphClient = new GraphClient({ baseUrl: graph.url, pageAccessToken: fb.PAGE_TOKEN, logger, sleep: async () => undefined });
  });
  afterAll(async () => {
    graphClient.close();
    await graph.close();
  });
  beforeEach(() => graph.reset());

  const messengerWith = (botLogic: (context: TurnContext) => Promise<void>) =>
    new MessengerAdapter({ graph: graphClient, threads: new ThreadClock(new MemoryStorage()), botLogic, logger });
  const actionsTo = (psid: string) => graph.requests.filter((r) => r.body.recipient?.id === psid).map((r) => r.body.sender_action ?? 'message');

  test('a turn that answers nothing (the citizen writes to an operator) takes the typing dots down', async () => {
    const psid = '7500000000000001';
    await messengerWith(async () => undefined).processWebhook(webhookSchema.parse(fb.webhook([fb.text(psid, 'il verbale è del 3 novembre')])));
    expect(actionsTo(psid)).toEqual(['typing_on', 'typing_off']);
  });

  test('a turn that answers sends typing_on before the answer and no typing_off', async () => {
    const psid = '7500000000000002';
    await messengerWith(async (context) => {
      await context.sendActivity('eco');
    }).processWebhook(webhookSchema.parse(fb.webhook([fb.text(psid, 'ciao')])));
    expect(actionsTo(psid)).toEqual(['typing_on', 'message']);
  });
});
