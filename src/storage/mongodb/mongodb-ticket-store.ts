import type { Collection, Db, WithId } from 'mongodb';
import { AlreadyExistsError, type TicketRecord, type TicketStore } from '../ports';
import { parseTicketRecord } from '../record-schemas';
import { formatTicketReference, ticketCounterName } from '../ticket-reference';

interface CounterDoc {
  _id: string;
  value: number;
}

type TicketDoc = Omit<TicketRecord, 'createdAt' | 'closedAt'> & { createdAt: Date; closedAt?: Date };

const DUPLICATE_KEY = 11000;
const NAMESPACE_EXISTS = 48;
/** Concurrent upserts of a counter that does not exist yet may collide on `_id` once; then it exists. */
const COUNTER_ATTEMPTS = 3;

function isDuplicateKey(error: unknown): boolean {
  return (error as { code?: unknown } | null)?.code === DUPLICATE_KEY;
}

function fromDoc({ _id, createdAt, closedAt, ...rest }: WithId<TicketDoc>): TicketRecord {
  return parseTicketRecord(
    { ...rest, createdAt: createdAt.toISOString(), closedAt: closedAt?.toISOString() },
    `mongodb tickets document "${rest.reference}"`,
  );
}

/**
 * Tickets in the `tickets` collection (unique index on `reference`), numbered from the
 * `counters` collection with a single `findOneAndUpdate` `$inc` upsert: one atomic document
 * update, so concurrent callers in any number of processes get distinct values.
 *
 * @example
 * const tickets = await mongoTicketStore(db);
 * await tickets.nextReference(2026); // 'DLG-2026-000001'
 */
export async function mongoTicketStore(db: Db): Promise<TicketStore> {
  // Created before the first bump: concurrent first writes to a collection that does not
  // exist yet race to create it (the in-memory test server then loses increments).
  await db.createCollection('counters').catch((error: unknown) => {
    if ((error as { code?: unknown } | null)?.code !== NAMESPACE_EXISTS) throw error;
  });
  const counters: Collection<CounterDoc> = db.collection<CounterDoc>('counters');
  const tickets: Collection<TicketDoc> = db.collection<TicketDoc>('tickets');
  await tickets.createIndex({ reference: 1 }, { unique: true, name: 'reference_unique' });
  await tickets.createIndex({ status: 1, createdAt: 1 }, { name: 'status_created' });
  await tickets.createIndex({ conversationId: 1, createdAt: 1 }, { name: 'conversation_created' });

  async function bump(name: string): Promise<number> {
    for (let attempt = 1; ; attempt++) {
      try {
        const doc = await counters.findOneAndUpdate({ _id: name }, { $inc: { value: 1 } }, { upsert: true, returnDocument: 'after' });
        if (!doc) throw new Error(`counter "${name}" was not returned by its update`);
        return doc.value;
      } catch (error) {
        if (!isDuplicateKey(error) || attempt >= COUNTER_ATTEMPTS) throw error;
      }
    }
  }

  return {
    async nextReference(year) {
      const name = ticketCounterName(year);
      return formatTicketReference(year, await bump(name));
    },
    async create(ticket) {
      const { createdAt, closedAt, ...rest } = parseTicketRecord(ticket, 'ticket to create');
      try {
        await tickets.insertOne({ ...rest, createdAt: new Date(createdAt), ...(closedAt ? { closedAt: new Date(closedAt) } : {}) });
      } catch (error) {
        if (isDuplicateKey(error)) throw new AlreadyExistsError('ticket', rest.reference);
        throw error;
      }
    },
    async get(reference) {
      const doc = await tickets.findOne({ reference });
      return doc ? fromDoc(doc) : undefined;
    },
    async list(status) {
      const docs = await tickets.find(status ? { status } : {}).sort({ createdAt: 1, reference: 1 }).toArray();
      return docs.map(fromDoc);
    },
    async close(reference, by, at) {
      if (!by) throw new Error('closing a ticket needs the name of the operator who closes it');
      const closedAt = new Date(at);
      if (Number.isNaN(closedAt.getTime())) throw new Error(`closing ticket "${reference}": "${at}" is not an ISO 8601 date and time`);
      const result = await tickets.updateOne({ reference, status: 'open' }, { $set: { status: 'closed', closedAt, closedBy: by } });
      return result.modifiedCount === 1;
    },
    async purgeClosedBefore(before) {
      return (await tickets.deleteMany({ status: 'closed', closedAt: { $lt: before } })).deletedCount;
    },
    async forConversation(conversationId) {
      const docs = await tickets.find({ conversationId }).sort({ createdAt: 1, reference: 1 }).toArray();
      return docs.map(fromDoc);
    },
    async replaceText(reference, text) {
      if (typeof text.contactEmail !== 'string' || typeof text.description !== 'string') throw new Error(`replacing the text of ticket "${reference}": contactEmail and description must be strings`);
      const result = await tickets.updateOne({ reference }, { $set: { contactEmail: text.contactEmail, description: text.description } });
      return result.matchedCount === 1;
    },
  };
}
