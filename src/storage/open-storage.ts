import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Config } from '../config';
import { openMongoBackend } from './mongodb/mongodb-backend';
import type { StorageBackend } from './ports';
import { openSqliteBackend } from './sqlite/sqlite-backend';

const SECRET_FILE = 'pseudonym.key';

/**
 * The storage backend the configuration asks for: MongoDB when MONGODB_URI is set, the
 * embedded SQLite file under DATA_DIR otherwise.
 *
 * @example
 * const backend = await openStorage(config);
 */
export async function openStorage(config: Config): Promise<StorageBackend> {
  const { mongodbUri, mongodbDb } = config.storage;
  return mongodbUri ? openMongoBackend(mongodbUri, mongodbDb) : openSqliteBackend(config.dataDir);
}

/**
 * The key of pseudonymous conversation ids: PSEUDONYM_SECRET, or outside production a random
 * key created once under DATA_DIR, so that ids stay stable across restarts.
 */
export function pseudonymSecret(config: Config): string {
  if (config.storage.pseudonymSecret) return config.storage.pseudonymSecret;
  const file = path.join(config.dataDir, SECRET_FILE);
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  mkdirSync(config.dataDir, { recursive: true });
  const secret = randomBytes(32).toString('hex');
  writeFileSync(file, `${secret}\n`, { mode: 0o600 });
  return secret;
}
