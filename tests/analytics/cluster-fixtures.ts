import { EventTail, type EventTailOptions } from '../../src/analytics/event-tail';
import { rebuildRollups } from '../../src/analytics/rebuild';
import type { EventOutcome, InteractionEvent } from '../../src/storage/interaction-event';
import type { InteractionEventStore, RollupRow, StorageBackend } from '../../src/storage/ports';
import { openSqliteBackend } from '../../src/storage/sqlite/sqlite-backend';
import { seededRandom } from '../../src/seeded-random';

/*
 * Shared by the cluster analytics tests: seeded citizens, two simulated instances writing to one
 * store, and the single-instance reference figures (rebuildRollups) to compare with.
 */


export const START = Date.parse('2026-04-01T06:00:00Z');
export const FALLBACK_TEXTS = ['bici rubata dove', 'orari piscina', 'permesso ztl residenti'];

/** Citizens chatting over a few hours: quick exchanges, long silences (new conversations), ratings and handoffs. */
export function citizens(seed: number, count: number): InteractionEvent[] {
  const random = seededRandom(seed);
  const pick = <T,>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  const events: InteractionEvent[] = [];
  for (let c = 0; c < count; c += 1) {
    const conversationId = `s${seed}-c${c}`;
    let t = START + Math.floor(random() * 3 * 3600) * 1000;
    const turns = 4 + Math.floor(random() * 10);
    for (let i = 0; i < turns; i += 1) {
      t += pick([4, 15, 45, 300, 1700, 1900, 5000]) * 1000;
      const outcome = pick<EventOutcome>(['answered', 'answered', 'fallback', 'referral', 'none', 'handoff']);
      const base = {
        eventId: `${conversationId}-${i}`, ts: new Date(t).toISOString(), conversationId, channel: c % 3 === 0 ? 'facebook' : 'webchat',
        language: pick(['it', 'en'] as const), confidence: null, feedback: null, latencyMs: 2, handoff: null,
      };
      if (outcome === 'handoff') {
        events.push({ ...base, activityType: 'handoff', text: null, outcome, topicId: 'anagrafe', answerTopicId: null, handoff: { state: pick(['queued', 'connected', 'abandoned']), at: base.ts, waitSec: 60 } });
      } else {
        const topicId = outcome === 'answered' || outcome === 'referral' ? pick(['tari', 'carta-identita']) : null;
        events.push({
          ...base, activityType: 'message', outcome, topicId, answerTopicId: outcome === 'answered' ? topicId : null,
          text: outcome === 'fallback' ? pick(FALLBACK_TEXTS) : 'testo', feedback: outcome === 'none' ? pick(['up', 'down'] as const) : null,
        });
      }
    }
  }
  return events.sort((a, b) => Date.parse(a.ts) - Date.parse(b.ts) || a.eventId.localeCompare(b.eventId));
}

/** The clock of the turns, moved by the simulation. */
export class Clock {
  ms = START;
  readonly now = (): Date => new Date(this.ms);
}

export interface Instance {
  /** The recorder's buffer: written when its oldest event is `periodMs` old, or when the instance is cut off no more. */
  buffer: InteractionEvent[];
  periodMs: number;
  offline: boolean;
}

/**
 * Two instances behind a balancer without affinity: the turns of each conversation alternate
 * between them; each writes its buffer to the one store at its own pace. `step` runs after
 * each turn (a tail's tick, a change of leader).
 */
export async function runTwoInstances(events: readonly InteractionEvent[], store: InteractionEventStore, clock: Clock, step: (index: number, instances: Instance[]) => Promise<void>): Promise<Instance[]> {
  const instances: Instance[] = [{ buffer: [], periodMs: 1000, offline: false }, { buffer: [], periodMs: 3000, offline: false }];
  const turns = new Map<string, number>();
  for (const [index, event] of events.entries()) {
    clock.ms = Date.parse(event.ts);
    for (const instance of instances) {
      const oldest = instance.buffer[0];
      if (!instance.offline && oldest && clock.ms - Date.parse(oldest.ts) >= instance.periodMs) await store.append(instance.buffer.splice(0));
    }
    const turn = turns.get(event.conversationId) ?? 0;
    turns.set(event.conversationId, turn + 1);
    instances[turn % 2]?.buffer.push(event);
    await step(index, instances);
  }
  for (const instance of instances) await store.append(instance.buffer.splice(0));
  return instances;
}

export const DAYS = ['2026-03-31', '2026-04-03'] as const;

/** The single-instance figures: `rebuildRollups` of the same events, into a store of its own. */
export async function reference(events: InteractionEventStore, at: Date): Promise<{ rows: RollupRow[]; gaps: unknown[] }> {
  const ref = openSqliteBackend('', ':memory:');
  try {
    await rebuildRollups(events, ref.rollups, at);
    return { rows: await ref.rollups.range(...DAYS), gaps: (await ref.rollups.gaps(...DAYS)).map(({ language, key, count }) => ({ language, key, count })) };
  } finally {
    await ref.close();
  }
}

export async function figures(backend: StorageBackend): Promise<{ rows: RollupRow[]; gaps: unknown[] }> {
  return { rows: await backend.rollups.range(...DAYS), gaps: (await backend.rollups.gaps(...DAYS)).map(({ language, key, count }) => ({ language, key, count })) };
}

export function conversations(rows: readonly RollupRow[]): number {
  return rows.reduce((sum, row) => sum + (row.counters.conversations ?? 0), 0);
}

/** Short overlap and settle (the test's store clock is real, its turn clock simulated), no timer. */
export function tail(backend: StorageBackend, clock: Clock, options: EventTailOptions = {}): EventTail {
  return new EventTail(backend.events, backend.rollups, { flushIntervalMs: 3_600_000, overlapMs: 20, settleMs: 10_000, pageSize: 7, now: clock.now, ...options });
}

/**
 * Hours after the last turn: everything stored, every conversation over. Twice: the turns read
 * at the first catch-up are hours old, as after an outage, so they hold the sweep back a while.
 */
export async function finish(clock: Clock, leader: EventTail, events: readonly InteractionEvent[]): Promise<Date> {
  clock.ms = Math.max(clock.ms, ...events.map((e) => Date.parse(e.ts))) + 3 * 3600 * 1000;
  await leader.catchUp();
  clock.ms += 3 * 3600 * 1000;
  await leader.catchUp();
  return clock.now();
}
