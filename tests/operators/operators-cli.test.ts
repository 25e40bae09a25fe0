import { execFile } from 'node:child_process';
import { rmSync } from 'node:fs';
import path from 'node:path';
import { OperatorAccounts } from '../../src/operators/operator-accounts';
import { openSqliteBackend } from '../../src/storage/sqlite/sqlite-backend';
import { tempDataDir } from '../fixtures/runtime';

const ROOT = path.resolve(__dirname, '../..');
const CLI_TIMEOUT_MS = 60_000;

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs the script `npm run operators -- ...` runs, as the operations team would, against a SQLite
 * file in `dataDir`: node with ts-node (through SWC) directly, without npx's own start-up.
 */
function operators(dataDir: string, args: string[], stdin?: string): Promise<Run> {
  const { MONGODB_URI: _notThisStore, ...env } = process.env;
  return new Promise((resolve) => {
    const child = execFile(
      process.execPath,
      ['-r', './tests/fixtures/ts-node-swc.js', 'scripts/operators.ts', ...args],
      { cwd: ROOT, env: { ...env, DATA_DIR: dataDir, NODE_ENV: 'test' }, timeout: CLI_TIMEOUT_MS },
      (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
    child.stdin?.end(stdin ?? '');
  });
}

describe('npm run operators', () => {
  let dataDir: string;
  beforeAll(() => {
    dataDir = tempDataDir();
  });
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  test('add, list, add a duplicate, passwd, remove', async () => {
    const added = await operators(dataDir, ['add', 'giulia.rossi', '--role', 'supervisor', '--display-name', 'Giulia', '--password', 'una password lunga']);
    expect(added).toMatchObject({ code: 0, stderr: '' });
    expect(added.stdout).toBe('added supervisor "giulia.rossi", shown to citizens as "Giulia" (sqlite)\n');

    const fromStdin = await operators(dataDir, ['add', 'marco.bianchi', '--role', 'operator', '--display-name', 'Marco B.'], 'una password da stdin\nsecond line ignored\n');
    expect(fromStdin).toMatchObject({ code: 0, stdout: 'added operator "marco.bianchi", shown to citizens as "Marco B." (sqlite)\n' });

    const renamed = await operators(dataDir, ['display-name', 'marco.bianchi', 'Marco']);
    expect(renamed).toMatchObject({ code: 0, stdout: '"marco.bianchi" is shown to citizens as "Marco"\n' });

    const listed = await operators(dataDir, ['list']);
    expect(listed.code).toBe(0);
    const lines = listed.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^NAME\s+DISPLAY NAME\s+ROLE\s+MAX\s+CREATED\s+STATUS$/);
    expect(lines[1]).toMatch(/^giulia\.rossi\s+Giulia\s+supervisor\s+3\s+\d{4}-\d\d-\d\dT[\d:.]+Z\s+enabled$/);
    expect(lines[2]).toMatch(/^marco\.bianchi\s+Marco\s+operator\s+3\s+/);
    expect(listed.stdout).not.toMatch(/scrypt|una password/);

    const duplicate = await operators(dataDir, ['add', 'giulia.rossi', '--role', 'operator', '--display-name', 'Giulia', '--password', 'un\'altra password']);
    expect(duplicate).toEqual({ code: 1, stdout: '', stderr: 'operators: an operator named "giulia.rossi" already exists\n' });

    const passwd = await operators(dataDir, ['passwd', 'marco.bianchi'], 'la nuova password\n');
    expect(passwd).toMatchObject({ code: 0, stdout: 'password of "marco.bianchi" changed\n' });

    const removed = await operators(dataDir, ['remove', 'giulia.rossi']);
    expect(removed).toMatchObject({ code: 0, stdout: 'removed "giulia.rossi"\n' });
    expect((await operators(dataDir, ['list'])).stdout).not.toContain('giulia.rossi');

    const backend = openSqliteBackend(dataDir);
    try {
      const accounts = new OperatorAccounts(backend.operators);
      await expect(accounts.authenticate('marco.bianchi', 'la nuova password')).resolves.toMatchObject({ role: 'operator' });
      await expect(accounts.authenticate('marco.bianchi', 'una password da stdin')).resolves.toBeUndefined();
    } finally {
      await backend.close();
    }
  }, 6 * CLI_TIMEOUT_MS);

  test.each([
    [['frob'], 2, /^operators: unknown command "frob" \(usage: npm run operators -- add NAME/],
    [[], 2, /^operators: no command \(usage:/],
    [['add', 'anna.verdi', '--display-name', 'Anna', '--password', 'una password lunga'], 2, /^operators: add needs --role operator or --role supervisor/],
    [['add', 'anna.verdi', '--role', 'operator', '--password', 'una password lunga'], 2, /^operators: add needs --display-name, the name citizens will read \(not the login\)/],
    [['add', 'anna.verdi', '--role', 'operator', '--display-name', 'Anna Verdi', '--password', 'una password lunga'], 2, /^operators: display name "Anna Verdi" would show the login "anna.verdi" to citizens/],
    [['display-name', 'anna.verdi'], 2, /^operators: display-name needs the name citizens will read/],
    [['display-name', 'nobody', 'Anna'], 1, /^operators: there is no operator named "nobody"/],
    [['add', 'Anna', '--role', 'operator', '--display-name', 'Anna', '--password', 'una password lunga'], 2, /^operators: operator name "Anna" must be 3 to 32 characters/],
    [['add', 'anna.verdi', '--role', 'boss', '--display-name', 'Anna', '--password', 'una password lunga'], 2, /^operators: role "boss" must be "operator" or "supervisor"/],
    [['add', 'anna.verdi', '--role', 'operator', '--display-name', 'Anna', '--password', 'short'], 2, /^operators: password too short: at least 10 characters, got 5/],
    [['list', '--verbose'], 2, /^operators: Unknown option '--verbose'/],
    [['remove', 'nobody'], 1, /^operators: there is no operator named "nobody"/],
    [['passwd', 'nobody', '--password', 'una password lunga'], 1, /^operators: there is no operator named "nobody"/],
  ])('%j exits with %i and one clear line on stderr', async (args, code, message) => {
    const run = await operators(dataDir, args);
    expect(run.code).toBe(code);
    expect(run.stderr).toMatch(message);
    expect(run.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(run.stdout).toBe('');
  }, CLI_TIMEOUT_MS);

  test('add without --password and with nothing on standard input is a usage error', async () => {
    const run = await operators(dataDir, ['add', 'anna.verdi', '--role', 'operator', '--display-name', 'Anna']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^operators: no password: give --password or write it as the first line of standard input/);
  }, CLI_TIMEOUT_MS);
});
