import type { Activity, Storage } from 'botbuilder';
import { z } from 'zod';
import { ConversationStoreFullError, type ConversationStore, type DirectLineConversation, type StoredActivity } from './conversation-store';
import { MemoryConversationStore, type ConversationSnapshot, type MemoryStoreLimits } from './memory-conversation-store';

/** Appends within this window are written together, off the turn's path. */
const WRITE_DELAY_MS = 250;
/** A failed write is tried again after this long (and on every change meanwhile). */
const RETRY_DELAY_MS = 2_000;

/** A durable copy as read back: checked, since the store is outside this process. */
const snapshotSchema = z.object({
  conversation: z.object({
    id: z.string(),
    userId: z.string(),
    locale: z.string().optional(),
    serviceUrl: z.string(),
    createdAt: z.number(),
    lastActiveAt: z.number(),
  }),
  activities: z.array(z.object({ seq: z.number().int().positive(), activity: z.record(z.string(), z.unknown()) })),
  next: z.number().int().positive(),
});

/** The memory store's limits plus the budget of everything held in memory. */
export interface DurableStoreLimits extends MemoryStoreLimits {
  /** Bytes (as counted by MemoryConversationStore.heldBytes) held in memory in all (default 256 MB). */
  readonly maxMemoryBytes: number;
}

/**
 * Direct Line conversations that survive a restart: served from memory, and written behind to the
 * state store (`directline/conversation/<id>`, the activities the memory store keeps, so bounded by
 * the same count and byte limits): a new conversation at once, later changes within 250 ms, several
 * appends in one write and never on the turn's path. So a citizen's widget resumes after a restart
 * and an operator can still reach a citizen who queued before it; a crash loses at most the last
 * 250 ms of history, and {@link flush} (on shutdown) writes whatever is waiting. A conversation not
 * in memory is read back on first use.
 *
 * Memory is a cache of the store: past `maxMemoryBytes` the least recently active conversations
 * whose copy is written are evicted; when none can be (all are being written), a new conversation
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
  /** Writes of one conversation, chained so that the last snapshot written is the newest. */
  private readonly writes = new Map<string, Promise<void>>();
  /** Conversations changed since their last write, with the timer that will write them. */
  private readonly dirty = new Map<string, NodeJS.Timeout>();
  /** Conversations whose last write failed: memory holds the only copy of their latest state. */
  private readonly unsaved = new Set<string>();
  /** Operations in progress per conversation (between reading it back and changing it). */
  private readonly busy = new Map<string, number>();

  constructor(
    private readonly storage: Storage,
    limits: Partial<DurableStoreLimits> = {},
  ) {
    const { maxMemoryBytes = 256 * 1024 * 1024, ...memoryLimits } = limits;
    this.maxMemoryBytes = maxMemoryBytes;
    this.memory = new MemoryConversationStore(memoryLimits);
  }

  /** Bytes held in memory (see MemoryConversationStore.heldBytes). */
  get heldBytes(): number {
    return this.memory.heldBytes;
  }

  async create(input: Omit<DirectLineConversation, 'createdAt' | 'lastActiveAt'>): Promise<DirectLineConversation> {
    return this.hold(input.id, async () => {
      if (!this.memory.snapshot(input.id)) {
        this.makeRoom();
        if (this.memory.heldBytes >= this.maxMemoryBytes) throw new ConversationStoreFullError(this.memory.heldBytes, this.maxMemoryBytes);
      }
      const conversation = await this.memory.create(input);
      await this.persist(conversation.id);
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
      return this.memory.activitiesAfter(id, watermark);
    });
  }

  async lastWatermark(id: string): Promise<number> {
    return this.hold(id, async () => {
      await this.load(id);
      return this.memory.lastWatermark(id);
    });
  }

  /** Writes every conversation waiting to be written; resolves when they are stored. */
  async flush(): Promise<void> {
    const waiting = [...this.dirty.keys()];
    for (const id of waiting) clearTimeout(this.dirty.get(id));
    this.dirty.clear();
    await Promise.all(waiting.map((id) => this.persist(id).catch(() => undefined)));
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
   * within budget. Recently changed ones sit at the end of the order, so the scan rarely goes far.
   */
  private makeRoom(): void {
    if (this.memory.heldBytes <= this.maxMemoryBytes) return;
    for (const id of this.memory.leastRecentlyActive()) {
      if (this.memory.heldBytes <= this.maxMemoryBytes) return;
      if (this.dirty.has(id) || this.writes.has(id) || this.unsaved.has(id) || this.busy.has(id)) continue;
      this.memory.evict(id);
    }
  }

  private schedule(id: string, delayMs = WRITE_DELAY_MS): void {
    if (this.dirty.has(id)) return;
    const timer = setTimeout(() => {
      this.dirty.delete(id);
      this.persist(id).catch(() => undefined);
    }, delayMs);
    timer.unref();
    this.dirty.set(id, timer);
  }

  /** Reads a conversation back from the store when memory does not hold it. */
  private async load(id: string): Promise<void> {
    if (this.memory.snapshot(id)) return;
    const item: unknown = (await this.storage.read([keyOf(id)]))[keyOf(id)];
    const parsed = snapshotSchema.safeParse(item);
    // A copy that is not one (another writer, a format of the future) is ignored: the conversation is unknown.
    if (!parsed.success || parsed.data.conversation.id !== id) return;
    const { conversation, activities, next } = parsed.data;
    const snapshot: ConversationSnapshot = { conversation: { ...conversation, locale: conversation.locale }, activities: activities as StoredActivity[], next };
    this.memory.restore(snapshot);
  }

  private persist(id: string): Promise<void> {
    const previous = this.writes.get(id) ?? Promise.resolve();
    const write = previous.then(async () => {
      const snapshot = this.memory.snapshot(id);
      if (!snapshot) return;
      try {
        await this.storage.write({ [keyOf(id)]: { ...snapshot, eTag: '*' } });
        this.unsaved.delete(id);
      } catch (error) {
        this.unsaved.add(id);
        this.schedule(id, RETRY_DELAY_MS);
        throw error;
      }
    });
    const settled = write.catch(() => undefined);
    this.writes.set(id, settled);
    void settled.then(() => {
      if (this.writes.get(id) === settled) this.writes.delete(id);
      this.makeRoom();
    });
    return write;
  }
}

function keyOf(id: string): string {
  return `directline/conversation/${id}`;
}
