import { GraphApiError, GraphClient } from '../../../src/channels/messenger/graph-client';
import { createLogger } from '../../../src/logger';
import { FakeGraphApi } from '../../fixtures/fake-graph-api';

describe('GraphClient: Send API calls with retries', () => {
  let graph: FakeGraphApi;
  const delays: number[] = [];
  const warnings: unknown[] = [];
  const logger = createLogger('silent');
  logger.warn = ((obj: unknown) => void warnings.push(obj)) as typeof logger.warn;
  const client = () => new GraphClient({ baseUrl: graph.url, pageAccessToken: 'TOKEN', logger, sleep: async (ms) => void delays.push(ms) });
  const body = { recipient: { id: '42' }, messaging_type: 'RESPONSE', message: { text: 'Ciao' } };

  beforeAll(async () => {
    graph = await FakeGraphApi.start();
  });
  afterAll(() => graph.close());
  beforeEach(() => {
    graph.reset();
    delays.length = 0;
    warnings.length = 0;
  });

  test('sends to /me/messages with the page token and returns the message id', async () => {
    const result = await client().send(body);
    expect(result.message_id).toMatch(/^m_fake_/);
    expect(graph.requests).toHaveLength(1);
    expect(graph.requests[0]).toMatchObject({ method: 'POST', path: '/v25.0/me/messages', accessToken: 'TOKEN', body });
  });

  test('retries a 5xx with growing delays, then succeeds', async () => {
    graph.failNext(2, 500, { error: { message: 'An unexpected error has occurred', type: 'OAuthException', code: 2, fbtrace_id: 'AbC' } });
    await client().send(body);
    expect(graph.requests).toHaveLength(3);
    expect(delays).toHaveLength(2);
    expect(delays[1]!).toBeGreaterThan(delays[0]! * 0.9);
  });

  test('retries a rate limit (code 613 on HTTP 400)', async () => {
    graph.failNext(1, 400, { error: { message: 'Calls to this api have exceeded the rate limit.', type: 'OAuthException', code: 613 } });
    await client().send(body);
    expect(graph.requests).toHaveLength(2);
  });

  test('never retries another 4xx, and reports Graph’s code and subcode', async () => {
    graph.failNext(1, 400, { error: { message: 'This message is sent outside of allowed window.', type: 'OAuthException', code: 10, error_subcode: 2018278, fbtrace_id: 'X1' } });
    const error = await client().send(body).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GraphApiError);
    expect(error).toMatchObject({ status: 400, code: 10, subcode: 2018278, retryable: false });
    expect(graph.requests).toHaveLength(1);
    expect(warnings[0]).toMatchObject({ code: 10, subcode: 2018278, fbtraceId: 'X1' });
    expect(JSON.stringify(warnings)).not.toContain('TOKEN');
  });

  test('gives up after four attempts', async () => {
    graph.failNext(10, 503, { error: { message: 'Service unavailable', code: 1 } });
    await expect(client().send(body)).rejects.toMatchObject({ status: 503 });
    expect(graph.requests).toHaveLength(4);
    graph.reset();
  });

  test('an unreachable Graph API is retried and then reported', async () => {
    const unreachable = new GraphClient({ baseUrl: 'http://127.0.0.1:9/v25.0', pageAccessToken: 'TOKEN', logger, attempts: 2, sleep: async () => undefined });
    await expect(unreachable.send(body)).rejects.toMatchObject({ status: 0, retryable: true });
  });
});
