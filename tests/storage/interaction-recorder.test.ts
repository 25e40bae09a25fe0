import { createLogger } from '../../src/logger';
import type { EventQuery, InteractionEvent } from '../../src/storage/interaction-event';
import { InteractionRecorder } from '../../src/storage/interaction-recorder';
import type { InteractionEventStore, StoredInteractionEvent } from '../../src/storage/ports';
import { event } from '../fixtures/events';

/** An event store that can be switched off, as a database outage would. */
class FlakyStore implements InteractionEventStore {
  up = true;
  readonly stored: InteractionEvent[] = [];
  async append(batch: readonly InteractionEvent[]): Promise<void> {
    if (!this.up) throw new Error('connection refused');
    for (const e of batch) if (!this.stored.some((s) => s.eventId === e.eventId)) this.stored.push(e);
  }
  async query(_q: EventQuery): Promise<InteractionEvent[]> {
    return [...this.stored];
  }
  async purgeBefore(): Promise<number> {
    return 0;
  }
  async count(): Promise<number> {
    return this.stored.length;
  }
  async storedSince(): Promise<StoredInteractionEvent[]> {
    return [];
  }
}

const silent = createLogger('silent');
const until = async (check: () => boolean) => {
  for (let i = 0; i < 200 && !check(); i++) await new Promise((r) => setTimeout(r, 20));
  expect(check()).toBe(true);
};

describe('InteractionRecorder', () => {
  test('writes events in order off the hot path', async () => {
    const store = new FlakyStore();
    const recorder = new InteractionRecorder(store, silent, { flushIntervalMs: 10, batchSize: 5 });
    recorder.start();
    const events = Array.from({ length: 12 }, (_, i) => event('c', new Date(Date.UTC(2026, 0, 1, 0, 0, i)).toISOString()));
    for (const e of events) recorder.record(e);
    await until(() => store.stored.length === 12);
    expect(store.stored).toEqual(events);
    await recorder.drain(1000);
  });

  test('while the store is down the bot goes on, events wait, are reported degraded, then arrive once and in order', async () => {
    const store = new FlakyStore();
    const recorder = new InteractionRecorder(store, silent, { flushIntervalMs: 10, batchSize: 3, maxRetryDelayMs: 50 });
    recorder.start();
    const before = [event('c', '2026-01-01T00:00:00.000Z')];
    recorder.record(before[0]!);
    await until(() => store.stored.length === 1);
    store.up = false;
    const during = Array.from({ length: 10 }, (_, i) => event('c', `2026-01-01T00:01:${String(i).padStart(2, '0')}.000Z`));
    for (const e of during) recorder.record(e);
    await until(() => recorder.status.degraded);
    expect(recorder.status.buffered).toBe(10);
    store.up = true;
    await until(() => store.stored.length === 11);
    expect(store.stored).toEqual([...before, ...during]);
    expect(recorder.status).toMatchObject({ degraded: false, buffered: 0, dropped: 0 });
    await recorder.drain(1000);
  });

  test('a full buffer refuses new events and counts them', async () => {
    const store = new FlakyStore();
    store.up = false;
    const recorder = new InteractionRecorder(store, silent, { maxBuffered: 100, batchSize: 100 });
    for (let i = 0; i < 105; i++) recorder.record(event('c', '2026-01-01T00:00:00.000Z'));
    expect(recorder.status).toMatchObject({ buffered: 100, dropped: 5 });
  });

  test('drain on shutdown writes everything buffered', async () => {
    const store = new FlakyStore();
    const recorder = new InteractionRecorder(store, silent, { flushIntervalMs: 60_000, batchSize: 1000 });
    recorder.start();
    for (let i = 0; i < 50; i++) recorder.record(event('c', '2026-01-01T00:00:00.000Z'));
    expect(store.stored).toHaveLength(0);
    await recorder.drain(1000);
    expect(store.stored).toHaveLength(50);
  });
});
