// `npm run analytics:rebuild` as the city's IT runs it: it says which days it recomputes and which
// it keeps before it starts, --dry-run changes nothing, and the rollups of days whose events are
// gone stay as they were.
import { execFile } from 'node:child_process';
import { rmSync } from 'node:fs';
import path from 'node:path';
import type { InteractionEvent } from '../../src/storage/interaction-event';
import type { RollupRow } from '../../src/storage/ports';
import { openSqliteBackend } from '../../src/storage/sqlite/sqlite-backend';
import { tempDataDir } from '../fixtures/runtime';

const ROOT = path.resolve(__dirname, '../..');
const DAY_MS = 86_400_000;

function run(dataDir: string, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const { MONGODB_URI: _notThisStore, ...env } = process.env;
  return new Promise((resolve) => {
    execFile(path.join(ROOT, 'node_modules/.bin/ts-node'), ['--swc', 'scripts/analytics-rebuild.ts', ...args], { cwd: ROOT, env: { ...env, DATA_DIR: dataDir, RETENTION_DAYS: '30' } }, (error, stdout, stderr) => {
      resolve({ code: error ? Number(error.code) : 0, stdout, stderr });
    });
  });
}

/** Two citizens at 10:00 UTC, three days ago, each answered once. */
function events(): InteractionEvent[] {
  const at = new Date(Date.now() - 3 * DAY_MS);
  at.setUTCHours(10, 0, 0, 0);
  return [0, 1].map((c) => ({
    eventId: `e${c}`, conversationId: `c${c}`, ts: new Date(at.getTime() + c * 60_000).toISOString(), channel: 'directline', language: 'it', activityType: 'message',
    text: 'quanto costa la carta di identità', outcome: 'answered', topicId: 'carta-identita', answerTopicId: 'carta-identita', handoff: null, confidence: 0.9, feedback: null, latencyMs: 1,
  }));
}

describe('npm run analytics:rebuild', () => {
  jest.setTimeout(60_000);
  let dir: string;
  const old: RollupRow = { key: { day: '2024-03-01', channel: 'directline', language: 'it', topicId: 'imu' }, counters: { conversations: 7 } };
  const eventDay = () => events()[0]!.ts.slice(0, 10);

  beforeEach(async () => {
    dir = tempDataDir();
    const backend = openSqliteBackend(dir);
    await backend.events.append(events());
    // A rollup of a day long before any stored event, and a wrong one on the events' day.
    await backend.rollups.apply({ increments: [{ key: old.key, counters: old.counters }, { key: { ...old.key, day: eventDay(), topicId: 'carta-identita' }, counters: { conversations: 99 } }], gaps: [] });
    await backend.close();
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const rollups = async (): Promise<readonly RollupRow[]> => {
    const backend = openSqliteBackend(dir);
    try {
      return await backend.rollups.range('2024-01-01', '2099-12-31');
    } finally {
      await backend.close();
    }
  };

  test('--dry-run says which days it would recompute and which it keeps, and changes nothing', async () => {
    const before = await rollups();
    const result = await run(dir, '--dry-run');
    expect(result.code).toBe(0);
    const day = eventDay();
    expect(result.stdout.trim()).toMatch(
      new RegExp(`^analytics:rebuild: recomputing the rollups of ${day} and after \\(oldest stored event ${events()[0]!.ts.replace(/\./g, '\\.')}; retention 30 days, cutoff \\d{4}-\\d{2}-\\d{2}T[\\d:.]+Z\\); the rollups before ${day} are kept as they are$`),
    );
    expect(await rollups()).toEqual(before);
  });

  test('says so before it starts, then recomputes the stored days and keeps the older rollups', async () => {
    const result = await run(dir);
    expect(result.code).toBe(0);
    const [plan, summary, ...rest] = result.stdout.trim().split('\n');
    expect(rest).toEqual([]);
    expect(plan).toMatch(new RegExp(`^analytics:rebuild: recomputing the rollups of ${eventDay()} and after .*the rollups before ${eventDay()} are kept as they are$`));
    expect(JSON.parse(summary!)).toMatchObject({ store: 'sqlite', firstDay: eventDay(), events: 2, conversations: 2 });
    const after = await rollups();
    expect(after).toContainEqual(old);
    const recomputed = after.filter((r) => r.key.day === eventDay());
    expect(recomputed.reduce((s, r) => s + (r.counters.conversations ?? 0), 0)).toBe(2);
  });

  test('an unknown argument is a usage error that touches nothing', async () => {
    const before = await rollups();
    const result = await run(dir, '--all');
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/usage: npm run analytics:rebuild \[-- --dry-run\]/);
    expect(await rollups()).toEqual(before);
  });
});
