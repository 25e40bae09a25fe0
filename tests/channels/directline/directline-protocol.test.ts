import WebSocket from 'ws';
import { loadConfig } from '../../../src/config';
import { startDialogo, type Dialogo } from '../../../src/index';
import { createLogger } from '../../../src/logger';
import { KB_DIR, tempDataDir } from '../../fixtures/runtime';

const SECRET = 'a-direct-line-secret-for-tests';

function dialogoOf(extra: Record<string, string> = {}): Promise<Dialogo> {
  return startDialogo(
    // More conversations a minute than the default allows from one address: every test here starts some from 127.0.0.1.
    loadConfig({ PORT: '0', HOST: '127.0.0.1', KB_DIR, KB_WATCH: 'false', NODE_ENV: 'test', DATA_DIR: tempDataDir(), DIRECTLINE_CONVERSATIONS_PER_MINUTE: '1000', ...extra }),
    createLogger('silent'),
  );
}

interface Reply {
  status: number;
  json: any;
  headers: Headers;
}

async function call(dialogo: Dialogo, method: string, path: string, options: { token?: string; body?: string | object; contentType?: string } = {}): Promise<Reply> {
  const headers: Record<string, string> = {};
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  if (options.body !== undefined) headers['content-type'] = options.contentType ?? 'application/json';
  const response = await fetch(`http://127.0.0.1:${dialogo.port}/v3/directline${path}`, {
    method,
    headers,
    ...(options.body !== undefined ? { body: typeof options.body === 'string' ? options.body : JSON.stringify(options.body) } : {}),
  });
  const text = await response.text();
  return { status: response.status, json: text ? JSON.parse(text) : undefined, headers: response.headers };
}

/** A started conversation: its id and token (the welcome turn runs right after). */
async function start(dialogo: Dialogo): Promise<{ conversationId: string; token: string; streamUrl: string }> {
  const generated = await call(dialogo, 'POST', '/tokens/generate');
  const started = await call(dialogo, 'POST', '/conversations', { token: generated.json.token, body: {} });
  expect(started.status).toBe(201);
  return started.json;
}

async function poll(dialogo: Dialogo, conversationId: string, token: string, until: (activities: any[]) => boolean, watermark = ''): Promise<{ activities: any[]; watermark: string }> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const { status, json } = await call(dialogo, 'GET', `/conversations/${conversationId}/activities?watermark=${watermark}`, { token });
    expect(status).toBe(200);
    if (until(json.activities) || Date.now() > deadline) return json;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Opens a stream; resolves with the HTTP status of a refused upgrade, or 101. */
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

describe('Direct Line 3.0 in development mode (no DIRECTLINE_SECRET)', () => {
  let dialogo: Dialogo;
  beforeAll(async () => {
    dialogo = await dialogoOf();
  });
  afterAll(async () => {
    await dialogo.stop();
  });

  test('token generation is open and returns the documented shape', async () => {
    const { status, json } = await call(dialogo, 'POST', '/tokens/generate');
    expect(status).toBe(200);
    expect(json).toEqual({ conversationId: expect.any(String), token: expect.any(String), expires_in: 1800 });
  });

  test('a second start with the same token resumes the conversation (200), a first one creates it (201)', async () => {
    const generated = await call(dialogo, 'POST', '/tokens/generate');
    const first = await call(dialogo, 'POST', '/conversations', { token: generated.json.token, body: {} });
    expect(first.status).toBe(201);
    expect(first.json).toMatchObject({ conversationId: generated.json.conversationId, expires_in: 1800 });
    expect(first.json.streamUrl).toMatch(new RegExp(`^ws://127\\.0\\.0\\.1:${dialogo.port}/v3/directline/conversations/${first.json.conversationId}/stream\\?watermark=&t=`));
    const again = await call(dialogo, 'POST', '/conversations', { token: generated.json.token, body: {} });
    expect(again.status).toBe(200);
    expect(again.json.conversationId).toBe(first.json.conversationId);
  });

  test('GET activities with a watermark returns only newer activities', async () => {
    const { conversationId, token } = await start(dialogo);
    const welcome = await poll(dialogo, conversationId, token, (activities) => activities.length > 0);
    expect(welcome.activities).toHaveLength(1);
    expect(welcome.activities[0]).toMatchObject({ id: `${conversationId}|0000001`, from: { id: 'dialogo' } });
    expect(welcome.watermark).toBe('1');

    const posted = await call(dialogo, 'POST', `/conversations/${conversationId}/activities`, { token, body: { type: 'message', text: "quanto costa la carta d'identità", from: { id: 'x' } } });
    expect(posted.status).toBe(200);
    expect(posted.json).toEqual({ id: `${conversationId}|0000002` });

    const newer = await call(dialogo, 'GET', `/conversations/${conversationId}/activities?watermark=${welcome.watermark}`, { token });
    const ids = newer.json.activities.map((a: { id: string }) => a.id);
    expect(ids[0]).toBe(`${conversationId}|0000002`);
    expect(ids).not.toContain(`${conversationId}|0000001`);
    // The token decides who speaks, not the body.
    expect(newer.json.activities[0].from.id).not.toBe('x');
    expect(newer.json.activities.at(-1).channelData.dialogo.topicId).toBe('carta-identita');
    expect(newer.json.watermark).toBe(String(newer.json.activities.length + 1));

    const nothingNew = await call(dialogo, 'GET', `/conversations/${conversationId}/activities?watermark=${newer.json.watermark}`, { token });
    expect(nothingNew.json).toEqual({ activities: [], watermark: newer.json.watermark });

    // Reconnect: a new stream URL carrying the watermark, and a stream that sends only what is newer.
    const reconnect = await call(dialogo, 'GET', `/conversations/${conversationId}?watermark=${welcome.watermark}`, { token });
    expect(reconnect.status).toBe(200);
    expect(reconnect.json.streamUrl).toContain(`watermark=${welcome.watermark}&t=`);
    const firstMessage = await new Promise<any>((resolve, reject) => {
      const ws = new WebSocket(reconnect.json.streamUrl);
      ws.on('message', (data) => {
        resolve(JSON.parse(String(data)));
        ws.close();
      });
      ws.on('error', reject);
    });
    expect(firstMessage.activities[0].id).toBe(`${conversationId}|0000002`);
    expect(firstMessage.watermark).toBe(newer.json.watermark);
  });

  test('token refresh gives a new token for the same conversation; garbage is refused with 403, no token with 401', async () => {
    const { conversationId, token } = await start(dialogo);
    const refreshed = await call(dialogo, 'POST', '/tokens/refresh', { token });
    expect(refreshed.status).toBe(200);
    expect(refreshed.json).toMatchObject({ conversationId, expires_in: 1800 });
    const read = await call(dialogo, 'GET', `/conversations/${conversationId}/activities`, { token: refreshed.json.token });
    expect(read.status).toBe(200);

    const forged = `${token.slice(0, -4)}AAAA`;
    expect((await call(dialogo, 'POST', '/tokens/refresh', { token: forged })).status).toBe(403);
    expect((await call(dialogo, 'POST', '/tokens/refresh')).status).toBe(401);
    expect((await call(dialogo, 'GET', `/conversations/${conversationId}/activities`, { token: 'not.a.token' })).json.error.code).toBe('TOKEN_INVALID');
  });

  test("conversation A's token on conversation B gets 403 on every route and on the stream", async () => {
    const a = await start(dialogo);
    const b = await start(dialogo);
    const get = await call(dialogo, 'GET', `/conversations/${b.conversationId}/activities`, { token: a.token });
    expect(get.status).toBe(403);
    expect(get.json.error).toMatchObject({ code: 'TOKEN_INVALID' });
    expect((await call(dialogo, 'POST', `/conversations/${b.conversationId}/activities`, { token: a.token, body: { type: 'message', text: 'ciao' } })).status).toBe(403);
    expect((await call(dialogo, 'GET', `/conversations/${b.conversationId}`, { token: a.token })).status).toBe(403);
    const tokenOfA = new URL(a.streamUrl).searchParams.get('t') ?? '';
    expect(await upgradeStatus(b.streamUrl.replace(/t=[^&]+/, `t=${encodeURIComponent(tokenOfA)}`))).toBe(403);
    expect(await upgradeStatus(b.streamUrl)).toBe(101);
  });

  test('an unknown conversation is 404, on the routes and on the stream', async () => {
    // A generated token names a conversation that has not been started yet.
    const generated = await call(dialogo, 'POST', '/tokens/generate');
    const { conversationId, token } = generated.json;
    const response = await call(dialogo, 'GET', `/conversations/${conversationId}/activities`, { token });
    expect(response.status).toBe(404);
    expect(response.json.error.code).toBe('CONVERSATION_NOT_FOUND');
    expect((await call(dialogo, 'GET', `/conversations/${conversationId}`, { token })).status).toBe(404);
    expect(await upgradeStatus(`ws://127.0.0.1:${dialogo.port}/v3/directline/conversations/${conversationId}/stream?t=${encodeURIComponent(token)}`)).toBe(404);
  });

  test('malformed JSON is 400, a bad activity is 400, a body that is not JSON is 415', async () => {
    const { conversationId, token } = await start(dialogo);
    const malformed = await call(dialogo, 'POST', `/conversations/${conversationId}/activities`, { token, body: '{"type": "message",' });
    expect(malformed.status).toBe(400);
    expect(malformed.json.error.code).toBe('NOT_JSON');
    const badType = await call(dialogo, 'POST', `/conversations/${conversationId}/activities`, { token, body: { type: 'teleport' } });
    expect(badType.status).toBe(400);
    expect(badType.json.error.code).toBe('INVALID_ACTIVITY');
    const array = await call(dialogo, 'POST', `/conversations/${conversationId}/activities`, { token, body: '[1,2]' });
    expect(array.status).toBe(400);
    const text = await call(dialogo, 'POST', `/conversations/${conversationId}/activities`, { token, body: 'ciao', contentType: 'text/plain' });
    expect(text.status).toBe(415);
    // Still serving.
    expect((await call(dialogo, 'GET', `/conversations/${conversationId}/activities`, { token })).status).toBe(200);
  });

  test('an activity over 64 KB is 413', async () => {
    const { conversationId, token } = await start(dialogo);
    const big = await call(dialogo, 'POST', `/conversations/${conversationId}/activities`, { token, body: { type: 'message', text: 'ciao', channelData: { padding: 'x'.repeat(65 * 1024) } } });
    expect(big.status).toBe(413);
    expect(big.json.error.code).toBe('ACTIVITY_TOO_LARGE');
  });

  test('more than 60 activities a minute on one token is 429 with Retry-After', async () => {
    const { conversationId, token } = await start(dialogo);
    const statuses: number[] = [];
    for (let i = 0; i < 60; i += 1) {
      statuses.push((await call(dialogo, 'POST', `/conversations/${conversationId}/activities`, { token, body: { type: 'event', name: 'ping' } })).status);
    }
    expect(statuses.every((s) => s === 200)).toBe(true);
    const limited = await call(dialogo, 'POST', `/conversations/${conversationId}/activities`, { token, body: { type: 'event', name: 'ping' } });
    expect(limited.status).toBe(429);
    expect(limited.json.error.code).toBe('RATE_LIMITED');
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    // A refreshed token is the same citizen: still limited.
    const refreshed = await call(dialogo, 'POST', '/tokens/refresh', { token });
    expect((await call(dialogo, 'POST', `/conversations/${conversationId}/activities`, { token: refreshed.json.token, body: { type: 'event', name: 'ping' } })).status).toBe(429);
  });

  test('turns go through the InteractionMiddleware: one event per message, channel directline', async () => {
    const record = jest.spyOn(dialogo.recorder, 'record');
    const { conversationId, token } = await start(dialogo);
    await call(dialogo, 'POST', `/conversations/${conversationId}/activities`, { token, body: { type: 'message', text: "quanto costa la carta d'identità" } });
    expect(record).toHaveBeenCalledWith(expect.objectContaining({ channel: 'directline', activityType: 'message', topicId: 'carta-identita', outcome: 'answered' }));
    record.mockRestore();
  });

  test('proactive messages reach the conversation through the same path', async () => {
    const { conversationId, token } = await start(dialogo);
    await poll(dialogo, conversationId, token, (activities) => activities.length > 0);
    const sent = await dialogo.directLine.sendToConversation(conversationId, { type: 'message', text: 'Un operatore ti risponde a breve.' });
    expect(sent.id).toBe(`${conversationId}|0000002`);
    const { activities } = await call(dialogo, 'GET', `/conversations/${conversationId}/activities?watermark=1`, { token }).then((r) => r.json);
    expect(activities).toEqual([expect.objectContaining({ text: 'Un operatore ti risponde a breve.', from: expect.objectContaining({ id: 'dialogo' }) })]);
  });
});

describe('Direct Line 3.0 with DIRECTLINE_SECRET set', () => {
  let dialogo: Dialogo;
  beforeAll(async () => {
    dialogo = await dialogoOf({ DIRECTLINE_SECRET: SECRET });
  });
  afterAll(async () => {
    await dialogo.stop();
  });

  test('token generation is refused without credentials (401) or with a wrong secret (403)', async () => {
    const none = await call(dialogo, 'POST', '/tokens/generate');
    expect(none.status).toBe(401);
    expect(none.json.error.code).toBe('CREDENTIALS_MISSING');
    const wrong = await call(dialogo, 'POST', '/tokens/generate', { token: `${SECRET}x` });
    expect(wrong.status).toBe(403);
    expect(wrong.json.error.code).toBe('SECRET_REQUIRED');
    const granted = await call(dialogo, 'POST', '/tokens/generate', { token: SECRET, body: { user: { id: 'dl_portal-user' } } });
    expect(granted.status).toBe(200);
    const started = await call(dialogo, 'POST', '/conversations', { token: granted.json.token, body: {} });
    expect(started.status).toBe(201);
  });

  test('the secret itself starts conversations and reads any of them; unknown ids are 404', async () => {
    const started = await call(dialogo, 'POST', '/conversations', { token: SECRET, body: {} });
    expect(started.status).toBe(201);
    expect((await call(dialogo, 'GET', `/conversations/${started.json.conversationId}/activities`, { token: SECRET })).status).toBe(200);
    const unknown = await call(dialogo, 'GET', '/conversations/no-such-conversation/activities', { token: SECRET });
    expect(unknown.status).toBe(404);
  });
});

describe('Direct Line limits from the configuration', () => {
  let dialogo: Dialogo;
  beforeAll(async () => {
    dialogo = await dialogoOf({ DIRECTLINE_MAX_ACTIVITIES: '10', DIRECTLINE_CONVERSATIONS_PER_MINUTE: '2' });
  });
  afterAll(async () => {
    await dialogo.stop();
  });

  test('a conversation keeps its last DIRECTLINE_MAX_ACTIVITIES activities; a client resuming from an old watermark gets those', async () => {
    const { conversationId, token } = await start(dialogo);
    await poll(dialogo, conversationId, token, (activities) => activities.length > 0);
    for (let i = 0; i < 12; i += 1) {
      expect((await call(dialogo, 'POST', `/conversations/${conversationId}/activities`, { token, body: { type: 'event', name: `e${i}` } })).status).toBe(200);
    }
    const all = await call(dialogo, 'GET', `/conversations/${conversationId}/activities?watermark=0`, { token });
    expect(all.json.activities).toHaveLength(10);
    expect(all.json.watermark).toBe('13');
    expect(all.json.activities[0].id).toBe(`${conversationId}|0000004`);
    const fromOld = await call(dialogo, 'GET', `/conversations/${conversationId}/activities?watermark=2`, { token });
    expect(fromOld.json).toEqual(all.json);
  });

  test('DIRECTLINE_CONVERSATIONS_PER_MINUTE new conversations from one address, then 429', async () => {
    const replies: Reply[] = [];
    for (let i = 0; i < 3; i += 1) {
      const generated = await call(dialogo, 'POST', '/tokens/generate');
      replies.push(await call(dialogo, 'POST', '/conversations', { token: generated.json.token, body: {} }));
    }
    // Two a minute from 127.0.0.1, this test's and the previous one's together.
    expect(replies.filter((r) => r.status === 201).length).toBeLessThanOrEqual(2);
    expect(replies.at(-1)?.status).toBe(429);
    expect(replies.at(-1)?.json.error.code).toBe('CONVERSATIONS_RATE_LIMITED');
  });
});

describe('Direct Line on shutdown', () => {
  test('stop() closes open streams with 1001 and resolves', async () => {
    const dialogo = await dialogoOf();
    const { streamUrl } = await start(dialogo);
    const ws = new WebSocket(streamUrl);
    await new Promise((resolve, reject) => {
      ws.on('open', resolve);
      ws.on('error', reject);
    });
    const closed = new Promise<number>((resolve) => ws.on('close', (code) => resolve(code)));
    const started = Date.now();
    await dialogo.stop();
    expect(await closed).toBe(1001);
    expect(Date.now() - started).toBeLessThan(5000);
  });
});
