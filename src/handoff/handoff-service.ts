import { randomInt, randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { Coordinator } from '../cluster/coordinator';
import { InProcessCoordinator } from '../cluster/in-process-coordinator';
import type { Logger } from '../logger';
import { redact } from '../privacy/redact';
import type { HandoffOutcome, HandoffSession, HandoffState, HandoffStore, TicketRecord, TicketStore, TranscriptEntry } from '../storage/ports';
import { estimateWaitSeconds } from './estimate';
import { CitizenWatch, lastMessageAt, type CitizenPresencePort, type PresenceView } from './citizen-presence';
import type { OfficeHours } from './office-hours';
import { OperatorPresence, type OperatorPresencePort, type PresenceIdentity } from './operator-presence';
import type { WrapUpInput, WrapUpRecorder } from './wrap-up';

/**
 * What the citizen is told, rendered in their language by the channel edge (see CitizenGateway).
 * `operator` is the operator's display name, never the login; null for an account that has
 * none yet (the citizen reads "un operatore").
 */
export type CitizenNotice =
  | { readonly kind: 'position'; readonly position: number; readonly etaSeconds: number | null }
  | { readonly kind: 'connected'; readonly operator: string | null }
  | { readonly kind: 'operator-message'; readonly operator: string | null; readonly text: string }
  | { readonly kind: 'closed'; readonly outcome: HandoffOutcome }
  | { readonly kind: 'wait-too-long' }
  | { readonly kind: 'operator-changed'; readonly operator: string | null }
  /** On a channel without presence: do you still want to wait? (with the written-request offer) */
  | { readonly kind: 'still-waiting' };

/** How notices reach a citizen on their channel; rejects when the channel refuses (e.g. Messenger's window). */
export interface CitizenGateway {
  notify(session: HandoffSession, notice: CitizenNotice, author: 'bot' | 'operator'): Promise<void>;
}

/** The operator a call is made for (from a verified console token). */
export interface OperatorIdentity {
  /** The login: what the console, the supervisor and the records show. */
  readonly name: string;
  /** What citizens read; absent on accounts from before display names. */
  readonly displayName?: string;
  readonly role: 'operator' | 'supervisor';
  readonly maxConcurrent: number;
}

/** A session as the queue shows it: position and estimated wait for queued sessions. */
export interface QueueEntry {
  readonly session: HandoffSession;
  readonly position: number | null;
  readonly etaSeconds: number | null;
  readonly waitingSec: number;
}

/** A handoff lifecycle step, for the interaction record and the analytics. */
export interface LifecycleEvent {
  readonly session: HandoffSession;
  readonly state: HandoffState;
  readonly at: Date;
  readonly waitSec?: number;
  readonly handleSec?: number;
}

/** Why a request for an operator cannot be queued now; `no-operator`: within hours, nobody available. */
export type Availability = { readonly open: true } | { readonly open: false; readonly reason: 'closed' | 'full' | 'no-operator'; readonly nextOpening: Date | null };

/** A conversation changed hands without leaving the operators: who had it, who has it, who did it. */
export interface HandoverEvent {
  readonly session: HandoffSession;
  readonly kind: 'takeover' | 'reassign' | 'transfer';
  /** The previous holder; null when the conversation was queued. */
  readonly from: string | null;
  readonly to: string;
  readonly by: string;
  readonly note: string | null;
}

/** Refusals the console shows; `code` maps to an HTTP status. */
export class HandoffError extends Error {
  constructor(
    readonly code:
      | 'NOT_FOUND'
      | 'ALREADY_CLAIMED'
      | 'OPERATOR_AT_CAPACITY'
      | 'NOT_YOUR_CONVERSATION'
      | 'NOT_CONNECTED'
      | 'MESSAGING_WINDOW_CLOSED'
      | 'OPERATOR_UNAVAILABLE'
      | 'COLLEAGUE_AT_CAPACITY'
      | 'ALREADY_HOLDER'
      | 'HOLDER_CHANGED',
    message: string,
  ) {
    super(message);
    this.name = 'HandoffError';
  }
}

export interface HandoffServiceOptions {
  readonly store: HandoffStore;
  readonly tickets: TicketStore;
  readonly hours: OfficeHours;
  /** Most citizens waiting at once; past it, the written request is offered (HANDOFF_QUEUE_CAPACITY). */
  readonly capacity: number;
  /** After this wait the written request is offered to a queued citizen (HANDOFF_QUEUE_TIMEOUT_SEC). */
  readonly queueTimeoutMs: number;
  readonly logger: Logger;
  readonly now?: () => Date;
  /** Handling time assumed before any conversation was handled (4 minutes). */
  readonly defaultHandleSec?: number;
  /** No console of an operator for this long makes them away (OPERATOR_AWAY_AFTER_SEC; 60 s). */
  readonly operatorAwayAfterMs?: number;
  /**
   * Within office hours with nobody available, offer the written request at once (console mode).
   * Off for an external agent hub, whose operators Dialogo does not see.
   */
  readonly offerWhenNoOperator?: boolean;
  /** Stores the wrap-up note and callback number given at close; without it they are not kept. */
  readonly wrapUp?: WrapUpRecorder;
  /** Citizens who leave or go silent (src/handoff/citizen-presence.ts); without it, nobody is abandoned for it. */
  readonly citizens?: { readonly presence: CitizenPresencePort; readonly idleCloseMs: number };
  /**
   * Cluster mode: other instances change sessions too, so which conversations are active is read
   * from the store (the in-memory index only feeds the gauges), marks shared by the instances go
   * through the coordinator, and queued citizens hear their positions from the elected instance
   * only (see {@link setLeading}). Unset: this instance owns the queue.
   */
  readonly cluster?: { readonly coordinator: Coordinator };
  /**
   * Operators' presence shared by several instances (src/cluster/shared-operator-presence.ts);
   * without it, this process's {@link OperatorPresence} with `operatorAwayAfterMs`.
   */
  readonly operatorPresence?: OperatorPresencePort;
}

/** How long a conversation that left the queue for a written request is remembered as such. */
const DIVERTED_TTL_MS = 24 * 60 * 60 * 1000;

const RECENT_FOR_ESTIMATE = 20;
/** An operator's message: what the console's composer and the API allow. */
const MAX_LIVE_TEXT = 2000;
/**
 * A citizen's message reaches the operator whole, up to what the channels accept (Direct Line's
 * 10,000 characters, src/server/activity-schema.ts; Messenger's 2,000): cutting it at the
 * operator's 2,000 lost the rest of a long explanation without a sign.
 */
const MAX_CITIZEN_TEXT = 10_000;

/**
 * The handoff core: a first-come-first-served queue of citizens waiting for a 020202 operator,
 * claims (one operator per conversation), the live chat, closing, and written requests when
 * nobody can answer. Sessions live in the {@link HandoffStore}, so the queue survives a restart.
 * Citizens are told what happens through a {@link CitizenGateway}; consoles listen to the
 * `queue`, `message` and `session` events.
 *
 * @example
 * const handoff = new HandoffService({ store, tickets, hours, capacity: 20, queueTimeoutMs: 600_000, logger });
 * handoff.setGateway(gateway);
 * const { session, position } = await handoff.enqueue({ channel: 'directline', conversationId, reference, language: 'it', topicId: 'tari-pagamento', description: 'rimborso TARI', transcript });
 * await handoff.claim(session.id, { name: 'giulia', role: 'operator', maxConcurrent: 3 });
 */
export class HandoffService extends EventEmitter {
  private gateway: CitizenGateway | undefined;
  private readonly now: () => Date;
  private readonly defaultHandleSec: number;
  /** Last position told to each queued citizen, so they hear when it changes. */
  private readonly toldPosition = new Map<string, number>();
  /** Sessions already offered the written request after a long wait. */
  private readonly offeredTicket = new Set<string>();
  /** Operators' presence (available, busy, away), from their consoles' WebSockets and choices. */
  readonly presence: OperatorPresencePort;
  private handleSecEstimate: number;
  /**
   * Active sessions by channel and conversation, so that the check every citizen turn makes
   * costs no database call and still works while the database is away. Loaded at start-up and
   * kept by every transition made here; in cluster mode reads go to the store and this only feeds the gauges.
   */
  private readonly activeIndex = new Map<string, HandoffSession>();
  /**
   * Where marks that outlive a turn are kept (conversations that left the queue for a written
   * request): this process's memory alone, the cluster's coordinator otherwise.
   */
  private readonly marks: Coordinator;
  private readonly watch: CitizenWatch | undefined;
  /** Whether this instance tells queued citizens their positions (always, unless in cluster mode and not elected). */
  private announcing: boolean;

  constructor(private readonly options: HandoffServiceOptions) {
    super();
    this.now = options.now ?? (() => new Date());
    this.watch = options.citizens && new CitizenWatch({ presence: options.citizens.presence, queueTimeoutMs: options.queueTimeoutMs, idleCloseMs: options.citizens.idleCloseMs });
    this.defaultHandleSec = options.defaultHandleSec ?? 240;
    this.handleSecEstimate = this.defaultHandleSec;
    this.presence = options.operatorPresence ?? new OperatorPresence({ awayAfterMs: options.operatorAwayAfterMs ?? 60_000, now: () => this.now().getTime() });
    this.presence.on('change', () => this.emit('operators'));
    this.announcing = !options.cluster;
    this.marks = options.cluster?.coordinator ?? new InProcessCoordinator();
  }

  /**
   * Cluster mode: this instance is (or stops being) the elected one, which tells queued citizens
   * when their position changes, whichever instance changed the queue. A new leader takes the
   * current positions as told: a citizen may miss one update at a change of leader, never hear it twice.
   */
  async setLeading(leading: boolean): Promise<void> {
    if (!this.options.cluster) return;
    this.announcing = leading;
    if (!leading) return;
    this.toldPosition.clear();
    for (const entry of await this.queue()) if (entry.position !== null) this.toldPosition.set(entry.session.id, entry.position);
  }

  /** Reloads the index of active sessions from the store (cluster mode: other instances change them). */
  async resync(): Promise<void> {
    const active = await this.options.store.active();
    this.activeIndex.clear();
    for (const session of active) this.track(session);
  }

  /** A session changed on another instance (relayed): the index follows. */
  observeRemote(session: HandoffSession): void {
    this.track(session);
  }

  /** The channel edge that talks to citizens (set once the adapters exist). */
  setGateway(gateway: CitizenGateway): void {
    this.gateway = gateway;
  }

  /** Loads the recent handling times; call once at start-up. */
  async start(): Promise<void> {
    for (const session of await this.options.store.active()) this.track(session);
    await this.refreshEstimate();
    for (const entry of await this.queue()) if (entry.position !== null) this.toldPosition.set(entry.session.id, entry.position);
  }

  /** Whether a citizen can join the queue now: office hours and capacity. */
  async availability(): Promise<Availability> {
    const now = this.now();
    if (!this.options.hours.isOpen(now)) return { open: false, reason: 'closed', nextOpening: this.options.hours.nextOpening(now) };
    const waiting = (await this.options.store.active()).filter((s) => s.state === 'queued').length;
    if (waiting >= this.options.capacity) return { open: false, reason: 'full', nextOpening: null };
    if (this.options.offerWhenNoOperator !== false && this.presence.available().length === 0) return { open: false, reason: 'no-operator', nextOpening: null };
    return { open: true };
  }

  /** Hours of the contact centre in words, for the citizen. */
  describeHours(language: 'it' | 'en'): string {
    return this.options.hours.describe(language);
  }

  /** Queues a citizen; an existing active session of the same conversation is returned instead. */
  async enqueue(input: {
    channel: string;
    conversationId: string;
    reference: Record<string, unknown>;
    language: 'it' | 'en';
    topicId: string | null;
    description: string;
    transcript: readonly TranscriptEntry[];
  }): Promise<QueueEntry> {
    const existing = (this.options.cluster ? undefined : this.activeIndex.get(indexKey(input.channel, input.conversationId))) ?? (await this.options.store.activeFor(input.channel, input.conversationId));
    if (existing) return this.entryOf(existing);
    const session: HandoffSession = {
      id: randomUUID(),
      channel: input.channel,
      conversationId: input.conversationId,
      reference: input.reference,
      language: input.language,
      topicId: input.topicId,
      description: redact(input.description.trim().slice(0, 500)).text,
      phoneCode: await this.freshPhoneCode(),
      state: 'queued',
      queuedAt: this.now().toISOString(),
      transcript: input.transcript,
      messages: [],
    };
    await this.options.store.create(session);
    this.track(session);
    this.lifecycle(session, 'queued');
    const entry = await this.entryOf(session);
    if (entry.position !== null) this.toldPosition.set(session.id, entry.position);
    this.emit('queue');
    return entry;
  }

  /** The queued or connected session of a channel conversation (from memory: no database call). */
  async activeFor(channel: string, conversationId: string): Promise<HandoffSession | undefined> {
    const key = indexKey(channel, conversationId);
    if (!this.options.cluster) return this.activeIndex.get(key);
    // Another instance may have queued, claimed or closed it: the store knows; the index answers while it is away.
    try {
      const session = await this.options.store.activeFor(channel, conversationId);
      if (session) this.track(session);
      else this.activeIndex.delete(key);
      return session;
    } catch (error) {
      this.options.logger.warn({ err: error }, 'active session read from memory: the store did not answer');
      return this.activeIndex.get(key);
    }
  }

  get(id: string): Promise<HandoffSession | undefined> {
    return this.options.store.get(id);
  }

  byPhoneCode(code: string): Promise<HandoffSession | undefined> {
    return /^\d{6}$/.test(code) ? this.options.store.byPhoneCode(code) : Promise.resolve(undefined);
  }

  /** Active sessions with positions and estimates, oldest first. */
  async queue(): Promise<QueueEntry[]> {
    const active = await this.options.store.active();
    const now = this.now().getTime();
    let position = 0;
    return active.map((session) => {
      const queued = session.state === 'queued';
      if (queued) position += 1;
      return {
        session,
        position: queued ? position : null,
        etaSeconds: queued ? this.estimate(position, active) : null,
        waitingSec: Math.max(0, Math.round((now - Date.parse(session.queuedAt)) / 1000)),
      };
    });
  }

  /** Gives a queued conversation to an operator; exactly one of two simultaneous claims wins. */
  async claim(id: string, operator: OperatorIdentity): Promise<HandoffSession> {
    const active = await this.options.store.active();
    const held = active.filter((s) => s.state === 'connected' && s.operator === operator.name).length;
    if (held >= operator.maxConcurrent) {
      throw new HandoffError('OPERATOR_AT_CAPACITY', `Hai già ${held} conversazioni aperte: il tuo limite è ${operator.maxConcurrent}.`);
    }
    const at = this.now();
    const claimed = await this.options.store.transition(id, ['queued'], { state: 'connected', operator: operator.name, connectedAt: at.toISOString() });
    if (!claimed) {
      const session = await this.options.store.get(id);
      if (!session) throw new HandoffError('NOT_FOUND', 'Conversazione non trovata.');
      throw new HandoffError('ALREADY_CLAIMED', session.operator ? `Già presa da ${session.operator}.` : 'La conversazione non è più in coda.');
    }
    this.track(claimed);
    this.toldPosition.delete(id);
    this.lifecycle(claimed, 'connected', { waitSec: secondsBetween(claimed.queuedAt, at) });
    await this.tell(claimed, { kind: 'connected', operator: operator.displayName ?? null }, 'operator');
    this.emit('session', claimed);
    this.emit('queue');
    await this.announcePositions();
    return claimed;
  }

  /** A citizen wrote while queued or connected: kept for the operator (redacted when stored). */
  async citizenMessage(session: HandoffSession, text: string): Promise<void> {
    const at = this.now().toISOString();
    const live = text.slice(0, MAX_CITIZEN_TEXT);
    await this.options.store.appendMessage(session.id, { at, from: 'citizen', text: redact(live).text });
    // The operator holding the conversation reads it live as written; the stored copy is redacted.
    this.emit('message', { sessionId: session.id, operator: session.operator ?? null, entry: { at, from: 'citizen', text: live } satisfies TranscriptEntry });
  }

  /** An operator writes to the citizen of a conversation they hold. */
  async operatorMessage(id: string, operator: OperatorIdentity, text: string): Promise<TranscriptEntry> {
    const session = await this.held(id, operator);
    const clean = text.trim().slice(0, MAX_LIVE_TEXT);
    await this.tell(session, { kind: 'operator-message', operator: operator.displayName ?? null, text: clean }, 'operator', true);
    const entry: TranscriptEntry = { at: this.now().toISOString(), from: 'operator', text: clean, operator: operator.name };
    await this.options.store.appendMessage(id, entry);
    this.emit('message', { sessionId: id, operator: operator.name, entry });
    return entry;
  }

  /** The operator ends the conversation with an outcome (and a wrap-up); the citizen is back with the bot. */
  async close(id: string, operator: OperatorIdentity, outcome: 'resolved' | 'written-request' | 'callback', wrapUp: WrapUpInput = {}): Promise<HandoffSession> {
    const session = await this.held(id, operator);
    const undoWrapUp = await this.options.wrapUp?.record(session, operator.name, outcome, wrapUp);
    const at = this.now();
    const closed = await this.options.store.transition(id, ['connected'], { state: 'closed', endedAt: at.toISOString(), outcome });
    if (!closed) {
      await undoWrapUp?.();
      throw new HandoffError('NOT_CONNECTED', 'La conversazione non è più aperta.');
    }
    this.track(closed);
    this.lifecycle(closed, 'closed', { handleSec: closed.connectedAt ? secondsBetween(closed.connectedAt, at) : undefined });
    await this.refreshEstimate();
    await this.tell(closed, { kind: 'closed', outcome }, 'operator');
    this.emit('session', closed);
    this.emit('queue');
    return closed;
  }

  /** The citizen left the queue (or turned to a written request): recorded as an abandonment. */
  async leave(session: HandoffSession, outcome: 'left' | 'timeout' | 'ticket' | 'away' | 'no-answer'): Promise<HandoffSession | undefined> {
    const at = this.now();
    const state: HandoffState = outcome === 'ticket' ? 'ticket' : 'abandoned';
    const left = await this.options.store.transition(session.id, ['queued'], { state, endedAt: at.toISOString(), outcome });
    if (!left) return undefined;
    this.track(left);
    // Counted as a ticket now; the request written next must not count it again.
    if (outcome === 'ticket') await this.markDiverted(indexKey(left.channel, left.conversationId));
    this.toldPosition.delete(session.id);
    this.offeredTicket.delete(session.id);
    this.lifecycle(left, state, { waitSec: secondsBetween(left.queuedAt, at) });
    this.emit('session', left);
    this.emit('queue');
    await this.announcePositions();
    return left;
  }

  /** An external agent hub's `handoff.status`: accepted, completed or failed. */
  async externalStatus(session: HandoffSession, status: 'accepted' | 'completed' | 'failed'): Promise<HandoffSession | undefined> {
    const at = this.now();
    if (status === 'accepted') {
      const connected = await this.options.store.transition(session.id, ['queued'], { state: 'connected', operator: 'external', connectedAt: at.toISOString() });
      if (connected) {
        this.track(connected);
        this.lifecycle(connected, 'connected', { waitSec: secondsBetween(connected.queuedAt, at) });
      }
      return connected;
    }
    if (status === 'completed') {
      const closed = await this.options.store.transition(session.id, ['connected'], { state: 'closed', endedAt: at.toISOString(), outcome: 'resolved' });
      if (closed) {
        this.track(closed);
        this.lifecycle(closed, 'closed', { handleSec: closed.connectedAt ? secondsBetween(closed.connectedAt, at) : undefined });
      }
      return closed;
    }
    const failed = await this.options.store.transition(session.id, ['queued', 'connected'], { state: 'abandoned', endedAt: at.toISOString(), outcome: 'timeout' });
    if (failed) {
      this.track(failed);
      this.lifecycle(failed, 'abandoned', { waitSec: secondsBetween(failed.queuedAt, at) });
    }
    return failed;
  }

  /** Stores a written request with the next reference of the year; ends the session it came from. */
  async createTicket(input: { channel: string; conversationId: string; userId?: string; language: 'it' | 'en'; topicId: string | null; contactEmail: string; description: string; transcript?: readonly TranscriptEntry[] }): Promise<TicketRecord> {
    const now = this.now();
    const reference = await this.options.tickets.nextReference(now.getUTCFullYear());
    const ticket: TicketRecord = {
      reference,
      createdAt: now.toISOString(),
      conversationId: input.conversationId,
      channel: input.channel,
      language: input.language,
      topicId: input.topicId,
      contactEmail: input.contactEmail.trim(),
      description: input.description.trim().slice(0, 2000),
      state: 'open',
      ...(input.transcript && input.transcript.length > 0 ? { transcript: input.transcript } : {}),
    };
    await this.options.tickets.create(ticket);
    const key = indexKey(input.channel, input.conversationId);
    const queued = await this.activeFor(input.channel, input.conversationId);
    if (queued?.state === 'queued') await this.leave(queued, 'ticket');
    else if (!(await this.takeDiverted(key))) {
      // A request left without queueing (outside hours, queue full): the analytics still see a ticket.
      const session: HandoffSession = {
        id: reference,
        channel: input.channel,
        conversationId: input.conversationId,
        reference: { user: { id: input.userId ?? input.conversationId } },
        language: input.language,
        topicId: input.topicId,
        description: '',
        phoneCode: '',
        state: 'ticket',
        queuedAt: now.toISOString(),
        endedAt: now.toISOString(),
        outcome: 'ticket',
        transcript: [],
        messages: [],
      };
      this.lifecycle(session, 'ticket');
    }
    this.emit('tickets');
    return ticket;
  }

  listTickets(): Promise<TicketRecord[]> {
    return this.options.tickets.list();
  }

  /** A console of the operator opened or closed (`immediate`: they signed out); see {@link OperatorPresence}. */
  operatorOnline(operator: PresenceIdentity, online: boolean, immediate = false): void {
    if (online) this.presence.connected(operator);
    else this.presence.disconnected(operator.name, immediate);
  }

  /** Operators with at least one console open. */
  onlineOperators(): string[] {
    return this.presence.connectedNames();
  }

  /** Citizens waiting and conversations held, from memory (for the metrics). */
  counts(): { queued: number; connected: number } {
    let queued = 0;
    for (const session of this.activeIndex.values()) if (session.state === 'queued') queued += 1;
    return { queued, connected: this.activeIndex.size - queued };
  }

  /**
   * Offers the written request to citizens who waited longer than the timeout, then applies the
   * rules for citizens who leave or go silent (run every few seconds).
   */
  async sweep(): Promise<void> {
    const now = this.now().getTime();
    const entries = await this.queue();
    for (const entry of entries) {
      const { session } = entry;
      if (session.state !== 'queued' || this.offeredTicket.has(session.id) || this.watch?.asksStillWaiting(session)) continue;
      if (now - Date.parse(session.queuedAt) < this.options.queueTimeoutMs) continue;
      this.offeredTicket.add(session.id);
      await this.tell(session, { kind: 'wait-too-long' }, 'bot');
    }
    // Shared presence (cluster mode) reads the signs other instances saw first; alone it has them all.
    await this.options.citizens?.presence.refresh(entries.map((e) => e.session.conversationId));
    await this.sweepCitizens(entries.map((e) => e.session));
  }

  /** Position and estimate of one session. */
  async entryOf(session: HandoffSession): Promise<QueueEntry> {
    const found = (await this.queue()).find((e) => e.session.id === session.id);
    return found ?? { session, position: null, etaSeconds: null, waitingSec: 0 };
  }

  /** See {@link estimateWaitSeconds}: the available operators' free slots, then the recent handling time. */
  private estimate(position: number, active: readonly HandoffSession[]): number | null {
    const serving = this.presence.available().map((p) => ({ maxConcurrent: p.maxConcurrent, held: heldBy(active, p.name) }));
    return estimateWaitSeconds(position, serving, this.handleSecEstimate);
  }

  private async refreshEstimate(): Promise<void> {
    const handled = await this.options.store.recentlyHandled(RECENT_FOR_ESTIMATE);
    const times = handled.flatMap((s) => (s.connectedAt && s.endedAt ? [secondsBetween(s.connectedAt, s.endedAt)] : []));
    this.handleSecEstimate = times.length > 0 ? times.reduce((a, b) => a + b, 0) / times.length : this.defaultHandleSec;
  }

  private async held(id: string, operator: OperatorIdentity): Promise<HandoffSession> {
    const session = await this.options.store.get(id);
    if (!session) throw new HandoffError('NOT_FOUND', 'Conversazione non trovata.');
    if (session.state !== 'connected') throw new HandoffError('NOT_CONNECTED', 'La conversazione non è aperta con un operatore.');
    if (session.operator !== operator.name && operator.role !== 'supervisor') throw new HandoffError('NOT_YOUR_CONVERSATION', `La conversazione è di ${session.operator ?? 'un altro operatore'}.`);
    return session;
  }

  /** Remembers (for every instance in cluster mode) that a conversation left the queue for a written request. */
  private async markDiverted(key: string): Promise<void> {
    await this.marks.put(divertedKey(key), '1', DIVERTED_TTL_MS).catch((error: unknown) => this.options.logger.warn({ err: error }, 'written-request diversion not kept'));
  }

  /** Whether the conversation left the queue for a written request (forgotten once asked). */
  private async takeDiverted(key: string): Promise<boolean> {
    const [mark] = await this.marks.getMany([divertedKey(key)]).catch(() => [undefined]);
    if (mark === undefined) return false;
    await this.marks.remove(divertedKey(key)).catch(() => undefined);
    return true;
  }

  /**
   * Tells queued citizens whose position changed. In cluster mode only the elected instance does,
   * on every queue change of any instance (relayed to it), so that nobody hears a position twice.
   */
  async announcePositions(): Promise<void> {
    if (!this.announcing) return;
    for (const entry of await this.queue()) {
      if (entry.position === null) continue;
      const told = this.toldPosition.get(entry.session.id);
      if (told === entry.position) continue;
      this.toldPosition.set(entry.session.id, entry.position);
      // Cluster mode: a citizen the elected instance has not seen yet was queued elsewhere, and the
      // instance that queued them told them their position in its answer; only later changes are news.
      if (told === undefined && this.options.cluster) continue;
      await this.tell(entry.session, { kind: 'position', position: entry.position, etaSeconds: entry.etaSeconds }, 'bot');
    }
  }

  /** Notifies the citizen; failures are logged, unless `strict` (an operator's message must say it failed). */
  private async tell(session: HandoffSession, notice: CitizenNotice, author: 'bot' | 'operator', strict = false): Promise<void> {
    if (!this.gateway) return;
    try {
      await this.gateway.notify(session, notice, author);
    } catch (error) {
      if (strict) {
        const code = (error as { code?: unknown }).code;
        if ((typeof code === 'string' && code.startsWith('WINDOW_CLOSED')) || code === 'NO_CITIZEN_MESSAGE') {
          throw new HandoffError('MESSAGING_WINDOW_CLOSED', (error as Error).message);
        }
        throw error;
      }
      this.options.logger.warn({ err: error, session: session.id, notice: notice.kind }, 'citizen not notified');
    }
  }

  /** Keeps the in-memory index in step with a session's new state. */
  private track(session: HandoffSession): void {
    const key = indexKey(session.channel, session.conversationId);
    if (session.state === 'queued' || session.state === 'connected') this.activeIndex.set(key, session);
    else if (this.activeIndex.get(key)?.id === session.id) this.activeIndex.delete(key);
  }

  private lifecycle(session: HandoffSession, state: HandoffState, extra: { waitSec?: number; handleSec?: number } = {}): void {
    const event: LifecycleEvent = { session, state, at: this.now(), ...extra };
    this.emit('lifecycle', event);
  }

  private async freshPhoneCode(): Promise<string> {
    for (let i = 0; i < 20; i += 1) {
      const code = String(randomInt(0, 1_000_000)).padStart(6, '0');
      if (!(await this.options.store.byPhoneCode(code))) return code;
    }
    throw new Error('no free phone code after 20 attempts');
  }

  // ------------------------------------------------------------ citizens who leave or go silent

  /**
   * Ends a connected chat without an operator's close: the citizen ended it (`citizen-ended`;
   * the gate tells them in their own turn) or nobody wrote for the idle time (`idle`; the citizen
   * is told here). Both count as handled: an operator had the conversation.
   */
  async endConnected(session: HandoffSession, outcome: 'citizen-ended' | 'idle'): Promise<HandoffSession | undefined> {
    const at = this.now();
    const closed = await this.options.store.transition(session.id, ['connected'], { state: 'closed', endedAt: at.toISOString(), outcome });
    if (!closed) return undefined;
    this.track(closed);
    // The idle wait is not handling: it ends at the last message.
    const end = outcome === 'idle' ? new Date(lastMessageAt(closed)) : at;
    this.lifecycle(closed, 'closed', { handleSec: closed.connectedAt ? secondsBetween(closed.connectedAt, end) : undefined });
    await this.refreshEstimate();
    if (outcome === 'idle') await this.tell(closed, { kind: 'closed', outcome }, 'bot');
    this.emit('session', closed);
    this.emit('queue');
    return closed;
  }

  /**
   * A citizen's turn while queued or connected: they are there, and a pending still-waiting
   * question is answered. True when a question was pending (a bare "no" then means leave).
   */
  citizenSeen(session: HandoffSession): boolean {
    return this.watch?.answered(session.id, this.now().getTime()) ?? false;
  }

  /** Whether the citizen of a session is there, for the console. */
  presenceOf(session: HandoffSession): PresenceView {
    return this.watch?.viewOf(session) ?? { citizenPresence: null, awaySince: null };
  }

  private async sweepCitizens(active: readonly HandoffSession[]): Promise<void> {
    if (!this.watch) return;
    const { actions, presenceChanged } = this.watch.review(active, this.now().getTime());
    for (const action of actions) {
      if (action.kind === 'abandon') {
        // Told, so that a citizen who comes back to the chat knows why the queue let them go.
        if (await this.leave(action.session, action.outcome)) await this.tell(action.session, { kind: 'closed', outcome: action.outcome }, 'bot');
      }
      else if (action.kind === 'ask') await this.tell(action.session, { kind: 'still-waiting' }, 'bot');
      else await this.endConnected(action.session, 'idle');
    }
    if (presenceChanged) this.emit('queue');
  }
  // ------------------------------------------------------------ supervision (docs/handoff.md, "Supervision")

  /** A supervisor takes a conversation for themselves: claims a queued one, or becomes the holder of a held one (over their limit if need be). */
  async takeOver(id: string, supervisor: OperatorIdentity): Promise<HandoffSession> {
    return this.handOver(id, supervisor, supervisor, 'takeover', null);
  }

  /** A supervisor gives a queued or held conversation to `target`, who must be available and under their limit unless `force`. */
  async reassign(id: string, supervisor: OperatorIdentity, target: OperatorIdentity, force = false): Promise<HandoffSession> {
    if (!force) await this.checkCanTake(target);
    return this.handOver(id, supervisor, target, 'reassign', null);
  }

  /** The holder passes a conversation to an available colleague under their limit, with an optional note for them. */
  async transfer(id: string, holder: OperatorIdentity, target: OperatorIdentity, note: string | null): Promise<HandoffSession> {
    const session = await this.held(id, holder);
    if (session.operator === target.name) throw new HandoffError('ALREADY_HOLDER', `La conversazione è già di ${target.name}.`);
    await this.checkCanTake(target);
    return this.handOver(id, holder, target, 'transfer', note, session);
  }

  /** Conversations `name` holds now. */
  async heldCount(name: string): Promise<number> {
    return heldBy(await this.options.store.active(), name);
  }

  private async checkCanTake(target: OperatorIdentity): Promise<void> {
    const { status } = this.presence.get(target.name);
    if (status === 'busy') throw new HandoffError('OPERATOR_UNAVAILABLE', `${target.name} è occupato: non prende nuove conversazioni.`);
    if (status === 'away') throw new HandoffError('OPERATOR_UNAVAILABLE', `${target.name} è assente: nessuna console aperta.`);
    const held = await this.heldCount(target.name);
    if (held >= target.maxConcurrent) throw new HandoffError('COLLEAGUE_AT_CAPACITY', `${target.name} ha già ${held} conversazioni aperte: il suo limite è ${target.maxConcurrent}.`);
  }

  /**
   * Moves a conversation to `target`: from the queue (a claim made for them) or from its holder
   * (only while that holder still has it: of two moves at once, one wins). The citizen hears the
   * new name, the new holder gets a line in the chat with the note, both consoles are told.
   */
  private async handOver(id: string, by: OperatorIdentity, target: OperatorIdentity, kind: HandoverEvent['kind'], note: string | null, seen?: HandoffSession): Promise<HandoffSession> {
    const session = seen ?? (await this.options.store.get(id));
    if (!session) throw new HandoffError('NOT_FOUND', 'Conversazione non trovata.');
    if (session.state !== 'queued' && session.state !== 'connected') throw new HandoffError('NOT_CONNECTED', 'La conversazione non è più aperta.');
    const from = session.state === 'connected' ? (session.operator ?? null) : null;
    if (from === target.name) throw new HandoffError('ALREADY_HOLDER', `La conversazione è già di ${target.name}.`);
    const at = this.now();
    const moved =
      from === null
        ? await this.options.store.transition(id, ['queued'], { state: 'connected', operator: target.name, connectedAt: at.toISOString() })
        : await this.options.store.transition(id, ['connected'], { operator: target.name }, from);
    if (!moved) {
      const now = await this.options.store.get(id);
      if (now?.state === 'connected') throw new HandoffError('HOLDER_CHANGED', `La conversazione è appena passata a ${now.operator ?? 'un altro operatore'}.`);
      throw new HandoffError('NOT_CONNECTED', 'La conversazione non è più aperta.');
    }
    this.track(moved);
    const entry: TranscriptEntry = { at: at.toISOString(), from: 'system', text: handoverLine(kind, from, target.name, by.name, note), operator: by.name, handover: kind };
    await this.options.store.appendMessage(id, entry);
    if (from === null) {
      this.toldPosition.delete(id);
      this.lifecycle(moved, 'connected', { waitSec: secondsBetween(moved.queuedAt, at) });
      await this.tell(moved, { kind: 'connected', operator: target.displayName ?? null }, 'operator');
    } else {
      await this.tell(moved, { kind: 'operator-changed', operator: target.displayName ?? null }, 'operator');
    }
    this.emit('message', { sessionId: id, operator: target.name, entry });
    this.emit('handover', { session: moved, kind, from, to: target.name, by: by.name, note } satisfies HandoverEvent);
    this.emit('session', moved);
    this.emit('queue');
    if (from === null) await this.announcePositions();
    return moved;
  }
}

function heldBy(active: readonly HandoffSession[], name: string): number {
  return active.filter((s) => s.state === 'connected' && s.operator === name).length;
}

/** The line the new holder reads in the chat (the citizen never sees it); the note is redacted, as it is stored. */
function handoverLine(kind: HandoverEvent['kind'], from: string | null, to: string, by: string, note: string | null): string {
  const what = kind === 'takeover' ? `Presa in carico da ${by}` : kind === 'reassign' ? `Assegnata a ${to} da ${by}` : `Trasferita da ${by} a ${to}`;
  const origin = from && kind !== 'transfer' ? ` (prima: ${from})` : '';
  return `${what}${origin}.${note ? ` Nota: ${redact(note).text}` : ''}`;
}

function divertedKey(indexed: string): string {
  return `diverted/${indexed.replace('\u0000', '/')}`;
}

function indexKey(channel: string, conversationId: string): string {
  return `${channel}\u0000${conversationId}`;
}

function secondsBetween(fromIso: string, to: Date | string): number {
  const end = typeof to === 'string' ? Date.parse(to) : to.getTime();
  return Math.max(0, Math.round((end - Date.parse(fromIso)) / 1000));
}
