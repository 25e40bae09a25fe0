import type { Coordinator } from '../../src/cluster/coordinator';
import { InProcessCoordinator, InProcessHub } from '../../src/cluster/in-process-coordinator';
import { openRedisCoordinator } from '../../src/cluster/redis-coordinator';
import { createLogger } from '../../src/logger';
import { RedisServer } from '../fixtures/redis-server';
import { sleep, waitFor } from './wait';

/**
 * What every Coordinator promises, checked on both implementations with two coordinators that
 * play two instances: on one InProcessHub, or on one Redis.
 */

const logger = createLogger('silent');
let redis: RedisServer;
let prefixes = 0;

beforeAll(async () => {
  redis = await RedisServer.start();
});

afterAll(async () => {
  await redis.stop();
});

interface Instances {
  readonly a: Coordinator;
  readonly b: Coordinator;
}

const implementations: [string, () => Promise<Instances>][] = [
  [
    'in-process',
    async () => {
      const hub = new InProcessHub();
      return { a: new InProcessCoordinator(hub), b: new InProcessCoordinator(hub) };
    },
  ],
  [
    'redis',
    async () => {
      // A prefix per test: the tests share one Redis and must not see each other's keys.
      const options = { logger, leaseMs: 1000, keyPrefix: `contract${++prefixes}:` };
      return { a: await openRedisCoordinator(redis.url, options), b: await openRedisCoordinator(redis.url, options) };
    },
  ],
];

describe.each(implementations)('%s coordinator', (_name, open) => {
  let instances: Instances;
  beforeEach(async () => {
    instances = await open();
  });
  afterEach(async () => {
    await Promise.all([instances.a.close(), instances.b.close()]);
  });

  test('a lock admits one holder at a time across instances, in the order they asked', async () => {
    const { a, b } = instances;
    const order: number[] = [];
    let inside = 0;
    let most = 0;
    let openGate!: () => void;
    const gate = new Promise<void>((resolve) => (openGate = resolve));
    const first = a.withLock('turn:c1', async () => {
      order.push(0);
      await gate;
    });
    await sleep(30);
    const waiters: Promise<void>[] = [];
    for (let i = 1; i <= 6; i++) {
      const coordinator = i % 2 === 0 ? a : b;
      waiters.push(
        coordinator.withLock('turn:c1', async () => {
          inside++;
          most = Math.max(most, inside);
          order.push(i);
          await sleep(5);
          inside--;
        }),
      );
      // Far enough apart that each has its ticket before the next asks.
      await sleep(30);
    }
    expect(order).toEqual([0]);
    openGate();
    await Promise.all([first, ...waiters]);
    expect(order).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(most).toBe(1);
  });

  test("work's exception reaches the caller and the lock is released", async () => {
    const { a, b } = instances;
    await expect(a.withLock('turn:c2', async () => Promise.reject(new Error('turn failed')))).rejects.toThrow('turn failed');
    await expect(b.withLock('turn:c2', async () => 'next')).resolves.toBe('next');
  });

  test('different locks do not wait for each other', async () => {
    const { a, b } = instances;
    let release!: () => void;
    const held = a.withLock('turn:x', () => new Promise<void>((resolve) => (release = resolve)));
    await sleep(30);
    await expect(b.withLock('turn:y', async () => 'free')).resolves.toBe('free');
    release();
    await held;
  });

  test('a message published on one instance reaches the subscribers of both, until they leave', async () => {
    const { a, b } = instances;
    const onA: string[] = [];
    const onB: string[] = [];
    const offA = await a.subscribe('dl:c1', (m) => onA.push(m));
    const offB = await b.subscribe('dl:c1', (m) => onB.push(m));
    await a.publish('dl:c1', '12');
    await waitFor(() => onA.length === 1 && onB.length === 1);
    expect([onA, onB]).toEqual([['12'], ['12']]);
    await offB();
    await b.publish('dl:c1', '13');
    await waitFor(() => onA.length === 2);
    await sleep(50);
    expect([onA, onB]).toEqual([['12', '13'], ['12']]);
    await offA();
  });

  test('exactly one of two instances leads; the other takes over when the leader resigns', async () => {
    const { a, b } = instances;
    const changes: string[] = [];
    const electionA = a.elect('timers', (leading) => changes.push(`a:${leading}`));
    await sleep(20);
    const electionB = b.elect('timers', (leading) => changes.push(`b:${leading}`));
    await waitFor(() => electionA.isLeader());
    await sleep(400);
    expect([electionA.isLeader(), electionB.isLeader()]).toEqual([true, false]);
    await electionA.resign();
    await waitFor(() => electionB.isLeader());
    expect(changes).toEqual(['a:true', 'a:false', 'b:true']);
    await electionB.resign();
  });

  test("a leader's close hands its role to the other instance", async () => {
    const { a, b } = instances;
    const electionA = a.elect('timers', () => undefined);
    await waitFor(() => electionA.isLeader());
    const electionB = b.elect('timers', () => undefined);
    await sleep(50);
    expect(electionB.isLeader()).toBe(false);
    await a.close();
    expect(electionA.isLeader()).toBe(false);
    await waitFor(() => electionB.isLeader());
  });

  test('two campaigns of one instance for one role: one leads', async () => {
    const { a } = instances;
    const first = a.elect('retention', () => undefined);
    await waitFor(() => first.isLeader());
    const second = a.elect('retention', () => undefined);
    await sleep(400);
    expect([first.isLeader(), second.isLeader()]).toEqual([true, false]);
    await first.resign();
    await waitFor(() => second.isLeader());
    await second.resign();
  });

  test('a rate limit counts the events of every instance and refuses past the limit until the oldest leaves', async () => {
    const { a, b } = instances;
    const results = [];
    for (const coordinator of [a, b, a, b]) results.push(await coordinator.consume('dl-post:1.2.3.4', 3, 10_000));
    expect(results.map((r) => r.allowed)).toEqual([true, true, true, false]);
    const refused = results[3]!;
    expect(refused.retryAfterMs).toBeGreaterThan(9_000);
    expect(refused.retryAfterMs).toBeLessThanOrEqual(10_000);
    expect((await a.consume('dl-post:5.6.7.8', 3, 10_000)).allowed).toBe(true);
  });

  test('a window slides: events older than it no longer count', async () => {
    const { a, b } = instances;
    expect((await a.consume('k', 1, 200)).allowed).toBe(true);
    const refused = await b.consume('k', 1, 200);
    expect(refused.allowed).toBe(false);
    expect(refused.retryAfterMs).toBeGreaterThanOrEqual(1);
    await sleep(refused.retryAfterMs + 20);
    expect((await b.consume('k', 1, 200)).allowed).toBe(true);
  });

  test('a claim succeeds once across instances within its time to live, and again after it', async () => {
    const { a, b } = instances;
    expect(await a.claimOnce('mid.123', 300)).toBe(true);
    expect(await b.claimOnce('mid.123', 300)).toBe(false);
    expect(await a.claimOnce('mid.123', 300)).toBe(false);
    await sleep(350);
    expect(await b.claimOnce('mid.123', 300)).toBe(true);
  });

  test('short-lived values are shared, expire after their time to live, and can be removed', async () => {
    const { a, b } = instances;
    await a.put('presence:giulia', 'online', 300);
    await a.put('presence:marco', 'away', 10_000);
    expect(await b.getMany(['presence:giulia', 'presence:nobody', 'presence:marco'])).toEqual(['online', undefined, 'away']);
    expect(await b.getMany([])).toEqual([]);
    await b.remove('presence:marco');
    await sleep(350);
    expect(await a.getMany(['presence:giulia', 'presence:marco'])).toEqual([undefined, undefined]);
  });

  test('members lists every live instance; a closed one leaves', async () => {
    const { a, b } = instances;
    expect((await a.members()).sort()).toEqual([a.instanceId, b.instanceId].sort());
    await b.close();
    expect(await a.members()).toEqual([a.instanceId]);
  });

  test('health is ok while the instances work', () => {
    expect(instances.a.health().state).toBe('ok');
    expect(Number.isNaN(Date.parse(instances.a.health().since))).toBe(false);
  });
});
