import { newStemmer, type Stemmer } from 'snowball-stemmers';
import type { Language } from '../knowledge/topic-schema';

// Snowball's Italian and English algorithms (the reference stemmers for both languages),
// from the snowball-stemmers package rather than a hand port.
const stemmers: Record<Language, Stemmer> = { it: newStemmer('italian'), en: newStemmer('english') };
const caches: Record<Language, Map<string, string>> = { it: new Map(), en: new Map() };
const CACHE_LIMIT = 50_000;

/**
 * Stems one normalised word (no accents, lower case) with the language's Snowball stemmer.
 * Numbers and one-letter words pass unchanged.
 *
 * @example
 * stem('rinnovare', 'it') // 'rinnov'
 */
export function stem(word: string, language: Language): string {
  if (word.length < 3 || /^\d+$/.test(word)) return word;
  const cache = caches[language];
  const hit = cache.get(word);
  if (hit !== undefined) return hit;
  const result = stemmers[language].stem(word);
  if (cache.size >= CACHE_LIMIT) cache.clear();
  cache.set(word, result);
  return result;
}

/** The stems worked out in this process so far, by language: what a test run's model cache keeps (model-cache.ts). */
export function knownStems(): Record<Language, Record<string, string>> {
  return { it: Object.fromEntries(caches.it), en: Object.fromEntries(caches.en) };
}

/** How many stems this process knows, in both languages. */
export function knownStemCount(): number {
  return caches.it.size + caches.en.size;
}

/**
 * Takes stems another process of the same run worked out with the same stemmer (a test run's
 * model cache), as if this one had: every test file builds the recognizer in a fresh module
 * registry, where Snowball's generated code runs cold, and stemming the knowledge base's 6,000
 * words was most of a build there. Entries that are not two strings are ignored.
 */
export function learnStems(stems: unknown): void {
  if (typeof stems !== 'object' || stems === null) return;
  for (const language of ['it', 'en'] as const) {
    const known = (stems as Record<string, unknown>)[language];
    if (typeof known !== 'object' || known === null) continue;
    const cache = caches[language];
    for (const [word, stemmed] of Object.entries(known)) {
      if (cache.size >= CACHE_LIMIT) break;
      if (typeof stemmed === 'string') cache.set(word, stemmed);
    }
  }
}
