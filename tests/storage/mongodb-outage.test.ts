import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { loadConfig } from '../../src/config';
import { startDialogo } from '../../src/index';
import { createLogger } from '../../src/logger';
import { KB_DIR } from '../fixtures/runtime';
import type { EventQuery, InteractionEvent } from '../../src/storage/interaction-event';
import { InteractionRecorder } from '../../src/storage/interaction-recorder';
import { openMongoBackend } from '../../src/storage/mongodb/mongodb-backend';
import type { InteractionEventStore, StorageBackend } from '../../src/storage/ports';
import { event } from '../fixtures/events';

const LAUNCHER = path.resolve(__dirname, '../../scripts/mongo-test-server.sh');
const enabled = process.env.CI === 'true' || Boolean(process.env.MONGODB_URI);

/** Starts the project's MongoDB test server; resolves with its port once it prints READY. */
function startServer(port: number): Promise<{ child: ChildProcess; port: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', [LAUNCHER, String(port)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    const timer = setTimeout(() => reject(new Error(`MongoDB test server did not start: ${out}`)), 120_000);
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /READY (\d+)/.exec(out);
      if (match) {
        clearTimeout(timer);
        resolve({ child, port: Number(match[1]) });
      }
    });
    child.on('exit', (code) => reject(new Error(`MongoDB test server exited with ${code}: ${out}`)));
  });
}

function stopServer(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

/** Counts which events the store acknowledged, to know what the outage could have taken with it. */
class Acknowledging implements InteractionEventStore {
  readonly acknowledged = new Set<string>();
  constructor(private readonly inner: InteractionEventStore) {}
  async append(batch: readonly InteractionEvent[]) {
    await this.inner.append(batch);
    for (const e of batch) this.acknowledged.add(e.eventId);
  }
  query(q: EventQuery) {
    return this.inner.query(q);
  }
  purgeBefore(before: Date) {
    return this.inner.purgeBefore(before);
  }
  count() {
    return this.inner.count();
  }
  storedSince(from: Date, limit: number) {
    return this.inner.storedSince(from, limit);
  }
}

(enabled ? describe : describe.skip)('MongoDB outage during a stream of events', () => {
  let server: { child: ChildProcess; port: number } | undefined;
  let backend: StorageBackend | undefined;
  afterAll(async () => {
    await backend?.close();
    if (server) await stopServer(server.child);
  });

  test('every event recorded during a stop and restart of the server is stored exactly once', async () => {
    server = await startServer(0);
    backend = await openMongoBackend(`mongodb://127.0.0.1:${server.port}`, 'outage', { serverSelectionTimeoutMS: 1000 });
    const store = new Acknowledging(backend.events);
    const recorder = new InteractionRecorder(store, createLogger('silent'), { maxRetryDelayMs: 250 });
    recorder.start();

    const recorded: InteractionEvent[] = [];
    let ackedBeforeStop = new Set<string>();
    let sawDegraded = false;
    // 50 events a second for 8 seconds; the server is down from second 2 to about second 5.
    for (let i = 0; i < 400; i++) {
      if (i === 100) {
        await stopServer(server.child);
        ackedBeforeStop = new Set(store.acknowledged);
      }
      if (i === 250) server = await startServer(server.port);
      const e = event(`c${i % 7}`, new Date(Date.UTC(2026, 0, 1) + i * 20).toISOString());
      recorded.push(e);
      recorder.record(e);
      if (recorder.status.degraded) sawDegraded = true;
      await new Promise((r) => setTimeout(r, 20));
    }
    await recorder.drain(30_000);

    // The test server keeps data in memory: what it had acknowledged before the stop went with it.
    const expected = recorded.filter((e) => !ackedBeforeStop.has(e.eventId)).map((e) => e.eventId);
    const stored = (await backend.events.query({})).map((e) => e.eventId);
    expect(sawDegraded).toBe(true);
    expect(recorder.status.dropped).toBe(0);
    expect(new Set(stored).size).toBe(stored.length);
    expect(stored).toEqual(expected);
    // eslint-disable-next-line no-console
    console.log(`outage test: ${recorded.length} recorded, ${ackedBeforeStop.size} stored before the stop, ${stored.length} stored after the restart, 0 lost, 0 duplicated`);
  }, 180_000);
});

(enabled ? describe : describe.skip)('Dialogo on MongoDB when the database goes away', () => {
  test('keeps answering, reports degraded, and stores the waiting events when the database returns', async () => {
    let server = await startServer(0);
    const dialogo = await startDialogo(
      loadConfig({ PORT: '0', HOST: '127.0.0.1', KB_DIR, KB_WATCH: 'false', NODE_ENV: 'test', MONGODB_URI: `mongodb://127.0.0.1:${server.port}`, MONGODB_DB: 'e2e', PSEUDONYM_SECRET: 'a-test-secret-of-enough-length' }),
      createLogger('silent'),
    );
    const ask = async (text: string) => {
      const response = await fetch(`http://127.0.0.1:${dialogo.port}/api/messages`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ type: 'message', text, channelId: 'test', from: { id: 'u1' }, recipient: { id: 'b' }, conversation: { id: 'c1' }, serviceUrl: 'http://127.0.0.1:9', deliveryMode: 'expectReplies' }),
      });
      return ((await response.json()) as { activities: { channelData: { dialogo: { topicId: string } } }[] }).activities[0]!;
    };
    const ready = async () => (await (await fetch(`http://127.0.0.1:${dialogo.port}/readyz`)).json()) as { ready: boolean; storage: { kind: string; status: string; bufferedEvents: number } };
    try {
      expect((await ready()).storage).toMatchObject({ kind: 'mongodb', status: 'ok' });
      await stopServer(server.child);
      expect((await ask('quanto costa la carta d’identità?')).channelData.dialogo.topicId).toBe('carta-identita');
      expect((await ask('tari scadenza')).channelData.dialogo.topicId).toBe('tari-pagamento');
      for (let i = 0; i < 100 && (await ready()).storage.status !== 'degraded'; i++) await new Promise((r) => setTimeout(r, 100));
      expect(await ready()).toMatchObject({ ready: true, storage: { status: 'degraded' } });
      server = await startServer(server.port);
      for (let i = 0; i < 150 && (await ready()).storage.bufferedEvents > 0; i++) await new Promise((r) => setTimeout(r, 100));
      expect((await ready()).storage.bufferedEvents).toBe(0);
    } finally {
      await dialogo.stop();
      await stopServer(server.child);
    }
  }, 180_000);
});
