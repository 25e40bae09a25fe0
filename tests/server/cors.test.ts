import { rmSync } from 'node:fs';
import { loadConfig } from '../../src/config';
import { startDialogo, type Dialogo } from '../../src/index';
import { createLogger } from '../../src/logger';
import { webChatVersion } from '../../src/server/static-routes';
import { rawRequest } from '../fixtures/raw-http';
import { KB_DIR, tempDataDir } from '../fixtures/runtime';

const PORTAL = 'https://www.comune.milano.it';
const STRANGER = 'https://evil.example';
/** What Chromium sends before the official client's first POST (issue 11). */
const CHROMIUM_PREFLIGHT = { 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization,content-type,x-ms-bot-agent,x-requested-with' };

const varyOf = (headers: Record<string, string | string[] | undefined>) => String(headers.vary ?? '').toLowerCase();

async function start(allowedOrigins: string | undefined): Promise<{ dialogo: Dialogo; dataDir: string }> {
  const dataDir = tempDataDir();
  const dialogo = await startDialogo(
    loadConfig({ PORT: '0', HOST: '127.0.0.1', KB_DIR, KB_WATCH: 'false', NODE_ENV: 'test', DATA_DIR: dataDir, ...(allowedOrigins ? { ALLOWED_ORIGINS: allowedOrigins } : {}) }),
    createLogger('silent'),
  );
  return { dialogo, dataDir };
}

describe('CORS with an allow-list (ALLOWED_ORIGINS)', () => {
  let dialogo: Dialogo;
  let dataDir: string;
  beforeAll(async () => ({ dialogo, dataDir } = await start(`${PORTAL},http://127.0.0.1:8080`)));
  afterAll(async () => {
    await dialogo.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  test.each(['/v3/directline/tokens/generate', '/v3/directline/conversations', '/v3/directline/conversations/abc/activities', '/v3/directline/tokens/refresh'])(
    "Chromium's preflight of %s from the portal gets 204 with what the official client needs",
    async (path) => {
      const response = await rawRequest(dialogo.port, { method: 'OPTIONS', path, headers: { origin: PORTAL, ...CHROMIUM_PREFLIGHT } });
      expect(response.status).toBe(204);
      expect(response.text).toBe('');
      expect(response.headers['access-control-allow-origin']).toBe(PORTAL);
      const allowedHeaders = String(response.headers['access-control-allow-headers']).split(/\s*,\s*/);
      expect(allowedHeaders).toEqual(expect.arrayContaining(['authorization', 'content-type', 'x-ms-bot-agent', 'x-requested-with']));
      expect(String(response.headers['access-control-allow-methods'])).toMatch(/POST/);
      expect(String(response.headers['access-control-allow-methods'])).toMatch(/GET/);
      expect(Number(response.headers['access-control-max-age'])).toBeGreaterThan(0);
      expect(varyOf(response.headers)).toContain('origin');
      expect(response.headers['access-control-allow-credentials']).toBeUndefined();
    },
  );

  test('a preflight from an origin not on the list gets 403 and no CORS headers', async () => {
    const response = await rawRequest(dialogo.port, { method: 'OPTIONS', path: '/v3/directline/conversations', headers: { origin: STRANGER, ...CHROMIUM_PREFLIGHT } });
    expect(response.status).toBe(403);
    expect(response.json.error.code).toBe('ORIGIN_NOT_ALLOWED');
    expect(response.headers['access-control-allow-origin']).toBeUndefined();
    expect(response.headers['access-control-allow-headers']).toBeUndefined();
  });

  test('the answers name the allowed origin, and only it; a request without Origin gets no CORS headers', async () => {
    const allowed = await rawRequest(dialogo.port, { path: '/v3/directline/tokens/generate', headers: { origin: PORTAL } });
    expect(allowed.status).toBe(200);
    expect(allowed.headers['access-control-allow-origin']).toBe(PORTAL);
    expect(varyOf(allowed.headers)).toContain('origin');
    const stranger = await rawRequest(dialogo.port, { path: '/v3/directline/tokens/generate', headers: { origin: STRANGER } });
    expect(stranger.headers['access-control-allow-origin']).toBeUndefined();
    const sameOrigin = await rawRequest(dialogo.port, { path: '/v3/directline/tokens/generate' });
    expect(sameOrigin.headers['access-control-allow-origin']).toBeUndefined();
  });

  test('errors carry the CORS headers too, so the widget can read why', async () => {
    const response = await rawRequest(dialogo.port, { path: '/v3/directline/conversations', headers: { origin: PORTAL, authorization: 'Bearer not-a-token' } });
    expect(response.status).toBeGreaterThanOrEqual(400);
    expect(response.headers['access-control-allow-origin']).toBe(PORTAL);
  });

  test.each(['/widget.js', `/webchat/${webChatVersion()}/webchat.js`, '/webchat/webchat.js'])('%s is readable by the portal and not by a stranger', async (path) => {
    const portal = await rawRequest(dialogo.port, { method: 'HEAD', path, headers: { origin: PORTAL } });
    expect(portal.status).toBe(200);
    expect(portal.headers['access-control-allow-origin']).toBe(PORTAL);
    expect(varyOf(portal.headers)).toContain('origin');
    const stranger = await rawRequest(dialogo.port, { method: 'HEAD', path, headers: { origin: STRANGER } });
    expect(stranger.status).toBe(200);
    expect(stranger.headers['access-control-allow-origin']).toBeUndefined();
  });

  test.each(['/', '/operator', '/api/operator/login', '/api/messages', '/healthz'])('%s is not offered to other origins', async (path) => {
    const preflight = await rawRequest(dialogo.port, { method: 'OPTIONS', path, headers: { origin: PORTAL, ...CHROMIUM_PREFLIGHT } });
    expect(preflight.headers['access-control-allow-origin']).toBeUndefined();
    expect(preflight.status).toBeGreaterThanOrEqual(400);
    const get = await rawRequest(dialogo.port, { method: 'GET', path, headers: { origin: PORTAL } });
    expect(get.headers['access-control-allow-origin']).toBeUndefined();
  });
});

describe('CORS outside production with ALLOWED_ORIGINS unset (any origin)', () => {
  let dialogo: Dialogo;
  let dataDir: string;
  beforeAll(async () => ({ dialogo, dataDir } = await start(undefined)));
  afterAll(async () => {
    await dialogo.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  test('any origin is reflected (never *), preflight and request', async () => {
    const preflight = await rawRequest(dialogo.port, { method: 'OPTIONS', path: '/v3/directline/conversations', headers: { origin: 'http://localhost:5173', ...CHROMIUM_PREFLIGHT } });
    expect(preflight.status).toBe(204);
    expect(preflight.headers['access-control-allow-origin']).toBe('http://localhost:5173');
    const widget = await rawRequest(dialogo.port, { method: 'GET', path: '/widget.js', headers: { origin: STRANGER } });
    expect(widget.headers['access-control-allow-origin']).toBe(STRANGER);
  });
});
