import type { Activity } from 'botbuilder';
import { activityId, type ConversationStore, type DirectLineConversation, type StoredActivity } from './conversation-store';

/** Limits that keep the in-memory store bounded on a public endpoint. */
export interface MemoryStoreLimits {
  /** Conversations idle this long are dropped (default 24 h). */
  readonly idleMs: number;
  /** At most this many conversations; the least recently active goes first (default 10,000). */
  readonly maxConversations: number;
  /** Older activities beyond this many per conversation are forgotten; watermarks keep counting (default 500). */
  readonly maxActivitiesPerConversation: number;
  readonly now: () => number;
}

interface Entry {
  readonly conversation: DirectLineConversation;
  readonly activities: StoredActivity[];
  next: number;
}

/**
 * The {@link ConversationStore} of a single process: fine for one instance, lost on restart.
 * Bounded by idle time, conversation count and activities per conversation, so that anonymous
 * citizens cannot grow it without limit.
 *
 * @example
 * const store = new MemoryConversationStore({ idleMs: 60_000 });
 * await store.create({ id: 'c1', userId: 'dl_u1', locale: 'it-IT', serviceUrl: 'http://localhost:3978/v3/directline' });
 */
export class MemoryConversationStore implements ConversationStore {
  private readonly entries = new Map<string, Entry>();
  private readonly limits: MemoryStoreLimits;

  constructor(limits: Partial<MemoryStoreLimits> = {}) {
    this.limits = { idleMs: 24 * 60 * 60 * 1000, maxConversations: 10_000, maxActivitiesPerConversation: 500, now: Date.now, ...limits };
  }

  /** Conversations held right now (after dropping idle ones). */
  get size(): number {
    this.sweep();
    return this.entries.size;
  }

  async create(input: Omit<DirectLineConversation, 'createdAt' | 'lastActiveAt'>): Promise<DirectLineConversation> {
    this.sweep();
    const existing = this.entries.get(input.id);
    if (existing) return existing.conversation;
    // Map iteration order is insertion order and touch() re-inserts, so the first key is the least recently active.
    while (this.entries.size >= this.limits.maxConversations) {
      const oldest = this.entries.keys().next().value;
      if (oldest === undefined) break;
      this.entries.delete(oldest);
    }
    const now = this.limits.now();
    const conversation: DirectLineConversation = { ...input, createdAt: now, lastActiveAt: now };
    this.entries.set(input.id, { conversation, activities: [], next: 1 });
    return conversation;
  }

  /** The conversation with its kept activities and next sequence number, for a durable copy. */
  snapshot(id: string): { conversation: DirectLineConversation; activities: StoredActivity[]; next: number } | undefined {
    const entry = this.live(id);
    return entry ? { conversation: { ...entry.conversation }, activities: [...entry.activities], next: entry.next } : undefined;
  }

  /** Puts back a conversation read from a durable copy (unless one of that id is already held). */
  restore(snapshot: { conversation: DirectLineConversation; activities: readonly StoredActivity[]; next: number }): void {
    if (this.entries.has(snapshot.conversation.id)) return;
    if (this.limits.now() - snapshot.conversation.lastActiveAt > this.limits.idleMs) return;
    this.entries.set(snapshot.conversation.id, { conversation: { ...snapshot.conversation }, activities: [...snapshot.activities], next: snapshot.next });
  }

  async get(id: string): Promise<DirectLineConversation | undefined> {
    return this.live(id)?.conversation;
  }

  async append(id: string, activity: Partial<Activity>): Promise<StoredActivity> {
    const entry = this.live(id);
    if (!entry) throw new Error(`unknown Direct Line conversation ${id}`);
    const seq = entry.next;
    entry.next += 1;
    const stored: StoredActivity = { seq, activity: { ...activity, id: activityId(id, seq) } };
    entry.activities.push(stored);
    if (entry.activities.length > this.limits.maxActivitiesPerConversation) entry.activities.shift();
    this.touch(id, entry);
    return stored;
  }

  async activitiesAfter(id: string, watermark: number): Promise<StoredActivity[]> {
    const entry = this.live(id);
    if (!entry) return [];
    return entry.activities.filter((stored) => stored.seq > watermark);
  }

  async lastWatermark(id: string): Promise<number> {
    const entry = this.live(id);
    return entry ? entry.next - 1 : 0;
  }

  /** The entry if it exists and is not idle past the limit (an idle one is dropped here). */
  private live(id: string): Entry | undefined {
    const entry = this.entries.get(id);
    if (!entry) return undefined;
    if (this.limits.now() - entry.conversation.lastActiveAt > this.limits.idleMs) {
      this.entries.delete(id);
      return undefined;
    }
    return entry;
  }

  private touch(id: string, entry: Entry): void {
    entry.conversation.lastActiveAt = this.limits.now();
    this.entries.delete(id);
    this.entries.set(id, entry);
  }

  /** Drops idle conversations; the oldest come first, so it stops at the first live one. */
  private sweep(): void {
    const cutoff = this.limits.now() - this.limits.idleMs;
    for (const [id, entry] of this.entries) {
      if (entry.conversation.lastActiveAt >= cutoff) break;
      this.entries.delete(id);
    }
  }
}
