import type { Language, Synonyms } from '../knowledge/topic-schema';
import { normalize, tokenize } from './normalize';
import { stem } from './stemmer';
import { STOPWORDS } from './stopwords';

/** Prefix of the terms that stand for a synonym group: never produced by normalisation. */
const CONCEPT_PREFIX = '§';
const MAX_PHRASE_TOKENS = 8;

interface TrieNode {
  concept?: string;
  children: Map<string, TrieNode>;
}

/**
 * Turns text into the terms the index and the classifier compare: normalised, without
 * stopwords, stemmed, with every synonym phrase replaced by its group's concept term.
 * Built once per knowledge base; analysing is a few hash look-ups per word.
 *
 * @example
 * const analyzer = new Analyzer(kb.synonyms);
 * analyzer.terms("Quanto costa la carta d'identità?", 'it') // ['quant', '§0', '§53']
 */
export class Analyzer {
  private readonly trie: TrieNode = { children: new Map() };
  private readonly stop: ReadonlySet<string>;

  constructor(synonyms: Synonyms) {
    this.stop = new Set([...STOPWORDS.it, ...STOPWORDS.en]);
    synonyms.groups.forEach((group, index) => {
      const concept = `${CONCEPT_PREFIX}${index}`;
      for (const phrase of group) {
        for (const language of ['it', 'en'] as const) this.addPhrase(this.stems(tokenize(normalize(phrase)), language), concept);
      }
    });
  }

  /** Normalised words of a text, stopwords included (what typo correction looks at). */
  words(text: string): string[] {
    return tokenize(normalize(text));
  }

  /** Whether a normalised word is a stopword in either language. */
  isStopword(word: string): boolean {
    return this.stop.has(word);
  }

  /** Terms of a text already split into normalised words. */
  termsOfWords(words: readonly string[], language: Language): string[] {
    return this.replacePhrases(this.stems(words, language));
  }

  /** Terms of a raw text. */
  terms(text: string, language: Language): string[] {
    return this.termsOfWords(this.words(text), language);
  }

  private stems(words: readonly string[], language: Language): string[] {
    const out: string[] = [];
    for (const word of words) {
      if (this.stop.has(word)) continue;
      out.push(stem(word, language));
    }
    return out;
  }

  private addPhrase(stems: readonly string[], concept: string): void {
    if (stems.length === 0 || stems.length > MAX_PHRASE_TOKENS) return;
    let node = this.trie;
    for (const s of stems) {
      let next = node.children.get(s);
      if (!next) {
        next = { children: new Map() };
        node.children.set(s, next);
      }
      node = next;
    }
    // The first group that claims a phrase keeps it, so editors control precedence by order.
    node.concept ??= concept;
  }

  /** Greedy longest match of synonym phrases over the stem sequence. */
  private replacePhrases(stems: readonly string[]): string[] {
    const out: string[] = [];
    let i = 0;
    while (i < stems.length) {
      let node: TrieNode | undefined = this.trie;
      let matchEnd = -1;
      let matchConcept: string | undefined;
      for (let j = i; j < stems.length && node; j++) {
        node = node.children.get(stems[j] as string);
        if (node?.concept) {
          matchEnd = j;
          matchConcept = node.concept;
        }
      }
      if (matchConcept !== undefined) {
        out.push(matchConcept);
        i = matchEnd + 1;
      } else {
        out.push(stems[i] as string);
        i += 1;
      }
    }
    return out;
  }
}

/** Whether a term stands for a synonym group rather than a single word. */
export function isConcept(term: string): boolean {
  return term.startsWith(CONCEPT_PREFIX);
}
