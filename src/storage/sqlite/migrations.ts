import type Database from 'better-sqlite3';

/**
 * Versioned schema migrations, applied in order at start-up, each in its own transaction.
 * Never edit a migration that has shipped: add the next one.
 */
const MIGRATIONS: readonly { version: number; name: string; sql: string }[] = [
  {
    version: 1,
    name: 'state and interaction events',
    sql: `
      CREATE TABLE state (key TEXT PRIMARY KEY, etag TEXT NOT NULL, data TEXT NOT NULL, updated_at TEXT NOT NULL);
      CREATE TABLE events (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        event_id TEXT NOT NULL UNIQUE,
        ts_ms INTEGER NOT NULL,
        conversation_id TEXT NOT NULL,
        body TEXT NOT NULL
      );
      CREATE INDEX events_ts ON events (ts_ms);
      CREATE INDEX events_conversation ON events (conversation_id, ts_ms);
    `,
  },
  {
    version: 2,
    name: 'counters, tickets and operator accounts',
    sql: `
      CREATE TABLE counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
      CREATE TABLE tickets (
        reference TEXT PRIMARY KEY,
        created_at TEXT NOT NULL,
        conversation_id TEXT NOT NULL,
        channel TEXT NOT NULL,
        language TEXT NOT NULL CHECK (language IN ('it', 'en')),
        topic_id TEXT,
        contact_email TEXT NOT NULL,
        description TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('open', 'closed')),
        closed_at TEXT,
        closed_by TEXT
      );
      CREATE INDEX tickets_status_created ON tickets (status, created_at);
      CREATE TABLE operators (
        name TEXT PRIMARY KEY,
        role TEXT NOT NULL CHECK (role IN ('operator', 'supervisor')),
        password_hash TEXT NOT NULL,
        created_at TEXT NOT NULL,
        max_concurrent INTEGER NOT NULL DEFAULT 3,
        disabled INTEGER NOT NULL DEFAULT 0
      );
    `,
  },
  {
    version: 3,
    name: 'handoff sessions and their live messages',
    sql: `
      CREATE TABLE handoff_sessions (
        id TEXT PRIMARY KEY,
        channel TEXT NOT NULL,
        conversation_id TEXT NOT NULL,
        state TEXT NOT NULL CHECK (state IN ('queued', 'connected', 'closed', 'abandoned', 'ticket')),
        queued_at TEXT NOT NULL,
        operator TEXT,
        connected_at TEXT,
        ended_at TEXT,
        outcome TEXT,
        phone_code TEXT NOT NULL,
        body TEXT NOT NULL
      );
      CREATE INDEX handoff_sessions_state_queued ON handoff_sessions (state, queued_at);
      CREATE INDEX handoff_sessions_conversation ON handoff_sessions (channel, conversation_id, state);
      CREATE INDEX handoff_sessions_phone_code ON handoff_sessions (phone_code, state);
      CREATE INDEX handoff_sessions_ended ON handoff_sessions (ended_at);
      CREATE TABLE handoff_messages (
        session_id TEXT NOT NULL,
        seq INTEGER NOT NULL,
        body TEXT NOT NULL,
        PRIMARY KEY (session_id, seq)
      );
    `,
  },
  {
    version: 4,
    name: 'analytics rollups, knowledge gaps and the aggregator checkpoint',
    sql: `
      CREATE TABLE rollups (
        day TEXT NOT NULL,
        channel TEXT NOT NULL,
        language TEXT NOT NULL,
        topic_id TEXT NOT NULL DEFAULT '',
        counter TEXT NOT NULL,
        value NUMERIC NOT NULL,
        PRIMARY KEY (day, channel, language, topic_id, counter)
      ) WITHOUT ROWID;
      CREATE TABLE gaps (
        day TEXT NOT NULL,
        language TEXT NOT NULL,
        key TEXT NOT NULL,
        count INTEGER NOT NULL,
        examples TEXT NOT NULL,
        PRIMARY KEY (day, language, key)
      ) WITHOUT ROWID;
      CREATE TABLE analytics_checkpoint (id TEXT PRIMARY KEY, body TEXT NOT NULL);
    `,
  },
  {
    version: 5,
    name: 'retention of state items and lookups for access requests',
    sql: `
      CREATE INDEX state_updated ON state (updated_at);
      CREATE INDEX tickets_conversation ON tickets (conversation_id, created_at);
    `,
  },
  {
    version: 6,
    name: 'operators display name shown to citizens',
    sql: `
      ALTER TABLE operators ADD COLUMN display_name TEXT;
    `,
  },
  {
    version: 7,
    name: 'written requests answered and closed: state, answer, outcome and the answer claim',
    // SQLite cannot alter a CHECK constraint: the table is rebuilt, every row copied (status becomes state).
    sql: `
      CREATE TABLE tickets_v7 (
        reference TEXT PRIMARY KEY,
        created_at TEXT NOT NULL,
        conversation_id TEXT NOT NULL,
        channel TEXT NOT NULL,
        language TEXT NOT NULL CHECK (language IN ('it', 'en')),
        topic_id TEXT,
        contact_email TEXT NOT NULL,
        description TEXT NOT NULL,
        state TEXT NOT NULL CHECK (state IN ('open', 'answered', 'closed')),
        answer TEXT,
        answered_by TEXT,
        answered_at TEXT,
        closed_at TEXT,
        closed_by TEXT,
        outcome TEXT CHECK (outcome IS NULL OR outcome IN ('answered', 'duplicate', 'not-competent', 'no-reply-needed', 'spam')),
        close_note TEXT,
        reply_claimed_by TEXT,
        reply_claimed_at TEXT,
        transcript TEXT
      );
      INSERT INTO tickets_v7 (reference, created_at, conversation_id, channel, language, topic_id, contact_email, description, state, closed_at, closed_by)
        SELECT reference, created_at, conversation_id, channel, language, topic_id, contact_email, description, status, closed_at, closed_by FROM tickets;
      DROP TABLE tickets;
      ALTER TABLE tickets_v7 RENAME TO tickets;
      CREATE INDEX tickets_state_created ON tickets (state, created_at);
      CREATE INDEX tickets_topic_created ON tickets (topic_id, created_at);
      CREATE INDEX tickets_created ON tickets (created_at);
      CREATE INDEX tickets_conversation ON tickets (conversation_id, created_at);
    `,
  },
  {
    version: 8,
    name: 'operator workspace: canned replies, notes, callbacks and the history lookup',
    sql: `
      CREATE TABLE canned_replies (
        id TEXT PRIMARY KEY,
        title TEXT NOT NULL,
        text TEXT NOT NULL,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        updated_by TEXT NOT NULL
      );
      CREATE TABLE handoff_notes (
        id TEXT PRIMARY KEY,
        session_id TEXT NOT NULL,
        at TEXT NOT NULL,
        operator TEXT NOT NULL,
        kind TEXT NOT NULL CHECK (kind IN ('internal', 'wrap-up')),
        text TEXT NOT NULL
      );
      CREATE INDEX handoff_notes_session ON handoff_notes (session_id, at);
      CREATE INDEX handoff_notes_at ON handoff_notes (at);
      CREATE TABLE callbacks (
        id TEXT PRIMARY KEY,
        created_at TEXT NOT NULL,
        operator TEXT NOT NULL,
        channel TEXT NOT NULL,
        language TEXT NOT NULL CHECK (language IN ('it', 'en')),
        topic_id TEXT,
        description TEXT NOT NULL,
        phone_number TEXT NOT NULL,
        note TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('pending', 'done')),
        done_at TEXT,
        done_by TEXT
      );
      CREATE INDEX callbacks_status_created ON callbacks (status, created_at);
      CREATE INDEX handoff_sessions_operator_ended ON handoff_sessions (operator, ended_at);
    `,
  },
  {
    version: 9,
    name: 'interaction events: the time each was stored',
    // Rows stored before this migration take their turn's time: the nearest thing known.
    sql: `
      ALTER TABLE events ADD COLUMN stored_ms INTEGER NOT NULL DEFAULT 0;
      UPDATE events SET stored_ms = ts_ms;
      CREATE INDEX events_stored ON events (stored_ms, seq);
    `,
  },
  {
    version: 10,
    name: 'analytics: a revision per day of rollups, for the summary cache',
    // Every day already holding rollups or gaps gets revision 1; the sequence only grows from there.
    sql: `
      CREATE TABLE rollup_revisions (day TEXT PRIMARY KEY, revision INTEGER NOT NULL) WITHOUT ROWID;
      INSERT INTO rollup_revisions (day, revision) SELECT day, 1 FROM (SELECT DISTINCT day FROM rollups UNION SELECT DISTINCT day FROM gaps);
      CREATE INDEX rollup_revisions_revision ON rollup_revisions (revision);
    `,
  },
  {
    version: 11,
    name: 'operators: console tokens voided by a password change, sessions ended with "Esci"',
    sql: `
      ALTER TABLE operators ADD COLUMN signed_out_at TEXT;
      ALTER TABLE operators ADD COLUMN signed_out_sessions TEXT;
    `,
  },
];

/**
 * Applies the migrations the database has not seen, up to `upTo` (all by default: a lower
 * version builds an older schema, for upgrade tests); returns the versions applied.
 */
export function migrate(db: Database.Database, upTo = Number.POSITIVE_INFINITY): number[] {
  db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)');
  const done = new Set(db.prepare<[], { version: number }>('SELECT version FROM schema_migrations').all().map((r) => r.version));
  const applied: number[] = [];
  for (const m of MIGRATIONS) {
    if (done.has(m.version) || m.version > upTo) continue;
    db.transaction(() => {
      db.exec(m.sql);
      db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)').run(m.version, m.name, new Date().toISOString());
    })();
    applied.push(m.version);
  }
  return applied;
}

/** The newest schema version this code knows. */
export const SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1]?.version ?? 0;
