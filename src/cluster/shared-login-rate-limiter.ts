import { randomBytes } from 'node:crypto';
import type { Logger } from '../logger';
import {
  LOGIN_LIMIT_DEFAULTS,
  LoginRateLimiter,
  normalizeAccount,
  type LoginAttempt,
  type LoginLimit,
  type LoginLimiter,
  type LoginRateDecision,
  type LoginRateLimiterOptions,
} from '../operators/login-rate-limiter';
import type { CoordinatorHealth } from './coordinator';
import type { ScriptRunner } from './redis-lock-queue';
import { LOGIN_ATTEMPT, LOGIN_RELEASE, LOGIN_SUCCEED } from './redis-login-scripts';

/** What the shared limiter needs of Redis: {@link RedisCoordinator} provides it. */
export interface LoginLimiterBackend {
  readonly keyPrefix: string;
  health(): CoordinatorHealth;
  readonly runScript: ScriptRunner;
}

/** Options of {@link SharedLoginRateLimiter}: those of the in-process limiter, plus a logger. */
export interface SharedLoginRateLimiterOptions extends LoginRateLimiterOptions {
  readonly logger: Logger;
}

const { maxKeys: _perProcessOnly, ...DEFAULTS } = LOGIN_LIMIT_DEFAULTS;

const LIMITS: readonly LoginLimit[] = ['account-address', 'address', 'account'];

/**
 * The operator sign-in limits of {@link LoginRateLimiter} (same three windows, same reservation
 * before the password is checked, same exemption of known addresses from the per-account
 * ceiling), counted in Redis so that every instance behind the load balancer shares them: an
 * attacker spreading guesses over instances meets the same limits as on one.
 *
 * Check and reservation are one Lua script, so concurrent attempts on several instances cannot
 * all pass. Times are this process's clock (skew of seconds does not matter to 15-minute windows,
 * and tests can drive it); every key expires with its window, so Redis memory follows recent
 * failures. While Redis is unreachable, attempts go to a per-process limiter with the same
 * settings, so an outage neither opens nor shuts the door; a settlement Redis misses costs at
 * most one counted failure.
 *
 * @example
 * const limiter = new SharedLoginRateLimiter(coordinator, { logger });
 * const decision = await limiter.attempt('giulia.rossi', clientAddress(req, config.edge.trustProxyHops));
 */
export class SharedLoginRateLimiter implements LoginLimiter {
  private readonly settings: { readonly [K in keyof typeof DEFAULTS]: number };
  private readonly fallback: LoginRateLimiter;
  private readonly now: () => number;
  private readonly logger: Logger;

  constructor(
    private readonly backend: LoginLimiterBackend,
    options: SharedLoginRateLimiterOptions,
  ) {
    const { logger, ...local } = options;
    const { now, maxKeys: _maxKeys, ...limits } = local;
    const defined = Object.fromEntries(Object.entries(limits).filter(([, value]) => value !== undefined));
    this.settings = { ...DEFAULTS, ...defined };
    for (const [name, value] of Object.entries(this.settings)) {
      if (!Number.isInteger(value) || value < 1) throw new RangeError(`SharedLoginRateLimiter: ${name} must be a positive integer, got ${value}`);
    }
    this.fallback = new LoginRateLimiter(local);
    this.now = now ?? Date.now;
    this.logger = logger;
  }

  async attempt(account: string, address: string): Promise<LoginRateDecision> {
    if (this.backend.health().state !== 'ok') return this.fallback.attempt(account, address);
    const name = normalizeAccount(account);
    const base = `${this.backend.keyPrefix}login:`;
    const pair = `${base}pair:${encodeURIComponent(name)}:${encodeURIComponent(address)}`;
    const keys = [pair, `${base}address:${encodeURIComponent(address)}`, `${base}account:${encodeURIComponent(name)}`, `${base}known:${encodeURIComponent(name)}:${encodeURIComponent(address)}`];
    const slot = randomBytes(8).toString('hex');
    const { windowMs, maxPerAccountAddress, maxPerAddress, maxPerAccount, knownForMs } = this.settings;
    let reply: unknown;
    try {
      reply = await this.backend.runScript(LOGIN_ATTEMPT, keys, [this.now(), windowMs, maxPerAccountAddress, maxPerAddress, maxPerAccount, slot, knownForMs].map(String));
    } catch {
      // Redis failed just now (the coordinator is degraded): this process counts meanwhile.
      return this.fallback.attempt(account, address);
    }
    const decision = parseDecision(reply);
    if (!decision) {
      this.logger.error({ reply }, 'unexpected answer of the login limit script; limiting in this process');
      return this.fallback.attempt(account, address);
    }
    if (!decision.allowed) return decision;

    const settle = async (script: typeof LOGIN_RELEASE, args: string[]): Promise<void> => {
      await this.backend.runScript(script, keys, args).then(
        () => undefined,
        (error: unknown) => this.logger.warn({ err: error }, 'a sign-in attempt could not be settled in Redis; it counts as a failure until its window ends'),
      );
    };
    let settled = false;
    const once = (action: () => Promise<void>) => async () => {
      if (settled) return;
      settled = true;
      await action();
    };
    const attempt: LoginAttempt = {
      succeed: once(() => settle(LOGIN_SUCCEED, [slot, String(this.now()), String(knownForMs)])),
      fail: once(async () => undefined),
      cancel: once(() => settle(LOGIN_RELEASE, [slot])),
    };
    return { allowed: true, attempt };
  }
}

/** {1} allowed, {0, limit index (1-3), wait ms} refused; undefined for anything else. */
function parseDecision(reply: unknown): { allowed: true } | { allowed: false; limitedBy: LoginLimit; retryAfterMs: number } | undefined {
  if (!Array.isArray(reply)) return undefined;
  if (reply.length === 1 && reply[0] === 1) return { allowed: true };
  const [allowed, index, wait] = reply as unknown[];
  const limit = typeof index === 'number' ? LIMITS[index - 1] : undefined;
  if (allowed !== 0 || !limit || typeof wait !== 'number' || wait < 1) return undefined;
  return { allowed: false, limitedBy: limit, retryAfterMs: wait };
}
