import type { Activity, Storage, StoreItems } from 'botbuilder';
import { z } from 'zod';
import { ConversationStoreFullError, type ConversationStore, type DirectLineConversation, type StoredActivity } from './conversation-store';
import { MemoryConversationStore, type ConversationSnapshot, type MemoryStoreLimits, type WrittenRange } from './memory-conversation-store';

/** Appends within this window are written together, off the turn's path. */
const WRITE_DELAY_MS = 250;
/**
 * Memory holds the conversations in use; the store holds the ones that may resume (24 h). Read back on
 * a citizen's return costs one read of the store, so a conversation quiet this long need not stay.
 */
const RESIDENT_MS = 2 * 60 * 1000;
/**
 * Activities of a conversation kept in memory once written: the newest two (a question and its
 * answer), which a stream or a poll asks for; older ones are read from the store on the rare request
 * that wants them (a reconnection with an old watermark, a data export). Ten thousand live
 * conversations of three turns held 66-72 MB of history before, 39 MB keeping four (bench:memory).
 */
const RESIDENT_ACTIVITIES = 2;
/** A failed write is tried again after this long (and on every change meanwhile). */
const RETRY_DELAY_MS = 2_000;

const conversationSchema = z.object({
  id: z.string(),
  userId: z.string(),
  locale: z.string().optional(),
  serviceUrl: z.string(),
  createdAt: z.number(),
  lastActiveAt: z.number(),
});
const storedActivitySchema = z.object({ seq: z.number().int().positive(), activity: z.record(z.string(), z.unknown()) });

/**
 * The head record, as read back (checked, since the store is outside this process): the conversation,
 * its next seq and its first kept one; each kept activity is a record of its own ({@link activityKey}).
 */
const headSchema = z.object({ conversation: conversationSchema, next: z.number().int().positive(), first: z.number().int().positive() });

/** The format before heads (up to December 2026): the whole conversation in one record, rewritten on every change. */
const wholeSnapshotSchema = z.object({ conversation: conversationSchema, activities: z.array(storedActivitySchema), next: z.number().int().positive() });

/** The memory store's limits (`maxConversations` evicts only written conversations here) plus the budget of everything held in memory. */
export interface DurableStoreLimits extends MemoryStoreLimits {
  /** Bytes (as counted by MemoryConversationStore.heldBytes) held in memory in all (default 256 MB). */
  readonly maxMemoryBytes: number;
  /** A written conversation with no change for this long leaves memory (default 2 minutes); read back on its next use. */
  readonly residentMs: number;
}

/**
 * Direct Line conversations that survive a restart: served from memory, and written behind to the
 * state store: a new conversation at once, later changes within 250 ms, several appends in one write
 * and never on the turn's path. So a citizen's widget resumes after a restart and an operator can
 * still reach a citizen who queued before it; a crash loses at most the last 250 ms of history, and
 * {@link flush} (on shutdown) writes whatever is waiting. A conversation not in memory is read back
 * on first use.
 *
 * A write costs what changed, not the conversation's length: a small head record
 * (`directline/conversation/<id>`: the conversation, its next and first kept seq) plus one record per
 * new activity (`directline/conversations/<id>/activity/<seq>`, under botbuilder's per-conversation
 * prefix so that a citizen's data export finds it with the dialog state); records of activities
 * trimmed by the count and byte limits are deleted. Rewriting the whole history instead (the format
 * before, still read) made the bytes written grow with the square of a conversation's length.
 *
 * Memory is a cache of the store: of a written conversation it keeps the newest two activities
 * (older ones are read back when asked for), and a conversation written and unchanged for
 * `residentMs` (2 minutes) leaves it, and past `maxMemoryBytes` or `maxConversations` so do the least recently active
 * conversations whose copy is written; when none can be (all are being written), a new conversation
 * is refused with {@link ConversationStoreFullError} rather than grow. Being its own cache, it wants
 * the store itself, not a caching wrapper (ResilientStorage keeps every item written, up to 20,000,
 * whatever their size): while the store is down, conversations whose write failed stay in memory,
 * are retried every 2 s, and count against the budget.
 *
 * @example
 * const store = new DurableConversationStore(resilientStorage, { maxMemoryBytes: 256 * 1024 * 1024 });
 * const adapter = new DirectLineAdapter({ store, botLogic });
 */
export class DurableConversationStore implements ConversationStore {
  private readonly memory: MemoryConversationStore;
  private readonly maxMemoryBytes: number;
  private readonly maxActivities: number;
  private readonly maxConversations: number;
  private readonly residentMs: number;
  private readonly now: () => number;
  /** Writes, one batch at a time, so that the last snapshot written of a conversation is its newest. */
  private writing: Promise<void> = Promise.resolve();
  /** Conversations in a batch being written or waiting to be (how many batches hold each). */
  private readonly inFlight = new Map<string, number>();
  /** Conversations changed since their last write; the timer writes them all in one batch. */
  private readonly dirty = new Set<string>();
  private batchTimer: NodeJS.Timeout | undefined;
  /** Conversations whose last write failed: memory holds the only copy of their latest state. */
  private readonly unsaved = new Set<string>();
  /** Operations in progress per conversation (between reading it back and changing it). */
  private readonly busy = new Map<string, number>();

  constructor(
    private readonly storage: Storage,
    limits: Partial<DurableStoreLimits> = {},
  ) {
    const { maxMemoryBytes = 256 * 1024 * 1024, residentMs = RESIDENT_MS, ...memoryLimits } = limits;
    this.residentMs = residentMs;
    this.now = memoryLimits.now ?? Date.now;
    this.maxMemoryBytes = maxMemoryBytes;
    const { maxConversations = 10_000, ...perConversation } = memoryLimits;
    this.maxActivities = perConversation.maxActivitiesPerConversation ?? 100;
    this.maxConversations = maxConversations;
    // Both budgets are kept here, evicting only what is written: the memory store's own count limit
    // would drop the least recently active conversation even while its last changes wait to be written.
    this.memory = new MemoryConversationStore({ ...perConversation, maxConversations: Number.POSITIVE_INFINITY });
  }

  /** Bytes held in memory (see MemoryConversationStore.heldBytes). */
  get heldBytes(): number {
    return this.memory.heldBytes;
  }

  async create(input: Omit<DirectLineConversation, 'createdAt' | 'lastActiveAt'>): Promise<DirectLineConversation> {
    return this.hold(input.id, async () => {
      if (!this.memory.holds(input.id)) {
        this.makeRoom();
        if (this.memory.heldBytes >= this.maxMemoryBytes) throw new ConversationStoreFullError(this.memory.heldBytes, this.maxMemoryBytes);
      }
      const conversation = await this.memory.create(input);
      await this.persist([conversation.id]);
      return conversation;
    });
  }

  async get(id: string): Promise<DirectLineConversation | undefined> {
    return this.hold(id, async () => {
      await this.load(id);
      return this.memory.get(id);
    });
  }

  async append(id: string, activity: Partial<Activity>): Promise<StoredActivity> {
    return this.hold(id, async () => {
      await this.load(id);
      const stored = await this.memory.append(id, activity);
      this.schedule(id);
      return stored;
    });
  }

  async activitiesAfter(id: string, watermark: number): Promise<StoredActivity[]> {
    return this.hold(id, async () => {
      await this.load(id);
      const resident = await this.memory.activitiesAfter(id, watermark);
      const shed = this.memory.shedAfter(id, watermark);
      if (shed.length === 0) return resident;
      // A record gone meanwhile was trimmed by a later write (or a retention pass): it is no longer kept.
      return [...(await this.readActivities(id, shed)), ...resident];
    });
  }

  async lastWatermark(id: string): Promise<number> {
    return this.hold(id, async () => {
      await this.load(id);
      return this.memory.lastWatermark(id);
    });
  }

  /**
   * Writes every conversation waiting to be written; resolves when they are stored, including a
   * batch already on its way (its timer fired just before: without waiting for it, a shutdown closed
   * the store under it and the conversation's last activities were lost). A write that fails stays
   * scheduled for its retry.
   */
  async flush(): Promise<void> {
    if (this.batchTimer) clearTimeout(this.batchTimer);
    this.batchTimer = undefined;
    await this.writing;
    await this.persistDirty();
  }

  /** Runs `work` with `id` marked busy, so that it is not evicted between being read back and used. */
  private async hold<T>(id: string, work: () => Promise<T>): Promise<T> {
    this.busy.set(id, (this.busy.get(id) ?? 0) + 1);
    try {
      return await work();
    } finally {
      const left = (this.busy.get(id) ?? 1) - 1;
      if (left > 0) this.busy.set(id, left);
      else this.busy.delete(id);
      this.makeRoom();
    }
  }

  /**
   * Evicts the least recently active conversations whose latest state is in the store until memory is
   * within budget, in bytes and in conversations. Recently changed ones sit at the end of the order, so
   * the scan rarely goes far.
   */
  private makeRoom(): void {
    const residentAfter = this.now() - this.residentMs;
    for (const id of this.memory.leastRecentlyActive()) {
      const stale = (this.memory.usedAt(id) ?? 0) < residentAfter;
      if (!stale && this.memory.heldBytes <= this.maxMemoryBytes && this.memory.size <= this.maxConversations) return;
      if (this.dirty.has(id) || this.inFlight.has(id) || this.unsaved.has(id) || this.busy.has(id)) continue;
      this.memory.evict(id);
    }
  }

  /** Marks `id` to be written with the next batch, within `delayMs`. */
  private schedule(id: string, delayMs = WRITE_DELAY_MS): void {
    this.dirty.add(id);
    if (this.batchTimer) return;
    this.batchTimer = setTimeout(() => {
      this.batchTimer = undefined;
      void this.persistDirty();
    }, delayMs);
    this.batchTimer.unref();
  }

  private persistDirty(): Promise<void> {
    const ids = [...this.dirty];
    this.dirty.clear();
    return ids.length === 0 ? Promise.resolve() : this.persist(ids).catch(() => undefined);
  }

  /** Reads a conversation back from the store when memory does not hold it (its head, then its activities). */
  private async load(id: string): Promise<void> {
    if (this.memory.holds(id)) return;
    const item: unknown = (await this.storage.read([keyOf(id)]))[keyOf(id)];
    const head = headSchema.safeParse(item);
    if (head.success && head.data.conversation.id === id) {
      const { conversation, next, first } = head.data;
      const from = Math.max(first, next - this.maxActivities);
      const activities = await this.readActivities(id, Array.from({ length: Math.max(0, next - from) }, (_, i) => from + i));
      this.memory.restore({ conversation: { ...conversation, locale: conversation.locale }, activities, next }, { first, upTo: next - 1 });
      this.memory.shed(id, RESIDENT_ACTIVITIES);
      return;
    }
    const whole = wholeSnapshotSchema.safeParse(item);
    // A copy that is not one (another writer, a format of the future) is ignored: the conversation is unknown.
    if (!whole.success || whole.data.conversation.id !== id) return;
    const { conversation, activities, next } = whole.data;
    const snapshot: ConversationSnapshot = { conversation: { ...conversation, locale: conversation.locale }, activities: activities as StoredActivity[], next };
    // Nothing written as records yet: its next write moves every kept activity to records and replaces the old copy with a head.
    this.memory.restore(snapshot);
  }

  /**
   * The activity records `seqs` of conversation `id`, in that order; a record that is missing (a crash
   * between records and head, a trim, a retention pass) or not one is skipped.
   */
  private async readActivities(id: string, seqs: readonly number[]): Promise<StoredActivity[]> {
    if (seqs.length === 0) return [];
    const keys = seqs.map((seq) => activityKey(id, seq));
    const records = await this.storage.read(keys);
    const activities: StoredActivity[] = [];
    for (const key of keys) {
      const record = storedActivitySchema.safeParse(records[key]);
      if (record.success) activities.push({ seq: record.data.seq, activity: record.data.activity as Partial<Activity> });
    }
    return activities;
  }

  /**
   * Writes the conversations `ids` in one batch (one store write: for SQLite, one transaction for all
   * of them, instead of one per conversation every 250 ms). A batch the store refuses is tried again
   * conversation by conversation, so that one conversation the store cannot take does not hold back
   * the others; those that fail stay unsaved and are retried in 2 s. Rejects with the first failure.
   */
  private persist(ids: readonly string[]): Promise<void> {
    for (const id of ids) this.inFlight.set(id, (this.inFlight.get(id) ?? 0) + 1);
    const write = this.writing.then(async () => {
      let failure: unknown;
      try {
        await this.writeConversations(ids);
      } catch (error) {
        failure = error;
        if (ids.length > 1) {
          failure = undefined;
          for (const id of ids) {
            try {
              await this.writeConversations([id]);
            } catch (single) {
              failure ??= single;
              this.unsaved.add(id);
              this.schedule(id, RETRY_DELAY_MS);
            }
          }
        } else {
          for (const id of ids) {
            this.unsaved.add(id);
            this.schedule(id, RETRY_DELAY_MS);
          }
        }
      }
      if (failure !== undefined) throw failure;
    });
    this.writing = write.catch(() => undefined);
    void this.writing.then(() => {
      for (const id of ids) {
        const left = (this.inFlight.get(id) ?? 1) - 1;
        if (left > 0) this.inFlight.set(id, left);
        else this.inFlight.delete(id);
      }
      this.makeRoom();
    });
    return write;
  }

  private async writeConversations(ids: readonly string[]): Promise<void> {
    const items: StoreItems = {};
    const stale: string[] = [];
    const written: [string, WrittenRange][] = [];
    for (const id of ids) {
      const snapshot = this.memory.snapshot(id);
      if (!snapshot) continue;
      const changes = changesOf(snapshot, this.memory.writtenRange(id));
      Object.assign(items, changes.items);
      stale.push(...changes.stale);
      written.push([id, changes.written]);
    }
    if (written.length === 0) return;
    // Records before heads (changesOf puts each head after its records): a store that writes key by key
    // (MongoDB) and stops halfway leaves records no head names yet, never a head naming missing records.
    await this.storage.write(items);
    if (stale.length > 0) await this.storage.delete(stale);
    for (const [id, range] of written) {
      this.memory.markWritten(id, range);
      this.memory.shed(id, RESIDENT_ACTIVITIES);
      this.unsaved.delete(id);
    }
  }
}

/**
 * What a write of `snapshot` stores and deletes, given what the store holds (`before`): the records of
 * activities newer than it holds, then the head; the records of activities trimmed since.
 */
function changesOf(snapshot: ConversationSnapshot, before: WrittenRange | undefined): { items: StoreItems; stale: string[]; written: WrittenRange } {
  const id = snapshot.conversation.id;
  const upTo = before?.upTo ?? 0;
  const first = snapshot.first ?? snapshot.activities[0]?.seq ?? snapshot.next;
  const items: StoreItems = {};
  for (const { seq, activity } of snapshot.activities) {
    if (seq > upTo) items[activityKey(id, seq)] = { seq, activity, eTag: '*' };
  }
  items[keyOf(id)] = { conversation: snapshot.conversation, next: snapshot.next, first, eTag: '*' };
  const stale: string[] = [];
  if (before) for (let seq = before.first; seq < Math.min(first, upTo + 1); seq += 1) stale.push(activityKey(id, seq));
  return { items, stale, written: { first, upTo: snapshot.next - 1 } };
}

function keyOf(id: string): string {
  return `directline/conversation/${id}`;
}

/** The record of one activity: under botbuilder's prefix of the conversation's own state, seven digits so that keys sort by seq. */
function activityKey(id: string, seq: number): string {
  return `directline/conversations/${id}/activity/${String(seq).padStart(7, '0')}`;
}
