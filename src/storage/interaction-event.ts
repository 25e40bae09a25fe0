import type { Language } from '../knowledge/topic-schema';

/** What the bot did with a turn, as recorded (the same values as `channelData.dialogo.outcome`). */
export type EventOutcome = 'answered' | 'disambiguation' | 'fallback' | 'handoff' | 'smalltalk' | 'referral' | 'welcome' | 'none';

/**
 * One interaction, as stored: one per turn. Personal data never reaches this shape: the
 * conversation id is a keyed hash of the channel's user id and the text is redacted.
 * The schema is documented in docs/interaction-events.md.
 */
export interface InteractionEvent {
  /** Unique id, so that a retried write stores the event once. */
  readonly eventId: string;
  /** ISO 8601 time of the turn. */
  readonly ts: string;
  /** Keyed hash of channel and user id: the same citizen on the same channel, not who they are. */
  readonly conversationId: string;
  readonly channel: string;
  readonly language: Language;
  /** Activity type of the citizen's turn (message, conversationUpdate...). */
  readonly activityType: string;
  /** The citizen's text after redaction; null for turns without text. */
  readonly text: string | null;
  readonly outcome: EventOutcome;
  /** Topic the recognizer ranked first (answered or offered), if any; the referral's id for a `referral`. */
  readonly topicId: string | null;
  readonly confidence: number | null;
  /** Topic of the answer given, when the outcome is `answered`. */
  readonly answerTopicId: string | null;
  /** Facet of the answer given (null: the topic's overview); absent on events recorded before facets. */
  readonly answerFacetId?: string | null;
  /**
   * What the bot said in this turn when it was not a knowledge-base answer (the handoff's
   * prompts, a fallback, small talk, a referral), redacted, at most 1,000 characters: the
   * operator's transcript shows the question the citizen's "Sì" answered. Absent on answered
   * turns (the answer is the topic's) and on events recorded before it existed.
   */
  readonly botText?: string | null;
  /**
   * On a fallback: the topic the recognizer leaned to (its top candidate, below the threshold of
   * an answer), so that the miss is counted under what the citizen was asking about. Absent when
   * nothing came close and on events recorded before it existed.
   */
  readonly leaningTopicId?: string | null;
  /**
   * On the turn where the bot offered a person or began a written request: why (the citizen
   * asked, two misses in a row, a thumbs down on a topic marked `escalate`, the written request
   * chosen from the menu). Absent otherwise.
   */
  readonly escalation?: 'asked' | 'misses' | 'rated-down' | 'written-request';
  /** Feedback given in this turn on the previous answer. */
  readonly feedback: 'up' | 'down' | null;
  /** Time the bot took for the turn, in milliseconds. */
  readonly latencyMs: number;
  /**
   * Handoff: on citizen turns, the state the bot's reply carried (offered, queued, connected,
   * closed, ticket); on lifecycle events (`activityType: 'handoff'`), the session's new state
   * (queued, connected, closed, abandoned, ticket) with the wait or handling time it ended and the
   * operator's login (staff, never a citizen); on a written request's events (`request-answered`,
   * `request-closed`), the operator who answered or closed it. On a click on an answer's link
   * (`activityType: 'link'`) there is none: the event holds the topic and facet only.
   */
  readonly handoff?: {
    readonly state: string;
    readonly at: string;
    readonly sessionId?: string;
    readonly waitSec?: number;
    readonly handleSec?: number;
    readonly outcome?: string;
    readonly operator?: string;
  } | null;
}

/** A query over stored events. */
export interface EventQuery {
  readonly from?: Date;
  readonly to?: Date;
  readonly conversationId?: string;
  readonly limit?: number;
}
