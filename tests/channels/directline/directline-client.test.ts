// The unmodified client library inside Web Chat, against Dialogo's own Direct Line endpoint.
// In Node it needs XMLHttpRequest and WebSocket as globals before it is loaded, hence require().
import WebSocket from 'ws';
import type { Activity, DirectLine as DirectLineType } from 'botframework-directlinejs';
import type { Subscription } from 'rxjs/Subscription';
import { DirectLineTokens } from '../../../src/channels/directline/tokens';
import { loadConfig } from '../../../src/config';
import { startDialogo, type Dialogo } from '../../../src/index';
import { createLogger } from '../../../src/logger';
import { KB_DIR, tempDataDir } from '../../fixtures/runtime';
import { mountEndpoint, type MountedEndpoint } from './mounted-endpoint';

(globalThis as Record<string, unknown>).XMLHttpRequest = require('xhr2');
(globalThis as Record<string, unknown>).WebSocket = WebSocket;
const { DirectLine } = require('botframework-directlinejs') as typeof import('botframework-directlinejs');

const QUESTION = "quanto costa la carta d'identità";

function dialogoOf(): Promise<Dialogo> {
  return startDialogo(loadConfig({ PORT: '0', HOST: '127.0.0.1', KB_DIR, KB_WATCH: 'false', NODE_ENV: 'test', DATA_DIR: tempDataDir() }), createLogger('silent'));
}

/** Resolves with the first activity matching `predicate`, or rejects after `ms`. */
function next(received: Activity[], listeners: (() => void)[], predicate: (a: Activity) => boolean, ms = 10_000): Promise<Activity> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no matching activity in ${ms} ms; got ${JSON.stringify(received.map((a) => a.type))}`)), ms);
    const check = () => {
      const found = received.find(predicate);
      if (found) {
        clearTimeout(timer);
        resolve(found);
        return true;
      }
      return false;
    };
    if (!check()) listeners.push(() => void check());
  });
}

describe.each([
  ['WebSocket', true],
  ['polling', false],
])('botframework-directlinejs in %s mode', (_mode, webSocket) => {
  let dialogo: Dialogo;
  let client: DirectLineType | undefined;
  let subscription: Subscription | undefined;

  beforeAll(async () => {
    dialogo = await dialogoOf();
  });
  afterEach(() => {
    subscription?.unsubscribe();
    client?.end();
  });
  afterAll(async () => {
    await dialogo.stop();
  });

  test('starts, gets the welcome, asks and receives the answer with channelData.dialogo', async () => {
    const domain = `http://127.0.0.1:${dialogo.port}/v3/directline`;
    const generated = await fetch(`${domain}/tokens/generate`, { method: 'POST' });
    expect(generated.status).toBe(200);
    const { token } = (await generated.json()) as { token: string };

    client = new DirectLine({ domain, token, webSocket, pollingInterval: 200 });
    const received: Activity[] = [];
    const listeners: (() => void)[] = [];
    subscription = client.activity$.subscribe((activity) => {
      received.push(activity);
      listeners.forEach((listener) => listener());
    });

    const welcome = await next(received, listeners, (a) => a.type === 'message' && a.from.id === 'dialogo');
    expect(welcome.channelId).toBe('directline');

    const id = await new Promise<string>((resolve, reject) =>
      client!.postActivity({ type: 'message', from: { id: 'citizen' }, text: QUESTION } as Activity).subscribe(resolve, reject),
    );
    expect(id).toMatch(/\|\d{7}$/);

    const echo = await next(received, listeners, (a) => a.id === id);
    expect(echo).toMatchObject({ type: 'message', text: QUESTION });
    const answer = (await next(received, listeners, (a) => a.from.id === 'dialogo' && (a as { replyToId?: string }).replyToId === id)) as Activity & { channelData: any };
    expect(answer.channelData.dialogo).toMatchObject({ topicId: 'carta-identita', outcome: 'answered' });
    expect(answer.conversation?.id).toBe(echo.conversation?.id);
  });
});

describe.each([
  ['WebSocket', true],
  ['polling', false],
])('botframework-directlinejs in %s mode when its token expires', (_mode, webSocket) => {
  let mounted: MountedEndpoint;
  let client: DirectLineType | undefined;
  let subscriptions: Subscription[] = [];

  beforeAll(async () => {
    mounted = await mountEndpoint({ tokens: new DirectLineTokens(undefined, Date.now, 2) });
  });
  afterEach(() => {
    subscriptions.forEach((s) => s.unsubscribe());
    subscriptions = [];
    client?.end();
  });
  afterAll(async () => {
    await mounted.close();
  });

  test('chats, then reports ExpiredToken (3) instead of going on with an expired token', async () => {
    const { token } = (await (await fetch(`${mounted.base}/tokens/generate`, { method: 'POST' })).json()) as { token: string };
    // random 0: reconnect after the shortest delay (3 s); timeout 1 s: retry quickly.
    client = new DirectLine({ domain: mounted.base, token, webSocket, pollingInterval: 200, timeout: 1000, random: () => 0 } as ConstructorParameters<typeof DirectLine>[0]);
    const received: Activity[] = [];
    const listeners: (() => void)[] = [];
    const statuses: number[] = [];
    subscriptions.push(
      client.activity$.subscribe((activity) => {
        received.push(activity);
        listeners.forEach((listener) => listener());
      }),
      client.connectionStatus$.subscribe((status) => statuses.push(status)),
    );
    await new Promise<string>((resolve, reject) => client!.postActivity({ type: 'message', from: { id: 'citizen' }, text: 'ciao' } as Activity).subscribe(resolve, reject));
    await next(received, listeners, (a) => (a as { text?: string }).text === 'eco: ciao');
    const deadline = Date.now() + 12_000;
    while (!statuses.includes(3) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
    expect(statuses).toContain(3);
  });
});
