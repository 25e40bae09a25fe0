import pino, { type Logger } from 'pino';

export type { Logger } from 'pino';

/**
 * The process logger: JSON lines on stdout, for the city's log collector. Personal data is
 * never logged: messages' text is not a logged field.
 *
 * @example
 * const logger = createLogger('info');
 * logger.info({ port }, 'listening');
 */
export function createLogger(level: string): Logger {
  return pino({ level, base: { service: 'dialogo' }, redact: { paths: ['req.headers.authorization', 'text', '*.text'], remove: true } });
}
