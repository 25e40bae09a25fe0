// What each analytics route reads from the rollup store: a route reads the rows it needs, once.
import { rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { CloudAdapter } from 'botbuilder';
import { mountAnalyticsApi } from '../../src/analytics/analytics-routes';
import { liveFigures } from '../../src/analytics/live';
import { createLogger } from '../../src/logger';
import { OperatorAccounts } from '../../src/operators/operator-accounts';
import { OperatorTokens } from '../../src/operators/operator-tokens';
import { createServer, type DialogoServer } from '../../src/server/create-server';
import type { RollupStore, StorageBackend } from '../../src/storage/ports';
import { openSqliteBackend } from '../../src/storage/sqlite/sqlite-backend';
import { tempDataDir } from '../fixtures/runtime';

describe('analytics routes: store reads', () => {
  let dir: string;
  let backend: StorageBackend;
  let dialogo: DialogoServer;
  let base: string;
  let supervisor: string;
  const reads: string[] = [];

  beforeAll(async () => {
    dir = tempDataDir();
    backend = openSqliteBackend(dir);
    const accounts = new OperatorAccounts(backend.operators);
    const tokens = new OperatorTokens('una-chiave-di-prova-lunga-abbastanza');
    await accounts.add('sara', 'supervisor', 'una-password-lunga', { displayName: 'Sara M.' });
    supervisor = tokens.issue('sara', 'supervisor');
    await backend.rollups.apply({ increments: [{ key: { day: '2026-11-20', channel: 'directline', language: 'it', topicId: null }, counters: { conversations: 3, engaged: 2 } }], gaps: [] });
    const store = backend.rollups;
    const rollups: RollupStore = {
      ...store,
      apply: (batch) => store.apply(batch),
      range: (from, to) => {
        reads.push(`range ${from} ${to}`);
        return store.range(from, to);
      },
      gaps: (from, to) => {
        reads.push(`gaps ${from} ${to}`);
        return store.gaps(from, to);
      },
      revisions: (from, to) => {
        reads.push(`revisions ${from} ${to}`);
        return store.revisions(from, to);
      },
      loadCheckpoint: () => {
        reads.push('checkpoint');
        return store.loadCheckpoint();
      },
    };
    dialogo = createServer({ adapter: new CloudAdapter(), botLogic: async () => undefined, readiness: () => ({ ready: true, details: {} }), logger: createLogger('silent') });
    mountAnalyticsApi(dialogo.server, {
      rollups,
      accounts,
      tokens,
      runtime: () => {
        throw new Error('the knowledge base is not needed here');
      },
      knowledgeBaseDir: dir,
      logger: createLogger('silent'),
      refresh: async () => undefined,
      now: () => new Date('2026-12-05T10:00:00Z'),
      // This process's aggregator: two conversations of today still open.
      openBeganOn: (day) => (day === '2026-12-05' ? 2 : 0),
    });
    await new Promise<void>((resolve) => dialogo.server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(dialogo.server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await dialogo.shutdown(1000);
    await backend.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('the daily CSV reads the period only: not the year to date, last year or the gaps', async () => {
    reads.length = 0;
    const response = await fetch(`${base}/api/analytics/export.csv?from=2026-11-15&to=2026-11-30`, { headers: { authorization: `Bearer ${supervisor}` } });
    expect(response.status).toBe(200);
    const lines = (await response.text()).trim().split(/\r?\n/);
    expect(lines).toHaveLength(1 + 16);
    expect(lines.find((l) => l.startsWith('2026-11-20,'))?.split(',')[1]).toBe('3');
    expect(reads).toEqual(['revisions 2026-11-15 2026-11-30', 'range 2026-11-15 2026-11-30']);
  });

  test('the monthly table exports read the year to date and last year once, not the gaps nor the knowledge base; then only the revisions', async () => {
    reads.length = 0;
    const response = await fetch(`${base}/api/analytics/monthly.csv?from=2026-11-15&to=2026-11-30`, { headers: { authorization: `Bearer ${supervisor}` } });
    expect(response.status).toBe(200);
    // The period's own days were read by the daily CSV above and have not changed since.
    expect(reads).toEqual(['revisions 2025-01-01 2025-11-30', 'range 2025-01-01 2025-11-30', 'revisions 2026-01-01 2026-11-30', 'range 2026-01-01 2026-11-14']);
    reads.length = 0;
    const xlsx = await fetch(`${base}/api/analytics/monthly.xlsx?from=2026-11-15&to=2026-11-30`, { headers: { authorization: `Bearer ${supervisor}` } });
    expect(xlsx.status).toBe(200);
    expect(reads).toEqual(['revisions 2025-01-01 2025-11-30', 'revisions 2026-01-01 2026-11-30']);
    const csv = await (await fetch(`${base}/api/analytics/monthly.csv?from=2026-11-15&to=2026-11-30`, { headers: { authorization: `Bearer ${supervisor}` } })).text();
    expect(csv.split('\r\n').find((l) => l.startsWith('Da inizio anno'))?.split(';')[1]).toBe('2'); // Entrate: the engaged conversations
  });

  test('live counts the conversations in progress from the aggregator in memory, without reading its checkpoint back', async () => {
    await backend.rollups.apply({ increments: [{ key: { day: '2026-12-05', channel: 'directline', language: 'it', topicId: null }, counters: { conversations: 5 } }], gaps: [], checkpoint: { sessions: [] } });
    reads.length = 0;
    const response = await fetch(`${base}/api/analytics/live`, { headers: { authorization: `Bearer ${supervisor}` } });
    expect(response.status).toBe(200);
    const live = (await response.json()) as { day: string; today: { conversations: number; inProgress: number; ended: number } };
    expect(live.day).toBe('2026-12-05');
    expect(live.today).toMatchObject({ conversations: 7, inProgress: 2, ended: 5 });
    expect(reads).toEqual(['range 2026-12-05 2026-12-05']);
  });

  test('live in cluster mode (no aggregator here): the conversations in progress come from the checkpoint the elected instance writes', async () => {
    const at = Date.parse('2026-12-05T09:00:00Z');
    const rollups = { range: async () => [], loadCheckpoint: async () => ({ sessions: [{ first: at }, { first: at - 86_400_000 }, { first: at, extra: 'grown field' }] }) };
    const live = await liveFigures({ rollups, now: () => new Date('2026-12-05T10:00:00Z') });
    expect(live.today).toMatchObject({ conversations: 2, inProgress: 2, ended: 0 });
    const unreadable = await liveFigures({ rollups: { ...rollups, loadCheckpoint: async () => ({ sessions: 'no' }) }, now: () => new Date('2026-12-05T10:00:00Z') });
    expect(unreadable.today.inProgress).toBe(0);
  });
});
