import { rmSync } from 'node:fs';
import { loadConfig } from '../../src/config';
import { startDialogo, type Dialogo } from '../../src/index';
import { createLogger } from '../../src/logger';
import { openConsoleSocket } from '../fixtures/console-socket';
import { DirectLineCitizen } from '../fixtures/directline-citizen';
import { KB_DIR, tempDataDir } from '../fixtures/runtime';
import { SmtpInbox } from '../fixtures/smtp-inbox';

const silent = createLogger('silent');
const PASSWORD = 'una-password-lunga';
const TOKEN_SECRET = 'operator-token-secret-for-tests';
const MAIL_FROM = 'Comune di Milano <noreply@comune.example.org>';
const HOUR = 3600_000;
// Sunday 29 November 2026, 11:00 in Milan: 020202 is closed, citizens leave written requests.
const SUNDAY = Date.parse('2026-11-29T10:00:00.000Z');

async function api(port: number, method: string, path: string, token?: string, body?: unknown): Promise<{ status: number; json: any }> {
  const response = await fetch(`http://127.0.0.1:${port}/api/operator${path}`, {
    method,
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, json: text ? JSON.parse(text) : undefined };
}

async function login(port: number, username: string): Promise<string> {
  const { status, json } = await api(port, 'POST', '/login', undefined, { username, password: PASSWORD });
  expect(status).toBe(200);
  return json.token as string;
}

function baseEnv(dataDir: string): Record<string, string> {
  return { PORT: '0', HOST: '127.0.0.1', KB_DIR, KB_WATCH: 'false', NODE_ENV: 'test', DATA_DIR: dataDir, OFFICE_HOURS: 'default', OPERATOR_TOKEN_SECRET: TOKEN_SECRET };
}

// Start-up (knowledge base, recognizer, three scrypt hashes) takes seconds; more on a loaded machine.
jest.setTimeout(60_000);

describe('written requests worked to the end through the operator API', () => {
  let dialogo: Dialogo;
  let inbox: SmtpInbox;
  let dataDir: string;
  let clock = SUNDAY;
  let giulia: string;
  let marco: string;
  let sara: string;

  const file = (description: string, extra: { language?: 'it' | 'en'; topicId?: string | null; conversationId?: string; contactEmail?: string } = {}) =>
    dialogo.handoff.createTicket({
      channel: 'directline',
      conversationId: extra.conversationId ?? `conv-${Math.random().toString(36).slice(2)}`,
      language: extra.language ?? 'it',
      topicId: extra.topicId ?? null,
      contactEmail: extra.contactEmail ?? 'laura@example.org',
      description,
    });

  beforeAll(async () => {
    inbox = await SmtpInbox.start();
    dataDir = tempDataDir();
    dialogo = await startDialogo(loadConfig({ ...baseEnv(dataDir), SMTP_URL: inbox.url, MAIL_FROM }), silent, { now: () => new Date(clock) });
    await dialogo.operators.add('giulia', 'operator', PASSWORD, { displayName: 'Giulia B.' });
    await dialogo.operators.add('marco', 'operator', PASSWORD, { displayName: 'Marco V.' });
    await dialogo.operators.add('sara', 'supervisor', PASSWORD, { displayName: 'Sara M.' });
    [giulia, marco, sara] = [await login(dialogo.port, 'giulia'), await login(dialogo.port, 'marco'), await login(dialogo.port, 'sara')];
  });
  afterAll(async () => {
    await dialogo?.stop();
    await inbox?.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  test('a request left through the bot is filed under the topic of the citizen\'s words and found by its reference, in any case, with spaces', async () => {
    const citizen = await DirectLineCitizen.start(dialogo.port);
    await citizen.say('voglio parlare con una persona');
    await citizen.say('sì');
    await citizen.say('anna@example.org');
    await citizen.say('Ho pagato due volte la tassa rifiuti TARI e vorrei il rimborso');
    const [created] = await citizen.say('Conferma');
    const reference = /DLG-\d{4}-\d{6}/.exec(created.text)?.[0] as string;
    expect(reference).toMatch(/^DLG-2026-\d{6}$/);

    const found = await api(dialogo.port, 'GET', `/requests?reference=${encodeURIComponent(`  ${reference.toLowerCase()} `)}`, giulia);
    expect(found.status).toBe(200);
    expect(found.json.count).toBe(1);
    expect(found.json.mailConfigured).toBe(true);
    expect(found.json.requests[0]).toMatchObject({
      reference, state: 'open', channel: 'directline', language: 'it', contactEmail: 'anna@example.org', conversationId: citizen.conversationId,
      topicId: expect.stringMatching(/tari/), topicTitle: expect.any(String), createdAt: new Date(clock).toISOString(),
    });
    expect(found.json.requests[0].transcript).toBeUndefined();
    // No queue on a Sunday: the conversation with the bot was kept with the request.
    const detail = (await api(dialogo.port, 'GET', `/requests/${reference}`, giulia)).json;
    expect(detail.transcript).toMatchObject({ sessionId: null, messages: [] });
    expect(detail.transcript.transcript[0]).toMatchObject({ from: 'citizen', text: 'voglio parlare con una persona' });
  });

  test('filters by state, topic and age, newest first, with the count and a total per state', async () => {
    clock = SUNDAY - 48 * HOUR;
    const old = await file('Richiesta vecchia sulla carta d\'identità', { topicId: 'carta-identita' });
    clock = SUNDAY - 2 * HOUR;
    const recent = await file('Richiesta recente sulla carta d\'identità', { topicId: 'carta-identita' });
    clock = SUNDAY;
    const byTopic = await api(dialogo.port, 'GET', '/requests?topic=carta-identita&state=open', marco);
    expect(byTopic.json.requests.map((r: { reference: string }) => r.reference)).toEqual([recent.reference, old.reference]);
    expect(byTopic.json.count).toBe(2);
    const waiting = await api(dialogo.port, 'GET', '/requests?topic=carta-identita&olderThanHours=24', marco);
    expect(waiting.json.requests.map((r: { reference: string }) => r.reference)).toEqual([old.reference]);
    const limited = await api(dialogo.port, 'GET', '/requests?limit=1', marco);
    expect(limited.json.requests).toHaveLength(1);
    expect(limited.json.count).toBe(limited.json.totals.open + limited.json.totals.answered + limited.json.totals.closed);
    expect((await api(dialogo.port, 'GET', '/requests?state=answered', marco)).json).toMatchObject({ requests: [], count: 0 });
  });

  test('hostile query strings, references and bodies are refused with 400 INVALID_REQUEST and change nothing', async () => {
    const ticket = await file('Una richiesta da non toccare');
    const before = (await api(dialogo.port, 'GET', '/requests', giulia)).json;
    for (const query of [
      'state=pending', 'state=', 'reference=DLG-2026-1', 'reference=%27%20OR%201%3D1--', 'topic=TARI%20;drop', 'olderThanHours=-1', 'olderThanHours=1e9',
      'olderThanHours=99999', 'olderThanHours=abc', 'limit=0', 'limit=100000', 'state=open&state=closed', 'status=open', 'reference[$ne]=x', '__proto__=1',
    ]) {
      const refused = await api(dialogo.port, 'GET', `/requests?${query}`, giulia);
      expect([query, refused.status, refused.json?.error?.code]).toEqual([query, 400, 'INVALID_REQUEST']);
    }
    const ref = ticket.reference;
    for (const [path, body] of [
      [`/requests/${ref}/reply`, {}], [`/requests/${ref}/reply`, { text: '   ' }], [`/requests/${ref}/reply`, { text: 'x'.repeat(5001) }],
      [`/requests/${ref}/reply`, { text: 42 }], [`/requests/${ref}/reply`, { text: 'ok', extra: true }], [`/requests/${ref}/reply`, ['text']],
      [`/requests/${ref}/close`, { outcome: 'deleted', note: 'x' }], [`/requests/${ref}/close`, { outcome: 'spam', note: 'x'.repeat(1001) }],
      [`/requests/${ref}/close`, { outcome: 'spam', note: 7 }], ['/requests/not-a-reference/close', { outcome: 'spam', note: 'x' }],
      ['/requests/DLG-2026-1/reply', { text: 'ok' }],
    ] as const) {
      const refused = await api(dialogo.port, 'POST', path, giulia, body);
      expect([path, JSON.stringify(body).slice(0, 40), refused.status, refused.json.error.code]).toEqual([path, JSON.stringify(body).slice(0, 40), 400, 'INVALID_REQUEST']);
    }
    expect((await api(dialogo.port, 'POST', `/requests/${ref}/reply`, giulia, '{"text":')).status).toBe(400);
    expect((await api(dialogo.port, 'GET', `/requests/not-a-reference`, giulia)).status).toBe(400);
    expect((await api(dialogo.port, 'GET', '/requests', giulia)).json).toEqual(before);
    expect(inbox.messages).toHaveLength(0);
    expect((await api(dialogo.port, 'GET', '/requests')).status).toBe(401);
  });

  test('an answer is e-mailed to the citizen (reference in the subject, the question, the display name) and stored; a second answer is 409', async () => {
    const ticket = await file('Quando apre lo sportello di via Larga?', { contactEmail: 'paolo@example.org' });
    const mail = inbox.next();
    const answered = await api(dialogo.port, 'POST', `/requests/${ticket.reference.toLowerCase()}/reply`, giulia, { text: '  Lo sportello apre alle 8:30, dal lunedì al venerdì.  ' });
    expect(answered.status).toBe(200);
    expect(answered.json.request).toMatchObject({ reference: ticket.reference, state: 'answered', answer: 'Lo sportello apre alle 8:30, dal lunedì al venerdì.', answeredBy: 'giulia', answeredAt: new Date(clock).toISOString() });
    const received = await mail;
    expect(received.to).toEqual(['paolo@example.org']);
    expect(received.from).toBe('noreply@comune.example.org');
    expect(received.subject).toBe(`Comune di Milano - risposta alla richiesta ${ticket.reference}`);
    expect(received.text).toContain('Lo sportello apre alle 8:30, dal lunedì al venerdì.');
    expect(received.text).toContain('> Quando apre lo sportello di via Larga?');
    expect(received.text).toContain('Giulia B.');
    expect(received.text).not.toMatch(/\bgiulia\b/);

    const again = await api(dialogo.port, 'POST', `/requests/${ticket.reference}/reply`, marco, { text: 'Anche io rispondo' });
    expect([again.status, again.json.error.code]).toEqual([409, 'REQUEST_NOT_OPEN']);
    expect((await api(dialogo.port, 'GET', `/requests/${ticket.reference}`, marco)).json.request).toMatchObject({ state: 'answered', answeredBy: 'giulia' });
    expect(inbox.messages.filter((m) => m.to[0] === 'paolo@example.org')).toHaveLength(1);
  });

  test('an English request is answered in English', async () => {
    const ticket = await file('How do I renew my ID card?', { language: 'en', contactEmail: 'john@example.org' });
    const mail = inbox.next();
    expect((await api(dialogo.port, 'POST', `/requests/${ticket.reference}/reply`, marco, { text: 'Book an appointment online.' })).status).toBe(200);
    const received = await mail;
    expect(received.subject).toBe(`Comune di Milano - answer to your request ${ticket.reference}`);
    expect(received.text).toMatch(/^Hello,/);
    expect(received.text).toContain('Marco V.');
  });

  test('two operators answering at once: one answers, the other gets 409, the citizen gets one mail', async () => {
    const ticket = await file('Richiesta contesa', { contactEmail: 'conteso@example.org' });
    const results = await Promise.all([
      api(dialogo.port, 'POST', `/requests/${ticket.reference}/reply`, giulia, { text: 'Risposta di Giulia' }),
      api(dialogo.port, 'POST', `/requests/${ticket.reference}/reply`, marco, { text: 'Risposta di Marco' }),
    ]);
    expect(results.map((r) => r.status).sort()).toEqual([200, 409]);
    expect(['REQUEST_BEING_ANSWERED', 'REQUEST_NOT_OPEN']).toContain(results.find((r) => r.status === 409)?.json.error.code);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(inbox.messages.filter((m) => m.to[0] === 'conteso@example.org')).toHaveLength(1);
  });

  test('the mail server refuses: 502 with the text back, nothing answered, and the answer can be sent again', async () => {
    const ticket = await file('Richiesta con posta in errore', { contactEmail: 'errore@example.org' });
    inbox.refuseNext = true;
    const refused = await api(dialogo.port, 'POST', `/requests/${ticket.reference}/reply`, giulia, { text: 'Testo da non perdere' });
    expect(refused.status).toBe(502);
    expect(refused.json.error).toMatchObject({ code: 'MAIL_FAILED', message: expect.stringMatching(/non è stata inviata/), text: 'Testo da non perdere' });
    const detail = (await api(dialogo.port, 'GET', `/requests/${ticket.reference}`, giulia)).json.request;
    expect(detail.state).toBe('open');
    expect(detail.answer).toBeUndefined();
    expect((await api(dialogo.port, 'POST', `/requests/${ticket.reference}/reply`, giulia, { text: 'Testo da non perdere' })).status).toBe(200);
  });

  test('close: an unanswered request needs a note; answered closes without; twice is 409; unknown is 404', async () => {
    const open = await file('Richiesta doppia');
    const noNote = await api(dialogo.port, 'POST', `/requests/${open.reference}/close`, marco, { outcome: 'duplicate' });
    expect([noNote.status, noNote.json.error.code]).toEqual([400, 'CLOSE_REASON_REQUIRED']);
    const blankNote = await api(dialogo.port, 'POST', `/requests/${open.reference}/close`, marco, { outcome: 'duplicate', note: '   ' });
    expect(blankNote.status).toBe(400);
    const closed = await api(dialogo.port, 'POST', `/requests/${open.reference}/close`, marco, { outcome: 'duplicate', note: ' Uguale alla DLG-2026-000001 ' });
    expect(closed.status).toBe(200);
    expect(closed.json.request).toMatchObject({ state: 'closed', outcome: 'duplicate', closeNote: 'Uguale alla DLG-2026-000001', closedBy: 'marco', closedAt: new Date(clock).toISOString() });
    const twice = await api(dialogo.port, 'POST', `/requests/${open.reference}/close`, giulia, { outcome: 'spam', note: 'x' });
    expect([twice.status, twice.json.error.code]).toEqual([409, 'REQUEST_CLOSED']);
    expect((await api(dialogo.port, 'POST', `/requests/${open.reference}/reply`, giulia, { text: 'tardi' })).json.error.code).toBe('REQUEST_CLOSED');

    const answered = await file('Richiesta a cui si risponde');
    await api(dialogo.port, 'POST', `/requests/${answered.reference}/reply`, giulia, { text: 'Ecco la risposta' });
    const done = await api(dialogo.port, 'POST', `/requests/${answered.reference}/close`, sara, { outcome: 'answered' });
    expect(done.json.request).toMatchObject({ state: 'closed', outcome: 'answered', answer: 'Ecco la risposta', closedBy: 'sara' });

    for (const [method, path, body] of [['GET', '/requests/DLG-2026-999999', undefined], ['POST', '/requests/DLG-2026-999999/close', { outcome: 'spam', note: 'x' }], ['POST', '/requests/DLG-2026-999999/reply', { text: 'x' }]] as const) {
      expect((await api(dialogo.port, method, path, giulia, body)).status).toBe(404);
    }
  });

  test('the detail carries the conversation that led to the request; a chat a colleague held stays theirs and the supervisors\'', async () => {
    const conversationId = 'conv-with-transcript';
    const transcript = [{ at: new Date(clock).toISOString(), from: 'citizen' as const, text: 'devo pagare la TARI' }, { at: new Date(clock).toISOString(), from: 'bot' as const, text: 'La TARI si paga...', topicId: null }];
    await dialogo.handoff.enqueue({ channel: 'directline', conversationId, reference: { user: { id: 'u-1' } }, language: 'it', topicId: null, description: 'pagamento TARI', transcript });
    const ticket = await file('Vorrei sapere come pagare la TARI', { conversationId });
    const detail = (await api(dialogo.port, 'GET', `/requests/${ticket.reference}`, marco)).json;
    expect(detail.transcript).toMatchObject({ operator: null, transcript: [{ from: 'citizen', text: 'devo pagare la TARI' }, { from: 'bot', text: 'La TARI si paga...' }], messages: [] });
    expect(detail.transcriptWithheld).toBe(false);

    const heldId = 'conv-held-by-giulia';
    const entry = await dialogo.handoff.enqueue({ channel: 'directline', conversationId: heldId, reference: { user: { id: 'u-2' } }, language: 'it', topicId: null, description: 'residenza', transcript });
    const me = { name: 'giulia', displayName: 'Giulia B.', role: 'operator' as const, maxConcurrent: 3 };
    await dialogo.handoff.claim(entry.session.id, me);
    await dialogo.handoff.close(entry.session.id, me, 'written-request');
    clock += 1000;
    const held = await file('Cambio di residenza', { conversationId: heldId });
    expect((await api(dialogo.port, 'GET', `/requests/${held.reference}`, marco)).json).toMatchObject({ transcript: null, transcriptWithheld: true });
    expect((await api(dialogo.port, 'GET', `/requests/${held.reference}`, giulia)).json.transcript).toMatchObject({ operator: 'giulia' });
    expect((await api(dialogo.port, 'GET', `/requests/${held.reference}`, sara)).json.transcript).toMatchObject({ operator: 'giulia' });
    const none = await file('Senza conversazione');
    expect((await api(dialogo.port, 'GET', `/requests/${none.reference}`, marco)).json).toMatchObject({ transcript: null, transcriptWithheld: false });
  });

  test('consoles are told the new totals on their WebSocket when a request arrives, is answered or closed', async () => {
    const { ws, pushes: pushed } = await openConsoleSocket(dialogo.port, giulia);
    const waitFor = async (count: number) => {
      for (let i = 0; i < 100 && pushed.filter((m) => m.type === 'requests').length < count; i++) await new Promise((r) => setTimeout(r, 20));
      return pushed.filter((m) => m.type === 'requests');
    };
    const { totals: before } = (await api(dialogo.port, 'GET', '/requests?limit=1', giulia)).json;
    const ticket = await file('Notifica di una nuova richiesta');
    expect((await waitFor(1)).at(-1)?.totals).toEqual({ ...before, open: before.open + 1 });
    await api(dialogo.port, 'POST', `/requests/${ticket.reference}/close`, giulia, { outcome: 'spam', note: 'prova' });
    expect((await waitFor(2)).at(-1)?.totals).toEqual({ ...before, closed: before.closed + 1 });
    ws.close();
  });

  test('the mail server is down: 502 and the request stays open', async () => {
    const ticket = await file('Richiesta con server spento');
    await inbox.stop();
    const refused = await api(dialogo.port, 'POST', `/requests/${ticket.reference}/reply`, giulia, { text: 'Nessuno la riceverà' });
    expect([refused.status, refused.json.error.code, refused.json.error.text]).toEqual([502, 'MAIL_FAILED', 'Nessuno la riceverà']);
    expect((await api(dialogo.port, 'GET', `/requests/${ticket.reference}`, giulia)).json.request.state).toBe('open');
  });
});

describe('written requests without SMTP_URL', () => {
  let dialogo: Dialogo;
  let dataDir: string;
  beforeAll(async () => {
    dataDir = tempDataDir();
    dialogo = await startDialogo(loadConfig(baseEnv(dataDir)), silent, { now: () => new Date(SUNDAY) });
    await dialogo.operators.add('giulia', 'operator', PASSWORD, { displayName: 'Giulia B.' });
  });
  afterAll(async () => {
    await dialogo?.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  test('the list says mail is not configured, an answer is 503 and changes nothing, closing with a reason works', async () => {
    const ticket = await dialogo.handoff.createTicket({ channel: 'directline', conversationId: 'c', language: 'it', topicId: null, contactEmail: 'a@example.org', description: 'senza posta' });
    const token = await login(dialogo.port, 'giulia');
    expect((await api(dialogo.port, 'GET', '/requests', token)).json).toMatchObject({ mailConfigured: false, count: 1, totals: { open: 1, answered: 0, closed: 0 } });
    const refused = await api(dialogo.port, 'POST', `/requests/${ticket.reference}/reply`, token, { text: 'risposta' });
    expect([refused.status, refused.json.error.code, refused.json.error.message]).toEqual([503, 'MAIL_NOT_CONFIGURED', 'Le risposte non possono essere inviate: SMTP non configurato.']);
    expect((await api(dialogo.port, 'GET', `/requests/${ticket.reference}`, token)).json.request.state).toBe('open');
    const closed = await api(dialogo.port, 'POST', `/requests/${ticket.reference}/close`, token, { outcome: 'not-competent', note: 'Inoltrata all\'ATS' });
    expect(closed.json.request).toMatchObject({ state: 'closed', outcome: 'not-competent' });
  });
});
