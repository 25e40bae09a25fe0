import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { computeForecast, forecastJob } from '../../src/forecast/compute-forecast';
import { openSqliteBackend } from '../../src/storage/sqlite/sqlite-backend';

describe('computeForecast on a fresh install', () => {
  test('no history: nothing expected, and the model says there was none rather than an empty name', async () => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'dialogo-forecast-empty-'));
    const backend = openSqliteBackend(dataDir);
    try {
      const result = computeForecast(await forecastJob(backend.rollups, [], new Date('2026-12-06T14:00:00Z')));
      expect(result.byTopic).toEqual([]);
      expect(result.total.every((p) => p.mean === 0)).toBe(true);
      expect(result.model).toMatch(/^none \(no history yet\)/);
    } finally {
      await backend.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
