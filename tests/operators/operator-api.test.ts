import { loadConfig } from '../../src/config';
import { startDialogo, type Dialogo } from '../../src/index';
import { createLogger } from '../../src/logger';
import { DirectLineCitizen } from '../fixtures/directline-citizen';
import { KB_DIR, tempDataDir } from '../fixtures/runtime';

const silent = createLogger('silent');
const PASSWORD = 'una-password-lunga';
const TOKEN_SECRET = 'operator-token-secret-for-tests';
const DL_SECRET = 'direct-line-secret-for-tests';

const handoffOf = (activity: any) => activity.channelData?.dialogo?.handoff;

async function api(port: number, method: string, path: string, token?: string, body?: unknown): Promise<{ status: number; json: any }> {
  const response = await fetch(`http://127.0.0.1:${port}/api/operator${path}`, {
    method,
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    body: body !== undefined ? JSON.stringify(body) : undefined,
  });
  const text = await response.text();
  return { status: response.status, json: text ? JSON.parse(text) : undefined };
}

async function login(port: number, username: string): Promise<string> {
  const { status, json } = await api(port, 'POST', '/login', undefined, { username, password: PASSWORD });
  expect(status).toBe(200);
  return json.token as string;
}

/** Walks a citizen through the offer: request, yes, description, consent. Returns the queued message. */
async function queueCitizen(citizen: DirectLineCitizen, description: string): Promise<any> {
  const [offer] = await citizen.say('vorrei parlare con un operatore');
  expect(handoffOf(offer)).toMatchObject({ state: 'offered' });
  expect(offer.suggestedActions.actions.map((a: { title: string }) => a.title)).toEqual(['Sì', 'No']);
  const [describe] = await citizen.say('Sì');
  expect(describe.text).toMatch(/in una riga/);
  const [consent] = await citizen.say(description);
  expect(consent.text).toMatch(/Acconsenti/);
  const [queued] = await citizen.say('Acconsento');
  return queued;
}

describe('handoff to an operator through the console API (Direct Line citizen)', () => {
  let dialogo: Dialogo;
  let dataDir: string;
  const config = () =>
    loadConfig({ PORT: '0', HOST: '127.0.0.1', KB_DIR, KB_WATCH: 'false', NODE_ENV: 'test', DATA_DIR: dataDir, OFFICE_HOURS: 'always', OPERATOR_TOKEN_SECRET: TOKEN_SECRET, DIRECTLINE_SECRET: DL_SECRET });

  beforeAll(async () => {
    dataDir = tempDataDir();
    dialogo = await startDialogo(config(), silent);
    await dialogo.operators.add('giulia', 'operator', PASSWORD, { displayName: 'Giulia B.' });
    await dialogo.operators.add('marco', 'operator', PASSWORD, { displayName: 'Marco V.' });
    await dialogo.operators.add('sara', 'supervisor', PASSWORD, { displayName: 'Sara M.' });
    // A console open, as on a shift: with nobody available the citizen is offered a written request instead of the queue.
    dialogo.handoff.operatorOnline({ name: 'giulia', role: 'operator', maxConcurrent: 3 }, true);
  });
  afterAll(() => dialogo.stop());

  test('sign-in: a wrong password is 401; no token or a bad one is 401; an operator on a supervisor route is 403', async () => {
    expect((await api(dialogo.port, 'POST', '/login', undefined, { username: 'giulia', password: 'sbagliata-123' })).json.error.code).toBe('LOGIN_FAILED');
    expect((await api(dialogo.port, 'POST', '/login', undefined, { username: 'giulia' })).status).toBe(400);
    expect((await api(dialogo.port, 'GET', '/queue')).status).toBe(401);
    expect((await api(dialogo.port, 'GET', '/queue', 'not.a-token')).status).toBe(401);
    const operator = await login(dialogo.port, 'giulia');
    expect((await api(dialogo.port, 'GET', '/me', operator)).json).toEqual({ name: 'giulia', displayName: 'Giulia B.', role: 'operator', maxConcurrent: 3 });
    expect((await api(dialogo.port, 'GET', '/operators', operator)).status).toBe(403);
    const supervisor = await login(dialogo.port, 'sara');
    const operators = (await api(dialogo.port, 'GET', '/operators', supervisor)).json.operators;
    expect(operators.map((o: { name: string }) => o.name)).toEqual(['giulia', 'marco', 'sara']);
  });

  test('a citizen asks, two operators claim at once and one wins, they chat, the operator closes, the bot answers again', async () => {
    const citizen = await DirectLineCitizen.start(dialogo.port, undefined, DL_SECRET);
    const queued = await queueCitizen(citizen, 'non capisco un avviso della TARI');
    expect(handoffOf(queued)).toMatchObject({ state: 'queued', position: 1, etaSeconds: expect.any(Number) });
    expect(queued.text).toMatch(/posizione 1.*codice \d{6}/);

    const [giulia, marco] = [await login(dialogo.port, 'giulia'), await login(dialogo.port, 'marco')];
    const queue = (await api(dialogo.port, 'GET', '/queue', giulia)).json.sessions;
    const session = queue.find((s: { description: string }) => s.description === 'non capisco un avviso della TARI');
    expect(session).toMatchObject({ state: 'queued', channel: 'directline', language: 'it', position: 1, phoneCode: expect.stringMatching(/^\d{6}$/) });

    const claims = await Promise.all([api(dialogo.port, 'POST', `/conversations/${session.id}/claim`, giulia), api(dialogo.port, 'POST', `/conversations/${session.id}/claim`, marco)]);
    expect(claims.map((c) => c.status).sort()).toEqual([200, 409]);
    const winner = claims[0]!.status === 200 ? giulia : marco;
    // Citizens read the display name, never the login.
    const winnerName = winner === giulia ? 'Giulia B.' : 'Marco V.';
    expect(claims.find((c) => c.status === 409)!.json.error.code).toBe('ALREADY_CLAIMED');
    const connected = await citizen.waitFor((a) => handoffOf(a)?.state === 'connected');
    expect(connected.text).toBe(`Sei in contatto con ${winnerName} del contact center 020202. Scrivi pure. Per chiudere la chat scrivi «termina».`);

    const view = (await api(dialogo.port, 'GET', `/conversations/${session.id}`, winner)).json;
    expect(view.transcript.map((t: { from: string }) => t.from)).toContain('citizen');

    expect((await api(dialogo.port, 'POST', `/conversations/${session.id}/messages`, winner, { text: 'Buongiorno, mi dica il numero dell’avviso.' })).status).toBe(201);
    const fromOperator = await citizen.waitFor((a) => a.text?.includes('numero dell’avviso'));
    expect(fromOperator.text).toBe(`${winnerName} (020202): Buongiorno, mi dica il numero dell’avviso.`);
    expect(handoffOf(fromOperator)).toMatchObject({ state: 'connected' });
    const loser = winner === giulia ? marco : giulia;
    expect((await api(dialogo.port, 'POST', `/conversations/${session.id}/messages`, loser, { text: 'ciao' })).json.error.code).toBe('NOT_YOUR_CONVERSATION');

    // The bot stays silent while the operator holds the conversation; the text reaches the operator as written.
    expect(await citizen.say('<img src=x onerror=alert(1)>')).toEqual([]);
    const messages = (await api(dialogo.port, 'GET', `/conversations/${session.id}`, winner)).json.messages;
    expect(messages.map((m: { from: string; text: string }) => [m.from, m.text])).toEqual([
      ['operator', 'Buongiorno, mi dica il numero dell’avviso.'],
      ['citizen', '<img src=x onerror=alert(1)>'],
    ]);

    expect((await api(dialogo.port, 'POST', `/conversations/${session.id}/close`, winner, { outcome: 'maybe' })).status).toBe(400);
    expect((await api(dialogo.port, 'POST', `/conversations/${session.id}/close`, winner, { outcome: 'resolved' })).json.session).toMatchObject({ state: 'closed', outcome: 'resolved' });
    const closed = await citizen.waitFor((a) => handoffOf(a)?.state === 'closed');
    expect(closed.text).toMatch(/richiesta risolta.*di nuovo io/);

    const [answer] = await citizen.say('quanto costa la carta d’identità?');
    expect(answer.channelData.dialogo).toMatchObject({ topicId: 'carta-identita', outcome: 'answered' });
  });

  test('a queued citizen who writes hears the position; “esci” leaves the queue and the bot is back', async () => {
    const citizen = await DirectLineCitizen.start(dialogo.port, undefined, DL_SECRET);
    await queueCitizen(citizen, 'problema con il permesso di sosta');
    const [still] = await citizen.say('quanto devo aspettare?');
    expect(handoffOf(still)).toMatchObject({ state: 'queued', position: expect.any(Number) });
    const [left] = await citizen.say('esci');
    expect(handoffOf(left)).toMatchObject({ state: 'closed' });
    const [answer] = await citizen.say('come pago una multa?');
    expect(answer.channelData.dialogo.outcome).toBe('answered');
  });

  test('the chat-to-phone code opens the conversation; suggestions come from the knowledge base', async () => {
    const citizen = await DirectLineCitizen.start(dialogo.port, undefined, DL_SECRET);
    const queued = await queueCitizen(citizen, 'devo rinnovare la carta d’identità');
    const code = /codice (\d{6})/.exec(queued.text)![1];
    const giulia = await login(dialogo.port, 'giulia');
    expect((await api(dialogo.port, 'GET', `/phone-codes/${code}`, giulia)).json.session).toMatchObject({ description: 'devo rinnovare la carta d’identità' });
    expect((await api(dialogo.port, 'GET', '/phone-codes/000000x', giulia)).status).toBe(404);
    const suggestions = (await api(dialogo.port, 'GET', `/suggestions?text=${encodeURIComponent('quanto costa la carta d’identità')}`, giulia)).json.suggestions;
    expect(suggestions[0]).toMatchObject({ topicId: 'carta-identita', link: expect.stringMatching(/^https:/) });
    // The facet the words ask about, its short answer rather than the whole topic.
    expect(suggestions[0]).toMatchObject({ facetId: 'costo', answer: dialogo.runtime.current().kb.facet('carta-identita', 'costo')!.answer.it });
    await citizen.say('esci');
  });

  test('sign-in attempts are limited: after 5 failures the sixth is 429', async () => {
    for (let i = 0; i < 5; i += 1) expect((await api(dialogo.port, 'POST', '/login', undefined, { username: 'marco', password: `wrong-password-${i}` })).status).toBe(401);
    const limited = await api(dialogo.port, 'POST', '/login', undefined, { username: 'marco', password: PASSWORD });
    expect(limited.status).toBe(429);
    expect(limited.json.error.code).toBe('LOGIN_RATE_LIMITED');
  });

  test('restart with citizens queued: the queue is intact and the operator still reaches the citizen’s chat', async () => {
    const citizen = await DirectLineCitizen.start(dialogo.port, undefined, DL_SECRET);
    await queueCitizen(citizen, 'richiesta da conservare al riavvio');
    await dialogo.stop();
    dialogo = await startDialogo(config(), silent);
    citizen.moveTo(dialogo.port);
    const supervisor = await login(dialogo.port, 'sara');
    const sessions = (await api(dialogo.port, 'GET', '/queue', supervisor)).json.sessions;
    const session = sessions.find((s: { description: string }) => s.description === 'richiesta da conservare al riavvio');
    expect(session).toMatchObject({ state: 'queued', position: expect.any(Number) });
    const giulia = await login(dialogo.port, 'giulia');
    expect((await api(dialogo.port, 'POST', `/conversations/${session.id}/claim`, giulia)).status).toBe(200);
    expect((await citizen.waitFor((a) => handoffOf(a)?.state === 'connected')).text).toMatch(/Sei in contatto con Giulia B\. del/);
    const [still] = await citizen.say('grazie, aspettavo');
    expect(still).toBeUndefined();
  });
});

describe('outside office hours: the written request with its reference code', () => {
  let dialogo: Dialogo;
  beforeAll(async () => {
    const config = loadConfig({ PORT: '0', HOST: '127.0.0.1', KB_DIR, KB_WATCH: 'false', NODE_ENV: 'test', DATA_DIR: tempDataDir(), OFFICE_HOURS: 'default' });
    // Sunday 29 November 2026, 11:00 in Milan: 020202 is closed.
    dialogo = await startDialogo(config, silent, { now: () => new Date('2026-11-29T10:00:00.000Z') });
    await dialogo.operators.add('giulia', 'operator', PASSWORD, { displayName: 'Giulia B.' });
  });
  afterAll(() => dialogo.stop());

  test('the citizen leaves an e-mail and a description, confirms, and gets DLG-2026-000001; operators see it', async () => {
    const citizen = await DirectLineCitizen.start(dialogo.port);
    const [offer] = await citizen.say('voglio parlare con una persona');
    expect(offer.text).toMatch(/non sono disponibili \(orari: dal lunedì al sabato, 8-18/);
    expect(handoffOf(offer)).toMatchObject({ state: 'offered' });
    const [askEmail] = await citizen.say('sì');
    expect(askEmail.text).toMatch(/e-mail/);
    const [bad] = await citizen.say('anna chiocciola example');
    expect(bad.text).toMatch(/non mi sembra un indirizzo/i);
    const [askDescription] = await citizen.say('anna@example.org');
    expect(askDescription.text).toMatch(/Descrivi/);
    const [confirm] = await citizen.say('Vorrei il rimborso della TARI pagata due volte nel 2025.');
    expect(confirm.text).toContain('anna@example.org');
    const [created] = await citizen.say('Conferma');
    expect(created.text).toMatch(/codice DLG-2026-000001/);
    expect(handoffOf(created)).toMatchObject({ state: 'ticket' });

    const token = await login(dialogo.port, 'giulia');
    const requests = (await api(dialogo.port, 'GET', '/requests', token)).json.requests;
    expect(requests).toEqual([
      expect.objectContaining({ reference: 'DLG-2026-000001', contactEmail: 'anna@example.org', channel: 'directline', state: 'open', description: 'Vorrei il rimborso della TARI pagata due volte nel 2025.' }),
    ]);
  });
});
