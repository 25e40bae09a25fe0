import { EventEmitter } from 'node:events';
import { createLogger } from '../../src/logger';
import { routeProcessWarnings, type WarningSource } from '../../src/server/process-warnings';

/** A process stand-in with Node's printer: a `'warning'` listener named `onWarning`, as Node installs it. */
function processWithPrinter() {
  const source = new EventEmitter();
  const printed: string[] = [];
  source.on('warning', function onWarning(warning: Error) {
    printed.push(warning.message);
  });
  return { source, printed };
}

function capturingLogger() {
  const lines: Record<string, unknown>[] = [];
  const logger = createLogger('debug', { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) });
  return { logger, lines };
}

function warning(message: string, code: string, stack: string): Error & { code: string } {
  const error = new Error(message) as Error & { code: string };
  error.name = 'DeprecationWarning';
  error.code = code;
  error.stack = stack;
  return error;
}

describe('routeProcessWarnings', () => {
  it('logs a warning as a JSON line at warn level instead of printing it on standard error', () => {
    const { source, printed } = processWithPrinter();
    const { logger, lines } = capturingLogger();
    expect(routeProcessWarnings(logger, source as unknown as WarningSource)).toBe(true);
    source.emit('warning', warning('Buffer() is deprecated', 'DEP0005', 'DeprecationWarning: Buffer() is deprecated\n    at somewhere (/app/node_modules/old-lib/index.js:3:1)'));
    expect(printed).toEqual([]);
    expect(lines).toEqual([expect.objectContaining({ level: 40, msg: 'Buffer() is deprecated', warning: { name: 'DeprecationWarning', code: 'DEP0005' } })]);
  });

  it("logs restify's known http-deceiver deprecation at debug level with the reason, and the same code from elsewhere at warn", () => {
    const { source } = processWithPrinter();
    const { logger, lines } = capturingLogger();
    routeProcessWarnings(logger, source as unknown as WarningSource);
    const message = "Access to process.binding('http_parser') is deprecated.";
    source.emit('warning', warning(message, 'DEP0111', `DeprecationWarning: ${message}\n    at process.binding (node:internal/bootstrap/realm:151:15)\n    at Object.<anonymous> (/app/node_modules/http-deceiver/lib/deceiver.js:22:24)`));
    source.emit('warning', warning(message, 'DEP0111', `DeprecationWarning: ${message}\n    at Object.<anonymous> (/app/node_modules/other/index.js:1:1)`));
    expect(lines.map((line) => line.level)).toEqual([20, 40]);
    expect(lines[0]).toMatchObject({ why: expect.stringContaining('spdy') });
    expect(lines[1]).not.toHaveProperty('why');
  });

  it('installs nothing when Node prints no warnings (--no-warnings), so they stay silent', () => {
    const source = new EventEmitter();
    const { logger, lines } = capturingLogger();
    expect(routeProcessWarnings(logger, source as unknown as WarningSource)).toBe(false);
    expect(source.listenerCount('warning')).toBe(0);
    source.emit('warning', warning('x', 'DEP0005', 'x'));
    expect(lines).toEqual([]);
  });
});
