// End-to-end: the "Il canale giusto" panel (src/web/dashboard-channels.js) on a real Dialogo, in
// Debian's headless Chromium: a citizen asks for a person and opens an answer's link, a supervisor
// signs in to /dashboard and reads the click, the reason and the written requests in the panel.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { loadConfig } from '../../src/config';
import { startDialogo, type Dialogo } from '../../src/index';
import { createLogger } from '../../src/logger';
import { ARTIFACTS, describeWithBrowser, launchChromium } from '../fixtures/chromium';
import { KB_DIR, tempDataDir } from '../fixtures/runtime';

const describeBrowser = describeWithBrowser();

describeBrowser('the channel figures panel of the dashboard', () => {
  const dataDir = tempDataDir();
  let dialogo: Dialogo;
  let context: BrowserContext;
  let page: Page;
  let userDataDir: string;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    dialogo = await startDialogo(loadConfig({ PORT: '0', HOST: '127.0.0.1', KB_DIR, KB_WATCH: 'false', NODE_ENV: 'test', DATA_DIR: dataDir, OFFICE_HOURS: 'always' }), createLogger('silent'));
    await dialogo.operators.add('sara', 'supervisor', 'una-password-lunga', { displayName: 'Sara M.' });
    const base = `http://127.0.0.1:${dialogo.port}`;
    await fetch(`${base}/api/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ type: 'message', text: 'voglio parlare con un operatore', channelId: 'test', from: { id: 'u1' }, recipient: { id: 'dialogo' }, conversation: { id: 'c1' }, serviceUrl: 'http://127.0.0.1:9', deliveryMode: 'expectReplies' }),
    });
    await fetch(`${base}/go/carta-identita/overview?to=0&ch=directline&lang=it`, { redirect: 'manual' });
    userDataDir = mkdtempSync(path.join(os.tmpdir(), 'dialogo-chromium-'));
    context = await launchChromium(userDataDir, { viewport: { width: 1440, height: 960 }, locale: 'it-IT', timezoneId: 'Europe/Rome' }, ['--lang=it-IT']);
    page = context.pages()[0] ?? (await context.newPage());
    page.on('pageerror', (e) => pageErrors.push(String(e)));
    await context.route('**/*', (route) => (route.request().url().startsWith(base) ? route.continue() : route.abort()));
    await page.goto(`${base}/dashboard`);
  }, 120_000);
  afterAll(async () => {
    await context?.close();
    await dialogo?.stop();
    rmSync(userDataDir, { recursive: true, force: true });
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('shows the clicks per topic and page, why a person was offered and the written requests of the period', async () => {
    const panel = page.locator('#channels-fig');
    expect(await panel.isHidden()).toBe(true);
    await page.getByLabel('Nome utente').fill('sara');
    await page.getByLabel('Password').fill('una-password-lunga');
    await page.getByLabel('Password').press('Enter');
    await page.getByRole('heading', { name: 'Il canale giusto' }).waitFor();
    // The default period is the twelve full months before this one: today's click is in the last 30 days.
    await page.getByRole('button', { name: 'Ultimi 30 giorni' }).click();
    await page.locator('#channels-fig-total', { hasText: '1' }).waitFor({ timeout: 20_000 });
    const clicks = await page.locator('#channels-fig-clicks tr').allInnerTexts();
    expect(clicks[0]).toMatch(/Carta d.identit[aà].*\ttutte le pagine\t1$/i);
    expect(clicks[1]).toMatch(/Scheda generale\t1$/);
    const reasons = await page.locator('#channels-fig-reasons tr').allInnerTexts();
    expect(reasons).toEqual(['Chiesto dal cittadino\t1', 'Due risposte mancate\t0', 'Risposta giudicata non utile\t0', 'Richiesta scritta dal menu\t0', 'Totale\t1']);
    expect(await page.locator('#channels-fig-requests tr').allInnerTexts()).toEqual(['Ricevute\t0', 'Risposte dagli operatori\t0', 'Chiuse\t0']);
    expect(await page.locator('#channels-fig-operators-empty').isVisible()).toBe(true);
    expect(pageErrors).toEqual([]);
    mkdirSync(ARTIFACTS, { recursive: true });
    await panel.screenshot({ path: path.join(ARTIFACTS, 'dashboard-channels.png') });
  });
});
