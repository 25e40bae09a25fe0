import { rmSync } from 'node:fs';
import WebSocket from 'ws';
import { loadConfig } from '../../src/config';
import type { OperatorIdentity } from '../../src/handoff/handoff-service';
import { startDialogo, type Dialogo } from '../../src/index';
import { createLogger } from '../../src/logger';
import { conversationAccess } from '../../src/operators/conversation-access';
import { DirectLineCitizen } from '../fixtures/directline-citizen';
import { KB_DIR, tempDataDir } from '../fixtures/runtime';

const PASSWORD = 'una-password-lunga';
const IDENTITIES: Record<'giulia' | 'marco' | 'sara', OperatorIdentity> = {
  giulia: { name: 'giulia', role: 'operator', maxConcurrent: 3 },
  marco: { name: 'marco', role: 'operator', maxConcurrent: 3 },
  sara: { name: 'sara', role: 'supervisor', maxConcurrent: 3 },
};

describe('who may see a conversation', () => {
  test.each([
    ['queued', undefined, 'giulia', 'summary'],
    ['queued', undefined, 'sara', 'full'],
    ['connected', 'giulia', 'giulia', 'full'],
    ['connected', 'giulia', 'marco', 'none'],
    ['connected', 'giulia', 'sara', 'full'],
    ['closed', 'giulia', 'giulia', 'full'],
    ['closed', 'giulia', 'marco', 'none'],
    ['abandoned', undefined, 'marco', 'none'],
    ['abandoned', undefined, 'sara', 'full'],
  ] as const)('%s, held by %s, seen by %s: %s', (state, operator, who, expected) => {
    expect(conversationAccess({ state, operator }, IDENTITIES[who])).toBe(expected);
  });
});

async function api(port: number, method: string, path: string, token: string, body?: unknown): Promise<{ status: number; json: any }> {
  const headers = { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) };
  const response = await fetch(`http://127.0.0.1:${port}/api/operator${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  return { status: response.status, json: await response.json() };
}

describe('operators see only the conversations they hold (supervisors see all)', () => {
  let dialogo: Dialogo;
  let dataDir: string;
  const tokens: Record<string, string> = {};
  const sockets: WebSocket[] = [];

  beforeAll(async () => {
    dataDir = tempDataDir();
    dialogo = await startDialogo(loadConfig({ PORT: '0', HOST: '127.0.0.1', KB_DIR, KB_WATCH: 'false', NODE_ENV: 'test', DATA_DIR: dataDir, OFFICE_HOURS: 'always' }), createLogger('silent'));
    for (const [name, role] of [['giulia', 'operator'], ['marco', 'operator'], ['sara', 'supervisor']] as const) {
      await dialogo.operators.add(name, role, PASSWORD, { displayName: 'Operatore' });
      const response = await fetch(`http://127.0.0.1:${dialogo.port}/api/operator/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: name, password: PASSWORD }) });
      tokens[name] = ((await response.json()) as { token: string }).token;
    }
  });
  afterAll(async () => {
    for (const ws of sockets) ws.terminate();
    await dialogo.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  /** A live console: every push it receives. */
  async function openConsole(name: string): Promise<any[]> {
    const pushes: any[] = [];
    const ws = new WebSocket(`ws://127.0.0.1:${dialogo.port}/api/operator/ws?token=${tokens[name]}`);
    sockets.push(ws);
    ws.on('message', (data: Buffer) => pushes.push(JSON.parse(data.toString('utf8'))));
    await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
    return pushes;
  }

  test('queued: a colleague gets the card only; claimed: only the holder and supervisors read it, live pushes included', async () => {
    const [marcoPushes, giuliaPushes, saraPushes] = [await openConsole('marco'), await openConsole('giulia'), await openConsole('sara')];
    const citizen = await DirectLineCitizen.start(dialogo.port);
    await citizen.say('quanto costa la carta d’identità?');
    await citizen.say('vorrei parlare con un operatore');
    await citizen.say('Sì');
    await citizen.say('devo rinnovare la carta d’identità');
    const [queued] = await citizen.say('Acconsento');
    const code = /codice (\d{6})/.exec(queued.text)![1]!;
    const id = (await dialogo.handoff.activeFor('directline', citizen.conversationId))!.id;

    const card = await api(dialogo.port, 'GET', `/conversations/${id}`, tokens.marco!);
    expect(card.status).toBe(200);
    expect(card.json.session).toMatchObject({ id, state: 'queued', description: 'devo rinnovare la carta d’identità' });
    expect(card.json).not.toHaveProperty('transcript');
    expect(card.json).not.toHaveProperty('messages');
    expect((await api(dialogo.port, 'GET', `/conversations/${id}`, tokens.sara!)).json.transcript.length).toBeGreaterThan(0);

    expect((await api(dialogo.port, 'POST', `/conversations/${id}/claim`, tokens.giulia!)).status).toBe(200);
    await citizen.waitFor((a) => a.channelData?.dialogo?.handoff?.state === 'connected');
    await citizen.say('il mio codice fiscale è nel modulo');

    const refused = await api(dialogo.port, 'GET', `/conversations/${id}`, tokens.marco!);
    expect(refused).toEqual({ status: 403, json: { error: { code: 'CONVERSATION_FORBIDDEN', message: expect.stringContaining('gestita da giulia') } } });
    expect((await api(dialogo.port, 'GET', `/phone-codes/${code}`, tokens.marco!)).json.error.code).toBe('CONVERSATION_FORBIDDEN');
    expect((await api(dialogo.port, 'GET', `/queue`, tokens.marco!)).json.sessions.map((s: { id: string }) => s.id)).not.toContain(id);
    for (const who of ['giulia', 'sara']) {
      const full = await api(dialogo.port, 'GET', `/conversations/${id}`, tokens[who]!);
      expect(full.json.messages.map((m: { text: string }) => m.text)).toContain('il mio codice fiscale è nel modulo');
    }
    const live = (pushes: any[]) => pushes.filter((p) => (p.type === 'message' && p.sessionId === id) || (p.type === 'session' && p.session.id === id));
    expect(live(giuliaPushes).map((p) => p.type)).toEqual(expect.arrayContaining(['session', 'message']));
    expect(live(saraPushes).map((p) => p.type)).toEqual(expect.arrayContaining(['session', 'message']));
    expect(live(marcoPushes)).toEqual([]);

    expect((await api(dialogo.port, 'POST', `/conversations/${id}/close`, tokens.giulia!, { outcome: 'resolved' })).status).toBe(200);
    expect((await api(dialogo.port, 'GET', `/conversations/${id}`, tokens.giulia!)).json.session.state).toBe('closed');
    expect((await api(dialogo.port, 'GET', `/conversations/${id}`, tokens.marco!)).status).toBe(403);
  });
});
