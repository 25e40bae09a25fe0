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
  ])('%s gets %i with a JSON error and no stack trace', async (_name, body, status, code) => {
    const response = await post(dialogo.port, body);
    expect(response.status).toBe(status);
    expect(response.json.error.code).toBe(code);
    expect(JSON.stringify(response.json)).not.toMatch(/at .*\.(js|ts):\d+/);
  });

  test('a non-JSON content type gets 415', async () => {
    const response = await post(dialogo.port, 'type=message', 'application/x-www-form-urlencoded');
    expect(response.status).toBe(415);
  });

  test.each([
    ['an empty text', ''],
    ['only emoji', '😀😀'],
    ['only HTML', '<p><br></p>'],
  ])('%s gets a sensible reply', async (_name, text) => {
    const { status, json } = await post(dialogo.port, JSON.stringify(message(text, { conversation: { id: `c-${text.length}` } })));
    expect(status).toBe(200);
    expect(json.activities[0].text).toMatch(/testo/);
  });
});

describe('POST /api/messages with an app id configured', () => {
  let dialogo: Dialogo;
  // CloudAdapter writes every refused request to console.error; the status is what the test checks.
  let consoleError: jest.SpyInstance;
  beforeAll(async () => {
    consoleError = jest.spyOn(console, 'error').mockImplementation(() => undefined);
    dialogo = await startDialogo(
      loadConfig({
        PORT: '0',
        HOST: '127.0.0.1',
        KB_DIR,
        KB_WATCH: 'false',
        NODE_ENV: 'test',
        DATA_DIR: tempDataDir(),
        MicrosoftAppId: '00000000-0000-0000-0000-000000000001',
        MicrosoftAppPassword: 'not-a-real-secret',
      }),
      silent,
    );
  });
  afterAll(async () => {
    await dialogo.stop();
    consoleError.mockRestore();
  });

  test.each([
    ['no Authorization header', undefined],
    ['a forged bearer token', 'Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl'],
  ])('a request with %s gets 401 and no reply', async (_name, authorization) => {
    const response = await fetch(`http://127.0.0.1:${dialogo.port}/api/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(authorization ? { authorization } : {}) },
      body: JSON.stringify(message('quanto costa la cie')),
    });
    expect(response.status).toBe(401);
    expect(await response.text()).not.toMatch(/carta/i);
  });
});
