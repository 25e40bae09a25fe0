import { readFileSync } from 'node:fs';
import { modelCacheFromEnv, type ModelCache } from './model-cache';
import { PackedWordSet } from './packed-word-set';

/** Words shorter than this are never spell-corrected, so the lexicon need not hold them. */
export const MIN_LEXICON_WORD = 4;

/** What the speller asks of a lexicon. */
export interface WordSet {
  has(word: string): boolean;
}

let lexicon: PackedWordSet | undefined;

/**
 * Every word of a real Italian or English lexicon: the MIT word lists `an-array-of-italian-words`
 * (about 124,000 words, accents already stripped as `normalize` strips them: "citta") and
 * `an-array-of-english-words` (about 275,000). The speller never rewrites one of these words:
 * "smaltimento" is Italian even though no topic uses it, and must stay itself.
 *
 * Loaded once per process on first use and shared by every recognizer (a reload of the knowledge
 * base does not read it again), packed into one buffer of about 5 MB outside the heap
 * (src/nlu/packed-word-set.ts; as a `Set` of strings it held 25 MB of heap, measured in
 * docs/benchmarks.md). The lists are read as files rather than `require`d, so that the module
 * cache does not keep their arrays. Only words of at least four letters are kept, since shorter
 * ones are never corrected. Both lists are lower-case ASCII; an entry with other characters is
 * left out, as it could never equal a normalised word. In a test run the packed lexicon is kept in
 * the model cache (src/nlu/model-cache.ts), keyed by the lists' bytes.
 *
 * @example
 * wordLexicon().has('smaltimento') // true
 */
export function wordLexicon(cache: ModelCache | undefined = modelCacheFromEnv()): PackedWordSet {
  if (lexicon) return lexicon;
  const sources = LISTS.map((name) => readFileSync(require.resolve(name)));
  lexicon = cache ? cache.lexicon(sources, () => pack(sources)) : pack(sources);
  return lexicon;
}

const LISTS = ['an-array-of-italian-words', 'an-array-of-english-words'] as const;

function pack(sources: readonly Buffer[]): PackedWordSet {
  const words: string[] = [];
  sources.forEach((source, i) => {
    const list: unknown = JSON.parse(source.toString('utf8'));
    // A package's data is outside input: check its shape rather than trust it.
    if (!Array.isArray(list)) throw new Error(`word lexicon: ${LISTS[i]} does not hold an array`);
    for (const word of list) {
      if (typeof word === 'string' && word.length >= MIN_LEXICON_WORD) words.push(word);
    }
  });
  return PackedWordSet.from(words);
}
