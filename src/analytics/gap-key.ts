import { normalize, tokenize } from '../nlu/normalize';
import { STOPWORDS } from '../nlu/stopwords';

/** Redaction placeholders (`[EMAIL]`, `[CODICE_FISCALE]`...) say nothing about the need, and "codice fiscale" would. */
const PLACEHOLDER = /\[[A-Z_]+\]/g;
const STOP: ReadonlySet<string> = new Set([...STOPWORDS.it, ...STOPWORDS.en]);

/**
 * The knowledge-gap key of a (redacted) text: its normalised significant words, unique and
 * sorted, joined by spaces; '' when none is left. Stopwords of both languages go, as in the
 * analyzer, because citizens mix them.
 *
 * @example
 * gapKey("Dove posso lasciare la bici rubata? [PHONE]") // 'bici dove lasciare rubata'
 */
export function gapKey(text: string): string {
  const words = tokenize(normalize(text.replace(PLACEHOLDER, ' '))).filter((w) => !STOP.has(w));
  return [...new Set(words)].sort().join(' ');
}
