/**
 * Bounded concurrency towards the Send API without head-of-line blocking between citizens.
 * Each key (a citizen's PSID) has a lane: its calls run one at a time, in the order they were
 * made, so a citizen's messages arrive in order even when their callers do not wait for each
 * other. Across lanes at most `limit` attempts hold a slot at once; slots are handed out first
 * come, first served, and since a lane asks for one slot at a time, a slow citizen (a call the
 * Graph API holds, a retry) holds at most one slot and never delays another citizen's call.
 * A lane waiting out a retry's backoff holds no slot.
 *
 * @example
 * const lanes = new SendLanes(32);
 * await lanes.inLane(psid, () => lanes.slot(() => post(body)));
 */
export class SendLanes {
  private active = 0;
  private readonly waiting: (() => void)[] = [];
  private readonly lanes = new Map<string, { tail: Promise<void>; queued: number }>();

  constructor(readonly limit: number) {
    if (!Number.isInteger(limit) || limit < 1) throw new Error(`SendLanes needs a limit of at least 1, not ${limit}`);
  }

  /** Runs `call` after every call made earlier in `key`'s lane has settled; resolves or rejects as `call` does. */
  inLane<T>(key: string, call: () => Promise<T>): Promise<T> {
    let lane = this.lanes.get(key);
    if (!lane) {
      lane = { tail: Promise.resolve(), queued: 0 };
      this.lanes.set(key, lane);
    }
    const own = lane;
    own.queued += 1;
    const result = own.tail.then(call);
    own.tail = result.then(
      () => this.leave(key, own),
      () => this.leave(key, own),
    );
    return result;
  }

  /** Calls waiting or running in `key`'s lane, the running one included. */
  queued(key: string): number {
    return this.lanes.get(key)?.queued ?? 0;
  }

  /** Attempts holding a slot now. */
  inFlight(): number {
    return this.active;
  }

  /** Runs `attempt` once one of the `limit` slots is free, and frees it when `attempt` settles. */
  async slot<T>(attempt: () => Promise<T>): Promise<T> {
    if (this.active < this.limit) this.active += 1;
    else await new Promise<void>((resolve) => this.waiting.push(resolve));
    try {
      return await attempt();
    } finally {
      // The slot passes straight to the next waiter, so `active` never drops below what runs.
      const next = this.waiting.shift();
      if (next) next();
      else this.active -= 1;
    }
  }

  private leave(key: string, lane: { queued: number }): void {
    lane.queued -= 1;
    if (lane.queued === 0 && this.lanes.get(key) === lane) this.lanes.delete(key);
  }
}
