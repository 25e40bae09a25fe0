import { randomBytes } from 'node:crypto';
import type { Logger } from '../logger';
import type { Coordinator, CoordinatorHealth, Election, RateDecision } from './coordinator';
import { InProcessCoordinator, InProcessHub } from './in-process-coordinator';
import { closeConnection, connectRedis, type RedisConnection } from './redis-connection';
import { RedisCampaign } from './redis-election';
import { RedisLockQueue } from './redis-lock-queue';
import { CONSUME, HEARTBEAT, LIVE_MEMBERS, type LuaScript } from './redis-scripts';

/** Options of {@link openRedisCoordinator}. */
export interface RedisCoordinatorOptions {
  /** Put before every key and channel, so that several deployments can share one Redis ('dialogo:'). */
  readonly keyPrefix?: string;
  readonly logger: Logger;
  /** Leases of locks, leadership and membership (10 s): what a dead instance can hold things up. */
  readonly leaseMs?: number;
  /** Longest wait for one Redis command before it counts as failed (min(1 s, lease/3)). */
  readonly commandTimeoutMs?: number;
  /** Longest wait for the first connection (5 s). */
  readonly connectTimeoutMs?: number;
  /**
   * This process's clock, for health timestamps and the per-process fallbacks. Shared windows and
   * heartbeats use Redis's clock, so that instances with skewed clocks agree.
   */
  readonly now?: () => number;
}

/**
 * Connects to Redis and returns the cluster's coordinator. Rejects with a clear error when Redis
 * does not answer within `connectTimeoutMs` (a start-up with a wrong `REDIS_URL` fails, rather
 * than starting degraded).
 *
 * @example
 * const coordinator = await openRedisCoordinator(config.redisUrl, { logger });
 * await coordinator.withLock(`turn:${conversationId}`, () => runTurn());
 */
export async function openRedisCoordinator(url: string, options: RedisCoordinatorOptions): Promise<RedisCoordinator> {
  const leaseMs = options.leaseMs ?? 10_000;
  if (!Number.isInteger(leaseMs) || leaseMs < 30) throw new RangeError(`openRedisCoordinator: leaseMs must be an integer of at least 30, got ${leaseMs}`);
  const commandTimeoutMs = options.commandTimeoutMs ?? Math.min(1000, Math.floor(leaseMs / 3));
  const { client, subscriber } = await connectRedis(url, { commandTimeoutMs, connectTimeoutMs: options.connectTimeoutMs ?? 5000 });
  const coordinator = new RedisCoordinator(client, subscriber, { ...options, leaseMs, commandTimeoutMs });
  await coordinator.start();
  return coordinator;
}

interface ChannelEntry {
  readonly handlers: Set<(message: string) => void>;
  readonly listener: (message: string) => void;
  /** Whether Redis has the subscription (false: to retry when Redis is back). */
  listening: boolean;
}

/**
 * The coordinator of cluster mode, on Redis (node-redis): one command connection and one for
 * subscriptions. Every key and channel starts with the key prefix. See docs/cluster.md,
 * "Coordinator on Redis", for the keys and what happens while Redis is down.
 *
 * Degraded (Redis unreachable, or a command failed or timed out, until a heartbeat succeeds):
 * locks are per-process only (work is never refused), messages are dropped, nobody leads,
 * `consume` and `claimOnce` fall back to this process's memory (same semantics, local counts),
 * `put`/`remove` do nothing and `getMany` answers undefined for every key, which callers must
 * read as "unknown", not as "absent". `members` answers this instance alone.
 */
export class RedisCoordinator implements Coordinator {
  readonly kind = 'redis' as const;
  readonly instanceId = randomBytes(6).toString('hex');
  readonly keyPrefix: string;
  private readonly leaseMs: number;
  private readonly commandTimeoutMs: number;
  private readonly logger: Logger;
  private readonly now: () => number;
  private healthState: CoordinatorHealth;
  private readonly healthListeners: ((health: CoordinatorHealth) => void)[] = [];
  /** The per-process fallbacks while degraded, and the lock that guards work in this process. */
  private readonly local: InProcessCoordinator;
  private readonly locks: RedisLockQueue;
  private readonly channels = new Map<string, ChannelEntry>();
  private readonly campaigns = new Set<RedisCampaign>();
  private heartbeat: NodeJS.Timeout | undefined;
  private beating: Promise<void> | undefined;
  private sequence = 0;
  private closed = false;

  /** Use {@link openRedisCoordinator}. */
  constructor(
    private readonly client: RedisConnection,
    private readonly subscriber: RedisConnection,
    options: RedisCoordinatorOptions & { readonly leaseMs: number; readonly commandTimeoutMs: number },
  ) {
    this.keyPrefix = options.keyPrefix ?? 'dialogo:';
    this.leaseMs = options.leaseMs;
    this.commandTimeoutMs = options.commandTimeoutMs;
    this.logger = options.logger;
    this.now = options.now ?? Date.now;
    this.healthState = { state: 'ok', since: new Date(this.now()).toISOString() };
    this.local = new InProcessCoordinator(new InProcessHub(this.now));
    this.locks = new RedisLockQueue({
      run: (script, keys, args) => this.runScript(script, keys, args),
      keyPrefix: this.keyPrefix,
      instanceId: this.instanceId,
      leaseMs: this.leaseMs,
      pollMs: Math.min(500, Math.max(20, Math.floor(this.leaseMs / 10))),
      noticeChannel: `${this.keyPrefix}coordinator:lock-released`,
      logger: this.logger,
    });
    for (const [connection, name] of [
      [client, 'commands'],
      [subscriber, 'subscriptions'],
    ] as const) {
      connection.on('error', (error: unknown) => this.degrade(`Redis ${name} connection: ${describe(error)}`));
      // Back from an outage: check at once rather than at the next heartbeat.
      connection.on('ready', () => void this.beat());
    }
  }

  /** Joins the members, listens for lock notices and starts the heartbeat. */
  async start(): Promise<void> {
    await this.listen('coordinator:lock-released', (token) => this.locks.notice(token));
    await this.beat();
    this.heartbeat = setInterval(() => void this.beat(), Math.max(1, Math.floor(this.leaseMs / 3)));
    this.heartbeat.unref();
  }

  async withLock<T>(name: string, work: () => Promise<T>): Promise<T> {
    let release: (() => Promise<void>) | undefined;
    if (this.healthState.state === 'ok' && !this.closed) {
      try {
        release = await this.locks.acquire(name);
      } catch (error) {
        this.logger.warn({ lock: name, err: error }, 'Redis lock unavailable; running under the per-process lock only');
      }
    }
    // The per-process lock also keeps this process's work apart when Redis failed under a waiter.
    if (!release) return this.local.withLock(name, work);
    try {
      return await this.local.withLock(name, work);
    } finally {
      await release();
    }
  }

  async publish(channel: string, message: string): Promise<void> {
    if (this.healthState.state !== 'ok') return;
    try {
      await this.command(() => this.client.publish(this.keyPrefix + channel, message));
    } catch {
      // At most once, as the port says: the subscribers' readers catch up from the store.
    }
  }

  async subscribe(channel: string, handler: (message: string) => void): Promise<() => Promise<void>> {
    // A wrapper per subscription, so that the same handler subscribed twice is two subscriptions.
    const subscription = (message: string) => handler(message);
    const entry = await this.listen(channel, subscription);
    return async () => {
      entry.handlers.delete(subscription);
      if (entry.handlers.size > 0 || this.channels.get(channel) !== entry) return;
      this.channels.delete(channel);
      if (entry.listening) await this.command(() => this.subscriber.unsubscribe(this.keyPrefix + channel, entry.listener)).catch(() => undefined);
    };
  }

  elect(role: string, onChange: (leading: boolean) => void): Election {
    const campaign = new RedisCampaign({
      run: (script, keys, args) => this.runScript(script, keys, args),
      key: `${this.keyPrefix}leader:${role}`,
      campaignId: `${this.instanceId}:${++this.sequence}`,
      leaseMs: this.leaseMs,
      healthy: () => this.healthState.state === 'ok' && !this.closed,
      onChange,
      logger: this.logger,
    });
    this.campaigns.add(campaign);
    campaign.start();
    return {
      isLeader: () => campaign.isLeader(),
      resign: async () => {
        this.campaigns.delete(campaign);
        await campaign.resign();
      },
    };
  }

  async consume(key: string, limit: number, windowMs: number): Promise<RateDecision> {
    if (this.healthState.state === 'ok') {
      try {
        const member = `${this.instanceId}:${++this.sequence}`;
        const reply = await this.runScript(CONSUME, [`${this.keyPrefix}rate:${key}`], [String(windowMs), String(limit), member]);
        if (Array.isArray(reply) && typeof reply[0] === 'number' && typeof reply[1] === 'number') {
          return { allowed: reply[0] === 1, retryAfterMs: reply[1] };
        }
        this.logger.error({ reply }, 'unexpected answer of the rate-limit script');
      } catch {
        // Degraded now: counted in this process below.
      }
    }
    return this.local.consume(key, limit, windowMs);
  }

  async claimOnce(key: string, ttlMs: number): Promise<boolean> {
    if (this.healthState.state === 'ok') {
      try {
        const reply = await this.command(() => this.client.set(`${this.keyPrefix}claim:${key}`, this.instanceId, { condition: 'NX', expiration: { type: 'PX', value: ttlMs } }));
        return reply === 'OK';
      } catch {
        // Degraded now: claimed in this process below.
      }
    }
    return this.local.claimOnce(key, ttlMs);
  }

  async put(key: string, value: string, ttlMs: number): Promise<void> {
    if (this.healthState.state !== 'ok') return;
    await this.command(() => this.client.set(`${this.keyPrefix}value:${key}`, value, { expiration: { type: 'PX', value: ttlMs } })).catch(() => undefined);
  }

  /** The values of `keys`; while degraded, undefined for every key: "unknown", not "absent". */
  async getMany(keys: readonly string[]): Promise<(string | undefined)[]> {
    const unknown = keys.map(() => undefined);
    if (keys.length === 0 || this.healthState.state !== 'ok') return unknown;
    try {
      const values = await this.command(() => this.client.mGet(keys.map((key) => `${this.keyPrefix}value:${key}`)));
      return keys.map((_key, index) => {
        const value: unknown = values[index];
        return typeof value === 'string' ? value : undefined;
      });
    } catch {
      return unknown;
    }
  }

  async remove(key: string): Promise<void> {
    if (this.healthState.state !== 'ok') return;
    await this.command(() => this.client.del(`${this.keyPrefix}value:${key}`)).catch(() => undefined);
  }

  /** The instances whose heartbeat is live; while degraded, this instance alone. */
  async members(): Promise<string[]> {
    if (this.healthState.state === 'ok') {
      try {
        const reply = await this.runScript(LIVE_MEMBERS, [this.membersKey], []);
        if (Array.isArray(reply)) return reply.filter((id): id is string => typeof id === 'string');
      } catch {
        // Degraded now.
      }
    }
    return [this.instanceId];
  }

  health(): CoordinatorHealth {
    return this.healthState;
  }

  onHealth(listener: (health: CoordinatorHealth) => void): void {
    this.healthListeners.push(listener);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    await Promise.all([...this.campaigns].map((campaign) => campaign.resign()));
    this.closed = true;
    this.campaigns.clear();
    clearInterval(this.heartbeat);
    await this.command(() => this.client.zRem(this.membersKey, this.instanceId)).catch(() => undefined);
    await Promise.all([this.client, this.subscriber].map((connection) => closeConnection(connection)));
  }

  /**
   * Stops at once without releasing anything: leases, tickets, leadership and membership are left
   * to lapse, as when the process is killed. For tests of that case.
   */
  abandon(): void {
    this.closed = true;
    clearInterval(this.heartbeat);
    for (const campaign of this.campaigns) campaign.stop();
    this.locks.abandon();
    this.client.destroy();
    this.subscriber.destroy();
  }

  /** Runs a Lua script by its SHA-1, sending its source only when Redis does not know it. */
  async runScript(script: LuaScript, keys: readonly string[], args: readonly string[]): Promise<unknown> {
    const options = { keys: [...keys], arguments: [...args] };
    return this.command(async () => {
      try {
        return await this.client.evalSha(script.sha, options);
      } catch (error) {
        if (!describe(error).startsWith('NOSCRIPT')) throw error;
        return await this.client.eval(script.source, options);
      }
    });
  }

  private get membersKey(): string {
    return `${this.keyPrefix}members`;
  }

  /**
   * Runs a command; a failure makes the coordinator degraded and is rethrown. node-redis's own
   * timeout covers only the wait to be sent, not a reply that never comes (a Redis that hangs,
   * a network that drops packets), hence this race: a turn never waits on Redis for longer.
   */
  private async command<T>(send: () => Promise<T>): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => reject(new Error(`Redis did not answer within ${this.commandTimeoutMs} ms`)), this.commandTimeoutMs);
    });
    try {
      return await Promise.race([send(), late]);
    } catch (error) {
      this.degrade(describe(error));
      throw error;
    } finally {
      clearTimeout(timer);
    }
  }

  /** Subscribes to `channel` in Redis once per channel; a failure is retried when Redis is back. */
  private async listen(channel: string, handler: (message: string) => void): Promise<ChannelEntry> {
    let entry = this.channels.get(channel);
    if (!entry) {
      const handlers = new Set<(message: string) => void>();
      const listener = (message: string) => {
        for (const each of [...handlers]) {
          try {
            each(message);
          } catch (error) {
            this.logger.error({ err: error, channel }, 'a message handler failed');
          }
        }
      };
      entry = { handlers, listener, listening: false };
      this.channels.set(channel, entry);
    }
    entry.handlers.add(handler);
    if (!entry.listening) await this.resubscribe(channel, entry);
    return entry;
  }

  private async resubscribe(channel: string, entry: ChannelEntry): Promise<void> {
    try {
      // node-redis renews the subscriptions it holds after a reconnection; only failed ones are ours to retry.
      await this.command(() => this.subscriber.subscribe(this.keyPrefix + channel, entry.listener));
      entry.listening = true;
    } catch {
      // Degraded now; retried by the heartbeat that finds Redis back.
    }
  }

  /** The heartbeat: renews membership; its success is what makes a degraded coordinator ok again. */
  private beat(): Promise<void> {
    if (this.closed) return Promise.resolve();
    // One at a time: the 'ready' events and the timer may ask together.
    this.beating ??= this.runScript(HEARTBEAT, [this.membersKey], [this.instanceId, String(this.leaseMs)])
      .then(async () => {
        if (this.healthState.state === 'ok') return;
        if (!this.subscriber.isReady) return;
        for (const [channel, entry] of this.channels) if (!entry.listening) await this.resubscribe(channel, entry);
        if ([...this.channels.values()].every((entry) => entry.listening)) this.recover();
      })
      .catch(() => undefined)
      .finally(() => (this.beating = undefined));
    return this.beating;
  }

  private degrade(detail: string): void {
    if (this.closed || this.healthState.state === 'degraded') return;
    this.setHealth({ state: 'degraded', since: new Date(this.now()).toISOString(), detail });
    this.logger.warn({ detail }, 'coordinator degraded: Redis unavailable; per-process locks and limits, no leader, no messages');
    for (const campaign of this.campaigns) campaign.stepDown();
  }

  private recover(): void {
    if (this.closed || this.healthState.state === 'ok') return;
    this.setHealth({ state: 'ok', since: new Date(this.now()).toISOString() });
    this.logger.info('coordinator ok: Redis is back');
    for (const campaign of this.campaigns) campaign.poke();
  }

  private setHealth(health: CoordinatorHealth): void {
    this.healthState = health;
    for (const listener of this.healthListeners) {
      try {
        listener(health);
      } catch (error) {
        this.logger.error({ err: error }, 'a health listener failed');
      }
    }
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
