import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import path from 'node:path';
import type { CloudAdapter } from 'botbuilder';
import type { Request, Response } from 'restify';
import { createLogger } from '../../src/logger';
import { createServer } from '../../src/server/create-server';
import { createStopper } from '../../src/server/stop-on-signal';
import { tempDataDir } from '../fixtures/runtime';

const ROOT = path.resolve(__dirname, '../..');
const GRACE_MS = 3000;
/** Start-up through ts-node on a shared CI machine: generous, it is not what is measured. */
const START_TIMEOUT_MS = 60_000;

describe('graceful shutdown', () => {
  test('finishes the turn in flight, then stops accepting and closes', async () => {
    let finishTurn: () => void = () => undefined;
    const adapter = {
      process: async (_req: Request, res: Response) => {
        await new Promise<void>((resolve) => (finishTurn = resolve));
        res.send(200, { done: true });
      },
    } as unknown as CloudAdapter;
    const dialogo = createServer({ adapter, botLogic: async () => undefined, readiness: () => ({ ready: true, details: {} }), logger: createLogger('silent') });
    await new Promise<void>((resolve) => dialogo.server.listen(0, '127.0.0.1', () => resolve()));
    const { port } = dialogo.server.address() as { port: number };

    const turn = fetch(`http://127.0.0.1:${port}/api/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ type: 'message', text: 'ciao', conversation: { id: 'c' } }),
    });
    while (dialogo.inFlight() === 0) await new Promise((r) => setTimeout(r, 5));

    let stopped = false;
    const stopping = dialogo.shutdown(5000).then(() => (stopped = true));
    await new Promise((r) => setTimeout(r, 50));
    expect(stopped).toBe(false);

    finishTurn();
    const response = await turn;
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ done: true });
    await stopping;
    expect(stopped).toBe(true);
    await expect(fetch(`http://127.0.0.1:${port}/healthz`)).rejects.toThrow();
  });
});

interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** Milliseconds from SIGTERM to the exit. */
  afterSignalMs: number;
  /** What the server wrote on its standard error until it listened. */
  stderr: string;
}

/**
 * Starts the server as `npm start` does (the compiled entry point, here through ts-node so that no
 * build is needed), waits for it to listen, closes the parent's end of its standard output (and of
 * its standard error when asked), then sends SIGTERM. A server still alive 5 s after the grace period
 * is killed, so that a regression fails the test instead of hanging it.
 */
async function stopAfterOutputClosed(options: { closeStderr: boolean }): Promise<Exit> {
  const dataDir = tempDataDir();
  const { MONGODB_URI: _notThisStore, ...env } = process.env;
  const child = spawn(process.execPath, ['-r', './tests/fixtures/ts-node-swc.js', 'src/index.ts'], {
    cwd: ROOT,
    env: { ...env, PORT: '0', HOST: '127.0.0.1', DATA_DIR: dataDir, KB_WATCH: 'false', LOG_LEVEL: 'info', SHUTDOWN_GRACE_MS: String(GRACE_MS) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  try {
    await new Promise<void>((resolve, reject) => {
      let output = '';
      const timer = setTimeout(() => reject(new Error(`server did not start in ${START_TIMEOUT_MS} ms:\n${output}`)), START_TIMEOUT_MS);
      child.stdout.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        if (output.includes('Dialogo listening')) {
          clearTimeout(timer);
          resolve();
        }
      });
      void exited.then(({ code }) => reject(new Error(`server exited with ${code} before listening:\n${output}`)));
    });
    child.stdout.destroy();
    if (options.closeStderr) child.stderr.destroy();
    const signalledAt = Date.now();
    child.kill('SIGTERM');
    const killer = setTimeout(() => child.kill('SIGKILL'), GRACE_MS + 5000);
    const { code, signal } = await exited;
    clearTimeout(killer);
    return { code, signal, afterSignalMs: Date.now() - signalledAt, stderr };
  } finally {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await exited;
    }
    rmSync(dataDir, { recursive: true, force: true });
  }
}

describe('SIGTERM ends the process within SHUTDOWN_GRACE_MS whatever became of its output', () => {
  test('after the reader of its standard output went away', async () => {
    const exit = await stopAfterOutputClosed({ closeStderr: false });
    expect(exit).toMatchObject({ code: 0, signal: null });
    expect(exit.afterSignalMs).toBeLessThan(GRACE_MS);
    // A start writes nothing on standard error: Node's warnings (restify's HTTP/2 dependency raises
    // one at load) go to the JSON log (src/server/process-warnings.ts).
    expect(exit.stderr).toBe('');
  }, START_TIMEOUT_MS + GRACE_MS + 10_000);

  test('after the readers of its standard output and standard error went away', async () => {
    const exit = await stopAfterOutputClosed({ closeStderr: true });
    expect(exit).toMatchObject({ code: 0, signal: null });
    expect(exit.afterSignalMs).toBeLessThan(GRACE_MS);
  }, START_TIMEOUT_MS + GRACE_MS + 10_000);
});

describe('createStopper', () => {
  const logger = createLogger('silent');

  test('exits with 0 once the orderly stop completes, and later signals start nothing', async () => {
    const exits: number[] = [];
    let stops = 0;
    const onSignal = createStopper({ stop: async () => void (stops += 1), graceMs: 100, logger, exit: (code) => exits.push(code) });
    onSignal('SIGTERM');
    onSignal('SIGINT');
    await new Promise((r) => setTimeout(r, 200));
    expect(stops).toBe(1);
    expect(exits).toEqual([0]);
  });

  test('exits with 1 when the orderly stop fails', async () => {
    const exits: number[] = [];
    const onSignal = createStopper({ stop: () => Promise.reject(new Error('store gone')), graceMs: 100, logger, exit: (code) => exits.push(code) });
    onSignal('SIGTERM');
    await new Promise((r) => setTimeout(r, 200));
    expect(exits).toEqual([1]);
  });

  test('exits with 1 at the end of the grace period when the stop never completes', async () => {
    const exits: number[] = [];
    const onSignal = createStopper({ stop: () => new Promise<void>(() => undefined), graceMs: 100, logger, exit: (code) => exits.push(code) });
    onSignal('SIGTERM');
    await new Promise((r) => setTimeout(r, 50));
    expect(exits).toEqual([]);
    await new Promise((r) => setTimeout(r, 150));
    expect(exits).toEqual([1]);
  });
});
