// End-to-end in Chromium: an operator's console dies with a citizen connected; the supervisor sees
// the operator away once the away delay has passed, reassigns the chat to a colleague, whose console
// gets it, and the citizen's widget says who they are talking to now. One browser, one Dialogo.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type BrowserContext, type Page } from 'playwright-core';
import { ARTIFACTS, describeWithBrowser, launchChromium } from '../fixtures/chromium';
import { loadConfig } from '../../src/config';
import { startDialogo, type Dialogo } from '../../src/index';
import { createLogger } from '../../src/logger';
import { KB_DIR, tempDataDir } from '../fixtures/runtime';

const PASSWORD = 'una-password-lunga';
const DESCRIPTION = 'devo cambiare la residenza';
const AWAY_MS = 800;

const describeBrowser = describeWithBrowser();

describeBrowser('supervision in Chromium: a console dies and the supervisor reassigns its chat', () => {
  jest.setTimeout(60_000);
  let dialogo: Dialogo;
  let context: BrowserContext;
  let userDataDir: string;
  let dataDir: string;
  let base: string;
  let citizen: Page;
  let giulia: Page;
  let marco: Page;
  let sara: Page;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    dataDir = tempDataDir();
    const config = loadConfig({
      PORT: '0',
      HOST: '127.0.0.1',
      KB_DIR,
      KB_WATCH: 'false',
      NODE_ENV: 'test',
      DATA_DIR: dataDir,
      OFFICE_HOURS: 'always',
      OPERATOR_TOKEN_SECRET: 'operator-token-secret-for-the-supervision-e2e',
      OPERATOR_AWAY_AFTER_MS: String(AWAY_MS),
    });
    dialogo = await startDialogo(config, createLogger('silent'));
    await dialogo.operators.add('giulia', 'operator', PASSWORD, { displayName: 'Giulia B.' });
    await dialogo.operators.add('marco', 'operator', PASSWORD, { displayName: 'Marco V.' });
    await dialogo.operators.add('sara', 'supervisor', PASSWORD, { displayName: 'Sara M.' });
    base = `http://127.0.0.1:${dialogo.port}`;
    userDataDir = mkdtempSync(path.join(os.tmpdir(), 'dialogo-chromium-'));
    context = await launchChromium(userDataDir, { viewport: { width: 1400, height: 900 } });
    await context.route('**/*', (route) => (route.request().url().startsWith(base) ? route.continue() : route.abort()));
    citizen = context.pages()[0] ?? (await context.newPage());
    [giulia, marco, sara] = [await context.newPage(), await context.newPage(), await context.newPage()];
    for (const [name, page] of [['citizen', citizen], ['giulia', giulia], ['marco', marco], ['sara', sara]] as const) page.on('pageerror', (error) => pageErrors.push(`${name}: ${String(error)}`));
    mkdirSync(ARTIFACTS, { recursive: true });
  });

  afterAll(async () => {
    await context?.close().catch(() => undefined);
    if (userDataDir) rmSync(userDataDir, { recursive: true, force: true });
    await dialogo?.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  const bubbles = (text: string | RegExp) => citizen.locator('.webchat__basic-transcript .webchat__bubble__content', { hasText: text });
  const say = async (text: string) => {
    const box = citizen.getByRole('textbox').first();
    await box.fill(text);
    await box.press('Enter');
  };
  const tap = (name: string) => citizen.getByRole('toolbar').getByRole('button', { name, exact: true }).click();
  const signIn = async (page: Page, name: string) => {
    await page.goto(`${base}/operator`);
    await page.getByLabel('Nome utente').fill(name);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Accedi' }).click();
    await page.locator('#operator-name', { hasText: name }).waitFor({ timeout: 10_000 });
  };
  const operatorRow = (name: string) => sara.locator(`#operators-body tr[data-operator="${name}"]`);

  it('operators sign in: giulia and marco available, sara busy, as the supervisor’s table shows', async () => {
    await signIn(giulia, 'giulia');
    await signIn(marco, 'marco');
    await signIn(sara, 'sara');
    expect(await giulia.locator('#presence-select').inputValue()).toBe('available');
    await sara.locator('#presence-since', { hasText: /^dalle \d\d:\d\d$/ }).waitFor({ timeout: 5_000 });
    expect(await sara.locator('#presence-select').inputValue()).toBe('busy');
    await sara.getByRole('tab', { name: 'Supervisione' }).click();
    await operatorRow('giulia').locator('.badge', { hasText: 'Disponibile' }).waitFor({ timeout: 5_000 });
    expect(await operatorRow('sara').innerText()).toMatch(/Supervisore\s+Occupato dalle \d\d:\d\d\s+0\/3/);
  });

  it('a citizen is queued and giulia takes the chat', async () => {
    await citizen.goto(`${base}/`);
    await citizen.getByRole('textbox').first().waitFor({ timeout: 20_000 });
    await say('vorrei parlare con un operatore');
    await bubbles('Vuoi parlare con un operatore').waitFor({ timeout: 15_000 });
    await tap('Sì');
    await bubbles('Scrivi in una riga').waitFor({ timeout: 15_000 });
    await say(DESCRIPTION);
    await tap('Acconsento');
    // Giulia and marco each have 3 free slots: the first citizen is served at once.
    await bubbles(/Sei in coda: posizione 1, attesa stimata meno di un minuto/).waitFor({ timeout: 15_000 });
    const row = giulia.locator('#queue-list li', { hasText: DESCRIPTION });
    await row.getByRole('button', { name: 'Prendi' }).click();
    await giulia.locator('#mine-list li', { hasText: DESCRIPTION }).waitFor({ timeout: 10_000 });
    await bubbles('Sei in contatto con Giulia B. del contact center 020202').waitFor({ timeout: 15_000 });
  });

  it('giulia’s console dies: after the away delay the supervisor sees her away, still holding the chat', async () => {
    await giulia.close();
    await operatorRow('giulia').locator('.badge', { hasText: 'Assente' }).waitFor({ timeout: AWAY_MS + 5_000 });
    expect(await operatorRow('giulia').innerText()).toMatch(/Assente dalle \d\d:\d\d\s+1\/3/);
    await sara.locator('#active-body tr', { hasText: DESCRIPTION }).locator('td', { hasText: 'giulia' }).waitFor();
    await sara.screenshot({ path: path.join(ARTIFACTS, 'supervision-away.png'), fullPage: true });
  });

  it('the supervisor reassigns the chat to marco: his console has it with the line, the citizen reads his name', async () => {
    const row = sara.locator('#active-body tr', { hasText: DESCRIPTION });
    await row.getByRole('combobox').selectOption('marco');
    await row.getByRole('button', { name: /^Riassegna/ }).click();
    await sara.locator('#notice', { hasText: 'Conversazione riassegnata a marco.' }).waitFor({ timeout: 10_000 });
    await sara.locator('#active-body tr', { hasText: DESCRIPTION }).locator('td', { hasText: 'marco' }).waitFor({ timeout: 10_000 });

    const card = marco.locator('#mine-list li', { hasText: DESCRIPTION });
    await card.waitFor({ timeout: 10_000 });
    expect(await card.locator('.session-handover').innerText()).toBe('Assegnata a marco da sara (prima: giulia).');
    await marco.locator('#notice', { hasText: 'sara ti ha assegnato una conversazione.' }).waitFor({ timeout: 5_000 });
    await bubbles('Ora sei in contatto con Marco V. del contact center 020202.').waitFor({ timeout: 15_000 });

    await card.getByRole('button', { name: 'Apri' }).click();
    await marco.locator('#messages .entry-system', { hasText: 'Assegnata a marco da sara' }).waitFor({ timeout: 10_000 });
    await marco.locator('#message-text').fill('Buongiorno, sono Marco: continuo io.');
    await marco.locator('#message-text').press('Enter');
    await bubbles('Marco V. (020202): Buongiorno, sono Marco: continuo io.').waitFor({ timeout: 15_000 });
    await marco.screenshot({ path: path.join(ARTIFACTS, 'supervision-new-holder.png') });
  });

  it('sara makes herself available; marco transfers the chat to her with a note, which her card shows', async () => {
    await expect(marco.locator('#transfer-to').inputValue()).resolves.toBe('');
    await sara.locator('#presence-select').selectOption('available');
    await sara.locator('#notice', { hasText: 'Stato: disponibile.' }).waitFor({ timeout: 5_000 });
    await marco.locator('#transfer-to option', { hasText: 'sara – liberi 3 su 3' }).waitFor({ state: 'attached', timeout: 5_000 });
    await marco.locator('#transfer-to').selectOption('sara');
    await marco.locator('#transfer-note').fill('Deve solo confermare l’indirizzo.');
    await marco.getByRole('button', { name: 'Trasferisci' }).click();
    await marco.locator('#notice', { hasText: 'Conversazione trasferita a sara.' }).waitFor({ timeout: 10_000 });
    expect(await marco.locator('#mine-list li').count()).toBe(0);

    await sara.getByRole('tab', { name: 'Conversazioni' }).click();
    const card = sara.locator('#mine-list li', { hasText: DESCRIPTION });
    await card.waitFor({ timeout: 10_000 });
    expect(await card.locator('.session-handover').innerText()).toBe('Trasferita da marco a sara. Nota: Deve solo confermare l’indirizzo.');
    await bubbles('Ora sei in contatto con Sara M. del contact center 020202.').waitFor({ timeout: 15_000 });
    await citizen.screenshot({ path: path.join(ARTIFACTS, 'supervision-citizen.png') });
    expect(pageErrors).toEqual([]);
  });
});
