import { existsSync, readFileSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { loadConfig } from '../../src/config';
import { createRecordCipher } from '../../src/privacy/encryption';
import { dataEncryptionKey, openStorage } from '../../src/storage/open-storage';
import { tempDataDir } from '../fixtures/runtime';

const KEY = 'chiave-di-prova-lunga-almeno-32-caratteri!';

describe('openStorage and the data encryption key', () => {
  let dataDir: string;
  beforeEach(() => {
    dataDir = tempDataDir();
  });
  afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

  test('outside production without DATA_ENCRYPTION_KEY, a random key is created once in DATA_DIR, readable by its owner only, and reused', async () => {
    const config = loadConfig({ DATA_DIR: dataDir, NODE_ENV: 'development' });
    const first = await openStorage(config);
    await first.state.write({ k: { text: 'RSSMRA85T10A562S' } });
    await first.close();
    const file = path.join(dataDir, 'data-encryption.key');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readFileSync(file, 'utf8').trim()).toMatch(/^[0-9a-f]{64}$/);
    expect(dataEncryptionKey(config)).toBe(readFileSync(file, 'utf8').trim());
    const second = await openStorage(config);
    try {
      expect((await second.state.read(['k'])).k).toMatchObject({ text: 'RSSMRA85T10A562S' });
    } finally {
      await second.close();
    }
  });

  test('with DATA_ENCRYPTION_KEY, records are sealed with the key derived from it and no key file is written', async () => {
    const config = loadConfig({ DATA_DIR: dataDir, NODE_ENV: 'development', DATA_ENCRYPTION_KEY: KEY });
    const backend = await openStorage(config);
    try {
      await backend.tickets.create({ reference: 'DLG-2026-000001', createdAt: '2026-03-31T16:00:00.000Z', conversationId: 'c', channel: 'directline', language: 'it', topicId: null, contactEmail: 'a@example.org', description: 'x', state: 'open' });
    } finally {
      await backend.close();
    }
    expect(existsSync(path.join(dataDir, 'data-encryption.key'))).toBe(false);
    expect(dataEncryptionKey(config)).toBe(KEY);
    // Under another key the record does not open: it was sealed with this one.
    const other = await openStorage(loadConfig({ DATA_DIR: dataDir, NODE_ENV: 'development', DATA_ENCRYPTION_KEY: 'unaltra-chiave-di-prova-lunga-32-caratteri' }));
    try {
      await expect(other.tickets.get('DLG-2026-000001')).rejects.toThrow(new RegExp(createRecordCipher(KEY).keyId));
    } finally {
      await other.close();
    }
  });

  test('a state item the key cannot open is handed to onUnreadable and reads as missing', async () => {
    const sealer = await openStorage(loadConfig({ DATA_DIR: dataDir, NODE_ENV: 'development', DATA_ENCRYPTION_KEY: KEY }));
    await sealer.state.write({ k: { n: 1 } });
    await sealer.close();
    const reasons: string[] = [];
    const reader = await openStorage(loadConfig({ DATA_DIR: dataDir, NODE_ENV: 'development' }), { onUnreadable: (error) => reasons.push(error.reason) });
    try {
      expect(await reader.state.read(['k'])).toEqual({});
      expect(reasons).toEqual(['unknown-key']);
    } finally {
      await reader.close();
    }
  });
});
