import type { Language } from '../knowledge/topic-schema';

/** What the citizen's message is, before any knowledge-base answer is chosen. */
export type Intent = 'faq' | 'handoff' | 'greeting' | 'thanks' | 'goodbye' | 'help' | 'insult' | 'nonsense';

/** How the bot should act on a recognition: answer, ask which topic was meant, or fall back. */
export type Band = 'answer' | 'disambiguate' | 'fallback';

/** A knowledge-base topic with the calibrated probability that it is the one meant. */
export interface TopicCandidate {
  readonly topicId: string;
  readonly confidence: number;
}

/** The outcome of recognising one message. Recognizers know nothing of channels or SDKs. */
export interface Recognition {
  readonly text: string;
  readonly language: Language;
  readonly intent: Intent;
  /** Ranked best first; at most five. Empty for small talk and handoff requests. */
  readonly candidates: readonly TopicCandidate[];
  readonly band: Band;
  /**
   * Probability that the message is outside the city's services (a restaurant tip), from the
   * recognizer's out-of-scope model; absent when the recognizer has none.
   */
  readonly outOfScope?: number;
  /**
   * Topics that other sentences of a long message ask about, strongest first, when the band is
   * `answer` and they differ from the answered topic: the bot answers `candidates[0]` and offers
   * these beside it ("also asked"). Absent when there are none, and from recognizers that do
   * not read sentences apart (CLU, LUIS).
   */
  readonly alsoAsked?: readonly TopicCandidate[];
  /** Which recognizer produced this ("local", "clu", "luis", or "local (clu failed)"). */
  readonly recognizer: string;
}

/** Options the caller may pass: the conversation's language so far helps short messages. */
export interface RecognizeOptions {
  readonly languageHint?: Language;
}

/**
 * The recognizer port. The local recognizer is the default; remote ones (CLU, LUIS) sit
 * behind the same interface and fall back to the local one.
 *
 * @example
 * const recognition = await recognizer.recognize('quanto costa la cie');
 * if (recognition.band === 'answer') answer(recognition.candidates[0]!.topicId);
 */
export interface Recognizer {
  readonly name: string;
  recognize(text: string, options?: RecognizeOptions): Promise<Recognition>;
}

/** Thresholds on calibrated confidence that split answers, disambiguation and fallback. */
export interface BandThresholds {
  /** At or above: answer with the top topic. */
  readonly answer: number;
  /** At or above (and below `answer`): offer the top candidates. Below: fall back. */
  readonly disambiguate: number;
  /** Candidates offered for disambiguation must be at least this confident. */
  readonly candidate: number;
}

export const DEFAULT_BANDS: BandThresholds = { answer: 0.55, disambiguate: 0.3, candidate: 0.15 };

/**
 * Chooses the band for ranked candidates, the same way for every recognizer.
 *
 * @example
 * bandOf([{ topicId: 'imu', confidence: 0.9 }]) // 'answer'
 */
export function bandOf(candidates: readonly TopicCandidate[], thresholds: BandThresholds = DEFAULT_BANDS): Band {
  const top = candidates[0];
  if (!top) return 'fallback';
  if (top.confidence >= thresholds.answer) return 'answer';
  const offered = candidates.filter((c) => c.confidence >= thresholds.candidate);
  if (top.confidence >= thresholds.disambiguate && offered.length >= 1) return 'disambiguate';
  return 'fallback';
}
