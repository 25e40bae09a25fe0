// RollupStore.revisions, the same on both stores: a day's revision changes with anything of the
// day, and only then, and never comes back to a value it had (src/analytics/rollup-day-cache.ts
// trusts a day it holds while its revision stays).
import { rmSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { RollupKey, StorageBackend } from '../../src/storage/ports';
import { openSqliteBackend, SQLITE_FILE } from '../../src/storage/sqlite/sqlite-backend';
import { migrate } from '../../src/storage/sqlite/migrations';
import { tempDataDir } from '../fixtures/runtime';
import { adapters, type OpenedAdapter } from './adapters';

const key = (day: string): RollupKey => ({ day, channel: 'directline', language: 'it', topicId: null });

describe.each(adapters)('rollup revisions contract: %s', (_name, open) => {
  let opened: OpenedAdapter;
  let backend: StorageBackend;
  beforeEach(async () => {
    opened = await open();
    backend = opened.backend;
  });
  afterEach(async () => {
    await backend.close();
    await opened.cleanup();
  });

  test('a batch changes the revisions of the days it writes, counters or gaps, and of no other day', async () => {
    expect(await backend.rollups.revisions('2026-04-01', '2026-04-30')).toEqual(new Map());
    await backend.rollups.apply({ increments: [{ key: key('2026-04-01'), counters: { turns: 1 } }], gaps: [{ day: '2026-04-02', language: 'it', key: 'bici', example: 'bici' }] });
    const first = await backend.rollups.revisions('2026-04-01', '2026-04-30');
    expect([...first.keys()]).toEqual(['2026-04-01', '2026-04-02']);
    await backend.rollups.apply({ increments: [{ key: key('2026-04-02'), counters: { turns: 1 } }], gaps: [] });
    const second = await backend.rollups.revisions('2026-04-01', '2026-04-30');
    expect(second.get('2026-04-01')).toBe(first.get('2026-04-01'));
    expect(second.get('2026-04-02')).not.toBe(first.get('2026-04-02'));
    // Only the checkpoint: no day changes.
    await backend.rollups.apply({ increments: [], gaps: [], checkpoint: { version: 1, sessions: [] } });
    expect(await backend.rollups.revisions('2026-04-01', '2026-04-30')).toEqual(second);
    expect(await backend.rollups.revisions('2026-04-02', '2026-04-02')).toEqual(new Map([['2026-04-02', second.get('2026-04-02')]]));
  });

  test('clearFrom changes the days it deletes and keeps the older ones; clear changes all; no day gets back a revision it had', async () => {
    const seen = new Map<string, Set<number>>();
    const record = async () => {
      for (const [day, revision] of await backend.rollups.revisions('2026-03-01', '2026-04-30')) {
        const set = seen.get(day) ?? new Set<number>();
        expect([day, set.has(revision)]).toEqual([day, false]);
        set.add(revision);
        seen.set(day, set);
      }
    };
    const write = () => backend.rollups.apply({ increments: [{ key: key('2026-03-31'), counters: { turns: 1 } }, { key: key('2026-04-01'), counters: { turns: 1 } }], gaps: [] });
    await write();
    await record();
    const before = await backend.rollups.revisions('2026-03-31', '2026-03-31');
    await backend.rollups.clearFrom('2026-04-01');
    expect(await backend.rollups.revisions('2026-03-31', '2026-03-31')).toEqual(before);
    const cleared = await backend.rollups.revisions('2026-04-01', '2026-04-01');
    expect(cleared.get('2026-04-01')).not.toBe((await backend.rollups.revisions('2026-03-31', '2026-04-01')).get('2026-03-31'));
    seen.get('2026-04-01')?.add(cleared.get('2026-04-01') ?? -1);
    await write();
    await record();
    await backend.rollups.clear();
    await record();
    await write();
    await record();
    expect(seen.get('2026-03-31')?.size).toBe(4);
    expect(seen.get('2026-04-01')?.size).toBe(5);
  });
});

describe('rollups stored before the revisions existed', () => {
  test('SQLite migration 10 gives every day with rollups or gaps a revision', async () => {
    const dir = tempDataDir();
    try {
      const db = new Database(path.join(dir, SQLITE_FILE));
      expect(migrate(db, 9)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
      db.prepare("INSERT INTO rollups (day, channel, language, topic_id, counter, value) VALUES ('2026-04-01', 'directline', 'it', '', 'turns', 2)").run();
      db.prepare("INSERT INTO gaps (day, language, key, count, examples) VALUES ('2026-04-03', 'it', 'bici', 1, '[]')").run();
      db.close();

      const backend = openSqliteBackend(dir);
      try {
        const migrated = await backend.rollups.revisions('2026-04-01', '2026-04-30');
        expect([...migrated.keys()]).toEqual(['2026-04-01', '2026-04-03']);
        await backend.rollups.clear();
        const cleared = await backend.rollups.revisions('2026-04-01', '2026-04-30');
        expect(cleared.get('2026-04-01')).not.toBe(migrated.get('2026-04-01'));
      } finally {
        await backend.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
