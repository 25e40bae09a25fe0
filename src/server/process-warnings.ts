import type { Logger } from '../logger';

/**
 * Warnings from dependencies Dialogo cannot change, known to be harmless: logged at debug level
 * with the reason, where Node would print them on standard error at every start.
 */
const KNOWN_WARNINGS: readonly { code: string; raisedBy: string; why: string }[] = [
  {
    code: 'DEP0111',
    raisedBy: 'http-deceiver',
    why: "restify 11 loads spdy (HTTP/2 and SPDY), whose http-deceiver reads process.binding('http_parser') when it loads; Dialogo serves HTTP/1.1 and never calls it",
  },
];

/** The part of `process` this needs (a test passes an emitter of its own). */
export interface WarningSource {
  listeners(event: 'warning'): ((...args: unknown[]) => void)[];
  removeListener(event: 'warning', listener: (...args: unknown[]) => void): unknown;
  on(event: 'warning', listener: (warning: Error & { code?: string; detail?: string }) => void): unknown;
}

/**
 * Sends the process's warnings (deprecations, experimental features, too many listeners) to the
 * log as JSON lines, like everything else Dialogo says, instead of Node's plain text on standard
 * error; the known ones above go to debug level. Node prints warnings through a `'warning'`
 * listener of its own (`onWarning`), which this replaces; when Node has none (`--no-warnings`,
 * `NODE_NO_WARNINGS=1`), nothing is installed and warnings stay silent, as asked.
 *
 * Called synchronously while the entry point loads: the warnings raised by the modules it imports
 * are emitted on the next tick, so they reach this listener.
 *
 * @returns whether Node's printer was replaced.
 * @example
 * routeProcessWarnings(logger); // in main(), before the first await
 */
export function routeProcessWarnings(logger: Logger, source: WarningSource = process as unknown as WarningSource): boolean {
  const printers = source.listeners('warning').filter((listener) => listener.name === 'onWarning');
  if (printers.length === 0) return false;
  for (const printer of printers) source.removeListener('warning', printer);
  source.on('warning', (warning) => {
    const fields = { warning: { name: warning.name, ...(warning.code ? { code: warning.code } : {}), ...(warning.detail ? { detail: warning.detail } : {}) } };
    const known = KNOWN_WARNINGS.find((entry) => entry.code === warning.code && (warning.stack ?? '').includes(entry.raisedBy));
    if (known) logger.debug({ ...fields, why: known.why }, warning.message);
    else logger.warn(fields, warning.message);
  });
  return true;
}
