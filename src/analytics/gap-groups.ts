import { stem } from '../nlu/stemmer';
import type { KnowledgeGapRow } from '../storage/ports';
import { addExample, compare } from './rollup-batch';

/**
 * Gap keys at least this similar (Jaccard index of their word sets) are one gap. Above 0.5, so that
 * two three-word questions differing in their subject ("orari piscina comunale", "orari biblioteca
 * comunale": 2 of 4) stay two gaps, while a word more or less (3 of 4, 2 of 3) still merges.
 */
export const GAP_SIMILARITY = 0.6;

/**
 * True when two stems are one word: equal, or (both of 5 letters or more) one typo apart: a
 * letter added, dropped, changed, or two neighbours swapped ("picsina" for "piscina").
 */
export function sameWord(a: string, b: string): boolean {
  if (a === b) return true;
  if (a.length < 5 || b.length < 5 || Math.abs(a.length - b.length) > 1) return false;
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i += 1;
  const restA = a.slice(i);
  const restB = b.slice(i);
  if (restA.slice(1) === restB.slice(1) || restA.slice(1) === restB || restA === restB.slice(1)) return true;
  return restA.length >= 2 && restA[0] === restB[1] && restA[1] === restB[0] && restA.slice(2) === restB.slice(2);
}

/**
 * |A ∩ B| / |A ∪ B| of two word sets, where a word of A counts as common when B has the same
 * word ({@link sameWord}: a typo apart counts); 0 for two empty sets.
 */
export function jaccard(a: ReadonlySet<string>, b: ReadonlySet<string>): number {
  let common = 0;
  for (const word of a) if (b.has(word) || [...b].some((other) => sameWord(word, other))) common += 1;
  const union = a.size + b.size - common;
  return union === 0 ? 0 : common / union;
}

/** The stems of a gap key's words: "orari piscine comunali" and "orario piscina comunale" are the same words. */
function stems(key: string, language: string): Set<string> {
  const lang = language === 'en' ? 'en' : 'it';
  return new Set(key.split(' ').filter(Boolean).map((w) => stem(w, lang)));
}

/**
 * Groups knowledge gaps of the same language whose keys are similar: greedy, biggest first;
 * each gap joins the first (biggest) group whose leading key has a Jaccard similarity of at
 * least 0.6 with its own (on the words' stems, a typo apart counting as the same word), else
 * leads a new group. Counts add up; examples are the leader's
 * then the others', at most 5 distinct; the group's key is the leader's. Comparing with the
 * leader only (not every member) keeps groups from drifting along chains of small changes.
 * An index from stems to groups limits comparisons to groups sharing a stem (a similarity of
 * 0.6 needs one unless every word has a typo, which is not near-identical any more).
 *
 * @example
 * groupGaps([{ language: 'it', key: 'bici rubata', count: 3, examples: ['bici rubata?'] },
 *            { language: 'it', key: 'bici dove rubata', count: 1, examples: ['dove la bici rubata'] }])
 * // [{ language: 'it', key: 'bici rubata', count: 4, examples: ['bici rubata?', 'dove la bici rubata'] }]
 */
export function groupGaps(gaps: readonly KnowledgeGapRow[]): KnowledgeGapRow[] {
  const ordered = [...gaps].sort((a, b) => b.count - a.count || compare(a.language, b.language) || compare(a.key, b.key));
  const groups: { language: string; key: string; words: Set<string>; count: number; examples: string[] }[] = [];
  const byWord = new Map<string, number[]>();
  for (const gap of ordered) {
    const words = stems(gap.key, gap.language);
    const candidates = new Set<number>();
    for (const word of words) for (const index of byWord.get(`${gap.language}\u0000${word}`) ?? []) candidates.add(index);
    const match = [...candidates].sort((a, b) => a - b).find((index) => {
      const group = groups[index];
      return group !== undefined && jaccard(group.words, words) >= GAP_SIMILARITY;
    });
    const group = match === undefined ? undefined : groups[match];
    if (group) {
      group.count += gap.count;
      for (const example of gap.examples) addExample(group.examples, example);
      continue;
    }
    const index = groups.length;
    const created = { language: gap.language, key: gap.key, words, count: gap.count, examples: [] as string[] };
    for (const example of gap.examples) addExample(created.examples, example);
    groups.push(created);
    for (const word of words) {
      const id = `${gap.language}\u0000${word}`;
      const list = byWord.get(id);
      if (list) list.push(index);
      else byWord.set(id, [index]);
    }
  }
  return groups
    .map(({ language, key, count, examples }) => ({ language, key, count, examples }))
    .sort((a, b) => b.count - a.count || compare(a.language, b.language) || compare(a.key, b.key));
}
