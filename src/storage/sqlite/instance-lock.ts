import { mkdirSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';

export const INSTANCE_LOCK_FILE = 'instance.lock';

/** Another Dialogo server already holds the data folder: this one must not start on it. */
export class InstanceLockedError extends Error {
  readonly code = 'DATA_DIR_IN_USE';

  constructor(readonly dataDir: string) {
    super(
      `DATA_DIR ${dataDir} is in use by another Dialogo server (it holds ${path.join(dataDir, INSTANCE_LOCK_FILE)}). ` +
        'The embedded SQLite store serves one server process per data folder: stop the other process or give this one another DATA_DIR; ' +
        'to run several instances, set MONGODB_URI and REDIS_URL (docs/deployment.md).',
    );
    this.name = 'InstanceLockedError';
  }
}

/** The data folder held by this process until {@link InstanceLock.release} or the process's end. */
export interface InstanceLock {
  readonly file: string;
  release(): void;
}

/**
 * Takes the data folder for this server process, or throws {@link InstanceLockedError} at once
 * when another process holds it. Two servers on one SQLite folder corrupt conversations, since
 * each keeps per-process state (sequences, sockets, timers); the CLI tools open the data file
 * itself, not this one, so they keep working beside the server.
 *
 * The lock is an exclusive SQLite transaction on a file of its own, held for the process's
 * lifetime: the operating system drops it when the process ends however it ends (SIGKILL
 * included), so there is never a stale lock to clean up, and it needs no library beyond the
 * SQLite driver already in use. Network shares (SMB, NFS) do not honour these locks reliably:
 * DATA_DIR belongs on a local disk.
 *
 * @example
 * const lock = acquireInstanceLock(config.dataDir);
 * // ... serve ...
 * lock.release();
 */
export function acquireInstanceLock(dataDir: string): InstanceLock {
  mkdirSync(dataDir, { recursive: true });
  const file = path.join(dataDir, INSTANCE_LOCK_FILE);
  const db = new Database(file);
  try {
    // Busy timeout 0: a second server fails now with SQLITE_BUSY instead of waiting for a lock
    // that is only given back when the first one stops.
    db.pragma('busy_timeout = 0');
    db.pragma('locking_mode = EXCLUSIVE');
    // The journal in memory: the folder holds only the lock file, and nothing is ever written.
    db.pragma('journal_mode = MEMORY');
    db.exec('BEGIN EXCLUSIVE');
  } catch (error) {
    db.close();
    if ((error as { code?: unknown }).code === 'SQLITE_BUSY') throw new InstanceLockedError(dataDir);
    throw error;
  }
  return {
    file,
    release() {
      if (db.open) db.close();
    },
  };
}
