import { GraphClient } from '../../../src/channels/messenger/graph-client';
import { createLogger } from '../../../src/logger';
import { FakeGraphApi } from '../../fixtures/fake-graph-api';

const logger = createLogger('silent');
const message = (psid: string, text: string) => ({ recipient: { id: psid }, messaging_type: 'RESPONSE', message: { text } });
const typingOn = (psid: string) => ({ recipient: { id: psid }, sender_action: 'typing_on' });
/** Lets the event loop turn so that calls that could go out do. */
const settle = () => new Promise((resolve) => setTimeout(resolve, 100));

describe('GraphClient: bounded concurrency, citizens in lanes, keep-alive sockets', () => {
  let graph: FakeGraphApi;
  const clients: GraphClient[] = [];
  const client = (maxInFlight: number, sleep: (ms: number) => Promise<void> = async () => undefined) => {
    const created = new GraphClient({ baseUrl: graph.url, pageAccessToken: 'TOKEN', logger, maxInFlight, sleep });
    clients.push(created);
    return created;
  };

  beforeAll(async () => {
    graph = await FakeGraphApi.start();
  });
  afterAll(() => graph.close());
  beforeEach(() => graph.reset());
  afterEach(() => {
    graph.release();
    clients.splice(0).forEach((c) => c.close());
  });

  test('never more than maxInFlight calls reach the Graph API at once, and all are answered', async () => {
    const graphClient = client(4);
    graph.hold();
    const sends = Array.from({ length: 40 }, (_, i) => graphClient.send(message(`81000000${i}`, `risposta ${i}`)));
    await graph.waitForPending(4);
    await settle();
    expect(graph.pending).toBe(4);
    graph.release();
    const results = await Promise.all(sends);
    expect(results.every((r) => r.message_id?.startsWith('m_fake_'))).toBe(true);
    expect(graph.requests).toHaveLength(40);
    expect(graph.maxPending).toBe(4);
  });

  test('a citizen whose calls Meta holds takes one slot; another citizen is answered meanwhile', async () => {
    const graphClient = client(2);
    graph.hold('8200000000000001');
    const slow = [1, 2, 3].map((i) => graphClient.send(message('8200000000000001', `lenta ${i}`)));
    await graph.waitForPending(1);
    for (const i of [1, 2, 3]) await graphClient.send(message('8200000000000002', `veloce ${i}`));
    expect(graph.messages('8200000000000002')).toHaveLength(3);
    expect(graph.messages('8200000000000001')).toHaveLength(0);
    graph.release();
    await Promise.all(slow);
    expect(graph.messages('8200000000000001').map((r) => r.body.message.text)).toEqual(['lenta 1', 'lenta 2', 'lenta 3']);
  });

  test('a retry’s backoff holds no slot: another citizen goes first', async () => {
    let endBackoff: () => void = () => undefined;
    const graphClient = client(1, () => new Promise<void>((resolve) => (endBackoff = resolve)));
    graph.failNext(1, 500, { error: { message: 'An unexpected error has occurred', code: 2 } });
    const retried = graphClient.send(message('8300000000000001', 'dopo un errore'));
    await graph.waitForMessages(1, '8300000000000001');
    await graphClient.send(message('8300000000000002', 'nel frattempo'));
    expect(graph.messages('8300000000000002')).toHaveLength(1);
    endBackoff();
    await retried;
    expect(graph.messages('8300000000000001')).toHaveLength(2);
  });

  test('one citizen’s calls reach Meta one at a time, in the order they were made, even when nobody waits', async () => {
    const graphClient = client(8);
    const psid = '8400000000000001';
    graph.hold(psid);
    const sends = Array.from({ length: 6 }, (_, i) => graphClient.send(message(psid, `parte ${i}`)));
    await graph.waitForPending(1);
    await settle();
    expect(graph.pending).toBe(1);
    graph.release();
    await Promise.all(sends);
    expect(graph.messages(psid).map((r) => r.body.message.text)).toEqual(['parte 0', 'parte 1', 'parte 2', 'parte 3', 'parte 4', 'parte 5']);
  });

  test('calls reuse keep-alive sockets: no more connections than maxInFlight', async () => {
    const graphClient = client(4);
    const before = graph.connections;
    for (let round = 0; round < 5; round += 1) {
      await Promise.all(Array.from({ length: 20 }, (_, i) => graphClient.send(message(`85000000${i}`, `giro ${round}`))));
    }
    expect(graph.requests).toHaveLength(100);
    expect(graph.connections - before).toBeGreaterThan(0);
    expect(graph.connections - before).toBeLessThanOrEqual(4);
  });

  test('typing_on still waiting when the answer is queued behind it is skipped; otherwise it goes', async () => {
    const graphClient = client(1);
    graph.hold('8600000000000009');
    const blocker = graphClient.send(message('8600000000000009', 'occupa l’unico posto'));
    await graph.waitForPending(1);
    const typing = graphClient.send(typingOn('8600000000000001'), { skipIfSuperseded: true });
    const answer = graphClient.send(message('8600000000000001', 'la risposta'));
    graph.release();
    await Promise.all([blocker, answer]);
    expect(await typing).toEqual({ skipped: true });
    expect(graph.requests.filter((r) => r.body.recipient?.id === '8600000000000001').map((r) => r.body.sender_action ?? r.body.message.text)).toEqual(['la risposta']);

    graph.reset();
    const alone = await graphClient.send(typingOn('8600000000000002'), { skipIfSuperseded: true });
    expect(alone.skipped).toBeUndefined();
    expect(graph.requests.map((r) => r.body.sender_action)).toEqual(['typing_on']);
  });

  test('a call Meta never answers fails after the timeout, as a retryable unreachable error', async () => {
    const graphClient = new GraphClient({ baseUrl: graph.url, pageAccessToken: 'TOKEN', logger, attempts: 1, timeoutMs: 200 });
    clients.push(graphClient);
    graph.hold();
    await expect(graphClient.send(message('8700000000000001', 'mai risposto'))).rejects.toMatchObject({ status: 0, retryable: true, message: expect.stringMatching(/unreachable/) });
  });
});
