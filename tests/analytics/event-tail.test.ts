import { AnalyticsAggregator } from '../../src/analytics/aggregator';
import { EventTail } from '../../src/analytics/event-tail';
import type { InteractionEvent } from '../../src/storage/interaction-event';
import type { InteractionEventStore, RollupBatch, RollupStore, StorageBackend } from '../../src/storage/ports';
import { openSqliteBackend } from '../../src/storage/sqlite/sqlite-backend';
import { adapters } from '../storage/adapters';
import { citizen } from './kpi-fixtures';
import { seededRandom } from '../../src/seeded-random';
import { Clock, citizens, conversations, figures, finish, type Instance, reference, runTwoInstances, tail } from './cluster-fixtures';

describe.each(adapters)('event tail (cluster analytics): %s', (_name, open) => {
  let backend: StorageBackend;
  let cleanup: () => Promise<void>;
  beforeEach(async () => {
    ({ backend, cleanup } = await open());
  });
  afterEach(async () => {
    await backend.close();
    await cleanup();
  });

  test.each([11, 29, 47])('two instances, one tail: the figures of one instance (seed %i)', async (seed) => {
    const events = citizens(seed, 12);
    const clock = new Clock();
    const leader = tail(backend, clock);
    await leader.lead();
    const random = seededRandom(seed + 1);
    await runTwoInstances(events, backend.events, clock, async () => {
      if (random() < 0.4) await leader.catchUp();
    });
    const end = await finish(clock, leader, events);
    await leader.stepDown();
    const expected = await reference(backend.events, end);
    expect(conversations(expected.rows)).toBeGreaterThan(12);
    expect(await figures(backend)).toEqual(expected);
  });

  test('per-process aggregation, as it was, counts a conversation split over two instances twice', async () => {
    const events = citizens(11, 12);
    const clock = new Clock();
    const own = [new AnalyticsAggregator(backend.rollups), new AnalyticsAggregator(backend.rollups)];
    for (const aggregator of own) await aggregator.start();
    const turns = new Map<string, number>();
    for (const event of events) {
      const turn = turns.get(event.conversationId) ?? 0;
      turns.set(event.conversationId, turn + 1);
      own[turn % 2]?.observe(event);
    }
    await backend.events.append(events);
    clock.ms += 3 * 3600 * 1000;
    for (const aggregator of own) {
      aggregator.sweep(clock.now());
      await aggregator.stop();
    }
    const expected = await reference(backend.events, clock.now());
    expect(conversations((await figures(backend)).rows)).toBeGreaterThan(conversations(expected.rows));
  });

  test('leaders change mid-stream, one even while reading: nothing counted twice, nothing missed', async () => {
    const events = citizens(5, 12);
    const clock = new Clock();
    // Tail A reads through a store that lets the test step A down in the middle of a read.
    let duringRead: (() => void) | undefined;
    const interrupting: InteractionEventStore = Object.create(backend.events, {
      storedSince: {
        value: async (from: Date, limit: number) => {
          const page = await backend.events.storedSince(from, limit);
          duringRead?.();
          duringRead = undefined;
          return page;
        },
      },
    }) as InteractionEventStore;
    const a = new EventTail(interrupting, backend.rollups, { flushIntervalMs: 3_600_000, overlapMs: 20, pageSize: 7, now: clock.now });
    const b = tail(backend, clock);
    await a.lead();
    let leader: EventTail = a;
    const random = seededRandom(6);
    let changes = 0;
    await runTwoInstances(events, backend.events, clock, async (index) => {
      if (random() < 0.5) await leader.catchUp();
      if (index % 15 !== 14) return;
      const next = leader === a ? b : a;
      if (leader === a) {
        // A loses its lease while it reads: what it read is not written.
        duringRead = () => void a.stepDown();
        await a.catchUp();
      }
      await leader.stepDown();
      await next.lead();
      leader = next;
      changes += 1;
    });
    const end = await finish(clock, leader, events);
    await leader.stepDown();
    expect(changes).toBeGreaterThanOrEqual(4);
    expect(await figures(backend)).toEqual(await reference(backend.events, end));
  });

  test.each([23, 41, 59, 73])('events an instance held through an outage are counted when it stores them, long after the overlap (seed %i)', async (seed) => {
    const events = citizens(seed, 10);
    const clock = new Clock();
    const leader = tail(backend, clock);
    await leader.lead();
    let cutAt: number | undefined;
    let held = 0;
    await runTwoInstances(events, backend.events, clock, async (index, instances) => {
      const second = instances[1] as Instance;
      if (index === 20) {
        second.offline = true;
        cutAt = clock.ms;
      }
      await leader.catchUp();
      // Back after 5 minutes of turns (and more than the overlap of real time): the held events are old.
      if (second.offline && cutAt !== undefined && clock.ms - cutAt > 5 * 60 * 1000 && second.buffer.length > 0) {
        await new Promise((resolve) => setTimeout(resolve, 50));
        held = second.buffer.length;
        second.offline = false;
        await backend.events.append(second.buffer.splice(0));
      }
    });
    expect(held).toBeGreaterThan(0);
    const end = await finish(clock, leader, events);
    await leader.stepDown();
    // The tail read the citizens' later turns (from the other instance) before the held ones:
    // the conversations still get the outcome, topic and language the rebuild gives them.
    expect(await figures(backend)).toEqual(await reference(backend.events, end));
  });

  test.each([23, 41, 59])('a store outage: the instances\' buffers written one after the other, the tail reading between them (seed %i)', async (seed) => {
    const events = citizens(seed, 10);
    const clock = new Clock();
    let down = false;
    const outage: InteractionEventStore = Object.create(backend.events, {
      storedSince: {
        value: async (from: Date, limit: number) => {
          if (down) throw new Error('connection refused');
          return backend.events.storedSince(from, limit);
        },
      },
    }) as InteractionEventStore;
    const leader = new EventTail(outage, backend.rollups, { flushIntervalMs: 3_600_000, overlapMs: 20, pageSize: 7, now: clock.now });
    await leader.lead();
    let cutAt: number | undefined;
    let failedReads = 0;
    const backlog: number[] = [];
    await runTwoInstances(events, backend.events, clock, async (index, instances) => {
      if (index === 15) {
        down = true;
        cutAt = clock.ms;
        for (const instance of instances) instance.offline = true;
      }
      await leader.catchUp().catch(() => (failedReads += 1));
      if (!down || cutAt === undefined || clock.ms - cutAt < 20 * 60 * 1000) return;
      down = false;
      // The store is back: each instance writes what it held, at its own moment; the tail reads in between.
      for (const instance of instances) {
        instance.offline = false;
        backlog.push(instance.buffer.length);
        await backend.events.append(instance.buffer.splice(0));
        await leader.catchUp();
      }
    });
    expect(failedReads).toBeGreaterThan(0);
    expect(backlog).toHaveLength(2);
    for (const held of backlog) expect(held).toBeGreaterThan(0);
    const end = await finish(clock, leader, events);
    await leader.stepDown();
    expect(await figures(backend)).toEqual(await reference(backend.events, end));
  });

  test('after a long store outage no conversation ends between one instance\'s buffer and the next one\'s', async () => {
    const clock = new Clock();
    const leader = tail(backend, clock);
    await leader.lead();
    // X asks on instance A at 10:00 (read before the outage) and rates on B at 10:20; Y asks on A at 10:05.
    const [asked, rated] = citizen('X', '2026-04-01T10:00:00Z').turn(0, 'answered').turn(20 * 60, 'none', { feedback: 'up', text: null }).events;
    const [other] = citizen('Y', '2026-04-01T10:05:00Z').turn(0, 'answered').events;
    clock.ms = Date.parse('2026-04-01T10:01:00Z');
    await backend.events.append([asked as InteractionEvent]);
    await leader.catchUp();
    // The store is back at 10:40: A writes what it held, the tail reads, then B writes.
    clock.ms = Date.parse('2026-04-01T10:40:00Z');
    await backend.events.append([other as InteractionEvent]);
    await leader.catchUp();
    await backend.events.append([rated as InteractionEvent]);
    await leader.catchUp();
    const end = await finish(clock, leader, [asked, rated, other] as InteractionEvent[]);
    const expected = await reference(backend.events, end);
    expect(conversations(expected.rows)).toBe(2);
    expect(await figures(backend)).toEqual(expected);
  });

  test('reads and writes failing half-way through a backlog: nothing counted twice, nothing missed', async () => {
    const events = citizens(17, 6);
    const clock = new Clock();
    const random = seededRandom(18);
    const flakyEvents: InteractionEventStore = Object.create(backend.events, {
      storedSince: {
        value: async (from: Date, limit: number) => {
          if (random() < 0.3) throw new Error('read timed out');
          return backend.events.storedSince(from, limit);
        },
      },
    }) as InteractionEventStore;
    const flakyRollups: RollupStore = Object.create(backend.rollups, {
      apply: {
        value: async (batch: RollupBatch) => {
          if (random() < 0.3) throw new Error('write timed out');
          return backend.rollups.apply(batch);
        },
      },
    }) as RollupStore;
    const leader = new EventTail(flakyEvents, flakyRollups, { flushIntervalMs: 3_600_000, overlapMs: 20, pageSize: 3, now: clock.now });
    await leader.lead();
    let failures = 0;
    await runTwoInstances(events, backend.events, clock, async () => {
      if (random() < 0.3) await leader.catchUp().catch(() => (failures += 1));
    });
    // Hours later, until two catch-ups in a row succeed.
    clock.ms = Math.max(...events.map((e) => Date.parse(e.ts))) + 3 * 3600 * 1000;
    for (let ok = 0; ok < 2; ) {
      clock.ms += 3 * 3600 * 1000;
      ok = (await leader.catchUp().then(() => true, () => false)) ? ok + 1 : 0;
    }
    await leader.stepDown();
    expect(failures).toBeGreaterThan(3);
    expect(await figures(backend)).toEqual(await reference(backend.events, clock.now()));
  });

  test('a new leader reloads the checkpoint another moved, and a step-down writes nothing after it', async () => {
    const clock = new Clock();
    const events = citizens(3, 4);
    const a = tail(backend, clock);
    const b = tail(backend, clock);
    await a.lead();
    await b.lead();
    await backend.events.append(events.slice(0, 10));
    clock.ms = Date.parse(events[9]?.ts ?? '') + 60_000;
    await a.catchUp();
    await a.stepDown();
    // B led earlier, on an older checkpoint: it must read A's, not its own.
    await b.stepDown();
    await b.lead();
    await backend.events.append(events.slice(10));
    const end = await finish(clock, b, events);
    await a.catchUp();
    await b.stepDown();
    expect(a.leading).toBe(false);
    expect(await figures(backend)).toEqual(await reference(backend.events, end));
  });
});

describe('event tail: where a first leader starts', () => {
  test('on a store the single-instance aggregator left, after what it counted; on an empty one, from the start', async () => {
    const backend = openSqliteBackend('', ':memory:');
    try {
      const clock = new Clock();
      const events = citizens(8, 6);
      const before = events.slice(0, 15);
      // The single instance counted these in memory and stopped (its checkpoint says when).
      const single = new AnalyticsAggregator(backend.rollups);
      await single.start();
      await backend.events.append(before);
      for (const event of before) single.observe(event);
      await single.stop();
      await new Promise((resolve) => setTimeout(resolve, 5));
      const leader = tail(backend, clock);
      await leader.lead();
      await backend.events.append(events.slice(15));
      const end = await finish(clock, leader, events);
      await leader.stepDown();
      expect(await figures(backend)).toEqual(await reference(backend.events, end));

      await backend.rollups.clear();
      const fresh = tail(backend, clock);
      await fresh.lead();
      await fresh.catchUp();
      clock.ms += 3 * 3600 * 1000;
      await fresh.catchUp();
      await fresh.stepDown();
      expect(await figures(backend)).toEqual(await reference(backend.events, end));
    } finally {
      await backend.close();
    }
  });

  test('cluster, then one instance, then cluster again: the single instance\'s turns are not read again', async () => {
    const backend = openSqliteBackend('', ':memory:');
    try {
      const clock = new Clock();
      const events = citizens(9, 6);
      const [first, second, third] = [events.slice(0, 10), events.slice(10, 25), events.slice(25)];
      const cluster = tail(backend, clock);
      await cluster.lead();
      await backend.events.append(first);
      clock.ms = Date.parse(first[first.length - 1]?.ts ?? '') + 60_000;
      await cluster.catchUp();
      await cluster.stepDown();
      // Scaled down to one instance: it counts its turns in memory, stores them, stops cleanly.
      const single = new AnalyticsAggregator(backend.rollups);
      await single.start();
      await backend.events.append(second);
      for (const event of second) single.observe(event);
      await single.stop();
      await new Promise((resolve) => setTimeout(resolve, 5));
      const again = tail(backend, clock);
      await again.lead();
      await backend.events.append(third);
      const end = await finish(clock, again, events);
      await again.stepDown();
      expect(await figures(backend)).toEqual(await reference(backend.events, end));
    } finally {
      await backend.close();
    }
  });

  test('a cursor that is not one is refused with where it is wrong, and nothing leads', async () => {
    const backend = openSqliteBackend('', ':memory:');
    try {
      await backend.rollups.saveCheckpoint({ version: 1, sessions: [], cursor: { from: -1, seen: [] } });
      const leader = tail(backend, new Clock());
      await expect(leader.lead()).rejects.toThrow(/invalid analytics checkpoint: cursor\.from/);
      expect(leader.leading).toBe(false);
    } finally {
      await backend.close();
    }
  });
});
