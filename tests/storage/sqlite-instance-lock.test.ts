import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { loadConfig } from '../../src/config';
import { startDialogo } from '../../src/index';
import { createLogger } from '../../src/logger';
import { openStorage } from '../../src/storage/open-storage';
import { INSTANCE_LOCK_FILE, InstanceLockedError } from '../../src/storage/sqlite/instance-lock';
import { tempDataDir } from '../fixtures/runtime';

const ROOT = path.resolve(__dirname, '../..');

/**
 * Another OS process that opens the store as the server does and keeps it open: the lock must
 * hold across processes (threads of one process share SQLite's locks differently).
 */
async function serverProcessHolding(dataDir: string): Promise<ChildProcess> {
  const program = `
    require('ts-node').register({ transpileOnly: true });
    const { loadConfig } = require('./src/config');
    const { openStorage } = require('./src/storage/open-storage');
    openStorage(loadConfig({ DATA_DIR: process.env.HOLD_DIR, NODE_ENV: 'test' }), { instanceLock: true })
      // Kept reachable, as the server keeps its store: a store nobody refers to may be collected, lock and all.
      .then((backend) => { globalThis.heldStore = backend; process.stdout.write('held\\n'); setInterval(() => {}, 60000); })
      .catch((error) => { process.stderr.write(String(error)); process.exit(3); });
  `;
  const { MONGODB_URI: _notThisStore, ...env } = process.env;
  const child = spawn(process.execPath, ['-e', program], { cwd: ROOT, env: { ...env, HOLD_DIR: dataDir }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const [first] = (await Promise.race([once(child.stdout!, 'data'), once(child, 'exit').then(() => [Buffer.from(`exited: ${stderr}`)])])) as [Buffer];
  if (first.toString().trim() !== 'held') throw new Error(`the holder did not take the lock: ${first.toString()}`);
  return child;
}

async function kill(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill(signal);
  await exited;
}

describe('the embedded SQLite store serves one server process per data folder', () => {
  let dataDir: string;
  let holder: ChildProcess | undefined;
  beforeEach(() => {
    dataDir = tempDataDir();
  });
  afterEach(async () => {
    if (holder) await kill(holder, 'SIGKILL');
    holder = undefined;
    rmSync(dataDir, { recursive: true, force: true });
  });

  test('a second server process on the same DATA_DIR fails at once, naming the folder and what to do', async () => {
    holder = await serverProcessHolding(dataDir);
    const config = loadConfig({ DATA_DIR: dataDir, NODE_ENV: 'test' });
    const started = Date.now();
    const refused = await openStorage(config, { instanceLock: true }).then(
      async (backend) => {
        await backend.close();
        return undefined;
      },
      (error: unknown) => error,
    );
    // At once: not after SQLite's busy timeout, which would hold a deploy's start-up for nothing.
    expect(Date.now() - started).toBeLessThan(2000);
    expect(refused).toBeInstanceOf(InstanceLockedError);
    const message = (refused as Error).message;
    expect(message).toContain(dataDir);
    expect(message).toMatch(/stop the other process/);
    expect(message).toMatch(/MONGODB_URI and REDIS_URL/);
  });

  test('Dialogo itself does not start on a folder another server holds', async () => {
    holder = await serverProcessHolding(dataDir);
    const config = loadConfig({ DATA_DIR: dataDir, NODE_ENV: 'test', PORT: '0', HOST: '127.0.0.1' });
    const outcome = await startDialogo(config, createLogger('silent')).then(
      async (dialogo) => {
        await dialogo.stop();
        return 'started';
      },
      (error: unknown) => error,
    );
    expect(outcome).toBeInstanceOf(InstanceLockedError);
  }, 60_000);

  test('a start that fails after taking the folder lets it go: the next start in the same process succeeds', async () => {
    const kbBroken = path.resolve(__dirname, '../fixtures/kb-broken');
    const failed = await startDialogo(loadConfig({ DATA_DIR: dataDir, NODE_ENV: 'test', PORT: '0', HOST: '127.0.0.1', KB_DIR: kbBroken, KB_WATCH: 'false' }), createLogger('silent')).then(
      async (dialogo) => {
        await dialogo.stop();
        return undefined;
      },
      (error: unknown) => error,
    );
    expect(failed).toBeInstanceOf(Error);
    expect(failed).not.toBeInstanceOf(InstanceLockedError);
    const dialogo = await startDialogo(loadConfig({ DATA_DIR: dataDir, NODE_ENV: 'test', PORT: '0', HOST: '127.0.0.1', KB_WATCH: 'false' }), createLogger('silent'));
    await dialogo.stop();
  }, 60_000);

  test('the demo seed, which runs the bot pipeline as a tool, starts beside the server holding the folder', async () => {
    holder = await serverProcessHolding(dataDir);
    const config = loadConfig({ DATA_DIR: dataDir, NODE_ENV: 'test', PORT: '0', HOST: '127.0.0.1', KB_WATCH: 'false' });
    const dialogo = await startDialogo(config, createLogger('silent'), { instanceLock: false });
    await dialogo.stop();
  }, 60_000);

  test('the CLI tools open the same store while the server holds the folder', async () => {
    holder = await serverProcessHolding(dataDir);
    const tool = await openStorage(loadConfig({ DATA_DIR: dataDir, NODE_ENV: 'test' }));
    try {
      await tool.state.write({ k: { n: 1 } });
      expect((await tool.state.read(['k'])).k).toMatchObject({ n: 1 });
    } finally {
      await tool.close();
    }
  });

  test('after the holder is killed with SIGKILL a new server takes the folder at once, with no lock file to clean', async () => {
    holder = await serverProcessHolding(dataDir);
    await kill(holder, 'SIGKILL');
    const backend = await openStorage(loadConfig({ DATA_DIR: dataDir, NODE_ENV: 'test' }), { instanceLock: true });
    await backend.close();
    expect(readdirSync(dataDir).filter((f) => f.startsWith(INSTANCE_LOCK_FILE))).toEqual([INSTANCE_LOCK_FILE]);
  });

  test('closing the store gives the folder back', async () => {
    const config = loadConfig({ DATA_DIR: dataDir, NODE_ENV: 'test' });
    const first = await openStorage(config, { instanceLock: true });
    await expect(openStorage(config, { instanceLock: true })).rejects.toBeInstanceOf(InstanceLockedError);
    await first.close();
    const second = await openStorage(config, { instanceLock: true });
    await second.close();
  });
});
