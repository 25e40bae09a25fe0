import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { KnowledgeBaseError } from '../../src/knowledge/load-knowledge-base';
import { buildInWorker } from '../../src/nlu/build-in-worker';
import { realRuntime, KB_DIR } from '../fixtures/runtime';

/** A hold for the build worker: it waits until the test releases it. */
function hold(): { buffer: SharedArrayBuffer; release(): void } {
  const buffer = new SharedArrayBuffer(4);
  const view = new Int32Array(buffer);
  return {
    buffer,
    release() {
      Atomics.store(view, 0, 1);
      Atomics.notify(view, 0);
    },
  };
}

describe('buildInWorker: the knowledge base built off the event loop', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'dialogo-kb-worker-'));
    cpSync(KB_DIR, dir, { recursive: true });
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  test('the old recognizer answers, and timers fire, while a held build waits; released, a new knowledge base and recognizer are built', async () => {
    const old = await realRuntime();
    const gate = hold();
    let settled = false;
    const building = buildInWorker(dir, { hold: gate.buffer }).finally(() => (settled = true));
    try {
      for (let turn = 0; turn < 5; turn++) {
        const started = Date.now();
        await new Promise((resolve) => setTimeout(resolve, 20));
        expect(Date.now() - started).toBeLessThan(2000);
        expect((await old.recognizer.recognize('quanto costa la carta d identità')).candidates[0]?.topicId).toBe('carta-identita');
      }
      expect(settled).toBe(false);
    } finally {
      gate.release();
    }
    const built = await building;
    expect(built.kb).not.toBe(old.kb);
    expect(built.kb.size).toBe(old.kb.size);
    expect(built.recognizer.recognizeText('quanto costa la carta d identità').candidates[0]?.topicId).toBe('carta-identita');
  }, 120_000);

  test('a folder that does not validate rejects with the KnowledgeBaseError of the worker, every editor problem intact', async () => {
    const imu = path.join(dir, 'topics', 'imu.yaml');
    writeFileSync(imu, readFileSync(imu, 'utf8').replace(/^escalate: .*$/m, 'escalate: forse'));
    const error = await buildInWorker(dir).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(KnowledgeBaseError);
    const { problems } = error as KnowledgeBaseError;
    expect(problems).toEqual([expect.objectContaining({ file: path.join('topics', 'imu.yaml'), path: 'escalate', line: expect.any(Number), messageIt: expect.any(String) })]);
  }, 60_000);

  test('a worker that crashes fails that build only, with a clear message; the next build works', async () => {
    // An uncaught error in the worker. (A tiny heap limit made the worker die as well on Node 20,
    // but on Node 22 a heap too small to start the worker's isolate kills the whole process.)
    await expect(buildInWorker(dir, { crash: true })).rejects.toThrow(/knowledge base build worker crashed: crash asked for by a test/);
    const built = await buildInWorker(dir);
    expect(built.kb.size).toBeGreaterThan(0);
  }, 120_000);

  test('a worker that hangs is ended at the timeout and that build fails', async () => {
    const gate = hold();
    try {
      await expect(buildInWorker(dir, { hold: gate.buffer, timeoutMs: 500 })).rejects.toThrow(/did not finish within 500 ms/);
    } finally {
      gate.release();
    }
  }, 60_000);

  test('a build abandoned at shutdown fails at once and ends its worker, instead of being waited for', async () => {
    const gate = hold();
    const shutdown = new AbortController();
    try {
      const building = buildInWorker(dir, { hold: gate.buffer, signal: shutdown.signal });
      setTimeout(() => shutdown.abort(), 200);
      await expect(building).rejects.toThrow(/shutting down/);
    } finally {
      gate.release();
    }
  }, 60_000);
});
