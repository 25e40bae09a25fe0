import type Database from 'better-sqlite3';
import { AlreadyExistsError, type HandoffSession, type HandoffStore, type TranscriptEntry } from '../ports';
import { parseHandoffSession, parseHandoffTransition, parseTranscriptEntry } from '../record-schemas';

interface SessionRow {
  id: string;
  channel: string;
  conversation_id: string;
  state: string;
  queued_at: string;
  operator: string | null;
  connected_at: string | null;
  ended_at: string | null;
  outcome: string | null;
  phone_code: string;
  body: string;
}

/** The parts of a session that never change after create, kept as JSON in `body`. */
type SessionBody = Pick<HandoffSession, 'reference' | 'language' | 'topicId' | 'description' | 'transcript'>;

/** Active means waiting for or held by an operator. */
const ACTIVE = "state IN ('queued', 'connected')";

function parseJson(text: string, where: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new Error(`invalid handoff session (${where}): body is not JSON (${(error as Error).message})`);
  }
}

function fromRow(row: SessionRow, messageBodies: readonly string[]): HandoffSession {
  const where = `sqlite handoff_sessions row "${row.id}"`;
  const body = parseJson(row.body, where);
  return parseHandoffSession(
    {
      ...(typeof body === 'object' && body !== null ? body : {}),
      id: row.id,
      channel: row.channel,
      conversationId: row.conversation_id,
      state: row.state,
      queuedAt: row.queued_at,
      operator: row.operator ?? undefined,
      connectedAt: row.connected_at ?? undefined,
      endedAt: row.ended_at ?? undefined,
      outcome: row.outcome ?? undefined,
      phoneCode: row.phone_code,
      messages: messageBodies.map((b) => parseJson(b, `${where}, handoff_messages`)),
    },
    where,
  );
}

/**
 * Handoff sessions in the `handoff_sessions` table (one row per session: what queries filter
 * on in columns, the parts that never change as JSON in `body`) and their live chat in
 * `handoff_messages`, numbered by `seq` per session. A transition is one conditional `UPDATE`
 * (the state check is in its `WHERE`) followed by a read, in an immediate transaction, so two
 * operators claiming at once, in any process, cannot both win.
 *
 * @example
 * const handoffs = sqliteHandoffStore(db);
 * const claimed = await handoffs.transition(id, ['queued'], { state: 'connected', operator: 'giulia.rossi', connectedAt: new Date().toISOString() });
 */
export function sqliteHandoffStore(db: Database.Database): HandoffStore {
  const insert = db.prepare(
    `INSERT INTO handoff_sessions (id, channel, conversation_id, state, queued_at, operator, connected_at, ended_at, outcome, phone_code, body)
     VALUES (@id, @channel, @conversationId, @state, @queuedAt, @operator, @connectedAt, @endedAt, @outcome, @phoneCode, @body)
     ON CONFLICT(id) DO NOTHING`,
  );
  const insertMessage = db.prepare('INSERT INTO handoff_messages (session_id, seq, body) VALUES (?, ?, ?)');
  // Numbered max + 1 in the same statement, and only when the session exists.
  const appendOne = db.prepare<[string, string]>(
    `INSERT INTO handoff_messages (session_id, seq, body)
     SELECT s.id, COALESCE((SELECT MAX(m.seq) FROM handoff_messages m WHERE m.session_id = s.id), 0) + 1, ?
     FROM handoff_sessions s WHERE s.id = ?`,
  );
  const selectOne = db.prepare<[string], SessionRow>('SELECT * FROM handoff_sessions WHERE id = ?');
  const selectMessages = db.prepare<[string], { body: string }>('SELECT body FROM handoff_messages WHERE session_id = ? ORDER BY seq');
  const selectActive = db.prepare<[], SessionRow>(`SELECT * FROM handoff_sessions WHERE ${ACTIVE} ORDER BY queued_at, id`);
  const selectActiveFor = db.prepare<[string, string], SessionRow>(
    `SELECT * FROM handoff_sessions WHERE channel = ? AND conversation_id = ? AND ${ACTIVE} ORDER BY queued_at, id LIMIT 1`,
  );
  const selectByPhoneCode = db.prepare<[string], SessionRow>(`SELECT * FROM handoff_sessions WHERE phone_code = ? AND ${ACTIVE} ORDER BY queued_at, id LIMIT 1`);
  const selectForConversation = db.prepare<[string, string], SessionRow>('SELECT * FROM handoff_sessions WHERE channel = ? AND conversation_id = ? ORDER BY queued_at, id');
  const selectRecentlyHandled = db.prepare<[number], SessionRow>(
    'SELECT * FROM handoff_sessions WHERE connected_at IS NOT NULL AND ended_at IS NOT NULL ORDER BY ended_at DESC, id LIMIT ?',
  );
  // A field the change leaves out is NULL here and keeps its value; `from` is a JSON array.
  const update = db.prepare(
    `UPDATE handoff_sessions SET
       state = COALESCE(@state, state),
       operator = COALESCE(@operator, operator),
       connected_at = COALESCE(@connectedAt, connected_at),
       ended_at = COALESCE(@endedAt, ended_at),
       outcome = COALESCE(@outcome, outcome)
     WHERE id = @id AND state IN (SELECT value FROM json_each(@from)) AND (@holder IS NULL OR operator = @holder)`,
  );

  const withMessages = (row: SessionRow): HandoffSession => fromRow(row, selectMessages.all(row.id).map((m) => m.body));
  // The session rows and their messages are read in one transaction: one snapshot.
  const readOne = db.transaction((select: () => SessionRow | undefined) => {
    const row = select();
    return row ? withMessages(row) : undefined;
  });
  const readMany = db.transaction((select: () => SessionRow[]) => select().map(withMessages));

  const createOne = db.transaction((session: HandoffSession): boolean => {
    const body: SessionBody = {
      reference: session.reference,
      language: session.language,
      topicId: session.topicId,
      description: session.description,
      transcript: session.transcript,
    };
    const result = insert.run({
      id: session.id,
      channel: session.channel,
      conversationId: session.conversationId,
      state: session.state,
      queuedAt: session.queuedAt,
      operator: session.operator ?? null,
      connectedAt: session.connectedAt ?? null,
      endedAt: session.endedAt ?? null,
      outcome: session.outcome ?? null,
      phoneCode: session.phoneCode,
      body: JSON.stringify(body),
    });
    if (result.changes === 0) return false;
    session.messages.forEach((m, i) => insertMessage.run(session.id, i + 1, JSON.stringify(m)));
    return true;
  });
  const transitionOne = db.transaction((id: string, params: Record<string, string | null>): HandoffSession | undefined => {
    if (update.run({ ...params, id }).changes === 0) return undefined;
    const row = selectOne.get(id);
    return row ? withMessages(row) : undefined;
  });
  const appendEntry = db.transaction((id: string, entry: TranscriptEntry): boolean => appendOne.run(JSON.stringify(entry), id).changes === 1);

  const deleteEndedMessages = db.prepare('DELETE FROM handoff_messages WHERE session_id IN (SELECT id FROM handoff_sessions WHERE ended_at IS NOT NULL AND ended_at < ?)');
  const deleteEnded = db.prepare('DELETE FROM handoff_sessions WHERE ended_at IS NOT NULL AND ended_at < ?');
  const purgeEnded = db.transaction((cutoff: string): number => {
    deleteEndedMessages.run(cutoff);
    return deleteEnded.run(cutoff).changes;
  });

  return {
    async create(session) {
      const s = parseHandoffSession(session, 'handoff session to create');
      if (!createOne.immediate(s)) throw new AlreadyExistsError('handoff', s.id);
    },
    async get(id) {
      return readOne(() => selectOne.get(id));
    },
    async activeFor(channel, conversationId) {
      return readOne(() => selectActiveFor.get(channel, conversationId));
    },
    async active() {
      return readMany(() => selectActive.all());
    },
    async byPhoneCode(code) {
      return readOne(() => selectByPhoneCode.get(code));
    },
    async transition(id, from, change, holder) {
      const t = parseHandoffTransition(change, from, `transition of handoff "${id}"`);
      if (t.from.length === 0) return undefined;
      const c = t.change;
      return transitionOne.immediate(id, {
        from: JSON.stringify(t.from),
        holder: holder ?? null,
        state: c.state ?? null,
        operator: c.operator ?? null,
        connectedAt: c.connectedAt ?? null,
        endedAt: c.endedAt ?? null,
        outcome: c.outcome ?? null,
      });
    },
    async appendMessage(id, entry) {
      return appendEntry.immediate(id, parseTranscriptEntry(entry, `message for handoff "${id}"`));
    },
    async recentlyHandled(limit) {
      if (!Number.isInteger(limit) || limit < 0) throw new Error(`recentlyHandled needs a whole number of sessions, 0 or more, got ${limit}`);
      return readMany(() => selectRecentlyHandled.all(limit));
    },
    async purgeEndedBefore(before) {
      return purgeEnded(before.toISOString());
    },
    async forConversation(channel, conversationId) {
      return readMany(() => selectForConversation.all(channel, conversationId));
    },
  };
}
