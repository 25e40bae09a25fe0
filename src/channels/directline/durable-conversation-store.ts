import type { Activity, Storage } from 'botbuilder';
import type { ConversationStore, DirectLineConversation, StoredActivity } from './conversation-store';
import { MemoryConversationStore, type MemoryStoreLimits } from './memory-conversation-store';

/** Activities kept in the durable copy of a conversation (the widget shows the recent history). */
const DURABLE_ACTIVITIES = 100;

interface Snapshot {
  conversation: DirectLineConversation;
  activities: StoredActivity[];
  next: number;
}

/**
 * Direct Line conversations that survive a restart: served from memory, and written through to
 * the state store (`directline/conversation/<id>`, the last 100 activities) after every change,
 * so a citizen's widget resumes after a restart and an operator can still reach a citizen who
 * queued before it. A conversation not in memory is read back from the store on first use.
 *
 * @example
 * const store = new DurableConversationStore(resilientStorage);
 * const adapter = new DirectLineAdapter({ store, botLogic });
 */
export class DurableConversationStore implements ConversationStore {
  private readonly memory: MemoryConversationStore;
  /** Writes of one conversation, chained so that the last snapshot written is the newest. */
  private readonly writes = new Map<string, Promise<void>>();

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
    await this.persist(id);
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
