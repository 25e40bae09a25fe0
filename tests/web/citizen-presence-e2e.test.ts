// End-to-end in Chromium: citizens who leave. A citizen queued in the portal's Web Chat closes the
// tab: the operator's card shows "assente", then the citizen is abandoned and counted so in the
// analytics. A citizen connected to an operator presses "Termina la chat": the bot is back and the
// operator's console says the citizen ended it.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type BrowserContext, type Page } from 'playwright-core';
import { romeDay } from '../../src/analytics/rome-day';
import { loadConfig } from '../../src/config';
import type { LifecycleEvent } from '../../src/handoff/handoff-service';
import { startDialogo, type Dialogo } from '../../src/index';
import { createLogger } from '../../src/logger';
import { ARTIFACTS, describeWithBrowser, launchChromium } from '../fixtures/chromium';
import { KB_DIR, tempDataDir } from '../fixtures/runtime';

const PASSWORD = 'una-password-lunga';
const PRESENCE_SEC = 1;
const GONE = 'devo cambiare la residenza';
const STAYS = 'non capisco un avviso della TARI';

const describeBrowser = describeWithBrowser();

describeBrowser('citizens who leave, in Chromium', () => {
  jest.setTimeout(90_000);
  let dialogo: Dialogo;
  let context: BrowserContext;
  let userDataDir: string;
  let dataDir: string;
  let operator: Page;
  let base: string;
  const pageErrors: string[] = [];
  const steps: { conversationId: string; state: string; outcome?: string; at: number }[] = [];

  beforeAll(async () => {
    dataDir = tempDataDir();
    dialogo = await startDialogo(
      loadConfig({
        PORT: '0',
        HOST: '127.0.0.1',
        KB_DIR,
        KB_WATCH: 'false',
        NODE_ENV: 'test',
        DATA_DIR: dataDir,
        OFFICE_HOURS: 'always',
        OPERATOR_TOKEN_SECRET: 'operator-token-secret-for-the-presence-e2e',
        HANDOFF_PRESENCE_TIMEOUT_SEC: String(PRESENCE_SEC),
        HANDOFF_SWEEP_INTERVAL_MS: '100',
      }),
      createLogger('silent'),
    );
    dialogo.handoff.on('lifecycle', (event: LifecycleEvent) => steps.push({ conversationId: event.session.conversationId, state: event.state, outcome: event.session.outcome, at: Date.now() }));
    await dialogo.operators.add('giulia', 'operator', PASSWORD, { displayName: 'Giulia B.' });
    await dialogo.operators.add('sara', 'supervisor', PASSWORD, { displayName: 'Sara M.' });
    base = `http://127.0.0.1:${dialogo.port}`;
    userDataDir = mkdtempSync(path.join(os.tmpdir(), 'dialogo-chromium-'));
    context = await launchChromium(userDataDir, { viewport: { width: 1280, height: 900 } });
    await context.route('**/*', (route) => (route.request().url().startsWith(base) ? route.continue() : route.abort()));
    operator = context.pages()[0] ?? (await context.newPage());
    operator.on('pageerror', (error) => pageErrors.push(`operator: ${String(error)}`));
    mkdirSync(ARTIFACTS, { recursive: true });

    await operator.goto(`${base}/operator`);
    await operator.getByLabel('Nome utente').fill('giulia');
    await operator.getByLabel('Password').fill(PASSWORD);
    await operator.getByRole('button', { name: 'Accedi' }).click();
    await operator.locator('#operator-name', { hasText: 'giulia' }).waitFor({ timeout: 10_000 });
  });

  afterAll(async () => {
    await context?.close().catch(() => undefined);
    if (userDataDir) rmSync(userDataDir, { recursive: true, force: true });
    await dialogo?.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  /** A citizen's page with the portal's Web Chat. */
  async function citizenPage(): Promise<Page> {
    const page = await context.newPage();
    page.on('pageerror', (error) => pageErrors.push(`citizen: ${String(error)}`));
    await page.goto(`${base}/`);
    await page.getByRole('textbox').first().waitFor({ timeout: 20_000 });
    return page;
  }
  const bubbles = (page: Page, text: string | RegExp) => page.locator('.webchat__basic-transcript .webchat__bubble__content', { hasText: text });
  const button = (page: Page, name: string) => page.getByRole('toolbar').getByRole('button', { name, exact: true });
  const say = async (page: Page, text: string) => {
    await page.getByRole('textbox').first().fill(text);
    await page.getByRole('textbox').first().press('Enter');
  };
  async function queue(page: Page, description: string): Promise<void> {
    await say(page, 'vorrei parlare con un operatore');
    await button(page, 'Sì').click({ timeout: 15_000 });
    await bubbles(page, 'Scrivi in una riga di cosa hai bisogno').waitFor({ timeout: 15_000 });
    await say(page, description);
    await button(page, 'Acconsento').click({ timeout: 15_000 });
    await bubbles(page, /Sei in coda: posizione 1\b/).waitFor({ timeout: 15_000 });
  }
  const card = (description: string) => operator.locator('#queue-list li', { hasText: description });

  it('a queued citizen who closes the tab is shown away on the card, then abandoned and counted as abandoned', async () => {
    const citizen = await citizenPage();
    await queue(citizen, GONE);
    await card(GONE).waitFor({ timeout: 10_000 });
    expect(await card(GONE).locator('.badge-away').count()).toBe(0);

    const closedAt = Date.now();
    await citizen.close();
    const badge = card(GONE).locator('.badge-away');
    await badge.waitFor({ timeout: 10_000 });
    expect(await badge.innerText()).toBe('assente da meno di 1 min');
    await operator.screenshot({ path: path.join(ARTIFACTS, 'citizen-away-card.png') });

    await card(GONE).waitFor({ state: 'detached', timeout: 10_000 });
    const abandoned = steps.find((s) => s.state === 'abandoned');
    expect(abandoned).toMatchObject({ outcome: 'away' });
    expect(abandoned!.at - closedAt).toBeGreaterThanOrEqual(2 * PRESENCE_SEC * 1000);

    const login = await fetch(`${base}/api/operator/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'sara', password: PASSWORD }) });
    const { token } = (await login.json()) as { token: string };
    const today = romeDay(Date.now());
    const summary = (await (await fetch(`${base}/api/analytics/summary?from=${today}&to=${today}`, { headers: { authorization: `Bearer ${token}` } })).json()) as { handoffs: { queued: number; answered: number; abandoned: number; tickets: number } };
    expect(summary.handoffs).toEqual({ queued: 1, answered: 0, abandoned: 1, tickets: 0 });
  });

  it('a connected citizen presses "Termina la chat": the bot is back, and the operator’s console says the citizen ended it', async () => {
    const citizen = await citizenPage();
    await queue(citizen, STAYS);
    await card(STAYS).getByRole('button', { name: 'Prendi' }).click({ timeout: 10_000 });
    await operator.locator('#conv-description', { hasText: STAYS }).waitFor({ timeout: 10_000 });
    await bubbles(citizen, 'Sei in contatto con Giulia B. del contact center 020202').waitFor({ timeout: 15_000 });

    await button(citizen, 'Termina la chat con l’operatore').click({ timeout: 10_000 });
    await bubbles(citizen, 'Hai chiuso la chat con l’operatore. Sono di nuovo Dialogo').waitFor({ timeout: 15_000 });
    await operator.locator('#conv-state', { hasText: 'Il cittadino ha chiuso la chat.' }).waitFor({ timeout: 10_000 });
    await operator.locator('#notice', { hasText: 'Il cittadino ha chiuso la chat.' }).waitFor({ timeout: 10_000 });
    expect(await operator.locator('#mine-list li').count()).toBe(0);
    expect(await operator.locator('#message-text').isDisabled()).toBe(true);
    await operator.screenshot({ path: path.join(ARTIFACTS, 'citizen-ended-operator.png') });

    await say(citizen, "quanto costa la carta d'identità?");
    await bubbles(citizen, /costa 22,20 €/).waitFor({ timeout: 15_000 });
    expect(await bubbles(citizen, /020202\): /).count()).toBe(0);
    await citizen.screenshot({ path: path.join(ARTIFACTS, 'citizen-ended-citizen.png') });
    expect(steps.filter((s) => s.state === 'closed').map((s) => s.outcome)).toEqual(['citizen-ended']);
    expect(pageErrors).toEqual([]);
  });
});
