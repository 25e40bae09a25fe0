// The pages under their Content-Security-Policy in Chromium: the portal chats (WebSocket and
// polling), the console and the dashboard sign in and show their data, with no CSP violation; the
// console and the dashboard refuse to be framed by another site.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { ARTIFACTS, describeWithBrowser, launchChromium } from '../fixtures/chromium';
import { loadConfig } from '../../src/config';
import { startDialogo, type Dialogo } from '../../src/index';
import { createLogger } from '../../src/logger';
import { KB_DIR, tempDataDir } from '../fixtures/runtime';

const describeBrowser = describeWithBrowser();
const PASSWORD = 'Una-password-lunga-42';

describeBrowser('pages under their Content-Security-Policy in Chromium', () => {
  jest.setTimeout(120_000);
  let dialogo: Dialogo;
  let dataDir: string;
  let userDataDir: string;
  let context: BrowserContext;
  let framer: http.Server;
  let base: string;
  let framerBase: string;
  /** Every CSP violation any page reported, as the browser described it. */
  const violations: string[] = [];

  beforeAll(async () => {
    dataDir = tempDataDir();
    dialogo = await startDialogo(loadConfig({ PORT: '0', HOST: '127.0.0.1', KB_DIR, KB_WATCH: 'false', NODE_ENV: 'test', DATA_DIR: dataDir, OFFICE_HOURS: 'always' }), createLogger('silent'));
    await dialogo.operators.add('sara.bianchi', 'supervisor', PASSWORD, { displayName: 'Sara' });
    await dialogo.operators.add('mario.rossi', 'operator', PASSWORD, { displayName: 'Mario' });
    base = `http://127.0.0.1:${dialogo.port}`;
    // Another site that tries to frame the console and the dashboard.
    framer = http.createServer((req, res) => {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end(`<!doctype html><title>framer</title><iframe id="f" src="${base}${req.url === '/dashboard' ? '/dashboard' : '/operator'}" width="800" height="600"></iframe>`);
    });
    await new Promise<void>((resolve) => framer.listen(0, '127.0.0.1', () => resolve()));
    framerBase = `http://localhost:${(framer.address() as AddressInfo).port}`;
    userDataDir = mkdtempSync(path.join(os.tmpdir(), 'dialogo-chromium-'));
    context = await launchChromium(userDataDir, { viewport: { width: 1280, height: 900 } });
    await context.addInitScript(
      "document.addEventListener('securitypolicyviolation', (e) => console.error('CSP violation: ' + e.violatedDirective + ' ' + e.blockedURI));",
    );
    context.on('console', (message) => {
      if (/Content Security Policy|CSP violation/i.test(message.text())) violations.push(`${message.location().url}: ${message.text()}`);
    });
    mkdirSync(ARTIFACTS, { recursive: true });
  });

  afterAll(async () => {
    await context?.close().catch(() => undefined);
    if (userDataDir) rmSync(userDataDir, { recursive: true, force: true });
    await new Promise((resolve) => framer?.close(resolve));
    await dialogo?.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  const newPage = async (): Promise<Page> => context.newPage();

  test.each(['websocket', 'polling'])('the portal page chats (%s) with no CSP violation', async (transport) => {
    violations.length = 0;
    const page = await newPage();
    const response = await page.goto(`${base}/?transport=${transport}`);
    expect(response?.headers()['content-security-policy']).toMatch(/script-src 'self'(;|$)/);
    const input = page.getByRole('textbox').first();
    await input.waitFor({ timeout: 20_000 });
    await input.fill("come rinnovo la carta d'identità");
    await input.press('Enter');
    await page.locator('.webchat__basic-transcript a[href*="comune.milano.it"]').first().waitFor({ timeout: 20_000 });
    await page.screenshot({ path: path.join(ARTIFACTS, `csp-portal-${transport}.png`) });
    await page.close();
    expect(violations).toEqual([]);
  });

  test.each([
    ['/operator', 'mario.rossi', '#app-view'],
    ['/dashboard', 'sara.bianchi', '#app-view'],
  ])('%s signs in and shows its data with no CSP violation', async (route, user, view) => {
    violations.length = 0;
    const page = await newPage();
    const response = await page.goto(`${base}${route}`);
    const headers = response?.headers() ?? {};
    expect(headers['content-security-policy']).toMatch(/frame-ancestors 'none'/);
    expect(headers['content-security-policy']).toMatch(/style-src 'self'(;|$)/);
    expect(headers['x-frame-options']).toBe('DENY');
    expect(headers['x-content-type-options']).toBe('nosniff');
    expect(headers['referrer-policy']).toBe('no-referrer');
    await page.locator('#login-username').fill(user);
    await page.locator('#login-password').fill(PASSWORD);
    await page.locator('#login-submit').click();
    await page.locator(view).waitFor({ state: 'visible', timeout: 20_000 });
    // Give the charts and the live socket time to start.
    await page.waitForTimeout(1500);
    await page.screenshot({ path: path.join(ARTIFACTS, `csp-${route.slice(1)}.png`), fullPage: true });
    await page.close();
    expect(violations).toEqual([]);
  });

  test.each(['/operator', '/dashboard'])('another site cannot frame %s', async (route) => {
    const page = await newPage();
    const refused: string[] = [];
    page.on('console', (message) => {
      if (/frame-ancestors|Refused to display/i.test(message.text())) refused.push(message.text());
    });
    await page.goto(`${framerBase}${route}`);
    await page.waitForTimeout(1000);
    const framed = page.frames().find((frame) => frame !== page.mainFrame());
    // Chromium replaces a refused frame with its error page: the console's form never appears in it.
    expect(await framed?.locator('#login-username').count()).toBe(0);
    expect(refused.length).toBeGreaterThan(0);
    await page.close();
  });
});
