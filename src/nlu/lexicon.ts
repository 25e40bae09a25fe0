import { readFileSync } from 'node:fs';
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
 * left out, as it could never equal a normalised word.
 *
 * @example
 * wordLexicon().has('smaltimento') // true
 */
export function wordLexicon(): PackedWordSet {
  if (lexicon) return lexicon;
  const words: string[] = [];
  for (const name of ['an-array-of-italian-words', 'an-array-of-english-words']) {
    const list: unknown = JSON.parse(readFileSync(require.resolve(name), 'utf8'));
    // A package's data is outside input: check its shape rather than trust it.
    if (!Array.isArray(list)) throw new Error(`word lexicon: ${name} does not hold an array`);
    for (const word of list) {
      if (typeof word === 'string' && word.length >= MIN_LEXICON_WORD) words.push(word);
    }
  }
  lexicon = PackedWordSet.from(words);
  return lexicon;
}
