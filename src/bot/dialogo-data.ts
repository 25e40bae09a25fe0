/** Outcome of a bot message, as channels, logs and tests see it in `channelData.dialogo`. */
export type Outcome = 'answered' | 'disambiguation' | 'fallback' | 'handoff' | 'smalltalk';

/** `channelData.dialogo` on every bot message. */
export interface DialogoData {
  readonly topicId: string | null;
  readonly confidence: number | null;
  readonly outcome: Outcome;
}

/** Turn-state key where the dialog leaves the language it answered in, for the interaction record. */
export const TURN_LANGUAGE = 'dialogo.language';
