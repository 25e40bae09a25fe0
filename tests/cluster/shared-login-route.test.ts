import { EventEmitter } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { CloudAdapter } from 'botbuilder';
import type { KnowledgeRuntime } from '../../src/bot/runtime';
import { openRedisCoordinator, type RedisCoordinator } from '../../src/cluster/redis-coordinator';
import { SharedLoginRateLimiter } from '../../src/cluster/shared-login-rate-limiter';
import type { HandoffService } from '../../src/handoff/handoff-service';
import type { WrittenRequests } from '../../src/handoff/written-requests';
import { createLogger } from '../../src/logger';
import type { OperatorAccounts, OperatorView } from '../../src/operators/operator-accounts';
import { mountOperatorApi } from '../../src/operators/operator-routes';
import type { OperatorTokens } from '../../src/operators/operator-tokens';
import type { WorkspaceStores } from '../../src/operators/workspace-routes';
import { createServer, type DialogoServer } from '../../src/server/create-server';
import { RedisServer } from '../fixtures/redis-server';

/** The sign-in route on two instances sharing one limiter in Redis, with only what sign-in uses behind it. */

const logger = createLogger('silent');
const giulia = { name: 'giulia', role: 'operator', maxConcurrent: 3 } as unknown as OperatorView;
let redis: RedisServer;
const coordinators: RedisCoordinator[] = [];
const servers: DialogoServer[] = [];
const consoles: { shutdown(): Promise<void> }[] = [];

async function instance(): Promise<number> {
  const coordinator = await openRedisCoordinator(redis.url, { logger, leaseMs: 1000, keyPrefix: 'route:' });
  coordinators.push(coordinator);
  const dialogo = createServer({ adapter: new CloudAdapter(), botLogic: async () => undefined, readiness: () => ({ ready: true, details: {} }), logger });
  servers.push(dialogo);
  consoles.push(
    mountOperatorApi(dialogo.server, {
      handoff: new EventEmitter() as unknown as HandoffService,
      accounts: { authenticate: async (_name: string, password: string) => (password === 'la-password-giusta' ? giulia : undefined) } as unknown as OperatorAccounts,
      tokens: { issue: () => 'console-token' } as unknown as OperatorTokens,
      limiter: new SharedLoginRateLimiter(coordinator, { logger, maxPerAccountAddress: 2 }),
      trustProxyHops: 0,
      runtime: () => ({}) as KnowledgeRuntime,
      logger,
      workspace: {} as WorkspaceStores,
      requests: new EventEmitter() as unknown as WrittenRequests,
    }),
  );
  await new Promise<void>((resolve) => dialogo.server.listen(0, '127.0.0.1', resolve));
  return (dialogo.server.address() as AddressInfo).port;
}

function login(port: number, password: string, from: string): Promise<{ status: number; retryAfter: string | undefined }> {
  const body = JSON.stringify({ username: 'giulia', password });
  return new Promise((resolve, reject) => {
    const request = http.request(
      { host: '127.0.0.1', port, localAddress: from, method: 'POST', path: '/api/operator/login', agent: false, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } },
      (response) => {
        response.resume();
        response.on('end', () => {
          const retryAfter = response.headers['retry-after'];
          resolve({ status: response.statusCode ?? 0, retryAfter: typeof retryAfter === 'string' ? retryAfter : undefined });
        });
      },
    );
    request.on('error', reject);
    request.end(body);
  });
}

beforeAll(async () => {
  redis = await RedisServer.start();
});

afterAll(async () => {
  await Promise.all(consoles.map((c) => c.shutdown()));
  await Promise.all(servers.map((s) => s.shutdown(0)));
  await Promise.all(coordinators.map((c) => c.close()));
  await redis.stop();
});

test('failed sign-ins on one instance count on the other: the route awaits the shared limiter', async () => {
  const [first, second] = [await instance(), await instance()];
  expect((await login(first, 'sbagliata-1', '127.0.0.2')).status).toBe(401);
  expect((await login(second, 'sbagliata-2', '127.0.0.2')).status).toBe(401);
  const refused = await login(first, 'la-password-giusta', '127.0.0.2');
  expect(refused.status).toBe(429);
  expect(Number(refused.retryAfter)).toBeGreaterThan(800);
  expect((await login(second, 'la-password-giusta', '127.0.0.3')).status).toBe(200);
});
