import type { CoordinatorHealth } from '../../src/cluster/coordinator';
import { openRedisCoordinator } from '../../src/cluster/redis-coordinator';
import { createLogger } from '../../src/logger';
import { RedisServer, useRedis } from '../fixtures/redis-server';
import { sleep, waitFor } from './wait';

/** What only the Redis coordinator does: instances that die, leases that lapse, Redis going away and coming back. */

const logger = createLogger('silent');
const LEASE = 1000;
const { server, pair } = useRedis({ leaseMs: LEASE, prefix: 'redis' });

test('an instance that dies holding a lock frees it when its lease lapses, and its waiters follow in order', async () => {
  const [dying, survivor] = await pair();
  let started = false;
  void dying.withLock('turn:c1', () => {
    started = true;
    return new Promise<void>(() => undefined);
  });
  await waitFor(() => started);
  const order: string[] = [];
  const asked = Date.now();
  const first = survivor.withLock('turn:c1', async () => void order.push('first'));
  await sleep(30);
  const second = survivor.withLock('turn:c1', async () => void order.push('second'));
  await sleep(200);
  expect(order).toEqual([]);
  dying.abandon();
  await Promise.all([first, second]);
  const waited = Date.now() - asked;
  expect(order).toEqual(['first', 'second']);
  // The holder's lease was renewed up to its death, then lapsed: about one lease, never much more.
  expect(waited).toBeGreaterThanOrEqual(LEASE);
  expect(waited).toBeLessThan(LEASE * 2.5);
});

test('a leader that dies without resigning is replaced once its lease lapses', async () => {
  const [leader, other] = await pair();
  const election = leader.elect('timers', () => undefined);
  await waitFor(() => election.isLeader());
  const follower = other.elect('timers', () => undefined);
  await sleep(LEASE / 2);
  expect(follower.isLeader()).toBe(false);
  const died = Date.now();
  leader.abandon();
  await waitFor(() => follower.isLeader(), LEASE * 3);
  expect(Date.now() - died).toBeLessThan(LEASE * 2);
});

test('opening fails with a clear error when Redis does not answer', async () => {
  const gone = await RedisServer.start();
  const url = gone.url;
  await gone.stop();
  await expect(openRedisCoordinator(url, { logger, connectTimeoutMs: 300 })).rejects.toThrow(/Redis at redis:\/\/127\.0\.0\.1:\d+ did not answer within 300 ms/);
  const withPassword = url.replace('redis://', 'redis://dialogo:segreto@');
  await expect(openRedisCoordinator(withPassword, { logger, connectTimeoutMs: 300 })).rejects.toThrow(/^Redis at redis:\/\/\*\*\*@127\.0\.0\.1:\d+ did not answer/);
});

test('Redis down: degraded within a second, work still runs, nothing throws, nobody leads; Redis back: ok, resubscribed, a leader again', async () => {
  const [a, b] = await pair();
  const healthA: CoordinatorHealth['state'][] = [];
  a.onHealth((health) => healthA.push(health.state));
  const leading: boolean[] = [];
  const election = a.elect('timers', (leads) => leading.push(leads));
  await waitFor(() => election.isLeader());
  const received: string[] = [];
  await b.subscribe('dl:c1', (message) => received.push(message));
  await a.put('presence:giulia', 'online', 60_000);

  const killed = Date.now();
  await server().kill();
  await waitFor(() => a.health().state === 'degraded' && b.health().state === 'degraded', 3000);
  const degradedAfter = Date.now() - killed;
  expect(degradedAfter).toBeLessThan(1000);
  expect(a.health().detail).toBeTruthy();
  expect(election.isLeader()).toBe(false);
  expect(leading).toEqual([true, false]);

  // The turn runs (per-process lock, still exclusive in this process), promptly.
  const started = Date.now();
  const turns: number[] = [];
  await Promise.all([1, 2].map((n) => a.withLock('turn:c1', async () => void turns.push(n))));
  expect(turns).toEqual([1, 2]);
  expect(Date.now() - started).toBeLessThan(500);
  await expect(a.publish('dl:c1', 'lost')).resolves.toBeUndefined();
  await expect(a.put('presence:marco', 'online', 1000)).resolves.toBeUndefined();
  await expect(a.remove('presence:marco')).resolves.toBeUndefined();
  expect(await a.getMany(['presence:giulia'])).toEqual([undefined]);
  // Limits and claims fall back to this process: neither open nor shut.
  expect((await a.consume('dl-post:ip', 1, 60_000)).allowed).toBe(true);
  expect((await a.consume('dl-post:ip', 1, 60_000)).allowed).toBe(false);
  expect(await a.claimOnce('mid.1', 60_000)).toBe(true);
  expect(await a.claimOnce('mid.1', 60_000)).toBe(false);
  expect(await a.members()).toEqual([a.instanceId]);

  const restarted = Date.now();
  await server().restart();
  await waitFor(() => a.health().state === 'ok' && b.health().state === 'ok', 5000);
  const okAfter = Date.now() - restarted;
  expect(okAfter).toBeLessThan(LEASE * 2);
  expect(healthA).toEqual(['degraded', 'ok']);
  await waitFor(() => election.isLeader(), LEASE * 2);
  expect(leading).toEqual([true, false, true]);

  await a.publish('dl:c1', 'after');
  await waitFor(() => received.includes('after'));
  expect(received).toEqual(['after']);
  expect((await a.members()).sort()).toEqual([a.instanceId, b.instanceId].sort());
  await expect(b.withLock('turn:c1', async () => 'shared again')).resolves.toBe('shared again');
  // Printed for docs/cluster.md: how quickly the outage and the recovery were seen.
  process.stdout.write(`redis outage seen after ${degradedAfter} ms; recovery seen ${okAfter} ms after restart\n`);
}, 20_000);

test('a subscription made while Redis is down starts receiving once Redis is back', async () => {
  const [a, b] = await pair();
  await server().kill();
  await waitFor(() => b.health().state === 'degraded', 3000);
  const received: string[] = [];
  await b.subscribe('dl:c9', (message) => received.push(message));
  await server().restart();
  await waitFor(() => a.health().state === 'ok' && b.health().state === 'ok', 5000);
  await a.publish('dl:c9', 'hello');
  await waitFor(() => received.length === 1);
  expect(received).toEqual(['hello']);
}, 20_000);

test('a lock waiter does not stall when a release notice is lost: it looks again by itself', async () => {
  const [a, b] = await pair();
  let release!: () => void;
  const held = a.withLock('turn:c5', () => new Promise<void>((resolve) => (release = resolve)));
  await sleep(30);
  // Nobody hears the notices of this lock on b: only the poll can wake its waiter.
  const silenced = b as unknown as { locks: { notice: (name: string) => void } };
  silenced.locks.notice = () => undefined;
  const waiting = b.withLock('turn:c5', async () => Date.now());
  await sleep(30);
  const released = Date.now();
  release();
  await held;
  const ranAt = await waiting;
  expect(ranAt - released).toBeLessThan(LEASE);
});

test('a Redis that hangs (connected, silent) does not hold a turn up: commands time out and work runs', async () => {
  const [a] = await pair();
  server().pause();
  try {
    const started = Date.now();
    await expect(a.withLock('turn:c7', async () => 'ran')).resolves.toBe('ran');
    await expect(a.publish('dl:c7', 'lost')).resolves.toBeUndefined();
    expect(await a.getMany(['presence:x'])).toEqual([undefined]);
    // One command timeout (lease/3) and the per-process lock.
    expect(Date.now() - started).toBeLessThan(LEASE);
    expect(a.health()).toMatchObject({ state: 'degraded', detail: expect.stringContaining('did not answer') });
  } finally {
    server().resume();
  }
  await waitFor(() => a.health().state === 'ok', LEASE * 2);
}, 15_000);
