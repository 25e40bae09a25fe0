/**
 * A sliding-window counter per key: at most `limit` events in any `windowMs`. Keeps only the
 * timestamps inside the window, and forgets keys that fall silent, so memory stays bounded by
 * the traffic of the last window.
 *
 * @example
 * const limiter = new RateLimiter(60, 60_000);
 * if (!limiter.allow('conv1:dl_user')) res.send(429, ...);
 */
export class RateLimiter {
  private readonly hits = new Map<string, number[]>();
  private lastSweep = 0;

  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Counts one event for `key`; false (and not counted) when the key is over its limit. */
  allow(key: string): boolean {
    const now = this.now();
    this.sweep(now);
    const recent = (this.hits.get(key) ?? []).filter((t) => now - t < this.windowMs);
    if (recent.length >= this.limit) {
      this.hits.set(key, recent);
      return false;
    }
    recent.push(now);
    this.hits.set(key, recent);
    return true;
  }

  /** Seconds until `key` may send again (at least 1), for the `Retry-After` header. */
  retryAfterSeconds(key: string): number {
    const oldest = this.hits.get(key)?.[0];
    if (oldest === undefined) return 1;
    return Math.max(1, Math.ceil((oldest + this.windowMs - this.now()) / 1000));
  }

  private sweep(now: number): void {
    if (now - this.lastSweep < this.windowMs) return;
    this.lastSweep = now;
    for (const [key, times] of this.hits) {
      if (times.every((t) => now - t >= this.windowMs)) this.hits.delete(key);
    }
  }
}
