/**
 * What several Dialogo instances share besides the store: locks, wake-ups, one elected
 * instance for timers, rate limits, once-only claims and short-lived values (presence).
 * The truth (activities, sessions, requests, events) stays in the store; the coordinator only
 * says who does what now, and a message it loses costs latency, never data.
 *
 * Two implementations: {@link InProcessCoordinator} (one instance, the default: today's
 * behaviour, no network) and the Redis one (cluster mode, `REDIS_URL`). Core code takes this
 * port and never imports either.
 *
 * @example
 * await coordinator.withLock(`turn:${conversationId}`, () => runTurn());
 * const off = await coordinator.subscribe(`dl:${conversationId}`, (seq) => wake(seq));
 * await coordinator.publish(`dl:${conversationId}`, '12');
 */
export interface Coordinator {
  /** `in-process`: one instance; `redis`: cluster mode. */
  readonly kind: 'in-process' | 'redis';
  /** This instance's id (random per process start). */
  readonly instanceId: string;

  /**
   * Runs `work` while holding the lock `name`: one holder at a time across instances, waiters
   * served in the order they asked (FIFO tickets). The holder's lease is renewed while `work`
   * runs, so an instance that dies frees the lock within the lease. While the coordinator is
   * degraded, only this process's order is kept (work is never refused for it).
   */
  withLock<T>(name: string, work: () => Promise<T>): Promise<T>;

  /** Tells every instance subscribed to `channel` (this one too). At most once: lost while degraded. */
  publish(channel: string, message: string): Promise<void>;
  /** Receives the messages of `channel` until the returned function is called. */
  subscribe(channel: string, handler: (message: string) => void): Promise<() => Promise<void>>;

  /**
   * Campaigns for `role` (e.g. `timers`): exactly one instance leads a role at a time, under a
   * renewed lease. `onChange(true)` when this instance starts leading, `onChange(false)` when
   * it stops (lease lost, coordinator degraded, close). While degraded nobody leads.
   */
  elect(role: string, onChange: (leading: boolean) => void): Election;

  /**
   * Counts one event for `key` in a sliding window of `windowMs`: refused (and not counted)
   * when `limit` events were counted within it. Shared by every instance.
   */
  consume(key: string, limit: number, windowMs: number): Promise<RateDecision>;

  /** True for the first claim of `key` within `ttlMs` across instances, false for every later one. */
  claimOnce(key: string, ttlMs: number): Promise<boolean>;

  /** A short-lived shared value (presence, heartbeats); gone after `ttlMs`. */
  put(key: string, value: string, ttlMs: number): Promise<void>;
  /** The values of `keys`, in order; undefined for missing or expired ones. */
  getMany(keys: readonly string[]): Promise<(string | undefined)[]>;
  remove(key: string): Promise<void>;

  /** Ids of the instances alive now (each keeps a lease while it runs), this one included. */
  members(): Promise<string[]>;

  /** Whether the coordinator works now; `/readyz` shows it. */
  health(): CoordinatorHealth;
  /** Told when health changes (degraded, then ok again: resynchronise what may have been missed). */
  onHealth(listener: (health: CoordinatorHealth) => void): void;

  /** Resigns leadership, releases leases, closes connections. */
  close(): Promise<void>;
}

/** A campaign for a role. */
export interface Election {
  isLeader(): boolean;
  /** Stops campaigning (and leading). */
  resign(): Promise<void>;
}

/** The answer of {@link Coordinator.consume}. */
export interface RateDecision {
  readonly allowed: boolean;
  /** When refused: milliseconds until one event leaves the window (at least 1). */
  readonly retryAfterMs: number;
}

export interface CoordinatorHealth {
  readonly state: 'ok' | 'degraded';
  /** When the current state began (ISO 8601). */
  readonly since: string;
  /** Why it is degraded, for `/readyz` and the logs. */
  readonly detail?: string;
}
