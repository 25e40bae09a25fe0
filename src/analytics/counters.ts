/**
 * The names of the rollup counters (docs/metrics.md defines each). Conversation counters are
 * added when a session is finalised, on the session's key; turn and handoff counters at once,
 * on the event's own key.
 */
export const CONVERSATION_COUNTERS = ['conversations', 'engaged', 'unengaged', 'resolvedConfirmed', 'resolvedAssumed', 'referred', 'escalated', 'abandoned', 'tickets', 'unresolved'] as const;
export const TURN_COUNTERS = ['turns', 'questions', 'answers', 'referrals', 'disambiguations', 'fallbacks', 'ratedUp', 'ratedDown'] as const;
export const HANDOFF_COUNTERS = ['handoffsQueued', 'handoffsAnswered', 'handoffsAbandoned', 'ticketsCreated', 'waitSecSum', 'waitCount', 'handleSecSum', 'handleCount'] as const;

/** Upper bounds (seconds, inclusive) of the wait and handling histograms; the last bucket is open. */
export const BUCKET_BOUNDS = [30, 60, 120, 300, 600, 1200, 1800, 3600] as const;

/** The histogram counter of a duration: each duration counts in exactly one bucket (not cumulative). */
export function bucketCounter(prefix: 'wait' | 'handle', seconds: number): string {
  const bound = BUCKET_BOUNDS.find((b) => seconds <= b);
  return `${prefix}_le_${bound ?? 'inf'}`;
}

/** All bucket counter names of a histogram, in bound order, the open bucket last. */
export function bucketCounters(prefix: 'wait' | 'handle'): string[] {
  return [...BUCKET_BOUNDS.map((b) => `${prefix}_le_${b}`), `${prefix}_le_inf`];
}

export type ConversationOutcome = 'ticket' | 'escalated' | 'abandoned' | 'resolved-confirmed' | 'resolved-assumed' | 'referred' | 'unresolved' | 'unengaged';

/** The conversation counter of each outcome. */
export const OUTCOME_COUNTER: Readonly<Record<ConversationOutcome, (typeof CONVERSATION_COUNTERS)[number]>> = {
  ticket: 'tickets',
  escalated: 'escalated',
  abandoned: 'abandoned',
  'resolved-confirmed': 'resolvedConfirmed',
  'resolved-assumed': 'resolvedAssumed',
  referred: 'referred',
  unresolved: 'unresolved',
  unengaged: 'unengaged',
};
