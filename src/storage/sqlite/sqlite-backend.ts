import { mkdirSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { Storage, StoreItems } from 'botbuilder';
import { newETag, writeAllowed } from '../etag';
import type { EventQuery, InteractionEvent } from '../interaction-event';
import { ETagConflictError, type InteractionEventStore, type StateRetention, type StorageBackend } from '../ports';
import { migrate } from './migrations';
import { sqliteHandoffStore } from './sqlite-handoff-store';
import { sqliteOperatorStore } from './sqlite-operator-store';
import { sqliteRollupStore } from './sqlite-rollup-store';
import { sqliteTicketStore } from './sqlite-ticket-store';
import { sqliteCallbackStore, sqliteCannedReplyStore, sqliteHandoffNoteStore } from './sqlite-workspace-stores';

export const SQLITE_FILE = 'dialogo.sqlite';

/**
 * The embedded default: one SQLite file under DATA_DIR, WAL mode, schema migrations applied
 * at open. better-sqlite3 is synchronous, so each method is atomic within the process; writes
 * with an eTag run in an immediate transaction, so they are atomic across processes too.
 *
 * @example
 * const backend = openSqliteBackend('data');
 * await backend.state.write({ k: { eTag: '*', n: 1 } });
 */
export function openSqliteBackend(dataDir: string, file = SQLITE_FILE): StorageBackend {
  const location = file === ':memory:' ? file : path.join(dataDir, file);
  if (location !== ':memory:') mkdirSync(dataDir, { recursive: true });
  const db = new Database(location);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('busy_timeout = 5000');
  // Deleted and replaced rows are overwritten with zeros, not left in free pages: purged or
  // resealed citizens' words must not stay readable in the file.
  db.pragma('secure_delete = ON');
  migrate(db);

  const readState = db.prepare<[string], { etag: string; data: string }>('SELECT etag, data FROM state WHERE key = ?');
  // A write checks the eTag only: reading the row's data too would load and copy the old sealed
  // item for nothing, on every write of a conversation's head or dialog state.
  const readETag = db.prepare<[string], { etag: string }>('SELECT etag FROM state WHERE key = ?');
  const upsertState = db.prepare('INSERT INTO state (key, etag, data, updated_at) VALUES (?, ?, ?, ?) ON CONFLICT(key) DO UPDATE SET etag = excluded.etag, data = excluded.data, updated_at = excluded.updated_at');
  const deleteState = db.prepare('DELETE FROM state WHERE key = ?');
  const writeMany = db.transaction((changes: StoreItems) => {
    for (const [key, item] of Object.entries(changes)) {
      const stored = readETag.get(key);
      const incoming = (item as { eTag?: unknown } | null)?.eTag;
      if (!writeAllowed(incoming, stored?.etag)) throw new ETagConflictError(key);
      const { eTag: _ignored, ...data } = (item ?? {}) as Record<string, unknown>;
      upsertState.run(key, newETag(), JSON.stringify(data), new Date().toISOString());
    }
  });

  const state: Storage = {
    async read(keys: string[]): Promise<StoreItems> {
      const items: StoreItems = {};
      for (const key of keys) {
        const row = readState.get(key);
        if (row) items[key] = { ...(JSON.parse(row.data) as object), eTag: row.etag };
      }
      return items;
    },
    async write(changes: StoreItems): Promise<void> {
      writeMany.immediate(changes);
    },
    async delete(keys: string[]): Promise<void> {
      for (const key of keys) deleteState.run(key);
    },
  };

  // updated_at is toISOString text: compared as text it orders as the instants do.
  const purgeState = db.prepare('DELETE FROM state WHERE updated_at < ?');
  const countState = db.prepare<[], { n: number }>('SELECT COUNT(*) AS n FROM state');
  // instr, not LIKE: keys may hold % and _ (and instr counts characters as SQLite does).
  const selectKeys = db.prepare<[string], { key: string }>('SELECT key FROM state WHERE instr(key, ?) = 1 ORDER BY key');
  const stateRetention: StateRetention = {
    async purgeNotUpdatedSince(before) {
      return purgeState.run(before.toISOString()).changes;
    },
    async count() {
      return countState.get()?.n ?? 0;
    },
    async keysWithPrefix(prefix) {
      return selectKeys.all(prefix).map((r) => r.key);
    },
  };

  const insertEvent = db.prepare('INSERT OR IGNORE INTO events (event_id, ts_ms, conversation_id, body, stored_ms) VALUES (?, ?, ?, ?, ?)');
  const appendMany = db.transaction((events: readonly InteractionEvent[]) => {
    const storedMs = Date.now();
    for (const e of events) insertEvent.run(e.eventId, Date.parse(e.ts), e.conversationId, JSON.stringify(e), storedMs);
  });
  const selectStored = db.prepare<[number, number], { body: string; stored_ms: number }>('SELECT body, stored_ms FROM events WHERE stored_ms >= ? ORDER BY stored_ms, seq LIMIT ?');
  const purge = db.prepare('DELETE FROM events WHERE ts_ms < ?');
  const countEvents = db.prepare<[], { n: number }>('SELECT COUNT(*) AS n FROM events');

  const events: InteractionEventStore = {
    async append(batch) {
      appendMany(batch);
    },
    async query(q: EventQuery) {
      const where: string[] = [];
      const params: (string | number)[] = [];
      if (q.from) {
        where.push('ts_ms >= ?');
        params.push(q.from.getTime());
      }
      if (q.to) {
        where.push('ts_ms < ?');
        params.push(q.to.getTime());
      }
      if (q.conversationId) {
        where.push('conversation_id = ?');
        params.push(q.conversationId);
      }
      const sql = `SELECT body FROM events ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY ts_ms, seq${q.limit ? ' LIMIT ?' : ''}`;
      if (q.limit) params.push(q.limit);
      return db
        .prepare<(string | number)[], { body: string }>(sql)
        .all(...params)
        .map((r) => JSON.parse(r.body) as InteractionEvent);
    },
    async purgeBefore(before: Date) {
      return purge.run(before.getTime()).changes;
    },
    async count() {
      return countEvents.get()?.n ?? 0;
    },
    async storedSince(from, limit) {
      return selectStored.all(from.getTime(), limit).map((r) => ({ event: JSON.parse(r.body) as InteractionEvent, storedAt: new Date(r.stored_ms) }));
    },
  };

  return {
    kind: 'sqlite',
    state,
    stateRetention,
    events,
    tickets: sqliteTicketStore(db),
    operators: sqliteOperatorStore(db),
    handoffs: sqliteHandoffStore(db),
    rollups: sqliteRollupStore(db),
    cannedReplies: sqliteCannedReplyStore(db),
    handoffNotes: sqliteHandoffNoteStore(db),
    callbacks: sqliteCallbackStore(db),
    async ping() {
      db.prepare('SELECT 1').get();
    },
    async close() {
      if (db.open) db.close();
    },
  };
}
