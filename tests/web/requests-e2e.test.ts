// End-to-end: written requests worked to the end on the 020202 console in Chromium, against a
// real Dialogo and a local SMTP server: a citizen leaves a request (the tab's count follows), the
// operator finds it by its reference pasted with spaces, reads it, answers (the mail server gets
// the answer with the reference in the subject) and closes it; a request never answered closes
// only with a reason.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type BrowserContext, type Page } from 'playwright-core';
import { describeWithBrowser, launchChromium } from '../fixtures/chromium';
import { loadConfig } from '../../src/config';
import { startDialogo, type Dialogo } from '../../src/index';
import { createLogger } from '../../src/logger';
import { DirectLineCitizen } from '../fixtures/directline-citizen';
import { KB_DIR, tempDataDir } from '../fixtures/runtime';
import { SmtpInbox } from '../fixtures/smtp-inbox';

const PASSWORD = 'una-password-lunga';
const XSS = '<img src=x onerror=alert(1)>';
const DESCRIPTION = 'Ho pagato due volte la TARI del 2026 e vorrei il rimborso';
const ANSWER = 'Il rimborso si chiede con il modulo online della TARI, allegando le due ricevute.';
// Screenshots to look at, outside the repository.
const SHOTS = process.env.DIALOGO_SCREENSHOTS ?? path.join(os.tmpdir(), 'dialogo-requests-e2e');

const describeBrowser = describeWithBrowser();

describeBrowser('written requests on the operator console in Chromium', () => {
  jest.setTimeout(60_000);
  let dialogo: Dialogo;
  let inbox: SmtpInbox;
  let context: BrowserContext;
  let userDataDir: string;
  let dataDir: string;
  let page: Page;
  let base: string;
  let reference: string;
  let earlier: string;
  let later: string;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    inbox = await SmtpInbox.start();
    dataDir = tempDataDir();
    const config = loadConfig({
      PORT: '0', HOST: '127.0.0.1', KB_DIR, KB_WATCH: 'false', NODE_ENV: 'test', DATA_DIR: dataDir, OFFICE_HOURS: 'default',
      OPERATOR_TOKEN_SECRET: 'operator-token-secret-for-the-requests-e2e', SMTP_URL: inbox.url, MAIL_FROM: 'Comune di Milano <noreply@comune.example.org>',
    });
    // Sunday 29 November 2026, 11:00 in Milan: 020202 is closed and the bot takes written requests.
    dialogo = await startDialogo(config, createLogger('silent'), { now: () => new Date('2026-11-29T10:00:00.000Z') });
    await dialogo.operators.add('giulia', 'operator', PASSWORD, { displayName: 'Giulia B.' });
    earlier = (await dialogo.handoff.createTicket({ channel: 'directline', conversationId: 'earlier', language: 'it', topicId: null, contactEmail: 'x@example.org', description: `Scrivo ${XSS}` })).reference;
    base = `http://127.0.0.1:${dialogo.port}`;
    userDataDir = mkdtempSync(path.join(os.tmpdir(), 'dialogo-chromium-'));
    context = await launchChromium(userDataDir, { viewport: { width: 1280, height: 900 } });
    await context.route('**/*', (route) => (route.request().url().startsWith(base) ? route.continue() : route.abort()));
    page = context.pages()[0] ?? (await context.newPage());
    page.on('pageerror', (error) => pageErrors.push(String(error)));
  });

  afterAll(async () => {
    await context?.close().catch(() => undefined);
    if (userDataDir) rmSync(userDataDir, { recursive: true, force: true });
    await dialogo?.stop();
    await inbox?.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  const badge = () => page.locator('#requests-badge');

  it('the operator signs in and the tab counts the open requests; a new request updates the count without a reload', async () => {
    await page.goto(`${base}/operator`);
    await page.getByLabel('Nome utente').fill('giulia');
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Accedi' }).click();
    await page.locator('#requests-badge:not([hidden])', { hasText: '1' }).waitFor({ timeout: 10_000 });

    const citizen = await DirectLineCitizen.start(dialogo.port);
    await citizen.say('voglio parlare con una persona');
    await citizen.say('sì');
    await citizen.say('laura.bianchi@example.org');
    await citizen.say(DESCRIPTION);
    const [created] = await citizen.say('Conferma');
    reference = /DLG-\d{4}-\d{6}/.exec(created.text)?.[0] as string;
    expect(reference).toBe('DLG-2026-000002');
    await page.locator('#requests-badge', { hasText: '2' }).waitFor({ timeout: 5_000 });
    expect(await badge().getAttribute('aria-label')).toBe('2 richieste aperte');
  });

  it('finds the request by its reference typed with spaces and in lower case, and shows it as text', async () => {
    await page.getByRole('tab', { name: /Richieste scritte/ }).click();
    await page.locator('#requests-table tbody tr').first().waitFor();
    expect(await page.locator('#requests-table tbody tr').count()).toBe(2);
    await page.getByLabel('Codice richiesta').fill(' dlg - 2026 - 000002 ');
    await page.getByRole('button', { name: 'Cerca' }).click();
    await page.locator('#request-title', { hasText: `Richiesta ${reference}` }).waitFor();
    expect(await page.getByLabel('Codice richiesta').inputValue()).toBe(reference);
    expect(await page.locator('#requests-status').innerText()).toBe('1 richiesta.');
    expect(await page.locator('#request-description').innerText()).toBe(DESCRIPTION);
    expect(await page.locator('#request-contact').innerText()).toBe('laura.bianchi@example.org');
    expect(await page.locator('#request-meta').innerText()).toMatch(/Aperta .* Web .* argomento: /);
    expect(await page.locator('#request-reply-text').isEnabled()).toBe(true);
    // The conversation with the bot that led to the request, kept with it (no queue on a Sunday).
    expect(await page.locator('#request-transcript').innerText()).toContain('voglio parlare con una persona');
    await page.screenshot({ path: path.join(SHOTS, 'requests-1-found.png'), fullPage: true });

    await page.getByLabel('Codice richiesta').fill('2026 000002');
    await page.getByRole('button', { name: 'Cerca' }).click();
    await page.locator('#requests-search-error', { hasText: 'DLG-2026-000123' }).waitFor();
  });

  it('answers: the citizen gets the mail with the reference in the subject; the request shows the answer and the count drops', async () => {
    await page.getByLabel('Codice richiesta').fill(reference);
    await page.getByRole('button', { name: 'Cerca' }).click();
    await page.locator('#request-title', { hasText: reference }).waitFor();
    const mail = inbox.next();
    const composer = page.getByLabel('Risposta al cittadino (inviata per email)');
    await composer.fill(ANSWER);
    // A request arriving meanwhile updates the count and the list, not the operator's typing.
    later = (await dialogo.handoff.createTicket({ channel: 'directline', conversationId: 'later', language: 'en', topicId: null, contactEmail: 'y@example.org', description: 'Parking permit' })).reference;
    await page.locator('#requests-badge', { hasText: '3' }).waitFor({ timeout: 5_000 });
    expect(await page.evaluate('document.activeElement && document.activeElement.id')).toBe('request-reply-text');
    expect(await composer.inputValue()).toBe(ANSWER);
    await page.getByRole('button', { name: 'Invia risposta' }).click();
    const received = await mail;
    expect(received.to).toEqual(['laura.bianchi@example.org']);
    expect(received.subject).toBe(`Comune di Milano - risposta alla richiesta ${reference}`);
    expect(received.text).toContain(ANSWER);
    expect(received.text).toContain('Giulia B.');
    await page.locator('#request-answer-box:not([hidden])').waitFor();
    expect(await page.locator('#request-answer').innerText()).toBe(ANSWER);
    expect(await page.locator('#request-reply').isHidden()).toBe(true);
    await page.locator('#requests-badge', { hasText: '2' }).waitFor({ timeout: 5_000 });
  });

  it('closes the answered request with its outcome', async () => {
    await page.getByLabel('Tipo di chiusura').selectOption('answered');
    await page.getByRole('button', { name: 'Chiudi richiesta' }).click();
    await page.locator('#request-closed-meta', { hasText: 'Risposta data – chiusa da giulia' }).waitFor();
    expect(await page.locator('#request-close').isHidden()).toBe(true);
    expect(await page.locator('#request-meta').innerText()).toMatch(/^Chiusa/);
    await page.screenshot({ path: path.join(SHOTS, 'requests-2-closed.png'), fullPage: true });
  });

  it('a request never answered closes only with a reason; then none is open and the badge goes', async () => {
    await page.getByLabel('Codice richiesta').fill('');
    await page.getByRole('search', { name: 'Cerca richieste scritte' }).getByLabel('Stato').selectOption('open');
    await page.locator('#requests-table tbody tr', { hasText: earlier }).waitFor();
    expect(await page.locator('#requests-table tbody tr').count()).toBe(2);
    expect(await page.locator('#requests-table tbody tr', { hasText: earlier }).locator('td.prewrap').innerText()).toBe(`Scrivo ${XSS}`);
    expect(await page.locator('img').count()).toBe(0);
    await page.getByRole('button', { name: `Apri la richiesta ${earlier}` }).click();
    await page.locator('#request-title', { hasText: earlier }).waitFor();
    await page.getByLabel('Tipo di chiusura').selectOption('spam');
    await page.getByRole('button', { name: 'Chiudi richiesta' }).click();
    await page.locator('#request-close-error', { hasText: 'scrivi nella nota perché la chiudi' }).waitFor();
    await page.getByLabel('Nota di chiusura', { exact: true }).fill('Messaggio pubblicitario');
    await page.getByRole('button', { name: 'Chiudi richiesta' }).click();
    await page.locator('#request-closed-note', { hasText: 'Messaggio pubblicitario' }).waitFor();
    await page.getByRole('button', { name: `Apri la richiesta ${later}` }).click();
    await page.locator('#request-title', { hasText: later }).waitFor();
    await page.getByLabel('Tipo di chiusura').selectOption('not-competent');
    await page.getByLabel('Nota di chiusura', { exact: true }).fill('Inoltrata alla Polizia Locale');
    await page.getByRole('button', { name: 'Chiudi richiesta' }).click();
    await page.locator('#request-closed-note', { hasText: 'Inoltrata alla Polizia Locale' }).waitFor();
    await page.locator('#requests-badge[hidden]').waitFor({ state: 'attached', timeout: 5_000 });
    await page.locator('#requests-status', { hasText: 'Nessuna richiesta scritta con questi filtri.' }).waitFor();
    expect(pageErrors).toEqual([]);
  });
});
