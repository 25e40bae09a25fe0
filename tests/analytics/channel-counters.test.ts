import { AnalyticsAggregator } from '../../src/analytics/aggregator';
import { linkClickEvent, requestSettledEvent } from '../../src/analytics/analytics-events';
import { facetClicksCounter, facetOfClicksCounter, operatorCounter, parseOperatorCounter, queuedHourCounter } from '../../src/analytics/counters';
import { romeHour } from '../../src/analytics/rome-day';
import type { InteractionEvent } from '../../src/storage/interaction-event';
import type { RollupRow, StorageBackend } from '../../src/storage/ports';
import { openSqliteBackend } from '../../src/storage/sqlite/sqlite-backend';

let n = 0;
function event(ts: string, partial: Partial<InteractionEvent>): InteractionEvent {
  n += 1;
  return {
    eventId: `e${n}`, ts, conversationId: 'c1', channel: 'directline', language: 'it', activityType: 'message', text: null, outcome: 'none',
    topicId: null, confidence: null, answerTopicId: null, feedback: null, latencyMs: 1, handoff: null, ...partial,
  };
}

function sumOf(rows: readonly RollupRow[], filter: (row: RollupRow) => boolean = () => true): Record<string, number> {
  const sum: Record<string, number> = {};
  for (const row of rows.filter(filter)) for (const [k, v] of Object.entries(row.counters)) sum[k] = (sum[k] ?? 0) + v;
  return sum;
}

describe('counters for the channel figures', () => {
  let backend: StorageBackend;
  beforeEach(() => {
    backend = openSqliteBackend('', ':memory:');
  });
  afterEach(async () => {
    await backend.close();
  });

  async function aggregate(events: readonly InteractionEvent[]): Promise<RollupRow[]> {
    const aggregator = new AnalyticsAggregator(backend.rollups);
    await aggregator.start();
    for (const e of events) aggregator.observe(e);
    aggregator.sweep(new Date('2026-12-31T00:00:00Z'));
    await aggregator.stop();
    return backend.rollups.range('2026-01-01', '2026-12-31');
  }

  test('the Rome hour of the day follows summer and winter time', () => {
    expect(romeHour(Date.parse('2026-01-15T07:30:00Z'))).toBe(8);
    expect(romeHour(Date.parse('2026-07-15T07:30:00Z'))).toBe(9);
    expect(romeHour(Date.parse('2026-07-15T22:30:00Z'))).toBe(0);
    // 25 October 2026: 02:00-02:59 happens twice (summer, then winter time).
    expect(romeHour(Date.parse('2026-10-25T00:30:00Z'))).toBe(2);
    expect(romeHour(Date.parse('2026-10-25T01:30:00Z'))).toBe(2);
    expect(queuedHourCounter(7)).toBe('queued_h07');
    expect(() => queuedHourCounter(24)).toThrow(/0 to 23/);
  });

  test('each queued handoff counts in its Rome hour of the day, on the queued event key', async () => {
    const queued = (ts: string, conversationId: string, topicId: string | null) =>
      event(ts, { conversationId, activityType: 'handoff', outcome: 'handoff', topicId, handoff: { state: 'queued', at: ts } });
    const rows = await aggregate([
      queued('2026-03-10T08:10:00Z', 'a', 'tari-pagamento'), // 09:10 in Milan
      queued('2026-03-10T08:50:00Z', 'b', 'tari-pagamento'),
      queued('2026-07-10T08:10:00Z', 'c', null), // 10:10 summer time
      queued('2026-07-10T22:05:00Z', 'd', 'area-c'), // 00:05 on 11 July
    ]);
    const sums = sumOf(rows);
    expect(sums).toMatchObject({ handoffsQueued: 4, queued_h09: 2, queued_h10: 1, queued_h00: 1 });
    expect(Object.keys(sums).filter((k) => k.startsWith('queued_h'))).toHaveLength(3);
    const night = rows.find((r) => r.counters.queued_h00);
    expect(night?.key).toEqual({ day: '2026-07-11', channel: 'directline', language: 'it', topicId: 'area-c' });
  });

  test('a fallback counts under the topic the recognizer leaned to, as a miss and never as an answer', async () => {
    const rows = await aggregate([
      event('2026-04-01T08:00:00Z', { text: 'quanto costa rifare la carta', outcome: 'fallback', leaningTopicId: 'carta-identita', confidence: 0.3 }),
      event('2026-04-01T08:01:00Z', { text: 'blablabla', outcome: 'fallback' }),
    ]);
    const leaning = sumOf(rows, (r) => r.key.topicId === 'carta-identita');
    expect(leaning).toMatchObject({ turns: 1, questions: 1, fallbacks: 1, leaningFallbacks: 1 });
    expect(leaning.answers).toBeUndefined();
    // The conversation is not the leaning topic's: it answered nothing about it.
    expect(leaning.conversations).toBeUndefined();
    expect(sumOf(rows, (r) => r.key.topicId === null)).toMatchObject({ turns: 1, fallbacks: 1, conversations: 1, unresolved: 1 });
    expect(sumOf(rows, (r) => r.key.topicId === null).leaningFallbacks).toBeUndefined();
  });

  test('why a person was offered is counted on the turn that offered it', async () => {
    const rows = await aggregate([
      event('2026-04-01T08:00:00Z', { conversationId: 'a', text: 'operatore', outcome: 'handoff', escalation: 'asked', handoff: { state: 'offered', at: '2026-04-01T08:00:00Z' } }),
      event('2026-04-01T08:00:00Z', { conversationId: 'b', text: 'boh', outcome: 'handoff', escalation: 'misses', handoff: { state: 'offered', at: '2026-04-01T08:00:00Z' } }),
      event('2026-04-01T08:00:00Z', { conversationId: 'c', text: '👎', outcome: 'handoff', feedback: 'down', escalation: 'rated-down', topicId: 'tari-pagamento' }),
      event('2026-04-01T08:00:00Z', { conversationId: 'd', outcome: 'handoff', escalation: 'written-request' }),
      event('2026-04-01T08:00:00Z', { conversationId: 'e', outcome: 'handoff', escalation: 'bogus' as never }),
    ]);
    expect(sumOf(rows)).toMatchObject({ escalatedAsked: 1, escalatedMisses: 1, escalatedRatedDown: 1, escalatedWrittenRequest: 1 });
    expect(Object.keys(sumOf(rows)).filter((k) => k.startsWith('escalated') && k !== 'escalated')).toHaveLength(4);
    expect(sumOf(rows, (r) => r.key.topicId === 'tari-pagamento').escalatedRatedDown).toBe(1);
  });

  test('written requests answered and closed count per operator without opening a conversation', async () => {
    const request = { channel: 'directline', conversationId: 'conv-9', language: 'it' as const, topicId: 'tari-pagamento' };
    const rows = await aggregate([
      requestSettledEvent({ request, kind: 'answered', by: 'giulia.rossi', at: new Date('2026-05-04T09:00:00Z') }, 'a-secret-of-sixteen'),
      requestSettledEvent({ request, kind: 'closed', by: 'giulia.rossi', at: new Date('2026-05-04T09:05:00Z') }, 'a-secret-of-sixteen'),
      requestSettledEvent({ request, kind: 'closed', by: 'mario_b', at: new Date('2026-05-04T11:00:00Z') }, 'a-secret-of-sixteen'),
    ]);
    const sums = sumOf(rows);
    expect(sums).toMatchObject({ requestsAnswered: 1, requestsClosed: 2, opAnswered_giulia_drossi: 1, opClosed_giulia_drossi: 1, opClosed_mario_ub: 1 });
    expect(sums.conversations).toBeUndefined();
    expect(sums.turns).toBeUndefined();
    expect(rows.every((r) => r.key.topicId === 'tari-pagamento' && r.key.day === '2026-05-04')).toBe(true);
  });

  test('a chat an operator closes counts for that operator, with its handling time', async () => {
    const lifecycle = (ts: string, state: string, extra: Record<string, unknown>) =>
      event(ts, { activityType: 'handoff', outcome: 'handoff', handoff: { state, at: ts, ...extra } });
    const sums = sumOf(await aggregate([
      lifecycle('2026-04-01T08:00:00Z', 'queued', {}),
      lifecycle('2026-04-01T08:02:00Z', 'connected', { waitSec: 120, operator: 'sara' }),
      lifecycle('2026-04-01T08:09:00Z', 'closed', { handleSec: 420, operator: 'sara' }),
      // A login the accounts would refuse is not a counter name.
      lifecycle('2026-04-01T09:09:00Z', 'closed', { handleSec: 60, operator: 'Sara Rossi!' }),
    ]));
    expect(sums).toMatchObject({ opChats_sara: 1, opHandleSecSum_sara: 420, opHandleCount_sara: 1, handleCount: 2 });
    expect(Object.keys(sums).filter((k) => k.startsWith('opChats_'))).toEqual(['opChats_sara']);
  });

  test('clicks on answer links count on the topic key and per facet, and open no conversation', async () => {
    const at = new Date('2026-06-01T10:00:00Z');
    const sums = sumOf(await aggregate([
      linkClickEvent({ topicId: 'carta-identita', facetId: 'costi-e-pagamento', channel: 'directline', language: 'it', at }),
      linkClickEvent({ topicId: 'carta-identita', facetId: null, channel: 'messenger', language: 'en', at }),
      linkClickEvent({ topicId: 'carta-identita', facetId: 'costi-e-pagamento', channel: 'messenger', language: 'it', at }),
    ]));
    expect(sums).toEqual({ clicks: 3, clicks_f_costi_e_pagamento: 2, clicks_overview: 1 });
  });

  test('counter names map back to facet ids and logins one to one', () => {
    for (const facet of ['costi', 'costi-e-pagamento', 'a1-b2', 'overview']) expect(facetOfClicksCounter(facetClicksCounter(facet))).toBe(facet);
    expect(facetOfClicksCounter(facetClicksCounter(null))).toBeNull();
    expect(facetOfClicksCounter('clicks')).toBeUndefined();
    expect(() => facetClicksCounter('../x')).toThrow(/kebab-case/);
    for (const login of ['giulia.rossi', 'a_b-c.d', 'x_ud', 'mario__', '...']) {
      const name = operatorCounter('chats', login);
      expect(name).toMatch(/^[A-Za-z][A-Za-z0-9_]*$/);
      expect(parseOperatorCounter(name)).toEqual({ figure: 'chats', login });
    }
    expect(operatorCounter('chats', 'a.b')).not.toBe(operatorCounter('chats', 'a_b'));
    expect(parseOperatorCounter('handleCount')).toBeUndefined();
  });
});
