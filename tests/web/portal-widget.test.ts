// End-to-end: the demo page with the official Web Chat in Debian's headless Chromium, driven by
// playwright-core, against Dialogo's own Direct Line endpoint, in WebSocket and in polling mode.
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type BrowserContext, type Page } from 'playwright-core';
import { ARTIFACTS, describeWithBrowser, launchChromium } from '../fixtures/chromium';
import { loadConfig } from '../../src/config';
import { startDialogo, type Dialogo } from '../../src/index';
import { createLogger } from '../../src/logger';
import { KB_DIR, tempDataDir } from '../fixtures/runtime';

const QUESTION = "come rinnovo la carta d'identità";

const describeBrowser = describeWithBrowser();

describeBrowser.each([
  ['websocket', 'websocket'],
  ['polling', 'polling'],
])('portal widget in Chromium (%s)', (_name, transport) => {
  jest.setTimeout(90_000);
  let dialogo: Dialogo;
  let context: BrowserContext;
  let userDataDir: string;
  let dataDir: string;
  let page: Page;
  let base: string;
  const pageErrors: string[] = [];
  const webSockets: string[] = [];
  const polls: string[] = [];

  beforeAll(async () => {
    dataDir = tempDataDir();
    dialogo = await startDialogo(loadConfig({ PORT: '0', HOST: '127.0.0.1', KB_DIR, KB_WATCH: 'false', NODE_ENV: 'test', DATA_DIR: dataDir }), createLogger('silent'));
    base = `http://127.0.0.1:${dialogo.port}`;
    userDataDir = mkdtempSync(path.join(os.tmpdir(), 'dialogo-chromium-'));
    context = await launchChromium(userDataDir, {
            viewport: { width: 1280, height: 900 },
    });
    page = context.pages()[0] ?? (await context.newPage());
    page.on('pageerror', (error) => pageErrors.push(String(error)));
    page.on('websocket', (ws) => webSockets.push(ws.url()));
    page.on('request', (request) => {
      if (request.method() === 'GET' && /\/conversations\/[^/]+\/activities/.test(request.url())) polls.push(request.url());
    });
    // No third-party hosts: anything not served by Dialogo is refused (and would fail the test).
    await context.route('**/*', (route) => (route.request().url().startsWith(base) ? route.continue() : route.abort()));
    mkdirSync(ARTIFACTS, { recursive: true });
  });

  afterAll(async () => {
    await context?.close().catch(() => undefined);
    if (userDataDir) rmSync(userDataDir, { recursive: true, force: true });
    await dialogo?.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  const transcript = () => page.locator('.webchat__basic-transcript');
  // Evaluated in the page (strings: this project's TypeScript has no DOM library).
  const savedSession = () => page.evaluate<{ conversationId: string } | null>("JSON.parse(sessionStorage.getItem('dialogo.webchat:' + location.origin) || 'null')");
  const bubbles = (text: string) => transcript().locator('.webchat__bubble__content', { hasText: text });
  const botAnswer = () => transcript().locator('a[href*="comune.milano.it"]').first();

  it('answers a question with a link that opens in a new tab, in Italian by default', async () => {
    await page.goto(`${base}/?transport=${transport}`);
    expect(await page.getAttribute('html', 'lang')).toBe('it');
    const input = page.getByRole('textbox').first();
    await input.waitFor({ timeout: 20_000 });
    // Keyboard only: type and press Enter.
    await input.fill(QUESTION);
    await input.press('Enter');
    await botAnswer().waitFor({ timeout: 20_000 });
    expect(await botAnswer().getAttribute('target')).toBe('_blank');
    expect(await botAnswer().getAttribute('rel')).toMatch(/noopener/);
    await expect(transcript().innerText()).resolves.toMatch(/carta d.identit/i);
    // Web Chat's live region announces new messages to screen readers.
    expect(await page.locator('[data-dialogo-chat] .webchat__live-region-transcript[role="log"][aria-live="polite"]').count()).toBe(1);
    await page.screenshot({ path: path.join(ARTIFACTS, `portal-${transport}-answer.png`), fullPage: false });
    // The transport really is the one asked for.
    if (transport === 'websocket') {
      expect(webSockets.some((url) => url.includes('/v3/directline/conversations/'))).toBe(true);
    } else {
      expect(webSockets).toEqual([]);
      expect(polls.length).toBeGreaterThan(0);
    }
  });

  it('sends a suggested action (👍) as a button', async () => {
    // Web Chat's live region keeps an off-screen copy of the buttons: use the visible toolbar.
    const thumbs = page.getByRole('toolbar').getByRole('button', { name: '👍' });
    await thumbs.waitFor({ timeout: 10_000 });
    await thumbs.click();
    await bubbles('Grazie del riscontro!').first().waitFor({ timeout: 20_000 });
    await page.screenshot({ path: path.join(ARTIFACTS, `portal-${transport}-feedback.png`) });
  });

  it('shows the same conversation after a reload', async () => {
    const before = await savedSession();
    expect(before?.conversationId).toBeTruthy();
    await page.reload();
    await bubbles('Grazie del riscontro!').first().waitFor({ timeout: 20_000 });
    await botAnswer().waitFor({ timeout: 20_000 });
    // The whole history once, not twice: question, answer, 👍, thanks.
    expect(await bubbles(QUESTION).count()).toBe(1);
    expect(await bubbles('Grazie del riscontro!').count()).toBe(1);
    const after = await savedSession();
    expect(after?.conversationId).toBe(before?.conversationId);
    await page.screenshot({ path: path.join(ARTIFACTS, `portal-${transport}-reloaded.png`) });
  });

  it('switches to English (lang attribute, page texts, widget) and works from the keyboard', async () => {
    await page.getByRole('button', { name: 'English' }).click();
    expect(await page.getAttribute('html', 'lang')).toBe('en');
    await page.getByRole('heading', { level: 1, name: 'Registry services' }).waitFor();
    expect(await page.getAttribute('[data-dialogo-widget]', 'lang')).toBe('en');
    await page.getByRole('button', { name: 'Close the chat' }).click();
    const launcher = page.getByRole('button', { name: 'Open the chat with the City assistant' });
    expect(await launcher.getAttribute('aria-expanded')).toBe('false');
    await expect(launcher.evaluate((el) => el === (el as unknown as { ownerDocument: { activeElement: unknown } }).ownerDocument.activeElement)).resolves.toBe(true);
    // Keyboard only: Enter opens the chat with the focus in the send box, Escape closes it, Enter again.
    await launcher.press('Enter');
    await page.waitForFunction("document.activeElement && document.activeElement.matches('input[type=text], textarea')", undefined, { timeout: 5_000 });
    await page.keyboard.press('Escape');
    await page.waitForFunction("document.activeElement && document.activeElement.classList.contains('dialogo-launcher')", undefined, { timeout: 5_000 });
    await page.keyboard.press('Enter');
    await page.getByRole('button', { name: 'Close the chat' }).waitFor();
    await page.keyboard.press('Tab'); // the send button, with its visible focus ring
    await page.screenshot({ path: path.join(ARTIFACTS, `portal-${transport}-english-keyboard.png`) });
    await page.getByRole('button', { name: 'Italiano' }).click();
    expect(await page.getAttribute('html', 'lang')).toBe('it');
  });

  it('has no serious or critical axe-core violations', async () => {
    // Evaluated through the DevTools protocol: the page's CSP refuses inline script tags.
    await page.evaluate(readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8'));
    // The whole page, the open chat with its history and suggested actions included.
    const violations = await page.evaluate<{ id: string; impact: string; help: string; targets: string[] }[]>(`
      axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } }).then((result) =>
        result.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, targets: v.nodes.slice(0, 5).map((n) => n.target.join(' ')) })))`);
    if (violations.length > 0) console.info(`axe-core (${transport}), minor or moderate:`, JSON.stringify(violations, null, 1));
    const blocking = violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
    expect(blocking).toEqual([]);
    expect(pageErrors).toEqual([]);
  });
});
