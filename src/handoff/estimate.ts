/** One operator who takes new conversations now: how many they may hold and how many they hold. */
export interface ServingOperator {
  readonly maxConcurrent: number;
  readonly held: number;
}

/**
 * The estimated wait of the citizen at `position` (1 = next), in seconds, or `null` when nobody
 * takes conversations now (no operator available: the wait cannot be estimated, and the citizen
 * is told so instead of "meno di un minuto").
 *
 * The model, M/M/c-like, with the available operators' slots as the c servers:
 * - slots c = Σ maxConcurrent of the operators who are available (busy and away ones take no new
 *   conversation, so they are not capacity); free slots f = Σ max(0, maxConcurrent − held);
 * - the first f citizens in the queue find a free slot now: their wait is the time an operator
 *   takes to claim, counted as 0;
 * - the citizen at position p > f needs k = p − f conversations to end first. Once the free
 *   slots are filled all c slots are busy, and with handling times of mean h (the recent average)
 *   and no memory, one of c busy slots frees every h / c on average, so the wait is k × h / c.
 *
 * The operators' held conversations beyond their limit (a supervisor may force one more) give no
 * negative free slots. Busy operators still finish their conversations, but their slots do not
 * come back to the queue, so they are left out of c as well.
 *
 * @example
 * // 2 operators of 3 slots holding 4: 2 free, so the third citizen waits for 1 of the 6 slots: 300 / 6.
 * estimateWaitSeconds(3, [{ maxConcurrent: 3, held: 2 }, { maxConcurrent: 3, held: 2 }], 300); // 50
 * estimateWaitSeconds(1, [], 300); // null
 */
export function estimateWaitSeconds(position: number, serving: readonly ServingOperator[], averageHandleSec: number): number | null {
  let slots = 0;
  let free = 0;
  for (const operator of serving) {
    const max = Math.max(0, Math.floor(operator.maxConcurrent));
    slots += max;
    free += Math.max(0, max - Math.max(0, operator.held));
  }
  if (slots === 0) return null;
  const ahead = Math.max(0, Math.ceil(position) - free);
  return Math.round((ahead * Math.max(0, averageHandleSec)) / slots);
}
