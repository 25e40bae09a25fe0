import type { HandoffSession } from '../storage/ports';

/**
 * What a channel edge tells the handoff core about a citizen being there. Direct Line calls it:
 * an open WebSocket stream is presence; a poll (GET activities) or a post is a sign of life.
 * The core never imports channel code: the edge calls this interface.
 */
export interface CitizenPresenceSignals {
  /** A stream of the conversation opened. */
  streamOpened(conversationId: string): void;
  /** A stream of the conversation closed (tab closed, network gone, token expired). */
  streamClosed(conversationId: string): void;
  /** A poll or a post of the conversation. */
  seen(conversationId: string): void;
}

/** Where a citizen is, as the console shows it. */
export interface PresenceView {
  /** `null` on channels that give no sign of presence (Messenger). */
  readonly citizenPresence: 'present' | 'away' | null;
  /** The last sign of life of an away citizen (ISO 8601); null otherwise. */
  readonly awaySince: string | null;
}

/** A citizen's presence as the watch reads it. */
export interface CitizenStatus {
  readonly present: boolean;
  /**
   * The last sign of life (ms since the epoch); null when it cannot be known now (the cluster's
   * coordinator is degraded, so the citizen may be present on another instance: counted present).
   */
  readonly lastSeenAt: number | null;
  /** How long the citizen has given no sign; 0 while a stream is open (or presence is unknown). */
  readonly silentMs: number;
}

/**
 * What the handoff watch reads about citizens' presence, besides the signals the channel edge
 * gives: one process's {@link CitizenPresence}, or the cluster's SharedCitizenPresence
 * (src/cluster/shared-citizen-presence.ts), whose `statusOf` reads a mirror that `refresh` fills.
 *
 * @example
 * await presence.refresh(queued.map((s) => s.conversationId)); // before reviewing the queue
 * presence.statusOf('conv1').present;
 */
export interface CitizenPresencePort extends CitizenPresenceSignals {
  /** Silent this long: away (HANDOFF_PRESENCE_TIMEOUT_SEC). */
  readonly timeoutMs: number;
  statusOf(conversationId: string): CitizenStatus;
  /** Forgets conversations silent for long that `keep` does not need (memory follows the traffic). */
  prune(keep: (conversationId: string) => boolean): void;
  /**
   * Brings the signs given on other instances up to date for these conversations; the elected
   * sweeper awaits it before reviewing the queue, so that `statusOf` is fresh where it decides.
   */
  refresh(conversationIds: readonly string[]): Promise<void>;
}

interface Signs {
  streams: number;
  lastSeenAt: number;
}

/**
 * Per conversation, the open streams and the last sign of life. A conversation with an open
 * stream is present; without one it is present until `timeoutMs` after its last poll, post or
 * stream close, then away. A conversation never seen since this process started counts as seen
 * at start-up: after a restart nobody has a stream yet, and everyone gets the full timeout.
 *
 * @example
 * const presence = new CitizenPresence({ timeoutMs: 120_000 });
 * presence.streamOpened('conv1');
 * presence.streamClosed('conv1');
 * presence.statusOf('conv1'); // { present: true, lastSeenAt: ... } for the next two minutes
 */
export class CitizenPresence implements CitizenPresencePort {
  readonly timeoutMs: number;
  private readonly now: () => number;
  private readonly startedAt: number;
  private readonly conversations = new Map<string, Signs>();

  constructor(options: { readonly timeoutMs: number; readonly now?: () => number }) {
    if (!(options.timeoutMs > 0)) throw new Error('CitizenPresence needs a positive timeoutMs');
    this.timeoutMs = options.timeoutMs;
    this.now = options.now ?? Date.now;
    this.startedAt = this.now();
  }

  streamOpened(conversationId: string): void {
    const signs = this.signsOf(conversationId);
    signs.streams += 1;
    signs.lastSeenAt = this.now();
  }

  streamClosed(conversationId: string): void {
    const signs = this.signsOf(conversationId);
    signs.streams = Math.max(0, signs.streams - 1);
    signs.lastSeenAt = this.now();
  }

  seen(conversationId: string): void {
    this.signsOf(conversationId).lastSeenAt = this.now();
  }

  /** Whether the citizen is there now, and when they were last seen (ms since the epoch). */
  statusOf(conversationId: string): CitizenStatus & { readonly lastSeenAt: number } {
    const signs = this.conversations.get(conversationId);
    const lastSeenAt = signs?.lastSeenAt ?? this.startedAt;
    const silentMs = signs && signs.streams > 0 ? 0 : Math.max(0, this.now() - lastSeenAt);
    return { present: silentMs < this.timeoutMs, lastSeenAt, silentMs };
  }

  /**
   * Forgets conversations with no stream, silent for longer than twice the timeout, that `keep`
   * does not need: every conversation the bot ever served passes here, and memory must not grow
   * with them. A forgotten conversation reads as seen at start-up, long enough ago to be away.
   */
  prune(keep: (conversationId: string) => boolean): void {
    const horizon = this.now() - 2 * this.timeoutMs;
    for (const [id, signs] of this.conversations) {
      if (signs.streams === 0 && signs.lastSeenAt < horizon && !keep(id)) this.conversations.delete(id);
    }
  }

  /** Nothing to fetch: every sign this presence counts reached this process. */
  async refresh(): Promise<void> {}

  /** Conversations tracked (for tests and diagnostics). */
  get size(): number {
    return this.conversations.size;
  }

  private signsOf(conversationId: string): Signs {
    let signs = this.conversations.get(conversationId);
    if (!signs) {
      signs = { streams: 0, lastSeenAt: this.now() };
      this.conversations.set(conversationId, signs);
    }
    return signs;
  }
}

/** What the periodic review decided for one session. */
export type CitizenAction =
  | { readonly kind: 'abandon'; readonly session: HandoffSession; readonly outcome: 'away' | 'no-answer' }
  | { readonly kind: 'ask'; readonly session: HandoffSession }
  | { readonly kind: 'idle'; readonly session: HandoffSession };

export interface CitizenWatchOptions {
  readonly presence: CitizenPresencePort;
  /** After this wait a citizen without presence is asked whether they still want to wait (HANDOFF_QUEUE_TIMEOUT_SEC). */
  readonly queueTimeoutMs: number;
  /** A connected chat with no message on either side for this long is closed (HANDOFF_IDLE_CLOSE_SEC). */
  readonly idleCloseMs: number;
  /** The channel whose edge reports presence. */
  readonly presenceChannel?: string;
}

/**
 * The rules for citizens who leave or go silent, decided on every sweep of the queue:
 * - a queued citizen on the channel with presence (Direct Line), away for twice the presence
 *   timeout, is abandoned (`away`); a connected one who is away is only shown away;
 * - a queued citizen on a channel without presence (Messenger) is asked, after the queue timeout
 *   since they last wrote, whether they still want to wait; no message within the presence
 *   timeout after the question: abandoned (`no-answer`); any message is an answer;
 * - a connected chat (console mode) with no message on either side for the idle time: closed (`idle`).
 * It decides; the handoff service acts. State is in memory: after a restart the clocks restart
 * from start-up, so nobody is abandoned at once.
 *
 * @example
 * const watch = new CitizenWatch({ presence, queueTimeoutMs: 600_000, idleCloseMs: 900_000 });
 * const { actions, presenceChanged } = watch.review(activeSessions, Date.now());
 */
export class CitizenWatch {
  private readonly presenceChannel: string;
  /** Sessions without presence: when the citizen last wrote (or when the watch first saw them). */
  private readonly lastAnswer = new Map<string, number>();
  /** Sessions without presence asked whether they still wait: when. */
  private readonly asked = new Map<string, number>();
  /** Sessions shown away at the last review, to tell consoles only of changes. */
  private away = new Set<string>();

  constructor(private readonly options: CitizenWatchOptions) {
    this.presenceChannel = options.presenceChannel ?? 'directline';
  }

  /** Whether this session's queue timeout is the still-waiting question (no presence on its channel). */
  asksStillWaiting(session: HandoffSession): boolean {
    return session.channel !== this.presenceChannel;
  }

  /** The citizen wrote (or tapped): they are there, and any pending question is answered (true when one was). */
  answered(sessionId: string, now: number): boolean {
    this.lastAnswer.set(sessionId, now);
    return this.asked.delete(sessionId);
  }

  /** Decides what happens to each active session now; `presenceChanged` when a console must redraw. */
  review(active: readonly HandoffSession[], now: number): { actions: CitizenAction[]; presenceChanged: boolean } {
    const actions: CitizenAction[] = [];
    const away = new Set<string>();
    const { presence, queueTimeoutMs, idleCloseMs } = this.options;
    for (const session of active) {
      if (session.state === 'connected') {
        if (session.operator !== 'external' && now - lastMessageAt(session) >= idleCloseMs) {
          actions.push({ kind: 'idle', session });
          continue;
        }
      }
      if (session.channel === this.presenceChannel) {
        const status = presence.statusOf(session.conversationId);
        if (session.state === 'queued' && status.silentMs >= 2 * presence.timeoutMs) actions.push({ kind: 'abandon', session, outcome: 'away' });
        else if (!status.present) away.add(session.id);
        continue;
      }
      if (session.state !== 'queued') {
        // Claimed while the question was pending: the question is moot.
        this.asked.delete(session.id);
        continue;
      }
      const askedAt = this.asked.get(session.id);
      if (askedAt !== undefined) {
        if (now - askedAt >= presence.timeoutMs) actions.push({ kind: 'abandon', session, outcome: 'no-answer' });
        continue;
      }
      const since = Math.max(Date.parse(session.queuedAt), this.lastAnswer.get(session.id) ?? 0);
      if (now - since >= queueTimeoutMs) {
        this.asked.set(session.id, now);
        actions.push({ kind: 'ask', session });
      }
    }
    this.forget(active);
    const presenceChanged = away.size !== this.away.size || [...away].some((id) => !this.away.has(id));
    this.away = away;
    return { actions, presenceChanged };
  }

  /** The session's presence for the console. */
  viewOf(session: HandoffSession): PresenceView {
    if (session.channel !== this.presenceChannel || (session.state !== 'queued' && session.state !== 'connected')) return { citizenPresence: null, awaySince: null };
    const status = this.options.presence.statusOf(session.conversationId);
    if (status.present) return { citizenPresence: 'present', awaySince: null };
    return { citizenPresence: 'away', awaySince: status.lastSeenAt === null ? null : new Date(status.lastSeenAt).toISOString() };
  }

  /** Drops what is kept for sessions no longer active, and the presence of conversations nobody needs. */
  private forget(active: readonly HandoffSession[]): void {
    const ids = new Set(active.map((s) => s.id));
    for (const map of [this.asked, this.lastAnswer]) for (const id of map.keys()) if (!ids.has(id)) map.delete(id);
    const conversations = new Set(active.filter((s) => s.channel === this.presenceChannel).map((s) => s.conversationId));
    this.options.presence.prune((id) => conversations.has(id));
  }
}

/** The last message on either side of a connected chat, or the moment it connected. */
export function lastMessageAt(session: HandoffSession): number {
  let last = Date.parse(session.connectedAt ?? session.queuedAt);
  for (const message of session.messages) {
    const at = Date.parse(message.at);
    if (at > last) last = at;
  }
  return last;
}
