import type { KnowledgeGapRow } from '../storage/ports';
import { addExample, compare } from './rollup-batch';

/** Gap keys at least this similar (Jaccard index of their word sets) are one gap. */
export const GAP_SIMILARITY = 0.5;

/** |A ∩ B| / |A ∪ B| of two word sets; 0 for two empty sets. */
export function jaccard(a: ReadonlySet<string>, b: ReadonlySet<string>): number {
  let common = 0;
  for (const word of a) if (b.has(word)) common += 1;
  const union = a.size + b.size - common;
  return union === 0 ? 0 : common / union;
}

/**
 * Groups knowledge gaps of the same language whose keys are similar: greedy, biggest first;
 * each gap joins the first (biggest) group whose leading key has a Jaccard similarity of at
 * least 0.5 with its own, else leads a new group. Counts add up; examples are the leader's
 * then the others', at most 5 distinct; the group's key is the leader's. Comparing with the
 * leader only (not every member) keeps groups from drifting along chains of small changes.
 * An index from words to groups limits comparisons to groups sharing a word (a similarity
 * of 0.5 needs one).
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
    const words = new Set(gap.key.split(' ').filter(Boolean));
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
