/**
 * The names of the rollup counters (docs/metrics.md defines each). Conversation counters are
 * added when a session is finalised, on the session's key; turn and handoff counters at once,
 * on the event's own key.
 */
export const CONVERSATION_COUNTERS = ['conversations', 'engaged', 'unengaged', 'resolvedConfirmed', 'resolvedAssumed', 'referred', 'escalated', 'abandoned', 'tickets', 'unresolved'] as const;
export const TURN_COUNTERS = ['turns', 'questions', 'answers', 'referrals', 'disambiguations', 'fallbacks', 'leaningFallbacks', 'ratedUp', 'ratedDown'] as const;
export const HANDOFF_COUNTERS = ['handoffsQueued', 'handoffsAnswered', 'handoffsAbandoned', 'ticketsCreated', 'waitSecSum', 'waitCount', 'handleSecSum', 'handleCount', 'requestsAnswered', 'requestsClosed'] as const;

/** Why the bot offered a person (or the citizen asked for one), as recorded on the turn's event. */
export const ESCALATION_REASONS = ['asked', 'misses', 'rated-down', 'written-request'] as const;
export type EscalationReason = (typeof ESCALATION_REASONS)[number];

/** The turn counter of each escalation reason. */
export const ESCALATION_COUNTER: Readonly<Record<EscalationReason, string>> = {
  asked: 'escalatedAsked',
  misses: 'escalatedMisses',
  'rated-down': 'escalatedRatedDown',
  'written-request': 'escalatedWrittenRequest',
};

/**
 * The counter of handoffs queued in one Europe/Rome hour of the day (`queued_h00`..`queued_h23`),
 * on the queued event's key: what the forecast reads for handoffs per hour.
 */
export function queuedHourCounter(hour: number): string {
  if (!Number.isInteger(hour) || hour < 0 || hour > 23) throw new Error(`hour of the day must be 0 to 23, got ${hour}`);
  return `queued_h${String(hour).padStart(2, '0')}`;
}

/** Clicks on the links of answers: `clicks` on the topic's key, and one counter per facet. */
export const CLICKS_COUNTER = 'clicks';
const FACET_CLICKS_PREFIX = 'clicks_f_';
/** The facet counter of the topic's overview (its own name: no facet id can produce it). */
export const OVERVIEW_CLICKS_COUNTER = 'clicks_overview';

/**
 * The click counter of a facet. Facet ids are kebab-case (a-z, 0-9, '-'), so '-' becomes '_'
 * one to one and the name stays within the letters, digits and '_' the stores accept.
 *
 * @example
 * facetClicksCounter('costi-e-pagamento') // 'clicks_f_costi_e_pagamento'
 * facetClicksCounter(null) // 'clicks_overview'
 */
export function facetClicksCounter(facetId: string | null): string {
  if (facetId === null) return OVERVIEW_CLICKS_COUNTER;
  if (!/^[a-z0-9]+(?:-[a-z0-9]+)*$/.test(facetId)) throw new Error(`facet id must be kebab-case, got ${JSON.stringify(facetId)}`);
  return `${FACET_CLICKS_PREFIX}${facetId.replace(/-/g, '_')}`;
}

/** The facet id of a facet click counter (null for the overview), or undefined for any other counter. */
export function facetOfClicksCounter(name: string): string | null | undefined {
  if (name === OVERVIEW_CLICKS_COUNTER) return null;
  return name.startsWith(FACET_CLICKS_PREFIX) ? name.slice(FACET_CLICKS_PREFIX.length).replace(/_/g, '-') : undefined;
}

/** Per-operator counters: chats closed (`opChats_`), their handling seconds, written requests answered and closed. */
export const OPERATOR_COUNTER_PREFIXES = { chats: 'opChats_', handleSecSum: 'opHandleSecSum_', handleCount: 'opHandleCount_', requestsAnswered: 'opAnswered_', requestsClosed: 'opClosed_' } as const;
export type OperatorFigure = keyof typeof OPERATOR_COUNTER_PREFIXES;

/**
 * The per-operator counter of a figure. Logins are 3-32 of a-z, 0-9, '.', '_', '-': each
 * non-alphanumeric one is written as '_' and a letter ('_u', '_d', '_h'), so the encoding is one
 * to one and the name stays within letters, digits and '_'.
 *
 * @example
 * operatorCounter('chats', 'giulia.rossi') // 'opChats_giulia_drossi'
 */
export function operatorCounter(figure: OperatorFigure, login: string): string {
  if (!/^[a-z0-9._-]{1,32}$/.test(login)) throw new Error(`operator login must be 1 to 32 of a-z, 0-9, '.', '_', '-', got ${JSON.stringify(login)}`);
  return `${OPERATOR_COUNTER_PREFIXES[figure]}${login.replace(/[._-]/g, (c) => (c === '_' ? '_u' : c === '.' ? '_d' : '_h'))}`;
}

/** The figure and login of a per-operator counter, or undefined for any other counter. */
export function parseOperatorCounter(name: string): { figure: OperatorFigure; login: string } | undefined {
  for (const [figure, prefix] of Object.entries(OPERATOR_COUNTER_PREFIXES) as [OperatorFigure, string][]) {
    if (!name.startsWith(prefix)) continue;
    const login = name.slice(prefix.length).replace(/_([udh])/g, (_m, c: string) => (c === 'u' ? '_' : c === 'd' ? '.' : '-'));
    return { figure, login };
  }
  return undefined;
}

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
