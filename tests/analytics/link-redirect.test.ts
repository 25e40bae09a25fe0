import { rmSync } from 'node:fs';
import path from 'node:path';
import { COUNTED_CLICKS_PER_MINUTE } from '../../src/analytics/link-redirect';
import { romeDay } from '../../src/analytics/rome-day';
import { loadConfig } from '../../src/config';
import { startDialogo, type Dialogo } from '../../src/index';
import { loadKnowledgeBase } from '../../src/knowledge/load-knowledge-base';
import { createLogger } from '../../src/logger';
import { openSqliteBackend } from '../../src/storage/sqlite/sqlite-backend';
import { turnReplies } from '../fixtures/bot-turn';
import { KB_DIR, tempDataDir } from '../fixtures/runtime';

/** The texts of a turn's replies, one after the other. */
const ask = async (port: number, text: string, user: string): Promise<string> => (await turnReplies(port, text, user)).map((a) => a.text).join('\n');

const BASE = 'https://dialogo.example.test';

describe('answer links go through /go, which counts clicks and redirects only where the knowledge base points', () => {
  const dataDir = tempDataDir();
  let dialogo: Dialogo | undefined;
  let port = 0;
  let answer = '';
  const go = (pathAndQuery: string, init: RequestInit = {}) => fetch(`http://127.0.0.1:${port}${pathAndQuery}`, { redirect: 'manual', ...init });

  beforeAll(async () => {
    dialogo = await startDialogo(loadConfig({ PORT: '0', HOST: '127.0.0.1', KB_DIR, KB_WATCH: 'false', NODE_ENV: 'test', DATA_DIR: dataDir, PUBLIC_BASE_URL: `${BASE}/` }), createLogger('silent'));
    port = dialogo.port;
    answer = await ask(port, 'quanto costa la carta d’identità?', 'clicker');
  }, 90_000); // start-up on a loaded CI machine can take longer than the default hook time
  afterAll(async () => {
    await dialogo?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  test('the answer prints its pages as /go links with topic, facet, index, channel and language only', () => {
    const links = answer.match(/https?:\/\/\S+/g) ?? [];
    expect(links.length).toBeGreaterThan(0);
    for (const link of links) expect(link).toMatch(new RegExp(`^${BASE.replace(/\./g, '\\.')}/go/carta-identita/[a-z0-9-]+\\?to=\\d&ch=test&lang=it$`));
    expect(answer).not.toContain('clicker');
  });

  test('a click is a 302 to the page the knowledge base holds, without a cookie, and is counted', async () => {
    const kb = await loadKnowledgeBase(path.resolve(KB_DIR));
    const topic = kb.get('carta-identita')!;
    const link = new URL((answer.match(/https?:\/\/\S+/) ?? [''])[0]!);
    const facet = topic.facets.find((f) => link.pathname.endsWith(`/${f.id}`));
    const response = await go(`${link.pathname}${link.search}`);
    expect(response.status).toBe(302);
    expect(response.headers.get('location')).toBe(facet?.link ?? topic.link);
    expect(response.headers.get('set-cookie')).toBeNull();
    expect(response.headers.get('cache-control')).toBe('no-store');
    const overview = await go('/go/carta-identita/overview?to=0&ch=directline&lang=en');
    expect(overview.headers.get('location')).toBe(topic.link);
  });

  test('hostile links get a 404 page and never a Location that the knowledge base does not hold', async () => {
    const hostile = [
      '/go/non-esiste/overview?to=0',
      '/go/carta-identita/non-esiste?to=0',
      '/go/carta-identita/overview?to=9',
      '/go/carta-identita/overview?to=-1',
      '/go/carta-identita/overview?to=1e0',
      '/go/carta-identita/overview?to=0x0',
      '/go/carta-identita/overview?to=0&to=1',
      '/go/carta-identita/overview',
      '/go/carta-identita/overview?to=https://evil.example',
      '/go/carta-identita/overview?url=https://evil.example',
      '/go/..%2F..%2Fetc%2Fpasswd/overview?to=0',
      '/go/%2F%2Fevil.example/overview?to=0',
      '/go/CARTA-IDENTITA/overview?to=0',
      '/go/carta-identita/overview%0d%0aLocation:%20https:%2F%2Fevil.example?to=0',
      '/go/__proto__/constructor?to=0',
    ];
    for (const url of hostile) {
      const response = await go(url);
      expect([url, response.status]).toEqual([url, 404]);
      expect(response.headers.get('location')).toBeNull();
      expect([url, response.headers.get('content-type')]).toEqual([url, expect.stringMatching(/text\/html/)]);
      expect(await response.text()).toContain('https://www.comune.milano.it');
    }
    // A segment past the router's 100 characters matches no route: the catalogued JSON 404.
    const long = await go(`/go/${'a'.repeat(150)}/overview?to=0`);
    expect([long.status, long.headers.get('location')]).toEqual([404, null]);
  });

  test('link previews, prefetches, HEAD and clicks past the per-address limit are redirected but not counted; the figures count clicks per topic, facet and channel', async () => {
    await go('/go/carta-identita/overview?to=0&ch=messenger&lang=it', { headers: { 'user-agent': 'facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)' } });
    await go('/go/carta-identita/overview?to=0&ch=messenger&lang=it', { headers: { 'sec-purpose': 'prefetch' } });
    expect((await go('/go/carta-identita/overview?to=0&ch=messenger', { method: 'HEAD' })).status).toBe(302);
    await go('/go/carta-identita/overview?to=0&ch=made-up-channel&lang=xx');
    // One address clicking on and on: every click is redirected, 30 a minute are counted (3 so far).
    const flood = await Promise.all(Array.from({ length: 40 }, () => go('/go/carta-identita/overview?to=0&ch=webchat&lang=it')));
    expect(flood.every((r) => r.status === 302 && r.headers.get('location') !== null)).toBe(true);
    await dialogo!.stop();
    dialogo = undefined;
    const backend = openSqliteBackend(dataDir);
    try {
      const today = romeDay(Date.now());
      const rows = (await backend.rollups.range(today, today)).filter((r) => r.counters.clicks);
      const clicks = Object.fromEntries(rows.map((r) => [`${r.key.channel}/${r.key.language}`, r.counters]));
      // Counted: the answer's link (test), the overview in English (directline), the made-up channel as "other".
      expect(Object.keys(clicks).sort()).toEqual(['directline/en', 'other/it', 'test/it', 'webchat/it']);
      expect(clicks['webchat/it']).toEqual({ clicks: COUNTED_CLICKS_PER_MINUTE - 3, clicks_overview: COUNTED_CLICKS_PER_MINUTE - 3 });
      expect(clicks['directline/en']).toEqual({ clicks: 1, clicks_overview: 1 });
      expect(clicks['other/it']).toEqual({ clicks: 1, clicks_overview: 1 });
      expect(rows.every((r) => r.key.topicId === 'carta-identita')).toBe(true);
      const stored = (await backend.events.query({})).filter((e) => e.activityType === 'link');
      expect(stored).toHaveLength(COUNTED_CLICKS_PER_MINUTE);
      expect(stored.every((e) => e.conversationId === 'link-click' && e.text === null)).toBe(true);
    } finally {
      await backend.close();
    }
  });
});
