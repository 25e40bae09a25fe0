import { existsSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { romeDay } from '../../src/analytics/rome-day';
import { loadConfig } from '../../src/config';
import { startDialogo, type Dialogo } from '../../src/index';
import { createLogger } from '../../src/logger';
import { DirectLineCitizen } from '../fixtures/directline-citizen';
import { tempDataDir } from '../fixtures/runtime';
import { cpSync, mkdtempSync } from 'node:fs';
import os from 'node:os';

const PASSWORD = 'una-password-lunga';

describe('analytics API for supervisors', () => {
  let dialogo: Dialogo;
  let kbDir: string;
  const today = romeDay(Date.now());
  const get = async (url: string, token?: string) => fetch(`http://127.0.0.1:${dialogo.port}${url}`, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  const login = async (username: string) =>
    ((await (await fetch(`http://127.0.0.1:${dialogo.port}/api/operator/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password: PASSWORD }) })).json()) as { token: string }).token;

  beforeAll(async () => {
    // A copy of the knowledge base: the draft FAQ test writes into it.
    kbDir = mkdtempSync(path.join(os.tmpdir(), 'dialogo-kb-'));
    cpSync(path.resolve(__dirname, '../../knowledge-base'), kbDir, { recursive: true });
    dialogo = await startDialogo(loadConfig({ PORT: '0', HOST: '127.0.0.1', KB_DIR: kbDir, KB_WATCH: 'false', NODE_ENV: 'test', DATA_DIR: tempDataDir(), OFFICE_HOURS: 'always' }), createLogger('silent'));
    await dialogo.operators.add('sara', 'supervisor', PASSWORD, { displayName: 'Sara M.' });
    await dialogo.operators.add('giulia', 'operator', PASSWORD, { displayName: 'Giulia B.' });
    const first = await DirectLineCitizen.start(dialogo.port);
    await first.say('quanto costa la carta d’identità?');
    await first.say('👍');
    const second = await DirectLineCitizen.start(dialogo.port);
    await second.say('orari della piscina comunale');
    await second.say('a che ora apre la piscina comunale');
  });
  afterAll(async () => {
    await dialogo.stop();
    rmSync(kbDir, { recursive: true, force: true });
  });

  test('only supervisors: no token 401, an operator 403, a bad period 400', async () => {
    expect((await get(`/api/analytics/summary?from=${today}&to=${today}`)).status).toBe(401);
    expect((await get(`/api/analytics/summary?from=${today}&to=${today}`, await login('giulia'))).status).toBe(403);
    const sara = await login('sara');
    const bad = await get('/api/analytics/summary?from=2026-02-30&to=2026-01-01', sara);
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as any).error.details.join(' ')).toMatch(/real date|from must not be after to/);
  });

  test('the summary counts today’s conversations from the rollups, with ratings and knowledge gaps', async () => {
    const sara = await login('sara');
    const summary = (await (await get(`/api/analytics/summary?from=${today}&to=${today}`, sara)).json()) as any;
    expect(summary).toMatchObject({ from: today, to: today, csat: 1 });
    expect(summary.byDay).toHaveLength(1);
    expect(summary.byTopic.map((t: { topicId: string }) => t.topicId)).toContain('carta-identita');
    expect(summary.knowledgeGaps[0].examples.join(' ')).toMatch(/piscina/);
    expect(summary.byChannel.map((c: { channel: string }) => c.channel)).toEqual(['directline']);
  });

  test('the CSV has the same figures per day as the summary', async () => {
    const sara = await login('sara');
    const summary = (await (await get(`/api/analytics/summary?from=${today}&to=${today}`, sara)).json()) as any;
    const response = await get(`/api/analytics/export.csv?from=${today}&to=${today}`, sara);
    expect(response.headers.get('content-type')).toMatch(/text\/csv/);
    expect(response.headers.get('content-disposition')).toContain(`dialogo-${today}-${today}.csv`);
    const [header, row] = (await response.text()).trim().split(/\r?\n/);
    const fields = header!.split(',');
    const values = row!.split(',');
    const at = (name: string) => values[fields.indexOf(name)];
    expect(at('day')).toBe(today);
    expect(Number(at('conversations'))).toBe(summary.byDay[0].conversations);
    expect(Number(at('engaged'))).toBe(summary.byDay[0].engaged);
    expect(Number(at('escalated'))).toBe(summary.byDay[0].escalated);
  });

  test('a knowledge gap becomes a draft FAQ file for the editors, outside topics/', async () => {
    const sara = await login('sara');
    const response = await fetch(`http://127.0.0.1:${dialogo.port}/api/analytics/gaps/draft`, {
      method: 'POST',
      headers: { authorization: `Bearer ${sara}`, 'content-type': 'application/json' },
      body: JSON.stringify({ key: 'comunal orari piscin', language: 'it', examples: ['orari della piscina comunale'] }),
    });
    expect(response.status).toBe(201);
    const { file } = (await response.json()) as { file: string };
    expect(file).toMatch(/drafts\/draft-comunal-orari-piscin\.yaml$/);
    const absolute = path.isAbsolute(file) ? file : path.resolve(file);
    expect(existsSync(absolute)).toBe(true);
    const draft = parse(readFileSync(absolute, 'utf8'));
    expect(draft).toMatchObject({ id: 'draft-comunal-orari-piscin', samples: { it: ['orari della piscina comunale'], en: [] } });
    const again = await fetch(`http://127.0.0.1:${dialogo.port}/api/analytics/gaps/draft`, {
      method: 'POST',
      headers: { authorization: `Bearer ${sara}`, 'content-type': 'application/json' },
      body: JSON.stringify({ key: 'comunal orari piscin', language: 'it', examples: ['orari piscina'] }),
    });
    // The same gap again: the same draft, updated (never a numbered copy), its text returned for the download.
    expect(again.status).toBe(200);
    const second = (await again.json()) as { file: string; fileName: string; created: boolean; content: string };
    expect(second).toMatchObject({ file, fileName: 'draft-comunal-orari-piscin.yaml', created: false });
    expect(second.content).toBe(readFileSync(absolute, 'utf8'));
    expect(parse(second.content)).toMatchObject({ samples: { it: ['orari della piscina comunale', 'orari piscina'] } });
    expect(readdirSync(path.dirname(absolute)).filter((f) => f.startsWith('draft-comunal-orari-piscin'))).toEqual(['draft-comunal-orari-piscin.yaml']);
    const invalid = await fetch(`http://127.0.0.1:${dialogo.port}/api/analytics/gaps/draft`, {
      method: 'POST',
      headers: { authorization: `Bearer ${sara}`, 'content-type': 'application/json' },
      body: JSON.stringify({ key: '', language: 'fr', examples: [] }),
    });
    expect(invalid.status).toBe(400);
  });

  test('with the dashboard period, the draft records the gap count, period and variants from the rollups', async () => {
    const sara = await login('sara');
    const summary = (await (await get(`/api/analytics/summary?from=${today}&to=${today}`, sara)).json()) as any;
    const gap = summary.knowledgeGaps.find((g: { examples: string[] }) => g.examples.join(' ').includes('piscina'));
    const post = (body: unknown) =>
      fetch(`http://127.0.0.1:${dialogo.port}/api/analytics/gaps/draft`, { method: 'POST', headers: { authorization: `Bearer ${sara}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const response = await post({ key: gap.key, language: 'it', from: today, to: today });
    expect(response.status).toBe(201);
    const draft = (await response.json()) as { content: string; created: boolean };
    expect(parse(draft.content).gap).toMatchObject({ key: gap.key, language: 'it', count: gap.count, period: { from: today, to: today }, variants: gap.examples });
    const missing = await post({ key: 'nessuna domanda simile', language: 'it', from: today, to: today });
    expect(missing.status).toBe(404);
    expect(((await missing.json()) as any).error.code).toBe('GAP_NOT_FOUND');
    expect((await post({ key: gap.key, language: 'it', from: today })).status).toBe(400);
    // The same longest period as the summary: no read of every gap since year 1.
    const tooLong = await post({ key: gap.key, language: 'it', from: '0001-01-01', to: today });
    expect(tooLong.status).toBe(400);
    expect(((await tooLong.json()) as any).error.details.join(' ')).toMatch(/at most 1098 days/);
  });
});
