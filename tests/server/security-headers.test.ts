import type { AddressInfo } from 'node:net';
import { CloudAdapter } from 'botbuilder';
import { createLogger } from '../../src/logger';
import { createServer, type DialogoServer } from '../../src/server/create-server';
import { mountStaticRoutes } from '../../src/server/static-routes';
import { rawRequest } from '../fixtures/raw-http';

describe('security headers on every response', () => {
  let dialogo: DialogoServer;
  let port: number;
  beforeAll(async () => {
    dialogo = createServer({ adapter: new CloudAdapter(), botLogic: async () => undefined, readiness: () => ({ ready: true, details: {} }), logger: createLogger('silent') });
    mountStaticRoutes(dialogo.server);
    await new Promise<void>((resolve) => dialogo.server.listen(0, '127.0.0.1', () => resolve()));
    port = (dialogo.server.server.address() as AddressInfo).port;
  });
  afterAll(() => dialogo.shutdown(100));

  test.each([
    ['JSON', 'GET', '/healthz', 200],
    ['an unknown route', 'GET', '/nothing', 404],
    ['a refused body', 'POST', '/api/messages', 415],
    ['a script', 'GET', '/widget.js', 200],
    ['a method not allowed', 'DELETE', '/healthz', 405],
  ])('%s gets nosniff, no-referrer, a load-nothing CSP and DENY', async (_name, method, path, status) => {
    const response = await rawRequest(port, { method, path, headers: { 'content-type': 'text/csv' }, body: method === 'POST' ? 'a,b' : undefined });
    expect(response.status).toBe(status);
    expect(response.headers['x-content-type-options']).toBe('nosniff');
    expect(response.headers['referrer-policy']).toBe('no-referrer');
    expect(response.headers['content-security-policy']).toBe("default-src 'none'; frame-ancestors 'none'");
    expect(response.headers['x-frame-options']).toBe('DENY');
  });

  test('a handler that fails gets the catalogue body, never the error\'s message; the store being away is 503 with Retry-After', async () => {
    dialogo.server.get('/probe/fails', async () => {
      throw new Error('connect ECONNREFUSED db-internal.example:27017');
    });
    dialogo.server.get('/probe/store-away', async () => {
      throw Object.assign(new Error('Client must be connected before running operations (db-internal.example)'), { name: 'MongoNotConnectedError' });
    });
    const failed = await rawRequest(port, { method: 'GET', path: '/probe/fails' });
    expect(failed.status).toBe(500);
    expect(failed.json).toEqual({ error: { code: 'INTERNAL', message: 'Something went wrong on our side' } });
    const away = await rawRequest(port, { method: 'GET', path: '/probe/store-away' });
    expect(away.status).toBe(503);
    expect(away.headers['retry-after']).toBe('5');
    expect(away.json).toEqual({ error: { code: 'STORE_UNAVAILABLE', message: expect.any(String) } });
    expect(JSON.stringify(away.json)).not.toMatch(/db-internal/);
  });

  test('a method a route does not take gets the catalogue body, never restify\'s own', async () => {
    const response = await rawRequest(port, { method: 'DELETE', path: '/healthz' });
    expect(response.status).toBe(405);
    expect(response.json).toEqual({ error: { code: 'METHOD_NOT_ALLOWED', message: expect.any(String) } });
  });

  test.each([
    ['/', /style-src 'self' 'unsafe-inline'/],
    ['/index.html', /style-src 'self' 'unsafe-inline'/],
    ['/operator', /style-src 'self'(;|$)/],
    ['/dashboard', /style-src 'self'(;|$)/],
  ])('the page %s has its own policy: scripts from itself only, never framed', async (path, styles) => {
    const response = await rawRequest(port, { method: 'GET', path });
    const csp = String(response.headers['content-security-policy']);
    expect(csp).toMatch(styles);
    expect(csp).toMatch(/script-src 'self'(;|$)/);
    expect(csp).toMatch(/frame-ancestors 'none'/);
    expect(csp).not.toMatch(/unsafe-eval|\*/);
    expect(response.headers['x-frame-options']).toBe('DENY');
    expect(response.headers['content-security-policy']).not.toContain(',');
  });
});
