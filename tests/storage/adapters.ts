import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { MongoClient } from 'mongodb';
import { openMongoBackend } from '../../src/storage/mongodb/mongodb-backend';
import type { StorageBackend } from '../../src/storage/ports';
import { openSqliteBackend, SQLITE_FILE } from '../../src/storage/sqlite/sqlite-backend';
import { tempDataDir } from '../fixtures/runtime';

/** An adapter opened on a fresh store, with what a test needs to look under it. */
export interface OpenedAdapter {
  backend: StorageBackend;
  /** Opens the same store again (after a close: a restart). */
  reopen: () => Promise<StorageBackend>;
  /** Everything the store holds, as the bytes or documents an attacker with the disk or the database would read. */
  raw: () => Promise<string>;
  cleanup: () => Promise<void>;
}

const mongoUri = process.env.MONGODB_URI;

/** The SQLite file and its WAL, as text. */
export function rawSqlite(dir: string): string {
  return ['', '-wal', '-shm']
    .map((suffix) => path.join(dir, SQLITE_FILE + suffix))
    .filter((file) => existsSync(file))
    .map((file) => readFileSync(file).toString('latin1'))
    .join('\n');
}

/** Every document of every collection of a MongoDB database, as JSON. */
export async function rawMongo(uri: string, dbName: string): Promise<string> {
  const client = new MongoClient(uri);
  try {
    const db = client.db(dbName);
    const parts: string[] = [];
    for (const { name } of await db.listCollections().toArray()) parts.push(JSON.stringify(await db.collection(name).find({}).toArray()));
    return parts.join('\n');
  } finally {
    await client.close();
  }
}

/** SQLite always; MongoDB when MONGODB_URI is set (each test its own database). */
export const adapters: [string, () => Promise<OpenedAdapter>][] = [
  [
    'sqlite',
    async () => {
      const dir = tempDataDir();
      return {
        backend: openSqliteBackend(dir),
        reopen: async () => openSqliteBackend(dir),
        raw: async () => rawSqlite(dir),
        cleanup: async () => rmSync(dir, { recursive: true, force: true }),
      };
    },
  ],
];
if (mongoUri) {
  adapters.push([
    'mongodb',
    async () => {
      const dbName = `privacy_${randomUUID().slice(0, 8)}`;
      return {
        backend: await openMongoBackend(mongoUri, dbName),
        reopen: () => openMongoBackend(mongoUri, dbName),
        raw: () => rawMongo(mongoUri, dbName),
        cleanup: async () => {
          const client = new MongoClient(mongoUri);
          await client.db(dbName).dropDatabase().finally(() => client.close());
        },
      };
    },
  ]);
}
