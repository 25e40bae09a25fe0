// The supervisors' dashboard in Chromium on Sunday 6 December 2026, six days into the month, over
// the real analytics API and rollups in SQLite: a period that reaches today, a month cut by the
// period, a week still running and the days after today are labelled as what they are, never
// drawn or tabled as whole days (a plunge to zero on the last day of "Ultimi 30 giorni").
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { CloudAdapter } from 'botbuilder';
import { type BrowserContext, type Page } from 'playwright-core';
import { mountAnalyticsApi } from '../../src/analytics/analytics-routes';
import { daysBetween } from '../../src/analytics/rome-day';
import type { KnowledgeRuntime } from '../../src/bot/runtime';
import { createLogger } from '../../src/logger';
import { OperatorAccounts } from '../../src/operators/operator-accounts';
import { OperatorTokens } from '../../src/operators/operator-tokens';
import { createServer, type DialogoServer } from '../../src/server/create-server';
import { mountStaticRoutes } from '../../src/server/static-routes';
import type { StorageBackend } from '../../src/storage/ports';
import { openSqliteBackend } from '../../src/storage/sqlite/sqlite-backend';
import { ARTIFACTS, describeWithBrowser, launchChromium } from '../fixtures/chromium';
import { until } from '../fixtures/dashboard-mock';
import { tempDataDir } from '../fixtures/runtime';

const NOW = new Date('2026-12-06T15:00:00+01:00'); // Sunday 6 December 2026 in Milan
const TOKEN_KEY = 'dialogo.operator.token';

describeWithBrowser()('the dashboard’s partial periods in Chromium', () => {
  jest.setTimeout(90_000);
  let dir: string;
  let backend: StorageBackend;
  let server: DialogoServer;
  let base: string;
  let context: BrowserContext;
  let userDataDir: string;
  let page: Page;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    dir = tempDataDir();
    backend = openSqliteBackend(dir);
    const accounts = new OperatorAccounts(backend.operators);
    const tokens = new OperatorTokens('una-chiave-di-prova-lunga-abbastanza');
    await accounts.add('sara', 'supervisor', 'una-password-lunga', { displayName: 'Sara M.' });
    // 20 conversations a day from 1 January to yesterday; today (still being counted) has none ended yet.
    const increments = daysBetween('2026-01-01', '2026-12-05').map((day) => ({
      key: { day, channel: 'directline', language: 'it', topicId: null },
      counters: { conversations: 20, engaged: 18, unengaged: 2, resolvedAssumed: 12, escalated: 2, abandoned: 1, tickets: 1, unresolved: 2 },
    }));
    await backend.rollups.apply({ increments, gaps: [] });
    server = createServer({ adapter: new CloudAdapter(), botLogic: async () => undefined, readiness: () => ({ ready: true, details: {} }), logger: createLogger('silent') });
    mountStaticRoutes(server.server);
    mountAnalyticsApi(server.server, {
      rollups: backend.rollups, accounts, tokens, runtime: () => ({ kb: { title: () => null } }) as unknown as KnowledgeRuntime,
      knowledgeBaseDir: dir, logger: createLogger('silent'), refresh: async () => undefined, now: () => NOW,
    });
    await new Promise<void>((resolve) => server.server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.server.address() as AddressInfo).port}`;

    userDataDir = mkdtempSync(path.join(os.tmpdir(), 'dialogo-chromium-'));
    context = await launchChromium(userDataDir, { viewport: { width: 1280, height: 900 }, locale: 'it-IT', timezoneId: 'Europe/Rome' }, ['--lang=it-IT']);
    page = context.pages()[0] ?? (await context.newPage());
    await page.clock.setFixedTime(NOW);
    page.on('pageerror', (e) => pageErrors.push(String(e)));
    await context.route('**/*', (route) => (route.request().url().startsWith(base) ? route.continue() : route.abort()));
    // Signed in as a supervisor: the token is real, the sign-in check is answered here.
    const token = tokens.issue('sara', 'supervisor');
    await page.route(/\/api\/operator\/me$/, (route) => route.fulfill({ status: 200, contentType: 'application/json', body: JSON.stringify({ name: 'sara', role: 'supervisor', maxConcurrent: 3 }) }));
    await page.addInitScript(`sessionStorage.setItem(${JSON.stringify(TOKEN_KEY)}, ${JSON.stringify(token)})`);
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.goto(`${base}/dashboard`);
    await page.locator('#status.status-ok').waitFor({ timeout: 20_000 });
  });

  afterAll(async () => {
    await context?.close().catch(() => undefined);
    if (userDataDir) rmSync(userDataDir, { recursive: true, force: true });
    await server?.shutdown(1000);
    await backend?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  async function choose(from: string, to: string): Promise<void> {
    await page.fill('#period-from', from);
    await page.fill('#period-to', to);
    await page.click('#period-form button[type="submit"]');
    const shown = `Dati dal ${from.split('-').reverse().join('/')} al ${to.split('-').reverse().join('/')}`;
    await page.locator('#status.status-ok', { hasText: shown }).waitFor({ timeout: 10_000 });
  }

  /** The trend's rows (head and figures) and the chart's "Conversazioni" points. */
  async function trend(): Promise<{ rows: string[][]; plotted: (number | null)[] }> {
    const rows = await page.locator('#trend-body tr').evaluateAll((trs) => trs.map((tr) => [...tr.children].map((cell) => (cell.textContent ?? '').trim())));
    const plotted = await page.evaluate<(number | null)[]>("Chart.getChart(document.getElementById('trend-chart')).data.datasets[0].data");
    return { rows, plotted };
  }

  const monthNote = (month: string) => page.locator(`#monthly-body tr[data-month="${month}"] .partial-month`);

  test('the last 30 days: today is neither drawn nor tabled as a whole day, and the cut month says which days it holds', async () => {
    await page.click('[data-preset="30d"]');
    await page.locator('#status.status-ok', { hasText: 'Dati dal 07/11/2026 al 06/12/2026' }).waitFor({ timeout: 10_000 });
    expect(await page.locator('#kpi-period').innerText()).toContain('oggi è ancora in corso');
    const { rows, plotted } = await trend();
    expect(rows).toHaveLength(30);
    expect(rows[29]).toEqual(['06/12/2026 (oggi, in corso)', '0', '0', '0']);
    expect(rows[28]).toEqual(['05/12/2026', '20', '12', '2']);
    expect(plotted).toHaveLength(30);
    expect(plotted[29]).toBeNull();
    expect(plotted[28]).toBe(20);

    expect(await monthNote('2026-11').innerText()).toBe('dal 07/11/2026 al 30/11/2026');
    expect(await monthNote('2026-12').innerText()).toBe('dal 01/12/2026 al 06/12/2026, in corso');
    await page.locator('#monthly').screenshot({ path: path.join(ARTIFACTS, 'dashboard-partial-periods-monthly.png') });
  });

  test('the year so far, by week: the week still running is left out of the chart and says so', async () => {
    await page.click('[data-preset="ytd"]');
    await page.locator('#status.status-ok', { hasText: 'Dati dal 01/01/2026 al 06/12/2026' }).waitFor({ timeout: 10_000 });
    const { rows, plotted } = await trend();
    expect(rows[rows.length - 1]).toEqual(['30/11/2026 (7 giorni, in corso)', '120', '72', '12']);
    expect(rows[rows.length - 2]).toEqual(['23/11/2026', '140', '84', '14']);
    expect(plotted[plotted.length - 1]).toBeNull();
    expect(plotted[plotted.length - 2]).toBe(140);
    // December holds today; whole months before it carry no note.
    expect(await monthNote('2026-12').innerText()).toBe('dal 01/12/2026 al 06/12/2026, in corso');
    expect(await monthNote('2026-11').count()).toBe(0);
  });

  test('today alone, nothing ended yet: no month of zeros, no total of zeros, the year to date still there', async () => {
    await choose('2026-12-06', '2026-12-06');
    expect(await page.locator('#monthly-body tr').count()).toBe(0);
    expect(await page.locator('#monthly-foot tr[data-row="total"]').count()).toBe(0);
    expect(await page.locator('#monthly-foot tr[data-row="year-to-date"] td .figure').first().innerText()).toBe('6.102'); // 18 a day, 1 January to 5 December (every thousand grouped)
    expect(await page.locator('#monthly-empty').isVisible()).toBe(true);
    expect(await page.locator('#kpis-empty').innerText()).toContain('«Adesso»');
  });

  test('a period into the future: the days to come read "non ancora" and no figure, and are not drawn', async () => {
    await choose('2026-12-01', '2026-12-31');
    const { rows, plotted } = await trend();
    expect(rows).toHaveLength(31);
    expect(rows[6]).toEqual(['07/12/2026 (non ancora)', '—', '—', '—']);
    expect(rows[30]).toEqual(['31/12/2026 (non ancora)', '—', '—', '—']);
    expect(plotted.slice(5)).toEqual(Array(26).fill(null));
    expect(plotted[4]).toBe(20);
    expect(await monthNote('2026-12').innerText()).toBe('mese in corso');
    await page.locator('section:has(#trend-title)').screenshot({ path: path.join(ARTIFACTS, 'dashboard-partial-periods-trend.png') });
    expect(pageErrors).toEqual([]);
  });
});
