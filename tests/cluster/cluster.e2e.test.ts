// Three Dialogo processes in cluster mode (MongoDB + Redis) behind a round-robin balancer without
// affinity, a citizen on the unmodified botframework-directlinejs, an operator on a third instance.
// In Node the client needs XMLHttpRequest and WebSocket as globals before it is loaded, hence require().
import { existsSync, rmSync } from 'node:fs';
import WebSocket from 'ws';
import type { Activity, DirectLine as DirectLineType, Message } from 'botframework-directlinejs';
import type { Subscription } from 'rxjs/Subscription';
import { OperatorAccounts } from '../../src/operators/operator-accounts';
import { openMongoBackend } from '../../src/storage/mongodb/mongodb-backend';
import { DialogoProcess, RoundRobinProxy } from '../fixtures/cluster';
import { openConsoleSocket, type ConsoleSocket } from '../fixtures/console-socket';
import { DirectLineCitizen } from '../fixtures/directline-citizen';
import { RedisServer } from '../fixtures/redis-server';
import { KB_DIR, tempDataDir } from '../fixtures/runtime';

(globalThis as Record<string, unknown>).XMLHttpRequest = require('xhr2');
(globalThis as Record<string, unknown>).WebSocket = WebSocket;
const { DirectLine } = require('botframework-directlinejs') as typeof import('botframework-directlinejs');

const mongoUri = process.env.MONGODB_URI;
const inCi = process.env.CI === 'true';
const redisInstalled = existsSync('/usr/bin/redis-server');
if (inCi && (!mongoUri || !redisInstalled)) throw new Error('CI=true: the cluster test needs MONGODB_URI and /usr/bin/redis-server (.ci/run installs and starts both)');
const maybe = mongoUri && redisInstalled ? describe : describe.skip;
if (!mongoUri || !redisInstalled) console.warn('cluster test skipped: it needs MONGODB_URI (npm run mongo:test-server) and redis-server (apt-get install redis-server)');

const SECRETS = {
  DIRECTLINE_SECRET: 'cluster-directline-secret',
  OPERATOR_TOKEN_SECRET: 'cluster-operator-secret-0',
  PSEUDONYM_SECRET: 'cluster-pseudonym-secret',
  DATA_ENCRYPTION_KEY: 'cluster-data-encryption-key-0123456789',
};
const PASSWORD = 'turno-del-mattino-2026';

interface Citizen {
  readonly client: DirectLineType;
  readonly received: Activity[];
  readonly subscription: Subscription;
  readonly conversationId: () => string | undefined;
}

/** Waits until `check` holds, polling every 50 ms. */
async function until<T>(what: string, check: () => T | undefined | false | Promise<T | undefined | false>, ms = 20_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

maybe('Dialogo as a cluster of three instances behind a load balancer without affinity', () => {
  const dbName = `dialogo_cluster_${process.pid}_${Date.now()}`;
  let redis: RedisServer;
  let instances: DialogoProcess[] = [];
  const dataDirs: string[] = [];
  let proxy: RoundRobinProxy;
  let citizen: Citizen | undefined;
  let console3: ConsoleSocket | undefined;
  let operatorToken = '';

  const startInstance = async () => {
    const dataDir = tempDataDir();
    dataDirs.push(dataDir);
    return DialogoProcess.start({
      ...SECRETS,
      NODE_ENV: 'test',
      KB_DIR,
      DATA_DIR: dataDir,
      MONGODB_URI: mongoUri ?? '',
      MONGODB_DB: dbName,
      REDIS_URL: redis.url,
      OFFICE_HOURS: 'always',
      HANDOFF_SWEEP_INTERVAL_MS: '500',
      // Short, so that a citizen who leaves is seen away and abandoned within seconds (the last test).
      HANDOFF_PRESENCE_TIMEOUT_SEC: '3',
      SHUTDOWN_GRACE_MS: '3000',
    });
  };
  const api = async (method: string, path: string, body?: unknown, port = proxy.port) => {
    const response = await fetch(`http://127.0.0.1:${port}/api/operator${path}`, {
      method,
      headers: { authorization: `Bearer ${operatorToken}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      body: body !== undefined ? JSON.stringify(body) : undefined,
    });
    const text = await response.text();
    return { status: response.status, json: text ? JSON.parse(text) : undefined };
  };
  const texts = () => (citizen?.received ?? []).filter((a) => a.type === 'message').map((a) => `${a.from.id === 'dialogo' ? 'bot' : 'me'}: ${a.text ?? ''}`);
  const say = async (text: string) => {
    const before = citizen?.received.length ?? 0;
    await new Promise<string>((resolve, reject) => citizen?.client.postActivity({ type: 'message', from: { id: 'citizen' }, text, locale: 'it-IT' } as Activity).subscribe(resolve, reject));
    // The bot's answer comes after the citizen's own activity, on the stream.
    return until(`an answer to "${text}"`, () => citizen?.received.slice(before).find((a): a is Message => a.type === 'message' && a.from.id === 'dialogo'));
  };

  beforeAll(async () => {
    redis = await RedisServer.start();
    const backend = await openMongoBackend(mongoUri ?? '', dbName);
    await new OperatorAccounts(backend.operators).add('giulia', 'operator', PASSWORD, { displayName: 'Giulia B.', maxConcurrent: 3 });
    await backend.close();
    instances = await Promise.all([startInstance(), startInstance(), startInstance()]);
    proxy = await RoundRobinProxy.start(() => instances.filter((i) => i.alive).map((i) => i.port));
    const login = await fetch(`${proxy.url}/api/operator/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'giulia', password: PASSWORD }) });
    operatorToken = ((await login.json()) as { token: string }).token;
  }, 240_000);

  afterAll(async () => {
    citizen?.subscription.unsubscribe();
    citizen?.client.end();
    console3?.ws.close();
    await proxy?.close();
    await Promise.all(instances.map((i) => i.kill('SIGKILL')));
    await redis?.stop();
    for (const dir of dataDirs) rmSync(dir, { recursive: true, force: true });
    if (mongoUri) {
      const backend = await openMongoBackend(mongoUri, dbName);
      await backend.close();
      const { MongoClient } = await import('mongodb');
      const client = new MongoClient(mongoUri);
      await client.db(dbName).dropDatabase().catch(() => undefined);
      await client.close();
    }
  }, 60_000);

  test('a citizen whose posts land on every instance, an operator on the third: order kept, nothing lost or twice, one claim wins, the operator reaches the citizen', async () => {
    // The operator's console is on the third instance; everything else goes through the balancer.
    console3 = await openConsoleSocket(instances[2]?.port ?? 0, operatorToken);
    const generated = await fetch(`${proxy.url}/v3/directline/tokens/generate`, { method: 'POST', headers: { authorization: `Bearer ${SECRETS.DIRECTLINE_SECRET}` } });
    const { token } = (await generated.json()) as { token: string };
    const client = new DirectLine({ domain: `${proxy.url}/v3/directline`, token, webSocket: true });
    const received: Activity[] = [];
    const subscription = client.activity$.subscribe((activity) => received.push(activity));
    let conversationId: string | undefined;
    client.connectionStatus$.subscribe(() => (conversationId ??= received[0]?.conversation?.id));
    citizen = { client, received, subscription, conversationId: () => conversationId ?? received[0]?.conversation?.id };
    await until('the welcome', () => received.find((a) => a.type === 'message' && a.from.id === 'dialogo'));

    for (const question of ["quanto costa la carta d'identità", 'come pago la TARI', 'orari area C']) {
      const answer = await say(question);
      expect(answer.text).toBeTruthy();
    }
    // Posts went to several instances (round robin), yet the stream got every activity once, in order.
    const posts = new Set(proxy.served.filter((s) => s.method === 'POST' && s.path.endsWith('/activities')).map((s) => s.port));
    expect(posts.size).toBeGreaterThanOrEqual(2);
    const ids = received.map((a) => a.id);
    expect(new Set(ids).size).toBe(ids.length);
    const seqs = ids.map((id) => Number(id?.split('|')[1]));
    expect(seqs).toEqual([...seqs].sort((x, y) => x - y));
    expect(texts().filter((t) => t.startsWith('me: '))).toEqual(["me: quanto costa la carta d'identità", 'me: come pago la TARI', 'me: orari area C']);

    // The operator's console (instance 3) sees the citizen queue on whichever instance took the turn.
    await say('vorrei parlare con un operatore');
    await say('Sì');
    await say('rimborso della TARI pagata due volte');
    const queued = await say('Acconsento');
    expect(queued.text).toMatch(/coda|posizione|operat/i);
    const session = await until('the queued session on the console of instance 3', () =>
      console3?.pushes.filter((p) => p.type === 'queue').flatMap((p) => p.sessions).find((s: { state: string }) => s.state === 'queued'),
    );

    // Two claims at once through the balancer (two instances): exactly one wins.
    const claims = await Promise.all([api('POST', `/conversations/${session.id}/claim`), api('POST', `/conversations/${session.id}/claim`)]);
    expect(claims.map((c) => c.status).sort()).toEqual([200, 409]);
    await until('the connected notice', () => texts().find((t) => /Giulia/.test(t)));

    const sent = await api('POST', `/conversations/${session.id}/messages`, { text: 'Buongiorno, vedo due pagamenti: avvio il rimborso.' });
    expect(sent.status).toBe(201);
    await until("the operator's message on the citizen's stream", () => texts().find((t) => t.includes('avvio il rimborso')));
    await new Promise<void>((resolve, reject) => client.postActivity({ type: 'message', from: { id: 'citizen' }, text: 'grazie mille', locale: 'it-IT' } as Activity).subscribe(() => resolve(), reject));
    await until("the citizen's message on the operator's console (instance 3)", () => console3?.pushes.find((p) => p.type === 'message' && p.entry.text === 'grazie mille'));
    expect(texts().filter((t) => t.includes('avvio il rimborso'))).toHaveLength(1);
  }, 120_000);

  test('killing the instance that holds the citizen\'s stream moves it to another without losing a message', async () => {
    const conversationId = citizen?.conversationId();
    expect(conversationId).toBeTruthy();
    const upgrades = proxy.served.filter((s) => s.method === 'UPGRADE' && s.path.includes(`/conversations/${conversationId}/stream`));
    const holder = instances.find((i) => i.port === upgrades[upgrades.length - 1]?.port);
    expect(holder).toBeDefined();
    await holder?.kill('SIGKILL');
    const session = (await api('GET', '/queue')).json.sessions.find((s: { state: string }) => s.state === 'connected');
    const sent = await api('POST', `/conversations/${session.id}/messages`, { text: 'Il rimborso è avviato: riceverà una conferma.' });
    expect(sent.status).toBe(201);
    await until('the message sent while the stream was moving', () => texts().find((t) => t.includes('riceverà una conferma')), 30_000);
    const later = proxy.served.filter((s) => s.method === 'UPGRADE' && s.path.includes(`/conversations/${conversationId}/stream`));
    expect(later.length).toBeGreaterThan(upgrades.length);
    expect(later[later.length - 1]?.port).not.toBe(holder?.port);
    const ids = (citizen?.received ?? []).map((a) => a.id);
    expect(new Set(ids).size).toBe(ids.length);
  }, 60_000);

  test('Redis down for 30 seconds: /readyz says degraded, messages still arrive, and after it returns nothing is lost or delivered twice', async () => {
    const live = instances.filter((i) => i.alive);
    const session = (await api('GET', '/queue')).json.sessions.find((s: { state: string }) => s.state === 'connected');
    await redis.kill();
    await until('every instance reporting the coordinator degraded', async () => (await clusterStates(live)).every((s) => s === 'degraded'), 15_000);
    // Public: it says degraded, never where Redis lives.
    const readiness = await (await fetch(`http://127.0.0.1:${live[0]?.port ?? 0}/readyz`)).text();
    expect(readiness).not.toContain(String(redis.port));
    const during = await api('POST', `/conversations/${session.id}/messages`, { text: 'Messaggio durante il guasto di Redis.' });
    expect(during.status).toBe(201);
    await until('the message sent while Redis was down', () => texts().find((t) => t.includes('durante il guasto')), 15_000);
    await new Promise((resolve) => setTimeout(resolve, 30_000));
    await redis.restart();
    await until('every instance reporting the coordinator ok', async () => (await clusterStates(live)).every((s) => s === 'ok'), 20_000);
    const after = await api('POST', `/conversations/${session.id}/messages`, { text: 'Messaggio dopo il ritorno di Redis.' });
    expect(after.status).toBe(201);
    await until('the message sent after Redis returned', () => texts().find((t) => t.includes('dopo il ritorno')), 15_000);
    await new Promise((resolve) => setTimeout(resolve, 3000));
    for (const marker of ['avvio il rimborso', 'riceverà una conferma', 'durante il guasto', 'dopo il ritorno']) {
      expect(texts().filter((t) => t.includes(marker))).toHaveLength(1);
    }
    const ids = (citizen?.received ?? []).map((a) => a.id);
    expect(new Set(ids).size).toBe(ids.length);
  }, 120_000);

  test('a queued citizen who stops polling (a closed tab) is shown away on the console of another instance, then abandoned: presence is shared', async () => {
    // Plain polling through the balancer: every poll lands on another instance.
    const walker = await DirectLineCitizen.start(proxy.port, undefined, SECRETS.DIRECTLINE_SECRET);
    await walker.say('vorrei parlare con un operatore');
    await walker.say('Sì');
    await walker.say('certificato di residenza per il mutuo');
    const [queued] = await walker.say('Acconsento');
    expect(queued.text).toMatch(/coda/i);
    const lastQueue = (): { id: string; state: string; citizenPresence?: string | null }[] | undefined => console3?.pushes.filter((p) => p.type === 'queue').at(-1)?.sessions;
    const card = await until('the queued card on instance 3', () => lastQueue()?.find((s) => s.state === 'queued'));
    expect(card.citizenPresence).toBe('present');
    // The tab closes: no more polls anywhere.
    await until('the card shown away on instance 3', () => lastQueue()?.find((s) => s.id === card.id && s.citizenPresence === 'away'), 15_000);
    await until('the citizen abandoned: off the queue of instance 3', () => lastQueue() && !lastQueue()?.some((s) => s.id === card.id), 15_000);
  }, 60_000);

});

/** What each instance's /readyz says of the coordinator. */
async function clusterStates(instances: readonly DialogoProcess[]): Promise<(string | undefined)[]> {
  return Promise.all(
    instances.map(async (i) => ((await (await fetch(`http://127.0.0.1:${i.port}/readyz`)).json()) as { cluster?: { status: string } }).cluster?.status),
  );
}
