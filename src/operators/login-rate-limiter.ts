/**
 * Slows down password guessing on the operator console without letting an attacker lock the
 * operators out. Three sliding-window limits on failed sign-ins (15 minutes by default):
 *
 * - per (account, client address), 5: the limit a guesser meets first. It is a pair so that
 *   an attacker's address being locked does not lock the account's owner elsewhere, and a
 *   contact centre sharing one address does not share one counter.
 * - per client address, 30: one address spraying a few guesses at many accounts.
 * - per account, 100: many addresses guessing one account. Reaching it would lock the owner
 *   out too, so an address where the account signed in successfully within 30 days (its
 *   owner's, most likely) is exempt from this ceiling (still bound by the other two).
 *
 * Check and count are one synchronous step: {@link LoginRateLimiter.attempt} reserves a
 * failure in each window before the password is verified, so concurrent requests cannot all
 * pass the check while the first verifications are still running; a success releases it.
 * Memory is bounded: each window keeps at most `maxKeys` keys, the least recently used leave first.
 */

export interface LoginRateLimiterOptions {
  /** Failures allowed per (account, address) pair within the window (5). */
  readonly maxPerAccountAddress?: number;
  /** Failures allowed per client address, all accounts together (30). */
  readonly maxPerAddress?: number;
  /** Failures allowed per account, all addresses together; known addresses are exempt (100). */
  readonly maxPerAccount?: number;
  /** The sliding window (15 minutes). */
  readonly windowMs?: number;
  /** How long a successful sign-in makes its address known for the account (30 days). */
  readonly knownForMs?: number;
  /** Keys remembered at most, in each window and among known addresses (10,000). */
  readonly maxKeys?: number;
  /** Milliseconds since the epoch; injectable for tests. */
  readonly now?: () => number;
}

/**
 * A sign-in reserved by {@link LoginRateLimiter.attempt}; settle it once with the verification's
 * outcome. A shared limiter settles in Redis: await it before answering, so that the client's
 * next request, on whichever instance, sees the settlement. Settling never rejects.
 */
export interface LoginAttempt {
  /** The password was right: the reservation is released and the pair's failures forgotten. */
  succeed(): void | Promise<void>;
  /** The password was wrong: the reservation stays, as a failure. */
  fail(): void | Promise<void>;
  /** Nothing was verified (the store failed): the reservation is released, nothing else changes. */
  cancel(): void | Promise<void>;
}

/**
 * What the sign-in route needs of a limiter: this process's {@link LoginRateLimiter}, which
 * answers at once, or the one every instance shares (src/cluster/shared-login-rate-limiter.ts),
 * which answers after a round trip to Redis. The route awaits either.
 */
export interface LoginLimiter {
  /** Checks the limits and, when they allow it, reserves a failure until the attempt is settled. */
  attempt(account: string, address: string): LoginRateDecision | Promise<LoginRateDecision>;
}

/** Which limit refused an attempt. */
export type LoginLimit = 'account-address' | 'address' | 'account';

/** The answer of {@link LoginRateLimiter.attempt}. */
export type LoginRateDecision =
  | { readonly allowed: true; readonly attempt: LoginAttempt }
  | { readonly allowed: false; readonly limitedBy: LoginLimit; readonly retryAfterMs: number };

/** The limits when none are given; the shared (cluster) limiter uses the same. */
export const LOGIN_LIMIT_DEFAULTS = {
  maxPerAccountAddress: 5,
  maxPerAddress: 30,
  maxPerAccount: 100,
  windowMs: 15 * 60 * 1000,
  knownForMs: 30 * 24 * 60 * 60 * 1000,
  maxKeys: 10_000,
} as const;

/** One counted failure (or reservation); an object so that a release removes exactly it. */
interface Slot {
  readonly at: number;
}

class AttemptWindow {
  /** Slots per key, oldest first; Map order is the order keys were last used. */
  private readonly slots = new Map<string, Slot[]>();
  constructor(
    private readonly max: number,
    private readonly windowMs: number,
    private readonly maxKeys: number,
  ) {}

  private live(key: string, now: number): Slot[] {
    const slots = (this.slots.get(key) ?? []).filter((slot) => slot.at > now - this.windowMs);
    if (slots.length === 0) this.slots.delete(key);
    else this.slots.set(key, slots);
    return slots;
  }

  /** Milliseconds until the key may try again; 0 when it may now. */
  waitMs(key: string, now: number): number {
    const slots = this.live(key, now);
    if (slots.length < this.max) return 0;
    return slots[slots.length - this.max]!.at + this.windowMs - now;
  }

  add(key: string, slot: Slot, now: number): void {
    const slots = this.live(key, now);
    this.slots.delete(key);
    // Only the newest `max` slots decide when the key is free again.
    this.slots.set(key, [...slots, slot].slice(-this.max));
    evictOldest(this.slots, this.maxKeys);
  }

  remove(key: string, slot: Slot): void {
    const slots = this.slots.get(key);
    if (!slots) return;
    const rest = slots.filter((s) => s !== slot);
    if (rest.length === 0) this.slots.delete(key);
    else this.slots.set(key, rest);
  }

  clear(key: string): void {
    this.slots.delete(key);
  }
}

/**
 * Per-(account, address), per-address and per-account limits on failed operator sign-ins.
 *
 * @example
 * const limiter = new LoginRateLimiter();
 * const decision = limiter.attempt('giulia.rossi', clientAddress(req, config.edge.trustProxyHops));
 * if (!decision.allowed) return reply(429, { retryAfterMs: decision.retryAfterMs });
 * const account = await accounts.authenticate(name, password);
 * if (account) decision.attempt.succeed();
 * else decision.attempt.fail();
 */
export class LoginRateLimiter implements LoginLimiter {
  private readonly pairs: AttemptWindow;
  private readonly addresses: AttemptWindow;
  private readonly accounts: AttemptWindow;
  /** pair key -> time of the last successful sign-in from that address. */
  private readonly known = new Map<string, number>();
  private readonly knownForMs: number;
  private readonly maxKeys: number;
  private readonly now: () => number;

  constructor(options: LoginRateLimiterOptions = {}) {
    const settings = { ...LOGIN_LIMIT_DEFAULTS, ...definedOnly(options) };
    for (const [name, value] of Object.entries(settings)) {
      if (!Number.isInteger(value) || value < 1) throw new RangeError(`LoginRateLimiter: ${name} must be a positive integer, got ${value}`);
    }
    this.pairs = new AttemptWindow(settings.maxPerAccountAddress, settings.windowMs, settings.maxKeys);
    this.addresses = new AttemptWindow(settings.maxPerAddress, settings.windowMs, settings.maxKeys);
    this.accounts = new AttemptWindow(settings.maxPerAccount, settings.windowMs, settings.maxKeys);
    this.knownForMs = settings.knownForMs;
    this.maxKeys = settings.maxKeys;
    this.now = options.now ?? Date.now;
  }

  /**
   * Checks the three limits and, when they allow it, reserves a failure in each before the
   * caller verifies the password (no await between the check and the count).
   */
  attempt(account: string, address: string): LoginRateDecision {
    const now = this.now();
    const name = normalizeAccount(account);
    const pair = pairKey(name, address);
    const waits: [LoginLimit, number][] = [
      ['account-address', this.pairs.waitMs(pair, now)],
      ['address', this.addresses.waitMs(address, now)],
      ['account', this.isKnown(pair, now) ? 0 : this.accounts.waitMs(name, now)],
    ];
    const refused = waits.filter(([, wait]) => wait > 0).sort((a, b) => b[1] - a[1])[0];
    if (refused) return { allowed: false, limitedBy: refused[0], retryAfterMs: refused[1] };

    const slot: Slot = { at: now };
    this.pairs.add(pair, slot, now);
    this.addresses.add(address, slot, now);
    this.accounts.add(name, slot, now);
    let settled = false;
    const release = () => {
      this.pairs.remove(pair, slot);
      this.addresses.remove(address, slot);
      this.accounts.remove(name, slot);
    };
    const once = (settle: () => void) => () => {
      if (settled) return;
      settled = true;
      settle();
    };
    return {
      allowed: true,
      attempt: {
        // Only the pair forgets its failures: one valid account must not unlock guessing the
        // others from the same address, nor wipe what other addresses tried on this account.
        succeed: once(() => {
          release();
          this.pairs.clear(pair);
          this.known.delete(pair);
          this.known.set(pair, this.now());
          evictOldest(this.known, this.maxKeys);
        }),
        fail: once(() => undefined),
        cancel: once(release),
      },
    };
  }

  private isKnown(pair: string, now: number): boolean {
    const at = this.known.get(pair);
    if (at === undefined) return false;
    if (at > now - this.knownForMs) return true;
    this.known.delete(pair);
    return false;
  }
}

/** "Giulia.Rossi " and "giulia.rossi" are the same target of guessing. */
export function normalizeAccount(account: string): string {
  return account.trim().toLowerCase();
}

function pairKey(account: string, address: string): string {
  return `${account}\u0000${address}`;
}

function evictOldest(map: Map<string, unknown>, maxKeys: number): void {
  while (map.size > maxKeys) {
    const oldest = map.keys().next().value;
    if (oldest === undefined) break;
    map.delete(oldest);
  }
}

function definedOnly(options: LoginRateLimiterOptions): Partial<Record<keyof typeof LOGIN_LIMIT_DEFAULTS, number>> {
  const { now: _clock, ...limits } = options;
  return Object.fromEntries(Object.entries(limits).filter(([, value]) => value !== undefined));
}
