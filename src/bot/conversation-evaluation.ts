import { z } from 'zod';
import { parseJsonLines } from '../nlu/evaluation';
import type { DialogoData } from './dialogo-data';

/** Characters a phone shows of an answer before the citizen scrolls: the fact must be there. */
export const FIRST_SCREEN_CHARS = 240;

const turnSchema = z
  .object({
    text: z.string().min(1),
    /** A topic or referral id, `none` (no answer expected) or `handoff`. */
    expected: z.string().min(1),
    /** The facet that must answer; `overview` for the topic's general answer. */
    facet: z.string().min(1).optional(),
    /** Words the first 240 characters of the reply must contain (case and accents aside). */
    fact: z.string().min(1).optional(),
  })
  .strict();

/** One conversation of the evaluation file: turns in order, each with what the citizen must get. */
export const conversationSchema = z.object({ id: z.string().min(1), turns: z.array(turnSchema).min(1) }).strict();
export type EvaluationConversation = z.infer<typeof conversationSchema>;
export type EvaluationTurn = z.infer<typeof turnSchema>;

/** What the bot replied to one turn: its last message's text and `channelData.dialogo`. */
export interface TurnReply {
  readonly text: string;
  readonly data: DialogoData | undefined;
}

/** The verdict on one turn. */
export interface TurnResult {
  readonly conversation: string;
  readonly turn: number;
  readonly text: string;
  readonly topicRight: boolean;
  /** Undefined when the turn names no facet. */
  readonly facetRight?: boolean;
  /** Undefined when the turn names no fact. */
  readonly factOnFirstScreen?: boolean;
  readonly got: string;
}

/** The summary line of `npm run eval:conversations`. */
export interface ConversationSummary {
  readonly conversations: number;
  readonly turns: number;
  readonly topicAccuracy: number | null;
  /** Turns after the first of their conversation: follow-ups, switches and the rest. */
  readonly laterTurnAccuracy: number | null;
  readonly facetTurns: number;
  /** Null when no turn names a facet (as every ratio without turns to count). */
  readonly facetAccuracy: number | null;
  readonly factTurns: number;
  /** Share of turns naming a fact whose reply carries it in its first 240 characters. */
  readonly factOnFirstScreen: number | null;
}

/** Parses the JSON-lines evaluation file: one conversation per line. Throws naming the first bad line. */
export function parseConversations(text: string): EvaluationConversation[] {
  return parseJsonLines(text, conversationSchema);
}

function folded(text: string): string {
  return text.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();
}

/** Judges one reply against its turn's expectations. */
export function judgeTurn(conversation: string, turn: number, expected: EvaluationTurn, reply: TurnReply): TurnResult {
  const data = reply.data;
  const answeredId = data && (data.outcome === 'answered' || data.outcome === 'referral') ? data.topicId : null;
  const topicRight =
    expected.expected === 'none'
      ? answeredId === null && data?.outcome !== 'handoff'
      : expected.expected === 'handoff'
        ? data?.outcome === 'handoff'
        : answeredId === expected.expected;
  const gotFacet = data?.facetId === undefined || data.facetId === null ? 'overview' : data.facetId;
  const got = `${data?.outcome ?? 'nothing'}${answeredId ? ` ${answeredId}` : ''}${answeredId && data?.facetId !== undefined ? `/${gotFacet}` : ''}`;
  return {
    conversation,
    turn,
    text: expected.text,
    topicRight,
    ...(expected.facet === undefined ? {} : { facetRight: topicRight && gotFacet === expected.facet }),
    ...(expected.fact === undefined ? {} : { factOnFirstScreen: folded(reply.text.slice(0, FIRST_SCREEN_CHARS)).includes(folded(expected.fact)) }),
    got,
  };
}

/** The summary over every judged turn. */
export function summarizeConversations(results: readonly TurnResult[]): ConversationSummary {
  const ratio = (n: number, d: number) => (d === 0 ? null : Math.round((n / d) * 1000) / 1000);
  const later = results.filter((r) => r.turn > 1);
  const facets = results.filter((r) => r.facetRight !== undefined);
  const facts = results.filter((r) => r.factOnFirstScreen !== undefined);
  return {
    conversations: new Set(results.map((r) => r.conversation)).size,
    turns: results.length,
    topicAccuracy: ratio(results.filter((r) => r.topicRight).length, results.length),
    laterTurnAccuracy: ratio(later.filter((r) => r.topicRight).length, later.length),
    facetTurns: facets.length,
    facetAccuracy: ratio(facets.filter((r) => r.facetRight).length, facets.length),
    factTurns: facts.length,
    factOnFirstScreen: ratio(facts.filter((r) => r.factOnFirstScreen).length, facts.length),
  };
}
