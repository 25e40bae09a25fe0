import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import YAML from 'yaml';
import type { Communication } from '../../src/knowledge/communication-schema';
import { communication } from '../fixtures/communications';
import { CommunicationsCalendar } from '../../src/knowledge/communications';
import { checkCommunications, isoWeek } from '../../src/knowledge/communications-check';
import { KnowledgeBase } from '../../src/knowledge/knowledge-base';
import type { Topic } from '../../src/knowledge/topic-schema';
import { KB_DIR, realRuntime } from '../fixtures/runtime';

const TODAY = '2026-12-05';
const base = (extra: Partial<Communication>): Communication => communication({ id: 'c', notice: { it: 'Avviso.', en: 'Notice.' }, ...extra });

describe('checkCommunications', () => {
  let kb: KnowledgeBase;
  beforeAll(async () => {
    const real = (await realRuntime()).kb;
    // imu with one facet reviewed long ago, to test the facet rule.
    const imu = real.get('imu')!;
    const staleImu: Topic = { ...imu, lastReviewed: '2026-12-05', facets: imu.facets.map((f, i) => (i === 0 ? { ...f, lastReviewed: '2026-01-10' } : f)) };
    kb = new KnowledgeBase([...real.topics.filter((t) => t.id !== 'imu'), staleImu], real.synonyms, { referrals: real.referrals });
  });
  const check = (items: Communication[], extra?: (c: Communication) => number | null) => checkCommunications(new CommunicationsCalendar(items), kb, TODAY, extra);

  test('ISO weeks, including the year boundary', () => {
    expect(isoWeek('2026-12-07')).toBe('2026-W50');
    expect(isoWeek('2026-12-13')).toBe('2026-W50');
    expect(isoWeek('2027-01-01')).toBe('2026-W53');
    expect(isoWeek('2027-01-04')).toBe('2027-W01');
    expect(isoWeek('2025-12-29')).toBe('2026-W01');
  });

  test('only coming communications are checked, in date order, with the extra operators line', () => {
    const result = check([base({ id: 'later', effective: '2027-01-20' }), base({ id: 'past', published: '2026-11-01', effective: '2026-11-20' }), base({ id: 'today', effective: TODAY })], (c) => (c.id === 'later' ? 3 : null));
    expect(result.coming.map((c) => c.id)).toEqual(['today', 'later']);
    expect(result.coming.map((c) => c.extraOperators)).toEqual([null, 3]);
    expect(result.findings.filter((f) => f.check === 'operators').map((f) => f.message)).toEqual(['operatori in più: nessuna previsione copre ancora queste date', "operatori in più: 3 nell'ora di punta intorno al 20/01/2027"]);
    expect(result.blocking).toBe(0);
  });

  test('a topic that does not exist blocks', () => {
    const result = check([base({ topics: ['imu', 'nessuno'] })]);
    expect(result.findings).toContainEqual(expect.objectContaining({ level: 'block', check: 'topic', message: "l'argomento nessuno non esiste: l'avviso non verrebbe mai mostrato" }));
    expect(result.blocking).toBe(1);
  });

  test('a topic that does not answer in both languages blocks, naming what is missing', () => {
    const real = kb.get('area-b')!;
    const english = { ...real, answer: { ...real.answer, en: '' }, samples: { ...real.samples, en: [] }, facets: real.facets.map((f, i) => (i === 0 ? { ...f, answer: { ...f.answer, en: ' ' } } : f)) };
    const halfKb = new KnowledgeBase([...kb.topics.filter((t) => t.id !== 'area-b'), english], kb.synonyms, { referrals: kb.referrals });
    const result = checkCommunications(new CommunicationsCalendar([base({ topics: ['area-b'] })]), halfKb, TODAY);
    expect(result.findings.filter((f) => f.check === 'topic')).toEqual([
      { level: 'block', communicationId: 'c', check: 'topic', message: `l'argomento area-b non ha in inglese: risposta (answer), domande di esempio (samples), facet ${real.facets[0]!.id}` },
    ]);
    expect(result.blocking).toBe(1);
  });

  test("a published rule change blocks while one of its topic's facets was reviewed before it; before publication it is a reminder", () => {
    const published = check([base({ id: 'rule', kind: 'rule-change', published: '2026-02-01' })]);
    expect(published.findings).toContainEqual(expect.objectContaining({ level: 'block', check: 'review', message: expect.stringContaining('(rivista il 10/01/2026)') }));
    const coming = check([base({ id: 'rule', kind: 'rule-change', published: '2026-12-20', effective: '2027-01-01' })]);
    expect(coming.blocking).toBe(0);
    expect(coming.findings).toContainEqual(expect.objectContaining({ level: 'warning', check: 'review' }));
    const reviewed = check([base({ id: 'rule', kind: 'rule-change', topics: ['area-b'], published: '2026-12-01' })]);
    expect(reviewed.findings.filter((f) => f.check === 'review')).toEqual([]);
    const notARule = check([base({ id: 'deadline', published: '2026-02-01' })]);
    expect(notARule.findings.filter((f) => f.check === 'review')).toEqual([]);
  });

  test('two coming communications in one ISO week: a warning, a block when they share a topic', () => {
    const apart = check([base({ id: 'a', effective: '2026-12-14' }), base({ id: 'b', effective: '2026-12-18', topics: ['area-b'] })]);
    expect(apart.findings).toContainEqual(expect.objectContaining({ level: 'warning', check: 'week', communicationId: 'a', message: expect.stringContaining('settimana 2026-W51 insieme a b') }));
    expect(apart.blocking).toBe(0);
    const shared = check([base({ id: 'a', effective: '2026-12-14' }), base({ id: 'b', effective: '2026-12-18', topics: ['area-b', 'imu'] })]);
    expect(shared.findings).toContainEqual(expect.objectContaining({ level: 'block', check: 'week', message: expect.stringContaining('(imu)') }));
    const nextWeek = check([base({ id: 'a', effective: '2026-12-14' }), base({ id: 'b', effective: '2026-12-21' })]);
    expect(nextWeek.findings.filter((f) => f.check === 'week')).toEqual([]);
  });
});

describe('npm run comms:check', () => {
  const root = path.resolve(__dirname, '../..');
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'dialogo-comms-check-'));
    cpSync(KB_DIR, dir, { recursive: true });
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const run = (...args: string[]) =>
    new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      // The script reads the forecast from the configured store: here an empty one of the test's own.
      const { MONGODB_URI: _notThisStore, ...env } = process.env;
      execFile(path.join(root, 'node_modules/.bin/ts-node'), ['--swc', 'scripts/comms-check.ts', '--kb', dir, ...args], { cwd: root, env: { ...env, DATA_DIR: path.join(dir, 'data') } }, (error, stdout, stderr) => {
        resolve({ code: error ? Number(error.code) : 0, stdout, stderr });
      });
    });
  const setCalendar = (items: Communication[]) => writeFileSync(path.join(dir, 'communications.yaml'), YAML.stringify({ communications: items }));

  test('exit 0 when nothing blocks, 1 with the problems listed, 2 on a usage or file error', async () => {
    expect(YAML.parse(readFileSync(path.join(dir, 'communications.yaml'), 'utf8'))).toHaveProperty('communications');
    setCalendar([base({ id: 'ok' })]);
    const ok = await run('--today', TODAY);
    expect(ok).toMatchObject({ code: 0, stdout: expect.stringContaining('1 comunicazioni in arrivo dal 2026-12-05: 0 bloccanti') });

    setCalendar([base({ id: 'a', effective: '2026-12-14' }), base({ id: 'b', effective: '2026-12-16' })]);
    const blocked = await run('--today', TODAY);
    expect(blocked.code).toBe(1);
    expect(blocked.stdout).toMatch(/BLOCCA: cade nella settimana 2026-W51 insieme a b, sugli stessi argomenti \(imu\)/);

    const usage = await run('--today', '2026-13-01');
    expect(usage.code).toBe(2);
    expect(usage.stderr).toMatch(/--today 2026-13-01/);
    const unknownFlag = await run('--tomorrow');
    expect(unknownFlag.code).toBe(2);

    writeFileSync(path.join(dir, 'communications.yaml'), 'communications:\n  - id: [broken\n');
    const broken = await run('--today', TODAY);
    expect(broken.code).toBe(2);
    expect(broken.stderr).toContain('communications.yaml');
  }, 120_000);

  test("the extra operators come from the configured store's forecast: an empty store says so, --no-forecast does not open it", async () => {
    setCalendar([base({ id: 'ok' })]);
    const empty = await run('--today', TODAY);
    expect(empty.code).toBe(0);
    expect(empty.stderr).toMatch(/nessun dato degli ultimi 90 giorni: nessuna previsione, quindi nessun operatore in più/);
    expect(empty.stdout).toContain('operatori in più: nessuna previsione copre ancora queste date');
    rmSync(path.join(dir, 'data'), { recursive: true, force: true });
    const skipped = await run('--today', TODAY, '--no-forecast');
    expect(skipped.code).toBe(0);
    expect(skipped.stderr).toBe('');
    expect(existsSync(path.join(dir, 'data'))).toBe(false);
  }, 120_000);
});
