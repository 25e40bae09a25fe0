import type { Collection, Db, WithId } from 'mongodb';
import type { Filter } from 'mongodb';
import { AlreadyExistsError, type TicketQuery, type TicketRecord, type TicketState, type TicketStore } from '../ports';
import { parseTicketRecord } from '../record-schemas';
import { formatTicketReference, ticketCounterName } from '../ticket-reference';

interface CounterDoc {
  _id: string;
  value: number;
}

type TicketDoc = Omit<TicketRecord, 'createdAt' | 'closedAt' | 'answeredAt' | 'state'> & {
  createdAt: Date;
  answeredAt?: Date;
  closedAt?: Date;
  state?: TicketState;
  /** Before the `answered` state (SQLite migration 7), documents had `status` open or closed instead of `state`. */
  status?: 'open' | 'closed';
  replyClaimedBy?: string | null;
  replyClaimedAt?: Date | null;
};

const DUPLICATE_KEY = 11000;
const NAMESPACE_EXISTS = 48;
/** Concurrent upserts of a counter that does not exist yet may collide on `_id` once; then it exists. */
const COUNTER_ATTEMPTS = 3;

function instant(value: string, what: string): Date {
  const at = new Date(value);
  if (Number.isNaN(at.getTime())) throw new Error(`${what}: "${value}" is not an ISO 8601 date and time`);
  return at;
}

function filterOf(query: TicketQuery): Filter<TicketDoc> {
  const created = { ...(query.createdBefore ? { $lt: query.createdBefore } : {}), ...(query.createdFrom ? { $gte: query.createdFrom } : {}) };
  return {
    ...(query.reference !== undefined ? { reference: query.reference } : {}),
    ...(query.state !== undefined ? { state: query.state } : {}),
    ...(query.topicId !== undefined ? { topicId: query.topicId } : {}),
    ...(Object.keys(created).length > 0 ? { createdAt: created } : {}),
  };
}

/** A claim nobody holds, or one taken before `staleBefore` (left by a send that crashed). */
function unclaimed(staleBefore: Date): Filter<TicketDoc> {
  return { $or: [{ replyClaimedBy: null }, { replyClaimedBy: { $exists: false } }, { replyClaimedAt: { $lt: staleBefore } }] };
}

function isDuplicateKey(error: unknown): boolean {
  return (error as { code?: unknown } | null)?.code === DUPLICATE_KEY;
}

function fromDoc({ _id, createdAt, answeredAt, closedAt, status, state, replyClaimedBy: _by, replyClaimedAt: _at, ...rest }: WithId<TicketDoc>): TicketRecord {
  return parseTicketRecord(
    { ...rest, state: state ?? status, createdAt: createdAt.toISOString(), answeredAt: answeredAt?.toISOString(), closedAt: closedAt?.toISOString() },
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
  // Documents written before the `answered` state carry `status`: given `state` once (idempotent).
  for (const status of ['open', 'closed'] as const) await tickets.updateMany({ state: { $exists: false }, status }, { $set: { state: status }, $unset: { status: '' } });
  await tickets.createIndex({ state: 1, createdAt: 1 }, { name: 'state_created' });
  await tickets.createIndex({ topicId: 1, createdAt: 1 }, { name: 'topic_created' });
  await tickets.createIndex({ createdAt: 1 }, { name: 'created' });
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
      const { createdAt, answeredAt, closedAt, ...rest } = parseTicketRecord(ticket, 'ticket to create');
      try {
        await tickets.insertOne({
          ...rest,
          createdAt: new Date(createdAt),
          ...(answeredAt ? { answeredAt: new Date(answeredAt) } : {}),
          ...(closedAt ? { closedAt: new Date(closedAt) } : {}),
        });
      } catch (error) {
        if (isDuplicateKey(error)) throw new AlreadyExistsError('ticket', rest.reference);
        throw error;
      }
    },
    async get(reference) {
      const doc = await tickets.findOne({ reference });
      return doc ? fromDoc(doc) : undefined;
    },
    async list(state) {
      const docs = await tickets.find(state ? { state } : {}).sort({ createdAt: 1, reference: 1 }).toArray();
      return docs.map(fromDoc);
    },
    async search(query) {
      const filter = filterOf(query);
      const [docs, count] = await Promise.all([
        tickets.find(filter).sort({ createdAt: -1, reference: -1 }).limit(query.limit).toArray(),
        tickets.countDocuments(filter),
      ]);
      return { tickets: docs.map(fromDoc), count };
    },
    async countByState() {
      const counts: Record<TicketState, number> = { open: 0, answered: 0, closed: 0 };
      await Promise.all((Object.keys(counts) as TicketState[]).map(async (state) => void (counts[state] = await tickets.countDocuments({ state }))));
      return counts;
    },
    async claimReply(reference, { by, at, staleBefore }) {
      if (!by) throw new Error('answering a ticket needs the name of the operator who answers it');
      const what = `claiming ticket "${reference}"`;
      const result = await tickets.updateOne({ reference, state: 'open', ...unclaimed(instant(staleBefore, what)) }, { $set: { replyClaimedBy: by, replyClaimedAt: instant(at, what) } });
      return result.modifiedCount === 1;
    },
    async releaseReply(reference, by) {
      await tickets.updateOne({ reference, replyClaimedBy: by }, { $set: { replyClaimedBy: null, replyClaimedAt: null } });
    },
    async recordAnswer(reference, { by, at, text }) {
      const result = await tickets.updateOne(
        { reference, state: 'open', replyClaimedBy: by },
        { $set: { state: 'answered', answer: text, answeredBy: by, answeredAt: instant(at, `answering ticket "${reference}"`), replyClaimedBy: null, replyClaimedAt: null } },
      );
      return result.modifiedCount === 1;
    },
    async close(reference, { by, at, staleBefore, outcome, note }) {
      if (!by) throw new Error('closing a ticket needs the name of the operator who closes it');
      const what = `closing ticket "${reference}"`;
      const result = await tickets.updateOne(
        { reference, state: { $in: ['open', 'answered'] }, ...unclaimed(instant(staleBefore, what)) },
        { $set: { state: 'closed', closedAt: instant(at, what), closedBy: by, outcome, ...(note !== undefined ? { closeNote: note } : {}), replyClaimedBy: null, replyClaimedAt: null } },
      );
      return result.modifiedCount === 1;
    },
    async purgeClosedBefore(before) {
      return (await tickets.deleteMany({ state: 'closed', closedAt: { $lt: before } })).deletedCount;
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
