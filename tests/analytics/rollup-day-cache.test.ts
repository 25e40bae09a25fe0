// The day cache behind the summary, the exports and the channel figures: what it reads from the
// store (counted through a spy, not timed) and that whatever changes a day shows in the next read.
import { AnalyticsAggregator } from '../../src/analytics/aggregator';
import { rebuildRollups } from '../../src/analytics/rebuild';
import { RollupDayCache, warmDayCacheLater } from '../../src/analytics/rollup-day-cache';
import { summarizeDays } from '../../src/analytics/summary';
import type { RollupStore, StorageBackend } from '../../src/storage/ports';
import { event } from '../fixtures/events';
import { adapters, type OpenedAdapter } from '../storage/adapters';

const NOW = new Date('2026-12-05T10:00:00Z');
const topicTitle = () => null;

/** The store, with every read of rows, gaps and revisions written down. */
function spied(store: RollupStore, reads: string[]): Pick<RollupStore, 'range' | 'revisions' | 'gaps'> {
  return {
    gaps: (from, to) => {
      reads.push(`gaps ${from} ${to}`);
      return store.gaps(from, to);
    },
    range: (from, to) => {
      reads.push(`range ${from} ${to}`);
      return store.range(from, to);
    },
    revisions: (from, to) => {
      reads.push(`revisions ${from} ${to}`);
      return store.revisions(from, to);
    },
  };
}

describe.each(adapters)('rollup day cache: %s', (name, open) => {
  let opened: OpenedAdapter;
  let backend: StorageBackend;
  beforeEach(async () => {
    opened = await open();
    backend = opened.backend;
  });
  afterEach(async () => {
    await backend.close();
    await opened.cleanup();
  });

  /** The period's conversations per day, as the summary reports them, from the cache. */
  async function conversationsByDay(cache: RollupDayCache, from: string, to: string): Promise<Record<string, number>> {
    const summary = summarizeDays(await cache.days(from, to), new Map(), [], { from, to, today: '2026-12-05', topicTitle });
    return Object.fromEntries(summary.byDay.map((d) => [d.day, d.conversations]));
  }

  test('a second summary reads the revisions only; a late event for a closed day re-reads that day alone and shows', async () => {
    const aggregator = new AnalyticsAggregator(backend.rollups, { now: () => NOW });
    await aggregator.start();
    aggregator.observe(event('a', '2026-12-02T09:00:00.000Z'));
    aggregator.observe(event('b', '2026-12-03T09:00:00.000Z'));
    aggregator.sweep(new Date('2026-12-04T09:00:00Z'));
    await aggregator.flush();
    const reads: string[] = [];
    const cache = new RollupDayCache(spied(backend.rollups, reads));

    expect(await conversationsByDay(cache, '2026-12-01', '2026-12-04')).toEqual({ '2026-12-01': 0, '2026-12-02': 1, '2026-12-03': 1, '2026-12-04': 0 });
    expect(reads).toEqual(['revisions 2026-12-01 2026-12-04', 'range 2026-12-01 2026-12-04']);
    reads.length = 0;
    expect(await conversationsByDay(cache, '2026-12-01', '2026-12-04')).toEqual({ '2026-12-01': 0, '2026-12-02': 1, '2026-12-03': 1, '2026-12-04': 0 });
    expect(reads).toEqual(['revisions 2026-12-01 2026-12-04']);

    // A conversation begun at 23:50 in Milan on 4 December, rated after midnight, ends on the 5th:
    // it counts on the 4th, a day already closed and held.
    aggregator.observe(event('c', '2026-12-04T22:50:00.000Z'));
    aggregator.observe(event('c', '2026-12-04T23:10:00.000Z', { feedback: 'up', outcome: 'smalltalk', answerTopicId: null }));
    aggregator.sweep(NOW);
    await aggregator.stop();
    reads.length = 0;
    expect(await conversationsByDay(cache, '2026-12-01', '2026-12-04')).toEqual({ '2026-12-01': 0, '2026-12-02': 1, '2026-12-03': 1, '2026-12-04': 1 });
    expect(reads).toEqual(['revisions 2026-12-01 2026-12-04', 'range 2026-12-04 2026-12-04']);
    expect(cache.stats).toEqual({ rangeReads: 2, daysRead: 5, daysHeld: 7 });
  });

  test('a rebuild of the rollups from the stored events shows in the next summary', async () => {
    const aggregator = new AnalyticsAggregator(backend.rollups, { now: () => NOW });
    await aggregator.start();
    const counted = [event('a', '2026-12-02T09:00:00.000Z'), event('b', '2026-12-03T09:00:00.000Z')];
    for (const e of counted) aggregator.observe(e);
    aggregator.sweep(NOW);
    await aggregator.stop();
    const cache = new RollupDayCache(backend.rollups);
    expect(await conversationsByDay(cache, '2026-12-01', '2026-12-04')).toEqual({ '2026-12-01': 0, '2026-12-02': 1, '2026-12-03': 1, '2026-12-04': 0 });

    // The stored events hold more than the rollups counted (say, events recorded while the
    // aggregator was down): the rebuild recounts those days from them.
    await backend.events.append([...counted, event('d', '2026-12-03T15:00:00.000Z'), event('e', '2026-12-04T08:00:00.000Z')]);
    await rebuildRollups(backend.events, backend.rollups, NOW);
    expect(await conversationsByDay(cache, '2026-12-01', '2026-12-04')).toEqual({ '2026-12-01': 0, '2026-12-02': 1, '2026-12-03': 2, '2026-12-04': 1 });
  });

  test('a day cleared and written again is read again, though it holds what it held before', async () => {
    const key = { day: '2026-12-02', channel: 'directline', language: 'it', topicId: null };
    await backend.rollups.apply({ increments: [{ key, counters: { conversations: 1 } }], gaps: [] });
    const cache = new RollupDayCache(backend.rollups);
    expect(await conversationsByDay(cache, '2026-12-02', '2026-12-02')).toEqual({ '2026-12-02': 1 });
    await backend.rollups.clear();
    expect(await conversationsByDay(cache, '2026-12-02', '2026-12-02')).toEqual({ '2026-12-02': 0 });
    await backend.rollups.apply({ increments: [{ key, counters: { conversations: 2 } }], gaps: [] });
    expect(await conversationsByDay(cache, '2026-12-02', '2026-12-02')).toEqual({ '2026-12-02': 2 });
  });

  test('the cache keeps at most its limit of days, the least recently used going first', async () => {
    const reads: string[] = [];
    const cache = new RollupDayCache(spied(backend.rollups, reads), 3);
    await cache.days('2026-12-01', '2026-12-03');
    await cache.days('2026-12-01', '2026-12-01');
    await cache.days('2026-12-04', '2026-12-04');
    expect(cache.size).toBe(3);
    reads.length = 0;
    await cache.days('2026-12-01', '2026-12-04');
    // The 2nd was the least recently used: it went when the 4th came.
    expect(reads).toEqual(['revisions 2026-12-01 2026-12-04', 'range 2026-12-02 2026-12-02']);
    expect(() => new RollupDayCache(backend.rollups, 0)).toThrow(/at least 1/);
  });

  test("a period's knowledge gaps are read again only after a day of it changed", async () => {
    const gap = (day: string, text: string) => ({ day, language: 'it', key: 'bici', example: text });
    await backend.rollups.apply({ increments: [], gaps: [gap('2026-12-02', 'bici rubata')] });
    const reads: string[] = [];
    const cache = new RollupDayCache(spied(backend.rollups, reads));
    expect(await cache.gaps('2026-12-01', '2026-12-04')).toEqual([{ language: 'it', key: 'bici', count: 1, examples: ['bici rubata'] }]);
    expect(await cache.gaps('2026-12-01', '2026-12-04')).toHaveLength(1);
    expect(reads.filter((r) => r.startsWith('gaps'))).toEqual(['gaps 2026-12-01 2026-12-04']);
    // A gap of a closed day, late: the day's revision moves, so the period is read again.
    await backend.rollups.apply({ increments: [], gaps: [gap('2026-12-03', 'bici ritrovata')] });
    expect(await cache.gaps('2026-12-01', '2026-12-04')).toEqual([{ language: 'it', key: 'bici', count: 2, examples: ['bici rubata', 'bici ritrovata'] }]);
    expect(reads.filter((r) => r.startsWith('gaps'))).toEqual(['gaps 2026-12-01 2026-12-04', 'gaps 2026-12-01 2026-12-04']);
  });

  test('warming reads a month at a time; the days warmed are then answered from the revisions alone', async () => {
    await backend.rollups.apply({ increments: [{ key: { day: '2026-11-20', channel: 'directline', language: 'it', topicId: null }, counters: { conversations: 4 } }], gaps: [] });
    const reads: string[] = [];
    const cache = new RollupDayCache(spied(backend.rollups, reads));
    await cache.warm('2026-10-01', '2026-12-05');
    expect(reads.filter((r) => r.startsWith('range'))).toEqual(['range 2026-10-01 2026-10-31', 'range 2026-11-01 2026-12-01', 'range 2026-12-02 2026-12-05']);
    reads.length = 0;
    expect(await conversationsByDay(cache, '2026-11-20', '2026-11-20')).toEqual({ '2026-11-20': 4 });
    expect(reads).toEqual(['revisions 2026-11-20 2026-11-20']);
    let calls = 0;
    await new RollupDayCache(backend.rollups).warm('2026-01-01', '2026-12-05', () => (calls += 1) > 2);
    expect(calls).toBe(3);
  });

  test('the warm-up after start reads the dashboard default days (from two years back, on the 1st) up to today, and a stop before it reads nothing', async () => {
    const reads: string[] = [];
    const stopped = new RollupDayCache(spied(backend.rollups, reads));
    const stop = warmDayCacheLater(stopped, { today: () => '2026-12-05', onError: (error) => reads.push(String(error)), delayMs: 0 });
    stop();
    const cache = new RollupDayCache(backend.rollups);
    await new Promise<void>((resolve, reject) => {
      warmDayCacheLater(cache, { today: () => '2026-12-05', onError: reject, delayMs: 0 });
      const check = setInterval(() => {
        if (cache.size < 735) return;
        clearInterval(check);
        resolve();
      }, 5);
    });
    expect(cache.size).toBe(735); // 2024-12-01 to 2026-12-05
    expect(reads).toEqual([]);
  });

  if (name === 'mongodb') {
    test('cluster mode: a day another instance writes is read again by this one', async () => {
      const other = await opened.reopen();
      try {
        const key = { day: '2026-12-02', channel: 'directline', language: 'it', topicId: null };
        const cache = new RollupDayCache(backend.rollups);
        expect(await conversationsByDay(cache, '2026-12-02', '2026-12-02')).toEqual({ '2026-12-02': 0 });
        await other.rollups.apply({ increments: [{ key, counters: { conversations: 3 } }], gaps: [] });
        expect(await conversationsByDay(cache, '2026-12-02', '2026-12-02')).toEqual({ '2026-12-02': 3 });
      } finally {
        await other.close();
      }
    });
  }
});
