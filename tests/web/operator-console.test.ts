// End-to-end: the operator console (src/web/operator.*) in Debian's headless Chromium, driven by
// playwright-core. The three files are served by a tiny static server; the /api/operator/* API and
// its WebSocket are mocked in the page (page.route / page.routeWebSocket) following the contract.
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import restify, { type Server } from 'restify';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import vm from 'node:vm';
import { type BrowserContext, type Page, type Route, type WebSocketRoute } from 'playwright-core';
import { ARTIFACTS, describeWithBrowser, launchChromium } from '../fixtures/chromium';
import { mountStaticRoutes } from '../../src/server/static-routes';

const WEB = path.resolve(__dirname, '../../src/web');
const XSS = '<img src=x onerror=alert(1)>';
const TOKEN_KEY = 'dialogo.operator.token';

const describeBrowser = describeWithBrowser();

// ---------------------------------------------------------------- the mocked backend

interface Session {
  id: string;
  channel: string;
  language: 'it' | 'en';
  state: 'queued' | 'connected' | 'closed' | 'abandoned';
  queuedAt: string;
  waitingSec: number;
  position: number | null;
  etaSeconds: number | null;
  topicId: string | null;
  topicTitle: string | null;
  description: string;
  operator: string | null;
  connectedAt: string | null;
  phoneCode: string;
}

interface Entry {
  at: string;
  from: 'citizen' | 'bot' | 'operator' | 'system';
  text: string;
  topicId?: string;
  topicTitle?: string;
  operator?: string;
}

interface Call {
  method: string;
  path: string;
  body: unknown;
  auth: string | undefined;
}

const ACCOUNTS: Record<string, { password: string; token: string; operator: { name: string; role: 'operator' | 'supervisor'; maxConcurrent: number } }> = {
  'mario.rossi': { password: 'giusta-123', token: 'tok-mario', operator: { name: 'mario.rossi', role: 'operator', maxConcurrent: 1 } },
  'sara.bianchi': { password: 'super-456', token: 'tok-sara', operator: { name: 'sara.bianchi', role: 'supervisor', maxConcurrent: 3 } },
};

function ago(seconds: number): string {
  return new Date(Date.now() - seconds * 1000).toISOString();
}

function session(id: string, fields: Partial<Session>): Session {
  return {
    id,
    channel: 'directline',
    language: 'it',
    state: 'queued',
    queuedAt: ago(75),
    waitingSec: 75,
    position: 1,
    etaSeconds: 120,
    topicId: null,
    topicTitle: null,
    description: '',
    operator: null,
    connectedAt: null,
    phoneCode: '000000',
    ...fields,
  };
}

interface Answer {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

function error(status: number, code: string, message: string): Answer {
  return { status, body: { error: { code, message } } };
}

class MockBackend {
  calls: Call[] = [];
  sessions: Session[] = [];
  expired = false;
  /** GET /me answers 503 this many more times (a server restarting while the console reloads). */
  meUnavailable = 0;
  windowClosed = false;
  /** Seconds of Retry-After while sign-ins are refused as too many (null: not refused). */
  lockedOutFor: number | null = null;
  readonly windowReason = 'Sono passate più di 24 ore dall’ultimo messaggio del cittadino su Messenger: non è più possibile rispondergli qui.';

  constructor() {
    this.sessions = [
      session('s1', { topicId: 'cie', topicTitle: 'Carta d’identità elettronica', description: XSS, position: 1, phoneCode: '482913' }),
      session('s2', { channel: 'facebook', language: 'en', topicTitle: null, description: 'Need help with the TARI bill', position: 2, queuedAt: ago(30), waitingSec: 30, phoneCode: '771204' }),
    ];
  }

  transcript: Entry[] = [
    { at: ago(300), from: 'citizen', text: 'vorrei rinnovare la carta di identità' },
    { at: ago(299), from: 'bot', text: 'Puoi rinnovare la carta d’identità elettronica su appuntamento.', topicId: 'cie', topicTitle: 'Carta d’identità elettronica' },
    { at: ago(200), from: 'citizen', text: '<script>alert(2)</script> voglio parlare con un operatore' },
  ];

  messages: Entry[] = [
    { at: ago(60), from: 'system', text: 'L’operatore mario.rossi si è unito alla conversazione.' },
    { at: ago(50), from: 'citizen', text: 'Serve prenotare l’appuntamento?' },
  ];

  count(method: string, prefix: string): number {
    return this.calls.filter((c) => c.method === method && c.path.startsWith(prefix)).length;
  }

  last(method: string, prefix: string): Call | undefined {
    return [...this.calls].reverse().find((c) => c.method === method && c.path.startsWith(prefix));
  }

  private account(auth: string | undefined) {
    return Object.values(ACCOUNTS).find((a) => auth === `Bearer ${a.token}`);
  }

  handle(method: string, url: URL, body: unknown, auth: string | undefined): Answer {
    const p = url.pathname.replace(/^\/api\/operator/, '');
    this.calls.push({ method, path: p + url.search, body, auth });
    if (method === 'POST' && p === '/login') {
      if (this.lockedOutFor !== null) return { ...error(429, 'LOGIN_RATE_LIMITED', 'Too many failed sign-ins; wait and try again'), headers: { 'retry-after': String(this.lockedOutFor) } };
      const { username, password } = body as { username: string; password: string };
      const account = ACCOUNTS[username];
      if (!account || account.password !== password) return error(401, 'LOGIN_FAILED', 'invalid credentials');
      return { status: 200, body: { token: account.token, operator: account.operator } };
    }
    const account = this.account(auth);
    if (!account || this.expired) return error(401, 'UNAUTHORIZED', 'token expired');
    const me = account.operator;
    let m: RegExpMatchArray | null;
    if (method === 'GET' && p === '/me') {
      if (this.meUnavailable > 0) {
        this.meUnavailable -= 1;
        return error(503, 'NOT_READY', 'Dialogo is starting or reloading');
      }
      return { status: 200, body: me };
    }
    if (method === 'GET' && p === '/queue') {
      if (me.role === 'supervisor') {
        return {
          status: 200,
          body: {
            sessions: this.sessions,
            operators: [
              { name: 'mario.rossi', role: 'operator', online: true, active: 1, maxConcurrent: 1 },
              { name: 'luca.verdi', role: 'operator', online: false, active: 0, maxConcurrent: 2 },
              { name: 'sara.bianchi', role: 'supervisor', online: true, active: 0, maxConcurrent: 3 },
            ],
          },
        };
      }
      return { status: 200, body: { sessions: this.sessions.filter((s) => s.state === 'queued' || s.operator === me.name) } };
    }
    if (method === 'POST' && (m = p.match(/^\/conversations\/([^/]+)\/claim$/))) {
      const s = this.sessions.find((x) => x.id === m![1]);
      if (!s || s.state !== 'queued') {
        this.sessions = this.sessions.filter((x) => x.id !== m![1]);
        return error(409, 'ALREADY_CLAIMED', 'taken');
      }
      Object.assign(s, { state: 'connected', operator: me.name, connectedAt: new Date().toISOString(), position: null, etaSeconds: null });
      return { status: 200, body: { session: s } };
    }
    if (method === 'GET' && (m = p.match(/^\/conversations\/([^/]+)$/))) {
      const s = this.sessions.find((x) => x.id === m![1]);
      if (!s) return error(404, 'NOT_FOUND', 'no such conversation');
      return { status: 200, body: { session: s, transcript: this.transcript, messages: s.id === 's1' ? this.messages : [] } };
    }
    if (method === 'POST' && (m = p.match(/^\/conversations\/([^/]+)\/messages$/))) {
      if (this.windowClosed) return error(422, 'MESSAGING_WINDOW_CLOSED', this.windowReason);
      const entry: Entry = { at: new Date().toISOString(), from: 'operator', text: (body as { text: string }).text, operator: me.name };
      this.messages.push(entry);
      return { status: 201, body: { message: entry } };
    }
    if (method === 'POST' && (m = p.match(/^\/conversations\/([^/]+)\/close$/))) {
      const s = this.sessions.find((x) => x.id === m![1]);
      if (!s) return error(404, 'NOT_FOUND', 'no such conversation');
      s.state = 'closed';
      this.sessions = this.sessions.filter((x) => x !== s);
      return { status: 200, body: { session: s } };
    }
    if (method === 'GET' && p === '/suggestions') {
      const text = url.searchParams.get('text') ?? '';
      return {
        status: 200,
        body: {
          suggestions: [
            { topicId: 'cie', title: 'Carta d’identità elettronica', answer: 'Per la carta d’identità elettronica serve un appuntamento: prenotalo online.', link: 'https://www.comune.milano.it/cie', confidence: 0.82 },
            { topicId: 'evil', title: `Risposta per: ${text}`, answer: XSS, link: 'javascript:alert(3)', confidence: 0.1 },
          ],
        },
      };
    }
    if (method === 'GET' && p === '/requests') {
      return {
        status: 200,
        body: {
          requests: [
            { reference: 'DLG-2026-000123', createdAt: ago(3600 * 10), channel: 'directline', language: 'it', contactEmail: 'cittadino@example.org', description: `Richiamatemi ${XSS}`, topicId: 'tari', state: 'open' },
            { reference: 'DLG-2026-000124', createdAt: ago(3600 * 5), channel: 'facebook', language: 'en', contactEmail: 'someone@example.org', description: 'Parking permit', topicId: 'permessi', state: 'closed' },
          ],
          mailConfigured: false,
        },
      };
    }
    if (method === 'GET' && (m = p.match(/^\/phone-codes\/([^/]+)$/))) {
      const s = this.sessions.find((x) => x.phoneCode === decodeURIComponent(m![1]!));
      if (!s) return error(404, 'NOT_FOUND', 'unknown code');
      return { status: 200, body: { session: s } };
    }
    return error(404, 'NOT_FOUND', `no mock for ${method} ${p}`);
  }
}

async function until(check: () => boolean | Promise<boolean>, what: string, timeout = 5_000): Promise<void> {
  const end = Date.now() + timeout;
  for (;;) {
    if (await check()) return;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

// ---------------------------------------------------------------- the login messages

/** console-common.js as the pages load it, in a bare context: window.DialogoConsole. */
function consoleCommon(): any {
  const context = vm.createContext({ window: {} as Record<string, unknown> });
  vm.runInContext(readFileSync(path.join(WEB, 'console-common.js'), 'utf8'), context);
  return (context.window as { DialogoConsole: unknown }).DialogoConsole;
}

describe('what the sign-in form says when the sign-in is refused', () => {
  const C = consoleCommon();
  const limited = (seconds: number | null) => new C.ApiError(429, 'LOGIN_RATE_LIMITED', 'Too many failed sign-ins; wait and try again', undefined, seconds);

  test.each([
    [900, 'it', 'Troppi tentativi: riprova tra 15 minuti.'],
    [61, 'it', 'Troppi tentativi: riprova tra 2 minuti.'],
    [60, 'it', 'Troppi tentativi: riprova tra 1 minuto.'],
    [5, 'it', 'Troppi tentativi: riprova tra 1 minuto.'],
    [null, 'it', 'Troppi tentativi: riprova tra qualche minuto.'],
    [840, 'en', 'Too many attempts: try again in 14 minutes.'],
    [30, 'en-GB', 'Too many attempts: try again in 1 minute.'],
  ])('429 with Retry-After %p on a page in %s: %s', (seconds, language, expected) => {
    expect(C.describeLoginError(limited(seconds), language)).toBe(expected);
  });

  test('a wrong password has its own message, in the page\'s language', () => {
    const wrong = new C.ApiError(401, 'LOGIN_FAILED', 'Wrong username or password');
    expect(C.describeLoginError(wrong, 'it')).toBe('Nome utente o password non corretti.');
    expect(C.describeLoginError(wrong, 'en')).toBe('Wrong username or password.');
  });

  test('other failures are described as elsewhere in the console', () => {
    expect(C.describeLoginError(new C.ApiError(0, 'NETWORK', 'Server non raggiungibile: controlla la connessione e riprova.'), 'it')).toBe('Server non raggiungibile: controlla la connessione e riprova.');
    expect(C.describeLoginError(new C.ApiError(503, 'NOT_READY', 'Dialogo is starting or reloading'), 'it')).toBe('Errore del server: riprova tra poco.');
  });
});

// ---------------------------------------------------------------- the tests

describeBrowser('operator console in Chromium', () => {
  jest.setTimeout(60_000);
  let server: Server;
  let base: string;
  let context: BrowserContext;
  let userDataDir: string;
  let page: Page;
  const backend = new MockBackend();
  const sockets: WebSocketRoute[] = [];
  const dialogs: string[] = [];
  const pageErrors: string[] = [];

  const ws = () => sockets[sockets.length - 1]!;
  const push = (data: unknown) => ws().send(JSON.stringify(data));
  const text = (selector: string) => page.locator(selector).innerText();
  const storedToken = () => page.evaluate<string | null>(`sessionStorage.getItem(${JSON.stringify(TOKEN_KEY)})`);
  const imgCount = () => page.locator('img').count();

  beforeAll(async () => {
    // The pages as Dialogo serves them (restify and the real static routes); the API is mocked below.
    // (A bare node:http server chaining res.writeHead(...).end(...) broke once another file had loaded
    // restify, which patches ServerResponse#writeHead to return nothing.)
    server = restify.createServer({ name: 'console-test' });
    mountStaticRoutes(server, { dir: WEB });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

    userDataDir = mkdtempSync(path.join(os.tmpdir(), 'dialogo-chromium-'));
    context = await launchChromium(userDataDir, {
            viewport: { width: 1440, height: 960 },
    });
    page = context.pages()[0] ?? (await context.newPage());
    page.on('pageerror', (e) => pageErrors.push(String(e)));
    page.on('dialog', (dialog) => {
      dialogs.push(dialog.message());
      void dialog.dismiss();
    });
    // No third-party hosts, and nothing but the three files from the static server.
    await context.route('**/*', (route) => (route.request().url().startsWith(base) ? route.continue() : route.abort()));
    await page.route('**/api/operator/**', async (route: Route) => {
      const request = route.request();
      let body: unknown;
      try {
        body = request.postDataJSON();
      } catch {
        body = request.postData();
      }
      const answer = backend.handle(request.method(), new URL(request.url()), body ?? undefined, request.headers()['authorization']);
      await route.fulfill({ status: answer.status, contentType: 'application/json', headers: answer.headers, body: JSON.stringify(answer.body) });
    });
    await page.routeWebSocket(/\/api\/operator\/ws/, (socket) => {
      sockets.push(socket);
    });
    mkdirSync(ARTIFACTS, { recursive: true });
  });

  afterAll(async () => {
    await context?.close().catch(() => undefined);
    if (userDataDir) rmSync(userDataDir, { recursive: true, force: true });
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('never renders markup from strings (no innerHTML and friends in operator.js and console-common.js)', () => {
    for (const file of ['operator.js', 'console-common.js']) {
      const source = readFileSync(path.join(WEB, file), 'utf8');
      expect(source).toMatch(/^\(function \(\) \{\n {2}'use strict';/m);
      expect(source).not.toMatch(/innerHTML|outerHTML|insertAdjacentHTML|document\.write|eval\(|new Function/);
    }
  });

  it('shows the login form in Italian and rejects a wrong password', async () => {
    await page.goto(`${base}/operator`);
    expect(await page.getAttribute('html', 'lang')).toBe('it');
    await page.getByRole('heading', { level: 1, name: 'Accesso operatori' }).waitFor();
    await page.getByLabel('Nome utente').fill('mario.rossi');
    await page.getByLabel('Password').fill('sbagliata');
    await page.getByRole('button', { name: 'Accedi' }).click();
    await page.getByRole('alert').filter({ hasText: 'Nome utente o password non corretti.' }).waitFor();
    expect(backend.last('POST', '/login')?.body).toEqual({ username: 'mario.rossi', password: 'sbagliata' });
    expect(await storedToken()).toBeNull();
  });

  it('says how many minutes to wait after too many failed sign-ins (429 LOGIN_RATE_LIMITED with Retry-After)', async () => {
    backend.lockedOutFor = 14 * 60 - 20;
    try {
      await page.getByLabel('Password').fill('giusta-123');
      await page.getByRole('button', { name: 'Accedi' }).click();
      await page.getByRole('alert').filter({ hasText: 'Troppi tentativi: riprova tra 14 minuti.' }).waitFor({ timeout: 5_000 });
      expect(await storedToken()).toBeNull();
    } finally {
      backend.lockedOutFor = null;
    }
  });

  it('logs in and renders the queue, server text as literal characters', async () => {
    await page.getByLabel('Password').fill('giusta-123');
    await page.getByLabel('Password').press('Enter');
    await page.locator('#operator-name', { hasText: 'mario.rossi' }).waitFor();
    expect(await text('#operator-role')).toBe('Operatore');
    expect(await storedToken()).toBe('tok-mario');
    expect(backend.last('GET', '/queue')?.auth).toBe('Bearer tok-mario');
    await until(() => sockets.length === 1, 'the WebSocket');
    expect(ws().url()).toMatch(/^ws:\/\/127\.0\.0\.1:\d+\/api\/operator\/ws\?token=tok-mario$/);

    const row = page.locator('#queue-list li[data-session="s1"]');
    await row.waitFor();
    expect(await row.locator('.session-desc').innerText()).toBe(XSS);
    expect(await row.innerText()).toMatch(/Carta d’identità elettronica/);
    expect(await row.innerText()).toMatch(/Web/);
    expect(await row.innerText()).toMatch(/Posizione 1/);
    // No topic recognised: the card's title is the citizen's own description.
    expect(await page.locator('#queue-list li[data-session="s2"] .session-topic').innerText()).toBe('Need help with the TARI bill');
    expect(await page.locator('#queue-list li[data-session="s2"]').innerText()).toMatch(/Messenger[\s\S]*Inglese[\s\S]*Need help with the TARI bill/);
    expect(await page.locator('#queue-list li[data-session="s2"]').innerText()).not.toMatch(/Argomento non riconosciuto/);
    expect(await imgCount()).toBe(0);
    expect(dialogs).toEqual([]);
    await until(async () => (await page.title()) === '(2) Dialogo - operatori', 'the title with the queue count');

    // Waiting time as mm:ss, ticking every second.
    const timer = row.locator('.timer-value');
    const first = await timer.innerText();
    expect(first).toMatch(/^01:1\d$/);
    await until(async () => (await timer.innerText()) !== first, 'the timer to tick', 3_000);

    expect(await page.getByRole('heading', { name: /Le mie conversazioni/ }).innerText()).toMatch(/\(0\/1\)/);
    // Operators do not see the supervision tab.
    expect(await page.getByRole('tab').allInnerTexts()).toEqual(['Conversazioni', 'Richieste scritte', 'Richiamate', 'Storico']);
  });

  it('tells the operator when a colleague took the session first, and refreshes the queue', async () => {
    const queueCalls = backend.count('GET', '/queue');
    backend.sessions[1]!.state = 'connected'; // taken meanwhile by someone else
    backend.sessions[1]!.operator = 'luca.verdi';
    await page.locator('#queue-list li[data-session="s2"]').getByRole('button', { name: 'Prendi' }).click();
    await page.locator('#notice', { hasText: 'Già preso da un collega' }).waitFor();
    await until(() => backend.count('GET', '/queue') > queueCalls, 'the queue refresh');
    await page.locator('#queue-list li[data-session="s2"]').waitFor({ state: 'detached' });
    await until(async () => (await page.title()) === '(1) Dialogo - operatori', 'the title with one in the queue');
  });

  it('claims a session and shows the transcript with the bot and the live chat', async () => {
    await page.locator('#queue-list li[data-session="s1"]').getByRole('button', { name: 'Prendi' }).click();
    await page.locator('#conversation-view').waitFor();
    expect(backend.last('POST', '/conversations/s1/claim')).toBeTruthy();
    expect(backend.last('GET', '/conversations/s1')?.auth).toBe('Bearer tok-mario');
    expect(await page.locator('#conv-title').innerText()).toBe('Carta d’identità elettronica');

    const transcript = page.locator('#transcript');
    expect(await transcript.locator('.entry-bot').innerText()).toMatch(/Assistente virtuale[\s\S]*Argomento: Carta d’identità elettronica[\s\S]*su appuntamento/);
    expect(await transcript.locator('.entry-citizen .entry-text').allInnerTexts()).toEqual(['vorrei rinnovare la carta di identità', '<script>alert(2)</script> voglio parlare con un operatore']);
    const messages = page.locator('#messages');
    expect(await messages.locator('.entry-citizen .entry-text').innerText()).toBe('Serve prenotare l’appuntamento?');
    expect(await messages.locator('.entry-system').innerText()).toMatch(/si è unito/);
    expect(await page.locator('[role="log"][aria-live="polite"] #messages').count()).toBe(1);

    // The session moved to "Le mie conversazioni" and, at capacity (1), claiming is disabled.
    await page.locator('#mine-list li[data-session="s1"]').waitFor();
    expect(await page.getByRole('heading', { name: /Le mie conversazioni/ }).innerText()).toMatch(/\(1\/1\)/);

    // Suggestions for the citizen's last message.
    await until(() => backend.calls.some((c) => c.path === `/suggestions?text=${encodeURIComponent('Serve prenotare l’appuntamento?')}`), 'the suggestions request');
    await page.locator('#suggestions li').first().waitFor();
    expect(await page.locator('#suggestions li').count()).toBe(2);
    // Server text in suggestions is literal too, and a javascript: link is not rendered as a link.
    expect(await page.locator('#suggestions .suggestion-answer').nth(1).innerText()).toBe(XSS);
    expect(await page.locator('#suggestions a').count()).toBe(1);
    expect(await page.locator('#suggestions a').getAttribute('href')).toBe('https://www.comune.milano.it/cie');
    expect(await imgCount()).toBe(0);
    expect(await page.locator('#transcript script, #messages script').count()).toBe(0);
  });

  it('inserts a knowledge-base suggestion in the message box with one click', async () => {
    await page.locator('#suggestions li').first().getByRole('button', { name: 'Inserisci' }).click();
    const box = page.getByLabel('Messaggio al cittadino');
    expect(await box.inputValue()).toBe('Per la carta d’identità elettronica serve un appuntamento: prenotalo online.\nhttps://www.comune.milano.it/cie');
    await expect(box.evaluate((el) => el === (el as unknown as { ownerDocument: { activeElement: unknown } }).ownerDocument.activeElement)).resolves.toBe(true);
  });

  it('sends with Enter (Shift+Enter is a new line) and POSTs {text}', async () => {
    const box = page.getByLabel('Messaggio al cittadino');
    await box.fill('');
    await box.pressSequentially('Buongiorno,');
    await box.press('Shift+Enter');
    await box.pressSequentially('serve la prenotazione.');
    expect(await box.inputValue()).toBe('Buongiorno,\nserve la prenotazione.');
    expect(backend.count('POST', '/conversations/s1/messages')).toBe(0);
    await box.press('Enter');
    await page.locator('#messages .entry-operator', { hasText: 'serve la prenotazione.' }).waitFor();
    const call = backend.last('POST', '/conversations/s1/messages');
    expect(call?.body).toEqual({ text: 'Buongiorno,\nserve la prenotazione.' });
    expect(call?.auth).toBe('Bearer tok-mario');
    expect(await box.inputValue()).toBe('');
  });

  it('shows the MESSAGING_WINDOW_CLOSED reason as-is and keeps the draft', async () => {
    backend.windowClosed = true;
    const box = page.getByLabel('Messaggio al cittadino');
    await box.fill('Messaggio fuori tempo');
    await page.getByRole('button', { name: 'Invia' }).click();
    await page.locator('#composer-error', { hasText: backend.windowReason }).waitFor();
    expect(await box.inputValue()).toBe('Messaggio fuori tempo');
    expect(await page.locator('#messages .entry-operator', { hasText: 'Messaggio fuori tempo' }).count()).toBe(0);
    backend.windowClosed = false;
    await box.fill('');
  });

  it('says, before sending, that a message over 2,000 characters is too long, and keeps it', async () => {
    const box = page.getByLabel('Messaggio al cittadino');
    const posts = backend.count('POST', '/conversations/s1/messages');
    const long = 'Per il rimborso serve il modulo firmato. '.repeat(60).trim();
    await box.fill(long);
    await box.press('Enter');
    await page.locator('#composer-error', { hasText: `Messaggio troppo lungo: ${long.length} caratteri, al massimo 2000.` }).waitFor();
    expect(backend.count('POST', '/conversations/s1/messages')).toBe(posts);
    expect(await box.inputValue()).toBe(long);
    await box.fill('');
  });

  it('shows a message pushed on the WebSocket and refreshes the suggestions', async () => {
    push({ type: 'message', sessionId: 's1', entry: { at: new Date().toISOString(), from: 'citizen', text: `Ho perso anche il passaporto ${XSS}` } });
    await page.locator('#messages .entry-citizen', { hasText: 'Ho perso anche il passaporto' }).waitFor();
    expect(await page.locator('#messages .entry-citizen .entry-text').last().innerText()).toBe(`Ho perso anche il passaporto ${XSS}`);
    await until(() => backend.calls.some((c) => c.path === `/suggestions?text=${encodeURIComponent(`Ho perso anche il passaporto ${XSS}`)}`), 'the new suggestions request');
    await page.locator('#suggestions .suggestion-title', { hasText: 'Ho perso anche il passaporto' }).waitFor();
    expect(await imgCount()).toBe(0);
    // The same operator message pushed back by the server is not shown twice.
    const sent = backend.messages.find((m) => m.from === 'operator')!;
    push({ type: 'message', sessionId: 's1', entry: sent });
    await page.waitForTimeout(200);
    expect(await page.locator('#messages .entry-operator').count()).toBe(1);
  });

  it('a reload reopens the conversation that was open with its unsent draft; a sent message does not come back', async () => {
    const box = page.getByLabel('Messaggio al cittadino');
    await box.fill('Le confermo che serve');
    await page.reload();
    await page.locator('#conv-title', { hasText: 'Carta d’identità elettronica' }).waitFor();
    await page.locator('#messages .entry-citizen', { hasText: 'Serve prenotare l’appuntamento?' }).waitFor();
    expect(await box.inputValue()).toBe('Le confermo che serve');
    await box.press('Enter');
    await page.locator('#messages .entry-operator', { hasText: 'Le confermo che serve' }).waitFor();
    expect(await box.inputValue()).toBe('');
    await page.reload();
    await page.locator('#conv-title', { hasText: 'Carta d’identità elettronica' }).waitFor();
    expect(await box.inputValue()).toBe('');
  });

  it('updates the queue, the title and the live region on a queue push; claims are disabled at capacity', async () => {
    backend.sessions.push(
      session('s3', { topicTitle: 'TARI', description: 'Bolletta TARI sbagliata', position: 1, queuedAt: ago(20), waitingSec: 20, phoneCode: '555111' }),
      session('s4', { channel: 'facebook', topicTitle: 'Permessi ZTL', description: 'Permesso Area C', position: 2, queuedAt: ago(5), waitingSec: 5, phoneCode: '555222' }),
    );
    push({ type: 'queue', sessions: backend.sessions.filter((s) => s.state === 'queued' || s.operator === 'mario.rossi') });
    await until(async () => (await page.title()) === '(2) Dialogo - operatori', 'the title with two in the queue');
    await page.locator('#queue-live', { hasText: '2 nuovi cittadini in coda' }).waitFor();
    expect(await page.locator('#queue-live').getAttribute('aria-live')).toBe('polite');
    const claims = page.locator('#queue-list').getByRole('button', { name: 'Prendi' });
    expect(await claims.count()).toBe(2);
    for (const claim of await claims.all()) expect(await claim.isDisabled()).toBe(true);
    expect(await text('#capacity-note')).toMatch(/limite di 1 conversazion/);
    await page.screenshot({ path: path.join(ARTIFACTS, 'operator-console.png') });
  });

  it('has no serious or critical axe-core violations in the conversation view', async () => {
    // Evaluated through the DevTools protocol: the page's CSP refuses inline script tags.
    await page.evaluate(readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8'));
    const violations = await page.evaluate<{ id: string; impact: string; help: string; targets: string[] }[]>(`
      axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } }).then((result) =>
        result.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, targets: v.nodes.slice(0, 5).map((n) => n.target.join(' ')) })))`);
    if (violations.length > 0) console.info('axe-core (operator console), minor or moderate:', JSON.stringify(violations, null, 1));
    expect(violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')).toEqual([]);
  });

  it('closes the conversation posting the outcome', async () => {
    await page.getByLabel('Esito').selectOption({ label: 'Richiamata' });
    // A callback needs the number the citizen gave: asked for, and checked before anything is sent.
    await page.getByRole('button', { name: 'Chiudi conversazione' }).click();
    await page.locator('#close-error', { hasText: 'numero da richiamare' }).waitFor();
    expect(backend.last('POST', '/conversations/s1/close')).toBeUndefined();
    await page.getByLabel('Numero da richiamare').fill('333 123 4567');
    await page.getByLabel('Nota di chiusura (facoltativa)').fill('dopo le 15');
    await page.getByRole('button', { name: 'Chiudi conversazione' }).click();
    await page.locator('#conversation-empty').waitFor();
    expect(backend.last('POST', '/conversations/s1/close')?.body).toEqual({ outcome: 'callback', callbackNumber: '333 123 4567', note: 'dopo le 15' });
    await page.locator('#notice', { hasText: 'Richiamata' }).waitFor();
    await page.locator('#mine-list li').first().waitFor({ state: 'detached' });
    expect(await page.locator('#queue-list').getByRole('button', { name: 'Prendi' }).first().isDisabled()).toBe(false);
  });

  it('shows a banner when the WebSocket drops, reconnects and re-fetches the queue', async () => {
    const queueCalls = backend.count('GET', '/queue');
    const opened = sockets.length;
    await ws().close({ code: 1011, reason: 'test' });
    await page.locator('#connection-banner', { hasText: 'Connessione persa, riconnessione…' }).waitFor();
    await until(() => sockets.length === opened + 1, 'the reconnection', 5_000);
    await until(async () => (await text('#connection-banner')) === '', 'the banner to go away');
    await until(() => backend.count('GET', '/queue') > queueCalls, 'the queue re-fetch');
  });

  it('opens a conversation from the phone code (404 shows a message)', async () => {
    const code = page.getByLabel('Codice telefono');
    await code.fill('999999');
    await page.getByRole('button', { name: 'Apri', exact: true }).click();
    await page.locator('#phone-error', { hasText: 'Nessuna conversazione con il codice 999999' }).waitFor();
    await code.fill('555 111');
    await code.press('Enter');
    await page.locator('#conv-title', { hasText: 'TARI' }).waitFor();
    expect(backend.last('GET', '/phone-codes/')?.path).toBe('/phone-codes/555111');
    // Still queued: the panel offers to take it, and the message box is read-only until then.
    expect(await page.locator('#conv-claim').isVisible()).toBe(true);
    expect(await page.getByLabel('Messaggio al cittadino').isDisabled()).toBe(true);
  });

  it('lists the written requests', async () => {
    await page.getByRole('tab', { name: 'Richieste scritte' }).click();
    const table = page.locator('#requests-table');
    await table.waitFor();
    const first = table.locator('tbody tr').first();
    expect(await first.innerText()).toMatch(/DLG-2026-000123[\s\S]*Web[\s\S]*Italiano[\s\S]*cittadino@example\.org[\s\S]*tari/);
    expect(await first.locator('td.prewrap').innerText()).toBe(`Richiamatemi ${XSS}`);
    expect(await table.locator('tbody tr').nth(1).innerText()).toMatch(/DLG-2026-000124[\s\S]*Messenger[\s\S]*Chiusa/);
    // Without SMTP the tab says up front that answers cannot be sent.
    expect(await page.locator('#requests-mail').innerText()).toMatch(/^Le risposte non possono essere inviate: SMTP non configurato\./);
    expect(await imgCount()).toBe(0);
  });

  it('goes back to the login form with a message when the token is refused (401)', async () => {
    backend.expired = true;
    await page.getByRole('button', { name: 'Aggiorna' }).click();
    await page.getByRole('alert').filter({ hasText: 'La sessione è scaduta' }).waitFor();
    expect(await page.locator('#app-view').isHidden()).toBe(true);
    expect(await storedToken()).toBeNull();
    backend.expired = false;
  });

  it('shows the Supervisione tab to supervisors only, with operators and active conversations', async () => {
    await page.getByLabel('Nome utente').fill('sara.bianchi');
    await page.getByLabel('Password').fill('super-456');
    await page.getByRole('button', { name: 'Accedi' }).click();
    await page.locator('#operator-role', { hasText: 'Supervisore' }).waitFor();
    await page.getByRole('tab', { name: 'Supervisione' }).click();
    const operators = page.locator('#operators-body tr');
    await operators.first().waitFor();
    expect(await operators.allInnerTexts()).toEqual([
      expect.stringMatching(/mario\.rossi\s+Operatore\s+Online\s+1\/1/),
      expect.stringMatching(/luca\.verdi\s+Operatore\s+Offline\s+0\/2/),
      expect.stringMatching(/sara\.bianchi\s+Supervisore\s+Online\s+0\/3/),
    ]);
    expect(await page.locator('#active-body tr').count()).toBe(backend.sessions.length);
    expect(await page.locator('#active-body').innerText()).toMatch(/Bolletta TARI sbagliata/);
    await page.screenshot({ path: path.join(ARTIFACTS, 'operator-console-supervision.png') });
  });

  it('keeps every tab on screen in a narrow window (600 px, half a laptop screen)', async () => {
    const size = page.viewportSize()!;
    await page.setViewportSize({ width: 600, height: 800 });
    try {
      // Evaluated as text: the tests are compiled without the DOM's types.
      const overflow = await page.evaluate<{ page: number; tabs: [string, number][] }>(`({
        page: document.documentElement.scrollWidth - window.innerWidth,
        tabs: Array.from(document.querySelectorAll('[role="tab"]')).filter((t) => !t.hidden)
          .map((t) => [t.textContent, Math.round(t.getBoundingClientRect().right - window.innerWidth)]).filter(([, over]) => over > 0),
      })`);
      expect(overflow).toEqual({ page: 0, tabs: [] });
    } finally {
      await page.setViewportSize(size);
    }
  });

  it('a reload while the server restarts keeps the session and resumes it once the server answers', async () => {
    backend.meUnavailable = 1;
    await page.reload();
    await page.locator('#login-message', { hasText: 'Impossibile verificare la sessione: Errore del server: riprova tra poco. Nuovo tentativo' }).waitFor();
    expect(await storedToken()).toBe('tok-sara');
    await page.locator('#operator-name', { hasText: 'sara.bianchi' }).waitFor();
    expect(await page.locator('#app-view').isVisible()).toBe(true);
    expect(backend.meUnavailable).toBe(0);
  });

  it('stays logged in after a reload, and "Esci" drops the token', async () => {
    await page.reload();
    await page.locator('#operator-name', { hasText: 'sara.bianchi' }).waitFor();
    expect(backend.last('GET', '/me')?.auth).toBe('Bearer tok-sara');
    expect(await page.getByRole('tab', { name: 'Supervisione' }).isVisible()).toBe(true);
    await page.getByRole('button', { name: 'Esci' }).click();
    await page.getByRole('heading', { level: 1, name: 'Accesso operatori' }).waitFor();
    expect(await storedToken()).toBeNull();
    expect(dialogs).toEqual([]);
    expect(pageErrors).toEqual([]);
  });

  it('"Esci" with a conversation still held says so first, and signs out only when pressed again', async () => {
    backend.sessions.push(session('s9', { state: 'connected', operator: 'mario.rossi', connectedAt: ago(40), position: null, etaSeconds: null, topicTitle: 'Residenza', description: 'cambio di residenza', phoneCode: '909090' }));
    await page.getByLabel('Nome utente').fill('mario.rossi');
    await page.getByLabel('Password').fill('giusta-123');
    await page.getByRole('button', { name: 'Accedi' }).click();
    await page.locator('#mine-list li', { hasText: 'cambio di residenza' }).waitFor();
    await page.getByRole('button', { name: 'Esci', exact: true }).click();
    await page.locator('#notice', { hasText: 'Hai 1 conversazione aperta: chiudila o trasferiscila a un collega prima di uscire' }).waitFor();
    // Still signed in, the conversation still there.
    expect(await page.locator('#app-view').isVisible()).toBe(true);
    expect(await storedToken()).toBe('tok-mario');
    await page.getByRole('button', { name: 'Esci comunque', exact: true }).click();
    await page.getByRole('heading', { level: 1, name: 'Accesso operatori' }).waitFor();
    expect(await storedToken()).toBeNull();
    expect(await page.locator('#logout').textContent()).toBe('Esci');
    expect(pageErrors).toEqual([]);
  });
});
