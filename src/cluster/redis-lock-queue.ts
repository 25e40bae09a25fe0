import type { Logger } from '../logger';
import { LOCK_ENQUEUE, LOCK_RELEASE, LOCK_RENEW, LOCK_TRY_HEAD, type LuaScript } from './redis-scripts';

/** Runs a Lua script on the coordinator's connection (with its timeout and health bookkeeping). */
export type ScriptRunner = (script: LuaScript, keys: readonly string[], args: readonly string[]) => Promise<unknown>;

/** What {@link RedisLockQueue} needs from its coordinator. */
export interface RedisLockQueueOptions {
  readonly run: ScriptRunner;
  readonly keyPrefix: string;
  readonly instanceId: string;
  readonly leaseMs: number;
  /** How often a waiter looks again without a notice (a lost notice costs at most this). */
  readonly pollMs: number;
  /** The channel on which releases are announced (the message is the next holder's token). */
  readonly noticeChannel: string;
  readonly logger: Logger;
}

/**
 * Redis locks with FIFO tickets. Each acquisition queues a token in a ZSET scored by its ticket
 * and keeps a lease key of its own (renewed every lease/3 while it waits and while it holds);
 * the queue's head holds the lock. A head whose lease key lapsed (its instance died) is removed
 * by the next waiter that looks, so a dead holder costs at most one lease. A release tells the
 * next in line; every waiter also looks again at least every `pollMs`, so a lost notice costs
 * that much.
 *
 * @example
 * const release = await queue.acquire('turn:c1');
 * try { await work(); } finally { await release(); }
 */
export class RedisLockQueue {
  /** Token -> wakes its waiter. */
  private readonly waiters = new Map<string, () => void>();
  /** Tokens of this instance's acquisitions under way, and those told before they listened. */
  private readonly pending = new Set<string>();
  private readonly early = new Set<string>();
  private readonly renewals = new Set<NodeJS.Timeout>();
  private tokens = 0;

  constructor(private readonly options: RedisLockQueueOptions) {}

  /** Wakes the waiter of `token` if it is this instance's (a release notice arrived). */
  notice(token: string): void {
    const wake = this.waiters.get(token);
    if (wake) wake();
    // The notice and the answer that made us wait travel on two connections: it may come first.
    else if (this.pending.has(token)) this.early.add(token);
  }

  /**
   * Waits for the lock `name`; resolves to its release. Rejects when Redis fails meanwhile (the
   * caller then falls back to a per-process lock); the ticket it leaves lapses with its lease.
   */
  async acquire(name: string): Promise<() => Promise<void>> {
    const { run, keyPrefix, instanceId, leaseMs, noticeChannel, logger } = this.options;
    const token = `${instanceId}:${++this.tokens}`;
    const base = `${keyPrefix}lock:${name}`;
    const leasePrefix = `${base}:lease:`;
    const keys = [`${base}:queue`, `${base}:counter`, `${leasePrefix}${token}`] as const;
    // Queue and counter outlive every live ticket's lease, which renews them.
    const queueMs = String(leaseMs * 3);
    const enqueue = () => run(LOCK_ENQUEUE, keys, [token, String(leaseMs), queueMs]);
    const release = () => run(LOCK_RELEASE, keys, [token, noticeChannel]).then(() => undefined);

    let holding = false;
    const renewal = setInterval(() => {
      run(LOCK_RENEW, keys, [String(leaseMs), queueMs]).then(
        (renewed) => {
          if (renewed === 0 && holding) logger.warn({ lock: name }, 'a lock lease lapsed while its work ran (a long pause?); another instance may hold it too');
        },
        // Redis is failing: the coordinator is degraded already, and the lease lapses by itself.
        () => undefined,
      );
    }, Math.max(1, Math.floor(leaseMs / 3)));
    renewal.unref();
    this.renewals.add(renewal);
    const stop = () => {
      clearInterval(renewal);
      this.renewals.delete(renewal);
    };
    this.pending.add(token);

    try {
      await enqueue();
      for (;;) {
        const state = await run(LOCK_TRY_HEAD, [keys[0]], [leasePrefix, token, String(leaseMs), noticeChannel]);
        if (state === 1) break;
        // Our ticket lapsed while we waited (a pause longer than the lease): queue again.
        if (state === -1) await enqueue();
        else await this.nextLook(token);
      }
    } catch (error) {
      stop();
      release().catch(() => undefined);
      throw error;
    } finally {
      this.pending.delete(token);
      this.early.delete(token);
    }
    holding = true;
    return async () => {
      stop();
      // A release Redis did not take lapses with the lease: the waiters lose at most one lease.
      await release().catch(() => undefined);
    };
  }

  /** Stops every renewal at once, as a process that dies does (its leases lapse). */
  abandon(): void {
    for (const renewal of this.renewals) clearInterval(renewal);
    this.renewals.clear();
  }

  /** Resolves on a notice for `token`, or after `pollMs`. */
  private nextLook(token: string): Promise<void> {
    if (this.early.delete(token)) return Promise.resolve();
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        this.waiters.delete(token);
        resolve();
      };
      const timer = setTimeout(wake, this.options.pollMs);
      this.waiters.set(token, wake);
    });
  }
}
