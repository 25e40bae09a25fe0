/**
 * Text normalisation shared by indexing and recognition, so both sides see the same words.
 *
 * Lower-cases, folds accents ("identità" -> "identita"), splits elisions ("dell'anagrafe" ->
 * "dell anagrafe"), turns punctuation into spaces and keeps digits ("020202", "22,20" -> "22 20").
 *
 * @example
 * normalize("Com'è la TARI dell'anno?") // "com e la tari dell anno"
 * normalize("C'è l'Area C?") // "e area c"
 */
export function normalize(text: string): string {
  // A turn normalises the same text many times (recognizer, facet picker, follow-ups, buttons): the
  // last few results are kept. Few, so that it saves the repeats within a turn, not a cache of
  // citizens' questions across turns (a benchmark that repeats its questions would then flatter it).
  const known = recent.get(text);
  if (known !== undefined) return known;
  const normalized = normalizeNow(text);
  if (text.length > RECENT_MAX_LENGTH) return normalized;
  if (recent.size >= RECENT_LIMIT) recent.delete(recent.keys().next().value as string);
  recent.set(text, normalized);
  return normalized;
}

const RECENT_LIMIT = 16;
/** Longer texts (a long message, a page of the knowledge base) are not kept. */
const RECENT_MAX_LENGTH = 2_000;
const recent = new Map<string, string>();

function normalizeNow(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .replace(/<[^>]*>/g, ' ')
    // Elided one-letter words ("c'è", "d'identità", "l'anagrafe") go, so that a letter that
    // remains is a real one, as in "area c" or "area b".
    .replace(/(^|[^\p{L}])[cdlmnstv]\s*['’‘`´](?=\s*\p{L})/gu, '$1 ')
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .replace(/(\p{L})(\p{N})/gu, '$1 $2')
    .replace(/(\p{N})(\p{L})/gu, '$1 $2')
    .trim()
    .replace(/\s+/g, ' ');
}

/**
 * Splits normalised text into tokens.
 *
 * @example
 * tokenize('carta d identita') // ['carta', 'd', 'identita']
 */
export function tokenize(normalized: string): string[] {
  return normalized.length === 0 ? [] : normalized.split(' ');
}
