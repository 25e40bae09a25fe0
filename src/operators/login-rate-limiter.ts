/**
 * Slows down password guessing on the operator console: at most `maxPerUser` failed logins
 * per username and `maxPerIp` per client address within a sliding window. A successful login
 * clears its username's failures (not its address's: one valid account must not unlock
 * guessing the others from the same address). Memory is bounded: each map keeps at most
 * `maxKeys` keys, dropping the least recently failed first.
 */

export interface LoginRateLimiterOptions {
  /** Failures allowed per username within the window (5). */
  readonly maxPerUser?: number;
  /** Failures allowed per client IP within the window (20). */
  readonly maxPerIp?: number;
  /** The sliding window (15 minutes). */
  readonly windowMs?: number;
  /** Usernames and addresses remembered at most, each (10,000). */
  readonly maxKeys?: number;
  /** Milliseconds since the epoch; injectable for tests. */
  readonly now?: () => number;
}

/** The answer of {@link LoginRateLimiter.check}. */
export type LoginRateDecision =
  | { readonly allowed: true }
  | { readonly allowed: false; readonly limitedBy: 'username' | 'ip'; readonly retryAfterMs: number };

const DEFAULTS = { maxPerUser: 5, maxPerIp: 20, windowMs: 15 * 60 * 1000, maxKeys: 10_000 } as const;

class FailureLog {
  /** Failure times per key, oldest first; Map order is the order keys last failed. */
  private readonly failures = new Map<string, number[]>();
  constructor(
    private readonly max: number,
    private readonly windowMs: number,
    private readonly maxKeys: number,
  ) {}

  private recent(key: string, now: number): number[] {
    const times = (this.failures.get(key) ?? []).filter((t) => t > now - this.windowMs);
    if (times.length === 0) this.failures.delete(key);
    else this.failures.set(key, times);
    return times;
  }

  /** Milliseconds until the key may try again; 0 when it may now. */
  blockedFor(key: string, now: number): number {
    const times = this.recent(key, now);
    if (times.length < this.max) return 0;
    return times[times.length - this.max]! + this.windowMs - now;
  }

  add(key: string, now: number): void {
    const times = this.recent(key, now);
    this.failures.delete(key);
    // Only the newest `max` failures decide when the key is free again.
    this.failures.set(key, [...times, now].slice(-this.max));
    while (this.failures.size > this.maxKeys) {
      const oldest = this.failures.keys().next().value;
      if (oldest === undefined) break;
      this.failures.delete(oldest);
    }
  }

  clear(key: string): void {
    this.failures.delete(key);
  }
}

/**
 * Per-username and per-IP limits on failed operator logins.
 *
 * @example
 * const limiter = new LoginRateLimiter();
 * const decision = limiter.check('giulia.rossi', '203.0.113.7');
 * if (!decision.allowed) return reply(429, { retryAfterMs: decision.retryAfterMs });
 * const account = await accounts.authenticate(name, password);
 * if (account) limiter.recordSuccess(name);
 * else limiter.recordFailure(name, ip);
 */
export class LoginRateLimiter {
  private readonly users: FailureLog;
  private readonly ips: FailureLog;
  private readonly now: () => number;

  constructor(options: LoginRateLimiterOptions = {}) {
    const maxPerUser = options.maxPerUser ?? DEFAULTS.maxPerUser;
    const maxPerIp = options.maxPerIp ?? DEFAULTS.maxPerIp;
    const windowMs = options.windowMs ?? DEFAULTS.windowMs;
    const maxKeys = options.maxKeys ?? DEFAULTS.maxKeys;
    for (const [name, value] of Object.entries({ maxPerUser, maxPerIp, windowMs, maxKeys })) {
      if (!Number.isInteger(value) || value < 1) throw new RangeError(`LoginRateLimiter: ${name} must be a positive integer, got ${value}`);
    }
    this.users = new FailureLog(maxPerUser, windowMs, maxKeys);
    this.ips = new FailureLog(maxPerIp, windowMs, maxKeys);
    this.now = options.now ?? Date.now;
  }

  /** Whether a login attempt for `username` from `ip` may be tried now. Call it before checking the password. */
  check(username: string, ip: string): LoginRateDecision {
    const now = this.now();
    const ipWait = this.ips.blockedFor(ip, now);
    if (ipWait > 0) return { allowed: false, limitedBy: 'ip', retryAfterMs: ipWait };
    const userWait = this.users.blockedFor(normalize(username), now);
    if (userWait > 0) return { allowed: false, limitedBy: 'username', retryAfterMs: userWait };
    return { allowed: true };
  }

  /** Counts a failed login against both the username and the address. */
  recordFailure(username: string, ip: string): void {
    const now = this.now();
    this.users.add(normalize(username), now);
    this.ips.add(ip, now);
  }

  /** Clears the username's failures after a successful login. */
  recordSuccess(username: string): void {
    this.users.clear(normalize(username));
  }
}

/** "Giulia.Rossi " and "giulia.rossi" are the same target of guessing. */
function normalize(username: string): string {
  return username.trim().toLowerCase();
}
