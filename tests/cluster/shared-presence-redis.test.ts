import { openRedisCoordinator, type RedisCoordinator } from '../../src/cluster/redis-coordinator';
import { SharedCitizenPresence } from '../../src/cluster/shared-citizen-presence';
import { SharedOperatorPresence } from '../../src/cluster/shared-operator-presence';
import { createLogger } from '../../src/logger';
import { RedisServer } from '../fixtures/redis-server';
import { sleep, waitFor } from './wait';

/**
 * The shared presences on the Redis coordinator (a private redis-server), real time with short
 * delays: what the in-process hub tests show, checked on the implementation cluster mode runs,
 * including an outage (Redis killed, then back).
 */

const logger = createLogger('silent');
const LEASE_MS = 600;
const HEARTBEAT_MS = 100;
const AWAY_MS = 1_000;
const TIMEOUT_MS = 1_000;
const giulia = { name: 'giulia', role: 'operator' as const, maxConcurrent: 3 };
let redis: RedisServer;
let prefixes = 0;
const coordinators: RedisCoordinator[] = [];
const operators: SharedOperatorPresence[] = [];
const citizens: SharedCitizenPresence[] = [];

beforeAll(async () => {
  redis = await RedisServer.start();
});

afterEach(async () => {
  for (const presence of operators.splice(0)) await presence.close();
  for (const presence of citizens.splice(0)) presence.stop();
  await Promise.all(coordinators.splice(0).map((c) => c.close()));
});

afterAll(async () => {
  await redis.stop();
});

async function instances(count: number): Promise<{ coordinator: RedisCoordinator; operators: SharedOperatorPresence; citizens: SharedCitizenPresence }[]> {
  const keyPrefix = `presence${++prefixes}:`;
  const made = [];
  for (let i = 0; i < count; i += 1) {
    const coordinator = await openRedisCoordinator(redis.url, { logger, leaseMs: LEASE_MS, keyPrefix });
    const operatorPresence = new SharedOperatorPresence({ coordinator, awayAfterMs: AWAY_MS, heartbeatMs: HEARTBEAT_MS });
    await operatorPresence.start();
    const citizenPresence = new SharedCitizenPresence({ coordinator, timeoutMs: TIMEOUT_MS });
    citizenPresence.start();
    coordinators.push(coordinator);
    operators.push(operatorPresence);
    citizens.push(citizenPresence);
    made.push({ coordinator, operators: operatorPresence, citizens: citizenPresence });
  }
  return made;
}

test('a console on A is seen on B, a choice on B applies on A, and the operator is away everywhere after the delay, not before', async () => {
  const [a, b] = await instances(2);
  if (!a || !b) throw new Error('two instances expected');
  a.operators.connected(giulia);
  await waitFor(() => b.operators.available().length === 1, HEARTBEAT_MS * 3, 'B to see the console on A');
  b.operators.choose('giulia', 'busy');
  await waitFor(() => a.operators.get('giulia').status === 'busy', HEARTBEAT_MS * 3, 'A to apply the choice made on B');
  const closed = Date.now();
  a.operators.disconnected('giulia');
  await waitFor(() => b.operators.get('giulia').status === 'away', AWAY_MS * 3, 'B to see the operator away');
  expect(Date.now() - closed).toBeGreaterThanOrEqual(AWAY_MS - 50);
}, 15_000);

test('a stream on A keeps the citizen present on C past twice the timeout; closed, away after the timeout', async () => {
  const [a, , c] = await instances(3);
  if (!a || !c) throw new Error('three instances expected');
  a.citizens.streamOpened('conv1');
  const until = Date.now() + 3 * TIMEOUT_MS;
  while (Date.now() < until) {
    await c.citizens.refresh(['conv1']);
    expect(c.citizens.statusOf('conv1').present).toBe(true);
    await sleep(50);
  }
  a.citizens.streamClosed('conv1');
  const closed = Date.now();
  await sleep(TIMEOUT_MS / 2);
  await c.citizens.refresh(['conv1']);
  expect(c.citizens.statusOf('conv1').present).toBe(true);
  await sleep(TIMEOUT_MS);
  await c.citizens.refresh(['conv1']);
  const status = c.citizens.statusOf('conv1');
  expect(status.present).toBe(false);
  expect(status.silentMs).toBeGreaterThanOrEqual(Date.now() - closed - 1_000);
}, 15_000);

test('while Redis is down nobody is made away: the operator on A stays available on B, the citizen stays present (unknown) on B', async () => {
  const [a, b] = await instances(2);
  if (!a || !b) throw new Error('two instances expected');
  a.operators.connected(giulia);
  a.citizens.streamOpened('conv1');
  await waitFor(() => b.operators.available().length === 1, HEARTBEAT_MS * 3, 'B to see the console on A');
  await redis.kill();
  try {
    await waitFor(() => b.coordinator.health().state === 'degraded', 3_000, 'B degraded');
    await sleep(AWAY_MS + 3 * TIMEOUT_MS);
    await b.citizens.refresh(['conv1']);
    expect(b.citizens.statusOf('conv1')).toEqual({ present: true, lastSeenAt: null, silentMs: 0 });
    expect(b.operators.get('giulia').status).toBe('available');
  } finally {
    await redis.restart();
  }
  await waitFor(() => b.coordinator.health().state === 'ok' && a.coordinator.health().state === 'ok', 5_000, 'both healthy again');
  await b.citizens.refresh(['conv1']);
  await waitFor(() => b.citizens.statusOf('conv1').lastSeenAt !== null, 3_000, 'a known last-seen again');
  expect(b.citizens.statusOf('conv1').present).toBe(true);
  a.operators.disconnected('giulia', true);
  await waitFor(() => b.operators.get('giulia').status === 'away', HEARTBEAT_MS * 5, 'the sign-out on A to reach B');
}, 20_000);
