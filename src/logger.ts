import pino, { type DestinationStream, type Logger } from 'pino';

export type { Logger } from 'pino';

/**
 * The process logger: JSON lines on stdout, for the city's log collector. Personal data is
 * never logged: messages' text is not a logged field.
 *
 * @param destination where the lines go; by default the process's standard output, through
 *   {@link standardOutput}.
 * @example
 * const logger = createLogger('info');
 * logger.info({ port }, 'listening');
 */
export function createLogger(level: string, destination: DestinationStream = standardOutput()): Logger {
  return pino({ level, base: { service: 'dialogo' }, redact: { paths: ['req.headers.authorization', 'text', '*.text'], remove: true } }, destination);
}

/**
 * Lines queued for a reader that has stopped reading (a stalled log collector) are dropped past
 * this size, so that a stuck pipe costs bounded memory rather than the heap.
 */
const MAX_QUEUED_BYTES = 8 * 1024 * 1024;

/**
 * Standard output as a log destination that can neither hang nor crash the process, whatever
 * became of the output (a supervisor or a harness that went away, a full disk).
 *
 * Why not pino's default destination (sonic-boom): at exit it flushes synchronously and, when a
 * write fails with anything but EAGAIN (EPIPE from a closed pipe), sleeps 100 ms and retries
 * forever, so `process.exit` never returned after SIGTERM once the reader was gone. Node's own
 * `process.stdout` never blocks on a pipe (it is non-blocking; what the reader does not take yet is
 * queued, up to a bound) and reports a failure as an `'error'` event, after which the stream is no
 * longer writable and lines are dropped, since nobody can read them. Both standard streams get a
 * listener for that event when they have none: an EPIPE there (a dependency's warning on stderr)
 * would otherwise be an uncaught exception that ends the process before the interaction events are
 * drained. Only when they have none, because test runners load this module once per test file.
 *
 * @example
 * const logger = createLogger('info', standardOutput());
 */
export function standardOutput(): DestinationStream {
  for (const stream of [process.stdout, process.stderr]) {
    if (stream.listenerCount('error') === 0) stream.on('error', () => undefined);
  }
  return {
    write(line: string) {
      const stdout = process.stdout;
      if (stdout.writable && stdout.writableLength < MAX_QUEUED_BYTES) stdout.write(line);
    },
  };
}
