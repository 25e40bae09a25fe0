// A console's push socket lives no longer than its token and its account: an expired token or a
// removed account ends it (close code 4401), the operator is away at once, and nothing more is
// pushed to it (no queue card with a citizen's description, no capacity in the estimates).
import { rmSync } from 'node:fs';
import { loadConfig } from '../../src/config';
import { startDialogo, type Dialogo } from '../../src/index';
import { createLogger } from '../../src/logger';
import { CONSOLE_TOKEN_INVALID_CLOSE } from '../../src/operators/operator-routes';
import { OPERATOR_TOKEN_TTL_MS, OperatorTokens } from '../../src/operators/operator-tokens';
import { openConsoleSocket, type ConsoleSocket } from '../fixtures/console-socket';
import { DirectLineCitizen } from '../fixtures/directline-citizen';
import { KB_DIR, tempDataDir } from '../fixtures/runtime';

const PASSWORD = 'una-password-lunga';
const TOKEN_SECRET = 'operator-token-secret-for-socket-revocation';

function closed(socket: ConsoleSocket): Promise<number> {
  return new Promise((resolve) => socket.ws.once('close', (code: number) => resolve(code)));
}

async function until(check: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

describe('console push sockets end with their token and their account', () => {
  let dialogo: Dialogo;
  let dataDir: string;
  const sockets: ConsoleSocket[] = [];

  const login = async (name: string): Promise<string> => {
    const response = await fetch(`http://127.0.0.1:${dialogo.port}/api/operator/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: name, password: PASSWORD }) });
    return ((await response.json()) as { token: string }).token;
  };
  const open = async (token: string): Promise<ConsoleSocket> => {
    const socket = await openConsoleSocket(dialogo.port, token);
    sockets.push(socket);
    return socket;
  };

  beforeAll(async () => {
    dataDir = tempDataDir();
    // A long away delay: an operator made away here is made away at once, not by the delay.
    dialogo = await startDialogo(
      loadConfig({ PORT: '0', HOST: '127.0.0.1', KB_DIR, KB_WATCH: 'false', NODE_ENV: 'test', DATA_DIR: dataDir, OFFICE_HOURS: 'always', OPERATOR_TOKEN_SECRET: TOKEN_SECRET, OPERATOR_AWAY_AFTER_MS: '600000' }),
      createLogger('silent'),
    );
    for (const [name, displayName] of [['giulia', 'Giulia B.'], ['marco', 'Marco V.'], ['luca', 'Luca R.']] as const) {
      await dialogo.operators.add(name, 'operator', PASSWORD, { displayName });
    }
  });
  afterAll(async () => {
    for (const socket of sockets) socket.ws.terminate();
    await dialogo.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  test('a removed account’s console is cut off at the next queue change: no citizen card reaches it and it is no longer capacity', async () => {
    const giulia = await open(await login('giulia'));
    const marco = await open(await login('marco'));
    await until(() => giulia.pushes.length > 0 && marco.pushes.length > 0, 'the first queue pushes');
    expect(dialogo.handoff.presence.get('marco').status).toBe('available');

    await dialogo.operators.remove('marco');
    const marcoClosed = closed(marco);
    const citizen = await DirectLineCitizen.start(dialogo.port);
    await citizen.say('vorrei parlare con un operatore');
    await citizen.say('Sì');
    await citizen.say('rimborso della TARI pagata due volte');
    await citizen.say('Acconsento');
    expect(await marcoClosed).toBe(CONSOLE_TOKEN_INVALID_CLOSE);
    // The colleague still at work sees the citizen; the removed account never did.
    await until(() => giulia.pushes.some((p) => p.type === 'queue' && p.sessions.some((s: { description: string }) => s.description === 'rimborso della TARI pagata due volte')), 'the citizen in giulia’s queue');
    expect(JSON.stringify(marco.pushes)).not.toContain('rimborso della TARI');
    expect(dialogo.handoff.presence.get('marco').status).toBe('away');
    expect(dialogo.handoff.presence.available().map((p) => p.name)).toEqual(['giulia']);
    await citizen.say('esci');
  });

  test('a console whose token expires is cut off then, and its operator is away', async () => {
    // A token signed with the console's secret at a time such that it ends a moment after the socket opens.
    const shortLived = new OperatorTokens(TOKEN_SECRET, () => Date.now() - OPERATOR_TOKEN_TTL_MS + 500).issue('luca', 'operator');
    const luca = await open(shortLived);
    const lucaClosed = closed(luca);
    expect(dialogo.handoff.presence.get('luca').status).toBe('available');
    expect(await lucaClosed).toBe(CONSOLE_TOKEN_INVALID_CLOSE);
    expect(dialogo.handoff.presence.get('luca').status).toBe('away');
    // The token is refused from then on, on the socket as on the routes.
    await expect(openConsoleSocket(dialogo.port, shortLived)).rejects.toThrow(/401/);
  });
});
