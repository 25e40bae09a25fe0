import type { TopicCandidate } from './recognizer';

/** Sentences read one by one at most; the rest of a very long message is read only as a whole. */
export const MAX_SENTENCES = 8;

/**
 * Splits a message as written (before normalisation removes punctuation) into sentences: at
 * ".", "!", "?", ";" or "…" followed by a space or the end, and at line breaks. A dot inside a
 * number or an abbreviation followed by no space ("22.20", "S.p.A.") does not split.
 *
 * @example
 * splitSentences('Buongiorno. Ho perso la carta, come faccio? Grazie') // ['Buongiorno.', 'Ho perso la carta, come faccio?', 'Grazie']
 */
export function splitSentences(text: string): string[] {
  return text
    .split(/(?<=[.!?;…])\s+|\n+/u)
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

/** One reading of a message (the whole, or one sentence) and its ranked candidates. */
export interface Reading {
  readonly candidates: readonly TopicCandidate[];
}

/**
 * Of the readings of a long message, the strongest (highest top confidence; the whole message
 * wins ties, so a short message reads as before), and the topics other sentences ask about with
 * at least `offerFrom` confidence, strongest first, leaving out the answered topic: what the bot
 * answers, and what it offers beside the answer.
 *
 * @example
 * strongestReading(whole, [first, second], 0.3) // { best: first, alsoAsked: [{ topicId: 'tari-pagamento', ... }] }
 */
export function strongestReading<R extends Reading>(whole: R, sentences: readonly R[], offerFrom: number): { best: R; alsoAsked: TopicCandidate[] } {
  const top = (r: Reading) => r.candidates[0]?.confidence ?? 0;
  let best = whole;
  for (const reading of sentences) if (top(reading) > top(best)) best = reading;
  const answered = best.candidates[0]?.topicId;
  const alsoAsked = new Map<string, TopicCandidate>();
  for (const reading of sentences) {
    const first = reading.candidates[0];
    if (reading === best || !first || first.topicId === answered || first.confidence < offerFrom) continue;
    const seen = alsoAsked.get(first.topicId);
    if (!seen || seen.confidence < first.confidence) alsoAsked.set(first.topicId, first);
  }
  return { best, alsoAsked: [...alsoAsked.values()].sort((a, b) => b.confidence - a.confidence) };
}
