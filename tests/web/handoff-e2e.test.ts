// End-to-end: a citizen in the portal's Web Chat and an operator on the 020202 console, two pages
// of one headless Chromium (Debian's, driven by playwright-core) against a real Dialogo: the
// citizen asks for an operator and is queued, the operator claims, they chat, the operator closes
// and the bot answers again from the knowledge base.
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
const TOKEN_SECRET = 'operator-token-secret-for-the-handoff-e2e';
const XSS = '<img src=x onerror=alert(1)>';
const DESCRIPTION = 'non capisco un avviso della TARI';
const GREETING = 'Buongiorno, sono Giulia: mi dica il numero dell’avviso.';
// A sentence of the knowledge base's answer about the identity card (knowledge-base/topics/carta-identita.yaml).
const CIE_ANSWER = 'costa 22,20 €';

const describeBrowser = describeWithBrowser();

async function until(check: () => boolean | Promise<boolean>, what: string, timeout = 5_000): Promise<void> {
  const end = Date.now() + timeout;
  for (;;) {
    if (await check()) return;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describeBrowser('handoff from the portal widget to the operator console in Chromium', () => {
  jest.setTimeout(60_000);
  let dialogo: Dialogo;
  let context: BrowserContext;
  let userDataDir: string;
  let dataDir: string;
  let citizen: Page;
  let operator: Page;
  let base: string;
  const pageErrors: string[] = [];
  const dialogs: string[] = [];

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
      OPERATOR_TOKEN_SECRET: TOKEN_SECRET,
    });
    dialogo = await startDialogo(config, createLogger('silent'));
    await dialogo.operators.add('giulia', 'operator', PASSWORD, { displayName: 'Giulia B.' });
    // A console open, as on a shift: with nobody available the citizen is offered a written request instead of the queue.
    dialogo.handoff.operatorOnline({ name: 'giulia', role: 'operator', maxConcurrent: 3 }, true);
    base = `http://127.0.0.1:${dialogo.port}`;
    userDataDir = mkdtempSync(path.join(os.tmpdir(), 'dialogo-chromium-'));
    context = await launchChromium(userDataDir, {
            viewport: { width: 1280, height: 900 },
    });
    // No third-party hosts: anything not served by Dialogo is refused.
    await context.route('**/*', (route) => (route.request().url().startsWith(base) ? route.continue() : route.abort()));
    citizen = context.pages()[0] ?? (await context.newPage());
    operator = await context.newPage();
    for (const [name, page] of [['citizen', citizen], ['operator', operator]] as const) {
      page.on('pageerror', (error) => pageErrors.push(`${name}: ${String(error)}`));
      page.on('dialog', (dialog) => {
        dialogs.push(`${name}: ${dialog.type()} ${dialog.message()}`);
        void dialog.dismiss().catch(() => undefined);
      });
    }
    mkdirSync(ARTIFACTS, { recursive: true });
  });

  afterAll(async () => {
    await context?.close().catch(() => undefined);
    if (userDataDir) rmSync(userDataDir, { recursive: true, force: true });
    await dialogo?.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  // ------------------------------------------------------------ the citizen's page (Web Chat)
  const transcript = () => citizen.locator('.webchat__basic-transcript');
  const bubbles = (text: string | RegExp) => transcript().locator('.webchat__bubble__content', { hasText: text });
  const sendBox = () => citizen.getByRole('textbox').first();
  const say = async (text: string) => {
    await sendBox().fill(text);
    await sendBox().press('Enter');
  };
  // Web Chat's live region keeps an off-screen copy of the buttons: use the visible toolbar.
  const button = (name: string) => citizen.getByRole('toolbar').getByRole('button', { name, exact: true });

  // ------------------------------------------------------------ the operator's page (console)
  const queueRow = () => operator.locator('#queue-list li', { hasText: DESCRIPTION });
  const liveMessages = () => operator.locator('#messages');

  it('the citizen asks for an operator, describes the request, consents and is queued', async () => {
    await citizen.goto(`${base}/`);
    await sendBox().waitFor({ timeout: 20_000 });
    await say('vorrei parlare con un operatore');
    await bubbles('Vuoi parlare con un operatore del contact center 020202?').waitFor({ timeout: 15_000 });
    await button('Sì').waitFor({ timeout: 10_000 });
    expect(await button('No').count()).toBe(1);
    await button('Sì').click();
    await bubbles('Scrivi in una riga di cosa hai bisogno').waitFor({ timeout: 15_000 });
    await say(DESCRIPTION);
    await bubbles('Acconsenti?').waitFor({ timeout: 15_000 });
    await button('Acconsento').waitFor({ timeout: 10_000 });
    expect(await button('Non acconsento').count()).toBe(1);
    await button('Acconsento').click();
    const queued = bubbles(/Sei in coda: posizione 1\b/);
    await queued.waitFor({ timeout: 15_000 });
    expect(await queued.innerText()).toMatch(/posizione 1, attesa stimata .*codice \d{6}/);
  });

  it('the operator signs in, sees the queued citizen with the description and claims: the citizen is told', async () => {
    await operator.goto(`${base}/operator`);
    await operator.getByRole('heading', { level: 1, name: 'Accesso operatori' }).waitFor();
    await operator.getByLabel('Nome utente').fill('giulia');
    await operator.getByLabel('Password').fill(PASSWORD);
    await operator.getByRole('button', { name: 'Accedi' }).click();
    await operator.locator('#operator-name', { hasText: 'giulia' }).waitFor({ timeout: 10_000 });
    await queueRow().waitFor({ timeout: 10_000 });
    expect(await queueRow().locator('.session-desc').innerText()).toBe(DESCRIPTION);
    expect(await queueRow().innerText()).toMatch(/Posizione 1/);

    await queueRow().getByRole('button', { name: 'Prendi' }).click();
    await operator.locator('#conv-description', { hasText: `Richiesta del cittadino: ${DESCRIPTION}` }).waitFor({ timeout: 10_000 });
    await operator.locator('#mine-list li', { hasText: DESCRIPTION }).waitFor({ timeout: 10_000 });
    expect(await operator.locator('#message-text').isEnabled()).toBe(true);
    // What the citizen wrote to the bot before asking is there for the operator.
    expect(await operator.locator('#transcript').innerText()).toContain('vorrei parlare con un operatore');

    // The display name, not the login "giulia".
    await bubbles('Sei in contatto con Giulia B. del contact center 020202').waitFor({ timeout: 15_000 });
  });

  it('the operator writes and the citizen reads it with the operator’s name', async () => {
    await operator.locator('#message-text').fill(GREETING);
    await operator.getByRole('button', { name: 'Invia' }).click();
    await bubbles(`Giulia B. (020202): ${GREETING}`).waitFor({ timeout: 15_000 });
    await liveMessages().locator('.entry-operator', { hasText: GREETING }).waitFor({ timeout: 10_000 });
    expect(await operator.locator('#message-text').inputValue()).toBe('');
  });

  it('markup from the citizen reaches the operator as literal characters', async () => {
    const botBubbles = await transcript().locator('.webchat__bubble__content').count();
    await say(XSS);
    const entry = liveMessages().locator('.entry-citizen', { hasText: XSS });
    await entry.waitFor({ timeout: 15_000 });
    expect(await entry.locator('.entry-text').innerText()).toBe(XSS);
    expect(await operator.locator('#conversation img').count()).toBe(0);
    expect(await operator.locator('img[src="x"]').count()).toBe(0);
    // The bot is silent while the operator holds the conversation: only the citizen's own bubble.
    await citizen.waitForTimeout(500);
    expect(await transcript().locator('.webchat__bubble__content').count()).toBe(botBubbles + 1);
    expect(dialogs).toEqual([]);
  });

  it('the operator inserts a knowledge-base suggestion and sends it', async () => {
    // The suggestion is the facet asked: the cost, as the bot would answer it.
    await say('quanto si paga per la carta d’identità elettronica?');
    await liveMessages().locator('.entry-citizen', { hasText: 'quanto si paga per la carta' }).waitFor({ timeout: 15_000 });
    await operator.locator('#suggestions-for', { hasText: 'quanto si paga per la carta' }).waitFor({ timeout: 10_000 });
    const suggestion = operator.locator('#suggestions li', { hasText: 'Carta d\'identità elettronica (CIE)' }).first();
    await suggestion.waitFor({ timeout: 10_000 });
    await suggestion.getByRole('button', { name: 'Inserisci' }).click();
    const draft = await operator.locator('#message-text').inputValue();
    expect(draft).toContain(CIE_ANSWER);
    expect(draft).toContain('https://www.comune.milano.it/');
    await operator.locator('#message-text').press('Enter');
    await liveMessages().locator('.entry-operator', { hasText: CIE_ANSWER }).waitFor({ timeout: 10_000 });
    const received = bubbles(CIE_ANSWER);
    await received.first().waitFor({ timeout: 15_000 });
    expect(await received.count()).toBe(1);
    expect(await received.first().innerText()).toMatch(/^Giulia B\. \(020202\): La carta d.identità elettronica costa 22,20 €/);
  });

  it('the operator closes as resolved; the citizen is told and the bot answers again', async () => {
    // The console with the whole conversation, the literal markup included, before it closes.
    await operator.screenshot({ path: path.join(ARTIFACTS, 'handoff-operator.png') });
    await operator.locator('#close-outcome').selectOption({ label: 'Risolta' });
    await operator.getByRole('button', { name: 'Chiudi conversazione' }).click();
    await operator.locator('#notice', { hasText: 'Conversazione chiusa con esito “Risolta”.' }).waitFor({ timeout: 10_000 });
    await bubbles('L’operatore ha chiuso la conversazione (richiesta risolta). Sono di nuovo io, Dialogo').waitFor({ timeout: 15_000 });
    expect(await operator.locator('#mine-list li').count()).toBe(0);
    expect(await operator.locator('#queue-list li').count()).toBe(0);

    await say("quanto costa la carta d'identità?");
    await bubbles("quanto costa la carta d'identità?").waitFor({ timeout: 10_000 });
    // The knowledge base's answer, from the bot this time (the first copy came from giulia).
    await until(async () => (await bubbles(CIE_ANSWER).count()) === 2, 'the knowledge-base answer', 15_000);
    expect(await bubbles(CIE_ANSWER).last().innerText()).not.toMatch(/020202/);
    await transcript().locator('a[href*="comune.milano.it/servizi/anagrafe/carta-d-identita"]').last().waitFor({ timeout: 10_000 });

    await citizen.screenshot({ path: path.join(ARTIFACTS, 'handoff-citizen.png') });
    expect(dialogs).toEqual([]);
    expect(pageErrors).toEqual([]);
  });
});
