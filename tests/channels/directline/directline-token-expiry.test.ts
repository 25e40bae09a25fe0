import WebSocket from 'ws';
import { DirectLineTokens } from '../../../src/channels/directline/tokens';
import { mountEndpoint, type MountedEndpoint } from './mounted-endpoint';

const LIFETIME_SECONDS = 2;

interface Reply {
  status: number;
  json: any;
}

async function call(base: string, method: string, path: string, token?: string, body?: object): Promise<Reply> {
  const headers: Record<string, string> = {};
  if (token) headers.authorization = `Bearer ${token}`;
  if (body) headers['content-type'] = 'application/json';
  const response = await fetch(`${base}${path}`, { method, headers, ...(body ? { body: JSON.stringify(body) } : {}) });
  const text = await response.text();
  return { status: response.status, json: text ? JSON.parse(text) : undefined };
}

/** A started conversation: its id, token and stream URL. */
async function start(base: string): Promise<{ conversationId: string; token: string; streamUrl: string }> {
  const generated = await call(base, 'POST', '/tokens/generate');
  const started = await call(base, 'POST', '/conversations', generated.json.token, {});
  expect(started.status).toBe(201);
  return started.json;
}

/** An open stream that records what it receives and how it closes. */
async function openStream(url: string): Promise<{ ws: WebSocket; received: string[]; closed: Promise<{ code: number; reason: string }> }> {
  const ws = new WebSocket(url);
  const received: string[] = [];
  ws.on('message', (data) => {
    for (const activity of JSON.parse(String(data)).activities) received.push(activity.text ?? activity.type);
  });
  const closed = new Promise<{ code: number; reason: string }>((resolve) => ws.on('close', (code, reason) => resolve({ code, reason: String(reason) })));
  await new Promise((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', reject);
  });
  return { ws, received, closed };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function upgradeStatus(url: string): Promise<number> {
  return new Promise((resolve) => {
    const ws = new WebSocket(url);
    ws.on('open', () => {
      ws.close();
      resolve(101);
    });
    ws.on('unexpected-response', (_req, res) => {
      resolve(res.statusCode ?? 0);
      ws.terminate();
    });
    ws.on('error', () => resolve(0));
  });
}

describe('Direct Line tokens that expire', () => {
  let mounted: MountedEndpoint;
  beforeAll(async () => {
    mounted = await mountEndpoint({ tokens: new DirectLineTokens(undefined, Date.now, LIFETIME_SECONDS) });
  });
  afterAll(async () => {
    await mounted.close();
  });

  test('an open stream closes when its token expires (1008 TokenExpired) and delivers nothing after', async () => {
    const { conversationId, streamUrl } = await start(mounted.base);
    const stream = await openStream(streamUrl);
    const closed = await Promise.race([stream.closed, sleep(LIFETIME_SECONDS * 1000 + 1500).then(() => undefined)]);
    expect(closed).toEqual({ code: 1008, reason: 'TokenExpired' });
    const before = stream.received.length;
    await mounted.adapter.sendToConversation(conversationId, { type: 'message', text: 'dopo la scadenza' });
    await sleep(100);
    expect(stream.received).toHaveLength(before);
    expect(stream.received).not.toContain('dopo la scadenza');
  });

  test('refreshing the token keeps the stream open and delivering; once refreshes stop, it closes', async () => {
    const { conversationId, token, streamUrl } = await start(mounted.base);
    const stream = await openStream(streamUrl);
    let current = token;
    // As botframework-directlinejs does: refresh over HTTP before expiry, keep the socket.
    for (let i = 0; i < 5; i += 1) {
      await sleep(700);
      const refreshed = await call(mounted.base, 'POST', '/tokens/refresh', current);
      expect(refreshed.status).toBe(200);
      current = refreshed.json.token;
    }
    // 3.5 s after opening, well past the first token's expiry.
    await mounted.adapter.sendToConversation(conversationId, { type: 'message', text: 'ancora qui' });
    await sleep(100);
    expect(stream.received).toContain('ancora qui');
    expect(stream.ws.readyState).toBe(WebSocket.OPEN);
    const closed = await Promise.race([stream.closed, sleep(LIFETIME_SECONDS * 1000 + 1500).then(() => undefined)]);
    expect(closed).toEqual({ code: 1008, reason: 'TokenExpired' });
  });

  test('an expired token is refused as Direct Line documents: 403 with code TokenExpired, on polling, refresh, posting and the stream', async () => {
    const { conversationId, token, streamUrl } = await start(mounted.base);
    expect((await call(mounted.base, 'GET', `/conversations/${conversationId}/activities`, token)).status).toBe(200);
    await sleep(LIFETIME_SECONDS * 1000 + 100);
    const polled = await call(mounted.base, 'GET', `/conversations/${conversationId}/activities`, token);
    expect(polled.status).toBe(403);
    expect(polled.json).toEqual({ error: { code: 'TokenExpired', message: expect.any(String) } });
    const refreshed = await call(mounted.base, 'POST', '/tokens/refresh', token);
    expect(refreshed.status).toBe(403);
    expect(refreshed.json.error.code).toBe('TokenExpired');
    const posted = await call(mounted.base, 'POST', `/conversations/${conversationId}/activities`, token, { type: 'message', text: 'ciao' });
    expect(posted.json.error.code).toBe('TokenExpired');
    expect(await upgradeStatus(streamUrl)).toBe(403);
    // An expired token of another conversation says nothing about that conversation: 403 TOKEN_INVALID.
    const other = await start(mounted.base);
    const across = await call(mounted.base, 'GET', `/conversations/${other.conversationId}/activities`, token);
    expect(across.status).toBe(403);
    expect(across.json.error.code).toBe('TOKEN_INVALID');
  });
});

describe('Direct Line without credentials', () => {
  let mounted: MountedEndpoint;
  beforeAll(async () => {
    mounted = await mountEndpoint({ secret: 'a-direct-line-secret-for-tests' });
  });
  afterAll(async () => {
    await mounted.close();
  });

  test('a missing or malformed Authorization is 401 on every route, a wrong credential 403', async () => {
    const routes: [string, string][] = [
      ['POST', '/tokens/generate'],
      ['POST', '/tokens/refresh'],
      ['POST', '/conversations'],
      ['GET', '/conversations/abc'],
      ['GET', '/conversations/abc/activities'],
      ['POST', '/conversations/abc/activities'],
    ];
    for (const [method, path] of routes) {
      const none = await call(mounted.base, method, path, undefined, method === 'POST' ? { type: 'message' } : undefined);
      expect([method, path, none.status, none.json.error.code]).toEqual([method, path, 401, 'CREDENTIALS_MISSING']);
      const malformed = await fetch(`${mounted.base}${path}`, { method, headers: { authorization: 'Basic dXNlcjpwYXNz' } });
      expect([method, path, malformed.status]).toEqual([method, path, 401]);
      const wrong = await call(mounted.base, method, path, 'not-the-secret-nor-a-token', method === 'POST' ? { type: 'message' } : undefined);
      expect([method, path, wrong.status]).toEqual([method, path, 403]);
    }
    expect(await upgradeStatus(`${mounted.base.replace('http', 'ws')}/conversations/abc/stream`)).toBe(401);
  });
});
