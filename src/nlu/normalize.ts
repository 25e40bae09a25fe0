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
  // last few results are kept, until the event loop moves on. So it saves the repeats within a
  // turn, and is no cache of citizens' messages: what they wrote, personal data included, is not
  // held here past the turn that read it, where no erasure could reach it (and a benchmark that
  // repeats its questions is not flattered).
  const known = recent.get(text);
  if (known !== undefined) return known;
  const normalized = normalizeNow(text);
  if (text.length > RECENT_MAX_LENGTH) return normalized;
  if (recent.size >= RECENT_LIMIT) recent.delete(recent.keys().next().value as string);
  recent.set(text, normalized);
  if (!forgetting) {
    forgetting = setImmediate(forgetRecent);
    forgetting.unref();
  }
  return normalized;
}

const RECENT_LIMIT = 16;
/** Longer texts (a long message, a page of the knowledge base) are not kept. */
const RECENT_MAX_LENGTH = 2_000;
const recent = new Map<string, string>();
let forgetting: NodeJS.Immediate | undefined;

function forgetRecent(): void {
  recent.clear();
  forgetting = undefined;
}

/** How many texts {@link normalize} holds right now (none once the event loop has moved on): for tests. */
export function heldNormalizations(): number {
  return recent.size;
}

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
