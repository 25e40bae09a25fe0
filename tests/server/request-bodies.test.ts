import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { brotliCompressSync, deflateSync, gzipSync } from 'node:zlib';
import { loadConfig } from '../../src/config';
import { startDialogo, type Dialogo } from '../../src/index';
import { createLogger } from '../../src/logger';
import { jsonDepthExceeds } from '../../src/server/body-reader';
import { rawRequest } from '../fixtures/raw-http';
import { FakeGraphApi } from '../fixtures/fake-graph-api';
import * as fb from '../fixtures/messenger-payloads';
import { KB_DIR, tempDataDir } from '../fixtures/runtime';
import { createHmac } from 'node:crypto';

function activity(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    type: 'message',
    text: 'quanto costa la carta d’identità?',
    channelId: 'test',
    from: { id: 'citizen-1' },
    recipient: { id: 'dialogo' },
    conversation: { id: 'bodies-1' },
    serviceUrl: 'http://127.0.0.1:9',
    deliveryMode: 'expectReplies',
    ...extra,
  };
}

function nested(depth: number): unknown {
  let value: unknown = 'fondo';
  for (let i = 0; i < depth; i += 1) value = i % 2 === 0 ? { a: value } : [value];
  return value;
}

const JSON_ROUTES = ['/api/messages', '/v3/directline/tokens/generate', '/v3/directline/conversations', '/api/operator/login', '/api/analytics/gaps/draft'];

describe('request bodies at the edge', () => {
  let dialogo: Dialogo;
  let dataDir: string;
  let uploadDir: string;
  const previousTmp = process.env.TMPDIR;

  beforeAll(async () => {
    // Anything a body parser would spill to the temp folder lands here, where the test can see it.
    uploadDir = mkdtempSync(path.join(os.tmpdir(), 'dialogo-uploads-'));
    process.env.TMPDIR = uploadDir;
    dataDir = tempDataDir();
    dialogo = await startDialogo(loadConfig({ PORT: '0', HOST: '127.0.0.1', KB_DIR, KB_WATCH: 'false', NODE_ENV: 'test', DATA_DIR: dataDir }), createLogger('silent'));
  });
  afterAll(async () => {
    await dialogo.stop();
    if (previousTmp === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = previousTmp;
    rmSync(uploadDir, { recursive: true, force: true });
    rmSync(dataDir, { recursive: true, force: true });
  });

  const healthy = async () => expect((await rawRequest(dialogo.port, { method: 'GET', path: '/healthz' })).status).toBe(200);

  test.each([
    ['gzip', 'gzip', Buffer.from('abcd')],
    ['gzip, valid', 'gzip', gzipSync(JSON.stringify(activity()))],
    ['deflate', 'deflate', deflateSync(JSON.stringify(activity()))],
    ['br', 'br', brotliCompressSync(JSON.stringify(activity()))],
    ['x-gzip, garbage', 'x-gzip', Buffer.from('not gzip at all')],
  ])('a %s body is refused with 415 before it is decoded, and the process lives on', async (_name, encoding, body) => {
    for (const route of [...JSON_ROUTES, '/', '/healthz']) {
      const response = await rawRequest(dialogo.port, { path: route, headers: { 'content-type': 'application/json', 'content-encoding': encoding }, body });
      if (route === '/' || route === '/healthz') {
        expect(response.status).toBe(405); // no POST route there; the body is never read
      } else {
        expect({ route, status: response.status, code: response.json?.error?.code }).toEqual({ route, status: 415, code: 'UNSUPPORTED_CONTENT_ENCODING' });
        expect(response.headers['accept-encoding']).toBe('identity');
      }
    }
    await healthy();
  });

  test('a GET with a bad gzip body is answered and does not end the process', async () => {
    const response = await rawRequest(dialogo.port, { method: 'GET', path: '/', headers: { 'content-type': 'application/json', 'content-encoding': 'gzip', 'content-length': '4' }, body: 'abcd' });
    expect(response.status).toBe(200);
    await healthy();
  });

  test('a 249 KB gzip body that would inflate to 250 MB is refused without inflating it', async () => {
    const bomb = gzipSync(Buffer.alloc(250 * 1024 * 1024, 0x20), { level: 9 });
    expect(bomb.length).toBeLessThan(256 * 1024);
    const heapBefore = process.memoryUsage().rss;
    const response = await rawRequest(dialogo.port, { path: '/api/messages', headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' }, body: bomb });
    expect(response.status).toBe(415);
    expect(process.memoryUsage().rss - heapBefore).toBeLessThan(100 * 1024 * 1024);
  });

  test('multipart/form-data is refused with 415 on every JSON route and nothing is written to the temp folder', async () => {
    const boundary = '----dialogo';
    const body = [`--${boundary}`, 'Content-Disposition: form-data; name="file"; filename="a.txt"', 'Content-Type: text/plain', '', 'x'.repeat(100_000), `--${boundary}--`, ''].join('\r\n');
    for (const route of JSON_ROUTES) {
      const response = await rawRequest(dialogo.port, { path: route, headers: { 'content-type': `multipart/form-data; boundary=${boundary}` }, body });
      expect({ route, status: response.status, code: response.json?.error?.code }).toEqual({ route, status: 415, code: 'UNSUPPORTED_MEDIA_TYPE' });
    }
    expect(readdirSync(uploadDir)).toEqual([]);
  });

  test.each([
    ['text/csv', 'type,text\nmessage,ciao\n'],
    ['text/tsv', 'type\ttext\nmessage\tciao\n'],
    ['text/tab-separated-values', 'type\ttext\nmessage\tciao\n'],
    ['application/x-www-form-urlencoded', 'type=message&text=ciao'],
    ['text/plain', '{"type":"message"}'],
  ])('a %s body gets 415 with the catalogue body on every JSON route', async (type, body) => {
    for (const route of JSON_ROUTES) {
      const response = await rawRequest(dialogo.port, { path: route, headers: { 'content-type': type }, body });
      expect({ route, status: response.status, code: response.json?.error?.code }).toEqual({ route, status: 415, code: 'UNSUPPORTED_MEDIA_TYPE' });
    }
  });

  test('JSON nested deeper than 32 levels gets 400 JSON_TOO_DEEP on every JSON route; 30 levels inside an activity is fine', async () => {
    for (const route of JSON_ROUTES) {
      const response = await rawRequest(dialogo.port, { path: route, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ user: nested(40) }) });
      expect({ route, status: response.status, code: response.json?.error?.code }).toEqual({ route, status: 400, code: 'JSON_TOO_DEEP' });
      expect(response.text).not.toMatch(/stack|Maximum call|at .*\.(js|ts):\d+/);
    }
    const deepButAllowed = await rawRequest(dialogo.port, { path: '/api/messages', headers: { 'content-type': 'application/json' }, body: JSON.stringify(activity({ channelData: nested(30) })) });
    expect(deepButAllowed.status).toBe(200);
    const hundredThousand = await rawRequest(dialogo.port, { path: '/api/messages', headers: { 'content-type': 'application/json' }, body: '['.repeat(100_000) + ']'.repeat(100_000) });
    expect(hundredThousand.status).toBe(400);
  });

  test('a body over 256 KB gets 413, with or without a Content-Length, and the server keeps serving', async () => {
    const big = JSON.stringify(activity({ text: 'a'.repeat(300 * 1024) }));
    const declared = await rawRequest(dialogo.port, { path: '/api/messages', headers: { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(big)) }, body: big });
    expect(declared.status).toBe(413);
    expect(declared.json.error.code).toBe('BODY_TOO_LARGE');
    const chunked = await rawRequest(dialogo.port, { path: '/api/messages', headers: { 'content-type': 'application/json', 'transfer-encoding': 'chunked' }, body: big });
    expect(chunked.status).toBe(413);
    await healthy();
  });

  test('bytes that are not UTF-8 get 400 NOT_JSON', async () => {
    const response = await rawRequest(dialogo.port, { path: '/api/messages', headers: { 'content-type': 'application/json' }, body: Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x7d]) });
    expect(response.status).toBe(400);
    expect(response.json.error.code).toBe('NOT_JSON');
  });

  test('a JSON body announced in a charset other than UTF-8 gets 415, not a misreading', async () => {
    for (const type of ['application/json; charset=utf-16', 'application/json; charset=iso-8859-1', 'application/json;charset=latin1']) {
      const response = await rawRequest(dialogo.port, { path: '/api/messages', headers: { 'content-type': type }, body: JSON.stringify(activity({ conversation: { id: 'bodies-charset' } })) });
      expect([type, response.status, response.json.error.code]).toEqual([type, 415, 'UNSUPPORTED_MEDIA_TYPE']);
    }
  });

  test('a JSON content type with a charset, or a +json type, is read', async () => {
    for (const type of ['application/json; charset=utf-8', 'application/json; charset="UTF-8"', 'application/activity+json']) {
      const response = await rawRequest(dialogo.port, { path: '/api/messages', headers: { 'content-type': type }, body: JSON.stringify(activity({ conversation: { id: `bodies-${type.length}` } })) });
      expect(response.status).toBe(200);
    }
  });
});

describe('the signed Messenger webhook reads its own raw body', () => {
  let graph: FakeGraphApi;
  let dialogo: Dialogo;
  let dataDir: string;
  const sign = (raw: Buffer) => `sha256=${createHmac('sha256', fb.APP_SECRET).update(raw).digest('hex')}`;

  beforeAll(async () => {
    graph = await FakeGraphApi.start();
    dataDir = tempDataDir();
    dialogo = await startDialogo(
      loadConfig({
        PORT: '0', HOST: '127.0.0.1', KB_DIR, KB_WATCH: 'false', NODE_ENV: 'test', DATA_DIR: dataDir,
        MESSENGER_APP_SECRET: fb.APP_SECRET, MESSENGER_VERIFY_TOKEN: fb.VERIFY_TOKEN, MESSENGER_PAGE_ACCESS_TOKEN: fb.PAGE_TOKEN, MESSENGER_GRAPH_URL: graph.url, MESSENGER_PAGE_ID: fb.PAGE_ID,
      }),
      createLogger('silent'),
    );
  });
  afterAll(async () => {
    await dialogo.stop();
    await graph.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  test('its exact bytes (odd spacing, escaped unicode) still verify against the signature', async () => {
    const raw = Buffer.from(`{ "object":"page",\n  "entry": [ ] , "x":"\\u00e8 è" }`);
    const response = await rawRequest(dialogo.port, { path: '/api/messenger', headers: { 'content-type': 'application/json', 'x-hub-signature-256': sign(raw) }, body: raw });
    expect(response.status).toBe(200);
  });

  test('a signed gzip body gets 415 and the process lives on', async () => {
    const raw = Buffer.from('abcd');
    const response = await rawRequest(dialogo.port, { path: '/api/messenger', headers: { 'content-type': 'application/json', 'content-encoding': 'gzip', 'x-hub-signature-256': sign(raw) }, body: raw });
    expect(response.status).toBe(415);
    expect(response.json.error.code).toBe('UNSUPPORTED_CONTENT_ENCODING');
    expect((await rawRequest(dialogo.port, { method: 'GET', path: '/healthz' })).status).toBe(200);
  });
});

describe('jsonDepthExceeds', () => {
  test.each([
    ['{}', 1, false],
    ['{"a":{}}', 1, true],
    ['[[["x"]]]', 3, false],
    ['[[["x"]]]', 2, true],
    ['{"a":"[[[[[[[["}', 1, false],
    ['{"a":"\\"[[[["}', 1, false],
    ['"\\\\"[[', 1, true],
  ])('%s at most %i deep: %s', (text, max, expected) => {
    expect(jsonDepthExceeds(text, max)).toBe(expected);
  });
});
