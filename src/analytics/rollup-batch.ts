import { GAP_EXAMPLES, type KnowledgeGapRow, type RollupBatch, type RollupKey } from '../storage/ports';

/** A `YYYY-MM-DD` day. */
export const DAY_PATTERN = /^\d{4}-\d{2}-\d{2}$/;
/** Counter names become MongoDB field names and SQLite values: nothing that could be a path or an operator. */
const COUNTER_NAME = /^[A-Za-z][A-Za-z0-9_]{0,63}$/;
/** Longest example text kept: an example illustrates, it is not an archive. */
export const EXAMPLE_MAX_CHARS = 300;

/** A batch's increments merged by key, and its gaps merged by day, language and key. */
export interface MergedBatch {
  readonly increments: { key: RollupKey; id: string; counters: Record<string, number> }[];
  readonly gaps: { day: string; language: string; key: string; id: string; count: number; examples: string[] }[];
}

/** A stable text id of a rollup key (the MongoDB `_id`, and the merge key). */
export function rollupKeyId(key: RollupKey): string {
  return JSON.stringify([key.day, key.channel, key.language, key.topicId ?? '']);
}

/** A stable text id of a day's knowledge gap. */
export function gapId(day: string, language: string, key: string): string {
  return JSON.stringify([day, language, key]);
}

function checkDay(day: string, where: string): void {
  if (!DAY_PATTERN.test(day)) throw new Error(`invalid rollup batch (${where}): day must be YYYY-MM-DD, got "${day}"`);
}

/**
 * Checks a batch (the port's boundary: a bad batch changes nothing) and merges it, so that a
 * store writes each key once. Counters of 0 are dropped: a counter exists once it counted.
 *
 * @example
 * mergeBatch({ increments: [{ key, counters: { turns: 1 } }, { key, counters: { turns: 2 } }], gaps: [] })
 * // { increments: [{ key, id, counters: { turns: 3 } }], gaps: [] }
 */
export function mergeBatch(batch: RollupBatch): MergedBatch {
  const increments = new Map<string, { key: RollupKey; id: string; counters: Record<string, number> }>();
  batch.increments.forEach((inc, index) => {
    const where = `increments[${index}]`;
    checkDay(inc.key.day, where);
    if (!inc.key.channel || !inc.key.language) throw new Error(`invalid rollup batch (${where}): channel and language must not be empty`);
    if (inc.key.topicId === '') throw new Error(`invalid rollup batch (${where}): topicId must be null or not empty`);
    const id = rollupKeyId(inc.key);
    let merged = increments.get(id);
    for (const [name, value] of Object.entries(inc.counters)) {
      if (!COUNTER_NAME.test(name)) throw new Error(`invalid rollup batch (${where}): counter name "${name}" must be letters, digits and _, starting with a letter`);
      if (typeof value !== 'number' || !Number.isFinite(value)) throw new Error(`invalid rollup batch (${where}): counter "${name}" must be a finite number`);
      if (value === 0) continue;
      if (!merged) {
        merged = { key: { day: inc.key.day, channel: inc.key.channel, language: inc.key.language, topicId: inc.key.topicId }, id, counters: {} };
        increments.set(id, merged);
      }
      merged.counters[name] = (merged.counters[name] ?? 0) + value;
    }
  });
  const gaps = new Map<string, MergedBatch['gaps'][number]>();
  batch.gaps.forEach((gap, index) => {
    const where = `gaps[${index}]`;
    checkDay(gap.day, where);
    if (!gap.language || !gap.key) throw new Error(`invalid rollup batch (${where}): language and key must not be empty`);
    const id = gapId(gap.day, gap.language, gap.key);
    let merged = gaps.get(id);
    if (!merged) {
      merged = { day: gap.day, language: gap.language, key: gap.key, id, count: 0, examples: [] };
      gaps.set(id, merged);
    }
    merged.count += 1;
    addExample(merged.examples, gap.example.slice(0, EXAMPLE_MAX_CHARS));
  });
  return { increments: [...increments.values()], gaps: [...gaps.values()] };
}

/** Adds an example unless it is already there or there are enough. */
export function addExample(examples: string[], example: string): void {
  if (example && examples.length < GAP_EXAMPLES && !examples.includes(example)) examples.push(example);
}

/** Sums per-day gap rows (in day order) into one row per language and key, most frequent first. */
export function sumGapDays(days: readonly { language: string; key: string; count: number; examples: readonly string[] }[]): KnowledgeGapRow[] {
  const byKey = new Map<string, { language: string; key: string; count: number; examples: string[] }>();
  for (const day of days) {
    const id = JSON.stringify([day.language, day.key]);
    let row = byKey.get(id);
    if (!row) {
      row = { language: day.language, key: day.key, count: 0, examples: [] };
      byKey.set(id, row);
    }
    row.count += day.count;
    for (const example of day.examples) addExample(row.examples, example);
  }
  return [...byKey.values()].sort((a, b) => b.count - a.count || compare(a.language, b.language) || compare(a.key, b.key));
}

/** Code-point order, the same in every locale and in both stores' sorts. */
export function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Sorts rollup rows by day, channel, language, topic (no topic first). */
export function compareKeys(a: RollupKey, b: RollupKey): number {
  return compare(a.day, b.day) || compare(a.channel, b.channel) || compare(a.language, b.language) || compare(a.topicId ?? '', b.topicId ?? '');
}
