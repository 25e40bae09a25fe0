import { rmSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import pino from 'pino';
import { loadConfig } from '../../src/config';
import { startDialogo, type Dialogo } from '../../src/index';
import { createLogger } from '../../src/logger';
import { KB_DIR, tempDataDir } from '../fixtures/runtime';

const silent = createLogger('silent');

function message(text: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    type: 'message',
    text,
    channelId: 'test',
    from: { id: 'citizen-1' },
    recipient: { id: 'dialogo' },
    conversation: { id: 'conversation-1' },
    serviceUrl: 'http://127.0.0.1:9',
    deliveryMode: 'expectReplies',
    ...extra,
  };
}

async function post(port: number, body: string, contentType = 'application/json'): Promise<{ status: number; json: any }> {
  const response = await fetch(`http://127.0.0.1:${port}/api/messages`, { method: 'POST', headers: { 'content-type': contentType }, body });
  const text = await response.text();
  return { status: response.status, json: text ? JSON.parse(text) : undefined };
}

describe('POST /api/messages in local development (no app id)', () => {
  let dialogo: Dialogo;
  beforeAll(async () => {
    dialogo = await startDialogo(loadConfig({ PORT: '0', HOST: '127.0.0.1', KB_DIR, KB_WATCH: 'false', NODE_ENV: 'test', DATA_DIR: tempDataDir() }), silent);
  });
  afterAll(async () => {
    await dialogo.stop();
  });

  test('a question gets the answer with channelData.dialogo', async () => {
    const { status, json } = await post(dialogo.port, JSON.stringify(message('quanto costa la carta d’identità?')));
    expect(status).toBe(200);
    const [reply] = json.activities;
    expect(reply.channelData.dialogo).toMatchObject({ topicId: 'carta-identita', outcome: 'answered' });
  });

  test('health and readiness answer JSON', async () => {
    const health = await fetch(`http://127.0.0.1:${dialogo.port}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ status: 'ok' });
    const ready = await fetch(`http://127.0.0.1:${dialogo.port}/readyz`);
    expect(await ready.json()).toMatchObject({ ready: true, topics: 40, recognizer: 'local' });
  });

  test.each([
    ['malformed JSON', '{"type": "message",', 400, 'NOT_JSON'],
    ['a missing type', JSON.stringify({ text: 'ciao' }), 400, 'INVALID_ACTIVITY'],
    ['an unknown activity type', JSON.stringify({ type: 'teleport' }), 400, 'INVALID_ACTIVITY'],
    ['a body over 256 KB', JSON.stringify(message('a'.repeat(300 * 1024))), 413, 'BODY_TOO_LARGE'],
    ['a text over 10,000 characters', JSON.stringify(message('a'.repeat(10_001))), 400, 'INVALID_ACTIVITY'],
  ])('%s gets its status with a JSON error and no stack trace', async (_name, body, status, code) => {
    const response = await post(dialogo.port, body);
    expect(response.status).toBe(status);
    expect(response.json.error.code).toBe(code);
    expect(JSON.stringify(response.json)).not.toMatch(/at .*\.(js|ts):\d+/);
  });

  test('a non-JSON content type gets 415', async () => {
    const response = await post(dialogo.port, 'type=message', 'application/x-www-form-urlencoded');
    expect(response.status).toBe(415);
  });

  // Emoji alone are a reaction (small talk, answered with a prompt for a question), not a request for words.
  test.each([
    ['an empty text', '', /testo/],
    ['only emoji', '😀😀', /Scrivi la tua domanda/],
    ['only HTML', '<p><br></p>', /testo/],
  ])('%s gets a sensible reply', async (_name, text, pattern) => {
    const { status, json } = await post(dialogo.port, JSON.stringify(message(text, { conversation: { id: `c-${text.length}` } })));
    expect(status).toBe(200);
    expect(json.activities[0].text).toMatch(pattern);
  });
});

const APP_ID = '00000000-0000-0000-0000-000000000001';

/** An unsigned-looking JWT with the given header and claims (the signature is garbage). */
function fakeJwt(header: Record<string, unknown>, claims: Record<string, unknown>): string {
  const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${part(header)}.${part(claims)}.${Buffer.from('not a signature').toString('base64url')}`;
}

const plausibleToken = () =>
  fakeJwt({ alg: 'RS256', typ: 'JWT', kid: 'forged-key' }, { iss: 'https://api.botframework.com', aud: APP_ID, exp: Math.floor(Date.now() / 1000) + 600, serviceurl: 'https://europe.webchat.botframework.com/' });

describe('POST /api/messages with an app id configured', () => {
  let dialogo: Dialogo;
  // CloudAdapter writes every refused request to console.error; the status is what the test checks.
  let consoleError: jest.SpyInstance;
  let dataDir: string;
  beforeAll(async () => {
    consoleError = jest.spyOn(console, 'error').mockImplementation(() => undefined);
    dataDir = tempDataDir();
    dialogo = await startDialogo(
      loadConfig({ PORT: '0', HOST: '127.0.0.1', KB_DIR, KB_WATCH: 'false', NODE_ENV: 'test', DATA_DIR: dataDir, MicrosoftAppId: APP_ID, MicrosoftAppPassword: 'not-a-real-secret' }),
      silent,
    );
  });
  afterAll(async () => {
    await dialogo.stop();
    consoleError.mockRestore();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const send = (authorization: string | undefined, body: Record<string, unknown>) =>
    fetch(`http://127.0.0.1:${dialogo.port}/api/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(authorization ? { authorization } : {}) },
      body: JSON.stringify(body),
    });

  test.each([
    ['no Authorization header', undefined],
    ['a forged HS256 token', 'Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl'],
    ['garbage', 'Bearer ../../etc/passwd'],
    ['a token for another bot', `Bearer ${fakeJwt({ alg: 'RS256', kid: 'k' }, { aud: 'another-bot', exp: Math.floor(Date.now() / 1000) + 600 })}`],
    ['an expired token', `Bearer ${fakeJwt({ alg: 'RS256', kid: 'k' }, { aud: APP_ID, exp: Math.floor(Date.now() / 1000) - 3600 })}`],
    ['a token with alg none', `Bearer ${fakeJwt({ alg: 'none' }, { aud: APP_ID, exp: Math.floor(Date.now() / 1000) + 600 })}`],
  ])('a request with %s gets the 401 JSON body without any network call', async (_name, authorization) => {
    const requests = [jest.spyOn(https, 'request'), jest.spyOn(http, 'request'), jest.spyOn(globalThis, 'fetch')];
    try {
      const body = message('quanto costa la cie', { serviceUrl: 'https://europe.webchat.botframework.com/' });
      // The test's own fetch is counted: it is the only call allowed.
      const response = await send(authorization, body);
      expect(response.status).toBe(401);
      expect(await response.json()).toEqual({ error: { code: 'UNAUTHORIZED', message: expect.any(String) } });
      expect(requests.map((spy) => spy.mock.calls.length)).toEqual([0, 0, 1]);
    } finally {
      requests.forEach((spy) => spy.mockRestore());
    }
  });

  test('a well-formed token whose signing key cannot be fetched or found gets the 401 JSON body, not a 500', async () => {
    const response = await send(`Bearer ${plausibleToken()}`, message('quanto costa la cie', { serviceUrl: 'https://europe.webchat.botframework.com/' }));
    expect(response.status).toBe(401);
    const text = await response.text();
    expect(JSON.parse(text)).toEqual({ error: { code: 'UNAUTHORIZED', message: expect.any(String) } });
    expect(text).not.toMatch(/carta|ENOTFOUND|EAI_AGAIN|fetch|openid/i);
  });

  test.each([
    ['an internal address', 'http://10.0.0.5:8080/'],
    ['cloud metadata', 'http://169.254.169.254/latest/'],
    ['https to a look-alike host', 'https://evil-botframework.com/'],
    ['http to a channel host', 'http://europe.webchat.botframework.com/'],
    ['a channel host with another port', 'https://europe.webchat.botframework.com:8443/'],
  ])('an activity whose serviceUrl is %s is refused with 403 before the turn', async (_name, serviceUrl) => {
    const response = await send(`Bearer ${plausibleToken()}`, message('quanto costa la cie', { serviceUrl }));
    expect(response.status).toBe(403);
    expect(((await response.json()) as any).error.code).toBe('SERVICE_URL_NOT_ALLOWED');
  });

  test('an activity without a serviceUrl is refused too', async () => {
    const { serviceUrl: _omitted, ...body } = message('quanto costa la cie');
    const response = await send(`Bearer ${plausibleToken()}`, body);
    expect(response.status).toBe(403);
  });
});

describe('POST /api/messages in production without an app id', () => {
  let dialogo: Dialogo;
  let dataDir: string;
  const lines: string[] = [];
  beforeAll(async () => {
    dataDir = tempDataDir();
    const logger = pino({ level: 'info' }, { write: (line: string) => void lines.push(line) });
    dialogo = await startDialogo(
      loadConfig({
        PORT: '0', HOST: '127.0.0.1', KB_DIR, KB_WATCH: 'false', NODE_ENV: 'production', DATA_DIR: dataDir,
        PSEUDONYM_SECRET: 'p'.repeat(32), OPERATOR_TOKEN_SECRET: 'o'.repeat(32), DATA_ENCRYPTION_KEY: 'd'.repeat(40), DIRECTLINE_SECRET: 's'.repeat(32),
      }),
      logger,
    );
  });
  afterAll(async () => {
    await dialogo.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  test('says so in the start-up log', () => {
    expect(lines.some((line) => /production without MicrosoftAppId: \/api\/messages refuses every activity/.test(line))).toBe(true);
  });

  test('refuses every activity with the catalogued error, whatever serviceUrl it names', async () => {
    for (const serviceUrl of ['http://127.0.0.1:9', 'https://europe.webchat.botframework.com/']) {
      const { status, json } = await post(dialogo.port, JSON.stringify(message('quanto costa la carta d’identità?', { serviceUrl })));
      expect(status).toBe(404);
      expect(json.error.code).toBe('CHANNEL_NOT_CONFIGURED');
      expect(JSON.stringify(json)).not.toMatch(/carta/i);
    }
  });
});
