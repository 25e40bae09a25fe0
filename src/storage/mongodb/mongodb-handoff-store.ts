import type { Collection, Db, Filter, WithId } from 'mongodb';
import { AlreadyExistsError, type HandoffSession, type HandoffStore, type HandoffState, type TranscriptEntry } from '../ports';
import { parseHandoffSession, parseHandoffTransition, parseTranscriptEntry } from '../record-schemas';

/**
 * One document per session, `_id` = the session id. Instants a query sorts or filters on are
 * BSON dates; `reference` is JSON text, because a conversation reference is outside input
 * whose keys MongoDB may refuse (`$type`, dotted names), as in the state collection.
 */
interface HandoffDoc {
  _id: string;
  channel: string;
  conversationId: string;
  reference: string;
  language: HandoffSession['language'];
  topicId: string | null;
  description: string;
  phoneCode: string;
  state: HandoffState;
  queuedAt: Date;
  operator?: string;
  connectedAt?: Date;
  endedAt?: Date;
  outcome?: HandoffSession['outcome'];
  transcript: TranscriptEntry[];
  messages: TranscriptEntry[];
}

const DUPLICATE_KEY = 11000;
const NAMESPACE_EXISTS = 48;
const ACTIVE: HandoffState[] = ['queued', 'connected'];
/** The order of {@link HandoffStore.active}, also used to pick one session should a lookup match several. */
const QUEUE_ORDER = { queuedAt: 1, _id: 1 } as const;

function parseReference(text: string, where: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new Error(`invalid handoff session (${where}): reference is not JSON (${(error as Error).message})`);
  }
}

function toDoc(session: HandoffSession): HandoffDoc {
  const { id, reference, queuedAt, connectedAt, endedAt, transcript, messages, ...rest } = session;
  return {
    ...rest,
    _id: id,
    reference: JSON.stringify(reference),
    queuedAt: new Date(queuedAt),
    ...(connectedAt ? { connectedAt: new Date(connectedAt) } : {}),
    ...(endedAt ? { endedAt: new Date(endedAt) } : {}),
    transcript: [...transcript],
    messages: [...messages],
  };
}

function fromDoc({ _id, reference, queuedAt, connectedAt, endedAt, ...rest }: WithId<HandoffDoc>): HandoffSession {
  const where = `mongodb handoff_sessions document "${_id}"`;
  return parseHandoffSession(
    {
      ...rest,
      id: _id,
      reference: parseReference(reference, where),
      queuedAt: queuedAt.toISOString(),
      connectedAt: connectedAt?.toISOString(),
      endedAt: endedAt?.toISOString(),
    },
    where,
  );
}

/**
 * Handoff sessions in the `handoff_sessions` collection, one document per session with its
 * live chat in a `messages` array. A transition is one `findOneAndUpdate` whose filter holds
 * the allowed states, so two operators claiming at once, in any process, cannot both win;
 * a message is one `$push`. Appends to the same session from this process are sent one after
 * the other, so they are stored in call order (concurrent updates on different pooled
 * connections could otherwise be applied in any order).
 *
 * @example
 * const handoffs = await mongoHandoffStore(db);
 * const claimed = await handoffs.transition(id, ['queued'], { state: 'connected', operator: 'giulia.rossi', connectedAt: new Date().toISOString() });
 */
export async function mongoHandoffStore(db: Db): Promise<HandoffStore> {
  // Created before the first write: concurrent first writes to a collection that does not
  // exist yet race to create it (the in-memory test server then loses updates).
  await db.createCollection('handoff_sessions').catch((error: unknown) => {
    if ((error as { code?: unknown } | null)?.code !== NAMESPACE_EXISTS) throw error;
  });
  const sessions: Collection<HandoffDoc> = db.collection<HandoffDoc>('handoff_sessions');
  await sessions.createIndex({ state: 1, queuedAt: 1 }, { name: 'state_queued' });
  await sessions.createIndex({ channel: 1, conversationId: 1, state: 1 }, { name: 'conversation_state' });
  await sessions.createIndex({ phoneCode: 1, state: 1 }, { name: 'phone_code_state' });
  await sessions.createIndex({ endedAt: -1 }, { name: 'ended' });

  /** The tail of each session's queue of appends; removed once it has run. */
  const appendTails = new Map<string, Promise<unknown>>();
  function inCallOrder<T>(id: string, task: () => Promise<T>): Promise<T> {
    const run = (appendTails.get(id) ?? Promise.resolve()).then(task);
    const tail = run.catch(() => undefined);
    appendTails.set(id, tail);
    void tail.then(() => {
      if (appendTails.get(id) === tail) appendTails.delete(id);
    });
    return run;
  }

  async function findActive(filter: Filter<HandoffDoc>): Promise<HandoffSession | undefined> {
    const doc = await sessions.findOne({ ...filter, state: { $in: ACTIVE } }, { sort: QUEUE_ORDER });
    return doc ? fromDoc(doc) : undefined;
  }

  return {
    async create(session) {
      const doc = toDoc(parseHandoffSession(session, 'handoff session to create'));
      try {
        await sessions.insertOne(doc);
      } catch (error) {
        if ((error as { code?: unknown } | null)?.code === DUPLICATE_KEY) throw new AlreadyExistsError('handoff', doc._id);
        throw error;
      }
    },
    async get(id) {
      const doc = await sessions.findOne({ _id: id });
      return doc ? fromDoc(doc) : undefined;
    },
    async activeFor(channel, conversationId) {
      return findActive({ channel, conversationId });
    },
    async active() {
      return (await sessions.find({ state: { $in: ACTIVE } }).sort(QUEUE_ORDER).toArray()).map(fromDoc);
    },
    async byPhoneCode(code) {
      return findActive({ phoneCode: code });
    },
    async transition(id, from, change, holder) {
      const t = parseHandoffTransition(change, from, `transition of handoff "${id}"`);
      if (t.from.length === 0) return undefined;
      const { connectedAt, endedAt, ...rest } = t.change;
      const set: Partial<HandoffDoc> = {
        ...rest,
        ...(connectedAt ? { connectedAt: new Date(connectedAt) } : {}),
        ...(endedAt ? { endedAt: new Date(endedAt) } : {}),
      };
      const filter: Filter<HandoffDoc> = { _id: id, state: { $in: t.from }, ...(holder !== undefined ? { operator: holder } : {}) };
      // An empty `$set` is refused by the server: a change of nothing is a conditional read.
      const doc = Object.keys(set).length === 0 ? await sessions.findOne(filter) : await sessions.findOneAndUpdate(filter, { $set: set }, { returnDocument: 'after' });
      return doc ? fromDoc(doc) : undefined;
    },
    async appendMessage(id, entry) {
      const e = parseTranscriptEntry(entry, `message for handoff "${id}"`);
      return inCallOrder(id, async () => (await sessions.updateOne({ _id: id }, { $push: { messages: e } })).matchedCount === 1);
    },
    async recentlyHandled(limit) {
      if (!Number.isInteger(limit) || limit < 0) throw new Error(`recentlyHandled needs a whole number of sessions, 0 or more, got ${limit}`);
      // limit(0) would mean no limit to the server.
      if (limit === 0) return [];
      const docs = await sessions
        .find({ connectedAt: { $exists: true }, endedAt: { $exists: true } })
        .sort({ endedAt: -1, _id: 1 })
        .limit(limit)
        .toArray();
      return docs.map(fromDoc);
    },
    async purgeEndedBefore(before) {
      return (await sessions.deleteMany({ endedAt: { $lt: before } })).deletedCount;
    },
    async forConversation(channel, conversationId) {
      return (await sessions.find({ channel, conversationId }).sort(QUEUE_ORDER).toArray()).map(fromDoc);
    },
  };
}
