import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import restify from 'restify';
import { FORECAST_ROUTE, mountForecastApi } from '../../src/forecast/forecast-routes';
import type { ForecastResult } from '../../src/forecast/forecast-types';
import { createLogger } from '../../src/logger';
import { OperatorAccounts } from '../../src/operators/operator-accounts';
import { OperatorTokens } from '../../src/operators/operator-tokens';
import type { StorageBackend } from '../../src/storage/ports';
import { openSqliteBackend } from '../../src/storage/sqlite/sqlite-backend';

const PASSWORD = 'una-password-lunga';
const point = (day: string, mean: number) => ({ day, mean, lower: mean - 1, upper: mean + 1 });
const RESULT: ForecastResult = {
  generatedAt: '2026-12-05T10:00:00.000Z',
  historyTo: '2026-12-04',
  from: '2026-12-05',
  to: '2026-12-07',
  interval: 0.8,
  model: 'regression',
  total: [point('2026-12-05', 10), point('2026-12-06', 5), point('2026-12-07', 12)],
  byTopic: [
    { topicId: 'imu', points: [point('2026-12-05', 6), point('2026-12-06', 3), point('2026-12-07', 7)] },
    { topicId: 'tari-pagamento', points: [point('2026-12-05', 4), point('2026-12-06', 2), point('2026-12-07', 5)] },
  ],
  byChannel: [{ channel: 'directline', points: [point('2026-12-05', 10), point('2026-12-06', 5), point('2026-12-07', 12)] }],
  handoffsByHour: [{ ...point('2026-12-05', 1), hour: 9 }, { ...point('2026-12-07', 2), hour: 9 }],
  communications: [],
};

describe('GET /api/analytics/forecast', () => {
  let dataDir: string;
  let backend: StorageBackend;
  let server: restify.Server;
  let base: string;
  let failure: Error | undefined;
  const tokens = new OperatorTokens('a-test-secret-of-enough-length-0123456789');

  beforeAll(async () => {
    dataDir = mkdtempSync(path.join(os.tmpdir(), 'dialogo-forecast-route-'));
    backend = openSqliteBackend(dataDir);
    const accounts = new OperatorAccounts(backend.operators);
    await accounts.add('sara', 'supervisor', PASSWORD, { displayName: 'Sara M.' });
    await accounts.add('giulia', 'operator', PASSWORD, { displayName: 'Giulia B.' });
    server = restify.createServer();
    mountForecastApi(server, {
      forecast: { current: async () => { if (failure) throw failure; return RESULT; } },
      accounts,
      tokens,
      logger: createLogger('silent'),
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}${FORECAST_ROUTE}`;
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await backend.close();
    rmSync(dataDir, { recursive: true, force: true });
  });
  afterEach(() => {
    failure = undefined;
  });

  const get = (query: string, who?: 'sara' | 'giulia') =>
    fetch(`${base}${query}`, { headers: who ? { authorization: `Bearer ${tokens.issue(who, who === 'sara' ? 'supervisor' : 'operator')}` } : {} });

  test('supervisors only: no token 401, an operator 403, a supervisor the forecast', async () => {
    expect((await get('')).status).toBe(401);
    expect((await get('', 'giulia')).status).toBe(403);
    const response = await get('', 'sara');
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual(RESULT);
  });

  test('days and topic narrow the answer', async () => {
    const body = (await (await get('?days=2&topic=imu', 'sara')).json()) as ForecastResult;
    expect(body.to).toBe('2026-12-06');
    expect(body.total.map((p) => p.day)).toEqual(['2026-12-05', '2026-12-06']);
    expect(body.byTopic).toEqual([{ topicId: 'imu', points: RESULT.byTopic[0]!.points.slice(0, 2) }]);
    expect(body.handoffsByHour).toHaveLength(1);
  });

  test.each([['?days=0'], ['?days=43'], ['?days=two'], ['?topic=IMU%20!'], ['?from=2026-01-01'], ['?days=0x10'], ['?days=1e1'], ['?days=%203'], ['?days='], ['?days=2&days=3'], ['?topic=imu&topic=tari']])('a bad query %s is a 400 naming the problem', async (query) => {
    const response = await get(query, 'sara');
    expect(response.status).toBe(400);
    const body = (await response.json()) as { error: { code: string; details: string[] } };
    expect(body.error.code).toBe('INVALID_REQUEST');
    expect(body.error.details.length).toBeGreaterThan(0);
  });

  test('no forecast is a 503 that does not show the reason', async () => {
    failure = new Error('connect ECONNREFUSED mongo-3.internal:27017');
    const hidden = await get('', 'sara');
    expect(hidden.status).toBe(503);
    expect(await hidden.text()).not.toContain('mongo-3');
  });
});
