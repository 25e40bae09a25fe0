import { electAnalyticsLeader } from '../../src/analytics/cluster-analytics';
import { EventTail } from '../../src/analytics/event-tail';
import { InProcessCoordinator, InProcessHub } from '../../src/cluster/in-process-coordinator';
import type { RollupStore, StorageBackend } from '../../src/storage/ports';
import { openSqliteBackend } from '../../src/storage/sqlite/sqlite-backend';
import { Clock, citizens, figures, reference, runTwoInstances, tail } from './cluster-fixtures';

const until = async (check: () => boolean): Promise<void> => {
  for (let i = 0; i < 200 && !check(); i += 1) await new Promise((resolve) => setTimeout(resolve, 5));
  expect(check()).toBe(true);
};

describe('cluster analytics: the elected instance aggregates', () => {
  let backend: StorageBackend;
  beforeEach(() => {
    backend = openSqliteBackend('', ':memory:');
  });
  afterEach(async () => {
    await backend.close();
  });

  test('one instance leads; when it leaves, the other takes over from its checkpoint; the figures are one instance\'s', async () => {
    const hub = new InProcessHub();
    const clock = new Clock();
    const first = { coordinator: new InProcessCoordinator(hub), tail: tail(backend, clock) };
    const second = { coordinator: new InProcessCoordinator(hub), tail: tail(backend, clock) };
    const errors: unknown[] = [];
    const analytics = [first, second].map((i) => electAnalyticsLeader(i.coordinator, i.tail, { onError: (e) => errors.push(e) }));
    await until(() => first.tail.leading);
    expect(second.tail.leading).toBe(false);

    const events = citizens(31, 10);
    const half = Math.floor(events.length / 2);
    await runTwoInstances(events, backend.events, clock, async (index) => {
      // Every instance's dashboard refreshes; only the leader's reads.
      await Promise.all(analytics.map((a) => a.refresh()));
      if (index === half) {
        await analytics[0]?.close();
        await first.coordinator.close();
        await until(() => second.tail.leading);
        expect(first.tail.leading).toBe(false);
      }
    });
    // Hours later (twice: turns hours old hold the sweep back a while, as after an outage).
    clock.ms = Math.max(...events.map((e) => Date.parse(e.ts))) + 3 * 3600 * 1000;
    await analytics[1]?.refresh();
    clock.ms += 3 * 3600 * 1000;
    await analytics[1]?.refresh();
    await analytics[1]?.close();
    await second.coordinator.close();
    expect(errors).toEqual([]);
    expect(await figures(backend)).toEqual(await reference(backend.events, clock.now()));
  });

  test('while the coordinator is degraded nobody aggregates; when it is back the leader catches up', async () => {
    const hub = new InProcessHub();
    const clock = new Clock();
    const coordinator = new InProcessCoordinator(hub);
    const leader = tail(backend, clock);
    const analytics = electAnalyticsLeader(coordinator, leader);
    await until(() => leader.leading);
    hub.setHealth('degraded', 'redis unreachable');
    await until(() => !leader.leading);
    const events = citizens(37, 5);
    await backend.events.append(events);
    clock.ms = Math.max(...events.map((e) => Date.parse(e.ts))) + 3 * 3600 * 1000;
    await analytics.refresh();
    expect(await backend.rollups.range('2026-03-31', '2026-04-03')).toEqual([]);
    hub.setHealth('ok');
    await until(() => leader.leading);
    await analytics.refresh();
    clock.ms += 3 * 3600 * 1000;
    await analytics.refresh();
    expect(await figures(backend)).toEqual(await reference(backend.events, clock.now()));
    await analytics.close();
    await coordinator.close();
  });

  test('an elected instance that cannot read the checkpoint (store down) retries until it leads', async () => {
    let failures = 2;
    const flaky: RollupStore = Object.create(backend.rollups, {
      loadCheckpoint: {
        value: async () => {
          if (failures > 0) {
            failures -= 1;
            throw new Error('connection refused');
          }
          return backend.rollups.loadCheckpoint();
        },
      },
    }) as RollupStore;
    const coordinator = new InProcessCoordinator(new InProcessHub());
    const leader = new EventTail(backend.events, flaky, { flushIntervalMs: 3_600_000 });
    const errors: unknown[] = [];
    const analytics = electAnalyticsLeader(coordinator, leader, { onError: (e) => errors.push(e), retryMs: 5 });
    await until(() => leader.leading);
    expect(errors.map((e) => (e as Error).message)).toEqual(['connection refused', 'connection refused']);
    await analytics.close();
    await coordinator.close();
    expect(leader.leading).toBe(false);
  });
});
