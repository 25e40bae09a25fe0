import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import YAML from 'yaml';
import { loadConfig } from '../../src/config';
import { startDialogo, type Dialogo } from '../../src/index';
import type { CommunicationsResponse } from '../../src/knowledge/communications-routes';
import { createLogger } from '../../src/logger';
import { askOnOwnConnection as ask } from '../fixtures/bot-turn';
import { KB_DIR } from '../fixtures/runtime';

const PASSWORD = 'una-password-lunga';
/** Saturday 5 December 2026, noon in Milan: the Sant'Ambrogio closure and the IMU balance are announced. */
const NOW = new Date('2026-12-05T11:00:00Z');

async function until(check: () => boolean, timeoutMs = 30_000): Promise<void> {
  const started = Date.now();
  while (!check()) {
    if (Date.now() - started > timeoutMs) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('GET /api/analytics/communications and the calendar in a running Dialogo', () => {
  let dir: string;
  let dialogo: Dialogo;
  const url = () => `http://127.0.0.1:${dialogo.port}/api/analytics/communications`;
  const get = (token?: string) => fetch(url(), { headers: token ? { authorization: `Bearer ${token}` } : {} });
  const login = async (username: string) =>
    ((await (await fetch(`http://127.0.0.1:${dialogo.port}/api/operator/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password: PASSWORD }) })).json()) as { token: string }).token;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'dialogo-comms-route-'));
    cpSync(KB_DIR, dir, { recursive: true });
    dialogo = await startDialogo(
      loadConfig({ PORT: '0', HOST: '127.0.0.1', KB_DIR: dir, KB_WATCH: 'true', NODE_ENV: 'test', DATA_DIR: path.join(dir, 'data'), OFFICE_HOURS: 'always' }),
      createLogger('silent'),
      { now: () => NOW },
    );
    await dialogo.operators.add('sara', 'supervisor', PASSWORD, { displayName: 'Sara M.' });
    await dialogo.operators.add('giulia', 'operator', PASSWORD, { displayName: 'Giulia B.' });
  }, 60_000);
  afterAll(async () => {
    await dialogo.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test('only supervisors: no token 401, an operator 403', async () => {
    expect((await get()).status).toBe(401);
    expect((await get('not-a-token')).status).toBe(401);
    expect((await get(await login('giulia'))).status).toBe(403);
  });

  test("a supervisor gets the calendar and the check's findings for the day of Dialogo's clock", async () => {
    const response = await get(await login('sara'));
    expect(response.status).toBe(200);
    const body = (await response.json()) as CommunicationsResponse;
    expect(body.today).toBe('2026-12-05');
    expect(body.calendar.length).toBeGreaterThanOrEqual(30);
    // The forecast of an empty store learns no rise for a closure: it asks for no extra operator.
    expect(body.check.coming[0]).toMatchObject({ id: 'sant-ambrogio-2026', week: '2026-W50', extraOperators: 0 });
    expect(body.check.blocking).toBe(0);
  });

  test('an answer of an announced topic carries its notice through the running bot', async () => {
    const reply = await ask(dialogo.port, 'quando scade il saldo IMU?');
    expect(reply.channelData.dialogo).toMatchObject({ topicId: 'imu', communicationIds: ['imu-saldo-2026'] });
    expect(reply.text).toContain('Da sapere: IMU 2026: il saldo si paga entro mercoledì 16 dicembre');
  });

  test('an edit of communications.yaml is served without a restart; a broken one leaves the last good calendar', async () => {
    const file = path.join(dir, 'communications.yaml');
    const original = YAML.parse(readFileSync(file, 'utf8')) as { communications: unknown[] };
    const generation = dialogo.runtime.generation;
    const extra = {
      id: 'sciopero-prova-2026', kind: 'strike', published: '2026-12-03', effective: '2026-12-09', topics: ['appuntamenti-anagrafe'], channels: ['portal'],
      notice: { it: 'Mercoledì 9 dicembre possibile sciopero: gli appuntamenti potrebbero saltare.', en: 'Possible strike on Wednesday 9 December: appointments may be cancelled.' },
    };
    writeFileSync(file, YAML.stringify({ communications: [...original.communications, extra] }));
    await until(() => dialogo.runtime.generation > generation);
    const sara = await login('sara');
    const body = (await (await get(sara)).json()) as CommunicationsResponse;
    expect(body.calendar.map((c) => c.id)).toContain('sciopero-prova-2026');
    // The same topic in the same ISO week as Sant'Ambrogio: the check blocks.
    expect(body.check.findings).toContainEqual(expect.objectContaining({ level: 'block', check: 'week', communicationId: 'sant-ambrogio-2026' }));

    const reloaded = dialogo.runtime.generation;
    writeFileSync(file, YAML.stringify({ communications: [{ ...extra, topics: ['argomento-che-non-esiste'] }] }));
    const errors = async () => ((await (await fetch(`http://127.0.0.1:${dialogo.port}/readyz`)).json()) as { knowledgeBase: { errors: number } }).knowledgeBase.errors;
    let failed = 0;
    const started = Date.now();
    while (failed === 0 && Date.now() - started < 30_000) {
      failed = await errors();
      if (failed === 0) await new Promise((r) => setTimeout(r, 100));
    }
    expect(failed).toBe(1);
    expect(dialogo.runtime.generation).toBe(reloaded);
    const kept = (await (await get(sara)).json()) as CommunicationsResponse;
    expect(kept.calendar.map((c) => c.id)).toContain('sciopero-prova-2026');
  }, 90_000);
});
