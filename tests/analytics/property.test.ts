import { randomUUID } from 'node:crypto';
import { rmSync } from 'node:fs';
import { AnalyticsAggregator } from '../../src/analytics/aggregator';
import { rebuildRollups } from '../../src/analytics/rebuild';
import type { EventOutcome, InteractionEvent } from '../../src/storage/interaction-event';
import { openMongoBackend } from '../../src/storage/mongodb/mongodb-backend';
import type { StorageBackend } from '../../src/storage/ports';
import { openSqliteBackend } from '../../src/storage/sqlite/sqlite-backend';
import { tempDataDir } from '../fixtures/runtime';
import { seededRandom } from '../../src/seeded-random';


const WORDS = ['bici', 'rubata', 'orari', 'piscina', 'cimitero', 'permesso', 'ztl', 'dove', 'la', 'per', 'residenti', 'multa', 'tari', 'come', 'pagare', '[EMAIL]'];
const TOPICS = ['carta-identita', 'tari', 'anagrafe', 'ztl', null] as const;
const START = Date.parse('2026-03-28T20:00:00Z'); // across the change to summer time (29 March)

/** A few hundred events of ~25 citizens over several days: visits split by short and long silences, handoffs included. */
function stream(seed: number): InteractionEvent[] {
  const random = seededRandom(seed);
  const pick = <T,>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  const events: { e: InteractionEvent; order: number }[] = [];
  let order = 0;
  const citizens = 20 + Math.floor(random() * 10);
  for (let c = 0; c < citizens; c += 1) {
    const conversationId = `c${seed}-${c}`;
    const channel = pick(['webchat', 'facebook', 'directline']);
    let language = pick(['it', 'en'] as const);
    // Whole seconds, so that citizens often share an instant (pages must cut between equal instants).
    let t = START + Math.floor(random() * 5 * 24 * 3600) * 1000;
    const turns = 3 + Math.floor(random() * 20);
    let sessionNo = 0;
    const push = (partial: Partial<InteractionEvent> & Pick<InteractionEvent, 'outcome' | 'activityType'>): void => {
      events.push({
        order: order++,
        e: {
          eventId: randomUUID(), ts: new Date(t).toISOString(), conversationId, channel, language, text: null, topicId: null, confidence: null,
          answerTopicId: null, feedback: null, latencyMs: 1, handoff: null, ...partial,
        },
      });
    };
    for (let i = 0; i < turns; i += 1) {
      const silence = pick([5, 40, 120, 600, 1799, 1800, 1801, 1860, 3 * 3600, 20 * 3600]);
      t += silence * 1000;
      if (random() < 0.1) language = pick(['it', 'en'] as const);
      const roll = random();
      const feedback = random() < 0.2 ? pick(['up', 'down'] as const) : null;
      if (roll < 0.08) {
        push({ activityType: 'conversationUpdate', outcome: 'welcome' });
      } else if (roll < 0.75) {
        const outcome = pick<EventOutcome>(['answered', 'answered', 'answered', 'referral', 'fallback', 'fallback', 'disambiguation', 'smalltalk', 'none']);
        const topicId = outcome === 'fallback' ? (random() < 0.3 ? pick(TOPICS) : null) : pick(TOPICS);
        const text = random() < 0.9 ? Array.from({ length: 1 + Math.floor(random() * 5) }, () => pick(WORDS)).join(' ') : null;
        const leaning = outcome === 'fallback' && topicId === null && random() < 0.5 ? { leaningTopicId: pick(TOPICS) } : {};
        push({ activityType: 'message', outcome, text, topicId, answerTopicId: outcome === 'answered' ? topicId : null, feedback, ...leaning });
        // Now and then a click on the answer's link, or an operator settling a written request: counted, no conversation.
        if (random() < 0.1) push({ activityType: 'link', outcome: 'none', conversationId: 'link-click', topicId: pick(['carta-identita', 'tari']), answerFacetId: pick([null, 'costi', 'chi-puo']) });
        if (random() < 0.05) push({ activityType: 'handoff', outcome: 'handoff', topicId, handoff: { state: pick(['request-answered', 'request-closed']), at: new Date(t).toISOString(), operator: pick(['giulia.rossi', 'sara']) } });
      } else {
        // A handoff: offered on a turn, then lifecycle events at whole-second waits.
        const topicId = pick(TOPICS);
        sessionNo += 1;
        const sessionId = `${conversationId}-${sessionNo}`;
        const escalation = pick(['asked', 'misses', 'rated-down', 'written-request'] as const);
        push({ activityType: 'message', outcome: 'handoff', text: 'operatore', topicId, feedback, escalation, handoff: { state: 'offered', at: new Date(t).toISOString() } });
        const lifecycle = (state: string, extra: { waitSec?: number; handleSec?: number; operator?: string } = {}): void =>
          push({ activityType: 'handoff', outcome: 'handoff', topicId, handoff: { state, at: new Date(t).toISOString(), sessionId, ...extra } });
        if (random() < 0.8) {
          t += 30_000;
          lifecycle('queued');
          const wait = pick([10, 45, 90, 200, 500, 1000, 1500, 2000, 4000]);
          t += wait * 1000;
          const end = random();
          if (end < 0.5) {
            const operator = pick(['giulia.rossi', 'sara', 'mario_b']);
            lifecycle('connected', { waitSec: wait, operator });
            const handle = pick([20, 100, 400, 900, 2500, 5000]);
            t += handle * 1000;
            if (random() < 0.9) lifecycle('closed', { handleSec: handle, operator });
          } else if (end < 0.8) lifecycle('abandoned', { waitSec: wait });
          else lifecycle('ticket', { waitSec: wait });
        }
      }
    }
  }
  return events.sort((a, b) => Date.parse(a.e.ts) - Date.parse(b.e.ts) || a.order - b.order).map(({ e }) => e);
}

interface Opened {
  backend: StorageBackend;
  cleanup: () => Promise<void>;
}

const SEEDS = Array.from({ length: 30 }, (_, i) => 1000 + i * 7919);
/**
 * MongoDB takes the first ten streams: each costs half a second or more against the test server,
 * and what differs between the stores (their rollup and checkpoint writes) is the storage
 * contract suite's to prove; here both stores must agree with a rebuild.
 */
const MONGODB_SEEDS = SEEDS.slice(0, 10);

const mongoUri = process.env.MONGODB_URI;
const adapters: [string, () => Promise<Opened>, readonly number[]][] = [
  ['sqlite', async () => {
    const dir = tempDataDir();
    const backend = openSqliteBackend(dir);
    return { backend, cleanup: async () => { await backend.close(); rmSync(dir, { recursive: true, force: true }); } };
  }, SEEDS],
];
if (mongoUri) {
  adapters.push(['mongodb', async () => {
    const backend = await openMongoBackend(mongoUri, `analytics_${randomUUID().slice(0, 8)}`);
    return { backend, cleanup: () => backend.close() };
  }, MONGODB_SEEDS]);
}

describe.each(adapters)('online aggregation equals a rebuild: %s', (_name, open, seeds) => {
  test.each(seeds)('stream %i', async (seed) => {
    const events = stream(seed);
    expect(events.length).toBeGreaterThan(100);
    const online = await open();
    const rebuilt = await open();
    try {
      const random = seededRandom(seed ^ 0x5eed);
      let aggregator = new AnalyticsAggregator(online.backend.rollups);
      await aggregator.start();
      for (const event of events) {
        aggregator.observe(event);
        const roll = random();
        // Sweeps at the latest event's time: never ahead of events still to come.
        if (roll < 0.05) aggregator.sweep(new Date(event.ts));
        else if (roll < 0.1) await aggregator.flush();
        else if (roll < 0.12) {
          // A restart: the open sessions go through the checkpoint.
          await aggregator.stop();
          aggregator = new AnalyticsAggregator(online.backend.rollups);
          await aggregator.start();
        }
      }
      const last = Date.parse(events[events.length - 1]?.ts ?? '');
      // Some sessions still open at `now`, so the checkpoints are compared too.
      const now = new Date(last + 10 * 60 * 1000);
      aggregator.sweep(now);
      await aggregator.stop();

      await rebuilt.backend.events.append(events);
      // Small pages, so that pages often end between events of the same instant.
      const summary = await rebuildRollups(rebuilt.backend.events, rebuilt.backend.rollups, now, { pageSize: 7 + (seed % 13) });
      expect(summary.events).toBe(events.length);

      const [from, to] = ['2026-01-01', '2026-12-31'];
      const rows = await online.backend.rollups.range(from, to);
      expect(rows.length).toBeGreaterThan(10);
      expect(await rebuilt.backend.rollups.range(from, to)).toEqual(rows);
      expect(await rebuilt.backend.rollups.gaps(from, to)).toEqual(await online.backend.rollups.gaps(from, to));
      const sessions = async (b: StorageBackend) =>
        ((await b.rollups.loadCheckpoint()) as { sessions: { conversationId: string }[] }).sessions.sort((x, y) => x.conversationId.localeCompare(y.conversationId));
      expect(await sessions(rebuilt.backend)).toEqual(await sessions(online.backend));
      // Every event is a turn or a lifecycle event, and every conversation has exactly one outcome.
      const sums: Record<string, number> = {};
      for (const row of rows) for (const [k, v] of Object.entries(row.counters)) sums[k] = (sums[k] ?? 0) + v;
      const lifecycle = events.filter((e) => e.activityType === 'handoff' || e.activityType === 'link').length;
      expect(sums.turns).toBe(events.length - lifecycle);
      expect(sums.clicks).toBe(events.filter((e) => e.activityType === 'link').length);
      expect(sums.handoffsQueued).toBe(Object.entries(sums).filter(([k]) => /^queued_h\d\d$/.test(k)).reduce((acc, [, v]) => acc + v, 0));
      const outcomes = ['resolvedConfirmed', 'resolvedAssumed', 'referred', 'escalated', 'abandoned', 'tickets', 'unresolved'].reduce((acc, k) => acc + (sums[k] ?? 0), 0);
      expect(outcomes).toBe(sums.engaged);
      expect((sums.engaged ?? 0) + (sums.unengaged ?? 0)).toBe(sums.conversations);
    } finally {
      await online.cleanup();
      await rebuilt.cleanup();
    }
  });
});
