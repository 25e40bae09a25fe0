import type Database from 'better-sqlite3';
import { AlreadyExistsError, type TicketQuery, type TicketRecord, type TicketState, type TicketStore } from '../ports';
import { parseTicketRecord } from '../record-schemas';
import { formatTicketReference, ticketCounterName } from '../ticket-reference';

interface TicketRow {
  reference: string;
  created_at: string;
  conversation_id: string;
  channel: string;
  language: string;
  topic_id: string | null;
  contact_email: string;
  description: string;
  state: string;
  answer: string | null;
  answered_by: string | null;
  answered_at: string | null;
  closed_at: string | null;
  closed_by: string | null;
  outcome: string | null;
  close_note: string | null;
  transcript: string | null;
}

function fromRow(row: TicketRow): TicketRecord {
  return parseTicketRecord(
    {
      reference: row.reference,
      createdAt: row.created_at,
      conversationId: row.conversation_id,
      channel: row.channel,
      language: row.language,
      topicId: row.topic_id,
      contactEmail: row.contact_email,
      description: row.description,
      state: row.state,
      answer: row.answer ?? undefined,
      answeredBy: row.answered_by ?? undefined,
      answeredAt: row.answered_at ?? undefined,
      closedAt: row.closed_at ?? undefined,
      closedBy: row.closed_by ?? undefined,
      outcome: row.outcome ?? undefined,
      closeNote: row.close_note ?? undefined,
      transcript: row.transcript === null ? undefined : (JSON.parse(row.transcript) as unknown),
    },
    `sqlite tickets row "${row.reference}"`,
  );
}

function instant(value: string, what: string): string {
  const at = new Date(value);
  if (Number.isNaN(at.getTime())) throw new Error(`${what}: "${value}" is not an ISO 8601 date and time`);
  return at.toISOString();
}

const FILTERS = [
  ['reference = ?', (q: TicketQuery) => q.reference],
  ['state = ?', (q: TicketQuery) => q.state],
  ['topic_id = ?', (q: TicketQuery) => q.topicId],
  ['created_at < ?', (q: TicketQuery) => q.createdBefore?.toISOString()],
  ['created_at >= ?', (q: TicketQuery) => q.createdFrom?.toISOString()],
] as const;

/** The WHERE clause of a search, from fixed fragments only: the values go as parameters. */
function whereOf(query: TicketQuery): { sql: string; params: string[] } {
  const clauses: string[] = [];
  const params: string[] = [];
  for (const [clause, valueOf] of FILTERS) {
    const value = valueOf(query);
    if (value === undefined) continue;
    clauses.push(clause);
    params.push(value);
  }
  return { sql: clauses.length > 0 ? `WHERE ${clauses.join(' AND ')}` : '', params };
}

/**
 * Tickets in the `tickets` table, numbered from the `counters` table. The counter is bumped
 * by one statement inside an immediate transaction, so two processes sharing the file never
 * read the same value. Searches run on the indexes of migration 7 (reference, state, topic,
 * creation time); the sealed fields (contact, description, answer, note) cannot be searched.
 *
 * @example
 * const tickets = sqliteTicketStore(db);
 * await tickets.nextReference(2026); // 'DLG-2026-000001'
 */
export function sqliteTicketStore(db: Database.Database): TicketStore {
  const bump = db.prepare<[string], { value: number }>(
    'INSERT INTO counters (name, value) VALUES (?, 1) ON CONFLICT(name) DO UPDATE SET value = value + 1 RETURNING value',
  );
  const nextValue = db.transaction((name: string): number => {
    const row = bump.get(name);
    if (!row) throw new Error(`counter "${name}" was not returned by its update`);
    return row.value;
  });
  const insert = db.prepare(
    `INSERT INTO tickets (reference, created_at, conversation_id, channel, language, topic_id, contact_email, description, state, answer, answered_by, answered_at, closed_at, closed_by, outcome, close_note, transcript)
     VALUES (@reference, @createdAt, @conversationId, @channel, @language, @topicId, @contactEmail, @description, @state, @answer, @answeredBy, @answeredAt, @closedAt, @closedBy, @outcome, @closeNote, @transcript)
     ON CONFLICT(reference) DO NOTHING`,
  );
  const selectOne = db.prepare<[string], TicketRow>('SELECT * FROM tickets WHERE reference = ?');
  const selectAll = db.prepare<[], TicketRow>('SELECT * FROM tickets ORDER BY created_at, reference');
  const selectByState = db.prepare<[string], TicketRow>('SELECT * FROM tickets WHERE state = ? ORDER BY created_at, reference');
  const selectByConversation = db.prepare<[string], TicketRow>('SELECT * FROM tickets WHERE conversation_id = ? ORDER BY created_at, reference');
  const countStates = db.prepare<[], { state: string; n: number }>('SELECT state, COUNT(*) AS n FROM tickets GROUP BY state');
  const updateText = db.prepare('UPDATE tickets SET contact_email = ?, description = ? WHERE reference = ?');
  const deleteClosed = db.prepare("DELETE FROM tickets WHERE state = 'closed' AND closed_at < ?");
  const claim = db.prepare(
    "UPDATE tickets SET reply_claimed_by = ?, reply_claimed_at = ? WHERE reference = ? AND state = 'open' AND (reply_claimed_by IS NULL OR reply_claimed_at < ?)",
  );
  const release = db.prepare('UPDATE tickets SET reply_claimed_by = NULL, reply_claimed_at = NULL WHERE reference = ? AND reply_claimed_by = ?');
  const answerOne = db.prepare(
    "UPDATE tickets SET state = 'answered', answer = ?, answered_by = ?, answered_at = ?, reply_claimed_by = NULL, reply_claimed_at = NULL WHERE reference = ? AND state = 'open' AND reply_claimed_by = ?",
  );
  const closeOne = db.prepare(
    `UPDATE tickets SET state = 'closed', closed_at = ?, closed_by = ?, outcome = ?, close_note = ?, reply_claimed_by = NULL, reply_claimed_at = NULL
     WHERE reference = ? AND state IN ('open', 'answered') AND (reply_claimed_by IS NULL OR reply_claimed_at < ?)`,
  );

  // One pair of statements per combination of filters (at most 32), prepared on first use.
  const prepared = new Map<string, { page: Database.Statement<unknown[], TicketRow>; total: Database.Statement<unknown[], { n: number }> }>();
  const searchStatements = (where: string) => {
    let statements = prepared.get(where);
    if (!statements) {
      statements = {
        page: db.prepare<unknown[], TicketRow>(`SELECT * FROM tickets ${where} ORDER BY created_at DESC, reference DESC LIMIT ?`),
        total: db.prepare<unknown[], { n: number }>(`SELECT COUNT(*) AS n FROM tickets ${where}`),
      };
      prepared.set(where, statements);
    }
    return statements;
  };

  return {
    async nextReference(year) {
      const name = ticketCounterName(year);
      return formatTicketReference(year, nextValue.immediate(name));
    },
    async create(ticket) {
      const t = parseTicketRecord(ticket, 'ticket to create');
      const result = insert.run({
        ...t,
        answer: t.answer ?? null,
        answeredBy: t.answeredBy ?? null,
        answeredAt: t.answeredAt ?? null,
        closedAt: t.closedAt ?? null,
        closedBy: t.closedBy ?? null,
        outcome: t.outcome ?? null,
        closeNote: t.closeNote ?? null,
        transcript: t.transcript ? JSON.stringify(t.transcript) : null,
      });
      if (result.changes === 0) throw new AlreadyExistsError('ticket', t.reference);
    },
    async get(reference) {
      const row = selectOne.get(reference);
      return row ? fromRow(row) : undefined;
    },
    async list(state) {
      return (state ? selectByState.all(state) : selectAll.all()).map(fromRow);
    },
    async search(query) {
      const { sql, params } = whereOf(query);
      const { page, total } = searchStatements(sql);
      return { tickets: page.all(...params, query.limit).map(fromRow), count: total.get(...params)?.n ?? 0 };
    },
    async countByState() {
      const counts: Record<TicketState, number> = { open: 0, answered: 0, closed: 0 };
      for (const row of countStates.all()) if (row.state in counts) counts[row.state as TicketState] = row.n;
      return counts;
    },
    async claimReply(reference, { by, at, staleBefore }) {
      if (!by) throw new Error('answering a ticket needs the name of the operator who answers it');
      return claim.run(by, instant(at, `claiming ticket "${reference}"`), reference, instant(staleBefore, `claiming ticket "${reference}"`)).changes === 1;
    },
    async releaseReply(reference, by) {
      release.run(reference, by);
    },
    async recordAnswer(reference, { by, at, text }) {
      return answerOne.run(text, by, instant(at, `answering ticket "${reference}"`), reference, by).changes === 1;
    },
    async close(reference, { by, at, staleBefore, outcome, note }) {
      if (!by) throw new Error('closing a ticket needs the name of the operator who closes it');
      const closedAt = instant(at, `closing ticket "${reference}"`);
      return closeOne.run(closedAt, by, outcome, note ?? null, reference, instant(staleBefore, `closing ticket "${reference}"`)).changes === 1;
    },
    async purgeClosedBefore(before) {
      return deleteClosed.run(before.toISOString()).changes;
    },
    async forConversation(conversationId) {
      return selectByConversation.all(conversationId).map(fromRow);
    },
    async replaceText(reference, text) {
      if (typeof text.contactEmail !== 'string' || typeof text.description !== 'string') throw new Error(`replacing the text of ticket "${reference}": contactEmail and description must be strings`);
      return updateText.run(text.contactEmail, text.description, reference).changes === 1;
    },
  };
}
