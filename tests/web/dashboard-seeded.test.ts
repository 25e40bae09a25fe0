// End-to-end: `npm run demo:seed` writes two months of synthetic traffic through the real bot
// pipeline into a fresh store; Dialogo starts on it; a supervisor logs into /dashboard in Debian's
// Chromium and sees figures computed from the rollups: the live section, the monthly table whose
// columns add up, at 1280 and 390 px; the next six weeks (the forecast computed in its worker from
// the seeded rollups, the calendar's communications, operators needed from the measured queue),
// the coming communications' check and the right-channel figures. The screenshots go to
// test-artifacts/.
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { type BrowserContext } from 'playwright-core';
import { ARTIFACTS, describeWithBrowser, launchChromium } from '../fixtures/chromium';
import { loadConfig } from '../../src/config';
import { startDialogo, type Dialogo } from '../../src/index';
import { createLogger } from '../../src/logger';
import { KB_DIR } from '../fixtures/runtime';

const run = promisify(execFile);
const ROOT = path.resolve(__dirname, '../..');

describeWithBrowser()('dashboard after the demo seed, in Chromium', () => {
  jest.setTimeout(180_000);
  let dataDir: string;
  let userDataDir: string;
  let dialogo: Dialogo;
  let context: BrowserContext;

  beforeAll(async () => {
    dataDir = mkdtempSync(path.join(os.tmpdir(), 'dialogo-seeded-'));
    const { stdout } = await run('npx', ['ts-node', '--swc', 'scripts/demo-seed.ts', '--days', '60', '--per-day', '8'], {
      cwd: ROOT,
      env: { ...process.env, DATA_DIR: dataDir, NODE_ENV: 'test', MONGODB_URI: '' },
      maxBuffer: 10 * 1024 * 1024,
    });
    expect(stdout).toMatch(/"conversations":\d+/);
    dialogo = await startDialogo(loadConfig({ PORT: '0', HOST: '127.0.0.1', KB_DIR, KB_WATCH: 'false', NODE_ENV: 'test', DATA_DIR: dataDir, RETENTION_DAYS: '400' }), createLogger('silent'));
    await dialogo.operators.add('sara', 'supervisor', 'una-password-lunga', { displayName: 'Sara M.' });
    userDataDir = mkdtempSync(path.join(os.tmpdir(), 'dialogo-chromium-'));
    context = await launchChromium(userDataDir, {
            viewport: { width: 1440, height: 1000 },
      locale: 'it-IT',
      timezoneId: 'Europe/Rome',
    });
  });

  afterAll(async () => {
    await context?.close();
    await dialogo?.stop();
    for (const dir of [dataDir, userDataDir]) if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test('the supervisor sees the seeded figures: KPIs, the monthly table, topics, gaps; screenshot', async () => {
    const page = context.pages()[0] ?? (await context.newPage());
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(String(error)));
    await page.goto(`http://127.0.0.1:${dialogo.port}/dashboard`);
    await page.fill('#login-username', 'sara');
    await page.fill('#login-password', 'una-password-lunga');
    await page.click('#login-submit');
    await page.locator('#status.status-ok').waitFor({ timeout: 20_000 });
    const kpis = await page.locator("#kpis").innerText();
    const conversations = Number(/Conversazioni\s+([\d.]+)/.exec(kpis)?.[1]?.replace(/\./g, '') ?? '0');
    expect(conversations).toBeGreaterThan(100);
    expect(await page.locator('#monthly-body tr').count()).toBeGreaterThanOrEqual(2);
    expect(await page.locator('#topics-volume-body tr').count()).toBeGreaterThan(3);
    expect(await page.locator('#trend-chart').getAttribute('aria-label')).not.toMatch(/non ancora caricati/);
    expect(errors).toEqual([]);
    // Live: the real route answers (today's figures, the queue, the operators).
    await page.locator('#live[data-state="ok"]').waitFor({ timeout: 20_000 });
    expect(await page.locator('#live-cards [data-live]').count()).toBe(4);
    // The monthly table adds up as shown: bot + operator + abandoned + diverted + not resolved = in.
    const rows = page.locator('#monthly-body tr, #monthly-foot tr');
    expect(await rows.count()).toBeGreaterThanOrEqual(4);
    for (let i = 0; i < (await rows.count()); i += 1) {
      const figures = (await rows.nth(i).locator('td .figure').allInnerTexts()).map((t) => Number(t.replace(/\./g, '')));
      expect(figures[1]! + figures[3]! + figures[4]! + figures[5]! + figures[6]!).toBe(figures[0]);
    }
    expect(errors).toEqual([]);
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: path.join(ARTIFACTS, 'dashboard-seeded.png'), fullPage: true });
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.locator('#live').screenshot({ path: path.join(ARTIFACTS, 'dashboard-seeded-live-1280.png') });
    await page.locator('#monthly').screenshot({ path: path.join(ARTIFACTS, 'dashboard-seeded-monthly-1280.png') });
    await page.setViewportSize({ width: 390, height: 844 });
    await page.screenshot({ path: path.join(ARTIFACTS, 'dashboard-seeded-390.png'), fullPage: true });
    // On a phone the table scrolls sideways and the month stays in view.
    await page.locator('#monthly .table-wrap').evaluate((wrap) => wrap.scrollBy(400, 0));
    const month = await page.locator('#monthly-body tr th').first().boundingBox();
    expect(month!.x).toBeGreaterThanOrEqual(0);
    expect(month!.x).toBeLessThan(40);
    await page.locator('#monthly').screenshot({ path: path.join(ARTIFACTS, 'dashboard-seeded-monthly-390.png') });
  });

  test('the next six weeks, the coming communications and the right channel, from the seeded store; screenshots', async () => {
    const base = `http://127.0.0.1:${dialogo.port}`;
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(String(error)));
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.goto(`${base}/dashboard`);
    await page.fill('#login-username', 'sara');
    await page.fill('#login-password', 'una-password-lunga');
    await page.click('#login-submit');
    // The forecast is computed in a worker thread from the rollups the seed wrote.
    await page.locator('#outlook-period', { hasText: /dal \d{2}\/\d{2}\/\d{4} al \d{2}\/\d{2}\/\d{4}/ }).waitFor({ timeout: 90_000 });
    const login = (await (await fetch(`${base}/api/operator/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'sara', password: 'una-password-lunga' }) })).json()) as { token: string };
    const headers = { authorization: `Bearer ${login.token}` };
    const forecast = (await (await fetch(`${base}/api/analytics/forecast`, { headers })).json()) as { model: string; total: { mean: number; lower: number; upper: number }[]; communications: unknown[] };
    // 60 days of history: the regression for the total's topics, bands around every day.
    expect(forecast.model).toMatch(/regression/);
    expect(forecast.total).toHaveLength(42);
    expect(forecast.total.reduce((sum, p) => sum + p.mean, 0)).toBeGreaterThan(42);
    for (const p of forecast.total) expect(p.lower <= p.mean && p.mean <= p.upper).toBe(true);
    expect(await page.locator('#outlook-contacts-body tr').count()).toBe(42);
    expect(await page.locator('#outlook-chart').getAttribute('aria-label')).toMatch(/^Contatti attesi al giorno.*: [\d.]+ in 42 giorni/);
    // The timeline lists what the forecast applied, no more and no less.
    expect(await page.locator('#outlook-timeline .timeline-item').count()).toBe(forecast.communications.length);
    // Operators needed: the queue measured on the seed's handoffs and abandonments.
    const staffing = (await (await fetch(`${base}/api/analytics/staffing`, { headers })).json()) as { queue: { handleSource: string }; hours: { operatorsNeeded: number }[] };
    expect(staffing.queue.handleSource).toBe('measured');
    expect(staffing.hours.some((h) => h.operatorsNeeded > 0)).toBe(true);
    expect(await page.locator('#outlook-model').innerText()).toMatch(/^Modello Erlang [AC]:.*\(misurata sugli ultimi \d+ giorni\)/);
    expect(await page.locator('#outlook-staff-body tr').count()).toBe(7);
    // The coming communications' check and the right-channel figures answer from the same store.
    await page.locator('#comms-status', { hasText: /controllo del|bloccan/ }).waitFor({ timeout: 60_000 });
    const comms = (await (await fetch(`${base}/api/analytics/communications`, { headers })).json()) as { check: { coming: { extraOperators?: number | null }[] } };
    expect(await page.locator('#comms-body tr').count()).toBe(comms.check.coming.length);
    // The extra operators come from the seeded store's forecast: a number wherever it reaches.
    const extra = await page.locator('#comms-body tr td:nth-child(6)').allInnerTexts();
    expect(extra).toEqual(comms.check.coming.map((c) => (c.extraOperators === null || c.extraOperators === undefined ? '—' : String(c.extraOperators))));
    await page.locator('#channels-fig-total', { hasText: /^\d[\d.]*$/ }).waitFor({ timeout: 20_000 });
    expect(await page.locator('#channels-fig-status').innerText()).toBe('');
    // The seed's citizens asked for a person and its operators took the chats.
    expect(await page.locator('#channels-fig-reasons tr').count()).toBeGreaterThan(0);
    expect(await page.locator('#channels-fig-operators tr').count()).toBeGreaterThan(0);
    expect(errors).toEqual([]);
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.locator('#outlook').screenshot({ path: path.join(ARTIFACTS, 'dashboard-seeded-outlook-1280.png') });
    await page.locator('#comms-section').screenshot({ path: path.join(ARTIFACTS, 'dashboard-seeded-comms-1280.png') });
    await page.locator('#channels-fig').screenshot({ path: path.join(ARTIFACTS, 'dashboard-seeded-channels-1280.png') });
    await page.setViewportSize({ width: 390, height: 844 });
    await page.locator('#outlook').screenshot({ path: path.join(ARTIFACTS, 'dashboard-seeded-outlook-390.png') });
    await page.close();
  });

  test('on the seeded store every engaged conversation lands in exactly one column of the monthly table', async () => {
    const base = `http://127.0.0.1:${dialogo.port}`;
    const login = (await (await fetch(`${base}/api/operator/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'sara', password: 'una-password-lunga' }) })).json()) as { token: string };
    const to = new Date().toISOString().slice(0, 10);
    const from = new Date(Date.now() - 70 * 86_400_000).toISOString().slice(0, 10);
    const response = await fetch(`${base}/api/analytics/summary?from=${from}&to=${to}`, { headers: { authorization: `Bearer ${login.token}` } });
    const summary = (await response.json()) as { engaged: number; monthly: Record<string, number>[]; monthlyTotal: Record<string, number>; yearToDate: Record<string, number> };
    expect(summary.engaged).toBeGreaterThan(100);
    for (const row of [...summary.monthly, summary.monthlyTotal, summary.yearToDate]) {
      expect(row.answeredByBot! + row.answeredByOperator! + row.abandoned! + row.diverted! + row.unresolved!).toBe(row.in);
    }
    expect(summary.monthlyTotal.in).toBe(summary.engaged);
    expect(summary.monthly.reduce((sum, m) => sum + m.in!, 0)).toBe(summary.engaged);
    // The seed has handoffs: the queued column is not empty; and questions for other administrations, referred.
    expect(summary.monthlyTotal.queuedToOperator).toBeGreaterThan(0);
    expect(summary.monthlyTotal.referred).toBeGreaterThan(0);
    expect(summary.monthlyTotal.referred).toBeLessThanOrEqual(summary.monthlyTotal.answeredByBot!);
  });
});
