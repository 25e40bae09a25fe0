import { rmSync } from 'node:fs';
import { AnalyticsAggregator } from '../../src/analytics/aggregator';
import { planRebuild, rebuildRollups } from '../../src/analytics/rebuild';
import type { InteractionEvent } from '../../src/storage/interaction-event';
import type { RollupRow, StorageBackend } from '../../src/storage/ports';
import { openSqliteBackend } from '../../src/storage/sqlite/sqlite-backend';
import { tempDataDir } from '../fixtures/runtime';

const DAY_MS = 86_400_000;
/** 08:00 UTC (09:00 or 10:00 in Milan) on 1 June 2026. */
const START = Date.parse('2026-06-01T08:00:00Z');

/** Ten days of three citizens a day, each asking, failing once and queueing for a person: no conversation crosses midnight. */
function seed(): InteractionEvent[] {
  const events: InteractionEvent[] = [];
  let n = 0;
  for (let day = 0; day < 10; day += 1) {
    for (let c = 0; c < 3; c += 1) {
      const t0 = START + day * DAY_MS + c * 3_600_000;
      const base = { conversationId: `d${day}c${c}`, channel: 'directline', language: 'it' as const, confidence: null, feedback: null, latencyMs: 1 };
      const at = (min: number) => new Date(t0 + min * 60_000).toISOString();
      events.push(
        { ...base, eventId: `e${(n += 1)}`, ts: at(0), activityType: 'message', text: 'carta identita costo', outcome: 'answered', topicId: 'carta-identita', answerTopicId: 'carta-identita', handoff: null },
        { ...base, eventId: `e${(n += 1)}`, ts: at(2), activityType: 'message', text: 'piscina comunale orari', outcome: 'fallback', topicId: null, answerTopicId: null, handoff: null },
        { ...base, eventId: `e${(n += 1)}`, ts: at(3), activityType: 'handoff', text: null, outcome: 'handoff', topicId: null, answerTopicId: null, handoff: { state: 'queued', at: at(3) } },
      );
    }
  }
  return events;
}

describe('analytics:rebuild after retention has purged the oldest events', () => {
  let dir: string;
  let backend: StorageBackend;
  beforeEach(() => {
    dir = tempDataDir();
    backend = openSqliteBackend(dir);
  });
  afterEach(async () => {
    await backend.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const byDay = (rows: readonly RollupRow[]) => {
    const out: Record<string, Record<string, number>> = {};
    for (const row of rows) for (const [k, v] of Object.entries(row.counters)) (out[row.key.day] ??= {})[k] = (out[row.key.day]?.[k] ?? 0) + v;
    return out;
  };

  test('keeps the rollups of the days whose events are gone and recomputes the complete days the same', async () => {
    const events = seed();
    await backend.events.append(events);
    const live = new AnalyticsAggregator(backend.rollups);
    await live.start();
    for (const e of events) live.observe(e);
    const now = new Date(START + 10 * DAY_MS);
    live.sweep(now);
    await live.stop();
    const before = byDay(await backend.rollups.range('2026-01-01', '2026-12-31'));
    expect(Object.keys(before)).toHaveLength(10);

    // Retention of 7.5 days: its cutoff falls at 20:00 UTC on 3 June, after that day's citizens.
    // 1-3 June are gone or may be partial, so 4 June is the first complete day.
    const retentionDays = 7.5;
    const cutoff = new Date(now.getTime() - retentionDays * DAY_MS);
    expect(cutoff.toISOString()).toBe('2026-06-03T20:00:00.000Z');
    // A purge that ran earlier cut into 3 June at 08:30 UTC: its first citizen's events are gone, the others stay.
    await backend.events.purgeBefore(new Date('2026-06-03T08:30:00Z'));

    const plan = await planRebuild(backend.events, now, retentionDays);
    expect(plan).toEqual({ oldestEvent: '2026-06-03T09:00:00.000Z', firstDay: '2026-06-04', retentionCutoff: '2026-06-03T20:00:00.000Z' });
    const summary = await rebuildRollups(backend.events, backend.rollups, now, { plan, pageSize: 7 });
    expect(summary).toMatchObject({ firstDay: '2026-06-04', events: 7 * 3 * 3, conversations: 21 });

    const after = byDay(await backend.rollups.range('2026-01-01', '2026-12-31'));
    expect(after).toEqual(before);
    expect(after['2026-06-01']).toMatchObject({ conversations: 3, handoffsQueued: 3 });
    expect(await backend.rollups.gaps('2026-06-01', '2026-06-03')).toEqual([{ language: 'it', key: 'comunale orari piscina', count: 9, examples: ['piscina comunale orari'] }]);
  });

  test('the oldest event younger than any retention cutoff: its whole day is rebuilt', async () => {
    await backend.events.append(seed());
    const now = new Date(START + 10 * DAY_MS);
    expect(await planRebuild(backend.events, now, 180)).toMatchObject({ firstDay: '2026-06-01' });
    expect(await planRebuild(backend.events, now)).toMatchObject({ firstDay: '2026-06-01', retentionCutoff: null });
  });

  test('with no event stored nothing is cleared', async () => {
    const key = { day: '2025-01-01', channel: 'webchat', language: 'it', topicId: null };
    await backend.rollups.apply({ increments: [{ key, counters: { conversations: 4 } }], gaps: [] });
    const plan = await planRebuild(backend.events, new Date('2026-06-01T00:00:00Z'), 180);
    expect(plan.firstDay).toBeNull();
    expect(await rebuildRollups(backend.events, backend.rollups, new Date('2026-06-01T00:00:00Z'), { plan })).toMatchObject({ firstDay: null, events: 0 });
    expect(await backend.rollups.range('2025-01-01', '2025-01-01')).toEqual([{ key, counters: { conversations: 4 } }]);
  });
});
