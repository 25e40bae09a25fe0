import type { Activity } from 'botbuilder';
import type { Collection, Db } from 'mongodb';
import { z } from 'zod';
import { activityId, type ConversationStore, type DirectLineConversation, type StoredActivity } from '../../channels/directline/conversation-store';
import { SealedRecordError, type RecordCipher } from '../../privacy/encryption';
import type { DirectLineConversations, DirectLineStoreOptions } from '../ports';

/** Collection of conversations: `_id` = the conversation id, `next` = the next sequence to allocate. */
export const CONVERSATIONS_COLLECTION = 'directline_conversations';
/** Collection of activities: `_id` = the activity id (`convId|0000001`), the activity sealed. */
export const ACTIVITIES_COLLECTION = 'directline_activities';

/**
 * How long readers wait for an allocated sequence whose activity is not stored yet (its writer is
 * between the two steps of an append) before taking it as lost (the writer failed or died). Longer
 * than an insert takes under load, and than the clock skew between instances (the activity after
 * the gap carries its writer's clock).
 */
export const GAP_GRACE_MS = 10_000;

interface ConversationDoc {
  _id: string;
  userId: string;
  locale?: string;
  serviceUrl: string;
  createdAt: Date;
  lastActiveAt: Date;
  next: number;
  /** The first sequence of this conversation's current life (it starts again after being idle); 1 when absent. */
  first?: number;
}

interface ActivityDoc {
  _id: string;
  conversationId: string;
  seq: number;
  at: Date;
  /** Bytes of the activity's JSON (before sealing): the byte budget is counted on it, as in memory. */
  bytes: number;
  sealed: string;
}

const conversationSchema = z.object({
  _id: z.string(),
  userId: z.string(),
  locale: z.string().nullish(),
  serviceUrl: z.string(),
  createdAt: z.date(),
  lastActiveAt: z.date(),
  next: z.number().int().positive(),
  first: z.number().int().positive().default(1),
});
type ParsedConversation = z.infer<typeof conversationSchema>;

const metaSchema = z.object({ seq: z.number().int().positive(), at: z.date(), bytes: z.number().int().nonnegative(), sealed: z.string().optional() });
type Meta = z.infer<typeof metaSchema>;

/**
 * A read of at most this many activities fetches them sealed with the first query (a poll at the
 * head of a conversation: one round trip less); a longer one fetches the sealed text of only those
 * within the byte budget.
 */
const SMALL_READ = 16;

const sealedSchema = z.object({ seq: z.number().int().positive(), sealed: z.string() });

type Limits = Required<NonNullable<DirectLineStoreOptions['limits']>>;

/**
 * Makes the indexes of both collections (idempotent; once, when the backend opens).
 *
 * @example
 * await createConversationIndexes(db);
 */
export async function createConversationIndexes(db: Db): Promise<void> {
  await db.collection<ConversationDoc>(CONVERSATIONS_COLLECTION).createIndex({ lastActiveAt: 1 }, { name: 'last_active' });
  const activities = db.collection<ActivityDoc>(ACTIVITIES_COLLECTION);
  await activities.createIndex({ conversationId: 1, seq: 1 }, { name: 'conversation_seq', unique: true });
  await activities.createIndex({ at: 1 }, { name: 'at' });
}

/**
 * Deletes the conversations not active since `before`, and every activity stored before it: those of
 * the deleted conversations (their activities are never newer than their last activity) and the
 * oldest ones of a conversation that has lasted longer than the retention. Returns how many
 * conversations. A conversation appended to meanwhile is not matched (its `lastActiveAt` is new).
 *
 * @example
 * const purged = await purgeIdleConversations(db, new Date(Date.now() - 180 * DAY_MS));
 */
export async function purgeIdleConversations(db: Db, before: Date): Promise<number> {
  const { deletedCount } = await db.collection<ConversationDoc>(CONVERSATIONS_COLLECTION).deleteMany({ lastActiveAt: { $lt: before } });
  await db.collection<ActivityDoc>(ACTIVITIES_COLLECTION).deleteMany({ at: { $lt: before } });
  return deletedCount;
}

/**
 * The backend's {@link DirectLineConversations} on `db` (indexes made here, once).
 *
 * @example
 * const directLine = await mongoDirectLineConversations(db);
 * const store = directLine.open({ cipher, onUnreadable: (error) => logger.warn({ err: error }) });
 */
export async function mongoDirectLineConversations(db: Db): Promise<DirectLineConversations> {
  await createConversationIndexes(db);
  return {
    open: (options) => new MongoConversationStore(db, options),
    purgeIdleBefore: (before) => purgeIdleConversations(db, before),
  };
}

/**
 * Direct Line conversations in MongoDB, shared by every instance: the truth is in the database, so
 * an activity appended on one instance is read by all, and a load balancer needs no affinity.
 *
 * The sequence (the Direct Line watermark) is allocated by one `findOneAndUpdate` with `$inc` on the
 * conversation's document: atomicity rests on MongoDB's single-document guarantee, so two instances
 * appending at once get different sequences and activity ids. The activity is then inserted; a
 * reader meeting a sequence allocated but not yet stored stops before it (for {@link GAP_GRACE_MS}),
 * so a client's watermark never passes an activity still being written.
 *
 * Each activity is sealed with the record cipher, bound to `directline/<conversationId>/<seq>`; one
 * that does not open is skipped and reported to `onUnreadable`. The limits are the memory store's:
 * at most `maxActivitiesPerConversation` kept (older ones deleted as new ones come; the watermark
 * keeps counting), at most `maxConversationBytes` of the newest returned by a read (never fewer than
 * one), and a conversation idle past `idleMs` reads as unknown; creating it again starts it afresh,
 * its sequence going on from where it was, so that no activity id is reused.
 *
 * @example
 * const store = new MongoConversationStore(db, { cipher, limits: { maxActivitiesPerConversation: 100 }, onUnreadable });
 * await store.create({ id: 'c1', userId: 'dl_u1', locale: 'it-IT', serviceUrl: 'https://dialogo.example/v3/directline' });
 */
export class MongoConversationStore implements ConversationStore {
  private readonly db: Db;
  private readonly conversations: Collection<ConversationDoc>;
  private readonly activities: Collection<ActivityDoc>;
  private readonly limits: Limits;
  private readonly cipher: RecordCipher;
  private readonly onUnreadable: DirectLineStoreOptions['onUnreadable'];

  constructor(db: Db, options: DirectLineStoreOptions) {
    this.db = db;
    this.conversations = db.collection<ConversationDoc>(CONVERSATIONS_COLLECTION);
    this.activities = db.collection<ActivityDoc>(ACTIVITIES_COLLECTION);
    this.limits = {
      idleMs: 24 * 60 * 60 * 1000,
      maxActivitiesPerConversation: 100,
      maxConversationBytes: 256 * 1024,
      now: Date.now,
      ...options.limits,
    };
    if (this.limits.maxActivitiesPerConversation < 1) throw new Error('maxActivitiesPerConversation must be at least 1');
    this.cipher = options.cipher;
    this.onUnreadable = options.onUnreadable;
  }

  async create(input: Omit<DirectLineConversation, 'createdAt' | 'lastActiveAt'>): Promise<DirectLineConversation> {
    const now = new Date(this.limits.now());
    const fields = { userId: input.userId, serviceUrl: input.serviceUrl, ...(input.locale === undefined ? {} : { locale: input.locale }) };
    // Two instances racing to restart one idle conversation: the loser reads the winner's.
    for (let attempt = 0; attempt < 3; attempt += 1) {
      const found = await this.conversations.findOneAndUpdate(
        { _id: input.id },
        { $setOnInsert: { ...fields, createdAt: now, lastActiveAt: now, next: 1 } },
        { upsert: true, returnDocument: 'after' },
      );
      const current = parseConversation(found, input.id);
      if (this.isLive(current)) return conversationOf(current);
      // Idle, so no append moves `next` meanwhile: the new life starts there, and its readers below it see nothing.
      const restarted = await this.conversations.findOneAndUpdate(
        { _id: input.id, lastActiveAt: current.lastActiveAt, next: current.next },
        { $set: { ...fields, createdAt: now, lastActiveAt: now, first: current.next }, ...(input.locale === undefined ? { $unset: { locale: '' } } : {}) },
      );
      if (!restarted) continue;
      // The idle conversation's history is not the new one's.
      await this.activities.deleteMany({ conversationId: input.id, seq: { $lt: current.next } });
      return { ...input, createdAt: now.getTime(), lastActiveAt: now.getTime() };
    }
    throw new Error(`Direct Line conversation ${input.id} keeps changing while being created`);
  }

  async get(id: string): Promise<DirectLineConversation | undefined> {
    const current = await this.live(id);
    return current ? conversationOf(current) : undefined;
  }

  async append(id: string, activity: Partial<Activity>): Promise<StoredActivity> {
    const now = this.limits.now();
    const before = await this.conversations.findOneAndUpdate(
      { _id: id, lastActiveAt: { $gte: new Date(now - this.limits.idleMs) } },
      { $inc: { next: 1 }, $set: { lastActiveAt: new Date(now) } },
      { returnDocument: 'before' },
    );
    if (!before) throw new Error(`unknown Direct Line conversation ${id}`);
    const seq = parseConversation(before, id).next;
    const stored: StoredActivity = { seq, activity: { ...activity, id: activityId(id, seq) } };
    const json = JSON.stringify(stored.activity);
    await this.activities.insertOne({
      _id: activityId(id, seq),
      conversationId: id,
      seq,
      at: new Date(this.limits.now()),
      bytes: Buffer.byteLength(json),
      sealed: this.cipher.seal(json, contextOf(id, seq)),
    });
    const oldest = seq - this.limits.maxActivitiesPerConversation;
    if (oldest >= 1) {
      // The activity is stored, so a failed trim must not fail the append (a retry would store it twice):
      // readers ignore what is past the count anyway, and the next append trims the same range again.
      await this.activities.deleteMany({ conversationId: id, seq: { $lte: oldest } }).catch(() => undefined);
    }
    return stored;
  }

  async activitiesAfter(id: string, watermark: number): Promise<StoredActivity[]> {
    const current = await this.live(id);
    if (!current) return [];
    const { accepted, withSealed } = await this.readable(current, watermark, true);
    const chosen = this.withinBytes(accepted);
    const first = chosen[0];
    const last = chosen[chosen.length - 1];
    if (!first || !last) return [];
    let sealed: Map<number, string>;
    if (withSealed) {
      sealed = new Map(chosen.map((meta) => [meta.seq, meta.sealed ?? '']));
    } else {
      const docs = await this.activities.find({ conversationId: id, seq: { $gte: first.seq, $lte: last.seq } }, { projection: { seq: 1, sealed: 1 } }).toArray();
      sealed = new Map();
      for (const doc of docs) {
        const parsed = sealedSchema.safeParse(doc);
        if (parsed.success) sealed.set(parsed.data.seq, parsed.data.sealed);
      }
    }
    const result: StoredActivity[] = [];
    for (const meta of chosen) {
      const text = sealed.get(meta.seq);
      // Trimmed since the first read: gone, as it would be from memory.
      if (text === undefined) continue;
      const opened = this.open(id, meta.seq, text);
      if (opened) result.push({ seq: meta.seq, activity: opened });
    }
    return result;
  }

  async lastWatermark(id: string): Promise<number> {
    const current = await this.live(id);
    if (!current) return 0;
    const last = current.next - 1;
    // Nothing allocated lately: no append can be half done.
    if (this.limits.now() - current.lastActiveAt.getTime() >= GAP_GRACE_MS) return last;
    return (await this.readable(current, 0)).watermark;
  }

  /** Deletes conversations not active since `before` and activities stored before it (see {@link purgeIdleConversations}). */
  async purgeIdleBefore(before: Date): Promise<number> {
    return purgeIdleConversations(this.db, before);
  }

  private isLive(conversation: ParsedConversation): boolean {
    return this.limits.now() - conversation.lastActiveAt.getTime() <= this.limits.idleMs;
  }

  private async live(id: string): Promise<ParsedConversation | undefined> {
    const found = await this.conversations.findOne({ _id: id });
    if (!found) return undefined;
    const current = parseConversation(found, id);
    return this.isLive(current) ? current : undefined;
  }

  /**
   * The kept activities after `watermark` that a reader may take, oldest first, and the watermark
   * a reader may move to. Allocation and insertion are two steps, so a later sequence can be stored
   * before an earlier one: the reader stops at a missing sequence unless the activity after it was
   * stored over {@link GAP_GRACE_MS} ago (its writer failed; the sequence is lost for good).
   */
  private async readable(current: ParsedConversation, watermark: number, wantSealed = false): Promise<{ accepted: Meta[]; watermark: number; withSealed: boolean }> {
    const last = current.next - 1;
    const max = this.limits.maxActivitiesPerConversation;
    const from = Math.max(watermark, last - max, current.first - 1);
    const withSealed = wantSealed && last - from <= SMALL_READ;
    if (from >= last) return { accepted: [], watermark: Math.max(watermark, last), withSealed };
    // No upper bound: activities appended since `current` was read count too, so that what their
    // appends trimmed is known to be trimmed (it lies at or below the newest minus the count).
    const metas: Meta[] = [];
    const docs = await this.activities.find({ conversationId: current._id, seq: { $gt: from } }, { projection: { seq: 1, at: 1, bytes: 1, ...(withSealed ? { sealed: 1 } : {}) } }).sort({ seq: 1 }).toArray();
    for (const doc of docs) {
      const parsed = metaSchema.safeParse(doc);
      if (parsed.success) metas.push(parsed.data);
    }
    const start = Math.max(from, (metas[metas.length - 1]?.seq ?? 0) - max);
    const now = this.limits.now();
    const accepted: Meta[] = [];
    let expected = start + 1;
    for (const meta of metas) {
      if (meta.seq <= start) continue;
      if (meta.seq > expected && now - meta.at.getTime() < GAP_GRACE_MS) return { accepted, watermark: expected - 1, withSealed };
      accepted.push(meta);
      expected = meta.seq + 1;
    }
    // Sequences allocated at the end but not stored: still being written, unless allocated long ago.
    const tailLost = now - current.lastActiveAt.getTime() >= GAP_GRACE_MS;
    return { accepted, watermark: expected - 1 >= last || !tailLost ? expected - 1 : last, withSealed };
  }

  /** The newest of `metas` whose bytes fit the budget, never fewer than one (as the memory store keeps them). */
  private withinBytes(metas: readonly Meta[]): Meta[] {
    let total = 0;
    let start = metas.length;
    while (start > 0) {
      const meta = metas[start - 1];
      if (!meta) break;
      if (start < metas.length && total + meta.bytes > this.limits.maxConversationBytes) break;
      total += meta.bytes;
      start -= 1;
    }
    return metas.slice(start);
  }

  private open(id: string, seq: number, sealed: string): Partial<Activity> | undefined {
    const context = contextOf(id, seq);
    try {
      const value = JSON.parse(this.cipher.open(sealed, context)) as unknown;
      if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new SealedRecordError(context, 'malformed', 'the opened value is not a JSON object');
      return value as Partial<Activity>;
    } catch (error) {
      const unreadable = error instanceof SealedRecordError ? error : new SealedRecordError(context, 'malformed', 'the opened value is not JSON');
      this.onUnreadable(unreadable);
      return undefined;
    }
  }
}

function contextOf(conversationId: string, seq: number): string {
  return `directline/${conversationId}/${seq}`;
}

function parseConversation(doc: unknown, id: string): ParsedConversation {
  const parsed = conversationSchema.safeParse(doc);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`invalid mongodb ${CONVERSATIONS_COLLECTION} document "${id}": ${issue ? `${issue.path.join('.') || '(document)'} ${issue.message}` : 'unreadable'}`);
  }
  return parsed.data;
}

function conversationOf(doc: ParsedConversation): DirectLineConversation {
  return {
    id: doc._id,
    userId: doc.userId,
    locale: doc.locale ?? undefined,
    serviceUrl: doc.serviceUrl,
    createdAt: doc.createdAt.getTime(),
    lastActiveAt: doc.lastActiveAt.getTime(),
  };
}
