/**
 * Puts `item`, of value `value`, among `best` (best first, at most `k` items): after every item at
 * least as high, so that ties keep the order the items came in, as a stable sort would; the lowest
 * falls out when `best` is full. Without sorting again for each item, since a sort allocates a
 * scratch array each time and the recognizer does this for every topic and label a question touches.
 *
 * @example
 * const best: number[] = [];
 * for (const x of [3, 9, 3, 5]) keepBest(best, x, x, 2, (y) => y);
 * // best: [9, 5]
 */
export function keepBest<T>(best: T[], item: T, value: number, k: number, valueOf: (item: T) => number): void {
  if (k <= 0) return;
  if (best.length >= k) {
    if (!(value > valueOf(best[k - 1] as T))) return;
    best.length = k - 1;
  }
  let at = best.length;
  while (at > 0 && valueOf(best[at - 1] as T) < value) at--;
  best.push(item);
  for (let j = best.length - 1; j > at; j--) best[j] = best[j - 1] as T;
  best[at] = item;
}
