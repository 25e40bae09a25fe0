import { AnalyticsAggregator } from '../../src/analytics/aggregator';
import { summaryCsv } from '../../src/analytics/csv';
import { groupGaps, jaccard } from '../../src/analytics/gap-groups';
import { p90FromBuckets, summarize, type AnalyticsSummary } from '../../src/analytics/summary';
import type { RollupRow } from '../../src/storage/ports';
import { openSqliteBackend } from '../../src/storage/sqlite/sqlite-backend';
import { workedExample } from './kpi-fixtures';

const TITLES: Record<string, string> = { 'carta-identita': "Carta d'identità", tari: 'TARI' };
const topicTitle = (id: string): string | null => TITLES[id] ?? null;

/** Last year's April 1: 6 engaged, 3 resolved by the bot, 2 by operators, 1 diverted, waits 400 s over 2, handling 600 s over 2. */
const LAST_YEAR: RollupRow[] = [
  {
    key: { day: '2025-04-01', channel: 'webchat', language: 'it', topicId: null },
    counters: { conversations: 7, engaged: 6, unengaged: 1, resolvedConfirmed: 2, resolvedAssumed: 1, escalated: 2, tickets: 1, waitSecSum: 400, waitCount: 2, handleSecSum: 600, handleCount: 2 },
  },
  // Outside the compared days (the range starts on 31 March): ignored.
  { key: { day: '2025-03-15', channel: 'webchat', language: 'it', topicId: null }, counters: { conversations: 50, engaged: 50 } },
];

async function workedSummary(): Promise<AnalyticsSummary> {
  const backend = openSqliteBackend('', ':memory:');
  try {
    const aggregator = new AnalyticsAggregator(backend.rollups);
    for (const e of workedExample()) aggregator.observe(e);
    aggregator.sweep(new Date('2026-04-02T00:00:00Z'));
    await aggregator.flush();
    const [from, to] = ['2026-03-31', '2026-04-02'];
    return summarize(await backend.rollups.range(from, to), await backend.rollups.gaps(from, to), { from, to, previousYearRows: LAST_YEAR, topicTitle });
  } finally {
    await backend.close();
  }
}

describe('summarize', () => {
  let summary: AnalyticsSummary;
  beforeAll(async () => {
    summary = await workedSummary();
  });

  test('totals and rates of the worked example', () => {
    expect(summary).toMatchObject({
      from: '2026-03-31', to: '2026-04-02',
      conversations: 10, engaged: 9, resolved: 4, resolvedConfirmed: 1, resolvedAssumed: 3, escalated: 1, abandoned: 1, tickets: 1, unengaged: 1, unresolved: 2,
      handoffs: { queued: 3, answered: 1, abandoned: 1, tickets: 1 },
      // (120 + 300 + 1080) / 3 = 500; the 3rd of 3 waits (rank ceil(0.9 × 3) = 3) is in the ≤1200 bucket.
      avgQueueWaitSec: 500, p90QueueWaitSec: 1200, avgHandleSec: 420,
    });
    expect(summary.deflectionRate).toBeCloseTo(4 / 9, 12); // (1 confirmed + 3 assumed) / 9 engaged
    expect(summary.escalationRate).toBeCloseTo(1 / 9, 12);
    expect(summary.fallbackRate).toBeCloseTo(4 / 10, 12); // 4 fallbacks of 10 questions
    expect(summary.csat).toBeCloseTo(2 / 3, 12); // 2 👍, 1 👎
  });

  test('by channel, language and topic, most conversations first', () => {
    expect(summary.byChannel).toEqual([
      { channel: 'webchat', conversations: 8, engaged: 7, resolved: 4, referred: 0, escalated: 0, deflectionRate: 4 / 7 },
      { channel: 'facebook', conversations: 2, engaged: 2, resolved: 0, referred: 0, escalated: 1, deflectionRate: 0 },
    ]);
    expect(summary.byLanguage.map((l) => [l.language, l.conversations])).toEqual([['it', 8], ['en', 2]]);
    // Topics: none D E F G (fallbacks B's, E's and G's two turns are on no topic); tari B H H; carta-identita A I; anagrafe C.
    expect(summary.byTopic).toEqual([
      { topicId: null, title: null, conversations: 4, engaged: 3, resolved: 0, referred: 0, escalated: 0, fallbacks: 4, deflectionRate: 0 },
      { topicId: 'tari', title: 'TARI', conversations: 3, engaged: 3, resolved: 3, referred: 0, escalated: 0, fallbacks: 0, deflectionRate: 1 },
      { topicId: 'carta-identita', title: "Carta d'identità", conversations: 2, engaged: 2, resolved: 1, referred: 0, escalated: 0, fallbacks: 0, deflectionRate: 0.5 },
      { topicId: 'anagrafe', title: null, conversations: 1, engaged: 1, resolved: 0, referred: 0, escalated: 1, fallbacks: 0, deflectionRate: 0 },
    ]);
  });

  test('every day of the range, zeros and nulls on empty days', () => {
    expect(summary.byDay.map((d) => d.day)).toEqual(['2026-03-31', '2026-04-01', '2026-04-02']);
    expect(summary.byDay[0]).toEqual({
      day: '2026-03-31', conversations: 0, engaged: 0, resolved: 0, resolvedConfirmed: 0, resolvedAssumed: 0, referred: 0, referrals: 0, escalated: 0, abandoned: 0, tickets: 0,
      unengaged: 0, unresolved: 0, deflectionRate: null, escalationRate: null, fallbackRate: null, csat: null, avgQueueWaitSec: null, avgHandleSec: null,
    });
    expect(summary.byDay[1]).toMatchObject({ conversations: 10, engaged: 9, resolved: 4, avgQueueWaitSec: 500, avgHandleSec: 420 });
  });

  test('the monthly 020202 table with the change on the same days of last year', () => {
    expect(summary.monthly).toEqual([
      // March 2026 (only the 31st is in the range): nothing, and nothing on 31 March 2025 either.
      {
        month: '2026-03', from: '2026-03-31', to: '2026-03-31', in: 0, answeredByBot: 0, referred: 0, answeredByOperator: 0, abandoned: 0, diverted: 0, unresolved: 0, queuedToOperator: 0, avgWaitSec: null, avgHandleSec: null,
        previousYear: null, change: null, daysWithData: 0, comparedDays: 0, partialBase: false,
      },
      {
        // 9 engaged = 4 by the bot + 1 by an operator + 1 abandoned + 1 diverted + 2 unresolved; 3 queued for an operator.
        month: '2026-04', from: '2026-04-01', to: '2026-04-02', in: 9, answeredByBot: 4, referred: 0, answeredByOperator: 1, abandoned: 1, diverted: 1, unresolved: 2, queuedToOperator: 3, avgWaitSec: 500, avgHandleSec: 420,
        previousYear: { in: 6, answeredByBot: 3, referred: 0, answeredByOperator: 2, abandoned: 0, diverted: 1, unresolved: 0, queuedToOperator: 0, avgWaitSec: 200, avgHandleSec: 300 },
        // (9-6)/6 = +50 %; (4-3)/3 = +33.3 %; (1-2)/2 = -50 %; abandoned, unresolved, queued from 0: no base; diverted 1 → 1: 0 %;
        // wait 200 → 500: +150 %; handling 300 → 420: +40 %.
        change: { in: 50, answeredByBot: 33.3, referred: null, answeredByOperator: -50, abandoned: null, diverted: 0, unresolved: null, queuedToOperator: null, avgWaitSec: 150, avgHandleSec: 40 },
        daysWithData: 1, comparedDays: 1, partialBase: false,
      },
    ]);
  });

  test('knowledge gaps grouped by similarity, the biggest key leading', () => {
    // "bici dove lascio rubata" and "bici dove portarla ritrovata rubata" share 3 of 6 words: Jaccard 0.5,
    // under the 0.6 of near-identical questions (that much would also merge "orari piscina comunale"
    // with "orari biblioteca comunale"), so they stay two gaps.
    expect(summary.knowledgeGaps).toEqual([
      { language: 'it', key: 'bici dove lascio rubata', count: 1, examples: ['dove lascio la bici rubata'] },
      { language: 'it', key: 'bici dove portarla ritrovata rubata', count: 1, examples: ['bici rubata ritrovata dove portarla'] },
      { language: 'it', key: 'comunale orari piscina', count: 1, examples: ['orari piscina comunale'] },
      { language: 'it', key: 'permesso residenti ztl', count: 1, examples: ['permesso ZTL per [EMAIL] residenti'] },
    ]);
  });

  test('an inverted or malformed range is refused', () => {
    expect(() => summarize([], [], { from: '2026-04-02', to: '2026-04-01', previousYearRows: [], topicTitle })).toThrow(/from not after to/);
  });
});

describe('summaryCsv', () => {
  test('a header and one row per day, values equal to byDay', async () => {
    const summary = await workedSummary();
    const csv = summaryCsv(summary);
    expect(csv.endsWith('\r\n')).toBe(true);
    const lines = csv.slice(0, -2).split('\r\n');
    expect(lines[0]).toBe('day,conversations,engaged,resolved,resolved_confirmed,resolved_assumed,escalated,abandoned,tickets,unengaged,deflection_rate,escalation_rate,fallback_rate,csat,avg_queue_wait_sec,avg_handle_sec,referred,referral_turns');
    expect(lines).toHaveLength(1 + summary.byDay.length);
    expect(lines[1]).toBe('2026-03-31,0,0,0,0,0,0,0,0,0,,,,,,,0,0');
    expect(lines[2]).toBe('2026-04-01,10,9,4,1,3,1,1,1,1,0.4444,0.1111,0.4000,0.6667,500,420,0,0');
    summary.byDay.forEach((day, i) => {
      const cells = lines[i + 1]!.split(',');
      expect(cells[0]).toBe(day.day);
      expect(Number(cells[1])).toBe(day.conversations);
      expect(cells[10] === '' ? null : Number(cells[10])).toBe(day.deflectionRate === null ? null : Number(day.deflectionRate.toFixed(4)));
      expect(cells[15] === '' ? null : Number(cells[15])).toBe(day.avgHandleSec);
    });
  });

  test('fields with commas, quotes or line breaks are quoted as RFC 4180 says', async () => {
    const { csvField } = await import('../../src/analytics/csv');
    expect(csvField('plain')).toBe('plain');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('two\nlines')).toBe('"two\nlines"');
  });
});

describe('p90FromBuckets', () => {
  test('the upper bound of the bucket holding the 90th percentile', () => {
    // 10 waits: rank ceil(9) = 9; running 5 (≤30), 9 (≤60) → 60.
    expect(p90FromBuckets({ wait_le_30: 5, wait_le_60: 4, wait_le_120: 1 }, 'wait')).toBe(60);
    // 10 waits: 8 within 30, then 2 in ≤600: the 9th is in ≤600.
    expect(p90FromBuckets({ wait_le_30: 8, wait_le_600: 2 }, 'wait')).toBe(600);
    // A single wait: its own bucket.
    expect(p90FromBuckets({ wait_le_1800: 1 }, 'wait')).toBe(1800);
    // The open bucket reports the last bound: an hour or more.
    expect(p90FromBuckets({ wait_le_30: 1, wait_le_inf: 9 }, 'wait')).toBe(3600);
    expect(p90FromBuckets({ handle_le_120: 3 }, 'handle')).toBe(120);
    expect(p90FromBuckets({}, 'wait')).toBeNull();
  });
});

describe('groupGaps', () => {
  test('Jaccard similarity of word sets', () => {
    expect(jaccard(new Set(['a', 'b']), new Set(['b', 'c']))).toBeCloseTo(1 / 3, 12);
    expect(jaccard(new Set(['a', 'b', 'c']), new Set(['a', 'b', 'd']))).toBe(0.5);
    expect(jaccard(new Set(), new Set())).toBe(0);
  });

  test('greedy, biggest first, compared with the leader; counts summed; at most 5 examples', () => {
    // By count: comunale-orari-piscina (5) leads; cimitero-orari (3) is its own; orari-piscina (2) joins the
    // leader (2 of 3 words); comunale-estivi-orari-piscina (1) too (3 of 4), its examples past the 5th dropped.
    const grouped = groupGaps([
      { language: 'it', key: 'orari piscina', count: 2, examples: ['orari piscina?', 'p1', 'p2'] },
      { language: 'it', key: 'comunale orari piscina', count: 5, examples: ['orari piscina comunale', 'p3'] },
      // {comunale, orari, piscina} vs {comunale, estivi, orari, piscina}: 3/4 → joins the leader.
      { language: 'it', key: 'comunale estivi orari piscina', count: 1, examples: ['orari estivi piscina comunale', 'p4'] },
      // vs the leader: {orari} of {cimitero, comunale, orari, piscina}, 1/4 → a group of its own.
      { language: 'it', key: 'cimitero orari', count: 3, examples: ['orari cimitero'] },
      // The same words in English are another language: never merged with Italian.
      { language: 'en', key: 'comunale orari piscina', count: 1, examples: ['x'] },
    ]);
    expect(grouped).toEqual([
      { language: 'it', key: 'comunale orari piscina', count: 8, examples: ['orari piscina comunale', 'p3', 'orari piscina?', 'p1', 'p2'] },
      { language: 'it', key: 'cimitero orari', count: 3, examples: ['orari cimitero'] },
      { language: 'en', key: 'comunale orari piscina', count: 1, examples: ['x'] },
    ]);
  });
});
