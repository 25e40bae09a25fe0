// The widget on a 390x844 phone (Chromium's mobile emulation: touch, device pixels, the page's
// viewport meta honoured) and, for comparison, on a desktop: full screen under 600 px, the send
// box above the keyboard, new answers read from their start, and a welcome with starter buttons
// in the page's language.
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { ARTIFACTS, describeWithBrowser, launchChromium } from '../fixtures/chromium';
import { loadConfig } from '../../src/config';
import { startDialogo, type Dialogo } from '../../src/index';
import { createLogger } from '../../src/logger';
import { MESSAGES } from '../../src/bot/messages';
import { KB_DIR, tempDataDir } from '../fixtures/runtime';

const describeBrowser = describeWithBrowser();
const PHONE = { width: 390, height: 844 };

interface Box {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

/** Where the transcript stands: its scroll position and the top of its last activity, in the scroller's coordinates. */
interface ScrollState {
  readonly scrollTop: number;
  readonly clientHeight: number;
  readonly scrollHeight: number;
  readonly lastTop: number;
  readonly lastHeight: number;
}

// Evaluated in the page (a string: this project's TypeScript has no DOM library).
const SCROLL_STATE = `(() => {
  const scroller = document.querySelector('[data-dialogo-chat] .webchat__basic-transcript__scrollable');
  const activities = scroller.querySelectorAll('.webchat__basic-transcript__activity');
  const last = activities[activities.length - 1];
  const top = last.getBoundingClientRect().top - scroller.getBoundingClientRect().top + scroller.scrollTop;
  return { scrollTop: scroller.scrollTop, clientHeight: scroller.clientHeight, scrollHeight: scroller.scrollHeight, lastTop: top, lastHeight: last.offsetHeight };
})()`;

const atBottom = (s: ScrollState) => s.scrollHeight - s.scrollTop - s.clientHeight <= 2;

/**
 * Waits until `expression` is true in the page. page.waitForFunction cannot be used: it polls
 * through eval, which the demo page's Content-Security-Policy refuses.
 */
async function until(page: Page, expression: string, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await page.evaluate<boolean>(expression))) {
    if (Date.now() > deadline) throw new Error(`still false after ${timeoutMs} ms: ${expression}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describeBrowser('the widget on a phone', () => {
  jest.setTimeout(120_000);
  let dialogo: Dialogo;
  let dataDir: string;
  let base: string;
  const contexts: BrowserContext[] = [];
  const userDataDirs: string[] = [];
  const pageErrors: string[] = [];

  beforeAll(async () => {
    dataDir = tempDataDir();
    dialogo = await startDialogo(loadConfig({ PORT: '0', HOST: '127.0.0.1', KB_DIR, KB_WATCH: 'false', NODE_ENV: 'test', DATA_DIR: dataDir }), createLogger('silent'));
    base = `http://127.0.0.1:${dialogo.port}`;
    mkdirSync(ARTIFACTS, { recursive: true });
  });

  afterAll(async () => {
    for (const context of contexts) await context.close().catch(() => undefined);
    for (const dir of userDataDirs) rmSync(dir, { recursive: true, force: true });
    await dialogo?.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  /** A browser context whose pages only reach Dialogo; `pages` serves extra test pages on Dialogo's origin. */
  async function browser(options: Parameters<typeof launchChromium>[1], pages: Record<string, string> = {}): Promise<BrowserContext> {
    const userDataDir = mkdtempSync(path.join(os.tmpdir(), 'dialogo-chromium-'));
    userDataDirs.push(userDataDir);
    const context = await launchChromium(userDataDir, options);
    contexts.push(context);
    await context.route('**/*', (route) => {
      const url = new URL(route.request().url());
      const body = pages[url.pathname];
      if (url.origin === base && body) return route.fulfill({ status: 200, contentType: 'text/html; charset=utf-8', body });
      return url.origin === base ? route.continue() : route.abort();
    });
    return context;
  }

  const phone = () => browser({ viewport: PHONE, screen: PHONE, isMobile: true, hasTouch: true, deviceScaleFactor: 2 }, TEST_PAGES);

  async function newPage(context: BrowserContext): Promise<Page> {
    const page = await context.newPage();
    page.on('pageerror', (error) => pageErrors.push(String(error)));
    return page;
  }

  const box = async (page: Page, selector: string): Promise<Box> => {
    const found = await page.locator(selector).first().boundingBox();
    if (!found) throw new Error(`${selector} is not visible`);
    return found;
  };
  const sendBox = (page: Page) => page.locator('[data-dialogo-chat] input[type="text"], [data-dialogo-chat] textarea').first();
  const starter = (page: Page, title: string) => page.locator('[data-dialogo-chat]').getByRole('toolbar').getByRole('button', { name: title });
  const conversationOf = async (page: Page) =>
    (await page.evaluate<{ conversationId: string } | null>("JSON.parse(sessionStorage.getItem('dialogo.webchat:' + location.origin) || 'null')"))?.conversationId ?? '';

  /** Opens the demo page on the phone and the chat from its launcher. */
  async function openOnPhone(page: Page, query = ''): Promise<void> {
    await page.goto(`${base}/${query}`);
    const launcher = page.locator('.dialogo-launcher');
    await launcher.waitFor({ timeout: 20_000 });
    await launcher.tap();
    await sendBox(page).waitFor({ timeout: 20_000 });
  }

  const TEST_PAGES: Record<string, string> = {
    // A portal page in English that says so only in <html lang>.
    '/english-page.html': `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>City page</title></head>
<body><main><h1>City services</h1></main><script src="/widget.js" defer></script></body></html>`,
    // An Italian page whose embed asks for English.
    '/data-lang-page.html': `<!doctype html><html lang="it"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>Pagina</title></head>
<body><main><h1>Servizi</h1></main><script src="/widget.js" data-lang="en" defer></script></body></html>`,
  };

  test('the demo page fits 390 px and the open chat fills the screen, send box and close button in view', async () => {
    const page = await newPage(await phone());
    await page.goto(`${base}/`);
    await page.locator('.dialogo-launcher').waitFor({ timeout: 20_000 });
    // Nothing wider than the screen: the header used to overflow it and push the chat off.
    expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(PHONE.width);
    expect(await page.evaluate('window.visualViewport.width')).toBe(PHONE.width);
    // data-open does not cover the page on a phone: the launcher shows, inside the screen.
    expect(await page.locator('#dialogo-panel').isHidden()).toBe(true);
    const launcher = await box(page, '.dialogo-launcher');
    expect(launcher.x + launcher.width).toBeLessThanOrEqual(PHONE.width);
    expect(launcher.y + launcher.height).toBeLessThanOrEqual(PHONE.height);
    await page.screenshot({ path: path.join(ARTIFACTS, 'phone-390-launcher.png') });

    await page.locator('.dialogo-launcher').tap();
    await sendBox(page).waitFor({ timeout: 20_000 });
    await page.getByText(MESSAGES.starters.it[0]!.title).first().waitFor({ timeout: 20_000 });
    expect(await box(page, '#dialogo-panel')).toEqual({ x: 0, y: 0, width: PHONE.width, height: PHONE.height });
    // No keyboard over the welcome: the focus is in the panel, on its close button, not in the send box.
    expect(await page.evaluate("document.activeElement && document.activeElement.className")).toBe('dialogo-close');
    const input = await box(page, '[data-dialogo-chat] .webchat__send-box');
    expect(input.y + input.height).toBeLessThanOrEqual(PHONE.height);
    expect(input.y).toBeGreaterThan(PHONE.height / 2);
    const close = await box(page, '.dialogo-close');
    expect(close.width).toBeGreaterThanOrEqual(44);
    expect(close.x + close.width).toBeLessThanOrEqual(PHONE.width);
    expect(close.y).toBeGreaterThanOrEqual(0);
    // The page under the chat holds still.
    expect(await page.evaluate("getComputedStyle(document.documentElement).overflow")).toBe('hidden');
    await page.screenshot({ path: path.join(ARTIFACTS, 'phone-390-open-welcome.png') });

    await page.locator('.dialogo-close').tap();
    expect(await page.locator('#dialogo-panel').isHidden()).toBe(true);
    expect(await page.evaluate("getComputedStyle(document.documentElement).overflow")).not.toBe('hidden');
    await page.close();
  });

  test('the on-screen keyboard does not hide the send box: the panel follows the visual viewport', async () => {
    const page = await newPage(await phone());
    await openOnPhone(page);
    await sendBox(page).tap();
    // A keyboard leaves about half the screen. Chromium's emulation resizes the viewport (as
    // Android does); pinch zoom then shrinks the visual viewport alone and moves it (as iOS does
    // when its keyboard opens).
    const keyboardUp = { width: PHONE.width, height: 420 };
    await page.setViewportSize(keyboardUp);
    await until(page, `document.querySelector('#dialogo-panel').getBoundingClientRect().height === ${keyboardUp.height}`);
    let input = await box(page, '[data-dialogo-chat] .webchat__send-box');
    expect(input.y + input.height).toBeLessThanOrEqual(keyboardUp.height);
    expect((await box(page, '.dialogo-close')).y).toBeGreaterThanOrEqual(0);
    await page.screenshot({ path: path.join(ARTIFACTS, 'phone-390-keyboard.png') });

    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Emulation.setPageScaleFactor', { pageScaleFactor: 1.5 });
    await until(page, 'window.visualViewport.scale === 1.5');
    // Wherever the visual viewport went, the panel sits on it, send box included.
    await until(
      page,
      `(() => { const vv = window.visualViewport; const r = document.querySelector('#dialogo-panel').getBoundingClientRect();
        return Math.abs(r.top - vv.offsetTop) < 1 && Math.abs(r.height - vv.height) < 1; })()`,
    );
    // Layout coordinates (Playwright's boxes are in zoomed screen pixels).
    const fit = await page.evaluate<{ sendBoxBottom: number; viewportBottom: number; closeTop: number; viewportTop: number }>(`(() => {
      const vv = window.visualViewport;
      return { sendBoxBottom: document.querySelector('[data-dialogo-chat] .webchat__send-box').getBoundingClientRect().bottom, viewportBottom: vv.offsetTop + vv.height,
        closeTop: document.querySelector('.dialogo-close').getBoundingClientRect().top, viewportTop: vv.offsetTop };
    })()`);
    expect(fit.sendBoxBottom).toBeLessThanOrEqual(fit.viewportBottom + 1);
    expect(fit.closeTop).toBeGreaterThanOrEqual(fit.viewportTop - 1);
    await page.screenshot({ path: path.join(ARTIFACTS, 'phone-390-keyboard-zoomed.png') });
    await cdp.send('Emulation.setPageScaleFactor', { pageScaleFactor: 1 });
    await cdp.detach();
    await page.setViewportSize(PHONE);
    await page.close();
  });

  test('a starter button asks its question; a tall answer shows from its start, short ones and the citizen keep the log at the bottom', async () => {
    const page = await newPage(await phone());
    await openOnPhone(page);
    const scroll = () => page.evaluate<ScrollState>(SCROLL_STATE);
    const first = MESSAGES.starters.it[0]!;
    await starter(page, first.title).tap();
    await page.locator('[data-dialogo-chat] a[href*="comune.milano.it"]').first().waitFor({ timeout: 20_000 });
    await page.locator('.webchat__bubble__content', { hasText: first.question }).first().waitFor();
    await page.waitForTimeout(1_500);
    await page.screenshot({ path: path.join(ARTIFACTS, 'phone-390-starter-answer.png') });
    // Whatever its length, the answer's first line is in view.
    const answered = await page.evaluate<{ top: number; viewTop: number; viewBottom: number }>(`(() => {
      const scroller = document.querySelector('[data-dialogo-chat] .webchat__basic-transcript__scrollable');
      const bubble = [...scroller.querySelectorAll('.webchat__bubble__content')].find((b) => b.querySelector('a[href*="comune.milano.it"]'));
      const view = scroller.getBoundingClientRect();
      return { top: bubble.getBoundingClientRect().top, viewTop: view.top, viewBottom: view.bottom };
    })()`);
    expect(answered.top).toBeGreaterThanOrEqual(answered.viewTop);
    expect(answered.top).toBeLessThan(answered.viewBottom - 40);

    // A short message from the bot: the log stays at the bottom.
    await page.locator('[data-dialogo-chat]').getByRole('toolbar').getByRole('button', { name: '👍' }).tap();
    await page.locator('.webchat__bubble__content', { hasText: MESSAGES.feedbackThanks.it }).first().waitFor({ timeout: 20_000 });
    await until(page, `(() => { const s = ${SCROLL_STATE}; return s.scrollHeight - s.scrollTop - s.clientHeight <= 2; })()`);

    // A bot message taller than the transcript (a long operator message, say): shown from its first line.
    const conversationId = await conversationOf(page);
    const tall = Array.from({ length: 30 }, (_, i) => `Riga ${i + 1} di una risposta lunga.`).join('\n\n');
    await dialogo.directLine.sendToConversation(conversationId, { type: 'message', text: `INIZIO della risposta lunga.\n\n${tall}` });
    await page.locator('.webchat__bubble__content', { hasText: 'INIZIO della risposta lunga.' }).first().waitFor({ timeout: 20_000 });
    await page.waitForTimeout(1_500); // Web Chat scrolls smoothly: let it settle
    await page.screenshot({ path: path.join(ARTIFACTS, 'phone-390-tall-answer-start.png') });
    const held = await scroll();
    expect(held.lastHeight).toBeGreaterThan(held.clientHeight);
    // Its first line is in the upper part of the view (the unread short message above it may
    // still show), and the log did not run on to its end.
    expect(held.lastTop).toBeGreaterThanOrEqual(held.scrollTop);
    expect(held.lastTop - held.scrollTop).toBeLessThanOrEqual(held.clientHeight / 3);
    expect(atBottom(held)).toBe(false);

    // The citizen writes: the log goes to the bottom, where the short answer follows.
    await sendBox(page).fill('grazie');
    await sendBox(page).press('Enter');
    await page.locator('.webchat__bubble__content', { hasText: MESSAGES.thanks.it }).first().waitFor({ timeout: 20_000 });
    await page.waitForTimeout(1_500);
    expect(atBottom(await scroll())).toBe(true);
    await page.screenshot({ path: path.join(ARTIFACTS, 'phone-390-after-citizen.png') });

    // The full-screen chat with its history passes axe-core as the desktop one does.
    await page.evaluate(readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8'));
    const violations = await page.evaluate<{ id: string; impact: string }[]>(`
      axe.run(document.querySelector('#dialogo-panel'), { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } })
        .then((result) => result.violations.map((v) => ({ id: v.id, impact: v.impact })))`);
    expect(violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')).toEqual([]);
    await page.close();
  });

  test.each([
    ['the demo page in English (?lang=en)', '/?lang=en'],
    // Pages fulfilled by the test have no address: Chromium refuses them a WebSocket to
    // 127.0.0.1 (local network access checks), so these two poll.
    ['a page with <html lang="en">', '/english-page.html?transport=polling'],
    ['an Italian page whose embed says data-lang="en"', '/data-lang-page.html?transport=polling'],
  ])('%s gets the English welcome and starters, and English answers', async (_name, where) => {
    const page = await newPage(await phone());
    await openOnPhone(page, where.replace(/^\//, ''));
    await page.locator('.webchat__bubble__content', { hasText: MESSAGES.welcome.en }).first().waitFor({ timeout: 20_000 });
    expect(await page.locator('.webchat__bubble__content', { hasText: MESSAGES.welcome.it }).count()).toBe(0);
    for (const s of MESSAGES.starters.en) await starter(page, s.title).waitFor();
    await starter(page, MESSAGES.starters.en[2]!.title).tap();
    await page.locator('.webchat__bubble__content', { hasText: MESSAGES.wasItUseful.en }).first().waitFor({ timeout: 20_000 });
    await page.screenshot({ path: path.join(ARTIFACTS, `phone-390-english-${where.replace(/\?.*$/, '').replace(/\W+/g, '-').replace(/^-|-$/g, '') || 'demo'}.png`) });
    await page.close();
  });

  test('turned to landscape, the open chat still fills the screen, send box and close button in view', async () => {
    const page = await newPage(await phone());
    await openOnPhone(page);
    await page.getByText(MESSAGES.starters.it[0]!.title).first().waitFor({ timeout: 20_000 });
    // The phone on its side: 844 x 390, wider than 600 px but a phone all the same (touch, short).
    const landscape = { width: PHONE.height, height: PHONE.width };
    await page.setViewportSize(landscape);
    await until(page, `document.querySelector('#dialogo-panel').getBoundingClientRect().width === ${landscape.width}`);
    expect(await box(page, '#dialogo-panel')).toEqual({ x: 0, y: 0, ...landscape });
    // The page under it holds still, and the conversation has the height the header leaves.
    expect(await page.evaluate("getComputedStyle(document.documentElement).overflow")).toBe('hidden');
    const input = await box(page, '[data-dialogo-chat] .webchat__send-box');
    expect(input.y + input.height).toBeLessThanOrEqual(landscape.height);
    const close = await box(page, '.dialogo-close');
    expect(close.y).toBeGreaterThanOrEqual(0);
    expect(close.x + close.width).toBeLessThanOrEqual(landscape.width);
    const transcript = await box(page, '[data-dialogo-chat] .webchat__basic-transcript');
    expect(transcript.height).toBeGreaterThan(landscape.height / 3);
    await page.screenshot({ path: path.join(ARTIFACTS, 'phone-844-landscape.png') });
    await page.setViewportSize(PHONE);
    await page.close();
  });

  test('on a desktop the chat stays a panel in the corner, open at once, with the same starters', async () => {
    const page = await newPage(await browser({ viewport: { width: 1280, height: 900 } }));
    await page.goto(`${base}/`);
    await page.getByText(MESSAGES.starters.it[0]!.title).first().waitFor({ timeout: 20_000 });
    const panel = await box(page, '#dialogo-panel');
    expect(panel.width).toBe(400);
    expect(panel.x + panel.width).toBe(1280 - 24);
    expect(await page.evaluate("getComputedStyle(document.documentElement).overflow")).not.toBe('hidden');
    await page.screenshot({ path: path.join(ARTIFACTS, 'desktop-1280-welcome.png') });
    expect(pageErrors).toEqual([]);
    await page.close();
  });
});
