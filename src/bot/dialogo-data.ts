/**
 * Outcome of a bot message, as channels, logs and tests see it in `channelData.dialogo`.
 * `referral`: the question is another administration's matter and the bot said who handles it
 * (knowledge-base/referrals.yaml); a correct redirection, neither an answer nor a miss.
 */
export type Outcome = 'answered' | 'disambiguation' | 'fallback' | 'handoff' | 'smalltalk' | 'referral';

/** `channelData.dialogo.handoff` on every bot message of the handoff flow. */
export interface HandoffData {
  readonly state: 'offered' | 'queued' | 'connected' | 'closed' | 'ticket';
  readonly position: number | null;
  readonly etaSeconds: number | null;
}

/** `channelData.dialogo` on every bot message. */
export interface DialogoData {
  /** The topic answered or offered first; with outcome `referral`, the referral's id. */
  readonly topicId: string | null;
  /** The facet of the topic answered; null for the topic's overview. Only on answers. */
  readonly facetId?: string | null;
  readonly confidence: number | null;
  readonly outcome: Outcome;
  /** On a fallback: the knowledge-base topic the recognizer leaned to (its top candidate), if any. */
  readonly leaningTopicId?: string;
  readonly handoff?: HandoffData;
  /** The communications whose notices an answer carries (knowledge-base/communications.yaml); only when it carries one. */
  readonly communicationIds?: readonly string[];
}

/** Turn-state key where the dialog leaves the language it answered in, for the interaction record. */
export const TURN_LANGUAGE = 'dialogo.language';

/**
 * Turn-state key where the dialog leaves why it offered a person this turn (or began a written
 * request), for the interaction record's `escalation`.
 */
export const TURN_ESCALATION = 'dialogo.escalation';
