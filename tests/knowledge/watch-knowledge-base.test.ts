import { mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { createLogger } from '../../src/logger';
import { loadKnowledgeBase } from '../../src/knowledge/load-knowledge-base';
import { watchKnowledgeBase, type KnowledgeBaseWatcher } from '../../src/knowledge/watch-knowledge-base';

const DEBOUNCE_MS = 200;
/** Long enough for a second, unwanted reload to show: debounce, write-finish check and margin. */
const QUIET_MS = 1200;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function until(check: () => boolean, timeoutMs = 10_000): Promise<void> {
  const started = Date.now();
  while (!check()) {
    if (Date.now() - started > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms`);
    await sleep(25);
  }
}

/** The number of file-system watch handles this process holds (inotify watches and stat pollers). */
function watchHandles(): number {
  return process.getActiveResourcesInfo().filter((name) => name === 'FSEventWrap' || name === 'StatWatcher').length;
}

describe('watchKnowledgeBase', () => {
  let dir: string;
  let file: string;
  let watcher: KnowledgeBaseWatcher | undefined;
  /** What each reload read from topics/imu.yaml. */
  let seen: string[];

  beforeEach(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'dialogo-watch-'));
    mkdirSync(path.join(dir, 'topics'));
    file = path.join(dir, 'topics', 'imu.yaml');
    writeFileSync(file, 'version: 0\n');
    writeFileSync(path.join(dir, 'synonyms.yaml'), 'groups: []\n');
    seen = [];
    watcher = watchKnowledgeBase(dir, {
      logger: createLogger('silent'),
      debounceMs: DEBOUNCE_MS,
      reload: async () => {
        seen.push(readFileSync(file, 'utf8'));
      },
    });
    await watcher.ready;
  });

  afterEach(async () => {
    await watcher?.close();
    watcher = undefined;
    rmSync(dir, { recursive: true, force: true });
  });

  test('a sed -i style save (temporary file renamed over the original) reloads once with the new content, every time', async () => {
    for (const version of [1, 2, 3]) {
      const temporary = path.join(dir, 'topics', `sed${version}Xq2f`);
      writeFileSync(temporary, `version: ${version}\n`);
      renameSync(temporary, file);
      await until(() => seen.length === version);
      await sleep(QUIET_MS);
      expect(seen).toHaveLength(version);
      expect(seen[version - 1]).toBe(`version: ${version}\n`);
    }
  });

  test('an rsync style save (hidden temporary file in the folder, then renamed) reloads once with the new content, every time', async () => {
    for (const version of [1, 2]) {
      const temporary = path.join(dir, 'topics', `.imu.yaml.Gh71K${version}`);
      writeFileSync(temporary, `version: rsync-${version}\n`);
      await sleep(100);
      renameSync(temporary, file);
      await until(() => seen.length === version);
      await sleep(QUIET_MS);
      expect(seen).toHaveLength(version);
      expect(seen[version - 1]).toBe(`version: rsync-${version}\n`);
    }
  });

  test('a burst of saves to several files reloads once, with the last content', async () => {
    for (let i = 1; i <= 5; i += 1) {
      writeFileSync(file, `version: burst-${i}\n`);
      writeFileSync(path.join(dir, 'synonyms.yaml'), `groups: [] # ${i}\n`);
      await sleep(20);
    }
    await until(() => seen.length === 1);
    await sleep(QUIET_MS);
    expect(seen).toEqual(['version: burst-5\n']);
  });

  test('files that are not YAML (editor backups, swap files) do not reload', async () => {
    writeFileSync(path.join(dir, 'topics', 'imu.yaml~'), 'backup\n');
    writeFileSync(path.join(dir, 'topics', '.imu.yaml.swp'), 'swap\n');
    await sleep(QUIET_MS);
    expect(seen).toEqual([]);
  });

  test('close releases every watch handle and no reload follows', async () => {
    expect(watchHandles()).toBeGreaterThan(0);
    await watcher!.close();
    // Node releases a watch handle on the loop turn after close() returns.
    await until(() => watchHandles() === 0, 1000);
    writeFileSync(file, 'version: after-close\n');
    await sleep(QUIET_MS);
    expect(seen).toEqual([]);
  });

  test('a reload that fails validation is logged with the Italian lines for the editors', async () => {
    await watcher!.close();
    const logged: { msg: string; problems?: string[] }[] = [];
    const logger = pino({ level: 'info' }, { write: (line: string) => void logged.push(JSON.parse(line) as { msg: string; problems?: string[] }) });
    watcher = watchKnowledgeBase(dir, { logger, debounceMs: DEBOUNCE_MS, reload: async () => void (await loadKnowledgeBase(dir)) });
    await watcher.ready;
    writeFileSync(file, 'id: imu\ntitle: [broken\n');
    await until(() => logged.some((entry) => entry.problems));
    expect(logged.find((entry) => entry.problems)).toMatchObject({
      msg: 'knowledge base reload failed; the previous version keeps serving',
      problems: expect.arrayContaining([expect.stringMatching(/^topics\/imu\.yaml, riga 3: errore di scrittura YAML: una parentesi/)]),
    });
  });
});
