// End-to-end: the supervisors' dashboard (src/web/dashboard*.js, .html, .css) in Debian's headless
// Chromium, driven by playwright-core. The files and Chart.js's UMD build are served by a restify
// server created here; the /api/operator/* and /api/analytics/* APIs are mocked in the page
// (page.route) by tests/fixtures/dashboard-mock.ts, daily figures from 20 September 2024, so that
// the last 12 months compare with a year earlier in part. The browser clock starts at 15 March
// 2026 (installed, so that the live section's 15-second refresh can be fast-forwarded).
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import restify, { type Request, type Response, type Server } from 'restify';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { type BrowserContext, type Page, type Route } from 'playwright-core';
import { ARTIFACTS, describeWithBrowser, launchChromium } from '../fixtures/chromium';
import { GAPS, MockBackend, RARE_TOPIC, TOPICS, XSS, cf, duration, nf, pf, until } from '../fixtures/dashboard-mock';

const WEB = path.resolve(__dirname, '../../src/web');
const CHART_UMD = path.join(path.dirname(require.resolve('chart.js')), 'chart.umd.js');
const TOKEN_KEY = 'dialogo.operator.token';
const NOW = new Date('2026-03-15T10:30:00+01:00'); // Sunday 15 March 2026 in Milan (the page runs in Europe/Rome)

const describeBrowser = describeWithBrowser();

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
      ['/dashboard-live.js', path.join(WEB, 'dashboard-live.js'), 'application/javascript; charset=utf-8'],
      ['/dashboard-monthly.js', path.join(WEB, 'dashboard-monthly.js'), 'application/javascript; charset=utf-8'],
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
    await page.clock.install({ time: NOW });
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

  it('never renders markup from strings (no innerHTML and friends in dashboard*.js), no CDN', () => {
    for (const file of ['dashboard.js', 'dashboard-live.js', 'dashboard-monthly.js']) {
      const source = readFileSync(path.join(WEB, file), 'utf8');
      expect(source).toMatch(/^\(function \(\) \{\n {2}'use strict';/m);
      expect(source).not.toMatch(/innerHTML|outerHTML|insertAdjacentHTML|document\.write|eval\(|new Function/);
    }
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

  it('logs a supervisor in and renders the KPIs of the last 12 full months, formatted in Italian', async () => {
    await page.getByLabel('Nome utente').fill('sara.bianchi');
    await page.getByLabel('Password').fill('super-456');
    await page.getByLabel('Password').press('Enter');
    await page.locator('#supervisor-name', { hasText: 'sara.bianchi' }).waitFor();
    expect(await storedToken()).toBe('tok-sara');
    // The twelve full months before March 2026: the running month is not one of them.
    await waitForSummary('2025-03-01', '2026-02-28');
    expect(backend.last('GET', '/api/analytics/summary')?.auth).toBe('Bearer tok-sara');
    expect(await page.getByLabel('Dal', { exact: true }).inputValue()).toBe('2025-03-01');
    expect(await page.getByLabel('Al', { exact: true }).inputValue()).toBe('2026-02-28');
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
    // Conversations escalated (counted when they end) and handoff requests (counted as they happen)
    // are two definitions: each card holds one, so they cannot contradict each other.
    expect(await kpi('escalated').innerText()).not.toMatch(/in coda|Accolte/);
    expect(await kpi('handoffs').locator('.kpi-value').innerText()).toBe(nf.format(s.handoffs.queued));
    expect(await kpi('handoffs').innerText()).toContain(`Accolte da operatore: ${nf.format(s.handoffs.answered)} · lasciate in coda: ${nf.format(s.handoffs.abandoned)}`);
    expect(await kpi('handoffs').innerText()).toContain(`Diventate richiesta scritta: ${nf.format(s.handoffs.tickets)}`);
    expect(await kpi('abandoned').innerText()).not.toMatch(/in coda:/);
    expect(await kpi('abandoned').locator('.kpi-value').innerText()).toBe(nf.format(s.abandoned));
    expect(await kpi('tickets').locator('.kpi-value').innerText()).toBe(nf.format(s.tickets));
    expect(await kpi('csat').locator('.kpi-value').innerText()).toBe(pf.format(s.csat!));
    expect(await kpi('wait').locator('.kpi-value').innerText()).toBe(duration(s.avgQueueWaitSec));
    expect(await kpi('wait').innerText()).toContain(`90° percentile: ${duration(s.p90QueueWaitSec)}`);
    expect(await kpi('handle').locator('.kpi-value').innerText()).toBe(duration(s.avgHandleSec));
    expect(await page.locator('#kpis .kpi-label').allInnerTexts()).toEqual([
      'Conversazioni', 'Risolte dal bot', 'Indirizzate ad altri enti', 'Passate a operatore', 'Richieste di operatore', 'Abbandonate', 'Richieste scritte', 'CSAT', 'Attesa media', 'Durata media gestione',
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
    // 2025-03-01..2026-02-28 is 365 days: weekly points (Mondays), 53 of them, the first (from
    // Monday 24 February 2025) and the last (from Monday 23 February 2026) cut by the period.
    expect(await page.locator('#trend-granularity').innerText()).toBe('(per settimana)');
    const weeks = await page.locator('#trend-body tr').count();
    expect(weeks).toBe(53);
    expect(await page.locator('#trend-body tr th').first().textContent()).toBe('24/02/2025 (2 giorni)');
    expect(await page.locator('#trend-body tr th').last().textContent()).toBe('23/02/2026 (6 giorni)');
    // A cut week would draw as a fall: it is left out of the chart.
    expect(await page.evaluate<unknown[]>(`(() => { const d = Chart.getChart('trend-chart').data.datasets[0].data; return [d[0], d[d.length - 1], typeof d[1]]; })()`)).toEqual([null, null, 'number']);
    const s = lastSummary();
    const label = (await page.locator('#trend-chart').getAttribute('aria-label'))!;
    expect(label).toContain(`${nf.format(s.conversations)} conversazioni, ${nf.format(s.resolved)} risolte dal bot, ${nf.format(s.escalated)} passate a operatore`);
    expect(await page.locator('#trend-chart').getAttribute('role')).toBe('img');
  });

  it('shows the monthly 020202 table: columns that add up, the change on comparable days, partial bases, total and year to date', async () => {
    const s = lastSummary();
    const rows = page.locator('#monthly-body tr');
    expect(await rows.count()).toBe(12);
    expect(await rows.locator('th .row-label').allInnerTexts()).toEqual([
      'Marzo 2025', 'Aprile 2025', 'Maggio 2025', 'Giugno 2025', 'Luglio 2025', 'Agosto 2025', 'Settembre 2025', 'Ottobre 2025', 'Novembre 2025', 'Dicembre 2025', 'Gennaio 2026', 'Febbraio 2026',
    ]);
    expect(await page.locator('#monthly-table thead th').allInnerTexts()).toEqual([
      'Mese', 'Entrate', 'Risolte dal bot', 'di cui ad altri enti', 'Risolte da operatore', 'Abbandonate', 'Dirottate a richiesta scritta', 'Non risolte', 'Richieste di operatore in coda', 'Attesa media', 'Gestione media',
    ]);
    const keys = ['in', 'answeredByBot', 'referred', 'answeredByOperator', 'abandoned', 'diverted', 'unresolved', 'queuedToOperator', 'avgWaitSec', 'avgHandleSec'] as const;
    // Every month adds up, as shown: bot + operator + abandoned + diverted + not resolved = in.
    for (const month of s.monthly) {
      const figures = (await page.locator(`#monthly-body tr[data-month="${month.month}"] td .figure`).allInnerTexts()).map((t) => Number(t.replace(/\./g, '')));
      expect(figures[1]! + figures[3]! + figures[4]! + figures[5]! + figures[6]!).toBe(figures[0]);
    }
    // March 2025: no data a year before (the fixture starts on 20 September 2024), no label either.
    const march = page.locator('#monthly-body tr[data-month="2025-03"]');
    expect(await march.locator('td .figure').first().innerText()).toBe(nf.format(s.monthly[0]!.in));
    expect(await march.locator('.change-visual').allInnerTexts()).toEqual(Array(10).fill('—'));
    expect(await march.locator('.partial-base').count()).toBe(0);
    // September 2025: only 20-30 September 2024 to compare with: says so.
    const september = page.locator('#monthly-body tr[data-month="2025-09"]');
    expect(await september.getAttribute('data-partial')).toBe('true');
    expect(await september.locator('.partial-base').innerText()).toBe('base parziale: 11 giorni su 30');
    // October 2025 against October 2024: more conversations (▲), fewer abandoned (▼).
    const october = s.monthly.find((m) => m.month === '2025-10')!;
    expect(october.change!.in).toBeGreaterThan(0);
    expect(october.change!.abandoned).toBeLessThan(0);
    const cells = page.locator('#monthly-body tr[data-month="2025-10"] td');
    for (const [i, key] of keys.entries()) {
      const change = october.change![key];
      const expected = change === null || change === undefined ? '—' : change > 0 ? `▲ ${cf.format(change)}%` : change < 0 ? `▼ ${cf.format(-change)}%` : '= 0,0%';
      expect(await cells.nth(i).locator('.change-visual').innerText()).toBe(expected);
    }
    expect(await cells.nth(0).locator('.figure').innerText()).toBe(nf.format(october.in));
    expect(await cells.nth(8).locator('.figure').innerText()).toBe(duration(october.avgWaitSec));
    expect(await cells.nth(0).locator('.visually-hidden').innerText()).toContain(`aumento del ${cf.format(october.change!.in!)}%`);
    // The total of the period and the year to date close the table.
    const foot = page.locator('#monthly-foot tr');
    expect(await foot.locator('th .row-label').allInnerTexts()).toEqual(['Totale del periodo', 'Da inizio anno (dal 01/01/2026)']);
    expect(await foot.nth(0).locator('td .figure').first().innerText()).toBe(nf.format(s.monthlyTotal.in));
    expect(s.monthlyTotal.in).toBe(s.monthly.reduce((sum, m) => sum + m.in, 0));
    expect(await foot.nth(1).locator('td .figure').first().innerText()).toBe(nf.format(s.yearToDate.in));
  });

  it('exports the monthly table as CSV and XLSX, and prints it alone with its period and date', async () => {
    for (const [button, extension] of [['Tabella CSV', 'csv'], ['Tabella Excel', 'xlsx']] as const) {
      const download = page.waitForEvent('download');
      await page.getByRole('button', { name: button }).click();
      const file = await download;
      expect(file.suggestedFilename()).toBe(`dialogo-riepilogo-mensile-2025-03-01-2026-02-28.${extension}`);
      const call = backend.last('GET', `/api/analytics/monthly.${extension}`)!;
      expect(call.query).toEqual({ from: '2025-03-01', to: '2026-02-28' });
      expect(call.auth).toBe('Bearer tok-sara');
    }
    await page.evaluate('window.__printed = 0; window.print = () => { window.__printed += 1; }');
    await page.getByRole('button', { name: 'Stampa tabella' }).click();
    expect(await page.evaluate<number>('window.__printed')).toBe(1);
    await page.emulateMedia({ media: 'print' });
    try {
      expect(await page.locator('#monthly-print-heading').innerText()).toBe('Riepilogo mensile dei canali chat dal 01/03/2025 al 28/02/2026 – stampato il 15/03/2026');
      expect(await page.locator('#monthly-table').isVisible()).toBe(true);
      for (const hidden of ['#live', '#kpis', '#trend-chart', '#gaps', '.period form', '.db-header', '#monthly-csv']) expect(await page.locator(hidden).first().isVisible()).toBe(false);
      await page.screenshot({ path: path.join(ARTIFACTS, 'dashboard-monthly-print.png'), fullPage: true });
      // Chromium's own print path (page.pdf prints with the print media, whatever was emulated).
      const pdf = await page.pdf({ path: path.join(ARTIFACTS, 'dashboard-monthly-print.pdf'), landscape: true });
      expect(pdf.length).toBeGreaterThan(5_000);
    } finally {
      await page.emulateMedia({ media: 'screen' });
      await page.evaluate("window.dispatchEvent(new Event('afterprint'))");
    }
    expect(await page.locator('body.print-monthly').count()).toBe(0);
  });

  it('ranks the topics by volume, and by deflection at both ends, the worst included', async () => {
    const titles = (body: string) => page.locator(`${body} th.topic`).allInnerTexts();
    const byVolume = [...TOPICS].sort((a, b) => b.share - a.share).map((t) => t.title);
    expect(await titles('#topics-volume-body')).toEqual([...byVolume, RARE_TOPIC.title]);
    // Nine topics above the minimum volume: the best five, then the worst four from the very worst.
    const byDeflection = [...TOPICS].sort((a, b) => b.deflection - a.deflection).map((t) => t.title);
    expect(await titles('#topics-best-body')).toEqual(byDeflection.slice(0, 5));
    expect(await titles('#topics-worst-body')).toEqual(byDeflection.slice(5).reverse());
    expect(await page.locator('#topics-worst-body tr').first().innerText()).toMatch(/^1\s+Argomento <img src=x onerror=alert\(1\)>\s+30,0\s?%/);
    // A topic of 3 conversations ranks nowhere, however perfect its rate.
    for (const body of ['#topics-best-body', '#topics-worst-body']) expect(await titles(body)).not.toContain(RARE_TOPIC.title);
    const minimum = Number((await page.locator('#topics-deflection-minimum').innerText()).replace(/\./g, ''));
    expect(minimum).toBe(Math.ceil(lastSummary().byTopic.reduce((sum, t) => sum + t.engaged, 0) * 0.005));
    const cie = lastSummary().byTopic.find((t) => t.topicId === 'cie')!;
    expect(await page.locator('#topics-volume-body tr[data-topic="cie"]').innerText()).toMatch(
      new RegExp(`^1\\s+Carta d’identità elettronica\\s+${nf.format(cie.conversations).replace('.', '\\.')}`),
    );
    expect(await page.locator('#topics-best-body tr').first().innerText()).toMatch(/^1\s+Pagamento multe\s+88,0\s?%/);
    expect(await page.locator('img').count()).toBe(0);
  });

  it('shows what is happening now, refreshed every 15 seconds while the tab is visible', async () => {
    const live = page.locator('#live');
    expect(await live.getAttribute('data-state')).toBe('ok');
    const card = (key: string) => page.locator(`#live-cards [data-live="${key}"]`);
    expect(await card('today').locator('.kpi-value').innerText()).toBe('57');
    expect(await card('today').innerText()).toContain('In corso: 12 · concluse: 45');
    expect(await card('queue').locator('.kpi-value').innerText()).toBe('3');
    expect(await card('queue').innerText()).toContain('Attesa più lunga: 4 min 14 s');
    expect(await card('operators').innerText()).toMatch(/^Operatori collegati\s+5\s+Disponibili: 3 · occupati: 1\s+In conversazione: 4 operatori$/);
    expect(await card('handoffs').innerText()).toContain('Accolte: 6 · lasciate in coda: 1');
    // The live section sits above the period: it does not depend on it.
    expect(await page.evaluate<boolean>(`!!(document.getElementById('live').compareDocumentPosition(document.querySelector('.period')) & Node.DOCUMENT_POSITION_FOLLOWING)`)).toBe(true);

    const calls = () => backend.count('GET', '/api/analytics/live');
    const before = calls();
    backend.live.queue = { waiting: 0, longestWaitSec: null, withOperator: 4 };
    await page.clock.runFor(15_500);
    await until(() => calls() === before + 1, 'the live refresh');
    await card('queue').locator('.kpi-value', { hasText: '0' }).waitFor();
    expect(await card('queue').innerText()).toContain('Attesa più lunga: nessuno in attesa');
    // A hidden tab does not poll; shown again, it catches up at once.
    await page.evaluate(`Object.defineProperty(document, 'hidden', { configurable: true, get: () => true }); document.dispatchEvent(new Event('visibilitychange'))`);
    await page.locator('#live-paused', { hasText: 'In pausa' }).waitFor();
    await page.clock.runFor(60_000);
    expect(calls()).toBe(before + 1);
    await page.evaluate(`Object.defineProperty(document, 'hidden', { configurable: true, get: () => false }); document.dispatchEvent(new Event('visibilitychange'))`);
    await until(() => calls() === before + 2, 'the catch-up when shown again');
    expect(await page.locator('#live-paused').innerText()).toBe('');
    await live.screenshot({ path: path.join(ARTIFACTS, 'dashboard-live.png') });
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
    await waitForSummary('2025-03-01', '2026-02-28');
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
    await waitForSummary('2025-03-01', '2026-02-28');
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
