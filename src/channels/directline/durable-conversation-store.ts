import type { Activity, Storage } from 'botbuilder';
import type { ConversationStore, DirectLineConversation, StoredActivity } from './conversation-store';
import { MemoryConversationStore, type MemoryStoreLimits } from './memory-conversation-store';

/** Activities kept in the durable copy of a conversation (the widget shows the recent history). */
const DURABLE_ACTIVITIES = 100;
/** Appends within this window are written together, off the turn's path. */
const WRITE_DELAY_MS = 250;

interface Snapshot {
  conversation: DirectLineConversation;
  activities: StoredActivity[];
  next: number;
}

/**
 * Direct Line conversations that survive a restart: served from memory, and written behind to the
 * state store (`directline/conversation/<id>`, the last 100 activities): a new conversation at
 * once, later changes within 250 ms, several appends in one write and never on the turn's path.
 * So a citizen's widget resumes after a restart and an operator can still reach a citizen who
 * queued before it; a crash loses at most the last 250 ms of history, and {@link flush} (on
 * shutdown) writes whatever is waiting. A conversation not in memory is read back on first use.
 *
 * @example
 * const store = new DurableConversationStore(resilientStorage);
 * const adapter = new DirectLineAdapter({ store, botLogic });
 */
export class DurableConversationStore implements ConversationStore {
  private readonly memory: MemoryConversationStore;
  /** Writes of one conversation, chained so that the last snapshot written is the newest. */
  private readonly writes = new Map<string, Promise<void>>();
  /** Conversations changed since their last write, with the timer that will write them. */
  private readonly dirty = new Map<string, NodeJS.Timeout>();

  constructor(
    private readonly storage: Storage,
    limits: Partial<MemoryStoreLimits> = {},
  ) {
    this.memory = new MemoryConversationStore(limits);
  }

  async create(input: Omit<DirectLineConversation, 'createdAt' | 'lastActiveAt'>): Promise<DirectLineConversation> {
    const conversation = await this.memory.create(input);
    await this.persist(conversation.id);
    return conversation;
  }

  async get(id: string): Promise<DirectLineConversation | undefined> {
    await this.load(id);
    return this.memory.get(id);
  }

  async append(id: string, activity: Partial<Activity>): Promise<StoredActivity> {
    await this.load(id);
    const stored = await this.memory.append(id, activity);
    this.schedule(id);
    return stored;
  }

  async activitiesAfter(id: string, watermark: number): Promise<StoredActivity[]> {
    await this.load(id);
    return this.memory.activitiesAfter(id, watermark);
  }

  async lastWatermark(id: string): Promise<number> {
    await this.load(id);
    return this.memory.lastWatermark(id);
  }

  /** Writes every conversation waiting to be written; resolves when they are stored. */
  async flush(): Promise<void> {
    const waiting = [...this.dirty.keys()];
    for (const id of waiting) clearTimeout(this.dirty.get(id));
    this.dirty.clear();
    await Promise.all(waiting.map((id) => this.persist(id).catch(() => undefined)));
  }

  private schedule(id: string): void {
    if (this.dirty.has(id)) return;
    const timer = setTimeout(() => {
      this.dirty.delete(id);
      // A failed write is retried with the next change; ResilientStorage already keeps state through outages.
      this.persist(id).catch(() => undefined);
    }, WRITE_DELAY_MS);
    timer.unref();
    this.dirty.set(id, timer);
  }

  /** Reads a conversation back from the store when memory does not hold it. */
  private async load(id: string): Promise<void> {
    if (this.memory.snapshot(id)) return;
    const item = (await this.storage.read([keyOf(id)]))[keyOf(id)] as Partial<Snapshot> | undefined;
    if (!item?.conversation || !Array.isArray(item.activities) || typeof item.next !== 'number') return;
    this.memory.restore({ conversation: item.conversation, activities: item.activities, next: item.next });
  }

  private persist(id: string): Promise<void> {
    const previous = this.writes.get(id) ?? Promise.resolve();
    const write = previous.then(async () => {
      const snapshot = this.memory.snapshot(id);
      if (!snapshot) return;
      const durable: Snapshot = { ...snapshot, activities: snapshot.activities.slice(-DURABLE_ACTIVITIES) };
      await this.storage.write({ [keyOf(id)]: { ...durable, eTag: '*' } });
    });
    const settled = write.catch(() => undefined);
    this.writes.set(id, settled);
    void settled.then(() => {
      if (this.writes.get(id) === settled) this.writes.delete(id);
    });
    return write;
  }
}

function keyOf(id: string): string {
  return `directline/conversation/${id}`;
}
