import type { Config } from '../config';
import type { Logger } from '../logger';
import { CluClient } from './clu-recognizer';
import { FallbackRecognizer } from './fallback-recognizer';
import type { LocalRecognizer } from './local-recognizer';
import { LuisClient } from './luis-recognizer';
import type { Recognizer } from './recognizer';

/**
 * The recognizer the configuration asks for: local by default; CLU or LUIS with the local
 * recognizer as fallback.
 *
 * @example
 * const recognizer = createRecognizer(config, local, logger);
 */
export function createRecognizer(config: Config, local: LocalRecognizer, logger: Logger): Recognizer {
  const { kind, timeoutMs, clu, luis } = config.recognizer;
  const topics = new Set(local.topicIds);
  if (kind === 'clu' && clu) return new FallbackRecognizer(new CluClient(clu), local, topics, timeoutMs, logger);
  if (kind === 'luis' && luis) return new FallbackRecognizer(new LuisClient(luis), local, topics, timeoutMs, logger);
  return local;
}
