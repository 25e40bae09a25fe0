// npm run --silent bench:memory: Dialogo's memory with many live Direct Line conversations, for
// docs/benchmarks.md. It runs from the build (dist/, as `npm start` does). Dialogo runs in a child
// process (this script forked with --serve, with --expose-gc) on its embedded defaults (SQLite in a temp DATA_DIR), the per-address limit of new
// conversations lifted (every conversation comes from 127.0.0.1). The child answers 'memory' over
// IPC with process.memoryUsage() after a full GC, plus what the Direct Line store counts against
// DIRECTLINE_MEMORY_MB (heldBytes); 'snapshot <file>' writes a heap snapshot there.
//
// Default: CONVERSATIONS (10,000) citizens, CONCURRENCY at a time, each: a token, a conversation, its
// WebSocket stream, the welcome, TURNS questions (each after the previous reply, read on the stream).
// Streams stay open, as a citizen's widget keeps its socket, up to OPEN_STREAMS (all by default;
// BENCH_OPEN_STREAMS lowers it where file descriptors are short: both processes hold one per socket);
// beyond it a conversation's stream closes once its turns are done. Figures: memory before any
// conversation, after all, and a minute later with the streams still open (settled*: what V8 gives
// back once allocation stops), and the durable store's bytes written per turn as a conversation grows.
// BENCH_NODE_FLAGS passes flags to the server child (say '--max-semi-space-size=4'), to measure them.
// BENCH_HEAP_SNAPSHOT=<file> writes the child's heap snapshot at the end.
//
// `-- --soak [minutes]` (default 10): LIVE (50) citizens at a time, each starting a conversation,
// asking TURNS questions with a pause between them, closing its stream and leaving, then starting
// again, so the live count stays steady; memory sampled every 10 s; one line at the end with the
// samples' first, last and max, and the slope (MB a minute, least squares) over the second half,
// or over the samples after `--warmup M` minutes when given: what the process keeps for a while by
// design (dialog state served from memory, the aggregator's open sessions: 30 minutes each) fills
// during the warm-up, and the slope after it says whether the steady state is flat.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { writeHeapSnapshot } from 'node:v8';
import { MemoryStorage, type StoreItems } from 'botbuilder';
import { DIRECTLINE_PREFIX } from '../src/channels/directline/directline-routes';
import { DurableConversationStore } from '../src/channels/directline/durable-conversation-store';
import { loadConfig } from '../src/config';
import { startDialogo } from '../src/index';
import { createLogger } from '../src/logger';
import { parseEvaluationFile, round } from '../src/nlu/evaluation';
import { benchNodeFlags, forkServer } from './bench-server';
import { Citizen } from './directline-citizen';

const CONVERSATIONS = Number(process.env.BENCH_CONVERSATIONS ?? 10_000);
const OPEN_STREAMS = Number(process.env.BENCH_OPEN_STREAMS ?? CONVERSATIONS);
const CONCURRENCY = 50;
const TURNS = 3;
const LIVE = 50;
const SOAK_PAUSE_MS = 1_000;
const SAMPLE_EVERY_MS = 10_000;
const SETTLE_MS = 60_000;
const MB = 1024 * 1024;
const compiled = __filename.endsWith('.js');

const soakAt = process.argv.indexOf('--soak');
const SOAK_MINUTES = soakAt >= 0 ? Number(process.argv[soakAt + 1] ?? '') || 10 : 0;
const warmupAt = process.argv.indexOf('--warmup');
const WARMUP_MINUTES = warmupAt >= 0 ? Number(process.argv[warmupAt + 1] ?? '') : undefined;
if (WARMUP_MINUTES !== undefined && !(WARMUP_MINUTES >= 0 && WARMUP_MINUTES < SOAK_MINUTES)) {
  throw new Error('--warmup takes the minutes before the slope is measured, fewer than --soak\'s');
}

// ---------------------------------------------------------------- server side (child process)

interface MemorySample {
  readonly rssMb: number;
  readonly heapUsedMb: number;
  readonly heapTotalMb: number;
  readonly externalMb: number;
  readonly arrayBuffersMb: number;
  /** What the Direct Line store counts against its budget (activities as JSON plus 512 bytes a conversation). */
  readonly heldMb: number;
}

async function serve(dataDir: string): Promise<void> {
  const config = loadConfig({
    PORT: '0',
    HOST: '127.0.0.1',
    KB_DIR: 'knowledge-base',
    KB_WATCH: 'false',
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    DATA_DIR: dataDir,
    DIRECTLINE_CONVERSATIONS_PER_MINUTE: '100000',
  });
  const dialogo = await startDialogo(config, createLogger('silent'));
  const store = dialogo.directLine.store;
  process.on('message', (message: unknown) => {
    if (message === 'memory') {
      const gc = (globalThis as { gc?: () => void }).gc;
      gc?.();
      const usage = process.memoryUsage();
      const held = store instanceof DurableConversationStore ? store.heldBytes : 0;
      const sample: MemorySample = {
        rssMb: round(usage.rss / MB),
        heapUsedMb: round(usage.heapUsed / MB),
        heapTotalMb: round(usage.heapTotal / MB),
        externalMb: round(usage.external / MB),
        arrayBuffersMb: round(usage.arrayBuffers / MB),
        heldMb: round(held / MB),
      };
      process.send?.({ sample });
    } else if (typeof message === 'string' && message.startsWith('snapshot ')) {
      process.send?.({ snapshot: writeHeapSnapshot(message.slice('snapshot '.length)) });
    } else if (message === 'stop') {
      dialogo.stop().then(
        () => process.exit(0),
        (error: unknown) => {
          process.stderr.write(`bench-memory server: ${error instanceof Error ? error.stack : String(error)}\n`);
          process.exit(1);
        },
      );
    }
  });
  process.send?.({ port: dialogo.port });
}

// ---------------------------------------------------------------- client side

interface Server {
  readonly port: number;
  memory(): Promise<MemorySample>;
  snapshot(file: string): Promise<string>;
  stop(): Promise<void>;
}

async function spawnServer(dataDir: string): Promise<Server> {
  // From the build (npm run bench:memory), the child runs compiled JavaScript as `npm start` does; under
  // ts-node the TypeScript compiler would sit in the child's heap and be counted as Dialogo's.
  const execArgv = ['--expose-gc', ...benchNodeFlags(), ...(compiled ? [] : ['-r', 'ts-node/register/transpile-only'])];
  const server = await forkServer(__filename, ['--serve', dataDir], execArgv, 20_000, 'the server');
  return {
    port: server.port,
    memory: () => server.ask('memory', (m) => m.sample as MemorySample | undefined),
    snapshot: (file) => server.ask(`snapshot ${file}`, (m) => m.snapshot as string | undefined),
    stop: () => server.stop(),
  };
}

const flagsOfServer = () => process.env.BENCH_NODE_FLAGS ?? '';
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const line = (figure: Record<string, unknown>) => process.stdout.write(`${JSON.stringify(figure)}\n`);

/** 10,000 conversations, CONCURRENCY at a time; the first OPEN_STREAMS keep their streams open. */
async function manyConversations(server: Server, base: string, texts: readonly string[]): Promise<void> {
  const baseline = await server.memory();
  process.stderr.write(`before any conversation: ${JSON.stringify(baseline)}\n`);
  const open: Citizen[] = [];
  let next = 0;
  const started = performance.now();
  try {
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < CONVERSATIONS) {
          const i = next++;
          const citizen = new Citizen(base, `c${i}`);
          await citizen.start(true);
          for (let t = 0; t < TURNS; t++) await citizen.ask(texts[(i * TURNS + t) % texts.length] ?? '', t);
          if (i < OPEN_STREAMS) open.push(citizen);
          else citizen.close();
          if ((i + 1) % 1000 === 0) process.stderr.write(`${i + 1} conversations\n`);
        }
      }),
    );
    const seconds = (performance.now() - started) / 1000;
    const after = await server.memory();
    // The same process a minute later, streams still open and nothing asked: what V8 gives back once
    // the allocation of the run has stopped (its heap grows while conversations pour in).
    await pause(SETTLE_MS);
    const settled = await server.memory();
    line({
      figure: `memory-${CONVERSATIONS}-conversations`,
      runtime: compiled ? 'dist' : 'ts-node',
      conversations: CONVERSATIONS,
      openStreams: open.length,
      turnsPerConversation: TURNS,
      ...after,
      baselineRssMb: baseline.rssMb,
      baselineHeapUsedMb: baseline.heapUsedMb,
      perConversationKb: round(((after.rssMb - baseline.rssMb) * 1024) / CONVERSATIONS),
      settledAfterSeconds: SETTLE_MS / 1000,
      settledRssMb: settled.rssMb,
      settledHeapUsedMb: settled.heapUsedMb,
      settledHeapTotalMb: settled.heapTotalMb,
      nodeFlags: flagsOfServer(),
      seconds: round(seconds),
      loadavg: readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' '),
    });
    if (process.env.BENCH_HEAP_SNAPSHOT) process.stderr.write(`heap snapshot: ${await server.snapshot(process.env.BENCH_HEAP_SNAPSHOT)}\n`);
  } finally {
    open.forEach((c) => c.close());
  }
}

/** Least-squares slope of y over x. */
function slope(points: readonly { x: number; y: number }[]): number {
  const n = points.length;
  if (n < 2) return 0;
  const mx = points.reduce((s, p) => s + p.x, 0) / n;
  const my = points.reduce((s, p) => s + p.y, 0) / n;
  const num = points.reduce((s, p) => s + (p.x - mx) * (p.y - my), 0);
  const den = points.reduce((s, p) => s + (p.x - mx) ** 2, 0);
  return den === 0 ? 0 : num / den;
}

/** LIVE citizens turning over for SOAK_MINUTES; memory sampled every 10 s. */
async function soak(server: Server, base: string, texts: readonly string[]): Promise<void> {
  const endAt = performance.now() + SOAK_MINUTES * 60_000;
  const samples: (MemorySample & { minute: number })[] = [];
  let conversations = 0;
  let turns = 0;
  const t0 = performance.now();
  const sampler = (async () => {
    while (performance.now() < endAt) {
      const sample = { minute: round((performance.now() - t0) / 60_000), ...(await server.memory()) };
      samples.push(sample);
      process.stderr.write(`${JSON.stringify({ ...sample, conversations, turns })}\n`);
      await pause(SAMPLE_EVERY_MS);
    }
  })();
  await Promise.all(
    Array.from({ length: LIVE }, async (_, w) => {
      while (performance.now() < endAt) {
        const i = conversations++;
        const citizen = new Citizen(base, `s${w}-${i}`);
        try {
          await citizen.start(true);
          for (let t = 0; t < TURNS && performance.now() < endAt; t++) {
            await pause(SOAK_PAUSE_MS);
            await citizen.ask(texts[(i * TURNS + t) % texts.length] ?? '', t);
            turns += 1;
          }
        } finally {
          citizen.close();
        }
      }
    }),
  );
  await sampler;
  samples.push({ minute: round((performance.now() - t0) / 60_000), ...(await server.memory()) });
  const fromMinute = WARMUP_MINUTES ?? samples[Math.floor(samples.length / 2)]?.minute ?? 0;
  const half = samples.filter((s) => s.minute >= fromMinute);
  const summary = (field: 'rssMb' | 'heapUsedMb' | 'heldMb') => ({
    first: samples[0]?.[field] ?? 0,
    last: samples.at(-1)?.[field] ?? 0,
    max: Math.max(...samples.map((s) => s[field])),
    slopeMbPerMin: round(slope(half.map((s) => ({ x: s.minute, y: s[field] })))),
  });
  line({
    figure: 'memory-soak',
    runtime: compiled ? 'dist' : 'ts-node',
    minutes: SOAK_MINUTES,
    slopeFromMinute: fromMinute,
    liveConversations: LIVE,
    conversations,
    turns,
    samples: samples.length,
    rssMb: summary('rssMb'),
    heapUsedMb: summary('heapUsedMb'),
    heldMb: summary('heldMb'),
    loadavg: readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' '),
  });
}

/**
 * Bytes the durable store writes for a turn (a question and an answer, written before the next turn)
 * as a conversation grows, on a counting MemoryStorage; beside them, the one record holding the whole
 * history that the store wrote per change before (December 2026), measured as the JSON it would be.
 */
async function bytesPerTurn(): Promise<void> {
  const storage = new MemoryStorage();
  let counted = 0;
  const write = storage.write.bind(storage);
  storage.write = async (changes: StoreItems) => {
    for (const item of Object.values(changes)) counted += Buffer.byteLength(JSON.stringify(item));
    return write(changes);
  };
  const store = new DurableConversationStore(storage);
  const id = 'bench-conversation';
  await store.create({ id, userId: 'dl_bench', locale: 'it-IT', serviceUrl: 'http://127.0.0.1/v3/directline' });
  const figure: Record<string, number | string> = { figure: 'directline-store-bytes-per-turn' };
  for (let turn = 1; turn <= 50; turn += 1) {
    const before = counted;
    await store.append(id, { type: 'message', text: `Come posso rinnovare la carta d'identità elettronica? (${turn})`, from: { id: 'dl_bench', name: '' }, locale: 'it-IT' });
    await store.append(id, { type: 'message', text: `Per la carta d'identità elettronica prenota un appuntamento all'anagrafe (${turn}).`, from: { id: 'dialogo', name: 'Dialogo' } });
    await store.flush();
    if ([3, 30, 50].includes(turn)) {
      const conversation = await store.get(id);
      const wholeHistory = Buffer.byteLength(JSON.stringify({ conversation, activities: await store.activitiesAfter(id, 0), next: (await store.lastWatermark(id)) + 1, eTag: '*' }));
      figure[`turn${turn}Bytes`] = counted - before;
      figure[`turn${turn}WholeHistoryBytes`] = wholeHistory;
    }
  }
  line(figure);
}

async function main(): Promise<void> {
  const texts = parseEvaluationFile(readFileSync(path.resolve('tests/fixtures/dev-set.jsonl'), 'utf8')).map((l) => l.text);
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'dialogo-bench-memory-'));
  let server: Server | undefined;
  try {
    if (!SOAK_MINUTES) await bytesPerTurn();
    server = await spawnServer(dataDir);
    const base = `http://127.0.0.1:${server.port}${DIRECTLINE_PREFIX}`;
    if (SOAK_MINUTES) await soak(server, base, texts);
    else await manyConversations(server, base, texts);
  } finally {
    await server?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

if (process.argv[2] === '--serve') {
  serve(process.argv[3] ?? '').catch((error: unknown) => {
    process.stderr.write(`bench-memory server: ${error instanceof Error ? error.stack : String(error)}\n`);
    process.exit(1);
  });
} else {
  main().catch((error: unknown) => {
    process.stderr.write(`bench-memory: ${error instanceof Error ? error.stack : String(error)}\n`);
    process.exitCode = 2;
  });
}
