import type { Language } from '../knowledge/topic-schema';
import { LANGUAGE_MARKERS } from './stopwords';

/** A detected language with how sure the detector is (0 when it fell back to the default). */
export interface LanguageGuess {
  readonly language: Language;
  readonly confidence: number;
}

/**
 * Tells Italian from English. Function words decide; when a text has none (bare keywords
 * such as "tari scadenza" or "area c price"), the words known from each language's sample
 * questions decide; with no evidence at all, Italian, the city's default.
 *
 * @example
 * const detect = new LanguageDetector(vocabulary);
 * detect.detect(['how', 'much', 'is', 'area', 'c']) // { language: 'en', confidence: 1 }
 */
export class LanguageDetector {
  constructor(private readonly vocabulary: Readonly<Record<Language, ReadonlySet<string>>>) {}

  detect(words: readonly string[]): LanguageGuess {
    let it = 0;
    let en = 0;
    for (const word of words) {
      if (LANGUAGE_MARKERS.it.has(word)) it += 1;
      if (LANGUAGE_MARKERS.en.has(word)) en += 1;
    }
    // Words known from one language's sample questions only count too: a question with one
    // English-looking word ("rinnovo cie on line") stays Italian.
    for (const word of words) {
      const inIt = this.vocabulary.it.has(word);
      const inEn = this.vocabulary.en.has(word);
      if (inIt && !inEn) it += 0.5;
      if (inEn && !inIt) en += 0.5;
    }
    if (it === en) return { language: 'it', confidence: 0 };
    const language: Language = en > it ? 'en' : 'it';
    return { language, confidence: Math.abs(en - it) / (en + it) };
  }
}
