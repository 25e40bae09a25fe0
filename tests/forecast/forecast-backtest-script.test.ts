import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { romeDay } from '../../src/analytics/rome-day';
import { addDays } from '../../src/forecast/calendar-days';
import { seededRandom } from '../../src/seeded-random';
import { MongoClient } from 'mongodb';
import { openMongoBackend } from '../../src/storage/mongodb/mongodb-backend';
import type { StorageBackend } from '../../src/storage/ports';
import { openSqliteBackend } from '../../src/storage/sqlite/sqlite-backend';
import { KB_DIR } from '../fixtures/runtime';
import { syntheticRows } from './synthetic';

const run = promisify(execFile);
const ROOT = path.resolve(__dirname, '../..');
const DAYS = 154;
const mongoUri = process.env.MONGODB_URI;

/** Where the script reads: a SQLite folder always, a MongoDB database of its own when MONGODB_URI is set. */
interface Store {
  open(): Promise<StorageBackend>;
  env(): Record<string, string>;
  cleanup(): Promise<void>;
}
const stores: [string, () => Store][] = [
  [
    'sqlite',
    () => {
      const dir = mkdtempSync(path.join(os.tmpdir(), 'dialogo-backtest-'));
      return { open: async () => openSqliteBackend(dir), env: () => ({ DATA_DIR: dir, MONGODB_URI: '' }), cleanup: async () => rmSync(dir, { recursive: true, force: true }) };
    },
  ],
];
if (mongoUri) {
  stores.push([
    'mongodb',
    () => {
      const dbName = `backtest_${randomUUID().slice(0, 8)}`;
      return {
        open: () => openMongoBackend(mongoUri, dbName),
        env: () => ({ MONGODB_URI: mongoUri, MONGODB_DB: dbName }),
        cleanup: async () => {
          const client = new MongoClient(mongoUri);
          await client.db(dbName).dropDatabase().finally(() => client.close());
        },
      };
    },
  ]);
}

describe.each(stores)('npm run forecast:backtest on %s', (_name, makeStore) => {
  const store = makeStore();
  let kbDir: string;
  const from = addDays(romeDay(Date.now()), -DAYS);

  beforeAll(async () => {
    // The knowledge base with a calendar of the test's own (the script reads it as the bot does).
    kbDir = mkdtempSync(path.join(os.tmpdir(), 'dialogo-backtest-kb-'));
    cpSync(KB_DIR, kbDir, { recursive: true });
    // A deadline every four weeks on one topic, +150 % on the day: the short seed of CI.
    const deadlines = Array.from({ length: 5 }, (_, k) => addDays(from, 20 + 28 * k + (k % 3)));
    const calendar = deadlines.map((effective, k) => `  - { id: scadenza-${k}, kind: payment-deadline, published: ${addDays(effective, -10)}, effective: ${effective}, topics: [tari-pagamento], channels: [portal], notice: { it: "Scadenza.", en: "Deadline." } }`);
    writeFileSync(path.join(kbDir, 'communications.yaml'), `communications:\n${calendar.join('\n')}\n`);
    const communications = deadlines.map((effective, k) => ({ id: `scadenza-${k}`, kind: 'payment-deadline' as const, published: addDays(effective, -10), effective, topics: ['tari-pagamento'], channels: ['portal' as const], notice: { it: 'Scadenza.', en: 'Deadline.' } }));
    const rows = syntheticRows({
      from,
      days: DAYS,
      perTopic: { 'tari-pagamento': 75, 'carta-identita': 75, imu: 10 },
      calendar: communications,
      uplift: (_c, window) => (window === 'e0' ? 1.5 : window === 'e-3' ? 0.5 : 0),
      random: seededRandom(21),
      channels: ['directline', 'messenger'],
    });
    const backend = await store.open();
    await backend.rollups.apply({ increments: rows, gaps: [] });
    await backend.close();
  });
  afterAll(async () => {
    await store.cleanup();
    rmSync(kbDir, { recursive: true, force: true });
  });

  test('prints one JSON line last, with figures a forecast of Poisson demand can reach', async () => {
    const { stdout } = await run('npx', ['ts-node', '--swc', 'scripts/forecast-backtest.ts', '--origins', '3', '--step', '14'], {
      cwd: ROOT,
      env: { ...process.env, ...store.env(), KB_DIR: kbDir, NODE_ENV: 'test' },
    });
    const lines = stdout.trim().split('\n');
    const last = JSON.parse(lines[lines.length - 1]!) as Record<string, unknown>;
    expect(Object.keys(last)).toEqual(['days', 'totalWape', 'totalMase', 'seasonalNaiveWape', 'topics']);
    expect(last.days).toBe(DAYS);
    const topics = last.topics as { topicId: string; wape: number; mase: number }[];
    expect(topics.map((t) => t.topicId).sort()).toEqual(['carta-identita', 'imu', 'tari-pagamento']);
    for (const t of topics) expect(Object.keys(t)).toEqual(['topicId', 'wape', 'mase']);
    // Poisson noise alone leaves about 9 % on 75 a day; the total (about 160 a day) about 6 %.
    expect(last.totalWape).toBeLessThan(0.1);
    expect(last.totalWape).toBeLessThan(last.seasonalNaiveWape as number);
    const tari = topics.find((t) => t.topicId === 'tari-pagamento')!;
    expect(tari.wape).toBeLessThan(0.15);
    expect(tari.mase).toBeLessThan(1);
  }, 120_000);
});
