import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadLocalRecognizer } from '../../src/nlu/load-local-recognizer';
import { KB_DIR } from '../fixtures/runtime';

describe('loadLocalRecognizer', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'dialogo-kb-builds-'));
    cpSync(KB_DIR, dir, { recursive: true });
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test('the same files give the same build, without building again; an edited file gives a new one', async () => {
    const first = await loadLocalRecognizer(dir);
    const copy = mkdtempSync(path.join(os.tmpdir(), 'dialogo-kb-builds-'));
    try {
      cpSync(dir, copy, { recursive: true });
      expect((await loadLocalRecognizer(copy)).recognizer).toBe(first.recognizer);
    } finally {
      rmSync(copy, { recursive: true, force: true });
    }
    const file = path.join(dir, 'topics', 'imu.yaml');
    writeFileSync(file, readFileSync(file, 'utf8').replace(/^answer:\n  it: >-\n/m, 'answer:\n  it: >-\n    RISPOSTA NUOVA.\n'));
    const edited = await loadLocalRecognizer(dir);
    expect(edited.recognizer).not.toBe(first.recognizer);
    expect(edited.kb.get('imu')!.answer.it).toMatch(/^RISPOSTA NUOVA\./);
  }, 60_000);

  test('a folder that fails to load is read again each time: a failure is not kept, and the fix is read', async () => {
    const file = path.join(dir, 'topics', 'imu.yaml');
    const good = readFileSync(file, 'utf8');
    writeFileSync(file, 'id: imu\ntitle: [broken\n');
    await expect(loadLocalRecognizer(dir)).rejects.toThrow(/imu\.yaml/);
    await expect(loadLocalRecognizer(dir)).rejects.toThrow(/imu\.yaml/);
    writeFileSync(file, good);
    expect((await loadLocalRecognizer(dir)).kb.get('imu')).toBeDefined();
  }, 60_000);
});
