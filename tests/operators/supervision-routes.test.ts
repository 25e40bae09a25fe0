import { rmSync } from 'node:fs';
import type WebSocket from 'ws';
import { loadConfig } from '../../src/config';
import { startDialogo, type Dialogo } from '../../src/index';
import { createLogger } from '../../src/logger';
import { DirectLineCitizen } from '../fixtures/directline-citizen';
import { openConsoleSocket } from '../fixtures/console-socket';
import { KB_DIR, tempDataDir } from '../fixtures/runtime';

const PASSWORD = 'una-password-lunga';
const AWAY_MS = 300;
const handoffOf = (activity: any) => activity.channelData?.dialogo?.handoff;

async function until(check: () => boolean | Promise<boolean>, what: string, timeoutMs = 5000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

describe('supervision API: presence, take over, reassign, transfer, close by a supervisor', () => {
  let dialogo: Dialogo;
  let dataDir: string;
  const tokens: Record<string, string> = {};
  const sockets = new Map<string, WebSocket>();
  const pushes: Record<string, any[]> = {};

  const api = async (who: string | null, method: string, path: string, body?: unknown, raw?: string): Promise<{ status: number; json: any }> => {
    const headers: Record<string, string> = { ...(who ? { authorization: `Bearer ${tokens[who]}` } : {}), ...(body !== undefined || raw !== undefined ? { 'content-type': 'application/json' } : {}) };
    const response = await fetch(`http://127.0.0.1:${dialogo.port}/api/operator${path}`, { method, headers, body: raw ?? (body === undefined ? undefined : JSON.stringify(body)) });
    const text = await response.text();
    return { status: response.status, json: text ? JSON.parse(text) : undefined };
  };
  const openConsole = async (name: string): Promise<void> => {
    const socket = await openConsoleSocket(dialogo.port, tokens[name]!);
    sockets.set(name, socket.ws);
    pushes[name] = socket.pushes;
  };
  const closeConsole = (name: string, reason?: string) => {
    sockets.get(name)?.close(1000, reason);
    sockets.delete(name);
  };
  const presenceOf = async (name: string): Promise<string> => (await api('sara', 'GET', '/operators')).json.operators.find((o: { name: string }) => o.name === name).presence;
  /** A citizen queued through the bot; returns the citizen and the session id. */
  const queued = async (description: string): Promise<{ citizen: DirectLineCitizen; id: string }> => {
    const citizen = await DirectLineCitizen.start(dialogo.port);
    await citizen.say('vorrei parlare con un operatore');
    await citizen.say('Sì');
    await citizen.say(description);
    const [reply] = await citizen.say('Acconsento');
    expect(handoffOf(reply)).toMatchObject({ state: 'queued' });
    return { citizen, id: (await dialogo.handoff.activeFor('directline', citizen.conversationId))!.id };
  };
  const connected = async (holder: string, description: string): Promise<{ citizen: DirectLineCitizen; id: string }> => {
    const q = await queued(description);
    expect((await api(holder, 'POST', `/conversations/${q.id}/claim`)).status).toBe(200);
    await q.citizen.waitFor((a) => handoffOf(a)?.state === 'connected');
    return q;
  };

  beforeAll(async () => {
    dataDir = tempDataDir();
    dialogo = await startDialogo(
      loadConfig({ PORT: '0', HOST: '127.0.0.1', KB_DIR, KB_WATCH: 'false', NODE_ENV: 'test', DATA_DIR: dataDir, OFFICE_HOURS: 'always', OPERATOR_AWAY_AFTER_MS: String(AWAY_MS) }),
      createLogger('silent'),
    );
    for (const [name, role, displayName, max] of [['giulia', 'operator', 'Giulia B.', 3], ['marco', 'operator', 'Marco V.', 1], ['luca', 'operator', 'Luca R.', 3], ['sara', 'supervisor', 'Sara M.', 2]] as const) {
      await dialogo.operators.add(name, role, PASSWORD, { displayName, maxConcurrent: max });
      const login = await fetch(`http://127.0.0.1:${dialogo.port}/api/operator/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: name, password: PASSWORD }) });
      tokens[name] = ((await login.json()) as { token: string }).token;
    }
  });
  afterAll(async () => {
    for (const ws of sockets.values()) ws.terminate();
    await dialogo.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  test('with nobody available in office hours the citizen is told so and offered the written request at once', async () => {
    const citizen = await DirectLineCitizen.start(dialogo.port);
    const [offer] = await citizen.say('vorrei parlare con un operatore');
    expect(offer.text).toBe('Al momento nessun operatore è disponibile. Puoi lasciare una richiesta scritta: ti rispondiamo per e-mail. Vuoi lasciarla?');
    expect(offer.suggestedActions.actions.map((a: { title: string }) => a.title)).toEqual(['Sì', 'No']);
    const [askEmail] = await citizen.say('Sì');
    expect(askEmail.text).toMatch(/e-mail/);
    expect(dialogo.handoff.counts().queued).toBe(0);
  });

  test('presence: a console makes an operator available; busy by choice; away after the delay with no console; bad bodies change nothing', async () => {
    await openConsole('giulia');
    await openConsole('sara');
    expect(await presenceOf('giulia')).toBe('available');
    expect(await presenceOf('sara')).toBe('busy');
    for (const raw of ['{"status":"away"}', '{"status":"busy","extra":1}', '["busy"]', '"busy"', '{}', '{"status":null}']) {
      const refused = await api('giulia', 'PUT', '/me/presence', undefined, raw);
      expect([raw, refused.status]).toEqual([raw, 400]);
    }
    expect(await presenceOf('giulia')).toBe('available');
    const busy = await api('giulia', 'PUT', '/me/presence', { status: 'busy' });
    expect(busy.json.presence).toEqual({ status: 'busy', since: expect.any(String) });
    await until(() => pushes.sara!.some((p) => p.type === 'queue' && p.operators?.find((o: any) => o.name === 'giulia')?.presence === 'busy'), 'the busy push to the supervisor');
    expect((await api('giulia', 'GET', '/queue')).json.presence.status).toBe('busy');
    await api('giulia', 'PUT', '/me/presence', { status: 'available' });

    await openConsole('luca');
    closeConsole('luca');
    expect(await presenceOf('luca')).toBe('available');
    await until(async () => (await presenceOf('luca')) === 'away', 'luca away after the delay', 3000);
    const row = (await api('sara', 'GET', '/operators')).json.operators.find((o: { name: string }) => o.name === 'luca');
    expect(row).toMatchObject({ presence: 'away', online: false, active: 0, maxConcurrent: 3, displayName: 'Luca R.', presenceSince: expect.any(String) });
    await openConsole('luca');
    closeConsole('luca', 'logout');
    await until(async () => (await presenceOf('luca')) === 'away', 'luca away at once on sign-out', 200);
  });

  test('roles: take over and reassign are for supervisors (403 SUPERVISOR_ONLY), no token is 401; a supervisor writes to and closes a colleague’s conversation', async () => {
    const { citizen, id } = await connected('giulia', 'rimborso della TARI pagata due volte');
    for (const path of ['takeover', 'reassign']) {
      const refused = await api('marco', 'POST', `/conversations/${id}/${path}`, { to: 'marco' });
      expect(refused).toEqual({ status: 403, json: { error: { code: 'SUPERVISOR_ONLY', message: 'Only supervisors may do this' } } });
      expect((await api(null, 'POST', `/conversations/${id}/${path}`, { to: 'marco' })).status).toBe(401);
    }
    expect((await dialogo.handoff.get(id))!.operator).toBe('giulia');
    // What the API allowed before it was documented: a supervisor writes to and closes a colleague's conversation.
    expect((await api('sara', 'POST', `/conversations/${id}/messages`, { text: 'Un momento, verifico.' })).status).toBe(201);
    expect((await api('marco', 'POST', `/conversations/${id}/close`, { outcome: 'resolved' })).json.error.code).toBe('NOT_YOUR_CONVERSATION');
    expect((await api('sara', 'POST', `/conversations/${id}/close`, { outcome: 'written-request' })).json.session).toMatchObject({ state: 'closed', outcome: 'written-request', operator: 'giulia' });
    expect((await citizen.waitFor((a) => handoffOf(a)?.state === 'closed')).text).toMatch(/seguirà una risposta scritta/);
  });

  test('reassign: hostile bodies are 400, unknown conversation or colleague 404, an away colleague 409; then the colleague holds it and everyone is told', async () => {
    await openConsole('marco');
    const { citizen, id } = await connected('giulia', 'avviso di accertamento IMU');
    for (const raw of ['{"to":123}', '{"to":""}', `{"to":"${'x'.repeat(65)}"}`, '{"to":"marco","force":"yes"}', '{"to":"marco","extra":true}', '[]', 'null']) {
      const refused = await api('sara', 'POST', `/conversations/${id}/reassign`, undefined, raw);
      expect([raw, refused.status]).toEqual([raw, 400]);
    }
    expect((await api('sara', 'POST', '/conversations/nope/reassign', { to: 'marco' })).json.error.code).toBe('NOT_FOUND');
    expect((await api('sara', 'POST', `/conversations/${id}/reassign`, { to: 'nessuno' })).json.error.code).toBe('OPERATOR_NOT_FOUND');
    const away = await api('sara', 'POST', `/conversations/${id}/reassign`, { to: 'luca' });
    expect(away).toEqual({ status: 409, json: { error: { code: 'OPERATOR_UNAVAILABLE', message: 'luca è assente: nessuna console aperta.' } } });
    expect((await dialogo.handoff.get(id))!).toMatchObject({ operator: 'giulia', messages: [] });

    const moved = await api('sara', 'POST', `/conversations/${id}/reassign`, { to: 'marco' });
    expect(moved.json.session).toMatchObject({ id, state: 'connected', operator: 'marco', handover: { kind: 'reassign', text: 'Assegnata a marco da sara (prima: giulia).' } });
    const told = await citizen.waitFor((a) => /Ora sei in contatto/.test(a.text ?? ''));
    expect(told.text).toBe('Ora sei in contatto con Marco V. del contact center 020202.');
    const handover = { type: 'handover', sessionId: id, kind: 'reassign', from: 'giulia', to: 'marco', by: 'sara', note: null };
    await until(() => pushes.giulia!.some((p) => p.type === 'handover') && pushes.marco!.some((p) => p.type === 'handover'), 'the handover pushes');
    expect(pushes.giulia!.filter((p) => p.type === 'handover')).toEqual([handover]);
    expect(pushes.marco!.filter((p) => p.type === 'handover')).toEqual([handover]);
    expect((await api('giulia', 'GET', `/conversations/${id}`)).status).toBe(403);
    expect((await api('marco', 'GET', `/conversations/${id}`)).json.messages.at(-1)).toMatchObject({ from: 'system', text: 'Assegnata a marco da sara (prima: giulia).' });
    // Marco (limit 1) is full now: a second reassignment to him needs force.
    const other = await connected('giulia', 'cambio di residenza');
    expect((await api('sara', 'POST', `/conversations/${other.id}/reassign`, { to: 'marco' })).json.error.code).toBe('COLLEAGUE_AT_CAPACITY');
    expect((await api('sara', 'POST', `/conversations/${other.id}/reassign`, { to: 'marco', force: true })).json.session.operator).toBe('marco');
    for (const c of [id, other.id]) await api('marco', 'POST', `/conversations/${c}/close`, { outcome: 'resolved' });
  });

  test('transfer: the holder passes it to an available colleague with a note the colleague reads on the card; refusals are 409 and change nothing', async () => {
    await openConsole('luca');
    const colleagues = (await api('giulia', 'GET', '/colleagues')).json.colleagues;
    expect(colleagues.map((c: { name: string }) => c.name)).toEqual(['luca', 'marco', 'sara']);
    expect(colleagues[0]).toEqual({ name: 'luca', displayName: 'Luca R.', role: 'operator', presence: 'available', since: expect.any(String), held: 0, maxConcurrent: 3, free: 3 });
    const { citizen, id } = await connected('giulia', 'permesso di sosta per residenti');
    expect((await api('marco', 'POST', `/conversations/${id}/transfer`, { to: 'luca' })).json.error.code).toBe('NOT_YOUR_CONVERSATION');
    expect((await api('giulia', 'POST', `/conversations/${id}/transfer`, { to: 'sara' })).json.error).toEqual({ code: 'OPERATOR_UNAVAILABLE', message: 'sara è occupato: non prende nuove conversazioni.' });
    expect((await api('giulia', 'POST', `/conversations/${id}/transfer`, { to: 'luca', note: 'x'.repeat(501) })).status).toBe(400);
    expect((await dialogo.handoff.get(id))!.operator).toBe('giulia');

    const moved = await api('giulia', 'POST', `/conversations/${id}/transfer`, { to: 'luca', note: 'Ha già il contrassegno, chiede il rinnovo.' });
    expect(moved.status).toBe(200);
    const card = (await api('luca', 'GET', '/queue')).json.sessions.find((s: { id: string }) => s.id === id);
    expect(card.handover).toEqual({ kind: 'transfer', text: 'Trasferita da giulia a luca. Nota: Ha già il contrassegno, chiede il rinnovo.', at: expect.any(String) });
    expect((await citizen.waitFor((a) => /Ora sei in contatto/.test(a.text ?? ''))).text).toBe('Ora sei in contatto con Luca R. del contact center 020202.');
    await until(() => pushes.luca!.some((p) => p.type === 'handover' && p.note === 'Ha già il contrassegno, chiede il rinnovo.'), 'the note pushed to luca');
    await api('luca', 'POST', `/conversations/${id}/close`, { outcome: 'resolved' });
  });

  test('a supervisor takes over a colleague’s conversation, writes and closes it with an outcome', async () => {
    const { citizen, id } = await connected('giulia', 'iscrizione al nido');
    const taken = await api('sara', 'POST', `/conversations/${id}/takeover`);
    expect(taken.json.session).toMatchObject({ operator: 'sara', handover: { kind: 'takeover' } });
    expect((await citizen.waitFor((a) => /Ora sei in contatto/.test(a.text ?? ''))).text).toBe('Ora sei in contatto con Sara M. del contact center 020202.');
    expect((await api('sara', 'POST', `/conversations/${id}/takeover`)).json.error.code).toBe('ALREADY_HOLDER');
    expect((await api('sara', 'POST', `/conversations/${id}/messages`, { text: 'Buongiorno, sono la supervisora.' })).status).toBe(201);
    expect((await citizen.waitFor((a) => /supervisora/.test(a.text ?? ''))).text).toBe('Sara M. (020202): Buongiorno, sono la supervisora.');
    expect((await api('sara', 'POST', `/conversations/${id}/close`, { outcome: 'callback', callbackNumber: '02 0202' })).json.session).toMatchObject({ state: 'closed', outcome: 'callback' });
    expect(handoffOf(await citizen.waitFor((a) => handoffOf(a)?.state === 'closed')).state).toBe('closed');
  });
});
