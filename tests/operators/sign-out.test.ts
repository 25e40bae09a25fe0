// "Esci" ends a console session on the server, not only in the browser: the token stops working
// everywhere (routes and push socket), the operator's other sessions go on, and a password change
// ends them all.
import { rmSync } from 'node:fs';
import { loadConfig } from '../../src/config';
import { startDialogo, type Dialogo } from '../../src/index';
import { createLogger } from '../../src/logger';
import { openConsoleSocket } from '../fixtures/console-socket';
import { KB_DIR, tempDataDir } from '../fixtures/runtime';

const PASSWORD = 'una-password-lunga';

describe('signing out of the console', () => {
  let dialogo: Dialogo;
  let dataDir: string;
  const url = (path: string) => `http://127.0.0.1:${dialogo.port}/api/operator${path}`;
  const login = async (name: string, password = PASSWORD): Promise<string> => {
    const response = await fetch(url('/login'), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: name, password }) });
    expect(response.status).toBe(200);
    return ((await response.json()) as { token: string }).token;
  };
  const me = async (token: string) => (await fetch(url('/me'), { headers: { authorization: `Bearer ${token}` } })).status;
  const logout = async (token: string) => (await fetch(url('/logout'), { method: 'POST', headers: { authorization: `Bearer ${token}` } })).status;

  beforeAll(async () => {
    dataDir = tempDataDir();
    dialogo = await startDialogo(
      loadConfig({ PORT: '0', HOST: '127.0.0.1', KB_DIR, KB_WATCH: 'false', NODE_ENV: 'test', DATA_DIR: dataDir, OPERATOR_TOKEN_SECRET: 'operator-token-secret-for-sign-out' }),
      createLogger('silent'),
    );
    await dialogo.operators.add('sara', 'supervisor', PASSWORD, { displayName: 'Sara M.' });
    await dialogo.operators.add('giulia', 'operator', PASSWORD, { displayName: 'Giulia B.' });
  });
  afterAll(async () => {
    await dialogo.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  test('the signed-out token opens nothing, while the same operator’s other session goes on', async () => {
    const console = await login('sara');
    const dashboard = await login('sara');
    expect(await logout(console)).toBe(204);
    expect(await me(console)).toBe(401);
    await expect(openConsoleSocket(dialogo.port, console)).rejects.toThrow(/401/);
    expect(await me(dashboard)).toBe(200);
    // Signing out again with it is refused like any spent token; a new sign-in works.
    expect(await logout(console)).toBe(401);
    expect(await me(await login('sara'))).toBe(200);
  });

  test('a password change ends every session issued before it', async () => {
    const first = await login('giulia');
    const second = await login('giulia');
    await dialogo.operators.passwd('giulia', 'una-nuova-password-lunga');
    expect([await me(first), await me(second)]).toEqual([401, 401]);
    expect(await me(await login('giulia', 'una-nuova-password-lunga'))).toBe(200);
  });

  test('sign-out without a valid token is 401 and changes nothing', async () => {
    const token = await login('giulia', 'una-nuova-password-lunga');
    expect(await logout('not-a-token')).toBe(401);
    expect((await fetch(url('/logout'), { method: 'POST' })).status).toBe(401);
    expect(await me(token)).toBe(200);
  });
});
