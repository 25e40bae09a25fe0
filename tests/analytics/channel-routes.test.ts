import { rmSync } from 'node:fs';
import { channelFigures } from '../../src/analytics/channel-figures';
import { romeDay } from '../../src/analytics/rome-day';
import { loadConfig } from '../../src/config';
import { startDialogo, type Dialogo } from '../../src/index';
import { createLogger } from '../../src/logger';
import type { RollupRow } from '../../src/storage/ports';
import { KB_DIR, tempDataDir } from '../fixtures/runtime';

const PASSWORD = 'una-password-lunga';
const key = (day: string, channel: string, topicId: string | null) => ({ day, channel, language: 'it', topicId });

describe('channel figures from the rollups', () => {
  test('clicks per topic, facet and channel; escalation reasons; written requests; per operator', () => {
    const rows: RollupRow[] = [
      { key: key('2026-04-01', 'directline', 'carta-identita'), counters: { clicks: 3, clicks_f_costo: 2, clicks_overview: 1, escalatedAsked: 2, ticketsCreated: 1 } },
      { key: key('2026-04-02', 'facebook', 'carta-identita'), counters: { clicks: 1, clicks_f_costo: 1, escalatedRatedDown: 1 } },
      { key: key('2026-04-02', 'directline', 'tari-pagamento'), counters: { clicks: 2, clicks_f_scadenze_e_rate: 2, escalatedMisses: 3, requestsAnswered: 1, requestsClosed: 2 } },
      { key: key('2026-04-02', 'directline', null), counters: { opChats_giulia_drossi: 2, opHandleSecSum_giulia_drossi: 600, opHandleCount_giulia_drossi: 2, opAnswered_sara: 1, opClosed_sara: 2 } },
      // Outside the period: ignored.
      { key: key('2026-05-01', 'directline', 'carta-identita'), counters: { clicks: 50, clicks_overview: 50, escalatedAsked: 9 } },
    ];
    const figures = channelFigures(rows, { from: '2026-04-01', to: '2026-04-30', topicTitle: (id) => `T:${id}`, facetTitle: (t, f) => `F:${t}/${f}` });
    expect(figures.clicks).toEqual({
      total: 6,
      byTopic: [
        { topicId: 'carta-identita', title: 'T:carta-identita', clicks: 4, facets: [{ facetId: 'costo', title: 'F:carta-identita/costo', clicks: 3 }, { facetId: null, title: null, clicks: 1 }] },
        { topicId: 'tari-pagamento', title: 'T:tari-pagamento', clicks: 2, facets: [{ facetId: 'scadenze-e-rate', title: 'F:tari-pagamento/scadenze-e-rate', clicks: 2 }] },
      ],
      byChannel: [{ channel: 'directline', clicks: 5 }, { channel: 'facebook', clicks: 1 }],
    });
    expect(figures.escalations).toEqual({ asked: 2, misses: 3, 'rated-down': 1, 'written-request': 0, total: 6 });
    expect(figures.writtenRequests).toEqual({ created: 1, answered: 1, closed: 2 });
    expect(figures.operators).toEqual([
      { login: 'giulia.rossi', chats: 2, avgHandleSec: 300, requestsAnswered: 0, requestsClosed: 0 },
      { login: 'sara', chats: 0, avgHandleSec: null, requestsAnswered: 1, requestsClosed: 2 },
    ]);
  });
});

describe('GET /api/analytics/channels', () => {
  const dataDir = tempDataDir();
  let dialogo: Dialogo;
  const today = romeDay(Date.now());
  const login = async (username: string) =>
    ((await (await fetch(`http://127.0.0.1:${dialogo.port}/api/operator/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password: PASSWORD }) })).json()) as { token: string }).token;
  const get = (url: string, token?: string) => fetch(`http://127.0.0.1:${dialogo.port}${url}`, { headers: token ? { authorization: `Bearer ${token}` } : {} });

  beforeAll(async () => {
    dialogo = await startDialogo(loadConfig({ PORT: '0', HOST: '127.0.0.1', KB_DIR, KB_WATCH: 'false', NODE_ENV: 'test', DATA_DIR: dataDir, OFFICE_HOURS: 'always' }), createLogger('silent'));
    await dialogo.operators.add('sara', 'supervisor', PASSWORD, { displayName: 'Sara M.' });
    await dialogo.operators.add('giulia', 'operator', PASSWORD, { displayName: 'Giulia B.' });
    await fetch(`http://127.0.0.1:${dialogo.port}/api/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ type: 'message', text: 'voglio parlare con un operatore', channelId: 'test', from: { id: 'u1' }, recipient: { id: 'dialogo' }, conversation: { id: 'c1' }, serviceUrl: 'http://127.0.0.1:9', deliveryMode: 'expectReplies' }),
    });
    await fetch(`http://127.0.0.1:${dialogo.port}/go/carta-identita/overview?to=0&ch=directline&lang=it`, { redirect: 'manual' });
  }, 90_000); // start-up on a loaded CI machine can take longer than the default hook time
  afterAll(async () => {
    await dialogo.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  test('supervisors only, with a valid period', async () => {
    expect((await get(`/api/analytics/channels?from=${today}&to=${today}`)).status).toBe(401);
    expect((await get(`/api/analytics/channels?from=${today}&to=${today}`, await login('giulia'))).status).toBe(403);
    const sara = await login('sara');
    for (const bad of ['from=2026-02-30&to=2026-03-01', 'from=2026-03-02&to=2026-03-01', 'from=2020-01-01&to=2026-01-01', 'to=2026-01-01', `from=${today}&to=${today}'--`, `from=${today}&from=2020-01-01&to=${today}`]) {
      const response = await get(`/api/analytics/channels?${bad}`, sara);
      expect([bad, response.status]).toEqual([bad, 400]);
      expect(((await response.json()) as { error: { code: string } }).error.code).toBe('INVALID_REQUEST');
    }
  });

  test('today: the click and the citizen who asked for a person', async () => {
    const response = await get(`/api/analytics/channels?from=${today}&to=${today}`, await login('sara'));
    expect(response.status).toBe(200);
    const figures = (await response.json()) as { clicks: { total: number; byTopic: { topicId: string; facets: unknown[] }[] }; escalations: { asked: number; total: number } };
    expect(figures.clicks.total).toBe(1);
    expect(figures.clicks.byTopic[0]).toMatchObject({ topicId: 'carta-identita', facets: [{ facetId: null, clicks: 1 }] });
    expect(figures.escalations).toMatchObject({ asked: 1, total: 1 });
  });
});
