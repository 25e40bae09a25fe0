import { rmSync } from 'node:fs';
import http from 'node:http';
import { loadConfig } from '../../src/config';
import { startDialogo, type Dialogo } from '../../src/index';
import { createLogger } from '../../src/logger';
import { KB_DIR, tempDataDir } from '../fixtures/runtime';

const PASSWORD = 'una-password-lunga';

interface Attempt {
  readonly password?: string;
  /** The socket's own address (Linux routes all of 127.0.0.0/8 to the loopback). */
  readonly from?: string;
  readonly forwardedFor?: string;
}

/** POST /api/operator/login over a socket bound to `from`; status, Retry-After and error code. */
function login(port: number, username: string, { password = 'wrong-password-1', from = '127.0.0.1', forwardedFor }: Attempt = {}): Promise<{ status: number; retryAfter: string | undefined; code: string | undefined }> {
  const body = JSON.stringify({ username, password });
  return new Promise((resolve, reject) => {
    const request = http.request(
      {
        host: '127.0.0.1',
        port,
        localAddress: from,
        method: 'POST',
        path: '/api/operator/login',
        agent: false,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), ...(forwardedFor ? { 'x-forwarded-for': forwardedFor } : {}) },
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => {
          const json = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { error?: { code?: string } };
          const retryAfter = response.headers['retry-after'];
          resolve({ status: response.statusCode ?? 0, retryAfter: typeof retryAfter === 'string' ? retryAfter : undefined, code: json.error?.code });
        });
      },
    );
    request.on('error', reject);
    request.end(body);
  });
}

async function start(env: Record<string, string>): Promise<{ dialogo: Dialogo; dataDir: string }> {
  const dataDir = tempDataDir();
  const dialogo = await startDialogo(loadConfig({ PORT: '0', HOST: '127.0.0.1', KB_DIR, KB_WATCH: 'false', NODE_ENV: 'test', DATA_DIR: dataDir, ...env }), createLogger('silent'));
  await dialogo.operators.add('giulia', 'operator', PASSWORD, { displayName: 'Giulia B.' });
  await dialogo.operators.add('marco', 'operator', PASSWORD, { displayName: 'Marco V.' });
  return { dialogo, dataDir };
}

describe('operator sign-in limits, Dialogo facing clients directly (TRUST_PROXY_HOPS=0)', () => {
  let dialogo: Dialogo;
  let dataDir: string;
  beforeAll(async () => ({ dialogo, dataDir } = await start({ TRUST_PROXY_HOPS: '0' })));
  afterAll(async () => {
    await dialogo.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });
  afterEach(() => jest.restoreAllMocks());

  test('100 concurrent wrong passwords: only 5 reach the password check, the others get 429 with Retry-After', async () => {
    const verify = jest.spyOn(dialogo.operators, 'authenticate');
    const answers = await Promise.all(Array.from({ length: 100 }, (_, i) => login(dialogo.port, 'giulia', { from: '127.0.0.10', password: `wrong-password-${i}` })));
    expect(verify).toHaveBeenCalledTimes(5);
    expect(answers.filter((a) => a.status === 401 && a.code === 'LOGIN_FAILED')).toHaveLength(5);
    const limited = answers.filter((a) => a.status === 429);
    expect(limited).toHaveLength(95);
    expect(limited.every((a) => a.code === 'LOGIN_RATE_LIMITED' && Number(a.retryAfter) > 890 && Number(a.retryAfter) <= 900)).toBe(true);
  });

  test('an address locked out of an account does not lock the owner out at another address', async () => {
    for (let i = 0; i < 5; i += 1) expect((await login(dialogo.port, 'marco', { from: '127.0.0.20' })).status).toBe(401);
    expect((await login(dialogo.port, 'marco', { from: '127.0.0.20', password: PASSWORD })).status).toBe(429);
    expect((await login(dialogo.port, 'marco', { from: '127.0.0.21', password: PASSWORD })).status).toBe(200);
  });

  test('X-Forwarded-For written by a client is not believed: it does not change the key', async () => {
    for (let i = 0; i < 5; i += 1) expect((await login(dialogo.port, 'giulia', { from: '127.0.0.30', forwardedFor: `198.51.100.${i}` })).status).toBe(401);
    const limited = await login(dialogo.port, 'giulia', { from: '127.0.0.30', forwardedFor: '198.51.100.99', password: PASSWORD });
    expect(limited).toMatchObject({ status: 429, code: 'LOGIN_RATE_LIMITED' });
  });
});

describe('operator sign-in limits behind one trusted reverse proxy (TRUST_PROXY_HOPS=1)', () => {
  let dialogo: Dialogo;
  let dataDir: string;
  beforeAll(async () => ({ dialogo, dataDir } = await start({ TRUST_PROXY_HOPS: '1' })));
  afterAll(async () => {
    await dialogo.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  test('two clients behind the proxy are told apart by the address the proxy appended', async () => {
    // Everything arrives from the proxy's socket; the client also writes its own (ignored) entries.
    for (let i = 0; i < 5; i += 1) expect((await login(dialogo.port, 'giulia', { forwardedFor: `10.9.9.${i}, 203.0.113.7` })).status).toBe(401);
    expect((await login(dialogo.port, 'giulia', { forwardedFor: '203.0.113.7', password: PASSWORD })).status).toBe(429);
    expect((await login(dialogo.port, 'giulia', { forwardedFor: '198.51.100.1', password: PASSWORD })).status).toBe(200);
  });
});
