import { positionWaitSec } from '../staffing/erlang';

/** One operator who takes new conversations now: how many they may hold and how many they hold. */
export interface ServingOperator {
  readonly maxConcurrent: number;
  readonly held: number;
}

/**
 * The share of citizens served within the wait we quote: 4 in 5. A mean would be passed by about
 * 2 citizens in 5 (37 % for one conversation ahead); the wait is quoted to be kept, not hoped for.
 */
export const QUOTED_WAIT_QUANTILE = 0.8;

/**
 * The estimated wait of the citizen at `position` (1 = next), in seconds, or `null` when nobody
 * takes conversations now (no operator available: the wait cannot be estimated, and the citizen
 * is told so instead of "meno di un minuto").
 *
 * The staffing model (src/staffing/erlang.ts, docs/staffing.md), applied to the queue as it is:
 * - slots c = Σ maxConcurrent of the operators who are available (each chat slot is a server of
 *   the Erlang model; busy and away operators take no new conversation, so they are not capacity);
 *   free slots f = Σ max(0, maxConcurrent − held);
 * - the first f citizens in the queue find a free slot now: their wait is the time an operator
 *   takes to claim, counted as 0;
 * - the citizen at position p > f needs k = p − f conversations to end first. With all c slots
 *   busy and handling times of mean h without memory (the model's exponential handling), endings
 *   come at rate c / h, so the wait follows an Erlang distribution of k phases (mean k·h/c).
 *   The quote is its {@link QUOTED_WAIT_QUANTILE} quantile, and citizens ahead who might give up
 *   are not counted: both keep the figure on the safe side.
 *
 * The operators' held conversations beyond their limit (a supervisor may force one more) give no
 * negative free slots. Busy operators still finish their conversations, but their slots do not
 * come back to the queue, so they are left out of c as well.
 *
 * @example
 * // 2 operators of 3 slots holding 4: 2 free; the third citizen waits for 1 of the 6 slots to free.
 * estimateWaitSeconds(3, [{ maxConcurrent: 3, held: 2 }, { maxConcurrent: 3, held: 2 }], 300); // 80 (300/6 · ln 5)
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
  return Math.round(positionWaitSec(ahead, slots, Math.max(0, averageHandleSec), QUOTED_WAIT_QUANTILE));
}
