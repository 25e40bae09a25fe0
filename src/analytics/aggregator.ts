import { z } from 'zod';
import type { InteractionEvent } from '../storage/interaction-event';
import type { KnowledgeGapIncrement, RollupKey, RollupStore } from '../storage/ports';
import { ESCALATION_COUNTER, OUTCOME_COUNTER, bucketCounter, operatorCounter, queuedHourCounter, type ConversationOutcome, type EscalationReason } from './counters';
import { detachedCounts, validLogin } from './detached-events';
import { gapKey } from './gap-key';
import { rollupKeyId } from './rollup-batch';
import { romeDay, romeHour } from './rome-day';

/** A gap over this long ends a session (a conversation); docs/metrics.md. */
export const SESSION_GAP_MS = 30 * 60 * 1000;
/** Default bound on open sessions; beyond it the least recently active is finalised. */
export const MAX_OPEN_SESSIONS = 200_000;
const CHECKPOINT_VERSION = 1;

// A referral (another administration's matter, named with its page) is a question the bot
// handled: it engages, and self-help absorbed it, but it is not an answer of the City's.
const QUESTION_OUTCOMES = new Set(['answered', 'referral', 'disambiguation', 'fallback']);
const ENGAGING_OUTCOMES = new Set(['answered', 'referral', 'disambiguation', 'fallback', 'handoff']);

/** What the aggregator keeps of an open session: plain JSON, so that it is its own checkpoint. */
const sessionSchema = z.object({
  conversationId: z.string().min(1),
  /** Epoch ms of the first and the last event. */
  first: z.number(),
  last: z.number(),
  channel: z.string().min(1),
  /** Of the last citizen message (of the first event until there is one). */
  language: z.string().min(1),
  answeredTopic: z.string().nullable(),
  recognisedTopic: z.string().nullable(),
  engaged: z.boolean(),
  ticket: z.boolean(),
  connected: z.boolean(),
  abandoned: z.boolean(),
  /** The last 👍/👎 of the session: "a 👍 and no 👎 after it" is a last feedback of 'up'. */
  lastFeedback: z.enum(['up', 'down']).nullable(),
  /** The last question was answered and nothing since (👎, question, handoff) undid it. */
  lastQuestionAnswered: z.boolean(),
  /** The same for a referral to another administration (absent from checkpoints before referrals). */
  lastQuestionReferred: z.boolean().default(false),
  /**
   * Epoch ms of the events that set the fields that depend on order (null: none yet). A reader of
   * several instances' events (src/analytics/event-tail.ts) may get a conversation's turns out of
   * order; with these the earliest answer and topic, and the latest rating, question and message
   * language, still win. Checkpoints from before them get the values in-order events would leave.
   */
  at: z
    .object({ answered: z.number().nullable(), recognised: z.number().nullable(), feedback: z.number().nullable(), question: z.number().nullable(), language: z.number().nullable() })
    .optional(),
}).transform((s) => ({
  ...s,
  at: s.at ?? { answered: s.answeredTopic === null ? null : s.first, recognised: s.recognisedTopic === null ? null : s.first, feedback: s.lastFeedback === null ? null : s.last, question: s.last, language: s.last },
}));
type Session = z.output<typeof sessionSchema>;

const checkpointSchema = z.object({
  version: z.literal(CHECKPOINT_VERSION),
  sessions: z.array(sessionSchema),
  /** Epoch ms (the store's clock) when it was taken; absent from checkpoints before it existed. */
  savedAt: z.number().optional(),
  /** The position of the reader that fed the aggregator (the cluster's event tail), if any. */
  cursor: z.unknown().optional(),
});

export interface AggregatorOptions {
  /** Bound on open sessions (200,000 unless set). */
  readonly maxOpenSessions?: number;
  /**
   * With a positive interval, `start()` also runs `sweep(now() - sweepLagMs)` then `flush()`
   * every `flushIntervalMs` until `stop()`. 0 (the default) leaves both to the caller.
   */
  readonly flushIntervalMs?: number;
  /**
   * How far behind the clock the timer sweeps: events reach the aggregator a little after their
   * time (the recorder writes in batches), and a session must not end before its late events.
   */
  readonly sweepLagMs?: number;
  readonly now?: () => Date;
  /** Where the timer's failed flushes go (the increments are kept and retried). */
  readonly onError?: (error: unknown) => void;
}

/** Counts of what the aggregator saw, for diagnostics and the rebuild summary. */
export interface AggregatorStats {
  events: number;
  skipped: number;
  sessionsFinalised: number;
}

/**
 * Turns interaction events into rollup increments (docs/metrics.md). `observe` is synchronous
 * and in memory: turn and handoff counters are added at once on the event's key, and the
 * event updates its conversation's open session; a session is finalised (its conversation
 * counters added on its key: the day of its first event, its channel, language and topic)
 * when its conversation speaks again after more than 30 minutes, when `sweep` finds it quiet
 * for more than 30 minutes, or when more than `maxOpenSessions` are open (the least recently
 * active goes first). `flush` writes everything pending in one `apply`, with the open
 * sessions as the checkpoint, so a restart continues them.
 *
 * Events must come in time order within a conversation; across conversations small
 * disorder is harmless, as long as `sweep` is not given a time ahead of events still to come.
 *
 * @example
 * const aggregator = new AnalyticsAggregator(backend.rollups, { flushIntervalMs: 60_000 });
 * await aggregator.start();
 * recorder.on('event', (e) => aggregator.observe(e));
 * // at shutdown
 * await aggregator.stop();
 */
export class AnalyticsAggregator {
  /** Open sessions by conversation id, least recently active first (re-inserted on each event). */
  private sessions = new Map<string, Session>();
  private increments = new Map<string, { key: RollupKey; counters: Record<string, number> }>();
  private gaps: KnowledgeGapIncrement[] = [];
  private flushing: Promise<void> = Promise.resolve();
  private timer: NodeJS.Timeout | undefined;
  private readonly maxOpen: number;
  private readonly now: () => Date;
  readonly stats: AggregatorStats = { events: 0, skipped: 0, sessionsFinalised: 0 };
  /**
   * The position of whatever feeds the aggregator from the store (src/analytics/event-tail.ts),
   * set by that reader and saved with every flush in the same checkpoint as the counters it
   * produced, so that a reader that takes over continues exactly there. Undefined when fed in
   * memory: a single instance does not carry forward a cursor it does not keep up.
   */
  cursor: unknown = undefined;
  /**
   * What `start()` found: undefined when there was no checkpoint, else when it was saved (if
   * known) and the reader's cursor it holds (if any).
   */
  restored: { readonly savedAt: number | undefined; readonly cursor: unknown } | undefined = undefined;

  constructor(
    private readonly store: RollupStore,
    private readonly options: AggregatorOptions = {},
  ) {
    this.maxOpen = options.maxOpenSessions ?? MAX_OPEN_SESSIONS;
    if (!Number.isInteger(this.maxOpen) || this.maxOpen < 1) throw new Error(`maxOpenSessions must be a whole number of at least 1, got ${this.maxOpen}`);
    if ((options.flushIntervalMs ?? 0) < 0) throw new Error(`flushIntervalMs must not be negative, got ${options.flushIntervalMs}`);
    this.now = options.now ?? (() => new Date());
  }

  /** How many sessions are open. */
  get openSessions(): number {
    return this.sessions.size;
  }

  /** How many open sessions began on the Europe/Rome day `day` (the live view's conversations in progress). */
  openBeganOn(day: string): number {
    let count = 0;
    for (const session of this.sessions.values()) if (romeDay(session.first) === day) count += 1;
    return count;
  }

  /** Loads the open sessions of the last checkpoint and, with an interval, starts the timer. */
  async start(): Promise<void> {
    const stored = await this.store.loadCheckpoint();
    if (stored !== undefined) {
      const parsed = checkpointSchema.safeParse(stored);
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        throw new Error(`invalid analytics checkpoint: ${issue ? `${issue.path.join('.') || '(root)'}: ${issue.message}` : 'unreadable'} (rebuild with npm run analytics:rebuild)`);
      }
      this.restored = { savedAt: parsed.data.savedAt, cursor: parsed.data.cursor };
      for (const session of parsed.data.sessions) {
        this.sessions.delete(session.conversationId);
        this.sessions.set(session.conversationId, session);
      }
    }
    const interval = this.options.flushIntervalMs ?? 0;
    if (interval > 0 && !this.timer) {
      this.timer = setInterval(() => {
        this.sweep(new Date(this.now().getTime() - (this.options.sweepLagMs ?? 60_000)));
        this.flush().catch((error: unknown) => this.options.onError?.(error));
      }, interval);
      this.timer.unref();
    }
  }

  /** Stops the timer and flushes what is pending; open sessions stay in the checkpoint. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.flush();
  }

  /** Counts one event (synchronous, in memory). */
  observe(event: InteractionEvent): void {
    const ms = Date.parse(event.ts);
    if (Number.isNaN(ms) || !event.conversationId || !event.channel || !event.language) {
      this.stats.skipped += 1;
      return;
    }
    this.stats.events += 1;
    if (this.observeDetached(event, ms)) return;
    let session = this.sessions.get(event.conversationId);
    if (session && ms - session.last > SESSION_GAP_MS) {
      this.finalise(session);
      session = undefined;
    }
    if (!session) {
      session = {
        conversationId: event.conversationId, first: ms, last: ms, channel: event.channel, language: event.language,
        answeredTopic: null, recognisedTopic: null, engaged: false, ticket: false, connected: false, abandoned: false,
        lastFeedback: null, lastQuestionAnswered: false, lastQuestionReferred: false,
        at: { answered: null, recognised: null, feedback: null, question: null, language: null },
      };
    }
    this.sessions.delete(event.conversationId);
    this.sessions.set(event.conversationId, session);
    // Events of two instances may reach a reader out of order: the earliest sets what the first event sets.
    if (ms < session.first) {
      session.channel = event.channel;
      if (session.at.language === null) session.language = event.language;
      session.first = ms;
    }
    session.last = Math.max(session.last, ms);
    if (event.activityType === 'handoff') this.observeLifecycle(event, ms, session);
    else this.observeTurn(event, ms, session);
    while (this.sessions.size > this.maxOpen) {
      const oldest = this.sessions.values().next().value;
      if (!oldest) break;
      this.finalise(oldest);
    }
  }

  /** Finalises the sessions whose last event is more than 30 minutes before `now`. */
  sweep(now: Date): void {
    const limit = now.getTime() - SESSION_GAP_MS;
    for (const session of [...this.sessions.values()]) {
      if (session.last < limit) this.finalise(session);
    }
  }

  /**
   * Writes the pending increments and gaps in one `apply`, with the open sessions as the
   * checkpoint. Flushes run one after the other; when one fails its increments are kept for
   * the next and the error is thrown.
   */
  flush(): Promise<void> {
    const run = this.flushing.then(() => this.flushNow());
    this.flushing = run.catch(() => undefined);
    return run;
  }

  private async flushNow(): Promise<void> {
    const increments = this.increments;
    const gaps = this.gaps;
    this.increments = new Map();
    this.gaps = [];
    // Date.now(), not options.now: a reader compares it with the times the store stamps on events.
    const checkpoint = {
      version: CHECKPOINT_VERSION,
      sessions: [...this.sessions.values()].map((s) => ({ ...s, at: { ...s.at } })),
      savedAt: Date.now(),
      ...(this.cursor === undefined ? {} : { cursor: this.cursor }),
    };
    try {
      await this.store.apply({ increments: [...increments.values()], gaps, checkpoint });
    } catch (error) {
      // Put them back in front of what arrived meanwhile, so nothing is lost or reordered.
      for (const [id, inc] of this.increments) {
        const held = increments.get(id);
        if (held) for (const [name, value] of Object.entries(inc.counters)) held.counters[name] = (held.counters[name] ?? 0) + value;
        else increments.set(id, inc);
      }
      this.increments = increments;
      this.gaps = [...gaps, ...this.gaps];
      throw error;
    }
  }

  /** Counts an event that belongs to no conversation of the citizen's (see detachedCounts); true when it was one. */
  private observeDetached(event: InteractionEvent, ms: number): boolean {
    const counted = detachedCounts(event, romeDay(ms));
    if (counted === undefined) return false;
    if (counted !== null) this.add(counted.key, counted.counters);
    return true;
  }

  private observeTurn(event: InteractionEvent, ms: number, session: Session): void {
    // A fallback is counted under the topic the recognizer leaned to, flagged as such: it adds a
    // question and a miss to that topic, never an answer, and never sets the conversation's topic.
    const leaning = event.outcome === 'fallback' && event.topicId === null && event.answerTopicId === null ? (event.leaningTopicId ?? null) : null;
    const topicId = event.answerTopicId ?? event.topicId ?? leaning;
    const counters: Record<string, number> = { turns: 1 };
    if (leaning !== null) counters.leaningFallbacks = 1;
    const reason = event.escalation;
    if (reason !== undefined && Object.hasOwn(ESCALATION_COUNTER, reason)) counters[ESCALATION_COUNTER[reason as EscalationReason]] = 1;
    // Feedback is on the previous answer, so it comes before this turn's own outcome.
    const latestQuestion = ms >= (session.at.question ?? -Infinity);
    if (event.feedback === 'up' || event.feedback === 'down') {
      counters[event.feedback === 'up' ? 'ratedUp' : 'ratedDown'] = 1;
      if (ms >= (session.at.feedback ?? -Infinity)) {
        session.lastFeedback = event.feedback;
        session.at.feedback = ms;
      }
      if (event.feedback === 'down' && latestQuestion) setLastQuestion(session, ms, false, false);
    }
    if (QUESTION_OUTCOMES.has(event.outcome)) counters.questions = 1;
    if (event.outcome === 'answered') counters.answers = 1;
    if (event.outcome === 'referral') counters.referrals = 1;
    if (event.outcome === 'disambiguation') counters.disambiguations = 1;
    if (event.outcome === 'fallback') counters.fallbacks = 1;
    if (ENGAGING_OUTCOMES.has(event.outcome)) session.engaged = true;
    if (event.outcome === 'answered') {
      const answered = event.answerTopicId ?? event.topicId;
      if (answered !== null && (session.answeredTopic === null || ms < (session.at.answered ?? Infinity))) {
        session.answeredTopic = answered;
        session.at.answered = ms;
      }
      if (latestQuestion) setLastQuestion(session, ms, !event.handoff, false);
    } else if (event.outcome === 'referral') {
      if (latestQuestion) setLastQuestion(session, ms, false, !event.handoff);
    } else if (QUESTION_OUTCOMES.has(event.outcome) || event.outcome === 'handoff' || event.handoff) {
      if (latestQuestion) setLastQuestion(session, ms, false, false);
    }
    recognise(session, event.topicId, ms);
    if (event.activityType === 'message' && ms >= (session.at.language ?? -Infinity)) {
      session.language = event.language;
      session.at.language = ms;
    }
    const day = romeDay(ms);
    this.add({ day, channel: event.channel, language: event.language, topicId }, counters);
    if (event.outcome === 'fallback' && event.text) {
      const key = gapKey(event.text);
      if (key) this.gaps.push({ day, language: event.language, key, example: event.text });
    }
  }

  private observeLifecycle(event: InteractionEvent, ms: number, session: Session): void {
    session.engaged = true;
    if (ms >= (session.at.question ?? -Infinity)) setLastQuestion(session, ms, false, false);
    recognise(session, event.topicId, ms);
    const handoff = event.handoff;
    const counters: Record<string, number> = {};
    switch (handoff?.state) {
      case 'queued':
        counters.handoffsQueued = 1;
        counters[queuedHourCounter(romeHour(ms))] = 1;
        break;
      case 'connected':
        counters.handoffsAnswered = 1;
        session.connected = true;
        break;
      case 'abandoned':
        counters.handoffsAbandoned = 1;
        session.abandoned = true;
        break;
      case 'ticket':
        counters.ticketsCreated = 1;
        session.ticket = true;
        break;
      default:
        break;
    }
    const { waitSec, handleSec } = handoff ?? {};
    if ((handoff?.state === 'connected' || handoff?.state === 'abandoned' || handoff?.state === 'ticket') && isDuration(waitSec)) {
      counters.waitSecSum = waitSec;
      counters.waitCount = 1;
      counters[bucketCounter('wait', waitSec)] = 1;
    }
    if (handoff?.state === 'closed' && isDuration(handleSec)) {
      counters.handleSecSum = handleSec;
      counters.handleCount = 1;
      counters[bucketCounter('handle', handleSec)] = 1;
    }
    const operator = validLogin(handoff?.operator);
    if (handoff?.state === 'closed' && operator) {
      counters[operatorCounter('chats', operator)] = 1;
      if (isDuration(handleSec)) {
        counters[operatorCounter('handleSecSum', operator)] = handleSec;
        counters[operatorCounter('handleCount', operator)] = 1;
      }
    }
    this.add({ day: romeDay(ms), channel: event.channel, language: event.language, topicId: event.topicId }, counters);
  }

  private finalise(session: Session): void {
    this.sessions.delete(session.conversationId);
    this.stats.sessionsFinalised += 1;
    const outcome = outcomeOf(session);
    const counters: Record<string, number> = { conversations: 1, [OUTCOME_COUNTER[outcome]]: 1 };
    if (outcome !== 'unengaged') counters.engaged = 1;
    this.add({ day: romeDay(session.first), channel: session.channel, language: session.language, topicId: session.answeredTopic ?? session.recognisedTopic }, counters);
  }

  private add(key: RollupKey, counters: Record<string, number>): void {
    const id = rollupKeyId(key);
    let pending = this.increments.get(id);
    if (!pending) {
      pending = { key, counters: {} };
      this.increments.set(id, pending);
    }
    for (const [name, value] of Object.entries(counters)) pending.counters[name] = (pending.counters[name] ?? 0) + value;
  }
}

/** The state of the conversation's latest question (set by the latest event that bears on it). */
function setLastQuestion(session: Session, ms: number, answered: boolean, referred: boolean): void {
  session.lastQuestionAnswered = answered;
  session.lastQuestionReferred = referred;
  session.at.question = ms;
}

/** The first topic recognised: the earliest event's that has one. */
function recognise(session: Session, topicId: string | null, ms: number): void {
  if (topicId === null) return;
  if (session.recognisedTopic === null || ms < (session.at.recognised ?? Infinity)) {
    session.recognisedTopic = topicId;
    session.at.recognised = ms;
  }
}

function isDuration(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0;
}

/** The one outcome of a finalised session, in the precedence of docs/metrics.md. */
function outcomeOf(session: Session): ConversationOutcome {
  if (!session.engaged) return 'unengaged';
  if (session.ticket) return 'ticket';
  if (session.connected) return 'escalated';
  if (session.abandoned) return 'abandoned';
  if (session.lastFeedback === 'up') return 'resolved-confirmed';
  if (session.lastQuestionAnswered) return 'resolved-assumed';
  if (session.lastQuestionReferred) return 'referred';
  return 'unresolved';
}
