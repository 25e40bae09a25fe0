import type Database from 'better-sqlite3';
import { AlreadyExistsError, type CallbackRecord, type CallbackStore, type CannedReplyStore, type HandoffNoteStore } from '../ports';
import { parseCallbackRecord, parseCannedReply, parseHandoffNote } from '../workspace-schemas';

interface CannedRow {
  id: string;
  title: string;
  text: string;
  created_at: string;
  updated_at: string;
  updated_by: string;
}

interface NoteRow {
  id: string;
  session_id: string;
  at: string;
  operator: string;
  kind: string;
  text: string;
}

interface CallbackRow {
  id: string;
  created_at: string;
  operator: string;
  channel: string;
  language: string;
  topic_id: string | null;
  description: string;
  phone_number: string;
  note: string;
  status: string;
  done_at: string | null;
  done_by: string | null;
}

const cannedOf = (r: CannedRow) =>
  parseCannedReply({ id: r.id, title: r.title, text: r.text, createdAt: r.created_at, updatedAt: r.updated_at, updatedBy: r.updated_by }, `sqlite canned_replies row "${r.id}"`);

const noteOf = (r: NoteRow) => parseHandoffNote({ id: r.id, sessionId: r.session_id, at: r.at, operator: r.operator, kind: r.kind, text: r.text }, `sqlite handoff_notes row "${r.id}"`);

const callbackOf = (r: CallbackRow): CallbackRecord =>
  parseCallbackRecord(
    {
      id: r.id,
      createdAt: r.created_at,
      operator: r.operator,
      channel: r.channel,
      language: r.language,
      topicId: r.topic_id,
      description: r.description,
      phoneNumber: r.phone_number,
      note: r.note,
      status: r.status,
      doneAt: r.done_at ?? undefined,
      doneBy: r.done_by ?? undefined,
    },
    `sqlite callbacks row "${r.id}"`,
  );

/**
 * Canned replies in the `canned_replies` table (migration 8).
 *
 * @example
 * const replies = sqliteCannedReplyStore(db);
 * await replies.list();
 */
export function sqliteCannedReplyStore(db: Database.Database): CannedReplyStore {
  const insert = db.prepare('INSERT INTO canned_replies (id, title, text, created_at, updated_at, updated_by) VALUES (@id, @title, @text, @createdAt, @updatedAt, @updatedBy) ON CONFLICT(id) DO NOTHING');
  const selectAll = db.prepare<[], CannedRow>('SELECT * FROM canned_replies ORDER BY title, id');
  const selectOne = db.prepare<[string], CannedRow>('SELECT * FROM canned_replies WHERE id = ?');
  const update = db.prepare('UPDATE canned_replies SET title = @title, text = @text, updated_at = @updatedAt, updated_by = @updatedBy WHERE id = @id');
  const remove = db.prepare('DELETE FROM canned_replies WHERE id = ?');
  return {
    async list() {
      return selectAll.all().map(cannedOf);
    },
    async get(id) {
      const row = selectOne.get(id);
      return row ? cannedOf(row) : undefined;
    },
    async create(reply) {
      const r = parseCannedReply(reply, 'canned reply to create');
      if (insert.run(r).changes === 0) throw new AlreadyExistsError('canned-reply', r.id);
    },
    async update(id, change) {
      const current = selectOne.get(id);
      if (!current) return undefined;
      const next = parseCannedReply({ ...cannedOf(current), ...change, id }, `canned reply "${id}" to update`);
      if (update.run(next).changes === 0) return undefined;
      return next;
    },
    async remove(id) {
      return remove.run(id).changes === 1;
    },
  };
}

/**
 * Notes on handoff conversations in the `handoff_notes` table (migration 8).
 *
 * @example
 * const notes = sqliteHandoffNoteStore(db);
 * await notes.forSession(sessionId);
 */
export function sqliteHandoffNoteStore(db: Database.Database): HandoffNoteStore {
  const insert = db.prepare('INSERT INTO handoff_notes (id, session_id, at, operator, kind, text) VALUES (@id, @sessionId, @at, @operator, @kind, @text) ON CONFLICT(id) DO NOTHING');
  const selectFor = db.prepare<[string], NoteRow>('SELECT * FROM handoff_notes WHERE session_id = ? ORDER BY at, rowid');
  const remove = db.prepare('DELETE FROM handoff_notes WHERE id = ?');
  const purge = db.prepare('DELETE FROM handoff_notes WHERE at < ?');
  return {
    async add(note) {
      const n = parseHandoffNote(note, 'handoff note to add');
      if (insert.run(n).changes === 0) throw new AlreadyExistsError('handoff-note', n.id);
    },
    async forSession(sessionId) {
      return selectFor.all(sessionId).map(noteOf);
    },
    async remove(id) {
      return remove.run(id).changes === 1;
    },
    async purgeBefore(before) {
      return purge.run(before.toISOString()).changes;
    },
  };
}

/**
 * Callbacks in the `callbacks` table (migration 8); marking one done is one conditional `UPDATE`.
 *
 * @example
 * const callbacks = sqliteCallbackStore(db);
 * await callbacks.list('pending');
 */
export function sqliteCallbackStore(db: Database.Database): CallbackStore {
  const insert = db.prepare(
    `INSERT INTO callbacks (id, created_at, operator, channel, language, topic_id, description, phone_number, note, status, done_at, done_by)
     VALUES (@id, @createdAt, @operator, @channel, @language, @topicId, @description, @phoneNumber, @note, @status, @doneAt, @doneBy)
     ON CONFLICT(id) DO NOTHING`,
  );
  const selectOne = db.prepare<[string], CallbackRow>('SELECT * FROM callbacks WHERE id = ?');
  const selectAll = db.prepare<[], CallbackRow>('SELECT * FROM callbacks ORDER BY created_at, id');
  const selectStatus = db.prepare<[string], CallbackRow>('SELECT * FROM callbacks WHERE status = ? ORDER BY created_at, id');
  const done = db.prepare("UPDATE callbacks SET status = 'done', done_at = ?, done_by = ? WHERE id = ? AND status = 'pending'");
  const remove = db.prepare('DELETE FROM callbacks WHERE id = ?');
  const purge = db.prepare("DELETE FROM callbacks WHERE status = 'done' AND done_at < ?");
  const markDone = db.transaction((id: string, by: string, at: string) => (done.run(at, by, id).changes === 1 ? selectOne.get(id) : undefined));
  return {
    async create(callback) {
      const c = parseCallbackRecord(callback, 'callback to create');
      if (insert.run({ ...c, doneAt: c.doneAt ?? null, doneBy: c.doneBy ?? null }).changes === 0) throw new AlreadyExistsError('callback', c.id);
    },
    async get(id) {
      const row = selectOne.get(id);
      return row ? callbackOf(row) : undefined;
    },
    async list(status) {
      return (status ? selectStatus.all(status) : selectAll.all()).map(callbackOf);
    },
    async markDone(id, by, at) {
      const row = markDone.immediate(id, by, new Date(at).toISOString());
      return row ? callbackOf(row) : undefined;
    },
    async remove(id) {
      return remove.run(id).changes === 1;
    },
    async purgeDoneBefore(before) {
      return purge.run(before.toISOString()).changes;
    },
  };
}
