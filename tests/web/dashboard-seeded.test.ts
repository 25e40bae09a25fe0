// End-to-end: `npm run demo:seed` writes two months of synthetic traffic through the real bot
// pipeline into a fresh store; Dialogo starts on it; a supervisor logs into /dashboard in Debian's
// Chromium and sees figures computed from the rollups. The screenshot goes to test-artifacts/.
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { type BrowserContext } from 'playwright-core';
import { ARTIFACTS, describeWithBrowser, launchChromium } from '../fixtures/chromium';
import { loadConfig } from '../../src/config';
import { startDialogo, type Dialogo } from '../../src/index';
import { createLogger } from '../../src/logger';
import { KB_DIR } from '../fixtures/runtime';

const run = promisify(execFile);
const ROOT = path.resolve(__dirname, '../..');

describeWithBrowser()('dashboard after the demo seed, in Chromium', () => {
  jest.setTimeout(180_000);
  let dataDir: string;
  let userDataDir: string;
  let dialogo: Dialogo;
  let context: BrowserContext;

  beforeAll(async () => {
    dataDir = mkdtempSync(path.join(os.tmpdir(), 'dialogo-seeded-'));
    const { stdout } = await run('npx', ['ts-node', '--transpile-only', 'scripts/demo-seed.ts', '--days', '60', '--per-day', '8'], {
      cwd: ROOT,
      env: { ...process.env, DATA_DIR: dataDir, NODE_ENV: 'test', MONGODB_URI: '' },
      maxBuffer: 10 * 1024 * 1024,
    });
    expect(stdout).toMatch(/"conversations":\d+/);
    dialogo = await startDialogo(loadConfig({ PORT: '0', HOST: '127.0.0.1', KB_DIR, KB_WATCH: 'false', NODE_ENV: 'test', DATA_DIR: dataDir, RETENTION_DAYS: '400' }), createLogger('silent'));
    await dialogo.operators.add('sara', 'supervisor', 'una-password-lunga', { displayName: 'Sara M.' });
    userDataDir = mkdtempSync(path.join(os.tmpdir(), 'dialogo-chromium-'));
    context = await launchChromium(userDataDir, {
            viewport: { width: 1440, height: 1000 },
      locale: 'it-IT',
      timezoneId: 'Europe/Rome',
    });
  });

  afterAll(async () => {
    await context?.close();
    await dialogo?.stop();
    for (const dir of [dataDir, userDataDir]) if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test('the supervisor sees the seeded figures: KPIs, the monthly table, topics, gaps; screenshot', async () => {
    const page = context.pages()[0] ?? (await context.newPage());
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(String(error)));
    await page.goto(`http://127.0.0.1:${dialogo.port}/dashboard`);
    await page.fill('#login-username', 'sara');
    await page.fill('#login-password', 'una-password-lunga');
    await page.click('#login-submit');
    await page.locator('#status.status-ok').waitFor({ timeout: 20_000 });
    const kpis = await page.locator("#kpis").innerText();
    const conversations = Number(/Conversazioni\s+([\d.]+)/.exec(kpis)?.[1]?.replace(/\./g, '') ?? '0');
    expect(conversations).toBeGreaterThan(100);
    expect(await page.locator('#monthly-body tr').count()).toBeGreaterThanOrEqual(2);
    expect(await page.locator('#topics-volume-body tr').count()).toBeGreaterThan(3);
    expect(await page.locator('#trend-chart').getAttribute('aria-label')).not.toMatch(/non ancora caricati/);
    expect(errors).toEqual([]);
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: path.join(ARTIFACTS, 'dashboard-seeded.png'), fullPage: true });
  });
});
