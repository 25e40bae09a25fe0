// The dashboard's «Comunicazioni in arrivo» panel (src/web/dashboard-comms.js) in Debian's headless
// Chromium: the page's files served by restify, the API mocked in the page (page.route). A supervisor
// sees the coming communications and the check's problems, blocking first, rendered as text.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { BrowserContext, Page, Route } from 'playwright-core';
import { mountStaticRoutes } from '../../src/server/static-routes';
import restify, { type Server } from 'restify';
import type { CommunicationsResponse } from '../../src/knowledge/communications-routes';
import { ARTIFACTS, describeWithBrowser, launchChromium } from '../fixtures/chromium';

const XSS = '<img src=x onerror=alert(1)>';

const notice = (it: string) => ({ it, en: it });
const FIXTURE: CommunicationsResponse = {
  today: '2026-12-05',
  calendar: [
    { id: 'sant-ambrogio-2026', kind: 'office-closure', published: '2026-12-01', effective: '2026-12-07', topics: ['appuntamenti-anagrafe'], channels: ['portal'], notice: notice('Lunedì 7 dicembre uffici chiusi.') },
    { id: 'sciopero-2026', kind: 'strike', published: '2026-12-03', effective: '2026-12-09', topics: ['appuntamenti-anagrafe'], channels: ['portal'], notice: notice(XSS) },
  ],
  check: {
    today: '2026-12-05',
    coming: [
      { id: 'sant-ambrogio-2026', kind: 'office-closure', published: '2026-12-01', effective: '2026-12-07', until: null, topics: ['appuntamenti-anagrafe'], week: '2026-W50', extraOperators: 4 },
      { id: 'sciopero-2026', kind: 'strike', published: '2026-12-03', effective: '2026-12-09', until: null, topics: ['appuntamenti-anagrafe'], week: '2026-W50', extraOperators: null },
    ],
    findings: [
      { level: 'info', communicationId: 'sant-ambrogio-2026', check: 'operators', message: 'extra operators: 4 at the busiest hour around 2026-12-07' },
      { level: 'warning', communicationId: 'sciopero-2026', check: 'review', message: 'appuntamenti-anagrafe: answer to review' },
      { level: 'block', communicationId: 'sant-ambrogio-2026', check: 'week', message: `falls in 2026-W50 with sciopero-2026 ${XSS}` },
    ],
    blocking: 1,
  },
};

const describeBrowser = describeWithBrowser();

describeBrowser('the communications panel of the dashboard in Chromium', () => {
  jest.setTimeout(60_000);
  let server: Server;
  let base: string;
  let context: BrowserContext;
  let userDataDir: string;
  let page: Page;
  const pageErrors: string[] = [];
  const dialogs: string[] = [];
  let role = 'supervisor';

  beforeAll(async () => {
    server = restify.createServer({ name: 'dashboard-comms-test' });
    // The real static routes: every panel's script and the pages' Content-Security-Policy.
    mountStaticRoutes(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    userDataDir = mkdtempSync(path.join(os.tmpdir(), 'dialogo-chromium-'));
    context = await launchChromium(userDataDir, { viewport: { width: 1280, height: 900 }, locale: 'it-IT', timezoneId: 'Europe/Rome' }, ['--lang=it-IT']);
    page = context.pages()[0] ?? (await context.newPage());
    await page.clock.setFixedTime(new Date('2026-12-05T12:00:00+01:00'));
    page.on('pageerror', (e) => pageErrors.push(String(e)));
    page.on('dialog', (dialog) => {
      dialogs.push(dialog.message());
      void dialog.dismiss();
    });
    await context.route('**/*', (route) => (route.request().url().startsWith(base) ? route.continue() : route.abort()));
    await page.route('**/api/**', async (route: Route) => {
      const p = new URL(route.request().url()).pathname;
      const json = (status: number, body: unknown) => route.fulfill({ status, contentType: 'application/json', body: JSON.stringify(body) });
      if (p === '/api/operator/me') return json(200, { name: 'sara', displayName: 'Sara M.', role });
      if (p === '/api/analytics/communications') return json(200, FIXTURE);
      return json(503, { error: { code: 'STORE_UNAVAILABLE', message: 'not mocked here' } });
    });
    await page.addInitScript(`sessionStorage.setItem('dialogo.operator.token', 'tok-sara')`);
    mkdirSync(ARTIFACTS, { recursive: true });
  });

  afterAll(async () => {
    await context?.close().catch(() => undefined);
    if (userDataDir) rmSync(userDataDir, { recursive: true, force: true });
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('lists the coming communications and the blocking problem first, as text', async () => {
    await page.goto(`${base}/dashboard`);
    const rows = page.locator('#comms-body tr');
    await rows.first().waitFor();
    expect(await rows.count()).toBe(2);
    expect(await rows.nth(0).innerText()).toMatch(/07\/12\/2026\s+2026-W50\s+sant-ambrogio-2026[\s\S]*Chiusura uffici[\s\S]*appuntamenti-anagrafe\s+4\s+1 blocco/);
    expect(await rows.nth(1).innerText()).toMatch(/Sciopero[\s\S]*—\s+OK/);
    const findings = page.locator('#comms-findings li');
    expect(await findings.allInnerTexts()).toEqual([`Blocca: sant-ambrogio-2026 – falls in 2026-W50 with sciopero-2026 ${XSS}`, 'Attenzione: sciopero-2026 – appuntamenti-anagrafe: answer to review']);
    expect(await page.locator('#comms-status').innerText()).toBe('1 problema blocca una comunicazione in arrivo.');
    // Server text is text: the XSS sample is shown, never run.
    expect(await page.locator('#comms-section img').count()).toBe(0);
    expect(dialogs).toEqual([]);
    expect(pageErrors).toEqual([]);
    await page.locator('#comms-section').screenshot({ path: path.join(ARTIFACTS, 'dashboard-comms.png') });
  });

  it('stays hidden for an operator, who cannot open the dashboard', async () => {
    role = 'operator';
    await page.goto(`${base}/dashboard`);
    await page.getByRole('heading', { name: 'Accesso supervisori' }).waitFor();
    expect(await page.locator('#comms-section').isHidden()).toBe(true);
  });
});
