import { execFile } from 'node:child_process';
import { rmSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { tempDataDir } from '../fixtures/runtime';

const ROOT = path.resolve(__dirname, '..', '..');

describe('what a single instance on its embedded defaults loads', () => {
  it('leaves out the drivers of what is not configured and the dialog prompts it never uses', async () => {
    const dataDir = tempDataDir();
    try {
      const { MONGODB_URI: _notThisStore, REDIS_URL: _noCluster, ...env } = process.env;
      const { stdout } = await promisify(execFile)(process.execPath, ['-r', 'ts-node/register/transpile-only', 'tests/fixtures/loaded-modules.ts'], {
        cwd: ROOT,
        env: { ...env, DATA_DIR: dataDir },
        timeout: 60_000,
      });
      const loaded = stdout.split('\n').filter(Boolean);
      expect(loaded).toEqual(expect.arrayContaining(['botbuilder', 'botbuilder-dialogs', 'better-sqlite3', 'restify']));
      // MongoDB, Redis and SMTP load only when configured (8, 3.5 and 2.7 MB of heap); the dialogs'
      // prompts bring Microsoft's recognizers-text (20 MB) and Dialogo has no prompt.
      for (const absent of ['mongodb', 'bson', 'redis', '@redis/client', 'nodemailer']) expect(loaded).not.toContain(absent);
      expect(loaded.filter((name) => name.startsWith('@microsoft/recognizers-text'))).toEqual([]);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
