import { MongoBulkWriteError, MongoClient, type Collection, type Db } from 'mongodb';
import type { Storage, StoreItems } from 'botbuilder';
import { isUnconditional, newETag } from '../etag';
import type { EventQuery, InteractionEvent } from '../interaction-event';
import { ETagConflictError, type InteractionEventStore, type StateRetention, type StorageBackend } from '../ports';
import { mongoDirectLineConversations } from './mongodb-conversation-store';
import { mongoHandoffStore } from './mongodb-handoff-store';
import { mongoOperatorStore } from './mongodb-operator-store';
import { mongoRollupStore } from './mongodb-rollup-store';
import { mongoTicketStore } from './mongodb-ticket-store';
import { mongoCallbackStore, mongoCannedReplyStore, mongoHandoffNoteStore } from './mongodb-workspace-stores';

interface StateDoc {
  _id: string;
  etag: string;
  /** JSON text: state objects may hold keys MongoDB refuses ("$type", dotted names). */
  data: string;
  updatedAt: Date;
}

/** `storedAt`: this process's clock at insert (absent on events stored before it existed). */
type EventDoc = Omit<InteractionEvent, 'eventId' | 'ts'> & { _id: string; ts: Date; seq: number; storedAt?: Date };

const DUPLICATE_KEY = 11000;

/**
 * The production store: the official driver on MongoDB, Atlas or Azure Cosmos DB for MongoDB.
 * Only operations that behave alike on all of them and on the test server: single-document
 * atomic updates (the eTag check is part of the update's filter), unordered bulk inserts with
 * a unique `_id` for idempotence, plain finds with indexes; no transactions, no change
 * streams, no TTL (retention is the stores' purge methods).
 *
 * @example
 * const backend = await openMongoBackend('mongodb://127.0.0.1:27017', 'dialogo');
 */
export async function openMongoBackend(uri: string, dbName: string, options: { serverSelectionTimeoutMS?: number } = {}): Promise<StorageBackend> {
  const client = new MongoClient(uri, { serverSelectionTimeoutMS: options.serverSelectionTimeoutMS ?? 5000, retryWrites: false });
  await client.connect();
  const db: Db = client.db(dbName);
  const stateCol: Collection<StateDoc> = db.collection<StateDoc>('state');
  const eventCol: Collection<EventDoc> = db.collection<EventDoc>('events');
  await eventCol.createIndex({ ts: 1, seq: 1 });
  await eventCol.createIndex({ conversationId: 1, ts: 1 });
  await eventCol.createIndex({ storedAt: 1, seq: 1, _id: 1 }, { name: 'stored' });
  await stateCol.createIndex({ updatedAt: 1 }, { name: 'updated' });
  const tickets = await mongoTicketStore(db);
  const operators = await mongoOperatorStore(db);
  const handoffs = await mongoHandoffStore(db);
  const rollups = await mongoRollupStore(db);
  const cannedReplies = await mongoCannedReplyStore(db);
  const handoffNotes = await mongoHandoffNoteStore(db);
  const callbacks = await mongoCallbackStore(db);
  const directLine = await mongoDirectLineConversations(db);
  let seq = 0;

  const state: Storage = {
    async read(keys: string[]): Promise<StoreItems> {
      const items: StoreItems = {};
      if (keys.length === 0) return items;
      for (const doc of await stateCol.find({ _id: { $in: keys } }).toArray()) {
        items[doc._id] = { ...(JSON.parse(doc.data) as object), eTag: doc.etag };
      }
      return items;
    },
    async write(changes: StoreItems): Promise<void> {
      for (const [key, item] of Object.entries(changes)) {
        const incoming = (item as { eTag?: unknown } | null)?.eTag;
        const { eTag: _ignored, ...rest } = (item ?? {}) as Record<string, unknown>;
        const next = { etag: newETag(), data: JSON.stringify(rest), updatedAt: new Date() };
        if (isUnconditional(incoming)) {
          await stateCol.replaceOne({ _id: key }, next, { upsert: true });
          continue;
        }
        // The eTag is part of the filter: the check and the write are one atomic operation.
        const result = await stateCol.updateOne({ _id: key, etag: String(incoming) }, { $set: next });
        if (result.matchedCount === 1) continue;
        const exists = await stateCol.countDocuments({ _id: key }, { limit: 1 });
        if (exists) throw new ETagConflictError(key);
        try {
          await stateCol.insertOne({ _id: key, ...next });
        } catch (error) {
          if ((error as { code?: number }).code === DUPLICATE_KEY) throw new ETagConflictError(key);
          throw error;
        }
      }
    },
    async delete(keys: string[]): Promise<void> {
      if (keys.length > 0) await stateCol.deleteMany({ _id: { $in: keys } });
    },
  };

  const stateRetention: StateRetention = {
    async purgeNotUpdatedSince(before) {
      return (await stateCol.deleteMany({ updatedAt: { $lt: before } })).deletedCount;
    },
    async count() {
      return stateCol.countDocuments({});
    },
    async keysWithPrefix(prefix) {
      const escaped = prefix.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      const docs = await stateCol.find({ _id: { $regex: `^${escaped}` } }, { projection: { _id: 1 } }).sort({ _id: 1 }).toArray();
      return docs.map((d) => d._id);
    },
  };

  const events: InteractionEventStore = {
    async append(batch) {
      if (batch.length === 0) return;
      const storedAt = new Date();
      const docs: EventDoc[] = batch.map(({ eventId, ts, ...rest }) => ({ ...rest, _id: eventId, ts: new Date(ts), seq: seq++, storedAt }));
      try {
        await eventCol.insertMany(docs, { ordered: false });
      } catch (error) {
        // A retried batch meets the events that did arrive: those duplicates are success.
        const writeErrors = error instanceof MongoBulkWriteError ? (Array.isArray(error.writeErrors) ? error.writeErrors : [error.writeErrors]) : [];
        if (writeErrors.length === 0 || writeErrors.some((e) => e.code !== DUPLICATE_KEY)) throw error;
      }
    },
    async query(q: EventQuery) {
      const filter: Record<string, unknown> = {};
      if (q.from || q.to) filter.ts = { ...(q.from ? { $gte: q.from } : {}), ...(q.to ? { $lt: q.to } : {}) };
      if (q.conversationId) filter.conversationId = q.conversationId;
      let cursor = eventCol.find(filter).sort({ ts: 1, seq: 1 });
      if (q.limit) cursor = cursor.limit(q.limit);
      return (await cursor.toArray()).map(toEvent);
    },
    async purgeBefore(before: Date) {
      return (await eventCol.deleteMany({ ts: { $lt: before } })).deletedCount;
    },
    async count() {
      return eventCol.countDocuments({});
    },
    async storedSince(from, limit) {
      // A batch shares one storedAt: seq keeps its order; seq is per process, so _id settles ties across instances.
      const docs = await eventCol.find({ storedAt: { $gte: from } }).sort({ storedAt: 1, seq: 1, _id: 1 }).limit(limit).toArray();
      return docs.map((doc) => ({ event: toEvent(doc), storedAt: doc.storedAt ?? from }));
    },
  };

  return {
    kind: 'mongodb',
    state,
    stateRetention,
    events,
    tickets,
    operators,
    handoffs,
    rollups,
    cannedReplies,
    handoffNotes,
    callbacks,
    directLine,
    async ping() {
      await db.command({ ping: 1 });
    },
    async close() {
      await client.close();
    },
  };
}

function toEvent({ _id, ts, seq: _seq, storedAt: _storedAt, ...rest }: EventDoc): InteractionEvent {
  return { ...rest, eventId: _id, ts: ts.toISOString() } as InteractionEvent;
}
