// MONGODB_URI=... npx ts-node --transpile-only scripts/bench-directline-store.ts : what a Direct Line
// operation costs on the shared MongoDB store against the in-memory one: an append, a poll at the head
// (the usual read), a replay of a whole conversation, and appends from two instances (two clients) at
// once into one conversation. Uses its own database and drops it.
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { MongoClient } from 'mongodb';
import type { ConversationStore } from '../src/channels/directline/conversation-store';
import { MemoryConversationStore } from '../src/channels/directline/memory-conversation-store';
import { createRecordCipher } from '../src/privacy/encryption';
import { createConversationIndexes, MongoConversationStore } from '../src/storage/mongodb/mongodb-conversation-store';

const CONVERSATIONS = 20;
const APPENDS = 2_000;
const READS = 2_000;
const base = { userId: 'dl_bench', locale: 'it-IT', serviceUrl: 'http://localhost/v3/directline' };
const message = (i: number) => ({ type: 'message', text: `Vorrei sapere come rinnovare la carta d'identità, messaggio ${i}`, from: { id: 'dl_bench', name: '' } });

function summary(samples: number[]): string {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
  const mean = samples.reduce((sum, x) => sum + x, 0) / samples.length;
  return `mean ${mean.toFixed(2)} ms, p50 ${at(0.5).toFixed(2)}, p95 ${at(0.95).toFixed(2)}`;
}

async function timed(count: number, work: (i: number) => Promise<unknown>): Promise<number[]> {
  const samples: number[] = [];
  for (let i = 0; i < count; i += 1) {
    const started = performance.now();
    await work(i);
    samples.push(performance.now() - started);
  }
  return samples;
}

async function measure(name: string, store: ConversationStore): Promise<void> {
  const ids = Array.from({ length: CONVERSATIONS }, () => `bench-${randomUUID()}`);
  for (const id of ids) await store.create({ id, ...base });
  const appends = await timed(APPENDS, (i) => store.append(ids[i % CONVERSATIONS] ?? '', message(i)));
  const heads = await timed(READS, async (i) => {
    const id = ids[i % CONVERSATIONS] ?? '';
    return store.activitiesAfter(id, (await store.lastWatermark(id)) - 1);
  });
  const replays = await timed(200, (i) => store.activitiesAfter(ids[i % CONVERSATIONS] ?? '', 0));
  process.stdout.write(`${name}: append ${summary(appends)}; head poll (lastWatermark + activitiesAfter) ${summary(heads)}; replay of 100 ${summary(replays)}\n`);
}

async function main(): Promise<void> {
  const uri = process.env.MONGODB_URI;
  if (!uri) throw new Error('set MONGODB_URI (for example the test server: npm run mongo:test-server)');
  const cipher = createRecordCipher('bench-key-bench-key-bench-key-bench-key!');
  const clients = [new MongoClient(uri), new MongoClient(uri)];
  await Promise.all(clients.map((c) => c.connect()));
  const dbName = `bench_dl_${randomUUID().slice(0, 8)}`;
  const dbs = clients.map((c) => c.db(dbName));
  try {
    await createConversationIndexes(dbs[0]!);
    await measure('memory', new MemoryConversationStore());
    const stores = dbs.map((db) => new MongoConversationStore(db, { cipher, onUnreadable: () => undefined }));
    await measure('mongodb', stores[0]!);
    const shared = `bench-${randomUUID()}`;
    await stores[0]!.create({ id: shared, ...base });
    const started = performance.now();
    // Two instances, four appenders each, into one conversation.
    const results = await Promise.all(
      Array.from({ length: 8 }, (_, w) => timed(APPENDS / 8, (i) => stores[w % 2]!.append(shared, message(w * 1000 + i)))),
    );
    const seconds = (performance.now() - started) / 1000;
    const seqs = new Set((await stores[1]!.activitiesAfter(shared, APPENDS - 100)).map((s) => s.seq));
    process.stdout.write(
      `mongodb, two instances x 4 appenders, one conversation: ${(APPENDS / seconds).toFixed(0)} appends/s, ${summary(results.flat())}; last watermark ${await stores[0]!.lastWatermark(shared)}, ${seqs.size} of the last 100 read back\n`,
    );
  } finally {
    await dbs[0]!.dropDatabase();
    await Promise.all(clients.map((c) => c.close()));
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`bench-directline-store: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 2;
});
