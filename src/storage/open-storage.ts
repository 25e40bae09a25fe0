import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Config } from '../config';
import { sealBackend, type SealedBackend, type UnreadableHandler } from '../privacy/encrypted-storage';
import { createRecordCipher } from '../privacy/encryption';
import type { StorageBackend } from './ports';
import { acquireInstanceLock } from './sqlite/instance-lock';
import { openSqliteBackend } from './sqlite/sqlite-backend';

const PSEUDONYM_FILE = 'pseudonym.key';
const ENCRYPTION_FILE = 'data-encryption.key';

/** Options of {@link openStorage}. */
export interface OpenStorageOptions {
  /**
   * Told about a state item that cannot be opened (key changed or lost, record altered); the
   * item then reads as missing. Unset: the read fails with the error.
   */
  readonly onUnreadable?: UnreadableHandler;
  /**
   * The server's own opening: on SQLite, take DATA_DIR for this process (released on close) and
   * fail with InstanceLockedError if another server holds it. The CLI tools leave it unset, so
   * that they run beside the server.
   */
  readonly instanceLock?: boolean;
}

/**
 * The storage backend the configuration asks for: MongoDB when MONGODB_URI is set, the
 * embedded SQLite file under DATA_DIR otherwise; the records that keep citizens' own words
 * (state, handoff sessions, written requests) sealed with the key of {@link dataEncryptionKey}.
 *
 * @example
 * const backend = await openStorage(config, { onUnreadable: (error) => logger.warn({ err: error }, 'state item unreadable') });
 */
export async function openStorage(config: Config, options: OpenStorageOptions = {}): Promise<SealedBackend> {
  const { mongodbUri, mongodbDb } = config.storage;
  const cipher = createRecordCipher(dataEncryptionKey(config));
  // The MongoDB driver is loaded only when it is used: on the embedded default it would be 8 MB of heap for nothing.
  const backend = mongodbUri ? await (await import('./mongodb/mongodb-backend')).openMongoBackend(mongodbUri, mongodbDb) : openLockedSqlite(config.dataDir, options.instanceLock ?? false);
  const onUnreadable: UnreadableHandler =
    options.onUnreadable ??
    ((error) => {
      throw error;
    });
  return sealBackend(backend, cipher, onUnreadable);
}

/** The SQLite backend, with DATA_DIR held for this process from before the migrations until close when `locked`. */
function openLockedSqlite(dataDir: string, locked: boolean): StorageBackend {
  if (!locked) return openSqliteBackend(dataDir);
  const lock = acquireInstanceLock(dataDir);
  let backend: StorageBackend;
  try {
    backend = openSqliteBackend(dataDir);
  } catch (error) {
    lock.release();
    throw error;
  }
  return {
    ...backend,
    async close() {
      try {
        await backend.close();
      } finally {
        lock.release();
      }
    },
  };
}

/**
 * The key of pseudonymous conversation ids: PSEUDONYM_SECRET, or outside production a random
 * key created once under DATA_DIR, so that ids stay stable across restarts.
 */
export function pseudonymSecret(config: Config): string {
  return config.storage.pseudonymSecret ?? localKey(config, PSEUDONYM_FILE);
}

/**
 * The secret the data encryption key is derived from: DATA_ENCRYPTION_KEY (required in
 * production), or outside production a random one created once under DATA_DIR. Losing it
 * loses the sealed records: keep it with the deployment's other secrets.
 */
export function dataEncryptionKey(config: Config): string {
  return config.storage.dataEncryptionKey ?? localKey(config, ENCRYPTION_FILE);
}

/** A random key kept in `DATA_DIR/<file>` (readable by the owner only), created on first use. */
function localKey(config: Config, file: string): string {
  const location = path.join(config.dataDir, file);
  if (existsSync(location)) return readFileSync(location, 'utf8').trim();
  mkdirSync(config.dataDir, { recursive: true });
  const secret = randomBytes(32).toString('hex');
  try {
    // Exclusive: of two processes starting at once, one creates the key and both use it.
    writeFileSync(location, `${secret}\n`, { mode: 0o600, flag: 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return readFileSync(location, 'utf8').trim();
    throw error;
  }
  return secret;
}
