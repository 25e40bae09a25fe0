import type { KnowledgeBase } from '../knowledge/knowledge-base';
import type { Topic } from '../knowledge/topic-schema';
import type { FacetChoice, FacetPicker } from '../nlu/facet-picker';
import { normalize } from '../nlu/normalize';
import { DEFAULT_BANDS, type BandThresholds, type Recognition } from '../nlu/recognizer';

/** The conversation's last answered topic: what a short follow-up ("e per le moto?") refers to. */
export interface AnsweredContext {
  readonly topicId: string;
  readonly facetId: string | null;
  /** The dialog's turn number when it was answered. */
  readonly turn: number;
  /** Epoch milliseconds when it was answered. */
  readonly at: number;
}

/** The prior halves with each message after the next one... */
export const CONTEXT_HALF_LIFE_TURNS = 1;
/** ...and with every ten minutes: a citizen back after lunch starts afresh. */
export const CONTEXT_HALF_LIFE_MS = 10 * 60_000;
/** Below this weight the last topic is forgotten. */
const MIN_WEIGHT = 0.2;
/**
 * Evidence (weight times facet score) from which a message is read as a follow-up. The facet
 * score of one shared discriminating word ("moto", "costa") is about 0.3-0.6.
 */
export const FOLLOW_UP_EVIDENCE = 0.25;

/**
 * A short message opening with a conjunction ("e se poi vendo?", "and for a baby?") says itself
 * that it continues the conversation: its evidence for the last topic counts double against a
 * switch. Only up to this many words.
 */
const MARKED_FOLLOW_UP_WORDS = 8;
const FOLLOW_UP_MARKER = /^(?:e|ed|ma|anche|invece|pero|and|but|also|what about|how about)\b/;

/** A follow-up read in context: the last topic, the facet it asks about, and the evidence. */
export interface FollowUp {
  readonly topic: Topic;
  readonly facet: FacetChoice;
  readonly confidence: number;
}

/**
 * How much the last answered topic still counts: 1 for the message right after the answer,
 * halving with each further message and with every ten minutes.
 */
export function contextWeight(context: AnsweredContext, turn: number, now: number): number {
  const turns = Math.max(0, turn - context.turn - 1);
  const elapsed = Math.max(0, now - context.at);
  return 0.5 ** (turns / CONTEXT_HALF_LIFE_TURNS) * 0.5 ** (elapsed / CONTEXT_HALF_LIFE_MS);
}

/**
 * Reads a message as a follow-up of the last answered topic when its words name one of that
 * topic's facets ("quanto costa?", "e per le moto?") and no other topic is clearly meant. A
 * message that clearly names another topic ("e la tari invece?") is a switch: undefined, and the
 * ordinary recognition answers.
 *
 * @example
 * const followUp = readAsFollowUp(recognition, kb, FacetPicker.of(kb), state.context, turn, Date.now());
 */
export function readAsFollowUp(
  recognition: Recognition,
  kb: KnowledgeBase,
  picker: FacetPicker,
  context: AnsweredContext | undefined,
  turn: number,
  now: number,
  bands: BandThresholds = DEFAULT_BANDS,
): FollowUp | undefined {
  if (!context || recognition.intent !== 'faq') return undefined;
  const weight = contextWeight(context, turn, now);
  if (weight < MIN_WEIGHT) return undefined;
  const topic = kb.get(context.topicId);
  if (!topic) return undefined;
  const facet = picker.pickFor(recognition, topic);
  if (!facet) return undefined;
  const evidence = weight * facet.score;
  if (evidence < FOLLOW_UP_EVIDENCE) return undefined;
  const inContext = recognition.candidates.find((c) => c.topicId === topic.id)?.confidence ?? 0;
  const top = recognition.candidates[0];
  const words = normalize(recognition.text).split(' ').filter(Boolean);
  const marked = words.length <= MARKED_FOLLOW_UP_WORDS && FOLLOW_UP_MARKER.test(words.join(' '));
  // Another topic recognised with confidence, more than the last topic and its facet together: a switch.
  if (top && top.topicId !== topic.id && top.confidence >= bands.answer && top.confidence > inContext + (marked ? 2 : 1) * evidence) return undefined;
  return { topic, facet, confidence: Math.min(1, Math.max(inContext, evidence)) };
}
