import { AnalyticsAggregator } from '../../src/analytics/aggregator';
import { summaryCsv } from '../../src/analytics/csv';
import { summarize, type AnalyticsSummary } from '../../src/analytics/summary';
import type { RollupRow, StorageBackend } from '../../src/storage/ports';
import { openSqliteBackend } from '../../src/storage/sqlite/sqlite-backend';
import { citizen, merged } from './kpi-fixtures';

function total(rows: readonly RollupRow[]): Record<string, number> {
  const sum: Record<string, number> = {};
  for (const row of rows) for (const [name, value] of Object.entries(row.counters)) sum[name] = (sum[name] ?? 0) + value;
  return sum;
}

/**
 * Four citizens on 1 April 2026 whose questions belong to other administrations:
 * J a passport question referred to the Questura, then silence → referred;
 * K a fallback, then a referral → referred (the last question was handled, not a miss);
 * L a referral, then 👎 → unresolved; M a referral, then a City answer → resolved-assumed.
 */
function referralDay() {
  return merged(
    citizen('J', '2026-04-01T08:00:00Z').turn(0, 'referral', { topicId: 'passaporto' }),
    citizen('K', '2026-04-01T09:00:00Z').turn(0, 'fallback', { topicId: null, text: 'orari piscina' }).turn(60, 'referral', { topicId: 'codice-fiscale' }),
    citizen('L', '2026-04-01T10:00:00Z').turn(0, 'referral', { topicId: 'bollo-auto' }).turn(60, 'none', { feedback: 'down', text: null }),
    citizen('M', '2026-04-01T11:00:00Z').turn(0, 'referral', { topicId: 'passaporto' }).turn(60, 'answered', { topicId: 'carta-identita' }),
  );
}

describe('the referral outcome in the analytics', () => {
  let backend: StorageBackend;
  beforeEach(() => {
    backend = openSqliteBackend('', ':memory:');
  });
  afterEach(async () => {
    await backend.close();
  });

  async function rows(): Promise<RollupRow[]> {
    const aggregator = new AnalyticsAggregator(backend.rollups);
    await aggregator.start();
    for (const e of referralDay()) aggregator.observe(e);
    aggregator.sweep(new Date('2026-04-02T00:00:00Z'));
    await aggregator.stop();
    return backend.rollups.range('2026-04-01', '2026-04-01');
  }

  async function summary(): Promise<AnalyticsSummary> {
    return summarize(await rows(), [], { from: '2026-04-01', to: '2026-04-01', previousYearRows: [], topicTitle: () => null });
  }

  test('a referral turn is a question counted apart: neither an answer nor a fallback', async () => {
    const sums = total(await rows());
    expect(sums).toMatchObject({ turns: 7, questions: 6, answers: 1, referrals: 4, fallbacks: 1, ratedDown: 1 });
  });

  test('a conversation that ends on a referral is referred; a 👎 undoes it, a later answer resolves it', async () => {
    expect(total(await rows())).toMatchObject({ conversations: 4, engaged: 4, referred: 2, resolvedAssumed: 1, unresolved: 1 });
  });

  test('self-help absorbs referred conversations: deflection and the bot column of the monthly table count them', async () => {
    const s = await summary();
    expect(s).toMatchObject({ engaged: 4, resolved: 1, referred: 2, referrals: 4, unresolved: 1 });
    expect(s.deflectionRate).toBeCloseTo(3 / 4, 12);
    expect(s.fallbackRate).toBeCloseTo(1 / 6, 12);
    expect(s.monthly[0]).toMatchObject({ month: '2026-04', in: 4, answeredByBot: 3 });
    expect(s.byChannel).toEqual([{ channel: 'webchat', conversations: 4, engaged: 4, resolved: 1, referred: 2, escalated: 0, deflectionRate: 3 / 4 }]);
    // Rollups are keyed by the referral's id, so the matters sent elsewhere show by topic.
    expect(s.byTopic.map((t) => t.topicId)).toEqual(expect.arrayContaining(['passaporto', 'codice-fiscale', 'bollo-auto']));
  });

  test('the CSV ends with the referred conversations and the referral turns of each day', async () => {
    const lines = summaryCsv(await summary()).slice(0, -2).split('\r\n');
    expect(lines[0]!.endsWith(',avg_handle_sec,referred,referral_turns')).toBe(true);
    expect(lines[1]!.endsWith(',2,4')).toBe(true);
  });

  test('a checkpoint saved before referrals existed still loads, and its sessions go on', async () => {
    const started = Date.parse('2026-04-01T08:00:00Z');
    await backend.rollups.saveCheckpoint({
      version: 1,
      sessions: [{
        conversationId: 'old', first: started, last: started, channel: 'webchat', language: 'it', answeredTopic: null, recognisedTopic: null,
        engaged: true, ticket: false, connected: false, abandoned: false, lastFeedback: null, lastQuestionAnswered: false,
      }],
    });
    const aggregator = new AnalyticsAggregator(backend.rollups);
    await aggregator.start();
    expect(aggregator.openSessions).toBe(1);
    aggregator.observe(citizen('old', '2026-04-01T08:05:00Z').turn(0, 'referral', { topicId: 'passaporto' }).events[0]!);
    aggregator.sweep(new Date('2026-04-02T00:00:00Z'));
    await aggregator.stop();
    expect(total(await backend.rollups.range('2026-04-01', '2026-04-01'))).toMatchObject({ conversations: 1, referred: 1 });
  });
});
