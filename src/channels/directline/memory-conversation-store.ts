import type { Activity } from 'botbuilder';
import { activityId, type ConversationStore, type DirectLineConversation, type StoredActivity } from './conversation-store';

/** Limits that keep the in-memory store bounded on a public endpoint. */
export interface MemoryStoreLimits {
  /** Conversations idle this long are dropped (default 24 h). */
  readonly idleMs: number;
  /** At most this many conversations; the least recently active goes first (default 10,000). */
  readonly maxConversations: number;
  /** Older activities beyond this many per conversation are forgotten; watermarks keep counting (default 100). */
  readonly maxActivitiesPerConversation: number;
  /**
   * Older activities are forgotten while a conversation's activities (as JSON) exceed this many bytes
   * (default 256 KB); the newest is always kept, so a single larger activity still reaches the client.
   */
  readonly maxConversationBytes: number;
  readonly now: () => number;
}

/** What a conversation costs in the byte count besides its activities (its record and map entry). */
export const CONVERSATION_OVERHEAD_BYTES = 512;

/** A kept activity: in memory, or only in the owner's durable copy once shed ({@link MemoryConversationStore.shed}). */
interface Kept {
  readonly seq: number;
  stored: StoredActivity | undefined;
  readonly bytes: number;
}

interface Entry {
  readonly conversation: DirectLineConversation;
  readonly kept: Kept[];
  /** Bytes of every kept activity, shed or not, plus the overhead: what the per-conversation byte limit counts. */
  bytes: number;
  /** Bytes of the activities in memory plus the overhead: what this entry adds to {@link MemoryConversationStore.heldBytes}. */
  held: number;
  next: number;
  /** What its owner's durable copy holds (see {@link WrittenRange}); undefined while nothing is written. */
  written: WrittenRange | undefined;
  /** When it was last created, restored or appended to here: the map's order is this one's. */
  usedAt: number;
}

/**
 * The activities a durable copy holds as records of their own: seqs `first` to `upTo` (those of them
 * that were kept long enough to be written). An owner writes only what lies past `upTo` and deletes
 * what lies before the conversation's first kept activity.
 */
export interface WrittenRange {
  readonly first: number;
  readonly upTo: number;
}

/** A conversation with its kept activities and next sequence number: what a durable copy holds. */
export interface ConversationSnapshot {
  readonly conversation: DirectLineConversation;
  /** The kept activities held in memory (those shed are in the durable copy only). */
  readonly activities: StoredActivity[];
  readonly next: number;
  /** The first kept activity's seq when it was shed (earlier than `activities[0]`); absent when none was. */
  readonly first?: number;
}

/**
 * The {@link ConversationStore} of a single process: fine for one instance, lost on restart.
 * Bounded by idle time, conversation count, and activities (count and bytes) per conversation, so
 * that anonymous citizens cannot grow one conversation without limit; {@link heldBytes} tells an
 * owner (DurableConversationStore) how much it holds in all, and {@link evict} lets it shed some.
 *
 * @example
 * const store = new MemoryConversationStore({ idleMs: 60_000, maxConversationBytes: 256 * 1024 });
 * await store.create({ id: 'c1', userId: 'dl_u1', locale: 'it-IT', serviceUrl: 'http://localhost:3978/v3/directline' });
 */
export class MemoryConversationStore implements ConversationStore {
  private readonly entries = new Map<string, Entry>();
  private readonly limits: MemoryStoreLimits;
  private total = 0;

  constructor(limits: Partial<MemoryStoreLimits> = {}) {
    this.limits = {
      idleMs: 24 * 60 * 60 * 1000,
      maxConversations: 10_000,
      maxActivitiesPerConversation: 100,
      maxConversationBytes: 256 * 1024,
      now: Date.now,
      ...limits,
    };
  }

  /** Conversations held right now (after dropping idle ones). */
  get size(): number {
    this.sweep();
    return this.entries.size;
  }

  /** Bytes held: every kept activity in memory as JSON, plus {@link CONVERSATION_OVERHEAD_BYTES} per conversation. */
  get heldBytes(): number {
    return this.total;
  }

  async create(input: Omit<DirectLineConversation, 'createdAt' | 'lastActiveAt'>): Promise<DirectLineConversation> {
    this.sweep();
    const existing = this.entries.get(input.id);
    if (existing) return existing.conversation;
    this.makeCountRoom();
    const now = this.limits.now();
    const conversation: DirectLineConversation = { ...input, createdAt: now, lastActiveAt: now };
    this.insert({ conversation, kept: [], bytes: CONVERSATION_OVERHEAD_BYTES, held: CONVERSATION_OVERHEAD_BYTES, next: 1, written: undefined, usedAt: now });
    return conversation;
  }

  /** Whether a conversation is held (and not idle past the limit), without copying it as {@link snapshot} does. */
  holds(id: string): boolean {
    return this.live(id) !== undefined;
  }

  /** The conversation with its kept activities and next sequence number, for a durable copy. */
  snapshot(id: string): ConversationSnapshot | undefined {
    const entry = this.live(id);
    if (!entry) return undefined;
    const activities: StoredActivity[] = [];
    for (const kept of entry.kept) if (kept.stored) activities.push(kept.stored);
    const first = entry.kept[0];
    return { conversation: { ...entry.conversation }, activities, next: entry.next, ...(first && !first.stored ? { first: first.seq } : {}) };
  }

  /**
   * Lets go of the activities of `id` that its owner's durable copy holds (up to `written.upTo`), all
   * but the newest `keepLast`: they stay kept (counted by the limits, listed by {@link shedAfter}) but
   * only the owner's copy has them. Returns the bytes released.
   */
  shed(id: string, keepLast: number): number {
    const entry = this.entries.get(id);
    const upTo = entry?.written?.upTo;
    if (!entry || upTo === undefined) return 0;
    let released = 0;
    for (let i = 0; i < entry.kept.length - keepLast; i++) {
      const kept = entry.kept[i] as Kept;
      if (kept.seq > upTo) break;
      if (!kept.stored) continue;
      kept.stored = undefined;
      released += kept.bytes;
    }
    entry.held -= released;
    this.total -= released;
    return released;
  }

  /** The seqs of kept activities after `watermark` that were shed: the owner reads them from its copy. */
  shedAfter(id: string, watermark: number): number[] {
    const seqs: number[] = [];
    for (const kept of this.entries.get(id)?.kept ?? []) {
      if (kept.stored) break; // shed ones are the oldest
      if (kept.seq > watermark) seqs.push(kept.seq);
    }
    return seqs;
  }

  /**
   * Puts back a conversation read from a durable copy (unless one of that id is already held),
   * trimmed to this store's limits, with what the copy holds (`written`). It counts as the most recently active.
   */
  restore(snapshot: ConversationSnapshot, written?: WrittenRange): void {
    if (this.entries.has(snapshot.conversation.id)) return;
    if (this.limits.now() - snapshot.conversation.lastActiveAt > this.limits.idleMs) return;
    this.makeCountRoom();
    const entry: Entry = { conversation: { ...snapshot.conversation }, kept: [], bytes: CONVERSATION_OVERHEAD_BYTES, held: CONVERSATION_OVERHEAD_BYTES, next: snapshot.next, written, usedAt: this.limits.now() };
    for (const stored of snapshot.activities) {
      const bytes = sizeOf(stored.activity);
      entry.kept.push({ seq: stored.seq, stored, bytes });
      entry.bytes += bytes;
      entry.held += bytes;
    }
    this.trim(entry);
    this.insert(entry);
  }

  /** What the owner's durable copy of a held conversation holds (undefined: nothing, or not held). */
  writtenRange(id: string): WrittenRange | undefined {
    return this.entries.get(id)?.written;
  }

  /** Records what the owner's durable copy now holds; ignored when the conversation is no longer held. */
  markWritten(id: string, written: WrittenRange): void {
    const entry = this.entries.get(id);
    if (entry) entry.written = written;
  }

  /** Ids from the least to the most recently active (for eviction). */
  leastRecentlyActive(): IterableIterator<string> {
    return this.entries.keys();
  }

  /** When a held conversation was last created, restored or appended to here (the order of {@link leastRecentlyActive}). */
  usedAt(id: string): number | undefined {
    return this.entries.get(id)?.usedAt;
  }

  /** Forgets a conversation (its owner keeps a durable copy); true when it was held. */
  evict(id: string): boolean {
    return this.remove(id);
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
    const json = JSON.stringify(stored.activity);
    const bytes = Buffer.byteLength(json);
    entry.kept.push({ seq, stored, bytes });
    entry.bytes += bytes;
    entry.held += bytes;
    this.total += bytes;
    this.total -= this.trim(entry);
    this.touch(id, entry);
    return { ...stored, json };
  }

  async activitiesAfter(id: string, watermark: number): Promise<StoredActivity[]> {
    const entry = this.live(id);
    if (!entry) return [];
    const after: StoredActivity[] = [];
    for (const kept of entry.kept) if (kept.stored && kept.seq > watermark) after.push(kept.stored);
    return after;
  }

  async lastWatermark(id: string): Promise<number> {
    const entry = this.live(id);
    return entry ? entry.next - 1 : 0;
  }

  /** Drops the oldest activities beyond the count and byte limits (never the newest); returns the bytes of memory freed. */
  private trim(entry: Entry): number {
    let freed = 0;
    while (
      entry.kept.length > this.limits.maxActivitiesPerConversation ||
      (entry.kept.length > 1 && entry.bytes - CONVERSATION_OVERHEAD_BYTES > this.limits.maxConversationBytes)
    ) {
      const oldest = entry.kept.shift();
      if (!oldest) break;
      entry.bytes -= oldest.bytes;
      if (oldest.stored) {
        entry.held -= oldest.bytes;
        freed += oldest.bytes;
      }
    }
    return freed;
  }

  /** Map iteration order is insertion order and touch() re-inserts, so the first key is the least recently active. */
  private makeCountRoom(): void {
    while (this.entries.size >= this.limits.maxConversations) {
      const oldest = this.entries.keys().next().value;
      if (oldest === undefined) break;
      this.remove(oldest);
    }
  }

  private insert(entry: Entry): void {
    this.entries.set(entry.conversation.id, entry);
    this.total += entry.held;
  }

  private remove(id: string): boolean {
    const entry = this.entries.get(id);
    if (!entry) return false;
    this.entries.delete(id);
    this.total -= entry.held;
    return true;
  }

  /** The entry if it exists and is not idle past the limit (an idle one is dropped here). */
  private live(id: string): Entry | undefined {
    const entry = this.entries.get(id);
    if (!entry) return undefined;
    if (this.limits.now() - entry.conversation.lastActiveAt > this.limits.idleMs) {
      this.remove(id);
      return undefined;
    }
    return entry;
  }

  private touch(id: string, entry: Entry): void {
    entry.conversation.lastActiveAt = this.limits.now();
    entry.usedAt = entry.conversation.lastActiveAt;
    this.entries.delete(id);
    this.entries.set(id, entry);
  }

  /** Drops idle conversations; the oldest come first, so it stops at the first live one. */
  private sweep(): void {
    const cutoff = this.limits.now() - this.limits.idleMs;
    for (const [id, entry] of this.entries) {
      if (entry.conversation.lastActiveAt >= cutoff) break;
      this.remove(id);
    }
  }
}

/** What an activity weighs: its JSON, as the durable copy writes it. */
function sizeOf(activity: Partial<Activity>): number {
  return Buffer.byteLength(JSON.stringify(activity));
}
