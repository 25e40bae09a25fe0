import { romeDay } from '../../src/analytics/rome-day';
import { loadConfig } from '../../src/config';
import { startDialogo, type Dialogo } from '../../src/index';
import { createLogger } from '../../src/logger';
import { exportCitizenData } from '../../src/storage/data-export';
import { openStorage } from '../../src/storage/open-storage';
import { openConsoleSocket } from '../fixtures/console-socket';
import { DirectLineCitizen } from '../fixtures/directline-citizen';
import { KB_DIR, tempDataDir } from '../fixtures/runtime';
import { rawSqlite } from '../storage/adapters';

const silent = createLogger('silent');
const PASSWORD = 'una-password-lunga';
const DL_SECRET = 'direct-line-secret-for-tests';

async function api(port: number, method: string, path: string, token?: string, body?: unknown): Promise<{ status: number; json: any }> {
  const response = await fetch(`http://127.0.0.1:${port}/api/operator${path}`, {
    method,
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    body: body !== undefined ? JSON.stringify(body) : undefined,
  });
  const text = await response.text();
  return { status: response.status, json: text ? JSON.parse(text) : undefined };
}

describe('the operator workspace API: canned replies, notes, wrap-up, callbacks, history', () => {
  let dialogo: Dialogo;
  let dataDir: string;
  let giulia: string;
  let marco: string;
  let sara: string;
  const config = () => loadConfig({ PORT: '0', HOST: '127.0.0.1', KB_DIR, KB_WATCH: 'false', NODE_ENV: 'test', DATA_DIR: dataDir, OFFICE_HOURS: 'always', OPERATOR_TOKEN_SECRET: 'operator-token-secret-for-tests', DIRECTLINE_SECRET: DL_SECRET });
  const call = (method: string, path: string, token?: string, body?: unknown) => api(dialogo.port, method, path, token, body);
  const login = async (username: string) => (await call('POST', '/login', undefined, { username, password: PASSWORD })).json.token as string;

  /** A citizen queued and claimed by giulia: the session id, the citizen and the phone code. */
  async function heldByGiulia(description: string): Promise<{ id: string; citizen: DirectLineCitizen; code: string }> {
    const citizen = await DirectLineCitizen.start(dialogo.port, undefined, DL_SECRET);
    await citizen.say('vorrei parlare con un operatore');
    await citizen.say('Sì');
    await citizen.say(description);
    const [queued] = await citizen.say('Acconsento');
    const code = /codice (\d{6})/.exec(queued.text)![1]!;
    const session = (await call('GET', `/phone-codes/${code}`, giulia)).json.session;
    expect((await call('POST', `/conversations/${session.id}/claim`, giulia)).status).toBe(200);
    await citizen.waitFor((a) => a.channelData?.dialogo?.handoff?.state === 'connected');
    return { id: session.id, citizen, code };
  }

  beforeAll(async () => {
    dataDir = tempDataDir();
    dialogo = await startDialogo(config(), silent);
    await dialogo.operators.add('giulia', 'operator', PASSWORD, { displayName: 'Giulia B.' });
    await dialogo.operators.add('marco', 'operator', PASSWORD, { displayName: 'Marco V.' });
    await dialogo.operators.add('sara', 'supervisor', PASSWORD, { displayName: 'Sara M.' });
    [giulia, marco, sara] = [await login('giulia'), await login('marco'), await login('sara')];
    // A console is open: with nobody available a citizen is offered the written request instead of the queue.
    dialogo.handoff.operatorOnline({ name: 'giulia', role: 'operator', maxConcurrent: 3 }, true);
  });
  afterAll(() => dialogo.stop());

  test('canned replies: operators read, supervisors manage; unknown placeholders and hostile bodies are refused and change nothing', async () => {
    expect((await call('POST', '/canned-replies', giulia, { title: 'Saluto', text: 'Buongiorno' })).status).toBe(403);
    const refused = [
      { title: 'Saluto', text: 'Buongiorno, pratica {{pratica}}' },
      { title: 'Saluto', text: 'Buongiorno {{operatore}' },
      { title: 'x'.repeat(61), text: 'Buongiorno' },
      { title: 'Saluto', text: 'x'.repeat(1001) },
      { title: '  ', text: 'Buongiorno' },
      { title: 'Saluto', text: 'Buongiorno', extra: true },
      { title: ['Saluto'], text: 'Buongiorno' },
    ];
    const answers = await Promise.all(refused.map((body) => call('POST', '/canned-replies', sara, body)));
    expect(answers.map((a) => a.status)).toEqual(refused.map(() => 400));
    expect(answers[0]!.json.error).toMatchObject({ code: 'UNKNOWN_PLACEHOLDER', details: [expect.stringContaining('{{pratica}}')] });
    expect(answers[1]!.json.error.code).toBe('UNKNOWN_PLACEHOLDER');
    expect((await call('GET', '/canned-replies', giulia)).json).toEqual({ replies: [], placeholders: ['operatore', 'codice', 'argomento'] });

    const created = await call('POST', '/canned-replies', sara, { title: 'Saluto', text: 'Buongiorno, sono {{operatore}} del 020202. Codice {{ codice }}, {{argomento}}.' });
    expect(created.status).toBe(201);
    const id = created.json.reply.id as string;
    expect((await call('PUT', `/canned-replies/${id}`, giulia, { title: 'X', text: 'Y' })).status).toBe(403);
    expect((await call('PUT', `/canned-replies/${id}`, sara, { title: 'Saluto', text: '{{nome}}' })).json.error.code).toBe('UNKNOWN_PLACEHOLDER');
    const updated = await call('PUT', `/canned-replies/${id}`, sara, { title: 'Benvenuto', text: 'Buongiorno, sono {{operatore}}.' });
    expect(updated.json.reply).toMatchObject({ id, title: 'Benvenuto', updatedBy: 'sara' });
    expect((await call('GET', '/canned-replies', marco)).json.replies).toEqual([updated.json.reply]);
    expect((await call('PUT', '/canned-replies/missing', sara, { title: 'a', text: 'b' })).status).toBe(404);
    expect((await call('DELETE', `/canned-replies/${id}`, giulia)).status).toBe(403);
    expect((await call('DELETE', `/canned-replies/${id}`, sara)).status).toBe(204);
    expect((await call('DELETE', `/canned-replies/${id}`, sara)).status).toBe(404);
  });

  test('the transcript the operator reads has the bot\'s questions before the citizen\'s answers, not a lone "Sì"', async () => {
    const { id } = await heldByGiulia('multa da contestare');
    const transcript = (await call('GET', `/conversations/${id}`, giulia)).json.transcript.map((e: { from: string; text: string }) => [e.from, e.text]);
    expect(transcript).toEqual([
      ['citizen', 'vorrei parlare con un operatore'],
      ['bot', expect.stringContaining('Vuoi parlare con un operatore del contact center 020202?')],
      ['citizen', 'Sì'],
      ['bot', expect.stringContaining('Scrivi in una riga di cosa hai bisogno')],
      ['citizen', 'multa da contestare'],
      ['bot', expect.stringContaining('Acconsenti?')],
    ]);
    await call('POST', `/conversations/${id}/close`, giulia, { outcome: 'resolved' });
  });

  test('a new note reaches the open consoles of the holder and supervisors at once, never a colleague\'s', async () => {
    const { id } = await heldByGiulia('nota da vedere subito');
    const [supervisor, colleague] = await Promise.all([openConsoleSocket(dialogo.port, sara), openConsoleSocket(dialogo.port, marco)]);
    try {
      const added = (await call('POST', `/conversations/${id}/notes`, giulia, { text: 'richiamare dopo le 15' })).json.note;
      const deadline = Date.now() + 5000;
      while (!supervisor.pushes.some((p) => p.type === 'note') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      expect(supervisor.pushes.filter((p) => p.type === 'note')).toEqual([{ type: 'note', sessionId: id, note: added }]);
      // The colleague's socket got its queue pushes, never the note.
      expect(colleague.pushes.some((p) => p.type === 'queue')).toBe(true);
      expect(colleague.pushes.filter((p) => p.type === 'note')).toEqual([]);
    } finally {
      for (const socket of [supervisor, colleague]) socket.ws.terminate();
    }
  });

  test('internal notes: the holder and supervisors only; never in the citizen\'s chat, the transcript or the citizen\'s data export', async () => {
    const { id, citizen } = await heldByGiulia('avviso TARI da verificare');
    expect((await call('POST', `/conversations/${id}/notes`, marco, { text: 'non mia' })).json.error.code).toBe('CONVERSATION_FORBIDDEN');
    expect((await call('GET', `/conversations/${id}/notes`, marco)).status).toBe(403);
    for (const body of [{ text: '' }, { text: 'x'.repeat(1001) }, { text: 'ok', operator: 'sara' }, { text: 42 }]) {
      expect((await call('POST', `/conversations/${id}/notes`, giulia, body)).status).toBe(400);
    }
    expect((await call('GET', `/conversations/${id}/notes`, giulia)).json.notes).toEqual([]);
    expect((await call('POST', `/conversations/missing/notes`, giulia, { text: 'x' })).status).toBe(404);

    const secret = 'nota interna: già segnalato all’ufficio tributi';
    const added = await call('POST', `/conversations/${id}/notes`, giulia, { text: secret });
    expect(added.status).toBe(201);
    expect(added.json.note).toMatchObject({ sessionId: id, operator: 'giulia', kind: 'internal', text: secret });
    expect((await call('GET', `/conversations/${id}/notes`, sara)).json.notes).toEqual([added.json.note]);

    expect(await citizen.read()).toEqual([]);
    const view = (await call('GET', `/conversations/${id}`, giulia)).json;
    expect(JSON.stringify([view.transcript, view.messages])).not.toContain('ufficio tributi');
    const backend = await openStorage(config());
    try {
      const exported = await exportCitizenData(backend, { channel: 'directline', channelConversationId: citizen.conversationId });
      expect(exported.some((r) => r.store === 'handoff_sessions')).toBe(true);
      expect(JSON.stringify(exported)).not.toContain('ufficio tributi');
    } finally {
      await backend.close();
    }
    await call('POST', `/conversations/${id}/close`, giulia, { outcome: 'resolved' });
  });

  test('close as callback: the number is checked, stored sealed (not in the database file), listed pending and marked done once', async () => {
    const { id } = await heldByGiulia('richiamatemi per la carta d’identità');
    for (const body of [{ outcome: 'callback' }, { outcome: 'callback', callbackNumber: '12345' }, { outcome: 'callback', callbackNumber: 'tre tre tre' }, { outcome: 'resolved', callbackNumber: '3331234567' }, { outcome: 'resolved', note: 'x'.repeat(1001) }]) {
      expect((await call('POST', `/conversations/${id}/close`, giulia, body)).status).toBe(400);
    }
    expect((await call('POST', `/conversations/${id}/close`, giulia, { outcome: 'callback', callbackNumber: '12345' })).json.error.code).toBe('INVALID_PHONE_NUMBER');
    expect((await call('GET', `/conversations/${id}`, giulia)).json.session.state).toBe('connected');
    expect((await call('GET', '/callbacks', giulia)).json.callbacks).toEqual([]);

    const closed = await call('POST', `/conversations/${id}/close`, giulia, { outcome: 'callback', callbackNumber: '+39 333 765 4321', note: 'preferisce essere chiamata dopo le 15' });
    expect(closed.json.session).toMatchObject({ state: 'closed', outcome: 'callback' });
    const pending = (await call('GET', '/callbacks', marco)).json.callbacks;
    expect(pending).toEqual([expect.objectContaining({ id, phoneNumber: '+393337654321', note: 'preferisce essere chiamata dopo le 15', description: 'richiamatemi per la carta d’identità', operator: 'giulia', status: 'pending' })]);
    expect((await call('GET', `/conversations/${id}/notes`, giulia)).json.notes).toEqual([expect.objectContaining({ kind: 'wrap-up', text: 'preferisce essere chiamata dopo le 15' })]);

    const raw = rawSqlite(dataDir);
    expect(raw).toContain('enc:1:');
    for (const secret of ['3337654321', '333 765 4321', 'dopo le 15']) expect(raw).not.toContain(secret);

    expect((await call('GET', '/callbacks?status=sometimes', marco)).status).toBe(400);
    expect((await call('POST', `/callbacks/${id}/done`, marco)).json.callback).toMatchObject({ status: 'done', doneBy: 'marco' });
    const again = await call('POST', `/callbacks/${id}/done`, giulia);
    expect(again.json.error).toMatchObject({ code: 'CALLBACK_ALREADY_DONE', message: 'Richiamata già fatta da marco.' });
    expect((await call('POST', '/callbacks/missing/done', giulia)).status).toBe(404);
    expect((await call('GET', '/callbacks', marco)).json.callbacks).toEqual([]);
    expect((await call('GET', '/callbacks?status=done', marco)).json.callbacks.map((c: { id: string }) => c.id)).toEqual([id]);
  });

  test('history: an operator finds what they held, never a colleague\'s; supervisors find all; requests by reference; bad queries are 400', async () => {
    const { id, code } = await heldByGiulia('storico della TARI');
    await call('POST', `/conversations/${id}/close`, giulia, { outcome: 'resolved' });
    const ids = (json: any) => json.conversations.map((c: { id: string }) => c.id);
    expect(ids((await call('GET', `/history?code=${code}`, giulia)).json)).toEqual([id]);
    expect(ids((await call('GET', `/history?code=${code}`, marco)).json)).toEqual([]);
    expect((await call('GET', '/history?operator=giulia', marco)).status).toBe(403);
    expect(ids((await call('GET', `/history?code=${code}&operator=giulia`, sara)).json)).toEqual([id]);
    const today = romeDay(Date.now());
    expect(ids((await call('GET', `/history?from=${today}&to=${today}`, giulia)).json)).toContain(id);
    expect(ids((await call('GET', '/history?to=2020-01-01', giulia)).json)).toEqual([]);
    expect((await call('GET', `/history?code=${code}`, giulia)).json.conversations[0]).toMatchObject({ description: 'storico della TARI', operator: 'giulia', outcome: 'resolved', endedAt: expect.any(String) });

    for (const q of ['code=12', 'limit=0', 'limit=500', 'from=2026-13-01', 'from=2026-05-02&to=2026-05-01', 'colour=red', 'reference=ABC']) {
      expect([q, (await call('GET', `/history?${q}`, sara)).status]).toEqual([q, 400]);
    }
    const ticket = await dialogo.handoff.createTicket({ channel: 'directline', conversationId: 'c-history', language: 'it', topicId: null, contactEmail: 'anna@example.org', description: 'rimborso' });
    const found = (await call('GET', `/history?reference=${ticket.reference.toLowerCase()}`, marco)).json;
    expect(found).toEqual({ conversations: [], requests: [expect.objectContaining({ reference: ticket.reference, description: 'rimborso' })] });
    expect((await call('GET', '/history?reference=DLG-1999-000001', marco)).json.requests).toEqual([]);

    // Without a reference: the answered and closed requests of the days (open ones are the requests tab's), whoever asks.
    const references = (body: { requests: { reference: string }[] }) => body.requests.map((r) => r.reference);
    expect(references((await call('GET', `/history?from=${today}&to=${today}`, giulia)).json)).not.toContain(ticket.reference);
    expect((await call('POST', `/requests/${ticket.reference}/close`, marco, { outcome: 'spam', note: 'messaggio pubblicitario' })).status).toBe(200);
    expect(references((await call('GET', `/history?from=${today}&to=${today}`, giulia)).json)).toContain(ticket.reference);
    expect(references((await call('GET', `/history?from=${today}&to=${today}&operator=marco`, sara)).json)).toContain(ticket.reference);
    expect(references((await call('GET', `/history?from=${today}&to=${today}&operator=giulia`, sara)).json)).not.toContain(ticket.reference);
    expect(references((await call('GET', `/history?code=${code}`, giulia)).json)).toEqual([]);
  });
});
