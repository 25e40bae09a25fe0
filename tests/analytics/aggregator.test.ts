import { AnalyticsAggregator, SESSION_GAP_MS } from '../../src/analytics/aggregator';
import type { RollupRow, StorageBackend } from '../../src/storage/ports';
import { openSqliteBackend } from '../../src/storage/sqlite/sqlite-backend';
import { citizen, merged, workedExample } from './kpi-fixtures';

function total(rows: readonly RollupRow[]): Record<string, number> {
  const sum: Record<string, number> = {};
  for (const row of rows) for (const [name, value] of Object.entries(row.counters)) sum[name] = (sum[name] ?? 0) + value;
  return sum;
}

function byTopic(rows: readonly RollupRow[], counter: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const row of rows) {
    const value = row.counters[counter];
    if (value) out[row.key.topicId ?? '-'] = (out[row.key.topicId ?? '-'] ?? 0) + value;
  }
  return out;
}

describe('AnalyticsAggregator', () => {
  let backend: StorageBackend;
  beforeEach(() => {
    backend = openSqliteBackend('', ':memory:');
  });
  afterEach(async () => {
    await backend.close();
  });

  async function aggregate(events: ReturnType<typeof workedExample>, now = '2026-04-02T00:00:00Z'): Promise<RollupRow[]> {
    const aggregator = new AnalyticsAggregator(backend.rollups);
    await aggregator.start();
    for (const e of events) aggregator.observe(e);
    aggregator.sweep(new Date(now));
    await aggregator.stop();
    return backend.rollups.range('2026-03-01', '2026-05-01');
  }

  test('the worked example: one outcome per conversation, counted by hand', async () => {
    const sums = total(await aggregate(workedExample()));
    // Conversations: A B C D E F G, H twice (31-minute gap), I = 10; F alone is unengaged.
    // Outcomes: confirmed A; assumed B, H, H; escalated C; abandoned D; ticket E; unresolved G, I.
    expect(sums).toMatchObject({
      conversations: 10, engaged: 9, unengaged: 1,
      resolvedConfirmed: 1, resolvedAssumed: 3, escalated: 1, abandoned: 1, tickets: 1, unresolved: 2,
    });
    // Turns: A2 B2 C1 D1 E2 F2 G2 H2 I4 = 18. Questions (answered, disambiguation, fallback):
    // A1 B2 E1 G2 H2 I2 = 10; answers A1 B1 H2 I2 = 6; fallbacks B1 E1 G2 = 4. 👍 A, I; 👎 I.
    expect(sums).toMatchObject({ turns: 18, questions: 10, answers: 6, fallbacks: 4, ratedUp: 2, ratedDown: 1 });
    expect(sums.disambiguations).toBeUndefined();
    // Handoffs: queued C D E; answered C; abandoned D; ticket E. Waits 120 (C), 300 (D), 1080 (E):
    // sum 1500 over 3, one in each of the buckets ≤120, ≤300, ≤1200. Handling 420 (C): bucket ≤600.
    expect(sums).toMatchObject({
      handoffsQueued: 3, handoffsAnswered: 1, handoffsAbandoned: 1, ticketsCreated: 1,
      waitSecSum: 1500, waitCount: 3, wait_le_120: 1, wait_le_300: 1, wait_le_1200: 1, handleSecSum: 420, handleCount: 1, handle_le_600: 1,
    });
    expect(Object.keys(sums).filter((k) => k.startsWith('wait_le_'))).toHaveLength(3);
  });

  test('a conversation is counted on its topic (first answered, else first recognised), channel and language', async () => {
    const rows = await aggregate(workedExample());
    // Conversations: A and I carta-identita; B and H×2 tari (B's answer, not its fallback); C anagrafe
    // (recognised, never answered); D E F G none.
    expect(byTopic(rows, 'conversations')).toEqual({ 'carta-identita': 2, tari: 3, anagrafe: 1, '-': 4 });
    const facebook = rows.filter((r) => r.key.channel === 'facebook');
    expect(total(facebook)).toMatchObject({ conversations: 2, escalated: 1, abandoned: 1 });
    expect(facebook.every((r) => r.key.language === 'en')).toBe(true);
  });

  test('the day is the Europe/Rome day of the first event; turns count on their own day', async () => {
    // 21:50 UTC on 31 March is 23:50 in Milan; the second turn, 00:10 on 1 April in Milan.
    const rows = await aggregate(citizen('late', '2026-03-31T21:50:00Z').turn(0, 'answered').turn(20 * 60, 'answered').events);
    const day = (d: string) => total(rows.filter((r) => r.key.day === d));
    expect(day('2026-03-31')).toEqual({ conversations: 1, engaged: 1, resolvedAssumed: 1, turns: 1, questions: 1, answers: 1 });
    expect(day('2026-04-01')).toEqual({ turns: 1, questions: 1, answers: 1 });
  });

  test('the language is that of the last citizen message', async () => {
    const rows = await aggregate(citizen('switch', '2026-04-01T08:00:00Z').turn(0, 'answered').turn(60, 'answered', { language: 'en' }).events);
    const conversation = rows.find((r) => r.counters.conversations);
    expect(conversation?.key).toEqual({ day: '2026-04-01', channel: 'webchat', language: 'en', topicId: 'carta-identita' });
  });

  test('a gap of exactly 30 minutes keeps the session; a new question after the answer undoes the assumption', async () => {
    const rows = await aggregate(citizen('x', '2026-04-01T08:00:00Z').turn(0, 'answered').turn(30 * 60, 'fallback', { topicId: null }).events);
    expect(total(rows)).toMatchObject({ conversations: 1, unresolved: 1 });
    expect(total(rows).resolvedAssumed).toBeUndefined();
  });

  test('a 👎 on the last answer prevents the assumed resolution; a 👍 after a 👎 confirms', async () => {
    const down = citizen('d', '2026-04-01T08:00:00Z').turn(0, 'answered').turn(30, 'none', { feedback: 'down', text: null });
    const upAgain = citizen('u', '2026-04-01T09:00:00Z').turn(0, 'answered').turn(30, 'none', { feedback: 'down', text: null }).turn(60, 'answered').turn(90, 'none', { feedback: 'up', text: null });
    const sums = total(await aggregate(merged(down, upAgain)));
    expect(sums).toMatchObject({ conversations: 2, unresolved: 1, resolvedConfirmed: 1, ratedUp: 1, ratedDown: 2 });
  });

  test('sessions stay open until swept, are kept in the checkpoint and carry on after a restart', async () => {
    const events = citizen('r', '2026-04-01T08:00:00Z').turn(0, 'fallback', { topicId: null }).turn(600, 'answered').events;
    const first = new AnalyticsAggregator(backend.rollups);
    await first.start();
    first.observe(events[0]!);
    await first.stop();
    expect(total(await backend.rollups.range('2026-04-01', '2026-04-01'))).toEqual({ turns: 1, questions: 1, fallbacks: 1 });
    const second = new AnalyticsAggregator(backend.rollups);
    await second.start();
    expect(second.openSessions).toBe(1);
    second.observe(events[1]!);
    second.sweep(new Date(Date.parse(events[1]!.ts) + SESSION_GAP_MS));
    expect(second.openSessions).toBe(1);
    second.sweep(new Date(Date.parse(events[1]!.ts) + SESSION_GAP_MS + 1));
    await second.stop();
    expect(total(await backend.rollups.range('2026-04-01', '2026-04-01'))).toMatchObject({ conversations: 1, engaged: 1, resolvedAssumed: 1, turns: 2 });
  });

  test('beyond the bound on open sessions the least recently active is finalised', async () => {
    const aggregator = new AnalyticsAggregator(backend.rollups, { maxOpenSessions: 2 });
    aggregator.observe(citizen('a', '2026-04-01T08:00:00Z').turn(0, 'answered').events[0]!);
    aggregator.observe(citizen('b', '2026-04-01T08:01:00Z').turn(0, 'answered').events[0]!);
    aggregator.observe(citizen('a', '2026-04-01T08:02:00Z').turn(0, 'fallback', { topicId: null }).events[0]!);
    aggregator.observe(citizen('c', '2026-04-01T08:03:00Z').turn(0, 'answered').events[0]!);
    expect(aggregator.openSessions).toBe(2);
    await aggregator.flush();
    // b was the least recently active: finalised as resolved-assumed; a and c stay open.
    expect(total(await backend.rollups.range('2026-04-01', '2026-04-01'))).toMatchObject({ conversations: 1, resolvedAssumed: 1 });
  });

  test('a failed flush keeps its increments for the next one', async () => {
    const failing = { ...backend.rollups, apply: jest.fn().mockRejectedValueOnce(new Error('store down')).mockImplementation((b) => backend.rollups.apply(b)) };
    const aggregator = new AnalyticsAggregator(failing);
    aggregator.observe(citizen('a', '2026-04-01T08:00:00Z').turn(0, 'answered').events[0]!);
    await expect(aggregator.flush()).rejects.toThrow('store down');
    aggregator.observe(citizen('b', '2026-04-01T08:00:00Z').turn(0, 'answered').events[0]!);
    await aggregator.flush();
    expect(total(await backend.rollups.range('2026-04-01', '2026-04-01'))).toEqual({ turns: 2, questions: 2, answers: 2 });
  });

  test('a checkpoint that is not one is refused with where it is wrong', async () => {
    await backend.rollups.saveCheckpoint({ version: 1, sessions: [{ conversationId: 'x' }] });
    await expect(new AnalyticsAggregator(backend.rollups).start()).rejects.toThrow(/invalid analytics checkpoint: sessions\.0\.first/);
  });

  test('knowledge gaps: fallback texts by their significant words, per day and language', async () => {
    await aggregate(workedExample());
    // "dove lascio la bici rubata" → bici dove lascio rubata ("la" is a stopword; "dove" is kept);
    // the [EMAIL] placeholder and "per" go from E's text.
    expect(await backend.rollups.gaps('2026-04-01', '2026-04-01')).toEqual([
      { language: 'it', key: 'bici dove lascio rubata', count: 1, examples: ['dove lascio la bici rubata'] },
      { language: 'it', key: 'bici dove portarla ritrovata rubata', count: 1, examples: ['bici rubata ritrovata dove portarla'] },
      { language: 'it', key: 'comunale orari piscina', count: 1, examples: ['orari piscina comunale'] },
      { language: 'it', key: 'permesso residenti ztl', count: 1, examples: ['permesso ZTL per [EMAIL] residenti'] },
    ]);
  });

  test('a conversation read out of order (two instances\' events) gets the figures of the in-order reading', async () => {
    const inOrder = await aggregate(workedExample());
    // H is two conversations (a 31-minute silence): its order stays; every other citizen's turns come in reverse.
    const events = workedExample();
    const reversed = [...new Set(events.map((e) => e.conversationId))].flatMap((id) => {
      const own = events.filter((e) => e.conversationId === id);
      return id === 'H' ? own : own.reverse();
    });
    await backend.rollups.clear();
    expect(await aggregate(reversed)).toEqual(inOrder);
  });

  test('a checkpoint from before the event times it keeps still loads, and in-order events go on as before', async () => {
    await backend.rollups.saveCheckpoint({
      version: 1,
      sessions: [{
        conversationId: 'old', first: Date.parse('2026-04-01T08:00:00Z'), last: Date.parse('2026-04-01T08:01:00Z'), channel: 'webchat', language: 'it',
        answeredTopic: 'tari', recognisedTopic: 'tari', engaged: true, ticket: false, connected: false, abandoned: false, lastFeedback: null,
        lastQuestionAnswered: true, lastQuestionReferred: false,
      }],
    });
    const next = citizen('old', '2026-04-01T08:02:00Z', 'webchat', 'en').turn(0, 'answered', { topicId: 'anagrafe' }).turn(30, 'none', { feedback: 'down', text: null }).events;
    const rows = await aggregate(next);
    expect(rows.filter((r) => r.counters.conversations)).toEqual([
      { key: { day: '2026-04-01', channel: 'webchat', language: 'en', topicId: 'tari' }, counters: { conversations: 1, engaged: 1, unresolved: 1 } },
    ]);
  });
});
