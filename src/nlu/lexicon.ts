/** Words shorter than this are never spell-corrected, so the lexicon need not hold them. */
export const MIN_LEXICON_WORD = 4;

let lexicon: ReadonlySet<string> | undefined;

/**
 * Every word of a real Italian or English lexicon: the MIT word lists `an-array-of-italian-words`
 * (about 124,000 words, accents already stripped as `normalize` strips them: "citta") and
 * `an-array-of-english-words` (about 275,000). The speller never rewrites one of these words:
 * "smaltimento" is Italian even though no topic uses it, and must stay itself.
 *
 * Loaded once per process on first use and shared by every recognizer (a reload of the knowledge
 * base does not read it again): about 0.3 s and 25 MB of heap, measured in docs/benchmarks.md. Only
 * words of at least four letters are kept, since shorter ones are never corrected. Both lists are
 * lower-case ASCII; an entry with other characters would simply never equal a normalised word.
 *
 * @example
 * wordLexicon().has('smaltimento') // true
 */
export function wordLexicon(): ReadonlySet<string> {
  if (lexicon) return lexicon;
  const words = new Set<string>();
  for (const list of [require('an-array-of-italian-words') as unknown, require('an-array-of-english-words') as unknown]) {
    // A package's data is outside input: check its shape rather than trust it.
    if (!Array.isArray(list)) throw new Error('word lexicon: a word-list package did not export an array');
    for (const word of list) {
      if (typeof word === 'string' && word.length >= MIN_LEXICON_WORD) words.add(word);
    }
  }
  lexicon = words;
  return lexicon;
}
