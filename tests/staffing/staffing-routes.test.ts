import { rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { CloudAdapter } from 'botbuilder';
import type { ForecastResult, HourlyPoint } from '../../src/forecast/forecast-types';
import { createLogger } from '../../src/logger';
import { OperatorAccounts } from '../../src/operators/operator-accounts';
import { OperatorTokens } from '../../src/operators/operator-tokens';
import { createServer, type DialogoServer } from '../../src/server/create-server';
import { StaffingPlanStore, WEEKDAYS } from '../../src/staffing/staffing-plan';
import { mountStaffingApi, staffingModelSource, typicalChatsPerOperator } from '../../src/staffing/staffing-routes';
import type { RollupStore, StorageBackend } from '../../src/storage/ports';
import { openSqliteBackend } from '../../src/storage/sqlite/sqlite-backend';
import { tempDataDir } from '../fixtures/runtime';

const PASSWORD = 'una-password-lunga';
const NOW = new Date('2026-12-05T10:00:00Z');
const row = (n: number) => Array.from({ length: 24 }, (_, h) => (h >= 8 && h < 18 ? n : 0));
const weekly = Object.fromEntries(WEEKDAYS.map((d) => [d, row(4)]));

/** A forecast built by hand: two days, 30 handoffs an hour from 8 to 18 (a test fixture, not the forecast service). */
function forecastFixture(): ForecastResult {
  const handoffsByHour: HourlyPoint[] = [];
  for (const day of ['2026-12-07', '2026-12-08']) {
    for (let hour = 0; hour < 24; hour++) {
      const mean = hour >= 8 && hour < 18 ? 30 : 0;
      handoffsByHour.push({ day, hour, mean, lower: mean * 0.7, upper: mean * 1.4 });
    }
  }
  return { generatedAt: NOW.toISOString(), historyTo: '2026-12-04', from: '2026-12-07', to: '2026-12-08', interval: 0.8, model: 'regression', total: [], byTopic: [], byChannel: [], handoffsByHour, communications: [] };
}

describe('the staffing API', () => {
  let dir: string;
  let backend: StorageBackend;
  let dialogo: DialogoServer;
  let base: string;
  let supervisor: string;
  let operator: string;
  let forecastFails = false;

  beforeAll(async () => {
    dir = tempDataDir();
    backend = openSqliteBackend(dir);
    const accounts = new OperatorAccounts(backend.operators);
    const tokens = new OperatorTokens('una-chiave-di-prova-lunga-abbastanza');
    await accounts.add('sara', 'supervisor', PASSWORD, { displayName: 'Sara M.' });
    await accounts.add('giulia', 'operator', PASSWORD, { displayName: 'Giulia B.', maxConcurrent: 2 });
    await accounts.add('marco', 'operator', PASSWORD, { displayName: 'Marco R.', maxConcurrent: 2 });
    await accounts.add('anna', 'operator', PASSWORD, { displayName: 'Anna V.', maxConcurrent: 4 });
    supervisor = tokens.issue('sara', 'supervisor');
    operator = tokens.issue('giulia', 'operator');
    // 4 weeks of rollups: 200 handled in 60,000 s (300 s each), 40 abandoned after 4,800 s of waiting in all (120 s patience).
    await backend.rollups.apply({ increments: [{ key: { day: '2026-11-20', channel: 'directline', language: 'it', topicId: null }, counters: { handleSecSum: 60_000, handleCount: 200, waitSecSum: 4_800, handoffsAbandoned: 40 } }], gaps: [] });
    dialogo = createServer({ adapter: new CloudAdapter(), botLogic: async () => undefined, readiness: () => ({ ready: true, details: {} }), logger: createLogger('silent') });
    mountStaffingApi(dialogo.server, {
      forecast: async () => {
        if (forecastFails) throw new Error('no history yet');
        return forecastFixture();
      },
      rollups: backend.rollups,
      plans: new StaffingPlanStore(backend.state, () => NOW),
      accounts,
      tokens,
      settings: { target: { share: 0.85, withinSec: 30 }, shrinkage: 0.3 },
      logger: createLogger('silent'),
      now: () => NOW,
    });
    await new Promise<void>((resolve) => dialogo.server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(dialogo.server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await dialogo.shutdown(1000);
    await backend.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const get = (token?: string) => fetch(`${base}/api/analytics/staffing`, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  const put = (body: unknown, token = supervisor) =>
    fetch(`${base}/api/analytics/staffing-plan`, { method: 'PUT', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: typeof body === 'string' ? body : JSON.stringify(body) });

  test('only supervisors: no token 401, an operator 403, for reading and for saving', async () => {
    expect((await get()).status).toBe(401);
    expect((await get(operator)).status).toBe(403);
    expect((await put({ weekly }, operator)).status).toBe(403);
  });

  test('operators needed per hour from the forecast, the measured handling time and patience, 2 chats each (the median of the operators)', async () => {
    const response = await get(supervisor);
    expect(response.status).toBe(200);
    const body = (await response.json()) as any;
    expect(body).toMatchObject({ from: '2026-12-07', to: '2026-12-08', model: 'erlang-a', chatsPerOperator: 2, shrinkage: 0.3, target: { share: 0.85, withinSec: 30 }, plan: null });
    expect(body.queue).toMatchObject({ handleSec: 300, patienceSec: 120, handleSource: 'measured' });
    expect(body.hours).toHaveLength(48);
    const nine = body.hours.find((h: any) => h.day === '2026-12-07' && h.hour === 9);
    const night = body.hours.find((h: any) => h.day === '2026-12-07' && h.hour === 3);
    expect(nine.slotsNeeded).toBeGreaterThan(2); // 30 an hour × 300 s = 2.5 Erlangs
    expect(nine).toMatchObject({ handoffs: 30, operatorsOnDuty: Math.ceil(nine.slotsNeeded / 2), planned: null, status: 'no-plan', plannedServiceLevel: null });
    expect(night).toMatchObject({ handoffs: 0, operatorsNeeded: 0 });
  });

  test('a saved plan is compared hour by hour: under, well or over staffed, with the service level it gives', async () => {
    const dates = { '2026-12-08': row(20) };
    const saved = await put({ weekly, dates });
    expect(saved.status).toBe(200);
    expect(await saved.json()).toMatchObject({ updatedBy: 'sara', updatedAt: NOW.toISOString(), dates });
    const body = (await (await get(supervisor)).json()) as any;
    const monday = body.hours.find((h: any) => h.day === '2026-12-07' && h.hour === 9);
    const tuesday = body.hours.find((h: any) => h.day === '2026-12-08' && h.hour === 9);
    expect(monday.planned).toBe(4);
    expect(tuesday.planned).toBe(20);
    expect(monday.status).toBe(monday.planned < monday.operatorsNeeded ? 'under' : 'well');
    expect(tuesday.status).toBe('over');
    expect(tuesday.plannedServiceLevel).toBeGreaterThan(monday.plannedServiceLevel);
    expect(body.plan.weekly.mon).toEqual(row(4));
  });

  test('hostile plans change nothing: bad shape 400 with the field, not JSON 400, too large 413', async () => {
    const before = (await (await get(supervisor)).json()) as any;
    const bad = await put({ weekly: { ...weekly, mon: row(1).slice(2) } });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as any).error.details.join(' ')).toMatch(/weekly\.mon: must hold 24 hours/);
    expect((await put('{"weekly": ')).status).toBe(400);
    expect((await put({ weekly, dates: { padding: 'x'.repeat(70_000) } })).status).toBe(413);
    expect((await put({ weekly: { ...weekly, sun: row(1e9) } })).status).toBe(400);
    const impossible = await put({ weekly, dates: { '2026-13-01': row(1) } });
    expect(impossible.status).toBe(400);
    expect(((await impossible.json()) as any).error.details).toEqual(['dates.2026-13-01: is not a real date']);
    const after = (await (await get(supervisor)).json()) as any;
    expect(after.plan).toEqual(before.plan);
  });

  test('no forecast yet: 503 with the catalogue’s code, not a crash', async () => {
    forecastFails = true;
    try {
      const response = await get(supervisor);
      expect(response.status).toBe(503);
      expect(((await response.json()) as any).error.code).toBe('FORECAST_UNAVAILABLE');
    } finally {
      forecastFails = false;
    }
  });
});

describe('typicalChatsPerOperator', () => {
  test('the median of enabled operators’ limits, 3 when there is no operator', async () => {
    const list = (views: { role: 'operator' | 'supervisor'; maxConcurrent: number; disabled?: boolean }[]) => ({ list: async () => views }) as unknown as OperatorAccounts;
    expect(await typicalChatsPerOperator(list([]))).toBe(3);
    expect(await typicalChatsPerOperator(list([{ role: 'operator', maxConcurrent: 1 }, { role: 'operator', maxConcurrent: 4 }, { role: 'operator', maxConcurrent: 2 }, { role: 'supervisor', maxConcurrent: 9 }, { role: 'operator', maxConcurrent: 9, disabled: true }]))).toBe(2);
  });
});

describe('staffingModelSource', () => {
  test('reads the rollups once per Europe/Rome day, the accounts on every call, and does not keep a failed read', async () => {
    const accounts = { list: async () => [{ role: 'operator', maxConcurrent: 2 }] } as unknown as OperatorAccounts;
    const reads: string[][] = [];
    let failNext = false;
    const rollups = {
      range: async (from: string, to: string) => {
        reads.push([from, to]);
        if (failNext) {
          failNext = false;
          throw new Error('store down');
        }
        return [{ key: { day: from, channel: 'directline', language: 'it', topicId: null }, counters: { handleSecSum: 3_000, handleCount: 10 } }];
      },
    } as unknown as RollupStore;
    let now = new Date('2026-12-05T10:00:00Z');
    const model = staffingModelSource({ rollups, accounts, settings: { target: { share: 0.85, withinSec: 30 }, shrinkage: 0.3 }, now: () => now });

    expect((await model()).queue.handleSec).toBe(300);
    now = new Date('2026-12-05T22:59:00Z'); // 23:59 in Rome: still 5 December
    await model();
    expect(reads).toEqual([['2026-11-07', '2026-12-04']]);

    now = new Date('2026-12-05T23:01:00Z'); // 00:01 on 6 December in Rome
    failNext = true;
    await expect(model()).rejects.toThrow('store down');
    expect((await model()).settings.chatsPerOperator).toBe(2);
    expect(reads).toEqual([['2026-11-07', '2026-12-04'], ['2026-11-08', '2026-12-05'], ['2026-11-08', '2026-12-05']]);
  });
});
