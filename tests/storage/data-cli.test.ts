import { execFile } from 'node:child_process';
import { rmSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { loadConfig } from '../../src/config';
import { openStorage } from '../../src/storage/open-storage';
import { SQLITE_FILE } from '../../src/storage/sqlite/sqlite-backend';
import { event } from '../fixtures/events';
import { tempDataDir } from '../fixtures/runtime';

const ROOT = path.resolve(__dirname, '../..');
const CLI_TIMEOUT_MS = 60_000;
const EMAIL = 'mario.rossi@example.it';

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a data script as the operations team would, against the SQLite file in `dataDir`. */
function script(file: string, dataDir: string, args: string[]): Promise<Run> {
  const { MONGODB_URI: _notThisStore, ...env } = process.env;
  return new Promise((resolve) => {
    execFile(
      'npx',
      ['ts-node', '--swc', `scripts/${file}`, ...args],
      { cwd: ROOT, env: { ...env, DATA_DIR: dataDir, NODE_ENV: 'test' }, timeout: CLI_TIMEOUT_MS },
      (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

describe('npm run data:export and data:purge cover every store', () => {
  let dataDir: string;
  beforeAll(async () => {
    dataDir = tempDataDir();
    const backend = await openStorage(loadConfig({ DATA_DIR: dataDir, NODE_ENV: 'test' }));
    await backend.state.write({ 'directline/conversation/conv-old': { activities: ['vecchio'] }, 'directline/conversation/conv-1': { activities: [`scrivete a ${EMAIL}`] }, 'directline/conversations/conv-1/': { DialogState: { email: EMAIL } } });
    await backend.tickets.create({ reference: 'DLG-2026-000001', createdAt: '2026-03-31T16:00:00.000Z', conversationId: 'conv-1', channel: 'directline', language: 'it', topicId: null, contactEmail: EMAIL, description: 'rimborso TARI', state: 'open' });
    await backend.events.append([event('p1', '2020-01-01T00:00:00.000Z'), event('p1', '2099-01-01T00:00:00.000Z')]);
    await backend.close();
    // The idle item was last written long ago.
    const db = new Database(path.join(dataDir, SQLITE_FILE));
    db.prepare("UPDATE state SET updated_at = '2020-01-01T00:00:00.000Z' WHERE key = 'directline/conversation/conv-old'").run();
    db.close();
  });
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  test('data:export prints the state, written requests and events of one citizen, decrypted, one JSON line each', async () => {
    const run = await script('data-export.ts', dataDir, ['--conversation', 'p1', '--channel', 'directline', '--channel-conversation', 'conv-1']);
    expect(run.code).toBe(0);
    const lines = run.stdout.trim().split('\n').map((l) => JSON.parse(l) as { store: string; key?: string; record: Record<string, unknown> });
    expect(lines.map((l) => [l.store, l.key])).toEqual([
      ['events', undefined],
      ['events', undefined],
      ['state', 'directline/conversation/conv-1'],
      ['state', 'directline/conversations/conv-1/'],
      ['tickets', undefined],
    ]);
    expect(lines[2]?.record).toEqual({ activities: [`scrivete a ${EMAIL}`] });
    expect(lines[4]?.record).toMatchObject({ reference: 'DLG-2026-000001', contactEmail: EMAIL });
    expect(run.stderr).toMatch(/5 records/);
  }, CLI_TIMEOUT_MS);

  test('data:export without an id says how to call it', async () => {
    const run = await script('data-export.ts', dataDir, ['--channel', 'directline']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/usage: npm run data:export/);
  }, CLI_TIMEOUT_MS);

  test('data:purge deletes old events and idle state items, and reports each store', async () => {
    const run = await script('data-purge.ts', dataDir, ['--older-than', '30d']);
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ store: 'sqlite', events: 1, handoffSessions: 0, tickets: 0, stateItems: 1 });
    const backend = await openStorage(loadConfig({ DATA_DIR: dataDir, NODE_ENV: 'test' }));
    try {
      expect(await backend.stateRetention.keysWithPrefix('directline/')).toEqual(['directline/conversation/conv-1', 'directline/conversations/conv-1/']);
    } finally {
      await backend.close();
    }
  }, CLI_TIMEOUT_MS);
});
