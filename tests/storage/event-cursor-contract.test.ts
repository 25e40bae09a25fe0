import { rmSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { StorageBackend } from '../../src/storage/ports';
import { migrate } from '../../src/storage/sqlite/migrations';
import { openSqliteBackend, SQLITE_FILE } from '../../src/storage/sqlite/sqlite-backend';
import { event } from '../fixtures/events';
import { tempDataDir } from '../fixtures/runtime';
import { adapters } from './adapters';

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe.each(adapters)('events stored since: %s', (_name, open) => {
  let backend: StorageBackend;
  let cleanup: () => Promise<void>;
  beforeEach(async () => {
    ({ backend, cleanup } = await open());
  });
  afterEach(async () => {
    await backend.close();
    await cleanup();
  });

  test('events come in the order they were stored, with the store time, whatever their turn time', async () => {
    const before = Date.now();
    const newer = event('a', '2026-04-01T10:00:00.000Z');
    await backend.events.append([newer]);
    await pause(5);
    // Held in an outage buffer: an old turn stored later.
    const late = event('b', '2026-04-01T09:00:00.000Z');
    await backend.events.append([late]);
    const after = Date.now();

    const stored = await backend.events.storedSince(new Date(before), 10);
    expect(stored.map((s) => s.event)).toEqual([newer, late]);
    for (const s of stored) {
      expect(s.storedAt.getTime()).toBeGreaterThanOrEqual(before);
      expect(s.storedAt.getTime()).toBeLessThanOrEqual(after);
    }
    const lateAt = stored[1]?.storedAt as Date;
    expect((await backend.events.storedSince(lateAt, 10)).map((s) => s.event.eventId)).toEqual([late.eventId]);
    expect(await backend.events.storedSince(new Date(after + 1), 10)).toEqual([]);
  });

  test('at most limit events, the same ones in the same order on every read', async () => {
    const batch = Array.from({ length: 7 }, (_, i) => event(`c${i % 3}`, `2026-04-01T10:00:0${i}.000Z`));
    await backend.events.append(batch);
    const first = await backend.events.storedSince(new Date(0), 4);
    expect(first).toHaveLength(4);
    expect(await backend.events.storedSince(new Date(0), 4)).toEqual(first);
    expect(new Set((await backend.events.storedSince(new Date(0), 100)).map((s) => s.event.eventId))).toEqual(new Set(batch.map((e) => e.eventId)));
  });

  test('a batch retried later keeps the time its events were first stored', async () => {
    const batch = [event('a', '2026-04-01T10:00:00.000Z')];
    await backend.events.append(batch);
    const [first] = await backend.events.storedSince(new Date(0), 10);
    await pause(5);
    await backend.events.append(batch);
    expect(await backend.events.storedSince(new Date(0), 10)).toEqual([first]);
  });
});

describe('events stored before the store time existed', () => {
  test('SQLite migration 9 gives them their turn time as the store time', async () => {
    const dir = tempDataDir();
    try {
      const db = new Database(path.join(dir, SQLITE_FILE));
      expect(migrate(db, 8)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
      const old = event('a', '2026-03-01T08:00:00.000Z');
      db.prepare('INSERT INTO events (event_id, ts_ms, conversation_id, body) VALUES (?, ?, ?, ?)').run(old.eventId, Date.parse(old.ts), old.conversationId, JSON.stringify(old));
      db.close();

      const backend = openSqliteBackend(dir);
      try {
        expect(await backend.events.storedSince(new Date(0), 10)).toEqual([{ event: old, storedAt: new Date(old.ts) }]);
        expect(await backend.events.storedSince(new Date('2026-03-01T08:00:00.001Z'), 10)).toEqual([]);
      } finally {
        await backend.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
