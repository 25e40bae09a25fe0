import type { Logger } from '../logger';

/** What {@link createStopper} needs: the orderly stop, its time limit, and how the process ends. */
export interface StopperOptions {
  /** Finishes turns in flight, drains the events and closes the store. */
  readonly stop: () => Promise<void>;
  /** SHUTDOWN_GRACE_MS: the process ends within this many milliseconds of the first signal. */
  readonly graceMs: number;
  readonly logger: Logger;
  /** Fields for the "stopping" log line (turns in flight, for instance). */
  readonly describe?: () => Record<string, unknown>;
  /** Ends the process; `process.exit` unless a test observes it. */
  readonly exit?: (code: number) => void;
}

/**
 * The process's answer to SIGTERM and SIGINT: an orderly stop, exit code 0 when it completes,
 * 1 when it fails, and 1 when it has not completed within the grace period, so that no state of
 * the stores, the clients or the output can keep a stopped server alive. Later signals are ignored
 * while the first stop runs.
 *
 * @returns the handler to register for each signal.
 * @example
 * const onSignal = createStopper({ stop: () => dialogo.stop(), graceMs: config.shutdownGraceMs, logger });
 * process.on('SIGTERM', () => onSignal('SIGTERM'));
 */
export function createStopper(options: StopperOptions): (signal: string) => void {
  const exit = options.exit ?? ((code: number) => process.exit(code));
  const { logger, graceMs } = options;
  let stopping = false;
  return (signal: string) => {
    if (stopping) return;
    stopping = true;
    // The last resort: whatever stop() still waits for (a store that no longer answers, a client
    // that never finishes its request), the process ends. Unref'd so that it keeps nothing alive.
    const deadline = setTimeout(() => {
      logger.error({ signal, graceMs }, 'stop not finished within SHUTDOWN_GRACE_MS: exiting now');
      exit(1);
    }, graceMs);
    deadline.unref();
    logger.info({ signal, ...options.describe?.() }, 'stopping: finishing turns in flight');
    options.stop().then(
      () => {
        clearTimeout(deadline);
        logger.info('stopped');
        exit(0);
      },
      (error: unknown) => {
        clearTimeout(deadline);
        logger.error({ err: error }, 'unclean stop');
        exit(1);
      },
    );
  };
}
