import net from 'node:net';
import { CloudAdapter } from 'botbuilder';
import { WebSocket, WebSocketServer } from 'ws';
import { createLogger } from '../../src/logger';
import { createServer, DEFAULT_TIMEOUTS, type DialogoServer } from '../../src/server/create-server';
import { upgradeDispatcher } from '../../src/server/upgrade-dispatcher';

const TIMEOUTS = { headersMs: 600, requestMs: 1200, keepAliveMs: 400 };

/** Opens a raw TCP connection, writes `send`, and resolves with what came back and when the server closed it. */
function rawConnection(port: number, send: (socket: net.Socket) => void, giveUpMs = 5000): Promise<{ closedAfterMs: number | undefined; received: string }> {
  return new Promise((resolve) => {
    const started = Date.now();
    const socket = net.connect(port, '127.0.0.1');
    let received = '';
    const giveUp = setTimeout(() => {
      socket.destroy();
      resolve({ closedAfterMs: undefined, received });
    }, giveUpMs);
    socket.on('connect', () => send(socket));
    socket.on('data', (chunk) => (received += chunk.toString('utf8')));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearTimeout(giveUp);
      resolve({ closedAfterMs: Date.now() - started, received });
    });
  });
}

describe('connections at the edge', () => {
  let dialogo: DialogoServer;
  let port: number;
  const wss = new WebSocketServer({ noServer: true });
  const timers: NodeJS.Timeout[] = [];

  beforeAll(async () => {
    dialogo = createServer({
      adapter: new CloudAdapter(),
      botLogic: async () => undefined,
      readiness: () => ({ ready: true, details: {} }),
      logger: createLogger('silent'),
      timeouts: TIMEOUTS,
    });
    upgradeDispatcher(dialogo.server.server).register((path) => path === '/echo', (req, socket, head) => {
      wss.handleUpgrade(req, socket, head, (ws) => ws.on('message', (data) => ws.send(data)));
    });
    await new Promise<void>((resolve) => dialogo.server.listen(0, '127.0.0.1', () => resolve()));
    port = (dialogo.server.server.address() as net.AddressInfo).port;
  });
  afterAll(async () => {
    timers.forEach(clearInterval);
    for (const ws of wss.clients) ws.terminate();
    wss.close();
    await dialogo.shutdown(100);
  });

  test('a connection that sends nothing is answered 408 and closed once the headers time is up', async () => {
    const { closedAfterMs, received } = await rawConnection(port, () => undefined);
    expect(closedAfterMs).toBeDefined();
    expect(closedAfterMs).toBeGreaterThanOrEqual(TIMEOUTS.headersMs - 50);
    expect(closedAfterMs).toBeLessThan(TIMEOUTS.headersMs + 1500);
    expect(received).toMatch(/^HTTP\/1\.1 408/);
  });

  test('headers sent a line at a time, never finished, are cut off at the headers time', async () => {
    const { closedAfterMs } = await rawConnection(port, (socket) => {
      socket.write('GET /healthz HTTP/1.1\r\nHost: x\r\n');
      timers.push(setInterval(() => socket.writable && socket.write('X-Slow: 1\r\n'), 100));
    });
    expect(closedAfterMs).toBeDefined();
    expect(closedAfterMs).toBeLessThan(TIMEOUTS.headersMs + 1500);
  });

  test('a body sent a byte at a time is cut off at the request time', async () => {
    const { closedAfterMs } = await rawConnection(port, (socket) => {
      socket.write('POST /api/messages HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{');
      timers.push(setInterval(() => socket.writable && socket.write(' '), 100));
    });
    expect(closedAfterMs).toBeDefined();
    expect(closedAfterMs).toBeLessThan(TIMEOUTS.requestMs + 1500);
  });

  test('an idle keep-alive connection is closed after the keep-alive time', async () => {
    const { closedAfterMs, received } = await rawConnection(port, (socket) => socket.write('GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n'));
    expect(received).toMatch(/^HTTP\/1\.1 200/);
    expect(closedAfterMs).toBeDefined();
    expect(closedAfterMs).toBeLessThan(TIMEOUTS.keepAliveMs + 1500);
  });

  test.each([
    ['an unknown path', '/nothing-here', 'websocket', 404, 'NOT_FOUND'],
    ['the root', '/', 'websocket', 404, 'NOT_FOUND'],
    ['another protocol', '/echo', 'h2c', 400, 'INVALID_REQUEST'],
  ])('a WebSocket upgrade on %s is refused and the socket closed at once', async (_name, path, protocol, status, code) => {
    const { closedAfterMs, received } = await rawConnection(port, (socket) =>
      socket.write(`GET ${path} HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: ${protocol}\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n`),
    );
    expect(received.split('\r\n')[0]).toBe(`HTTP/1.1 ${status} ${code}`);
    expect(JSON.parse(received.slice(received.indexOf('\r\n\r\n') + 4)).error.code).toBe(code);
    expect(closedAfterMs).toBeDefined();
    expect(closedAfterMs).toBeLessThan(500);
  });

  test('a WebSocket on a registered path outlives every HTTP timeout', async () => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/echo`);
    await new Promise((resolve, reject) => {
      ws.once('open', resolve);
      ws.once('error', reject);
    });
    await new Promise((resolve) => setTimeout(resolve, TIMEOUTS.requestMs + TIMEOUTS.headersMs + 500));
    expect(ws.readyState).toBe(WebSocket.OPEN);
    const echoed = new Promise<string>((resolve) => ws.once('message', (data) => resolve(String(data))));
    ws.send('ancora qui');
    await expect(echoed).resolves.toBe('ancora qui');
    ws.close();
  });

  test('an unregistered path stops being served once its endpoint unregisters', async () => {
    const unregister = upgradeDispatcher(dialogo.server.server).register((path) => path === '/temporary', (req, socket, head) => wss.handleUpgrade(req, socket, head, () => undefined));
    unregister();
    const { received } = await rawConnection(port, (socket) =>
      socket.write('GET /temporary HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n'),
    );
    expect(received).toMatch(/^HTTP\/1\.1 404/);
  });
});

test('the server applies the default timeouts when none are given', () => {
  const { server } = createServer({ adapter: new CloudAdapter(), botLogic: async () => undefined, readiness: () => ({ ready: true, details: {} }), logger: createLogger('silent') });
  expect(server.server.headersTimeout).toBe(DEFAULT_TIMEOUTS.headersMs);
  expect(server.server.requestTimeout).toBe(DEFAULT_TIMEOUTS.requestMs);
  expect(server.server.keepAliveTimeout).toBe(DEFAULT_TIMEOUTS.keepAliveMs);
  expect(DEFAULT_TIMEOUTS.headersMs).toBeLessThanOrEqual(10_000);
});
