import type Database from 'better-sqlite3';
import { AlreadyExistsError, type OperatorAccount, type OperatorStore } from '../ports';
import { parseOperatorAccount } from '../record-schemas';

interface OperatorRow {
  name: string;
  role: string;
  password_hash: string;
  created_at: string;
  max_concurrent: number;
  disabled: number;
  display_name: string | null;
  signed_out_at: string | null;
  signed_out_sessions: string | null;
}

function fromRow(row: OperatorRow): OperatorAccount {
  return parseOperatorAccount(
    {
      name: row.name,
      role: row.role,
      passwordHash: row.password_hash,
      createdAt: row.created_at,
      maxConcurrent: row.max_concurrent,
      disabled: row.disabled === 1,
      displayName: row.display_name,
      signedOutAt: row.signed_out_at,
      signedOutSessions: row.signed_out_sessions === null ? null : (JSON.parse(row.signed_out_sessions) as unknown),
    },
    `sqlite operators row "${row.name}"`,
  );
}

function toParams(account: OperatorAccount): Record<string, string | number | null> {
  const a = parseOperatorAccount(account, `operator account "${account.name}" to store`);
  return { name: a.name, role: a.role, passwordHash: a.passwordHash, createdAt: a.createdAt, maxConcurrent: a.maxConcurrent, disabled: a.disabled ? 1 : 0, displayName: a.displayName ?? null, signedOutAt: a.signedOutAt ?? null, signedOutSessions: a.signedOutSessions ? JSON.stringify(a.signedOutSessions) : null };
}

/**
 * Operator accounts in the `operators` table, one row per name (the primary key).
 *
 * @example
 * const operators = sqliteOperatorStore(db);
 * await operators.get('giulia.rossi');
 */
export function sqliteOperatorStore(db: Database.Database): OperatorStore {
  const columns =
    '(name, role, password_hash, created_at, max_concurrent, disabled, display_name, signed_out_at, signed_out_sessions) VALUES (@name, @role, @passwordHash, @createdAt, @maxConcurrent, @disabled, @displayName, @signedOutAt, @signedOutSessions)';
  const insert = db.prepare(`INSERT INTO operators ${columns} ON CONFLICT(name) DO NOTHING`);
  const replace = db.prepare(`INSERT OR REPLACE INTO operators ${columns}`);
  const selectOne = db.prepare<[string], OperatorRow>('SELECT * FROM operators WHERE name = ?');
  const selectAll = db.prepare<[], OperatorRow>('SELECT * FROM operators ORDER BY name');
  const deleteOne = db.prepare('DELETE FROM operators WHERE name = ?');

  return {
    async create(account) {
      if (insert.run(toParams(account)).changes === 0) throw new AlreadyExistsError('operator', account.name);
    },
    async upsert(account) {
      replace.run(toParams(account));
    },
    async get(name) {
      const row = selectOne.get(name);
      return row ? fromRow(row) : undefined;
    },
    async list() {
      return selectAll.all().map(fromRow);
    },
    async remove(name) {
      return deleteOne.run(name).changes === 1;
    },
  };
}
