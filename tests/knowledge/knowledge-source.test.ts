import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import type { KnowledgeBase } from '../../src/knowledge/knowledge-base';
import { KnowledgeSource } from '../../src/knowledge/knowledge-source';
import { LAST_GOOD_FILE } from '../../src/knowledge/last-good-snapshot';
import { KnowledgeBaseError, loadKnowledgeBase } from '../../src/knowledge/load-knowledge-base';
import { KB_DIR } from '../fixtures/runtime';

interface LogEntry {
  level: number;
  msg: string;
  problems?: string[];
}
const ERROR = 50;
const FATAL = 60;

describe('KnowledgeSource: the last good knowledge base', () => {
  let root: string;
  let dir: string;
  let dataDir: string;
  let imu: string;
  let original: string;
  let logged: LogEntry[];

  beforeEach(() => {
    root = mkdtempSync(path.join(os.tmpdir(), 'dialogo-kb-source-'));
    dir = path.join(root, 'kb');
    dataDir = path.join(root, 'data');
    cpSync(KB_DIR, dir, { recursive: true });
    imu = path.join(dir, 'topics', 'imu.yaml');
    original = readFileSync(imu, 'utf8');
    logged = [];
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  function source(production: boolean, build: (from: string) => Promise<KnowledgeBase> = loadKnowledgeBase): KnowledgeSource<KnowledgeBase> {
    const logger = pino({ level: 'info' }, { write: (line: string) => void logged.push(JSON.parse(line) as LogEntry) });
    return new KnowledgeSource({ dir, dataDir, production, logger, build, now: () => new Date('2026-12-01T08:00:00Z') });
  }

  /** Marks the IMU answer so that a test can tell which version is served. */
  function editImu(marker: string): void {
    writeFileSync(imu, original.replace(/answer:\n  it: >-\n/, `answer:\n  it: >-\n    ${marker}.\n`));
  }
  const breakImu = () => writeFileSync(imu, original.replace(/^escalate: .*$/m, 'escalate: forse').replace(/^owner: .*$/m, ''));
  const snapshotFile = () => path.join(dataDir, LAST_GOOD_FILE);

  test('a good load saves every YAML file of the folder as the last good snapshot', async () => {
    const kb = await source(false).start();
    const snapshot = JSON.parse(readFileSync(snapshotFile(), 'utf8')) as { format: number; savedAt: string; files: { path: string; text: string }[] };
    expect(snapshot.format).toBe(1);
    expect(snapshot.savedAt).toBe('2026-12-01T08:00:00.000Z');
    const paths = snapshot.files.map((f) => f.path);
    expect(paths).toEqual(expect.arrayContaining(['synonyms.yaml', 'out-of-scope.yaml', 'topics/imu.yaml']));
    expect(paths.filter((p) => p.startsWith('topics/'))).toHaveLength(kb.size);
    expect(snapshot.files.find((f) => f.path === 'topics/imu.yaml')?.text).toBe(original);
  });

  test('in production a folder that does not validate at start-up serves the last good version, loudly', async () => {
    editImu('VERSIONE BUONA');
    await source(true).start();
    breakImu();
    const restarted = source(true);
    const kb = await restarted.start();
    expect(kb.get('imu')?.answer.it).toMatch(/^VERSIONE BUONA\./);
    expect(restarted.status).toEqual({ source: 'last-good', errors: 2, savedAt: '2026-12-01T08:00:00.000Z' });
    const alarm = logged.find((entry) => entry.level === ERROR && /^KNOWLEDGE BASE INVALID/.test(entry.msg));
    expect(alarm?.problems).toEqual(expect.arrayContaining([expect.stringMatching(/^topics\/imu\.yaml, riga \d+, campo escalate: il campo escalate deve essere true oppure false$/)]));
    // The snapshot's temporary copy is gone, and the snapshot itself is left as it was.
    expect(readdirSync(dataDir)).toEqual([LAST_GOOD_FILE]);
  });

  test('in production without a snapshot, start-up fails with the editors\' message', async () => {
    breakImu();
    await expect(source(true).start()).rejects.toThrow(/^La base di conoscenza non è valida \(2 problemi\):\n  topics\/imu\.yaml/);
    expect(logged.some((entry) => entry.level === FATAL && /no last good snapshot/.test(entry.msg))).toBe(true);
  });

  test('in production a snapshot that was tampered with is refused and start-up fails', async () => {
    await source(true).start();
    const snapshot = JSON.parse(readFileSync(snapshotFile(), 'utf8')) as { files: { path: string }[] };
    snapshot.files[0]!.path = '../../escape.yaml';
    writeFileSync(snapshotFile(), JSON.stringify(snapshot));
    breakImu();
    await expect(source(true).start()).rejects.toBeInstanceOf(KnowledgeBaseError);
    expect(existsSync(path.join(root, 'escape.yaml'))).toBe(false);
  });

  test('in development a folder that does not validate stops start-up even with a snapshot', async () => {
    await source(false).start();
    breakImu();
    await expect(source(false).start()).rejects.toBeInstanceOf(KnowledgeBaseError);
  });

  test('a reload that fails keeps the snapshot and counts the errors; the next good one replaces it', async () => {
    const running = source(false);
    await running.start();
    const saved = readFileSync(snapshotFile(), 'utf8');
    breakImu();
    await expect(running.reload()).rejects.toBeInstanceOf(KnowledgeBaseError);
    expect(running.status).toEqual({ source: 'folder', errors: 2 });
    expect(readFileSync(snapshotFile(), 'utf8')).toBe(saved);
    editImu('CORRETTA');
    await running.reload();
    expect(running.status).toEqual({ source: 'folder', errors: 0 });
    expect(readFileSync(snapshotFile(), 'utf8')).toContain('CORRETTA.');
  });

  test('a save that lands while the folder is being loaded is not taken into the snapshot', async () => {
    const kb = await source(false, async (from) => {
      const loaded = await loadKnowledgeBase(from);
      writeFileSync(imu, 'id: imu\ntitle: [saved during the load\n');
      return loaded;
    }).start();
    expect(kb.get('imu')).toBeDefined();
    expect(existsSync(snapshotFile())).toBe(false);
  });
});

describe('KnowledgeSource: reloads', () => {
  let root: string;
  beforeEach(() => {
    root = mkdtempSync(path.join(os.tmpdir(), 'dialogo-kb-reloads-'));
    cpSync(KB_DIR, path.join(root, 'kb'), { recursive: true });
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  test('one build at a time: reloads asked while one runs share one more build, started after it, of the folder as it is then', async () => {
    const logger = pino({ level: 'silent' });
    let builds = 0;
    let running = 0;
    let overlapped = false;
    const gates: (() => void)[] = [];
    const rebuild = async () => {
      builds += 1;
      running += 1;
      overlapped ||= running > 1;
      await new Promise<void>((resolve) => gates.push(resolve));
      running -= 1;
      return builds;
    };
    const source = new KnowledgeSource({ dir: path.join(root, 'kb'), dataDir: path.join(root, 'data'), production: false, logger, build: async () => 0, rebuild });
    const first = source.reload();
    const second = source.reload();
    const third = source.reload();
    expect(third).toBe(second);
    await until(() => gates.length === 1);
    gates.shift()?.();
    expect(await first).toBe(1);
    await until(() => gates.length === 1);
    gates.shift()?.();
    expect(await second).toBe(2);
    expect(await third).toBe(2);
    expect(builds).toBe(2);
    expect(overlapped).toBe(false);
  });
});

async function until(check: () => boolean): Promise<void> {
  const started = Date.now();
  while (!check()) {
    if (Date.now() - started > 10_000) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 10));
  }
}
