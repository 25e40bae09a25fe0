import type { Storage } from 'botbuilder';
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
}

/** A conversation waiting for or held by an operator (features in the handoff issue). */
export interface HandoffRecord {
  readonly conversationId: string;
  readonly state: 'queued' | 'connected' | 'closed' | 'abandoned';
  readonly queuedAt: string;
  readonly operatorId?: string;
  readonly connectedAt?: string;
  readonly closedAt?: string;
  readonly outcome?: 'resolved' | 'written-request' | 'callback';
}

/** Handoff queue and sessions. */
export interface HandoffStore {
  enqueue(record: HandoffRecord): Promise<void>;
  /** Moves a queued conversation to an operator; false when another operator claimed it first. */
  claim(conversationId: string, operatorId: string, at: string): Promise<boolean>;
  update(conversationId: string, change: Partial<HandoffRecord>): Promise<void>;
  queued(): Promise<HandoffRecord[]>;
}

/** A written request left by a citizen (reference code such as DLG-2026-000123). */
export interface TicketRecord {
  readonly reference: string;
  readonly createdAt: string;
  readonly conversationId: string;
  readonly contactEmail: string;
  readonly description: string;
  readonly status: 'open' | 'closed';
}

export interface TicketStore {
  /** Next reference number of the year: an atomic counter. */
  nextReference(year: number): Promise<string>;
  create(ticket: TicketRecord): Promise<void>;
  list(status?: TicketRecord['status']): Promise<TicketRecord[]>;
}

export interface OperatorAccount {
  readonly name: string;
  readonly role: 'operator' | 'supervisor';
  readonly passwordHash: string;
  readonly createdAt: string;
}

export interface OperatorStore {
  upsert(account: OperatorAccount): Promise<void>;
  get(name: string): Promise<OperatorAccount | undefined>;
  list(): Promise<OperatorAccount[]>;
  remove(name: string): Promise<boolean>;
}

/** Analytics counters per day, channel, language and topic, updated with increments. */
export interface RollupKey {
  readonly day: string;
  readonly channel: string;
  readonly language: string;
  readonly topicId: string | null;
}

export interface RollupStore {
  increment(key: RollupKey, counters: Readonly<Record<string, number>>): Promise<void>;
  range(fromDay: string, toDay: string): Promise<{ key: RollupKey; counters: Record<string, number> }[]>;
}

/**
 * Everything a storage adapter provides today. Handoff, tickets, operators and rollups join
 * as their issues land: their ports are above, their adapters' methods come then.
 */
export interface StorageBackend {
  readonly kind: 'sqlite' | 'mongodb';
  readonly state: Storage;
  readonly events: InteractionEventStore;
  /** Resolves when the store answers; rejects when it is unreachable. */
  ping(): Promise<void>;
  close(): Promise<void>;
}
