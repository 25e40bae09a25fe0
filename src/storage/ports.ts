import type { Storage } from 'botbuilder';
import type { ConversationStore } from '../channels/directline/conversation-store';
import type { MemoryStoreLimits } from '../channels/directline/memory-conversation-store';
import type { RecordCipher, SealedRecordError } from '../privacy/encryption';
import type { EventQuery, InteractionEvent } from './interaction-event';

/**
 * The storage ports. The core talks to these; adapters (SQLite, MongoDB) implement them.
 * Conversation and user state use botbuilder's own `Storage` port (read, write, delete with
 * eTag concurrency), the one seam where an SDK type is the port.
 */

/** Thrown when a write carries an eTag that no longer matches: someone else wrote first. */
export class ETagConflictError extends Error {
  readonly code = 'ETAG_CONFLICT';
  constructor(readonly key: string) {
    super(`eTag conflict on "${key}": the item was changed by another writer`);
    this.name = 'ETagConflictError';
  }
}

/** Interaction events: append-only, queried by time and by conversation. */
export interface InteractionEventStore {
  /** Stores events; an event whose id is already stored is skipped (retries are safe). */
  append(events: readonly InteractionEvent[]): Promise<void>;
  /** Events in time order (then insertion order). */
  query(query: EventQuery): Promise<InteractionEvent[]>;
  /** Deletes events older than `before`; returns how many. */
  purgeBefore(before: Date): Promise<number>;
  /** How many events are stored (for tests and diagnostics). */
  count(): Promise<number>;
  /**
   * Events stored at or after `from` (the store's own clock at insert, not the event's `ts`:
   * an event held in an outage buffer and inserted late is found here late), in the order
   * they were stored (ties in the same order every time), at most `limit`. The cluster's
   * analytics read the events through this (src/analytics/event-tail.ts).
   */
  storedSince(from: Date, limit: number): Promise<StoredInteractionEvent[]>;
}

/** An event and the time the store took it in (set by the adapter at insert). */
export interface StoredInteractionEvent {
  readonly event: InteractionEvent;
  readonly storedAt: Date;
}

/** Where a handoff session is: waiting, with an operator, over, or turned into a written request. */
export type HandoffState = 'queued' | 'connected' | 'closed' | 'abandoned' | 'ticket';

/**
 * How a session ended: an operator's outcome, or the citizen leaving or timing out. `away`: a
 * queued Direct Line citizen gone (no stream, no poll) for twice the presence timeout;
 * `no-answer`: a citizen without presence (Messenger) who did not answer the still-waiting
 * question; both abandonments. `citizen-ended`: the citizen ended a connected chat; `idle`: a
 * connected chat with no message on either side for the idle timeout; both handled (closed).
 */
export type HandoffOutcome = 'resolved' | 'written-request' | 'callback' | 'left' | 'timeout' | 'ticket' | 'away' | 'no-answer' | 'citizen-ended' | 'idle';

/** One line of a conversation as the operator reads it. Citizen text before the handoff is redacted. */
export interface TranscriptEntry {
  /** ISO 8601 instant. */
  readonly at: string;
  readonly from: 'citizen' | 'bot' | 'operator' | 'system';
  readonly text: string;
  /** For bot answers: the knowledge-base topic answered. */
  readonly topicId?: string | null;
  /** For operator messages: who wrote. */
  readonly operator?: string;
  /** For the system line of a conversation that changed hands: how (the new holder's card shows it). */
  readonly handover?: 'takeover' | 'reassign' | 'transfer';
}

/**
 * A citizen's request for a person: created when the citizen confirms, queued first come first
 * served, held by one operator at a time, then closed. Survives restarts in the store.
 */
export interface HandoffSession {
  /** Unique id (a UUID); the console's conversation id. */
  readonly id: string;
  /** Channel of the citizen (`directline`, `facebook`, `webchat`...). */
  readonly channel: string;
  /** The channel's conversation id: with `reference`, how messages reach the citizen. */
  readonly conversationId: string;
  /** Bot Framework conversation reference (JSON), for proactive messages after a restart. */
  readonly reference: Readonly<Record<string, unknown>>;
  readonly language: 'it' | 'en';
  /** The topic the conversation was about, when one was recognised. */
  readonly topicId: string | null;
  /** The citizen's one-line description of the need. */
  readonly description: string;
  /** Short code the citizen can read out on a 020202 call (6 digits, unique among active sessions). */
  readonly phoneCode: string;
  readonly state: HandoffState;
  readonly queuedAt: string;
  readonly operator?: string;
  readonly connectedAt?: string;
  /** When the session left the active states (closed, abandoned, ticket). */
  readonly endedAt?: string;
  readonly outcome?: HandoffOutcome;
  /** The conversation with the bot before the handoff (redacted). */
  readonly transcript: readonly TranscriptEntry[];
  /** The live chat since the handoff, in order. */
  readonly messages: readonly TranscriptEntry[];
}

/** The fields a transition may change. */
export type HandoffChange = Partial<Pick<HandoffSession, 'state' | 'operator' | 'connectedAt' | 'endedAt' | 'outcome'>>;

/** Handoff sessions: the queue is the queued sessions in `queuedAt` order. */
export interface HandoffStore {
  /** Stores a new session; rejects with {@link AlreadyExistsError} when its id is taken. */
  create(session: HandoffSession): Promise<void>;
  get(id: string): Promise<HandoffSession | undefined>;
  /** The queued or connected session of a channel conversation, if any. */
  activeFor(channel: string, conversationId: string): Promise<HandoffSession | undefined>;
  /** Queued and connected sessions, oldest `queuedAt` first. */
  active(): Promise<HandoffSession[]>;
  /** The queued or connected session with this phone code, if any. */
  byPhoneCode(code: string): Promise<HandoffSession | undefined>;
  /**
   * Applies `change` only if the session is in one of the `from` states: atomic, so two
   * operators claiming at once cannot both win. Returns the updated session, or undefined
   * when the session is missing or in another state. With `holder`, the change applies only
   * while that operator holds the session, so two supervisors moving one conversation at once
   * cannot both win either.
   */
  transition(id: string, from: readonly HandoffState[], change: HandoffChange, holder?: string): Promise<HandoffSession | undefined>;
  /** Appends a live message to the session (in order); false when there is no such session. */
  appendMessage(id: string, entry: TranscriptEntry): Promise<boolean>;
  /** Sessions that ended after an operator held them, most recently ended first (for wait estimates). */
  recentlyHandled(limit: number): Promise<HandoffSession[]>;
  /** Deletes sessions (and their messages) that ended before `before`; returns how many. Active ones stay. */
  purgeEndedBefore(before: Date): Promise<number>;
  /** Every session of a channel conversation, whatever its state, oldest `queuedAt` first (for a citizen's access request). */
  forConversation(channel: string, conversationId: string): Promise<HandoffSession[]>;
  /** Ended sessions matching every filter given, most recently ended first, at most `limit` (the console's history). */
  history(query: HandoffHistoryQuery): Promise<HandoffSession[]>;
}

/** Filters of {@link HandoffStore.history}; each one given narrows the result. */
export interface HandoffHistoryQuery {
  readonly phoneCode?: string;
  readonly topicId?: string;
  /** The operator who held the session. */
  readonly operator?: string;
  /** Ended at or after this instant. */
  readonly endedFrom?: Date;
  /** Ended before this instant. */
  readonly endedTo?: Date;
  /** Most sessions returned (1 to 200). */
  readonly limit: number;
}

/**
 * Thrown when a create meets a record that already exists under the same unique key (a ticket
 * reference, an operator name). Nothing is written.
 */
export class AlreadyExistsError extends Error {
  readonly code = 'ALREADY_EXISTS';
  constructor(
    readonly kind: 'ticket' | 'operator' | 'handoff' | 'canned-reply' | 'handoff-note' | 'callback',
    readonly key: string,
  ) {
    super(`${kind} "${key}" already exists`);
    this.name = 'AlreadyExistsError';
  }
}

/** Where a written request is: waiting (`open`), answered by e-mail, or closed. */
export type TicketState = 'open' | 'answered' | 'closed';

/** Why a request was closed. */
export type TicketOutcome = 'answered' | 'duplicate' | 'not-competent' | 'no-reply-needed' | 'spam';

/** A written request left by a citizen (reference code such as DLG-2026-000123). */
export interface TicketRecord {
  readonly reference: string;
  /** ISO 8601 instant; adapters store and return it normalised (`Date#toISOString`). */
  readonly createdAt: string;
  readonly conversationId: string;
  /** The channel the request came from (`directline`, `messenger`...). */
  readonly channel: string;
  readonly language: 'it' | 'en';
  /** The knowledge-base topic the conversation was about, when one was recognised. */
  readonly topicId: string | null;
  readonly contactEmail: string;
  readonly description: string;
  readonly state: TicketState;
  /** The text e-mailed to the citizen (sealed at rest like the description). */
  readonly answer?: string;
  /** Name of the operator who answered. */
  readonly answeredBy?: string;
  readonly answeredAt?: string;
  readonly closedAt?: string;
  /** Name of the operator who closed it. */
  readonly closedBy?: string;
  readonly outcome?: TicketOutcome;
  /** Why it was closed, in the operator's words (sealed at rest). */
  readonly closeNote?: string;
  /**
   * The citizen's conversation with the bot before the request (redacted, as handoff transcripts;
   * each text sealed at rest), for requests written without a handoff session to carry it.
   */
  readonly transcript?: readonly TranscriptEntry[];
}

/** What a search of written requests asks for; every filter is optional, all apply together. */
export interface TicketQuery {
  /** Exact reference, as stored (upper case). */
  readonly reference?: string;
  readonly state?: TicketState;
  readonly topicId?: string;
  /** Only requests created strictly before this instant. */
  readonly createdBefore?: Date;
  /** Only requests created at or after this instant. */
  readonly createdFrom?: Date;
  /** At most this many requests, newest first. */
  readonly limit: number;
}

/** One page of a search: the newest matching requests and how many match in all. */
export interface TicketSearchResult {
  readonly tickets: TicketRecord[];
  readonly count: number;
}

/** The operator sending an answer, and when; a claim older than `staleBefore` is abandoned. */
export interface TicketClaim {
  readonly by: string;
  readonly at: string;
  /** A claim taken before this instant is left over from a crashed send and may be taken again. */
  readonly staleBefore: string;
}

/**
 * Written requests. References are unique; a ticket is created open, may be answered once, and
 * is closed once. An answer is sent under a claim (claimReply, then recordAnswer or releaseReply)
 * so that two operators never both e-mail the citizen.
 */
export interface TicketStore {
  /**
   * The next reference of the year, `DLG-<year>-<6 digits>`, from a per-year counter that
   * starts at 1. Atomic: concurrent callers, in any process, never get the same reference.
   */
  nextReference(year: number): Promise<string>;
  /** Stores a new ticket; rejects with {@link AlreadyExistsError} when its reference is taken. */
  create(ticket: TicketRecord): Promise<void>;
  get(reference: string): Promise<TicketRecord | undefined>;
  /** Tickets in creation order (then reference order), optionally only those in `state`. */
  list(state?: TicketState): Promise<TicketRecord[]>;
  /** The newest tickets matching every filter of `query` (by index), and how many match. */
  search(query: TicketQuery): Promise<TicketSearchResult>;
  /** How many tickets are in each state. */
  countByState(): Promise<Record<TicketState, number>>;
  /**
   * Claims an open ticket for sending its answer; false when there is no such open ticket or
   * another operator holds a claim taken at or after `claim.staleBefore`.
   */
  claimReply(reference: string, claim: TicketClaim): Promise<boolean>;
  /** Drops `by`'s claim (the answer could not be sent); the ticket stays open. */
  releaseReply(reference: string, by: string): Promise<void>;
  /** Stores the answer of the claim's holder and marks the ticket answered; false unless `by` holds the claim. */
  recordAnswer(reference: string, answer: { readonly by: string; readonly at: string; readonly text: string }): Promise<boolean>;
  /**
   * Closes an open or answered ticket that nobody is answering (claims before `closing.staleBefore`
   * do not count); false when there is no such ticket, it is closed already or being answered.
   */
  close(reference: string, closing: TicketClaim & { readonly outcome: TicketOutcome; readonly note?: string }): Promise<boolean>;
  /** Deletes tickets closed before `before`; returns how many. Open and answered tickets stay until closed. */
  purgeClosedBefore(before: Date): Promise<number>;
  /** The tickets of a channel conversation in creation order (for a citizen's access request). */
  forConversation(conversationId: string): Promise<TicketRecord[]>;
  /**
   * Replaces a ticket's contact and description (to seal those stored in clear before encryption
   * at rest); false when there is no such ticket.
   */
  replaceText(reference: string, text: Pick<TicketRecord, 'contactEmail' | 'description'>): Promise<boolean>;
}

/** An operator of the contact centre who may sign in to the console. */
export interface OperatorAccount {
  /** Unique login name (see `src/operators/operator-accounts.ts` for the allowed form). */
  readonly name: string;
  readonly role: 'operator' | 'supervisor';
  /** `scrypt$N$r$p$salt$hash` (see `src/operators/passwords.ts`); never shown. */
  readonly passwordHash: string;
  readonly createdAt: string;
  /** How many conversations the operator may hold at once (3 unless set). */
  readonly maxConcurrent: number;
  /** A disabled account keeps its history but cannot sign in; absent means enabled. */
  readonly disabled?: boolean;
  /**
   * The name citizens see ("Sei in contatto con Giulia"), never the login. Required for new
   * accounts; absent on accounts made before it existed, which citizens see as "un operatore".
   */
  readonly displayName?: string;
  /**
   * Console tokens issued before this instant (ISO) no longer open the console: set when the
   * password changes. Absent: none was voided.
   */
  readonly signedOutAt?: string;
  /**
   * The sessions the operator ended with "Esci": the issue times (`iat`, epoch ms) of their tokens,
   * kept while such a token could still be valid. Absent: none.
   */
  readonly signedOutSessions?: readonly number[];
}

/** Default of {@link OperatorAccount.maxConcurrent}. */
export const DEFAULT_MAX_CONCURRENT = 3;

export interface OperatorStore {
  /** Stores a new account; rejects with {@link AlreadyExistsError} when the name is taken. */
  create(account: OperatorAccount): Promise<void>;
  /** Stores the account, replacing one of the same name. */
  upsert(account: OperatorAccount): Promise<void>;
  get(name: string): Promise<OperatorAccount | undefined>;
  /** All accounts in name order. */
  list(): Promise<OperatorAccount[]>;
  /** Deletes the account; false when there was none. */
  remove(name: string): Promise<boolean>;
}

/**
 * The key of an analytics rollup: a Europe/Rome calendar day (`YYYY-MM-DD`), a channel, a
 * language and a knowledge-base topic (null when none was recognised).
 */
export interface RollupKey {
  readonly day: string;
  readonly channel: string;
  readonly language: string;
  readonly topicId: string | null;
}

/** Counters to add to one rollup key, by counter name (see docs/metrics.md for the names). */
export interface RollupIncrement {
  readonly key: RollupKey;
  readonly counters: Readonly<Record<string, number>>;
}

/** One fallback turn whose words the knowledge base could not answer: counts once under its key. */
export interface KnowledgeGapIncrement {
  readonly day: string;
  readonly language: string;
  /** The sorted, unique, normalised significant words of the citizen's (redacted) text. */
  readonly key: string;
  /** The redacted text, kept as one of up to 5 examples of the key. */
  readonly example: string;
}

/** What an aggregator writes at once: increments, knowledge gaps and, optionally, its checkpoint. */
export interface RollupBatch {
  readonly increments: readonly RollupIncrement[];
  readonly gaps: readonly KnowledgeGapIncrement[];
  /**
   * The aggregator's open sessions (a JSON document), stored with the batch: where the store
   * has transactions it commits with the counters, so a crash cannot count a session twice.
   */
  readonly checkpoint?: unknown;
}

/** A rollup key and its counters. */
export interface RollupRow {
  readonly key: RollupKey;
  readonly counters: Record<string, number>;
}

/** A knowledge gap summed over days. */
export interface KnowledgeGapRow {
  readonly language: string;
  readonly key: string;
  readonly count: number;
  /** Up to 5 distinct example texts, the first seen first. */
  readonly examples: string[];
}

/** Most examples kept per knowledge gap. */
export const GAP_EXAMPLES = 5;

/**
 * Analytics counters per day, channel, language and topic, only ever incremented, plus the
 * knowledge gaps and the aggregator's checkpoint. Rebuilt from the events with `clear`.
 */
export interface RollupStore {
  /**
   * Adds a batch: atomically where the store allows (SQLite: one transaction; MongoDB: one
   * ordered bulk write of `$inc` per collection, each document update atomic). Counter names
   * are letters, digits and `_`, starting with a letter; values are finite numbers.
   */
  apply(batch: RollupBatch): Promise<void>;
  /** The keys whose day is from `fromDay` to `toDay` (inclusive), with their counters, by day, channel, language, topic. */
  range(fromDay: string, toDay: string): Promise<RollupRow[]>;
  /** Knowledge gaps of the days from `fromDay` to `toDay` (inclusive), summed over days, most frequent first. */
  gaps(fromDay: string, toDay: string): Promise<KnowledgeGapRow[]>;
  /**
   * The revision of each day from `fromDay` to `toDay` (inclusive) that has one: a number that
   * changes whenever that day's rollups or gaps change (`apply`, `clear`, `clearFrom`, by any
   * process) and never comes back to a value the day had. A day left out was never written: read
   * it as revision 0. A reader that keeps a day's rows with the revision read BEFORE the rows knows
   * they are still current while the revision is the same (src/analytics/rollup-day-cache.ts).
   * SQLite sets it in the batch's transaction; MongoDB before and after the batch's writes.
   */
  revisions(fromDay: string, toDay: string): Promise<Map<string, number>>;
  /** Deletes all rollups, gaps and the checkpoint (before a rebuild). */
  clear(): Promise<void>;
  /**
   * Deletes the rollups and gaps of the days from `fromDay` (`YYYY-MM-DD`, inclusive) on, and the
   * checkpoint; older days stay untouched (a rebuild of the days whose events are still stored).
   */
  clearFrom(fromDay: string): Promise<void>;
  /** The checkpoint last saved, or undefined. */
  loadCheckpoint(): Promise<unknown | undefined>;
  saveCheckpoint(value: unknown): Promise<void>;
}

/**
 * Upkeep of the conversation and user state (the botbuilder `Storage` items: dialog state,
 * Direct Line history, Messenger windows), which botbuilder's port cannot express: every item
 * carries the time it was last written.
 */
export interface StateRetention {
  /** Deletes the items not written since `before`; returns how many. */
  purgeNotUpdatedSince(before: Date): Promise<number>;
  /** How many items are stored (for tests and diagnostics). */
  count(): Promise<number>;
  /** The keys that start with `prefix`, in key order (for a citizen's access request). */
  keysWithPrefix(prefix: string): Promise<string[]>;
}

/**
 * A reply the contact centre keeps ready for operators, managed by supervisors. Its text may hold
 * `{{placeholders}}` that the console fills in (see src/operators/canned-replies.ts). Not
 * citizens' words: stored in clear.
 */
export interface CannedReply {
  /** Unique id (a UUID). */
  readonly id: string;
  /** At most 60 characters. */
  readonly title: string;
  /** At most 1,000 characters. */
  readonly text: string;
  readonly createdAt: string;
  readonly updatedAt: string;
  /** Login of the supervisor who saved it last. */
  readonly updatedBy: string;
}

/** Canned replies, shared by every operator. */
export interface CannedReplyStore {
  /** Every reply, by title (then id). */
  list(): Promise<CannedReply[]>;
  get(id: string): Promise<CannedReply | undefined>;
  /** Stores a new reply; rejects with {@link AlreadyExistsError} when its id is taken. */
  create(reply: CannedReply): Promise<void>;
  /** Replaces title and text; the updated reply, or undefined when there is no such reply. */
  update(id: string, change: Pick<CannedReply, 'title' | 'text' | 'updatedAt' | 'updatedBy'>): Promise<CannedReply | undefined>;
  /** Deletes the reply; false when there was none. */
  remove(id: string): Promise<boolean>;
}

/**
 * What an operator writes about a handoff conversation for colleagues, never for the citizen:
 * `internal` notes while it is open, the `wrap-up` note when it is closed. Kept apart from the
 * session's transcript and messages, so that nothing that reads those (the citizen's channel,
 * the bot, a citizen's data export) can ever carry a note.
 */
export interface HandoffNote {
  /** Unique id (a UUID). */
  readonly id: string;
  /** The handoff session it is about. */
  readonly sessionId: string;
  readonly at: string;
  /** Login of the operator who wrote it. */
  readonly operator: string;
  readonly kind: 'internal' | 'wrap-up';
  /** At most 1,000 characters. */
  readonly text: string;
}

/** Operators' notes on handoff conversations. */
export interface HandoffNoteStore {
  /** Stores a note; rejects with {@link AlreadyExistsError} when its id is taken. */
  add(note: HandoffNote): Promise<void>;
  /** The notes of one session, oldest first. */
  forSession(sessionId: string): Promise<HandoffNote[]>;
  /** Deletes one note; false when there was none. */
  remove(id: string): Promise<boolean>;
  /** Deletes notes written before `before` (a note is written while its session is active, so before it ends); returns how many. */
  purgeBefore(before: Date): Promise<number>;
}

/** A citizen who asked to be called back, from a conversation closed with the outcome `callback`. */
export interface CallbackRecord {
  /** The handoff session's id: one callback per conversation. */
  readonly id: string;
  readonly createdAt: string;
  /** Login of the operator who closed the conversation. */
  readonly operator: string;
  readonly channel: string;
  readonly language: 'it' | 'en';
  readonly topicId: string | null;
  /** The citizen's one-line description of the need (from the session). */
  readonly description: string;
  /** The number the citizen gave, normalised (`+390212345678`). Sealed at rest. */
  readonly phoneNumber: string;
  /** The operator's wrap-up note ('' when none). */
  readonly note: string;
  readonly status: 'pending' | 'done';
  readonly doneAt?: string;
  /** Login of the operator who made the call. */
  readonly doneBy?: string;
}

/** Callbacks to make. Pending ones stay until done, however old: someone still has to call. */
export interface CallbackStore {
  /** Stores a pending callback; rejects with {@link AlreadyExistsError} when its id is taken. */
  create(callback: CallbackRecord): Promise<void>;
  get(id: string): Promise<CallbackRecord | undefined>;
  /** Callbacks oldest first, optionally only those with `status`. */
  list(status?: CallbackRecord['status']): Promise<CallbackRecord[]>;
  /** Marks a pending callback done; the updated record, or undefined when missing or already done. */
  markDone(id: string, by: string, at: string): Promise<CallbackRecord | undefined>;
  /** Deletes one callback; false when there was none. */
  remove(id: string): Promise<boolean>;
  /** Deletes callbacks done before `before`; returns how many. */
  purgeDoneBefore(before: Date): Promise<number>;
}

/** What a shared Direct Line store needs: the limits of the memory store, a cipher, and what to do with an activity that does not open. */
export interface DirectLineStoreOptions {
  readonly limits?: Partial<Pick<MemoryStoreLimits, 'idleMs' | 'maxActivitiesPerConversation' | 'maxConversationBytes' | 'now'>>;
  /** Seals each activity at rest (the citizen's words). */
  readonly cipher: RecordCipher;
  /** Told about a stored activity that does not open (key lost or changed, record altered); it is skipped. */
  readonly onUnreadable: (error: SealedRecordError) => void;
}

/** Direct Line conversations kept in the database itself, so that every instance serves every conversation. */
export interface DirectLineConversations {
  /** A store on the shared collections (cheap: indexes are made when the backend opens). */
  open(options: DirectLineStoreOptions): ConversationStore;
  /** Deletes conversations not active since `before`, and activities stored before it; returns how many conversations. */
  purgeIdleBefore(before: Date): Promise<number>;
}

/**
 * Everything a storage adapter provides.
 */
export interface StorageBackend {
  readonly kind: 'sqlite' | 'mongodb';
  readonly state: Storage;
  /** Retention of {@link state}'s items by the time they were last written. */
  readonly stateRetention: StateRetention;
  readonly events: InteractionEventStore;
  readonly tickets: TicketStore;
  readonly operators: OperatorStore;
  /** Handoff sessions: the operator queue, who holds which conversation, and the live chat. */
  readonly handoffs: HandoffStore;
  /** Analytics rollups, knowledge gaps and the aggregator's checkpoint. */
  readonly rollups: RollupStore;
  /** The operators' canned replies. */
  readonly cannedReplies: CannedReplyStore;
  /** Operators' internal and wrap-up notes on handoff conversations. */
  readonly handoffNotes: HandoffNoteStore;
  /** Callbacks promised to citizens. */
  readonly callbacks: CallbackStore;
  /**
   * Direct Line conversations shared by several instances (MongoDB); absent on SQLite, a single
   * process, where DurableConversationStore keeps them in the state store.
   */
  readonly directLine?: DirectLineConversations;
  /** Resolves when the store answers; rejects when it is unreachable. */
  ping(): Promise<void>;
  close(): Promise<void>;
}
