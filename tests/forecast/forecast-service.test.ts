import { mkdtempSync, rmSync } from 'node:fs';
import YAML from 'yaml';
import os from 'node:os';
import path from 'node:path';
import { addDays } from '../../src/forecast/calendar-days';
import { ForecastService } from '../../src/forecast/forecast-service';
import { communicationsFileSchema, type Communication } from '../../src/knowledge/communication-schema';
import { createLogger } from '../../src/logger';
import { seededRandom } from '../../src/seeded-random';
import { openSqliteBackend } from '../../src/storage/sqlite/sqlite-backend';
import type { StorageBackend } from '../../src/storage/ports';
import { syntheticRows } from './synthetic';

const CALENDAR = `communications:
  - id: tari-rata-dicembre
    kind: payment-deadline
    published: 2026-11-20
    effective: 2026-12-16
    topics: [tari-pagamento]
    channels: [portal]
    notice: { it: "Scade la rata TARI.", en: "The TARI instalment is due." }
    expectedUplift: 0.6
`;

describe('the forecast service', () => {
  let dataDir: string;
  // The calendar as the knowledge base would serve it, and its version (a reload changes it).
  let communications: readonly Communication[] = [];
  let version = 1;
  const calendar = () => ({ communications, version: String(version) });
  let backend: StorageBackend;
  let now = new Date('2026-12-05T10:00:00Z');

  beforeAll(async () => {
    dataDir = mkdtempSync(path.join(os.tmpdir(), 'dialogo-forecast-'));
    backend = openSqliteBackend(dataDir);
    const rows = syntheticRows({ from: '2026-08-01', days: 126, perTopic: { 'tari-pagamento': 40, imu: 20 }, calendar: [], uplift: () => 0, random: seededRandom(4) });
    await backend.rollups.apply({ increments: rows.map((r) => ({ key: r.key, counters: r.counters })), gaps: [] });
  });
  afterAll(async () => {
    await backend.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  test('computes six weeks from tomorrow in a worker thread, with hourly handoffs and bands', async () => {
    const service = new ForecastService({ rollups: backend.rollups, calendar, logger: createLogger('silent'), now: () => now, compute: 'worker' });
    const result = await service.current();
    expect(result.historyTo).toBe('2026-12-04');
    expect(result.from).toBe('2026-12-05');
    expect(result.to).toBe(addDays('2026-12-05', 41));
    expect(result.total).toHaveLength(42);
    expect(result.byTopic.map((t) => t.topicId)).toEqual(['tari-pagamento', 'imu']);
    expect(result.handoffsByHour).toHaveLength(42 * 24);
    expect(result.model).toMatch(/^regression; handoffs per hour: flat 08-18 office-hours profile/);
    for (const p of result.total) {
      expect(p.lower).toBeGreaterThanOrEqual(0);
      expect(p.lower).toBeLessThanOrEqual(p.mean);
      expect(p.upper).toBeGreaterThanOrEqual(p.mean);
    }
    // A Monday against a Sunday: the weekly pattern of the history (60 x 1.3 against 60 x 0.35).
    const day = (d: string) => result.total.find((p) => p.day === d)!.mean;
    expect(day('2026-12-14') / day('2026-12-13')).toBeGreaterThan(3);
    expect(service.lastRun?.days).toBe(126);
  }, 60_000);

  test('is cached for the day, and recomputed when the day or the calendar changes', async () => {
    const service = new ForecastService({ rollups: backend.rollups, calendar, logger: createLogger('silent'), now: () => now, compute: 'inline' });
    const first = await service.current();
    const [again, concurrent] = await Promise.all([service.current(), service.current()]);
    expect(again).toBe(first);
    expect(concurrent).toBe(first);
    expect(first.communications).toEqual([]);

    communications = communicationsFileSchema.parse(YAML.parse(CALENDAR)).communications;
    version += 1;
    const withCalendar = await service.current();
    expect(withCalendar).not.toBe(first);
    expect(withCalendar.communications).toEqual([
      expect.objectContaining({ id: 'tari-rata-dicembre', uplift: 0.6, upliftSource: 'planner', topics: ['tari-pagamento'] }),
    ]);
    const tari = (r: typeof first) => r.byTopic.find((t) => t.topicId === 'tari-pagamento')!.points.find((p) => p.day === '2026-12-16')!.mean;
    expect(tari(withCalendar) / tari(first)).toBeCloseTo(1.6, 2);

    now = new Date('2026-12-05T23:30:00Z'); // 00:30 on 6 December in Milan
    const tomorrow = await service.current();
    expect(tomorrow.historyTo).toBe('2026-12-05');
  });

  test('start computes nothing at once (a server that starts and stops in a test runs no model); stop ends a run in flight', async () => {
    const service = new ForecastService({ rollups: backend.rollups, calendar, logger: createLogger('silent'), now: () => now, compute: 'inline' });
    service.start();
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(service.lastRun).toBeUndefined();
    await service.stop();
    const inWorker = new ForecastService({ rollups: backend.rollups, calendar, logger: createLogger('silent'), now: () => now, compute: 'worker' });
    const pending = inWorker.current();
    await new Promise((resolve) => setTimeout(resolve, 200));
    await inWorker.stop();
    await expect(pending).rejects.toThrow(/forecast worker|forecast service is stopped/);
  }, 30_000);
});
