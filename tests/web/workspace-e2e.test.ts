// End-to-end, the operator's workspace: a citizen in the portal's Web Chat and an operator on
// the console, two pages of one headless Chromium against a real Dialogo. The console's
// Notification and Web Audio are stubbed by an init script that records what they are asked to
// do, and the page is told it has no focus (the operator is in another window).
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type BrowserContext, type Page } from 'playwright-core';
import { ARTIFACTS, describeWithBrowser, launchChromium } from '../fixtures/chromium';
import { loadConfig } from '../../src/config';
import { startDialogo, type Dialogo } from '../../src/index';
import { createLogger } from '../../src/logger';
import { openConsoleSocket } from '../fixtures/console-socket';
import { DirectLineCitizen } from '../fixtures/directline-citizen';
import { KB_DIR, tempDataDir } from '../fixtures/runtime';

const PASSWORD = 'una-password-lunga';
const DESCRIPTION = 'ho una questione particolare da spiegare a voce';
const NOTE = 'nota riservata: cittadino già sentito ieri';
const SCREENSHOTS = process.env.WORKSPACE_SCREENSHOTS ?? ARTIFACTS;

const describeBrowser = describeWithBrowser();

/** Runs in the console page before its scripts: records notifications and tones instead of showing and playing them. */
const STUB_ALERTS = `
  window.__notifications = [];
  window.__tones = 0;
  class RecordedNotification {
    constructor(title, options) { window.__notifications.push({ title: title, body: (options && options.body) || '' }); this.onclick = null; }
    close() {}
    static requestPermission(callback) {
      RecordedNotification.permission = 'granted';
      if (callback) callback('granted');
      return Promise.resolve('granted');
    }
  }
  RecordedNotification.permission = 'default';
  window.Notification = RecordedNotification;
  const Context = window.AudioContext || window.webkitAudioContext;
  if (Context) {
    const create = Context.prototype.createOscillator;
    Context.prototype.createOscillator = function () { window.__tones += 1; return create.call(this); };
  }
  document.hasFocus = () => false;
`;

/** What the stub recorded, read in the page. */
type Recorded = { __notifications: { title: string; body: string }[]; __tones: number; Notification: { permission: string }; document: { activeElement: { id: string } | null } };
async function until(check: () => boolean | Promise<boolean>, what: string, timeout = 10_000): Promise<void> {
  const end = Date.now() + timeout;
  for (;;) {
    if (await check()) return;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describeBrowser('the operator workspace in Chromium: alerts, shortcuts, canned replies, notes, callbacks, history', () => {
  jest.setTimeout(60_000);
  let dialogo: Dialogo;
  let context: BrowserContext;
  let userDataDir: string;
  let dataDir: string;
  let citizen: Page;
  let operator: Page;
  let base: string;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    dataDir = tempDataDir();
    const config = loadConfig({ PORT: '0', HOST: '127.0.0.1', KB_DIR, KB_WATCH: 'false', NODE_ENV: 'test', DATA_DIR: dataDir, OFFICE_HOURS: 'always', OPERATOR_TOKEN_SECRET: 'operator-token-secret-for-the-workspace-e2e' });
    dialogo = await startDialogo(config, createLogger('silent'));
    await dialogo.operators.add('giulia', 'operator', PASSWORD, { displayName: 'Giulia B.' });
    await dialogo.operators.add('sara', 'supervisor', PASSWORD, { displayName: 'Sara M.' });
    base = `http://127.0.0.1:${dialogo.port}`;
    const login = (await (await fetch(`${base}/api/operator/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'sara', password: PASSWORD }) })).json()) as { token: string };
    const created = await fetch(`${base}/api/operator/canned-replies`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${login.token}` },
      body: JSON.stringify({ title: 'Presentazione', text: 'Buongiorno, sono {{operatore}} del 020202. Il codice della sua richiesta è {{codice}}.' }),
    });
    expect(created.status).toBe(201);
    userDataDir = mkdtempSync(path.join(os.tmpdir(), 'dialogo-chromium-'));
    context = await launchChromium(userDataDir, { viewport: { width: 1280, height: 900 } });
    await context.route('**/*', (route) => (route.request().url().startsWith(base) ? route.continue() : route.abort()));
    citizen = context.pages()[0] ?? (await context.newPage());
    operator = await context.newPage();
    await operator.addInitScript({ content: STUB_ALERTS });
    for (const [name, page] of [['citizen', citizen], ['operator', operator]] as const) page.on('pageerror', (error) => pageErrors.push(`${name}: ${String(error)}`));
    mkdirSync(SCREENSHOTS, { recursive: true });
  });

  afterAll(async () => {
    await context?.close().catch(() => undefined);
    if (userDataDir) rmSync(userDataDir, { recursive: true, force: true });
    await dialogo?.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  const transcript = () => citizen.locator('.webchat__basic-transcript');
  const bubbles = (text: string | RegExp) => transcript().locator('.webchat__bubble__content', { hasText: text });
  const sendBox = () => citizen.getByRole('textbox').first();
  const say = async (text: string) => {
    await sendBox().fill(text);
    await sendBox().press('Enter');
  };
  const button = (name: string) => citizen.getByRole('toolbar').getByRole('button', { name, exact: true });
  const notifications = () => operator.evaluate(() => (globalThis as unknown as Recorded).__notifications);
  let phoneCode = '';

  it('the operator signs in and turns notifications on from the button (never asked on load)', async () => {
    await operator.goto(`${base}/operator`);
    await operator.getByLabel('Nome utente').fill('giulia');
    await operator.getByLabel('Password').fill(PASSWORD);
    await operator.getByRole('button', { name: 'Accedi' }).click();
    await operator.locator('#operator-name', { hasText: 'giulia' }).waitFor({ timeout: 10_000 });
    expect(await operator.evaluate(() => (globalThis as unknown as Recorded).Notification.permission)).toBe('default');
    await operator.getByRole('button', { name: 'Attiva notifiche' }).click();
    await operator.locator('#notify-state', { hasText: 'Notifiche attive' }).waitFor();
    expect(await operator.title()).toBe('Dialogo - operatori');
    expect(await operator.locator('#shortcuts').innerText()).toMatch(/Scorciatoie[\s\S]*P[\s\S]*prendi il prossimo/);
  });

  it('a citizen queues: the console notifies, sounds and counts the citizen in the title', async () => {
    await citizen.goto(`${base}/`);
    await sendBox().waitFor({ timeout: 20_000 });
    await say('vorrei parlare con un operatore');
    await button('Sì').waitFor({ timeout: 15_000 });
    await button('Sì').click();
    await bubbles('Scrivi in una riga di cosa hai bisogno').waitFor({ timeout: 15_000 });
    await say(DESCRIPTION);
    await button('Acconsento').waitFor({ timeout: 15_000 });
    await button('Acconsento').click();
    const queued = bubbles(/Sei in coda: posizione 1\b/);
    await queued.waitFor({ timeout: 15_000 });
    phoneCode = /codice (\d{6})/.exec(await queued.innerText())![1]!;

    await until(async () => (await notifications()).length === 1, 'the desktop notification');
    expect(await notifications()).toEqual([{ title: 'Nuovo cittadino in coda', body: DESCRIPTION }]);
    await until(async () => (await operator.title()) === '(1) Dialogo - operatori', 'the title with the citizen');
    expect(await operator.evaluate(() => (globalThis as unknown as Recorded).__tones)).toBeGreaterThan(0);
    // No topic recognised: the card says what the citizen wrote, not "Argomento non riconosciuto".
    expect(await operator.locator('#queue-list li .session-topic').innerText()).toBe(DESCRIPTION);
  });

  it('P claims the citizen who waited longest and the focus lands in the composer; the transcript has the bot\'s questions', async () => {
    await operator.locator('#main').focus();
    await operator.keyboard.press('p');
    await operator.locator('#conv-title', { hasText: DESCRIPTION }).waitFor({ timeout: 10_000 });
    await until(() => operator.evaluate(() => (globalThis as unknown as Recorded).document.activeElement?.id === 'message-text'), 'the focus in the composer');
    await bubbles('Sei in contatto con Giulia B.').waitFor({ timeout: 15_000 });
    const said = await operator.locator('#transcript').innerText();
    expect(said).toMatch(/vorrei parlare con un operatore[\s\S]*Vuoi parlare con un operatore del contact center 020202\?[\s\S]*Sì[\s\S]*Scrivi in una riga/);
  });

  it('a canned reply goes into the composer with its placeholders filled, and out only when the operator sends', async () => {
    const reply = operator.locator('#canned-list li', { hasText: 'Presentazione' });
    await reply.getByRole('button', { name: 'Inserisci' }).click();
    const expected = `Buongiorno, sono Giulia B. del 020202. Il codice della sua richiesta è ${phoneCode}.`;
    expect(await operator.locator('#message-text').inputValue()).toBe(expected);
    await citizen.waitForTimeout(300);
    expect(await bubbles('Il codice della sua richiesta').count()).toBe(0);
    await operator.keyboard.press('Control+Enter');
    await bubbles(`Giulia B. (020202): ${expected}`).waitFor({ timeout: 15_000 });
  });

  it('an internal note is shown apart and never reaches the citizen; a citizen\'s message notifies', async () => {
    await operator.getByLabel('Nuova nota interna').fill(NOTE);
    await operator.getByRole('button', { name: 'Aggiungi nota' }).click();
    await operator.locator('#notes-list .note-internal', { hasText: NOTE }).waitFor({ timeout: 10_000 });
    await say('grazie, attendo');
    await operator.locator('#messages .entry-citizen', { hasText: 'grazie, attendo' }).waitFor({ timeout: 15_000 });
    await until(async () => (await notifications()).some((n) => n.body === 'grazie, attendo'), 'the message notification');
    expect(await transcript().innerText()).not.toContain('nota riservata');
    await operator.evaluate(() => (globalThis as unknown as { scrollTo: (x: number, y: number) => void }).scrollTo(0, 0));
    await operator.screenshot({ path: path.join(SCREENSHOTS, 'workspace-conversation.png') });
  });

  it('closing as callback asks the number; the callback is listed and marked done; the history finds the conversation', async () => {
    await operator.getByLabel('Esito').selectOption({ label: 'Richiamata' });
    await operator.getByLabel('Numero da richiamare').fill('02 1234 5678');
    await operator.getByLabel('Nota di chiusura (facoltativa)').fill('richiamare nel pomeriggio');
    await operator.getByRole('button', { name: 'Chiudi conversazione' }).click();
    await operator.locator('#notice', { hasText: 'Conversazione chiusa con esito “Richiamata”.' }).waitFor({ timeout: 10_000 });

    await operator.getByRole('tab', { name: /Richiamate/ }).click();
    const row = operator.locator('#callbacks-body tr', { hasText: '+390212345678' });
    await row.waitFor({ timeout: 10_000 });
    expect(await row.innerText()).toMatch(new RegExp(`${DESCRIPTION}[\\s\\S]*richiamare nel pomeriggio[\\s\\S]*giulia`));
    expect(await operator.locator('#tab-callbacks').innerText()).toBe('Richiamate (1)');
    await operator.screenshot({ path: path.join(SCREENSHOTS, 'workspace-callbacks.png') });
    await row.getByRole('button', { name: /Fatta/ }).click();
    await operator.locator('#callbacks-status', { hasText: 'Nessuna richiamata da fare.' }).waitFor({ timeout: 10_000 });

    await operator.getByRole('tab', { name: 'Storico' }).click();
    await operator.getByLabel('Codice', { exact: true }).fill(phoneCode);
    await operator.getByRole('button', { name: 'Cerca' }).click();
    const found = operator.locator('#history-body tr', { hasText: phoneCode });
    await found.waitFor({ timeout: 10_000 });
    expect(await found.innerText()).toMatch(/Richiamata[\s\S]*giulia/);
    await operator.screenshot({ path: path.join(SCREENSHOTS, 'workspace-history.png') });
    await found.getByRole('button', { name: /Apri/ }).click();
    await operator.locator('#notes-list .note-wrap-up', { hasText: 'richiamare nel pomeriggio' }).waitFor({ timeout: 10_000 });
    expect(pageErrors).toEqual([]);
  });

  it('an operator who set "busy" still sees a new citizen in the queue, without a tone or a notification', async () => {
    await operator.getByRole('tab', { name: 'Conversazioni' }).click();
    await operator.locator('#presence-select').selectOption('busy');
    await operator.locator('#notice', { hasText: 'Stato: occupato' }).waitFor({ timeout: 10_000 });
    // A colleague available on a console of their own keeps the queue open (with nobody available
    // a citizen is offered a written request instead).
    await dialogo.operators.add('marco', 'operator', PASSWORD, { displayName: 'Marco V.' });
    const marcoLogin = (await (await fetch(`${base}/api/operator/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'marco', password: PASSWORD }) })).json()) as { token: string };
    const marco = await openConsoleSocket(dialogo.port, marcoLogin.token);
    const tonesBefore = await operator.evaluate(() => (globalThis as unknown as Recorded).__tones);
    const notificationsBefore = (await notifications()).length;
    const other = await DirectLineCitizen.start(dialogo.port);
    await other.say('vorrei parlare con un operatore');
    await other.say('Sì');
    await other.say('duplicato della tessera elettorale');
    await other.say('Acconsento');
    await operator.locator('#queue-list li').first().waitFor({ timeout: 15_000 });
    await until(async () => (await operator.title()) === '(1) Dialogo - operatori', 'the title with the citizen');
    await operator.waitForTimeout(300);
    expect(await operator.evaluate(() => (globalThis as unknown as Recorded).__tones)).toBe(tonesBefore);
    expect((await notifications()).length).toBe(notificationsBefore);
    await other.say('esci');
    marco.ws.terminate();
  });

  it('a supervisor manages the canned replies: an unknown placeholder is refused, a good reply is listed', async () => {
    await operator.getByRole('button', { name: 'Esci' }).click();
    await operator.getByLabel('Nome utente').fill('sara');
    await operator.getByLabel('Password').fill(PASSWORD);
    await operator.getByRole('button', { name: 'Accedi' }).click();
    await operator.getByRole('tab', { name: 'Supervisione' }).click();
    await operator.locator('#canned-admin-list li', { hasText: 'Presentazione' }).waitFor({ timeout: 10_000 });
    await operator.getByLabel('Titolo').fill('Saluto');
    await operator.getByLabel('Testo').fill('Arrivederci da {{nome}}');
    await operator.getByRole('button', { name: 'Salva' }).click();
    await operator.locator('#canned-error', { hasText: 'segnaposto sconosciuto' }).waitFor({ timeout: 10_000 });
    await operator.getByLabel('Testo').fill('Arrivederci da {{operatore}}');
    await operator.getByRole('button', { name: 'Salva' }).click();
    await operator.locator('#canned-admin-list li', { hasText: 'Arrivederci da {{operatore}}' }).waitFor({ timeout: 10_000 });
    await operator.screenshot({ path: path.join(SCREENSHOTS, 'workspace-canned-admin.png'), fullPage: true });
    expect(pageErrors).toEqual([]);
  });
});
