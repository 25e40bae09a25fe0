import type Database from 'better-sqlite3';
import { AlreadyExistsError, type TicketRecord, type TicketStore } from '../ports';
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
  status: string;
  closed_at: string | null;
  closed_by: string | null;
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
      status: row.status,
      closedAt: row.closed_at ?? undefined,
      closedBy: row.closed_by ?? undefined,
    },
    `sqlite tickets row "${row.reference}"`,
  );
}

/**
 * Tickets in the `tickets` table, numbered from the `counters` table. The counter is bumped
 * by one statement inside an immediate transaction, so two processes sharing the file never
 * read the same value.
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
    `INSERT INTO tickets (reference, created_at, conversation_id, channel, language, topic_id, contact_email, description, status, closed_at, closed_by)
     VALUES (@reference, @createdAt, @conversationId, @channel, @language, @topicId, @contactEmail, @description, @status, @closedAt, @closedBy)
     ON CONFLICT(reference) DO NOTHING`,
  );
  const selectOne = db.prepare<[string], TicketRow>('SELECT * FROM tickets WHERE reference = ?');
  const selectAll = db.prepare<[], TicketRow>('SELECT * FROM tickets ORDER BY created_at, reference');
  const selectByStatus = db.prepare<[string], TicketRow>('SELECT * FROM tickets WHERE status = ? ORDER BY created_at, reference');
  const selectByConversation = db.prepare<[string], TicketRow>('SELECT * FROM tickets WHERE conversation_id = ? ORDER BY created_at, reference');
  const updateText = db.prepare('UPDATE tickets SET contact_email = ?, description = ? WHERE reference = ?');
  const deleteClosed = db.prepare("DELETE FROM tickets WHERE status = 'closed' AND closed_at < ?");
  const closeOne = db.prepare("UPDATE tickets SET status = 'closed', closed_at = ?, closed_by = ? WHERE reference = ? AND status = 'open'");

  return {
    async nextReference(year) {
      const name = ticketCounterName(year);
      return formatTicketReference(year, nextValue.immediate(name));
    },
    async create(ticket) {
      const t = parseTicketRecord(ticket, 'ticket to create');
      const result = insert.run({ ...t, closedAt: t.closedAt ?? null, closedBy: t.closedBy ?? null });
      if (result.changes === 0) throw new AlreadyExistsError('ticket', t.reference);
    },
    async get(reference) {
      const row = selectOne.get(reference);
      return row ? fromRow(row) : undefined;
    },
    async list(status) {
      return (status ? selectByStatus.all(status) : selectAll.all()).map(fromRow);
    },
    async close(reference, by, at) {
      if (!by) throw new Error('closing a ticket needs the name of the operator who closes it');
      const closedAt = new Date(at);
      if (Number.isNaN(closedAt.getTime())) throw new Error(`closing ticket "${reference}": "${at}" is not an ISO 8601 date and time`);
      return closeOne.run(closedAt.toISOString(), by, reference).changes === 1;
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
