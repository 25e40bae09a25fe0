import Fuse from 'fuse.js';
import type { WordSet } from './lexicon';

const MIN_WORD_LENGTH = 4;
const MAX_CANDIDATES = 24;
const CACHE_LIMIT = 20_000;

/**
 * Corrects misspelt words ("resdienza" -> "residenza") against the knowledge base's own
 * vocabulary, and never rewrites a word of the lexicon (a real Italian or English word the
 * knowledge base does not use, such as "smaltimento", stays itself: rewriting it into the
 * nearest knowledge-base word once turned "smaltimento rifiuti" into a lost identity card). A character-trigram index recalls a few candidate words in constant time per
 * word; fuse.js ranks only those candidates, where its fuzzy scoring pays, so no request
 * scans the whole vocabulary. Results are cached: citizens repeat the same misspellings.
 *
 * @example
 * const speller = new SpellingCorrector(['residenza', 'rinnovo']);
 * speller.correct('resdienza') // 'residenza'
 */
export class SpellingCorrector {
  private readonly known: ReadonlySet<string>;
  private readonly lexicon: WordSet;
  private readonly words: readonly string[];
  private readonly trigrams = new Map<string, number[]>();
  private readonly gramCounts: number[] = [];
  private readonly cache = new Map<string, string | null>();

  /** `lexicon`: real words that are never corrected (src/nlu/lexicon.ts); shared, not copied. */
  constructor(vocabulary: Iterable<string>, lexicon: WordSet = new Set<string>()) {
    this.known = new Set(vocabulary);
    this.lexicon = lexicon;
    this.words = [...this.known].filter((w) => w.length >= MIN_WORD_LENGTH - 1 && !/\d/.test(w));
    this.words.forEach((word, id) => {
      const grams = trigramsOf(word);
      this.gramCounts.push(grams.length);
      for (const gram of grams) {
        const list = this.trigrams.get(gram);
        if (list) list.push(id);
        else this.trigrams.set(gram, [id]);
      }
    });
  }

  has(word: string): boolean {
    return this.known.has(word);
  }

  /** Whether `word` is a real word of the lexicon (known to the knowledge base or not). */
  isLexiconWord(word: string): boolean {
    return this.lexicon.has(word);
  }

  /**
   * The known word closest to `word`; `word` itself when known or a word of the lexicon;
   * undefined when none is close.
   */
  correct(word: string): string | undefined {
    if (this.known.has(word) || this.lexicon.has(word)) return word;
    if (word.length < MIN_WORD_LENGTH || /\d/.test(word)) return undefined;
    const cached = this.cache.get(word);
    if (cached !== undefined) return cached ?? undefined;
    const best = this.search(word);
    if (this.cache.size >= CACHE_LIMIT) this.cache.clear();
    this.cache.set(word, best ?? null);
    return best;
  }

  private search(word: string): string | undefined {
    const grams = trigramsOf(word);
    const shared = new Map<number, number>();
    for (const gram of grams) {
      for (const id of this.trigrams.get(gram) ?? []) shared.set(id, (shared.get(id) ?? 0) + 1);
    }
    const ranked: { candidate: string; dice: number }[] = [];
    for (const [id, count] of shared) {
      const candidate = this.words[id] as string;
      if (Math.abs(candidate.length - word.length) > 2) continue;
      const dice = (2 * count) / (grams.length + (this.gramCounts[id] as number));
      if (dice >= 0.3) ranked.push({ candidate, dice });
    }
    const candidates = ranked
      .sort((a, b) => b.dice - a.dice)
      .slice(0, MAX_CANDIDATES)
      .map((c) => c.candidate);
    if (candidates.length === 0) return undefined;
    // Long words tolerate two slips, short ones one: a stricter threshold for short words keeps
    // "casa" from becoming "cassa".
    const threshold = word.length >= 8 ? 0.34 : word.length >= 6 ? 0.26 : 0.2;
    const fuse = new Fuse(candidates, { includeScore: true, threshold, ignoreLocation: true, isCaseSensitive: true });
    const [top] = fuse.search(word, { limit: 1 });
    return top?.item;
  }
}

function trigramsOf(word: string): string[] {
  const padded = `  ${word} `;
  const grams: string[] = [];
  for (let i = 0; i + 3 <= padded.length; i++) grams.push(padded.slice(i, i + 3));
  return grams;
}
