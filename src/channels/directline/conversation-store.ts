import type { Activity } from 'botbuilder';

/** One conversation of the Direct Line channel. */
export interface DirectLineConversation {
  readonly id: string;
  /** The citizen's user id, fixed when the conversation starts (tokens carry it too). */
  readonly userId: string;
  readonly locale: string | undefined;
  /** Base URL the conversation was started through; becomes the activities' `serviceUrl`. */
  readonly serviceUrl: string;
  readonly createdAt: number;
  lastActiveAt: number;
}

/** An activity as stored: the activity plus its position in the conversation. */
export interface StoredActivity {
  /** 1, 2, 3…: the watermark just after this activity. */
  readonly seq: number;
  readonly activity: Partial<Activity>;
  /**
   * The activity's JSON, on what `append` returns when the store made it (the memory store sizes
   * each activity by its JSON): the streams then send it without serialising it again. Not kept
   * with the history, which would hold every activity twice.
   */
  readonly json?: string;
}

/** Direct Line 3.0 `ActivitySet`: what polling and the stream return. */
export interface ActivitySet {
  readonly activities: Partial<Activity>[];
  readonly watermark: string;
}

/**
 * Where Direct Line conversations and their activities live. Asynchronous so that a persistent
 * implementation (SQLite, MongoDB) can replace the in-memory one without touching the routes or the adapter.
 *
 * @example
 * const conversation = await store.create({ id, userId, locale: 'it-IT', serviceUrl });
 * const { seq, activity } = await store.append(id, { type: 'message', text: 'ciao' });
 * const newer = await store.activitiesAfter(id, seq - 1); // [that activity]
 */
export interface ConversationStore {
  create(conversation: Omit<DirectLineConversation, 'createdAt' | 'lastActiveAt'>): Promise<DirectLineConversation>;
  get(id: string): Promise<DirectLineConversation | undefined>;
  /** Gives the activity its id (`convId|0000001`) and stores it; throws when the conversation is unknown. */
  append(id: string, activity: Partial<Activity>): Promise<StoredActivity>;
  /** Activities after `watermark` (0: all that are kept), oldest first. */
  activitiesAfter(id: string, watermark: number): Promise<StoredActivity[]>;
  /** The watermark after the last activity (0 when none). */
  lastWatermark(id: string): Promise<number>;
}

/** Activity id of the `seq`-th activity: the conversation id, a bar, seven digits. */
export function activityId(conversationId: string, seq: number): string {
  return `${conversationId}|${String(seq).padStart(7, '0')}`;
}

/** The Direct Line `ActivitySet` of stored activities; the watermark stays `fallback` when there are none. */
export function activitySetOf(entries: readonly StoredActivity[], fallback: number): ActivitySet {
  const last = entries[entries.length - 1];
  return { activities: entries.map((entry) => entry.activity), watermark: String(last ? last.seq : fallback) };
}

/** `JSON.stringify(activitySetOf(entries, fallback))`, with the JSON an entry already has. */
export function activitySetJson(entries: readonly StoredActivity[], fallback: number): string {
  const last = entries[entries.length - 1];
  return `{"activities":[${entries.map((entry) => entry.json ?? JSON.stringify(entry.activity)).join(',')}],"watermark":${JSON.stringify(String(last ? last.seq : fallback))}}`;
}

/**
 * Thrown by a store that cannot take a new conversation without growing past its memory budget
 * (every conversation it holds is still being written); the routes answer 503 and the client retries.
 */
export class ConversationStoreFullError extends Error {
  constructor(readonly heldBytes: number, readonly maxBytes: number) {
    super(`Direct Line conversations hold ${heldBytes} bytes in memory, the budget is ${maxBytes}: no room for a new one`);
    this.name = 'ConversationStoreFullError';
  }
}
