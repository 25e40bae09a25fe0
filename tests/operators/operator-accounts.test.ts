import { OperatorAccountError, OperatorAccounts } from '../../src/operators/operator-accounts';
import * as passwords from '../../src/operators/passwords';
import type { StorageBackend } from '../../src/storage/ports';
import { openSqliteBackend } from '../../src/storage/sqlite/sqlite-backend';

const PASSWORD = 'una password lunga';

describe('operator accounts', () => {
  let backend: StorageBackend;
  let accounts: OperatorAccounts;
  beforeEach(() => {
    backend = openSqliteBackend('', ':memory:');
    accounts = new OperatorAccounts(backend.operators, () => new Date('2026-11-10T09:00:00Z'));
  });
  afterEach(async () => {
    jest.restoreAllMocks();
    await backend.close();
  });

  test('add stores a hashed password and returns the account without it', async () => {
    const added = await accounts.add('giulia.rossi', 'supervisor', PASSWORD, { displayName: 'Giulia' });
    expect(added).toEqual({ name: 'giulia.rossi', role: 'supervisor', createdAt: '2026-11-10T09:00:00.000Z', maxConcurrent: 3, displayName: 'Giulia' });
    const stored = await backend.operators.get('giulia.rossi');
    expect(stored?.passwordHash).toMatch(/^scrypt\$16384\$8\$1\$/);
    expect(stored?.passwordHash).not.toContain(PASSWORD);
  });

  test.each([
    ['gi', 'INVALID_NAME', /operator name "gi" must be 3 to 32 characters/],
    ['Giulia', 'INVALID_NAME', /operator name "Giulia" must be 3 to 32 characters/],
    ['giulia rossi', 'INVALID_NAME', /must be 3 to 32 characters among lowercase letters/],
    ['a'.repeat(33), 'INVALID_NAME', /must be 3 to 32 characters/],
  ])('add refuses the name "%s"', async (name, code, message) => {
    const attempt = accounts.add(name, 'operator', PASSWORD, { displayName: 'Operatore' });
    await expect(attempt).rejects.toMatchObject({ code });
    await expect(attempt).rejects.toThrow(message);
    expect(await backend.operators.list()).toEqual([]);
  });

  test('add accepts names with digits, dots, dashes and underscores up to 32 characters', async () => {
    await accounts.add('op_01.milano-centro', 'operator', PASSWORD, { displayName: 'Operatore Centro' });
    await accounts.add('a'.repeat(32), 'operator', PASSWORD, { displayName: 'Operatore' });
    expect((await accounts.list()).map((a) => a.name)).toEqual(['a'.repeat(32), 'op_01.milano-centro']);
  });

  test.each([
    ['Giulia Rossi', 'giulia.rossi', /would show the login "giulia.rossi" to citizens/],
    ['GIULIA_ROSSI', 'giulia.rossi', /must be 1 to 40 characters/],
    ['Giulia', 'giulia', /would show the login "giulia" to citizens/],
    ['', 'giulia.rossi', /must be 1 to 40 characters/],
    ['   ', 'giulia.rossi', /must be 1 to 40 characters/],
    ['Giulia <b>', 'giulia.rossi', /must be 1 to 40 characters/],
    ['G'.repeat(41), 'giulia.rossi', /must be 1 to 40 characters/],
  ])('add refuses the display name "%s" for the login %s', async (displayName, name, message) => {
    const attempt = accounts.add(name, 'operator', PASSWORD, { displayName });
    await expect(attempt).rejects.toMatchObject({ code: 'INVALID_DISPLAY_NAME' });
    await expect(attempt).rejects.toThrow(message);
    expect(await backend.operators.list()).toEqual([]);
  });

  test('add accepts first names, initials and accents, trimmed', async () => {
    await accounts.add('giulia.rossi', 'operator', PASSWORD, { displayName: '  Giulia R. ' });
    await accounts.add('op_07', 'operator', PASSWORD, { displayName: 'Niccolò D’Amico-Sà' });
    expect((await accounts.list()).map((a) => a.displayName)).toEqual(['Giulia R.', 'Niccolò D’Amico-Sà']);
  });

  test('setDisplayName changes what citizens see, with the same rules; an account from before display names has none', async () => {
    await backend.operators.create({ name: 'anna.verdi', role: 'operator', passwordHash: 'scrypt$16384$8$1$c2FsdA$aGFzaA', createdAt: '2026-01-01T00:00:00.000Z', maxConcurrent: 3 });
    expect(await accounts.get('anna.verdi')).not.toHaveProperty('displayName');
    await expect(accounts.setDisplayName('anna.verdi', 'Anna Verdi')).rejects.toMatchObject({ code: 'INVALID_DISPLAY_NAME' });
    await expect(accounts.setDisplayName('anna.verdi', 'Anna')).resolves.toMatchObject({ name: 'anna.verdi', displayName: 'Anna' });
    expect(await accounts.get('anna.verdi')).toMatchObject({ displayName: 'Anna' });
    expect(await accounts.get('anna.verdi')).not.toHaveProperty('passwordHash');
    await expect(accounts.setDisplayName('nobody', 'Anna')).rejects.toMatchObject({ code: 'UNKNOWN_OPERATOR' });
  });

  test('add refuses an unknown role and a short password', async () => {
    await expect(accounts.add('giulia.rossi', 'admin', PASSWORD, { displayName: 'Giulia' })).rejects.toThrow('role "admin" must be "operator" or "supervisor"');
    await expect(accounts.add('giulia.rossi', 'operator', 'short', { displayName: 'Giulia' })).rejects.toBeInstanceOf(passwords.PasswordPolicyError);
    expect(await backend.operators.list()).toEqual([]);
  });

  test('a duplicate name is an error and keeps the first account', async () => {
    await accounts.add('giulia.rossi', 'operator', PASSWORD, { displayName: 'Giulia' });
    const duplicate = accounts.add('giulia.rossi', 'supervisor', 'un\'altra password', { displayName: 'Giulia' });
    await expect(duplicate).rejects.toBeInstanceOf(OperatorAccountError);
    await expect(duplicate).rejects.toMatchObject({ code: 'DUPLICATE_NAME', message: 'an operator named "giulia.rossi" already exists' });
    expect(await accounts.list()).toEqual([expect.objectContaining({ name: 'giulia.rossi', role: 'operator' })]);
  });

  test('list never shows password hashes', async () => {
    await accounts.add('giulia.rossi', 'operator', PASSWORD, { displayName: 'Giulia' });
    await accounts.add('marco.bianchi', 'supervisor', PASSWORD, { displayName: 'Marco' });
    const listed = await accounts.list();
    expect(listed.map((a) => a.name)).toEqual(['giulia.rossi', 'marco.bianchi']);
    for (const a of listed) expect(a).not.toHaveProperty('passwordHash');
  });

  test('authenticate returns the account for the right password and undefined otherwise', async () => {
    await accounts.add('giulia.rossi', 'supervisor', PASSWORD, { displayName: 'Giulia' });
    const who = await accounts.authenticate('giulia.rossi', PASSWORD);
    expect(who).toEqual({ name: 'giulia.rossi', role: 'supervisor', createdAt: '2026-11-10T09:00:00.000Z', maxConcurrent: 3, displayName: 'Giulia' });
    expect(who).not.toHaveProperty('passwordHash');
    await expect(accounts.authenticate('giulia.rossi', 'una password sbagliata')).resolves.toBeUndefined();
    await expect(accounts.authenticate('nobody', PASSWORD)).resolves.toBeUndefined();
  });

  test('authenticate does one scrypt verification whether the name exists, is unknown or is not even valid', async () => {
    await accounts.add('giulia.rossi', 'operator', PASSWORD, { displayName: 'Giulia' });
    const verify = jest.spyOn(passwords, 'verifyPassword');
    await accounts.authenticate('giulia.rossi', 'wrong password');
    await accounts.authenticate('nobody.here', 'wrong password');
    await accounts.authenticate('NOT VALID!', 'wrong password');
    expect(verify).toHaveBeenCalledTimes(3);
    for (const [, hash] of verify.mock.calls) expect(hash).toMatch(/^scrypt\$16384\$8\$1\$/);
  });

  test('a disabled account cannot authenticate', async () => {
    await accounts.add('giulia.rossi', 'operator', PASSWORD, { displayName: 'Giulia' });
    const stored = (await backend.operators.get('giulia.rossi'))!;
    await backend.operators.upsert({ ...stored, disabled: true });
    await expect(accounts.authenticate('giulia.rossi', PASSWORD)).resolves.toBeUndefined();
  });

  test('passwd replaces the password; the old one stops working', async () => {
    await accounts.add('giulia.rossi', 'operator', PASSWORD, { displayName: 'Giulia' });
    await accounts.passwd('giulia.rossi', 'la nuova password');
    await expect(accounts.authenticate('giulia.rossi', PASSWORD)).resolves.toBeUndefined();
    await expect(accounts.authenticate('giulia.rossi', 'la nuova password')).resolves.toMatchObject({ name: 'giulia.rossi' });
    await expect(accounts.passwd('giulia.rossi', 'short')).rejects.toThrow(/password too short/);
    await expect(accounts.passwd('nobody', 'la nuova password')).rejects.toMatchObject({ code: 'UNKNOWN_OPERATOR', message: 'there is no operator named "nobody"' });
  });

  test('signOut keeps the ended session while its token could still be valid, and at most 200 of them', async () => {
    const now = Date.parse('2026-11-10T09:00:00Z');
    const tenHours = 10 * 60 * 60 * 1000;
    await accounts.add('giulia.rossi', 'operator', PASSWORD, { displayName: 'Giulia' });
    await backend.operators.upsert({ ...(await backend.operators.get('giulia.rossi'))!, signedOutSessions: [now - tenHours - 1, now - tenHours, now - 5] });
    expect(await accounts.signOut('giulia.rossi', now - 1)).toBe(true);
    // The session older than a token's lifetime is forgotten: its token has expired anyway.
    expect((await accounts.get('giulia.rossi'))!.signedOutSessions).toEqual([now - tenHours, now - 5, now - 1]);
    for (let i = 0; i < 250; i++) await accounts.signOut('giulia.rossi', now - 1000 + i);
    const kept = (await accounts.get('giulia.rossi'))!.signedOutSessions!;
    expect(kept).toHaveLength(200);
    expect(kept[kept.length - 1]).toBe(now - 1000 + 249);
    expect(await accounts.signOut('nobody', now)).toBe(false);
  });

  test('passwd marks when the password changed, so that tokens issued before it are void', async () => {
    await accounts.add('giulia.rossi', 'operator', PASSWORD, { displayName: 'Giulia' });
    expect(await accounts.get('giulia.rossi')).not.toHaveProperty('signedOutAt');
    await accounts.passwd('giulia.rossi', 'la nuova password');
    expect(await accounts.get('giulia.rossi')).toMatchObject({ signedOutAt: '2026-11-10T09:00:00.000Z' });
  });

  test('remove deletes the account and says whether there was one', async () => {
    await accounts.add('giulia.rossi', 'operator', PASSWORD, { displayName: 'Giulia' });
    await expect(accounts.remove('giulia.rossi')).resolves.toBe(true);
    await expect(accounts.remove('giulia.rossi')).resolves.toBe(false);
    await expect(accounts.authenticate('giulia.rossi', PASSWORD)).resolves.toBeUndefined();
  });
});
