// The supervisors' dashboard of a fresh install (an empty store) in Chromium: every card, chart and
// table says there is nothing yet, instead of zeros drawn and tabled as if measured (a flat line
// at zero over twelve months, twelve rows of zeros, six weeks of "0 contacts expected").
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type BrowserContext, type Page } from 'playwright-core';
import { loadConfig } from '../../src/config';
import { startDialogo, type Dialogo } from '../../src/index';
import { createLogger } from '../../src/logger';
import { ARTIFACTS, describeWithBrowser, launchChromium } from '../fixtures/chromium';
import { KB_DIR, tempDataDir } from '../fixtures/runtime';

const NOW = new Date('2026-12-06T15:00:00+01:00'); // Sunday 6 December 2026 in Milan

describeWithBrowser()('the dashboard of a fresh install in Chromium', () => {
  jest.setTimeout(120_000);
  let dataDir: string;
  let dialogo: Dialogo;
  let context: BrowserContext;
  let userDataDir: string;
  let page: Page;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    dataDir = tempDataDir();
    const offset = Date.now() - NOW.getTime();
    dialogo = await startDialogo(loadConfig({ PORT: '0', HOST: '127.0.0.1', KB_DIR, KB_WATCH: 'false', NODE_ENV: 'test', DATA_DIR: dataDir }), createLogger('silent'), { now: () => new Date(Date.now() - offset) });
    await dialogo.operators.add('sara', 'supervisor', 'una-password-lunga', { displayName: 'Sara M.' });
    userDataDir = mkdtempSync(path.join(os.tmpdir(), 'dialogo-chromium-'));
    context = await launchChromium(userDataDir, { viewport: { width: 1280, height: 900 }, locale: 'it-IT', timezoneId: 'Europe/Rome' }, ['--lang=it-IT']);
    page = context.pages()[0] ?? (await context.newPage());
    await page.clock.setFixedTime(NOW);
    page.on('pageerror', (e) => pageErrors.push(String(e)));
    mkdirSync(ARTIFACTS, { recursive: true });
  });

  afterAll(async () => {
    await context?.close().catch(() => undefined);
    if (userDataDir) rmSync(userDataDir, { recursive: true, force: true });
    await dialogo?.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  test('the default view says there is nothing yet, card by card and chart by chart', async () => {
    await page.goto(`http://127.0.0.1:${dialogo.port}/dashboard`);
    await page.fill('#login-username', 'sara');
    await page.fill('#login-password', 'una-password-lunga');
    await page.click('#login-submit');
    await page.locator('#status.status-ok').waitFor({ timeout: 20_000 });
    // The key figures: a message, not ten cards of zeros and dashes.
    await page.locator('#kpis-empty').waitFor({ state: 'visible' });
    expect(await page.locator('#kpis-empty').innerText()).toBe('Nessuna conversazione nel periodo: non c’è ancora nulla da misurare.');
    expect(await page.locator('#kpis').isVisible()).toBe(false);
    // The trend: the message, no line at zero.
    expect(await page.locator('#trend-empty').isVisible()).toBe(true);
    expect(await page.locator('.chart-trend').isVisible()).toBe(false);
    // The monthly table: no rows of zeros; its exports have nothing to export.
    expect(await page.locator('#monthly-empty').isVisible()).toBe(true);
    expect(await page.locator('#monthly-body tr').count()).toBe(0);
    expect(await page.locator('#monthly-table').isVisible()).toBe(false);
    expect(await page.locator('#monthly-csv').isDisabled()).toBe(true);
    // Channels and languages: a message, not an empty ring over a table of headings.
    for (const name of ['channel', 'language']) {
      expect(await page.locator(`#${name}-empty`).isVisible()).toBe(true);
      expect(await page.locator(`#${name}-chart`).isVisible()).toBe(false);
    }
    // The next six weeks: no forecast drawn from nothing, and the staffing says why it has none.
    await page.locator('#outlook-contacts-empty').waitFor({ state: 'visible', timeout: 30_000 });
    expect(await page.locator('#outlook-chart').isVisible()).toBe(false);
    expect(await page.locator('#outlook-staff-body').innerText()).toBe('Nessuna previsione del fabbisogno: non ci sono ancora conversazioni da cui stimarla.');
    await page.screenshot({ path: path.join(ARTIFACTS, 'dashboard-fresh-install.png'), fullPage: true });

    // A period that reaches today: its open conversations are not counted yet, and the cards say where they are.
    await page.click('[data-preset="30d"]');
    await page.locator('#status.status-ok', { hasText: 'Dati dal 07/11/2026 al 06/12/2026' }).waitFor({ timeout: 10_000 });
    expect(await page.locator('#kpis-empty').innerText()).toBe('Nessuna conversazione conclusa nel periodo: quelle di oggi ancora aperte sono nella sezione «Adesso».');
    expect(pageErrors).toEqual([]);
  });
});
