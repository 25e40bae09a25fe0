import type { WebSocket } from 'ws';
import { EventEmitter } from 'node:events';
import { MemoryConversationStore } from '../../../src/channels/directline/memory-conversation-store';
import { StreamHub } from '../../../src/channels/directline/stream-hub';
import { StreamWakeups } from '../../../src/channels/directline/stream-wakeups';
import { InProcessCoordinator, InProcessHub } from '../../../src/cluster/in-process-coordinator';
import { createLogger } from '../../../src/logger';

/** A socket that records what it is sent (watermarks of each ActivitySet). */
function fakeSocket(): { socket: WebSocket; watermarks: string[]; texts: string[]; close(): void } {
  const emitter = new EventEmitter();
  const watermarks: string[] = [];
  const texts: string[] = [];
  const socket = Object.assign(emitter, {
    readyState: 1,
    send(data: string) {
      const set = JSON.parse(data) as { watermark: string; activities: { text?: string }[] };
      watermarks.push(set.watermark);
      texts.push(...set.activities.map((a) => a.text ?? ''));
    },
    close() {
      emitter.emit('close');
    },
  });
  return { socket: socket as unknown as WebSocket, watermarks, texts, close: () => emitter.emit('close') };
}

const until = async (check: () => boolean, ms = 2000) => {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
};

describe('StreamWakeups (two instances on one store)', () => {
  const logger = createLogger('silent');
  let hub: InProcessHub;
  let store: MemoryConversationStore;
  let instances: { wakeups: StreamWakeups; streams: StreamHub }[];

  beforeEach(async () => {
    hub = new InProcessHub();
    store = new MemoryConversationStore();
    await store.create({ id: 'c1', userId: 'dl_u', locale: 'it-IT', serviceUrl: 'http://x' });
    instances = [0, 1].map(() => {
      const wakeups = new StreamWakeups({ coordinator: new InProcessCoordinator(hub), read: (id, w) => store.activitiesAfter(id, w), logger, degradedPollMs: 50 });
      const streams = new StreamHub(wakeups.hooks);
      wakeups.bind(streams);
      return { wakeups, streams };
    });
  });

  afterEach(async () => {
    for (const { wakeups, streams } of instances) {
      streams.closeAll();
      await wakeups.stop();
    }
  });

  const storeOnA = async (text: string) => {
    const stored = await store.append('c1', { type: 'message', text });
    instances[0]?.wakeups.stored('c1', [stored]);
  };

  test('an activity stored on A reaches the stream open on B, once and in order', async () => {
    const b = fakeSocket();
    await instances[1]?.streams.attach('c1', b.socket, 0, (w) => store.activitiesAfter('c1', w), Date.now() + 60_000);
    await storeOnA('uno');
    await storeOnA('due');
    await until(() => b.texts.length === 2);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(b.texts).toEqual(['uno', 'due']);
  });

  test('while the coordinator is degraded wake-ups are lost, yet the stream on B gets every activity by polling the store; none twice after it recovers', async () => {
    const b = fakeSocket();
    await instances[1]?.streams.attach('c1', b.socket, 0, (w) => store.activitiesAfter('c1', w), Date.now() + 60_000);
    hub.setHealth('degraded', 'test');
    await storeOnA('durante');
    await until(() => b.texts.includes('durante'));
    hub.setHealth('ok');
    await storeOnA('dopo');
    await until(() => b.texts.includes('dopo'));
    await new Promise((resolve) => setTimeout(resolve, 120));
    expect(b.texts).toEqual(['durante', 'dopo']);
  });

  test('a stream on the writing instance gets what the store holds in order, not the entries it was handed: an earlier activity stored later elsewhere is not lost', async () => {
    const a = fakeSocket();
    await instances[0]?.streams.attach('c1', a.socket, 0, (w) => store.activitiesAfter('c1', w), Date.now() + 60_000);
    const first = await store.append('c1', { type: 'message', text: 'prima' });
    const second = await store.append('c1', { type: 'message', text: 'seconda' });
    // A hands over the second before the first is announced (B stored it, B's wake-up not yet here).
    instances[0]?.wakeups.stored('c1', [second]);
    instances[1]?.wakeups.stored('c1', [first]);
    await until(() => a.texts.length === 2);
    expect(a.texts).toEqual(['prima', 'seconda']);
  });

  test('B leaves the conversation\'s channel when its last stream closes', async () => {
    const b = fakeSocket();
    await instances[1]?.streams.attach('c1', b.socket, 0, (w) => store.activitiesAfter('c1', w), Date.now() + 60_000);
    expect(hub.channels.get('dl:c1')?.size).toBe(1);
    b.close();
    await until(() => !hub.channels.has('dl:c1'));
  });
});
