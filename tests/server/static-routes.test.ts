import { loadConfig } from '../../src/config';
import { startDialogo, type Dialogo } from '../../src/index';
import { createLogger } from '../../src/logger';
import { webChatVersion } from '../../src/server/static-routes';
import { KB_DIR, tempDataDir } from '../fixtures/runtime';

describe('portal pages and the Web Chat bundle', () => {
  let dialogo: Dialogo;
  let base: string;
  beforeAll(async () => {
    dialogo = await startDialogo(loadConfig({ PORT: '0', HOST: '127.0.0.1', KB_DIR, KB_WATCH: 'false', NODE_ENV: 'test', DATA_DIR: tempDataDir() }), createLogger('silent'));
    base = `http://127.0.0.1:${dialogo.port}`;
  });
  afterAll(() => dialogo.stop());

  it('serves the demo page in Italian, with the widget from this origin and no third-party host', async () => {
    const res = await fetch(`${base}/`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/text\/html/);
    const html = await res.text();
    expect(html).toMatch(/<html lang="it">/);
    expect(html).toContain('<script src="/widget.js"');
    expect(html).not.toMatch(/(src|href)="(https?:)?\/\//);
  });

  it('serves the widget pointing at the installed Web Chat version', async () => {
    const res = await fetch(`${base}/widget.js`);
    expect(res.status).toBe(200);
    expect(res.headers.get('access-control-allow-origin')).toBeNull(); // same origin: no CORS (tests/server/cors.test.ts)
    const js = await res.text();
    expect(js).toContain(`/webchat/${webChatVersion()}/webchat.js`);
    expect(js).not.toMatch(/cdn\.botframework|unpkg|jsdelivr/);
  });

  it('serves the Web Chat bundle from the package, gzipped and cached for a year', async () => {
    expect(webChatVersion()).toMatch(/^4\.18\./);
    const res = await fetch(`${base}/webchat/${webChatVersion()}/webchat.js`);
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(res.headers.get('content-type')).toMatch(/javascript/);
    const body = await res.text(); // fetch decodes gzip
    expect(body.length).toBeGreaterThan(1_000_000);
    expect(body).toContain('renderWebChat');
    const raw = await fetch(`${base}/webchat/webchat.js`, { headers: { 'accept-encoding': 'gzip' } });
    expect(raw.headers.get('content-encoding')).toBe('gzip');
    expect(Number(raw.headers.get('content-length'))).toBeLessThan(Buffer.byteLength(body) / 2); // fetch gunzips the body itself
    expect(await raw.text()).toBe(body);
    const head = await fetch(`${base}/webchat/webchat.js`, { method: 'HEAD' });
    expect(head.status).toBe(200);
  });
});
