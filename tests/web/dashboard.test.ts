// End-to-end: the supervisors' dashboard (src/web/dashboard.*) in Debian's headless Chromium, driven
// by playwright-core. The three files and Chart.js's UMD build are served by a restify server created
// here; the /api/operator/* and /api/analytics/* APIs are mocked in the page (page.route) with a
// deterministic fixture of daily figures from September 2024, so that a year-on-year comparison
// exists for part of the last 12 months. The browser clock is fixed at 15 March 2026.
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import restify, { type Request, type Response, type Server } from 'restify';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { type BrowserContext, type Page, type Route } from 'playwright-core';
import { ARTIFACTS, describeWithBrowser, launchChromium } from '../fixtures/chromium';
import { seededRandom } from '../../src/seeded-random';

const WEB = path.resolve(__dirname, '../../src/web');
const CHART_UMD = path.join(path.dirname(require.resolve('chart.js')), 'chart.umd.js');
const XSS = '<img src=x onerror=alert(1)>';
const TOKEN_KEY = 'dialogo.operator.token';
const NOW = new Date('2026-03-15T10:30:00+01:00'); // Sunday 15 March 2026 in Milan (the page runs in Europe/Rome)
const DATA_START = '2024-09-01';

const describeBrowser = describeWithBrowser();

// ---------------------------------------------------------------- the fixture

interface Day {
  day: string;
  conversations: number;
  engaged: number;
  resolved: number;
  escalated: number;
  abandoned: number;
  tickets: number;
  unengaged: number;
  fallbacks: number;
  feedbackUp: number;
  feedback: number;
  waitSec: number;
  handleSec: number;
}

type Counts = Record<'in' | 'answeredByBot' | 'answeredByOperator' | 'abandoned' | 'diverted' | 'avgWaitSec' | 'avgHandleSec', number>;

const DAY_MS = 86_400_000;
const dayString = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const dayMs = (day: string) => Date.parse(`${day}T00:00:00Z`);


/** Daily figures from DATA_START to "today": volumes grow ~18% a year, abandonment falls. */
function buildDays(): Day[] {
  const random = seededRandom(20260315);
  const days: Day[] = [];
  const end = dayMs('2026-03-15');
  for (let ms = dayMs(DATA_START); ms <= end; ms += DAY_MS) {
    const date = new Date(ms);
    const years = (ms - dayMs(DATA_START)) / (365 * DAY_MS);
    const weekday = date.getUTCDay();
    const weekFactor = weekday === 0 ? 0.45 : weekday === 6 ? 0.6 : 1;
    const month = date.getUTCMonth();
    const season = month === 7 ? 0.55 : month === 0 || month === 8 ? 1.2 : 1; // August is quiet
    const conversations = Math.round(260 * (1 + 0.18 * years) * weekFactor * season * (0.85 + 0.3 * random()));
    const unengaged = Math.round(conversations * (0.08 + 0.04 * random()));
    const engaged = conversations - unengaged;
    const resolved = Math.round(engaged * (0.58 + 0.06 * years + 0.06 * random()));
    const escalated = Math.round(engaged * (0.16 + 0.04 * random()));
    const abandoned = Math.round(escalated * (0.22 - 0.08 * years) * (0.8 + 0.4 * random()));
    const tickets = Math.round(engaged * (0.04 + 0.02 * random()));
    const fallbacks = Math.round(engaged * (0.1 + 0.04 * random()));
    const feedback = Math.round(engaged * 0.12);
    days.push({
      day: dayString(ms), conversations, engaged, resolved, escalated, abandoned, tickets, unengaged, fallbacks,
      feedback, feedbackUp: Math.round(feedback * (0.76 + 0.1 * random())),
      waitSec: Math.round(95 - 25 * years + 30 * random()), handleSec: Math.round(380 + 60 * random()),
    });
  }
  return days;
}

const DAYS = buildDays();
const BY_DAY = new Map(DAYS.map((d) => [d.day, d]));

const TOPICS = [
  { topicId: 'cie', title: 'Carta d’identità elettronica', share: 0.21, deflection: 0.74 },
  { topicId: 'tari', title: 'TARI – tassa rifiuti', share: 0.16, deflection: 0.52 },
  { topicId: 'anagrafe-certificati', title: 'Certificati anagrafici', share: 0.13, deflection: 0.81 },
  { topicId: 'area-c', title: 'Area C e Area B', share: 0.11, deflection: 0.63 },
  { topicId: 'residenza', title: 'Cambio di residenza', share: 0.09, deflection: 0.47 },
  { topicId: 'permessi-sosta', title: 'Permessi di sosta per residenti', share: 0.07, deflection: 0.58 },
  { topicId: 'nidi', title: 'Iscrizione ai nidi d’infanzia', share: 0.05, deflection: 0.69 },
  { topicId: 'multe', title: 'Pagamento multe', share: 0.04, deflection: 0.88 },
  { topicId: 'xss', title: `Argomento ${XSS}`, share: 0.01, deflection: 0.3 },
];
const RARE_TOPIC = { topicId: 'matrimoni', title: 'Matrimoni civili', conversations: 3, deflection: 1 };

const GAPS = [
  { key: 'bonus affitto giovani', language: 'it', count: 42, examples: ['come chiedo il bonus affitto per under 35?', 'c’è un contributo affitto per giovani?', XSS] },
  { key: 'parking permit for guests', language: 'en', count: 17, examples: ['how do I get a parking permit for my guests?'] },
  { key: 'orari piscine comunali', language: 'it', count: 9, examples: ['orari piscina Argelati', 'quando apre la piscina Cozzi'] },
];

function sum(days: Day[], pick: (d: Day) => number): number {
  return days.reduce((total, d) => total + pick(d), 0);
}

function rate(numerator: number, denominator: number): number | null {
  return denominator > 0 ? numerator / denominator : null;
}

function daysIn(from: string, to: string): Day[] {
  const out: Day[] = [];
  for (let ms = dayMs(from); ms <= dayMs(to); ms += DAY_MS) {
    const d = BY_DAY.get(dayString(ms));
    if (d) out.push(d);
  }
  return out;
}

function counts(days: Day[]): Counts {
  const escalated = sum(days, (d) => d.escalated);
  return {
    in: sum(days, (d) => d.conversations),
    answeredByBot: sum(days, (d) => d.resolved),
    answeredByOperator: escalated - sum(days, (d) => d.abandoned),
    abandoned: sum(days, (d) => d.abandoned),
    diverted: sum(days, (d) => d.tickets),
    avgWaitSec: Math.round(sum(days, (d) => d.waitSec * d.escalated) / Math.max(1, escalated)),
    avgHandleSec: Math.round(sum(days, (d) => d.handleSec * d.escalated) / Math.max(1, escalated)),
  };
}

function summary(from: string, to: string) {
  const days = daysIn(from, to);
  const total = (pick: (d: Day) => number) => sum(days, pick);
  const conversations = total((d) => d.conversations);
  const engaged = total((d) => d.engaged);
  const resolved = total((d) => d.resolved);
  const escalated = total((d) => d.escalated);
  const abandoned = total((d) => d.abandoned);
  const c = counts(days);

  const months: string[] = [];
  for (const d of days) if (months[months.length - 1] !== d.day.slice(0, 7)) months.push(d.day.slice(0, 7));
  const monthly = months.map((month) => {
    const current = days.filter((d) => d.day.startsWith(month));
    const previousDays = current.map((d) => BY_DAY.get(`${Number(d.day.slice(0, 4)) - 1}${d.day.slice(4)}`));
    const now = counts(current);
    const previousYear = previousDays.every((d) => d) ? counts(previousDays as Day[]) : null;
    const change = Object.fromEntries(
      (Object.keys(now) as (keyof Counts)[]).map((k) => [k, previousYear && previousYear[k] ? Math.round(((now[k] - previousYear[k]) / previousYear[k]) * 1000) / 10 : null]),
    );
    return { month, ...now, previousYear, change };
  });

  const split = <K extends string>(field: K, shares: [string, number, number][]) =>
    shares.map(([value, share, deflection]) => {
      const n = Math.round(conversations * share);
      const e = Math.round(engaged * share);
      return { [field]: value, conversations: n, engaged: e, resolved: Math.round(e * deflection), escalated: Math.round(escalated * share), deflectionRate: rate(Math.round(e * deflection), e) };
    });

  return {
    from,
    to,
    conversations,
    engaged,
    resolved,
    resolvedConfirmed: Math.round(resolved * 0.41),
    resolvedAssumed: resolved - Math.round(resolved * 0.41),
    referred: Math.round(engaged * 0.03),
    referrals: Math.round(engaged * 0.04),
    escalated,
    abandoned,
    tickets: total((d) => d.tickets),
    unengaged: total((d) => d.unengaged),
    unresolved: engaged - resolved - escalated,
    deflectionRate: rate(resolved, engaged),
    escalationRate: rate(escalated, engaged),
    fallbackRate: rate(total((d) => d.fallbacks), engaged),
    csat: rate(total((d) => d.feedbackUp), total((d) => d.feedback)),
    handoffs: { queued: escalated, answered: escalated - abandoned, abandoned },
    avgQueueWaitSec: c.avgWaitSec,
    p90QueueWaitSec: Math.round(c.avgWaitSec * 2.4),
    avgHandleSec: c.avgHandleSec,
    byChannel: split('channel', [['directline', 0.78, 0.64], ['facebook', 0.22, 0.55]]),
    byLanguage: split('language', [['it', 0.91, 0.63], ['en', 0.09, 0.52]]),
    byTopic: [
      ...TOPICS.map((t) => {
        const n = Math.round(engaged * t.share);
        const r = Math.round(n * t.deflection);
        return { topicId: t.topicId, title: t.title, conversations: n, engaged: n, resolved: r, escalated: Math.round(n * 0.15), fallbacks: Math.round(n * 0.05), deflectionRate: rate(r, n) };
      }),
      { topicId: RARE_TOPIC.topicId, title: RARE_TOPIC.title, conversations: 3, engaged: 3, resolved: 3, escalated: 0, fallbacks: 0, deflectionRate: 1 },
    ],
    byDay: days.map((d) => ({
      day: d.day, conversations: d.conversations, engaged: d.engaged, resolved: d.resolved, escalated: d.escalated, abandoned: d.abandoned,
      tickets: d.tickets, unengaged: d.unengaged, deflectionRate: rate(d.resolved, d.engaged), escalationRate: rate(d.escalated, d.engaged),
      fallbackRate: rate(d.fallbacks, d.engaged), csat: rate(d.feedbackUp, d.feedback), avgQueueWaitSec: d.waitSec, avgHandleSec: d.handleSec,
    })),
    monthly,
    knowledgeGaps: GAPS,
  };
}

type Summary = ReturnType<typeof summary>;

// ---------------------------------------------------------------- the mocked backend

interface Call {
  method: string;
  path: string;
  query: Record<string, string>;
  body: unknown;
  auth: string | undefined;
}

const ACCOUNTS: Record<string, { password: string; token: string; operator: { name: string; role: 'operator' | 'supervisor'; maxConcurrent: number } }> = {
  'mario.rossi': { password: 'giusta-123', token: 'tok-mario', operator: { name: 'mario.rossi', role: 'operator', maxConcurrent: 1 } },
  'sara.bianchi': { password: 'super-456', token: 'tok-sara', operator: { name: 'sara.bianchi', role: 'supervisor', maxConcurrent: 3 } },
};

class MockBackend {
  calls: Call[] = [];
  expired = false;
  lastSummary: Summary | null = null;

  last(method: string, pathname: string): Call | undefined {
    return [...this.calls].reverse().find((c) => c.method === method && c.path === pathname);
  }

  count(method: string, pathname: string): number {
    return this.calls.filter((c) => c.method === method && c.path === pathname).length;
  }

  handle(method: string, url: URL, body: unknown, auth: string | undefined): { status: number; type?: string; body: unknown } {
    const p = url.pathname;
    this.calls.push({ method, path: p, query: Object.fromEntries(url.searchParams), body, auth });
    const fail = (status: number, code: string, message: string) => ({ status, body: { error: { code, message } } });
    if (method === 'POST' && p === '/api/operator/login') {
      const { username, password } = body as { username: string; password: string };
      const account = ACCOUNTS[username];
      if (!account || account.password !== password) return fail(401, 'LOGIN_FAILED', 'invalid credentials');
      return { status: 200, body: { token: account.token, operator: account.operator } };
    }
    const account = Object.values(ACCOUNTS).find((a) => auth === `Bearer ${a.token}`);
    if (!account || this.expired) return fail(401, 'UNAUTHORIZED', 'token expired');
    if (method === 'GET' && p === '/api/operator/me') return { status: 200, body: account.operator };
    if (!p.startsWith('/api/analytics/')) return fail(404, 'NOT_FOUND', `no mock for ${method} ${p}`);
    if (account.operator.role !== 'supervisor') return fail(403, 'FORBIDDEN', 'supervisors only');
    const from = url.searchParams.get('from') ?? '';
    const to = url.searchParams.get('to') ?? '';
    if (method === 'GET' && p === '/api/analytics/summary') {
      if (!/^\d{4}-\d{2}-\d{2}$/.test(from) || !/^\d{4}-\d{2}-\d{2}$/.test(to) || from > to) return fail(400, 'BAD_PERIOD', 'bad period');
      this.lastSummary = summary(from, to);
      return { status: 200, body: this.lastSummary };
    }
    if (method === 'GET' && p === '/api/analytics/export.csv') {
      const lines = ['day,conversations,engaged,resolved,escalated', ...daysIn(from, to).map((d) => [d.day, d.conversations, d.engaged, d.resolved, d.escalated].join(','))];
      return { status: 200, type: 'text/csv; charset=utf-8', body: lines.join('\n') + '\n' };
    }
    if (method === 'POST' && p === '/api/analytics/gaps/draft') {
      const { key } = body as { key: string };
      const slug = key.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');
      return { status: 201, body: { file: `knowledge-base/drafts/${slug}.yaml` } };
    }
    return fail(404, 'NOT_FOUND', `no mock for ${method} ${p}`);
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

const nf = new Intl.NumberFormat('it-IT');
const pf = new Intl.NumberFormat('it-IT', { style: 'percent', minimumFractionDigits: 1, maximumFractionDigits: 1 });
const cf = new Intl.NumberFormat('it-IT', { minimumFractionDigits: 1, maximumFractionDigits: 1 });

function duration(seconds: number): string {
  const s = Math.round(seconds);
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  return m < 60 ? `${m} min ${String(s % 60).padStart(2, '0')} s` : `${Math.floor(m / 60)} h ${String(m % 60).padStart(2, '0')} min`;
}

// ---------------------------------------------------------------- the tests

describeBrowser('supervisors’ dashboard in Chromium', () => {
  jest.setTimeout(60_000);
  let server: Server;
  let base: string;
  let context: BrowserContext;
  let userDataDir: string;
  let page: Page;
  const backend = new MockBackend();
  const dialogs: string[] = [];
  const pageErrors: string[] = [];
  const served: string[] = [];

  const storedToken = () => page.evaluate<string | null>(`sessionStorage.getItem(${JSON.stringify(TOKEN_KEY)})`);
  const kpi = (key: string) => page.locator(`.kpi[data-kpi="${key}"]`);
  const summaryCalls = () => backend.calls.filter((c) => c.method === 'GET' && c.path === '/api/analytics/summary');
  const lastSummary = () => backend.lastSummary!;

  async function waitForSummary(from: string, to: string): Promise<void> {
    await until(() => summaryCalls().some((c) => c.query.from === from && c.query.to === to), `the summary for ${from}..${to}`);
    const loaded = page.locator('#status.status-ok', { hasText: `Dati dal ${from.split('-').reverse().join('/')} al ${to.split('-').reverse().join('/')}` });
    await loaded.waitFor({ timeout: 10_000 }).catch(async (error: unknown) => {
      throw new Error(`${String(error)}\nstatus: ${await page.locator('#status').innerText()}\npage errors: ${pageErrors.join('; ')}`);
    });
  }

  beforeAll(async () => {
    // The three files and Chart.js, served by restify like Dialogo's static routes will; the API is mocked below.
    server = restify.createServer({ name: 'dashboard-test' });
    const files: [string, string, string][] = [
      ['/dashboard', path.join(WEB, 'dashboard.html'), 'text/html; charset=utf-8'],
      ['/dashboard.js', path.join(WEB, 'dashboard.js'), 'application/javascript; charset=utf-8'],
      ['/console-common.js', path.join(WEB, 'console-common.js'), 'application/javascript; charset=utf-8'],
      ['/console-common.css', path.join(WEB, 'console-common.css'), 'text/css; charset=utf-8'],
      ['/dashboard.css', path.join(WEB, 'dashboard.css'), 'text/css; charset=utf-8'],
      ['/vendor/chart.umd.js', CHART_UMD, 'application/javascript; charset=utf-8'],
    ];
    for (const [route, file, type] of files) {
      server.get(route, async (_req: Request, res: Response) => {
        served.push(route);
        const body = readFileSync(file);
        res.writeHead(200, { 'Content-Type': type, 'Content-Length': body.length, 'Cache-Control': 'no-cache' });
        res.end(body);
      });
    }
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

    userDataDir = mkdtempSync(path.join(os.tmpdir(), 'dialogo-chromium-'));
    context = await launchChromium(userDataDir, {
            viewport: { width: 1440, height: 960 },
      acceptDownloads: true,
      locale: 'it-IT',
      timezoneId: 'Europe/Rome',
    }, ['--lang=it-IT']);
    page = context.pages()[0] ?? (await context.newPage());
    await page.clock.setFixedTime(NOW);
    page.on('pageerror', (e) => pageErrors.push(String(e)));
    page.on('console', (message) => {
      if (message.type() === 'error' && !message.text().startsWith('Failed to load resource')) pageErrors.push(`console: ${message.text()}`);
    });
    page.on('dialog', (dialog) => {
      dialogs.push(dialog.message());
      void dialog.dismiss();
    });
    // No third-party hosts (no CDN): nothing but the static server.
    await context.route('**/*', (route) => (route.request().url().startsWith(base) ? route.continue() : route.abort()));
    await page.route('**/api/**', async (route: Route) => {
      const request = route.request();
      let body: unknown;
      try {
        body = request.postDataJSON();
      } catch {
        body = request.postData();
      }
      const answer = backend.handle(request.method(), new URL(request.url()), body ?? undefined, request.headers()['authorization']);
      await route.fulfill({
        status: answer.status,
        contentType: answer.type ?? 'application/json',
        body: typeof answer.body === 'string' ? answer.body : JSON.stringify(answer.body),
      });
    });
    mkdirSync(ARTIFACTS, { recursive: true });
  });

  afterAll(async () => {
    await context?.close().catch(() => undefined);
    if (userDataDir) rmSync(userDataDir, { recursive: true, force: true });
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('never renders markup from strings (no innerHTML and friends in dashboard.js), no CDN', () => {
    const source = readFileSync(path.join(WEB, 'dashboard.js'), 'utf8');
    expect(source).toMatch(/^\(function \(\) \{\n {2}'use strict';/m);
    expect(source).not.toMatch(/innerHTML|outerHTML|insertAdjacentHTML|document\.write|eval\(|new Function/);
    const html = readFileSync(path.join(WEB, 'dashboard.html'), 'utf8');
    expect(html).toContain('<script src="/vendor/chart.umd.js"></script>');
    expect(html).not.toMatch(/https?:\/\/(?!www\.w3)/);
  });

  it('shows the login form in Italian and refuses an operator', async () => {
    await page.goto(`${base}/dashboard`);
    expect(await page.getAttribute('html', 'lang')).toBe('it');
    await page.getByRole('heading', { level: 1, name: 'Cruscotto Dialogo – canali chat' }).waitFor();
    await page.getByRole('heading', { name: 'Accesso supervisori' }).waitFor();
    await page.getByLabel('Nome utente').fill('sara.bianchi');
    await page.getByLabel('Password').fill('sbagliata');
    await page.getByRole('button', { name: 'Accedi' }).click();
    await page.getByRole('alert').filter({ hasText: 'Nome utente o password non corretti.' }).waitFor();

    await page.getByLabel('Nome utente').fill('mario.rossi');
    await page.getByLabel('Password').fill('giusta-123');
    await page.getByRole('button', { name: 'Accedi' }).click();
    await page.getByRole('alert').filter({ hasText: 'Il cruscotto è riservato ai supervisori' }).waitFor();
    expect(backend.last('POST', '/api/operator/login')?.body).toEqual({ username: 'mario.rossi', password: 'giusta-123' });
    expect(await page.locator('#app-view').isHidden()).toBe(true);
    expect(await storedToken()).toBeNull();
    expect(summaryCalls()).toHaveLength(0);
  });

  it('logs a supervisor in and renders the KPIs of the last 12 months, formatted in Italian', async () => {
    await page.getByLabel('Nome utente').fill('sara.bianchi');
    await page.getByLabel('Password').fill('super-456');
    await page.getByLabel('Password').press('Enter');
    await page.locator('#supervisor-name', { hasText: 'sara.bianchi' }).waitFor();
    expect(await storedToken()).toBe('tok-sara');
    await waitForSummary('2025-04-01', '2026-03-15');
    expect(backend.last('GET', '/api/analytics/summary')?.auth).toBe('Bearer tok-sara');
    expect(await page.getByLabel('Dal', { exact: true }).inputValue()).toBe('2025-04-01');
    expect(await page.getByLabel('Al', { exact: true }).inputValue()).toBe('2026-03-15');
    expect(await page.getByRole('button', { name: 'Ultimi 12 mesi' }).getAttribute('aria-pressed')).toBe('true');

    const s = lastSummary();
    expect(s.conversations).toBeGreaterThan(10_000);
    const conversations = await kpi('conversations').locator('.kpi-value').innerText();
    expect(conversations).toBe(nf.format(s.conversations));
    expect(conversations).toMatch(/^\d{2,3}\.\d{3}$/); // Italian grouping
    expect(await kpi('resolved').locator('.kpi-value').innerText()).toBe(nf.format(s.resolved));
    expect(await kpi('resolved').innerText()).toContain(`Tasso di deflessione: ${pf.format(s.deflectionRate!)}`);
    expect(pf.format(s.deflectionRate!)).toMatch(/^\d{2},\d %$|^\d{2},\d%$/);
    expect(await kpi('escalated').locator('.kpi-value').innerText()).toBe(nf.format(s.escalated));
    expect(await kpi('escalated').innerText()).toContain(`Tasso di escalation: ${pf.format(s.escalationRate!)}`);
    expect(await kpi('abandoned').locator('.kpi-value').innerText()).toBe(nf.format(s.abandoned));
    expect(await kpi('tickets').locator('.kpi-value').innerText()).toBe(nf.format(s.tickets));
    expect(await kpi('csat').locator('.kpi-value').innerText()).toBe(pf.format(s.csat!));
    expect(await kpi('wait').locator('.kpi-value').innerText()).toBe(duration(s.avgQueueWaitSec));
    expect(await kpi('wait').innerText()).toContain(`90° percentile: ${duration(s.p90QueueWaitSec)}`);
    expect(await kpi('handle').locator('.kpi-value').innerText()).toBe(duration(s.avgHandleSec));
    expect(await page.locator('.kpi .kpi-label').allInnerTexts()).toEqual([
      'Conversazioni', 'Risolte dal bot', 'Indirizzate ad altri enti', 'Passate a operatore', 'Abbandonate', 'Richieste scritte', 'CSAT', 'Attesa media', 'Durata media gestione',
    ]);
    // Referrals to other administrations: a figure of their own, beside the bot's answers.
    expect(await kpi('referred').locator('.kpi-value').innerText()).toBe(nf.format(s.referred));
    expect(await kpi('referred').innerText()).toContain(`Risposte con rinvio ad altri enti: ${nf.format(s.referrals)}`);
    // The channel and language split, as tables beside the doughnuts.
    expect(await page.locator('#channels-body tr').allInnerTexts()).toEqual([
      expect.stringMatching(/^Web\s/), expect.stringMatching(/^Messenger\s/),
    ]);
    expect(await page.locator('#languages-body tr').first().innerText()).toMatch(/^Italiano\s+[\d.]+/);
    expect(await page.locator('#channel-chart').getAttribute('aria-label')).toMatch(/Web [\d.]+ \(78,0\s?%\), Messenger/);
  });

  it('draws the Chart.js charts, weekly over 120 days, with a text alternative', async () => {
    expect(served).toContain('/vendor/chart.umd.js');
    const painted = await page.evaluate<number>(`(() => {
      const canvas = document.getElementById('trend-chart');
      const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
      let n = 0;
      for (let i = 3; i < data.length; i += 4) if (data[i] > 0) n++;
      return n;
    })()`);
    expect(painted).toBeGreaterThan(1000);
    expect(await page.evaluate<boolean>(`!!Chart.getChart('trend-chart') && Chart.getChart('trend-chart').config.type === 'line' && !!Chart.getChart('channel-chart')`)).toBe(true);
    expect(await page.evaluate<string[]>(`Chart.getChart('trend-chart').data.datasets.map((d) => d.label)`)).toEqual(['Conversazioni', 'Risolte dal bot', 'Passate a operatore']);
    // 2025-04-01..2026-03-15 is 349 days: weekly points (Mondays), 51 or 52 of them.
    expect(await page.locator('#trend-granularity').innerText()).toBe('(per settimana)');
    const weeks = await page.locator('#trend-body tr').count();
    expect(weeks).toBeGreaterThanOrEqual(50);
    expect(weeks).toBeLessThanOrEqual(52);
    const s = lastSummary();
    const label = (await page.locator('#trend-chart').getAttribute('aria-label'))!;
    expect(label).toContain(`${nf.format(s.conversations)} conversazioni, ${nf.format(s.resolved)} risolte dal bot, ${nf.format(s.escalated)} passate a operatore`);
    expect(await page.locator('#trend-chart').getAttribute('role')).toBe('img');
  });

  it('shows the monthly 020202 table with the year-on-year change under each figure', async () => {
    const s = lastSummary();
    const rows = page.locator('#monthly-body tr');
    expect(await rows.count()).toBe(12);
    expect(await rows.locator('th').allInnerTexts()).toEqual([
      'Aprile 2025', 'Maggio 2025', 'Giugno 2025', 'Luglio 2025', 'Agosto 2025', 'Settembre 2025', 'Ottobre 2025', 'Novembre 2025', 'Dicembre 2025', 'Gennaio 2026', 'Febbraio 2026', 'Marzo 2026',
    ]);
    expect(await page.locator('#monthly-table thead th').allInnerTexts()).toEqual([
      'Mese', 'Entrate', 'Risolte dal bot', 'Risolte da operatore', 'Abbandonate', 'Dirottate a richiesta scritta', 'Attesa media', 'Gestione media',
    ]);
    // April 2025: no data a year before (the fixture starts in September 2024).
    const april = page.locator('#monthly-body tr[data-month="2025-04"]');
    expect(await april.locator('td .figure').first().innerText()).toBe(nf.format(s.monthly[0]!.in));
    expect(await april.locator('.change-visual').allInnerTexts()).toEqual(Array(7).fill('—'));
    // October 2025 against October 2024: more conversations (▲), fewer abandoned (▼).
    const october = s.monthly.find((m) => m.month === '2025-10')!;
    expect(october.change.in).toBeGreaterThan(0);
    expect(october.change.abandoned).toBeLessThan(0);
    const cells = page.locator('#monthly-body tr[data-month="2025-10"] td');
    const keys = ['in', 'answeredByBot', 'answeredByOperator', 'abandoned', 'diverted', 'avgWaitSec', 'avgHandleSec'] as const;
    for (const [i, key] of keys.entries()) {
      const change = october.change[key]!;
      const expected = change > 0 ? `▲ ${cf.format(change)}%` : change < 0 ? `▼ ${cf.format(-change)}%` : '= 0,0%';
      expect(await cells.nth(i).locator('.change-visual').innerText()).toBe(expected);
    }
    expect(await cells.nth(0).locator('.figure').innerText()).toBe(nf.format(october.in));
    expect(await cells.nth(5).locator('.figure').innerText()).toBe(duration(october.avgWaitSec));
    expect(await cells.nth(0).locator('.visually-hidden').innerText()).toContain(`aumento del ${cf.format(october.change.in!)}%`);
  });

  it('ranks the topics by volume and, with at least 5 conversations, by deflection rate', async () => {
    const titles = (body: string) => page.locator(`${body} th.topic`).allInnerTexts();
    const byVolume = [...TOPICS].sort((a, b) => b.share - a.share).map((t) => t.title);
    expect(await titles('#topics-volume-body')).toEqual([...byVolume, RARE_TOPIC.title]);
    const byDeflection = [...TOPICS].sort((a, b) => b.deflection - a.deflection).map((t) => t.title);
    expect(await titles('#topics-deflection-body')).toEqual(byDeflection);
    expect(await titles('#topics-deflection-body')).not.toContain(RARE_TOPIC.title);
    const cie = lastSummary().byTopic.find((t) => t.topicId === 'cie')!;
    expect(await page.locator('#topics-volume-body tr[data-topic="cie"]').innerText()).toMatch(
      new RegExp(`^1\\s+Carta d’identità elettronica\\s+${nf.format(cie.conversations).replace('.', '\\.')}`),
    );
    expect(await page.locator('#topics-deflection-body tr').first().innerText()).toMatch(/^1\s+Pagamento multe\s+88,0\s?%/);
    expect(await page.locator('img').count()).toBe(0);
  });

  it('lists the knowledge gaps, server text as literal characters', async () => {
    const gaps = page.locator('#gaps > li');
    expect(await gaps.count()).toBe(3);
    const first = gaps.first();
    expect(await first.locator('h3').innerText()).toBe('bonus affitto giovani');
    expect(await first.locator('.gap-count').innerText()).toBe('42 richieste');
    expect(await first.locator('.gap-language').innerText()).toBe('Italiano');
    expect(await first.locator('.gap-examples li').allInnerTexts()).toEqual(GAPS[0]!.examples);
    expect(await first.locator('.gap-examples li').nth(2).innerText()).toBe(XSS);
    expect(await gaps.nth(1).locator('.gap-language').innerText()).toBe('Inglese');
    expect(await page.locator('img').count()).toBe(0);
    await page.waitForTimeout(200);
    expect(dialogs).toEqual([]);
  });

  it('creates a FAQ draft from a gap: POST {key, language, examples} and shows the file', async () => {
    const gap = page.locator('#gaps > li[data-key="bonus affitto giovani"]');
    await gap.getByRole('button', { name: 'Crea bozza FAQ' }).click();
    await gap.locator('.gap-status code', { hasText: 'knowledge-base/drafts/bonus-affitto-giovani.yaml' }).waitFor();
    expect(await gap.locator('.gap-status').innerText()).toBe('Bozza creata: knowledge-base/drafts/bonus-affitto-giovani.yaml');
    const call = backend.last('POST', '/api/analytics/gaps/draft')!;
    // The period shown goes with it, so that the draft records the gap's count and period.
    expect(call.body).toEqual({ key: 'bonus affitto giovani', language: 'it', examples: GAPS[0]!.examples, from: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/), to: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/) });
    expect(call.auth).toBe('Bearer tok-sara');
    expect(await gap.getByRole('button', { name: 'Bozza creata' }).isDisabled()).toBe(true);
  });

  it('changes the query with the period presets (daily points up to 120 days)', async () => {
    await page.getByRole('button', { name: 'Ultimi 30 giorni' }).click();
    await waitForSummary('2026-02-14', '2026-03-15');
    expect(await page.getByLabel('Dal', { exact: true }).inputValue()).toBe('2026-02-14');
    expect(await page.getByRole('button', { name: 'Ultimi 30 giorni' }).getAttribute('aria-pressed')).toBe('true');
    expect(await page.getByRole('button', { name: 'Ultimi 12 mesi' }).getAttribute('aria-pressed')).toBe('false');
    expect(await page.locator('#trend-granularity').innerText()).toBe('(per giorno)');
    expect(await page.locator('#trend-body tr').count()).toBe(30);
    expect(await kpi('conversations').locator('.kpi-value').innerText()).toBe(nf.format(lastSummary().conversations));
    expect(await page.locator('#monthly-body tr th').allInnerTexts()).toEqual(['Febbraio 2026', 'Marzo 2026']);

    await page.getByRole('button', { name: 'Anno in corso' }).click();
    await waitForSummary('2026-01-01', '2026-03-15');

    // A period typed in the date inputs.
    await page.getByLabel('Dal', { exact: true }).fill('2025-12-01');
    await page.getByLabel('Al', { exact: true }).fill('2025-12-31');
    await page.getByRole('button', { name: 'Applica' }).click();
    await waitForSummary('2025-12-01', '2025-12-31');
    expect(await page.locator('[data-preset][aria-pressed="true"]').count()).toBe(0);
    // An inverted period is refused before any request.
    const before = summaryCalls().length;
    await page.getByLabel('Dal', { exact: true }).fill('2026-01-10');
    await page.getByLabel('Al', { exact: true }).fill('2026-01-01');
    await page.getByRole('button', { name: 'Applica' }).click();
    await page.getByRole('alert').filter({ hasText: 'La data di inizio deve precedere quella di fine.' }).waitFor();
    expect(summaryCalls().length).toBe(before);
  });

  it('exports the CSV of the chosen period with the Bearer header', async () => {
    await page.getByRole('button', { name: 'Ultimi 30 giorni' }).click();
    await waitForSummary('2026-02-14', '2026-03-15');
    const download = page.waitForEvent('download');
    await page.getByRole('button', { name: 'Esporta CSV' }).click();
    const file = await download;
    expect(file.suggestedFilename()).toBe('dialogo-2026-02-14-2026-03-15.csv');
    const call = backend.last('GET', '/api/analytics/export.csv')!;
    expect(call.query).toEqual({ from: '2026-02-14', to: '2026-03-15' });
    expect(call.auth).toBe('Bearer tok-sara');
    const saved = path.join(userDataDir, 'export.csv');
    await file.saveAs(saved);
    const csv = readFileSync(saved, 'utf8').trim().split('\n');
    expect(csv[0]).toBe('day,conversations,engaged,resolved,escalated');
    expect(csv).toHaveLength(31);
    await page.locator('#status', { hasText: 'File dialogo-2026-02-14-2026-03-15.csv scaricato.' }).waitFor();
  });

  it('has no serious or critical axe-core violations, and saves a full-page screenshot', async () => {
    await page.getByRole('button', { name: 'Ultimi 12 mesi' }).click();
    await waitForSummary('2025-04-01', '2026-03-15');
    await page.locator('details.chart-data summary').click();
    await page.addScriptTag({ content: readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8') });
    const violations = await page.evaluate<{ id: string; impact: string; help: string; targets: string[] }[]>(`
      axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } }).then((result) =>
        result.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, targets: v.nodes.slice(0, 5).map((n) => n.target.join(' ')) })))`);
    if (violations.length > 0) console.info('axe-core (dashboard), minor or moderate:', JSON.stringify(violations, null, 1));
    expect(violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')).toEqual([]);
    await page.locator('details.chart-data summary').click();
    await page.screenshot({ path: path.join(ARTIFACTS, 'dashboard.png'), fullPage: true });
  });

  it('goes back to the login form when the token is refused (401), and logs in again', async () => {
    backend.expired = true;
    await page.getByRole('button', { name: 'Applica' }).click();
    await page.getByRole('alert').filter({ hasText: 'La sessione è scaduta' }).waitFor();
    expect(await page.locator('#app-view').isHidden()).toBe(true);
    expect(await storedToken()).toBeNull();
    backend.expired = false;
    await page.getByLabel('Nome utente').fill('sara.bianchi');
    await page.getByLabel('Password').fill('super-456');
    await page.getByRole('button', { name: 'Accedi' }).click();
    await waitForSummary('2025-04-01', '2026-03-15');
  });

  it('stays logged in after a reload (token shared with the console), and "Esci" drops the token', async () => {
    await page.reload();
    await page.locator('#supervisor-name', { hasText: 'sara.bianchi' }).waitFor();
    expect(backend.last('GET', '/api/operator/me')?.auth).toBe('Bearer tok-sara');
    await page.locator('.kpi[data-kpi="conversations"] .kpi-value').waitFor();
    await page.getByRole('button', { name: 'Esci' }).click();
    await page.getByRole('heading', { name: 'Accesso supervisori' }).waitFor();
    expect(await storedToken()).toBeNull();
    // An operator's console token does not open the dashboard.
    await page.evaluate(`sessionStorage.setItem(${JSON.stringify(TOKEN_KEY)}, 'tok-mario')`);
    await page.reload();
    await page.getByRole('alert').filter({ hasText: 'Il cruscotto è riservato ai supervisori' }).waitFor();
    expect(await page.locator('#app-view').isHidden()).toBe(true);
    expect(dialogs).toEqual([]);
    expect(pageErrors).toEqual([]);
  });
});
