// npm run operators -- add NAME --role operator|supervisor --display-name "Giulia" [--password P]
// npm run operators -- list
// npm run operators -- remove NAME
// npm run operators -- passwd NAME [--password P]
// npm run operators -- display-name NAME "Giulia"
//
// NAME is the login; the display name is what citizens read ("Sei in contatto con Giulia"):
// required for a new account, and never the login spelled out. Accounts made before display
// names existed show citizens "un operatore" until one is set with display-name.
// Manages the operator accounts of the console in the configured store (MONGODB_URI, or the
// SQLite file under DATA_DIR). Without --password the password is read from the first line
// of standard input, which keeps it out of the shell history and the process list.
// Exit codes: 0 done; 2 usage errors (bad command or option, invalid name, role or password);
// 1 failures (name taken, no such operator, store unreachable).
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { loadConfig } from '../src/config';
import { OperatorAccountError, OperatorAccounts, type OperatorView } from '../src/operators/operator-accounts';
import { PasswordPolicyError } from '../src/operators/passwords';
import { openStorage } from '../src/storage/open-storage';

const USAGE =
  'usage: npm run operators -- add NAME --role operator|supervisor --display-name "Shown name" [--password P] | list | remove NAME | passwd NAME [--password P] | display-name NAME "Shown name"';

/** A mistake in how the script was called: exit code 2, the message followed by the usage. */
class UsageError extends Error {
  constructor(problem: string) {
    super(`${problem.replace(/\s*\n\s*/g, ' ')} (${USAGE})`);
  }
}

async function readPassword(): Promise<string> {
  if (process.stdin.isTTY) process.stderr.write('password (visible as you type): ');
  const lines = createInterface({ input: process.stdin, crlfDelay: Infinity });
  try {
    for await (const line of lines) return line;
  } finally {
    lines.close();
  }
  throw new UsageError('no password: give --password or write it as the first line of standard input');
}

function table(accounts: readonly OperatorView[]): string {
  if (accounts.length === 0) return 'no operator accounts\n';
  const rows = [
    ['NAME', 'DISPLAY NAME', 'ROLE', 'MAX', 'CREATED', 'STATUS'],
    ...accounts.map((a) => [a.name, a.displayName ?? '-', a.role, String(a.maxConcurrent), a.createdAt, a.disabled ? 'disabled' : 'enabled']),
  ];
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) => r.map((cell, i) => cell.padEnd(widths[i]!)).join('  ').trimEnd()).join('\n') + '\n';
}

interface Command {
  readonly command: string;
  readonly name: string | undefined;
  readonly role: string | undefined;
  readonly password: string | undefined;
  readonly displayName: string | undefined;
}

function parseCommand(): Command {
  let parsed;
  try {
    parsed = parseArgs({ allowPositionals: true, strict: true, options: { role: { type: 'string' }, password: { type: 'string' }, 'display-name': { type: 'string' } } });
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  const [command, name, ...rest] = parsed.positionals;
  const needsName = command === 'add' || command === 'remove' || command === 'passwd' || command === 'display-name';
  if (!command || !['add', 'list', 'remove', 'passwd', 'display-name'].includes(command)) throw new UsageError(`${command ? `unknown command "${command}"` : 'no command'}`);
  if (needsName && !name) throw new UsageError(`${command} needs an operator name`);
  // display-name takes the new name as its second argument.
  const [shown, ...extra] = command === 'display-name' ? rest : [undefined, ...rest];
  const unexpected = needsName ? extra : [name, ...extra].filter((x) => x !== undefined);
  if (unexpected.length > 0) throw new UsageError(`unexpected argument "${unexpected[0]}"`);
  const { role, password, 'display-name': displayOption } = parsed.values;
  if (command === 'add' && !role) throw new UsageError(`add needs --role operator or --role supervisor`);
  if (command === 'add' && !displayOption) throw new UsageError(`add needs --display-name, the name citizens will read (not the login)`);
  if (command === 'display-name' && !shown) throw new UsageError(`display-name needs the name citizens will read, after the operator name`);
  if (command !== 'add' && displayOption) throw new UsageError(`${command} takes no --display-name`);
  if ((command === 'list' || command === 'remove' || command === 'display-name') && (role || password)) throw new UsageError(`${command} takes no options`);
  if (command === 'passwd' && role) throw new UsageError(`passwd takes no --role`);
  return { command, name, role, password, displayName: command === 'add' ? displayOption : shown };
}

async function main(): Promise<void> {
  const { command, name, role, password, displayName } = parseCommand();
  const secret = command === 'add' || command === 'passwd' ? (password ?? (await readPassword())) : '';
  const backend = await openStorage(loadConfig(process.env));
  try {
    const accounts = new OperatorAccounts(backend.operators);
    if (command === 'list') {
      process.stdout.write(table(await accounts.list()));
    } else if (command === 'add') {
      const added = await accounts.add(name!, role!, secret, { displayName: displayName! });
      process.stdout.write(`added ${added.role} "${added.name}", shown to citizens as "${added.displayName}" (${backend.kind})\n`);
    } else if (command === 'display-name') {
      const updated = await accounts.setDisplayName(name!, displayName!);
      process.stdout.write(`"${updated.name}" is shown to citizens as "${updated.displayName}"\n`);
    } else if (command === 'remove') {
      if (!(await accounts.remove(name!))) throw new OperatorAccountError('UNKNOWN_OPERATOR', `there is no operator named "${name}"`);
      process.stdout.write(`removed "${name}"\n`);
    } else {
      await accounts.passwd(name!, secret);
      process.stdout.write(`password of "${name}" changed\n`);
    }
  } finally {
    await backend.close();
  }
}

function exitCode(error: unknown): number {
  if (error instanceof UsageError || error instanceof PasswordPolicyError) return 2;
  if (error instanceof OperatorAccountError) return error.code === 'INVALID_NAME' || error.code === 'INVALID_ROLE' || error.code === 'INVALID_DISPLAY_NAME' ? 2 : 1;
  return 1;
}

main().catch((error: unknown) => {
  process.stderr.write(`operators: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = exitCode(error);
});
