// npm run --silent bench:storage : events per second each adapter sustains on this machine,
// through the InteractionRecorder (batches of 100), and the state write rate. SQLite always;
// MongoDB when MONGODB_URI is set (for example the test server: npm run mongo:test-server).
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { createLogger } from '../src/logger';
import type { InteractionEvent } from '../src/storage/interaction-event';
import { InteractionRecorder } from '../src/storage/interaction-recorder';
import { openMongoBackend } from '../src/storage/mongodb/mongodb-backend';
import type { StorageBackend } from '../src/storage/ports';
import { openSqliteBackend } from '../src/storage/sqlite/sqlite-backend';

const EVENTS = 20_000;
const STATE_WRITES = 2_000;

function event(i: number): InteractionEvent {
  return {
    eventId: randomUUID(), ts: new Date(Date.UTC(2026, 0, 1) + i * 1000).toISOString(), conversationId: `c${i % 500}`, channel: 'webchat',
    language: 'it', activityType: 'message', text: 'quanto costa la carta d identita', outcome: 'answered', topicId: 'carta-identita',
    confidence: 0.9, answerTopicId: 'carta-identita', feedback: null, latencyMs: 2, handoff: null,
  };
}

async function measure(backend: StorageBackend): Promise<Record<string, unknown>> {
  const recorder = new InteractionRecorder(backend.events, createLogger('silent'), { maxBuffered: EVENTS });
  recorder.start();
  let started = performance.now();
  for (let i = 0; i < EVENTS; i++) recorder.record(event(i));
  await recorder.drain(120_000);
  const eventsPerSec = Math.round(EVENTS / ((performance.now() - started) / 1000));
  started = performance.now();
  for (let i = 0; i < STATE_WRITES; i++) await backend.state.write({ [`conv/${i % 200}`]: { DialogState: { n: i }, eTag: '*' } });
  const stateWritesPerSec = Math.round(STATE_WRITES / ((performance.now() - started) / 1000));
  return { figure: `storage-${backend.kind}`, store: backend.kind, events: EVENTS, stored: await backend.events.count(), eventsPerSec, stateWritesPerSec };
}

async function main(): Promise<void> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'dialogo-bench-'));
  try {
    const sqlite = openSqliteBackend(dir);
    process.stdout.write(`${JSON.stringify(await measure(sqlite))}\n`);
    await sqlite.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const uri = process.env.MONGODB_URI;
  if (uri) {
    const mongo = await openMongoBackend(uri, `bench_${randomUUID().slice(0, 8)}`);
    process.stdout.write(`${JSON.stringify(await measure(mongo))}\n`);
    await mongo.close();
  } else {
    process.stderr.write('MONGODB_URI not set: MongoDB not measured\n');
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`bench:storage: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exitCode = 2;
});
