import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../src/config';
import { startDialogo } from '../../src/index';
import { createLogger } from '../../src/logger';
import { KB_DIR } from '../fixtures/runtime';

const PRODUCTION = { NODE_ENV: 'production', PSEUDONYM_SECRET: 'p'.repeat(16), OPERATOR_TOKEN_SECRET: 'o'.repeat(16), DATA_ENCRYPTION_KEY: 'k'.repeat(32) };

describe('start-up on the last good knowledge base', () => {
  let root: string;
  beforeAll(() => {
    root = mkdtempSync(path.join(os.tmpdir(), 'dialogo-last-good-'));
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  test('in production Dialogo starts on the last good version when a file is broken, and readiness says so', async () => {
    const dir = path.join(root, 'kb');
    const env = { PORT: '0', HOST: '127.0.0.1', KB_DIR: dir, KB_WATCH: 'false', DATA_DIR: path.join(root, 'data') };
    cpSync(KB_DIR, dir, { recursive: true });
    const first = await startDialogo(loadConfig({ ...env, NODE_ENV: 'test' }), createLogger('silent'));
    await first.stop();

    const imu = path.join(dir, 'topics', 'imu.yaml');
    writeFileSync(imu, readFileSync(imu, 'utf8').replace(/^escalate: .*$/m, 'escalate: forse'));
    await expect(startDialogo(loadConfig({ ...env, NODE_ENV: 'test' }), createLogger('silent'))).rejects.toThrow(/campo escalate/);

    const dialogo = await startDialogo(loadConfig({ ...env, ...PRODUCTION }), createLogger('silent'));
    try {
      const response = await fetch(`http://127.0.0.1:${dialogo.port}/readyz`, { headers: { connection: 'close' } });
      expect(response.status).toBe(200);
      expect(await response.json()).toMatchObject({ ready: true, topics: 40, knowledgeBase: { source: 'last-good', errors: 1 } });
      expect(dialogo.runtime.current().kb.get('imu')?.escalate).toBe(false);
    } finally {
      await dialogo.stop();
    }
  }, 60_000);
});
