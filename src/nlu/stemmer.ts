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
