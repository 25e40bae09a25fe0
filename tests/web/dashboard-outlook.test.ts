// End-to-end: the dashboard's "Prossime 6 settimane" view (src/web/dashboard-outlook.js) in Debian's
// headless Chromium. The pages come from Dialogo's real static routes (with their
// Content-Security-Policy); the staffing API is the real one on SQLite and the forecast route is
// the real one (with its supervisor check) serving a ForecastResult built here.
// Sign-in and the period summary are mocked in the page, as tests/web/dashboard.test.ts does.
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { CloudAdapter } from 'botbuilder';
import { type BrowserContext, type Page, type Route } from 'playwright-core';
import { mountForecastApi } from '../../src/forecast/forecast-routes';
import type { ForecastPoint, ForecastResult, HourlyPoint } from '../../src/forecast/forecast-types';
import { createLogger } from '../../src/logger';
import { OperatorAccounts } from '../../src/operators/operator-accounts';
import { OperatorTokens } from '../../src/operators/operator-tokens';
import { createServer, type DialogoServer } from '../../src/server/create-server';
import { mountStaticRoutes } from '../../src/server/static-routes';
import { StaffingPlanStore } from '../../src/staffing/staffing-plan';
import { mountStaffingApi } from '../../src/staffing/staffing-routes';
import type { StorageBackend } from '../../src/storage/ports';
import { openSqliteBackend } from '../../src/storage/sqlite/sqlite-backend';
import { ARTIFACTS, describeWithBrowser, launchChromium } from '../fixtures/chromium';
import { tempDataDir } from '../fixtures/runtime';

const XSS = '<img src=x onerror=alert(1)>';
const NOW = new Date('2026-12-05T10:30:00+01:00');
const FIRST_DAY = Date.UTC(2026, 11, 7); // Monday 7 December 2026
const DAY_MS = 86_400_000;
const TOPICS = [
  { topicId: 'tari', title: 'TARI – tassa rifiuti', base: 60 },
  { topicId: 'cie', title: 'Carta d’identità elettronica', base: 90 },
  { topicId: 'nidi', title: 'Iscrizione ai nidi d’infanzia', base: 20 },
];

/** Six weeks of demand with a weekly pattern and the TARI deadline's bump: a hand-made ForecastResult. */
function forecastFixture(): ForecastResult {
  const days = Array.from({ length: 42 }, (_, i) => new Date(FIRST_DAY + i * DAY_MS).toISOString().slice(0, 10));
  const weekday = (day: string) => (new Date(`${day}T00:00:00Z`).getUTCDay() + 6) % 7;
  const factor = (day: string) => [1, 0.95, 0.9, 0.9, 0.85, 0.4, 0.15][weekday(day)]!;
  const point = (day: string, mean: number): ForecastPoint => ({ day, mean, lower: Math.round(mean * 0.8), upper: Math.round(mean * 1.25) });
  const byTopic = TOPICS.map((t) => ({ topicId: t.topicId, points: days.map((d) => point(d, Math.round(t.base * factor(d) * (t.topicId === 'tari' && d >= '2026-12-10' && d <= '2026-12-16' ? 1.4 : 1)))) }));
  const total = days.map((d, i) => point(d, byTopic.reduce((sum, t) => sum + t.points[i]!.mean, 0)));
  const handoffsByHour: HourlyPoint[] = [];
  for (const day of days) {
    for (let hour = 0; hour < 24; hour++) {
      const open = weekday(day) < 5 ? hour >= 8 && hour < 18 : weekday(day) === 5 && hour >= 8 && hour < 13;
      const mean = open ? Math.round(24 * factor(day) * (hour === 10 || hour === 11 ? 1.5 : 1)) : 0;
      handoffsByHour.push({ day, hour, mean, lower: Math.round(mean * 0.7), upper: Math.round(mean * 1.4) });
    }
  }
  return {
    generatedAt: NOW.toISOString(), historyTo: '2026-12-04', from: days[0]!, to: days[41]!, interval: 0.8, model: 'regression',
    total, byTopic, byChannel: [], handoffsByHour,
    communications: [
      { id: 'tari-2026-saldo', kind: 'payment-deadline', published: '2026-12-01', effective: '2026-12-16', topics: ['tari', XSS], uplift: 0.4, upliftSource: 'planner' },
      { id: 'nidi-2027', kind: 'enrolment-opens', published: '2027-01-08', effective: '2027-01-11', until: '2027-01-15', topics: ['nidi'], uplift: null, upliftSource: 'none' },
    ],
  };
}

const describeBrowser = describeWithBrowser();

describeBrowser('the dashboard’s next 6 weeks in Chromium', () => {
  jest.setTimeout(90_000);
  let dir: string;
  let backend: StorageBackend;
  let dialogo: DialogoServer;
  let base: string;
  let context: BrowserContext;
  let userDataDir: string;
  let page: Page;
  let token: string;
  const pageErrors: string[] = [];
  const dialogs: string[] = [];
  const planPuts: unknown[] = [];

  beforeAll(async () => {
    dir = tempDataDir();
    backend = openSqliteBackend(dir);
    const accounts = new OperatorAccounts(backend.operators);
    const tokens = new OperatorTokens('una-chiave-di-prova-lunga-abbastanza');
    await accounts.add('sara.bianchi', 'supervisor', 'una-password-lunga', { displayName: 'Sara B.' });
    await accounts.add('giulia', 'operator', 'una-password-lunga', { displayName: 'Giulia B.', maxConcurrent: 2 });
    token = tokens.issue('sara.bianchi', 'supervisor');
    await backend.rollups.apply({ increments: [{ key: { day: '2026-11-25', channel: 'directline', language: 'it', topicId: null }, counters: { handleSecSum: 84_000, handleCount: 300, waitSecSum: 9_000, handoffsAbandoned: 60 } }], gaps: [] });
    dialogo = createServer({ adapter: new CloudAdapter(), botLogic: async () => undefined, readiness: () => ({ ready: true, details: {} }), logger: createLogger('silent') });
    mountStaticRoutes(dialogo.server);
    // The real forecast route (supervisor check, query parsing) over a fixed forecast: the model
    // itself is proven in tests/forecast.
    mountForecastApi(dialogo.server, { forecast: { current: async () => forecastFixture() }, accounts, tokens, logger: createLogger('silent') });
    mountStaffingApi(dialogo.server, {
      forecast: async () => forecastFixture(), rollups: backend.rollups, plans: new StaffingPlanStore(backend.state, () => NOW), accounts, tokens,
      settings: { target: { share: 0.85, withinSec: 30 }, shrinkage: 0.3 }, logger: createLogger('silent'), now: () => NOW,
    });
    await new Promise<void>((resolve) => dialogo.server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(dialogo.server.address() as AddressInfo).port}`;

    userDataDir = mkdtempSync(path.join(os.tmpdir(), 'dialogo-chromium-'));
    context = await launchChromium(userDataDir, { viewport: { width: 1280, height: 900 }, locale: 'it-IT', timezoneId: 'Europe/Rome' }, ['--lang=it-IT']);
    page = context.pages()[0] ?? (await context.newPage());
    await page.clock.setFixedTime(NOW);
    page.on('pageerror', (e) => pageErrors.push(String(e)));
    page.on('console', (m) => { if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) pageErrors.push(`console: ${m.text()}`); });
    page.on('dialog', (d) => { dialogs.push(d.message()); void d.dismiss(); });
    await context.route('**/*', (route) => (route.request().url().startsWith(base) ? route.continue() : route.abort()));
    // Sign-in and the period summary are mocked; the forecast and the staffing go to the server.
    await page.route(/\/api\/(operator\/|analytics\/summary)/, async (route: Route) => {
      const url = new URL(route.request().url());
      const operator = { name: 'sara.bianchi', role: 'supervisor', maxConcurrent: 3 };
      if (url.pathname === '/api/operator/login') return route.fulfill({ status: 200, contentType: 'application/json', body: JSON.stringify({ token, operator }) });
      if (url.pathname === '/api/operator/me') return route.fulfill({ status: 200, contentType: 'application/json', body: JSON.stringify(operator) });
      const summary = {
        from: url.searchParams.get('from'), to: url.searchParams.get('to'), conversations: 0, engaged: 0, resolved: 0, escalated: 0, abandoned: 0, tickets: 0,
        handoffs: { queued: 0, answered: 0, abandoned: 0 }, byChannel: [], byLanguage: [], byDay: [], monthly: [], knowledgeGaps: [],
        byTopic: [...TOPICS.map((t) => ({ topicId: t.topicId, title: t.title, conversations: 10, engaged: 10, resolved: 5, escalated: 1, fallbacks: 0, deflectionRate: 0.5 })), { topicId: XSS, title: `Argomento ${XSS}`, conversations: 1, engaged: 1, resolved: 0, escalated: 0, fallbacks: 0, deflectionRate: 0 }],
      };
      return route.fulfill({ status: 200, contentType: 'application/json', body: JSON.stringify(summary) });
    });
    page.on('request', (r) => { if (r.method() === 'PUT' && r.url().endsWith('/api/analytics/staffing-plan')) planPuts.push(r.postDataJSON()); });
    mkdirSync(ARTIFACTS, { recursive: true });
  });

  afterAll(async () => {
    await context?.close().catch(() => undefined);
    if (userDataDir) rmSync(userDataDir, { recursive: true, force: true });
    await dialogo?.shutdown(1000);
    await backend?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('a supervisor sees six weeks of expected contacts with their band, by topic, drawn and in a table', async () => {
    await page.goto(`${base}/dashboard`);
    await page.getByLabel('Nome utente').fill('sara.bianchi');
    await page.getByLabel('Password').fill('una-password-lunga');
    await page.getByRole('button', { name: 'Accedi' }).click();
    await page.locator('#outlook-period', { hasText: 'dal 07/12/2026 al 17/01/2027' }).waitFor({ timeout: 15_000 });
    expect(await page.locator('#outlook-contacts-body tr').count()).toBe(42);
    expect(await page.evaluate<string[]>(`Chart.getChart('outlook-chart').data.datasets.map((d) => d.label)`)).toEqual(['Massimo atteso (80,0%)', 'Minimo atteso', 'Contatti attesi']);
    const forecast = forecastFixture();
    // The table sits in a closed <details>: its text, not its rendering.
    const cells = (row: number) => page.locator('#outlook-contacts-body tr').nth(row).locator('th, td').allTextContents();
    expect(await cells(0)).toEqual(['lun 07/12', String(forecast.total[0]!.mean), String(forecast.total[0]!.lower), String(forecast.total[0]!.upper)]);
    await page.getByLabel('Argomento').selectOption({ label: 'TARI – tassa rifiuti' });
    const tari = forecast.byTopic.find((t) => t.topicId === 'tari')!.points;
    // 10 to 16 December: the deadline's bump, +40 %.
    expect((await cells(3)).slice(0, 2)).toEqual(['gio 10/12', String(tari[3]!.mean)]);
    expect(await page.locator('#outlook-chart').getAttribute('aria-label')).toMatch(/^Contatti attesi al giorno per TARI – tassa rifiuti: [\d.]+ in 42 giorni/);
  });

  test('the communications on a timeline, in Italian, with their effect and where it comes from, never as markup', async () => {
    const items = await page.locator('#outlook-timeline .timeline-item').allInnerTexts();
    expect(items).toHaveLength(2);
    expect(items[0]).toContain('Scadenza di pagamento – TARI – tassa rifiuti, Argomento <img src=x onerror=alert(1)>');
    expect(items[0]).toContain('pubblicata 01/12/2026, effettiva 16/12/2026; effetto previsto +40,0% (indicato dal pianificatore)');
    expect(items[1]).toContain('Apertura iscrizioni – Iscrizione ai nidi d’infanzia');
    expect(await page.locator('#outlook-timeline img').count()).toBe(0);
    expect(dialogs).toEqual([]);
    // The bar sits where the window is: 8 January is day 33 of 42.
    const left = await page.locator('#outlook-timeline .timeline-bar').nth(1).evaluate((node) => (node as unknown as { style: { left: string } }).style.left);
    expect(parseFloat(left)).toBeCloseTo((32 / 42) * 100, 1);
  });

  test('operators needed per hour, first without a plan: marked and said, not only coloured', async () => {
    expect(await page.locator('#outlook-model').innerText()).toMatch(/^Modello Erlang A: pazienza media dei cittadini 2 min 30 s \(da 60 abbandoni\) · durata media di una conversazione 4 min 40 s/);
    expect(await page.locator('#outlook-staff-head th').allInnerTexts()).toEqual(['Giorno', '8–9', '9–10', '10–11', '11–12', '12–13', '13–14', '14–15', '15–16', '16–17', '17–18']);
    expect(await page.locator('#outlook-staff-body tr').count()).toBe(7);
    const cell = page.locator('#outlook-staff-body tr').first().locator('td').nth(2);
    expect(await cell.getAttribute('class')).toContain('staff-no-plan');
    expect(await cell.innerText()).toMatch(/^\?\s\d+\/—\sNessun piano$/);
  });

  test('the supervisor enters a plan with the keyboard, a bad value is refused before sending, a saved plan colours the hours', async () => {
    const monday9 = page.getByLabel('Lunedì, ore 9–10', { exact: true });
    await monday9.fill('501');
    await page.getByRole('button', { name: 'Salva piano' }).click();
    await page.locator('#plan-message', { hasText: 'Valore non valido in «Lunedì, ore 9–10»' }).waitFor();
    expect(planPuts).toHaveLength(0);
    expect(await monday9.getAttribute('aria-invalid')).toBe('true');
    // Weekdays 8-18: 2 operators (too few), Monday 10-12: 40 (too many), Tuesday 8-18: what is needed.
    const needed = (await (await fetch(`${base}/api/analytics/staffing`, { headers: { authorization: `Bearer ${token}` } })).json()) as { hours: { day: string; hour: number; operatorsNeeded: number }[] };
    for (const day of ['Lunedì', 'Martedì', 'Mercoledì', 'Giovedì', 'Venerdì']) {
      for (let hour = 8; hour < 18; hour++) await page.getByLabel(`${day}, ore ${hour}–${hour + 1}`, { exact: true }).fill('2');
    }
    await page.getByLabel('Lunedì, ore 10–11', { exact: true }).fill('40');
    await monday9.fill('2');
    await page.getByLabel('Data con un piano proprio').fill('2026-12-08');
    await page.getByRole('button', { name: 'Aggiungi data' }).click();
    for (let hour = 8; hour < 18; hour++) {
      const need = needed.hours.find((h) => h.day === '2026-12-08' && h.hour === hour)!.operatorsNeeded;
      await page.getByLabel(`08/12/2026, ore ${hour}–${hour + 1}`, { exact: true }).fill(String(need));
    }
    await page.getByLabel('08/12/2026, ore 17–18', { exact: true }).press('Enter');
    await page.locator('#plan-message', { hasText: 'Piano salvato.' }).waitFor();
    expect(planPuts).toHaveLength(1);
    const saved = (await new StaffingPlanStore(backend.state).load())!;
    expect(saved.updatedBy).toBe('sara.bianchi');
    expect(saved.weekly.mon.slice(8, 12)).toEqual([2, 2, 40, 2]);
    expect(Object.keys(saved.dates)).toEqual(['2026-12-08']);

    const monday = page.locator('#outlook-staff-body tr').first();
    const tuesday = page.locator('#outlook-staff-body tr').nth(1);
    await monday.locator('td.staff-under').first().waitFor();
    expect(await monday.locator('td').nth(0).innerText()).toMatch(/^▼\s\d+\/2\sSotto organico$/);
    expect(await monday.locator('td').nth(2).innerText()).toMatch(/^▲\s\d+\/40\sSovradimensionato$/);
    expect(await tuesday.locator('td.staff-well').count()).toBe(10);
    expect(await tuesday.locator('td').first().getAttribute('title')).toMatch(/^mar 08\/12, ore 8: \d+ passaggi a operatore attesi \(fino a \d+\), \d+ operatori necessari .*livello di servizio con il piano \d+,\d%\. Adeguato\.$/);
    await page.locator('#outlook').screenshot({ path: path.join(ARTIFACTS, 'dashboard-outlook-1280.png') });
  });

  test('no serious or critical axe-core violations in the view', async () => {
    await page.locator('#outlook details summary').click();
    // Through DevTools, not a <script>: the page's real Content-Security-Policy refuses inline scripts.
    await page.evaluate(readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8'));
    const violations = await page.evaluate<{ id: string; impact: string; targets: string[] }[]>(`
      axe.run(document.getElementById('outlook'), { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } }).then((result) =>
        result.violations.map((v) => ({ id: v.id, impact: v.impact, targets: v.nodes.slice(0, 5).map((n) => n.target.join(' ')) })))`);
    expect(violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')).toEqual([]);
    await page.locator('#outlook details summary').click();
  });

  test('usable at 390 px: nothing of the view runs off the screen, the wide tables scroll in their own region', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await page.locator('#outlook-staff-table').waitFor();
    // Chart.js follows the new width from a ResizeObserver, a frame or more later on a busy machine.
    // Polled from here: the page's Content-Security-Policy refuses the eval that waitForFunction needs.
    for (const started = Date.now(); Date.now() - started < 10_000; await new Promise((r) => setTimeout(r, 100))) {
      if (await page.evaluate<boolean>(`document.getElementById('outlook-chart').getBoundingClientRect().right <= 391`)) break;
    }
    // This view's own elements (the other sections are tests/web/dashboard.test.ts's).
    const wide = await page.evaluate<string[]>(`[...document.querySelectorAll('#outlook, #outlook *')].filter((n) => n.getBoundingClientRect().right > 391 && !n.closest('.table-wrap')).map((n) => n.tagName + '#' + n.id + '.' + n.className + ' ' + Math.round(n.getBoundingClientRect().right)).slice(0, 10)`);
    expect(wide).toEqual([]);
    const wrap = page.locator('.table-wrap', { has: page.locator('#outlook-staff-table') });
    expect(await wrap.evaluate((node) => node.scrollWidth > node.clientWidth)).toBe(true);
    expect(await wrap.getAttribute('tabindex')).toBe('0');
    await page.locator('#outlook').screenshot({ path: path.join(ARTIFACTS, 'dashboard-outlook-390.png') });
    expect(pageErrors).toEqual([]);
  });

  test('the weeks of the staffing grid run Monday to Sunday like the plan, also when the forecast starts midweek', async () => {
    // The forecast made on a Monday starts on Tuesday 8 December: its first week is Tuesday to Sunday.
    await page.route(/\/api\/analytics\/staffing$/, async (route: Route) => {
      const response = await route.fetch();
      const body = (await response.json()) as { hours: { day: string }[] };
      await route.fulfill({ response, json: { ...body, hours: body.hours.filter((h) => h.day !== '2026-12-07') } });
    });
    await page.reload();
    await page.locator('#outlook-staff-body tr').first().waitFor({ timeout: 20_000 });
    const options = await page.locator('#outlook-week option').allInnerTexts();
    expect(options.slice(0, 2)).toEqual(['Dal 08/12/2026 al 13/12/2026', 'Dal 14/12/2026 al 20/12/2026']);
    expect(await page.locator('#outlook-staff-body tr th').allInnerTexts()).toHaveLength(6);
    await page.unroute(/\/api\/analytics\/staffing$/);
    expect(pageErrors).toEqual([]);
  });
});
