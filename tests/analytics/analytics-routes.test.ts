// The supervisors' routes of issue 15 on a running Dialogo: the monthly table's exports and the
// live view (today so far with conversations in progress, the queue, the operators).
import { rmSync } from 'node:fs';
import { loadConfig } from '../../src/config';
import { startDialogo, type Dialogo } from '../../src/index';
import { createLogger } from '../../src/logger';
import { romeDay } from '../../src/analytics/rome-day';
import { DirectLineCitizen } from '../fixtures/directline-citizen';
import { KB_DIR, tempDataDir } from '../fixtures/runtime';

const PASSWORD = 'una-password-lunga';

describe('analytics routes: monthly exports and live', () => {
  let dialogo: Dialogo;
  let dataDir: string;
  const today = romeDay(Date.now());
  const get = (url: string, token?: string) => fetch(`http://127.0.0.1:${dialogo.port}${url}`, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  const login = async (username: string) =>
    ((await (await fetch(`http://127.0.0.1:${dialogo.port}/api/operator/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password: PASSWORD }) })).json()) as { token: string }).token;

  beforeAll(async () => {
    dataDir = tempDataDir();
    dialogo = await startDialogo(loadConfig({ PORT: '0', HOST: '127.0.0.1', KB_DIR, KB_WATCH: 'false', NODE_ENV: 'test', DATA_DIR: dataDir, OFFICE_HOURS: 'always' }), createLogger('silent'));
    await dialogo.operators.add('sara', 'supervisor', PASSWORD, { displayName: 'Sara M.' });
    await dialogo.operators.add('giulia', 'operator', PASSWORD, { displayName: 'Giulia B.' });
  });
  afterAll(async () => {
    await dialogo?.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  test('supervisors only, and a bad period is refused', async () => {
    const giulia = await login('giulia');
    const sara = await login('sara');
    for (const route of ['/api/analytics/live', `/api/analytics/monthly.csv?from=${today}&to=${today}`, `/api/analytics/monthly.xlsx?from=${today}&to=${today}`]) {
      expect((await get(route)).status).toBe(401);
      expect((await get(route, giulia)).status).toBe(403);
    }
    for (const query of ['from=2026-02-30&to=2026-03-01', 'from=2026-03-02&to=2026-03-01', 'from=2020-01-01&to=2026-01-01', 'to=2026-01-01', 'from=2026-1-1&to=2026-01-02', 'from=2026-01-01&to=2026-01-02&to=2026-02-30']) {
      for (const extension of ['csv', 'xlsx']) {
        const response = await get(`/api/analytics/monthly.${extension}?${query}`, sara);
        expect(response.status).toBe(400);
        expect(((await response.json()) as { error: { code: string } }).error.code).toBe('INVALID_REQUEST');
      }
    }
  });

  test('the monthly table downloads as CSV for Italian Excel and as XLSX', async () => {
    const sara = await login('sara');
    const csv = await get(`/api/analytics/monthly.csv?from=${today}&to=${today}`, sara);
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(csv.headers.get('content-disposition')).toBe(`attachment; filename="dialogo-riepilogo-mensile-${today}-${today}.csv"`);
    const bytes = Buffer.from(await csv.arrayBuffer());
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const lines = bytes.toString('utf8').slice(1).split('\r\n');
    expect(lines[0]).toMatch(/^Mese;Entrate;Risolte dal bot;/);
    expect(lines.some((l) => l.startsWith('Da inizio anno'))).toBe(true);
    const xlsx = await get(`/api/analytics/monthly.xlsx?from=${today}&to=${today}`, sara);
    expect(xlsx.status).toBe(200);
    expect(xlsx.headers.get('content-type')).toBe('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    expect(Buffer.from(await xlsx.arrayBuffer()).subarray(0, 2).toString('latin1')).toBe('PK');
  });

  test('live: conversations in progress count today, with the queue, its longest wait and the operators', async () => {
    const sara = await login('sara');
    const empty = (await (await get('/api/analytics/live', sara)).json()) as any;
    expect(empty).toMatchObject({ day: today, today: { conversations: 0, inProgress: 0, ended: 0 }, queue: { waiting: 0, longestWaitSec: null, withOperator: 0 }, operators: { online: 0, available: 0, busy: 0, inConversation: 0 } });

    const citizen = await DirectLineCitizen.start(dialogo.port);
    await citizen.say('quanto costa la carta d’identità?');
    const transcript = [{ at: new Date().toISOString(), from: 'citizen' as const, text: 'vorrei un operatore' }];
    const first = await dialogo.handoff.enqueue({ channel: 'directline', conversationId: 'live-1', reference: { user: { id: 'u-1' } }, language: 'it', topicId: null, description: 'residenza', transcript });
    await dialogo.handoff.enqueue({ channel: 'directline', conversationId: 'live-2', reference: { user: { id: 'u-2' } }, language: 'it', topicId: null, description: 'TARI', transcript });
    const giulia = { name: 'giulia', displayName: 'Giulia B.', role: 'operator' as const, maxConcurrent: 3 };
    dialogo.handoff.operatorOnline(giulia, true);
    dialogo.handoff.operatorOnline({ name: 'marco', role: 'operator', maxConcurrent: 3 }, true);
    dialogo.handoff.presence.choose('marco', 'busy');
    await dialogo.handoff.claim(first.session.id, giulia);

    const response = await get('/api/analytics/live', sara);
    expect(response.headers.get('cache-control')).toBe('no-store');
    const live = (await response.json()) as any;
    // The citizen's conversation and the two queued ones have not ended: in progress, counted today.
    expect(live.today.inProgress).toBe(3);
    expect(live.today).toMatchObject({ conversations: 3, ended: 0, handoffs: { queued: 2, answered: 1 } });
    expect(live.queue).toMatchObject({ waiting: 1, withOperator: 1 });
    expect(live.queue.longestWaitSec).toBeGreaterThanOrEqual(0);
    expect(live.operators).toEqual({ online: 2, available: 1, busy: 1, inConversation: 1 });
    expect(Date.parse(live.at)).toBeGreaterThan(Date.now() - 60_000);
  });
});
