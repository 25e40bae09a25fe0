import type { Config } from '../config';
import type { Logger } from '../logger';
import type { Coordinator } from './coordinator';
import { InProcessCoordinator } from './in-process-coordinator';

/**
 * The coordinator the configuration asks for: Redis in cluster mode (`REDIS_URL`), this process
 * alone otherwise.
 *
 * @example
 * const coordinator = await openCoordinator(config, logger);
 */
export async function openCoordinator(config: Config, logger: Logger): Promise<Coordinator> {
  if (!config.cluster) return new InProcessCoordinator();
  void logger;
  throw new Error('cluster mode (REDIS_URL) is not available yet in this build');
}
