import type { Config } from '../config';
import type { Logger } from '../logger';
import { LoginRateLimiter, type LoginLimiter } from '../operators/login-rate-limiter';
import type { Coordinator } from './coordinator';
import { InProcessCoordinator } from './in-process-coordinator';
import { SharedLoginRateLimiter } from './shared-login-rate-limiter';

/** What one instance shares with the others, and the sign-in limiter that goes with it. */
export interface Coordination {
  readonly coordinator: Coordinator;
  readonly loginLimiter: LoginLimiter;
}

/**
 * The coordinator the configuration asks for: Redis in cluster mode (`REDIS_URL`; start-up fails
 * when Redis does not answer), this process alone otherwise; the sign-in limits are shared with it.
 *
 * @example
 * const { coordinator, loginLimiter } = await openCoordination(config, logger);
 */
export async function openCoordination(config: Config, logger: Logger): Promise<Coordination> {
  if (!config.cluster) return { coordinator: new InProcessCoordinator(), loginLimiter: new LoginRateLimiter() };
  // Loaded only in cluster mode: a single instance never holds the Redis client in memory.
  const { openRedisCoordinator } = await import('./redis-coordinator');
  const coordinator = await openRedisCoordinator(config.cluster.redisUrl, { keyPrefix: config.cluster.keyPrefix, logger });
  return { coordinator, loginLimiter: new SharedLoginRateLimiter(coordinator, { logger }) };
}
