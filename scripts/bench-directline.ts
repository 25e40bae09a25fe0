// npm run --silent bench:directline: Direct Line throughput and latency on
// this machine, for docs/benchmarks.md. Two servers on the same Direct Line path (DirectLineAdapter,
// mountDirectLine, restify from createServer): Dialogo itself (startDialogo) and an echo bot, so the
// cost of the transport is separated from Dialogo's own work. Each server runs in a child process
// (this script, forked with --serve), so it has its own event loop and the client does not share it.
// Client: plain HTTP (fetch) and the `ws` package, as directlinejs does with webSocket: true. Each
// conversation generates a token, starts, opens its stream, waits for the welcome (Dialogo), then
// asks TURNS questions of the development set in sequence, each after the previous reply; all
// conversations run concurrently. A turn's latency runs from the POST of the citizen's activity
// until the bot's reply (a message whose replyToId is that activity's id) arrives on the stream.
// TURNS (30) stays under the endpoint's 60 activities a minute per conversation. The warm-up and
// the conversations' start-up are not timed. BENCH_CPU=1 adds clientCpuS and serverCpuS to each line.
// BENCH_NODE_FLAGS passes flags to both server children (say '--optimize-for-size'), to measure them.
// `--cluster` (with MONGODB_URI and REDIS_URL) measures cluster mode instead: Dialogo alone in cluster
// mode, then two instances behind a round-robin balancer without affinity (tests/fixtures/cluster.ts),
// all on this machine; serverCpuS is then the sum over the instances.
// BENCH_PROFILE=<folder> writes a CPU profile of each server process over each timed run (not the
// start-up, the warm-up or the conversations' start), as <folder>/<bot>-<conversations>-<pid>.cpuprofile.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { CloudAdapter, type TurnContext } from 'botbuilder';
import { DirectLineAdapter } from '../src/channels/directline/directline-adapter';
import { DIRECTLINE_PREFIX, mountDirectLine } from '../src/channels/directline/directline-routes';
import { MemoryConversationStore } from '../src/channels/directline/memory-conversation-store';
import { DirectLineTokens } from '../src/channels/directline/tokens';
import { loadConfig } from '../src/config';
import { startDialogo } from '../src/index';
import { createLogger } from '../src/logger';
import { parseEvaluationFile, percentile, round } from '../src/nlu/evaluation';
import { createServer } from '../src/server/create-server';
import { RoundRobinProxy } from '../tests/fixtures/cluster';
import { benchNodeFlags, forkServer } from './bench-server';
import { Citizen } from './directline-citizen';

type BotKind = 'dialogo' | 'echo' | 'dialogo-cluster';

const CLUSTER = process.argv.includes('--cluster');
/** Each measured setup: which server, how many instances behind the balancer. */
const SETUPS: readonly { bot: BotKind; instances: number }[] = CLUSTER
  ? [
      { bot: 'dialogo-cluster', instances: 1 },
      { bot: 'dialogo-cluster', instances: 2 },
    ]
  : [
      { bot: 'echo', instances: 1 },
      { bot: 'dialogo', instances: 1 },
    ];
/** Keys every cluster instance shares (the configuration refuses cluster mode without them). */
const CLUSTER_ENV = {
  DIRECTLINE_SECRET: 'bench-directline-secret',
  OPERATOR_TOKEN_SECRET: 'bench-operator-token-secret',
  PSEUDONYM_SECRET: 'bench-pseudonym-secret-0',
  DATA_ENCRYPTION_KEY: 'bench-data-encryption-key-0123456789',
};
const CONCURRENCY = [50, 200] as const;
const TURNS = 30;
const WARMUP = { conversations: 50, turns: 10 };
/** BENCH_CPU=1 adds the CPU seconds of client and server during each timed run (to see which side saturates). */
const SHOW_CPU = process.env.BENCH_CPU === '1';
const PROFILE_DIR = process.env.BENCH_PROFILE;
const GRACE_MS = 10_000;

// ---------------------------------------------------------------- server side (child process)

interface Running {
  readonly port: number;
  stop(): Promise<void>;
}

async function startEcho(): Promise<Running> {
  const logger = createLogger('silent');
  const botLogic = async (context: TurnContext) => {
    if (context.activity.type === 'message') await context.sendActivity(context.activity.text ?? '');
  };
  const directLine = new DirectLineAdapter({ store: new MemoryConversationStore(), botLogic });
  // createServer wants a CloudAdapter for /api/messages; it is never called here.
  const server = createServer({ adapter: new CloudAdapter(), botLogic, logger, readiness: () => ({ ready: true, details: {} }) });
  // Every bench conversation comes from 127.0.0.1: lift the per-address limit of new conversations.
  const endpoint = mountDirectLine(server.server, { adapter: directLine, tokens: new DirectLineTokens(undefined), secret: undefined, logger, conversationsPerMinute: 100_000 });
  await new Promise<void>((resolve, reject) => {
    server.server.once('error', reject);
    server.server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.server.address();
  return {
    port: typeof address === 'object' && address ? address.port : 0,
    stop: async () => {
      await Promise.all([endpoint.shutdown(GRACE_MS), server.shutdown(GRACE_MS)]);
    },
  };
}

async function startDialogoServer(dataDir: string, cluster: boolean): Promise<Running> {
  const config = loadConfig({
    ...(cluster ? { ...CLUSTER_ENV, MONGODB_URI: process.env.MONGODB_URI, MONGODB_DB: process.env.BENCH_MONGODB_DB, REDIS_URL: process.env.REDIS_URL } : {}),
    PORT: '0',
    HOST: '127.0.0.1',
    KB_DIR: 'knowledge-base',
    KB_WATCH: 'false',
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    DATA_DIR: dataDir,
    DIRECTLINE_CONVERSATIONS_PER_MINUTE: '100000',
  });
  return startDialogo(config, createLogger('silent'));
}

async function serve(bot: BotKind, dataDir: string): Promise<void> {
  const running = bot === 'echo' ? await startEcho() : await startDialogoServer(dataDir, bot === 'dialogo-cluster');
  let profiler: Session | undefined;
  process.on('message', (message: unknown) => {
    if (typeof message === 'object' && message && 'profile' in message) {
      const { profile } = message as { profile: string };
      void (async () => {
        if (profile === 'start') {
          profiler = new Session();
          profiler.connect();
          await profiler.post('Profiler.enable');
          await profiler.post('Profiler.setSamplingInterval', { interval: 200 });
          await profiler.post('Profiler.start');
        } else if (profiler) {
          const { profile: recorded } = await profiler.post('Profiler.stop');
          mkdirSync(path.dirname(profile), { recursive: true });
          writeFileSync(profile.replace(/\.cpuprofile$/, `-${process.pid}.cpuprofile`), JSON.stringify(recorded));
          profiler.disconnect();
          profiler = undefined;
        }
        process.send?.({ profiled: profile });
      })();
      return;
    }
    if (message === 'cpu') {
      const { user, system } = process.cpuUsage();
      process.send?.({ cpuS: (user + system) / 1e6 });
      return;
    }
    if (message !== 'stop') return;
    running.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        process.stderr.write(`bench-directline server: ${error instanceof Error ? error.stack : String(error)}\n`);
        process.exit(1);
      },
    );
  });
  process.send?.({ port: running.port });
}

// ---------------------------------------------------------------- client side

interface ServerProcess {
  readonly port: number;
  /** CPU seconds the server process has used so far. */
  cpu(): Promise<number>;
  /** Starts the CPU profiler (`start`), or stops it and writes the profile to the file named. */
  profile(what: string): Promise<void>;
  stop(): Promise<void>;
}

async function spawnServer(bot: BotKind, dataDir: string): Promise<ServerProcess> {
  const server = await forkServer(__filename, ['--serve', bot, dataDir], [...benchNodeFlags(), '-r', 'ts-node/register/transpile-only'], GRACE_MS + 5_000, `${bot} server`);
  return {
    port: server.port,
    cpu: () => server.ask('cpu', (m) => (typeof m.cpuS === 'number' ? m.cpuS : undefined)),
    profile: (what) => server.ask({ profile: what }, (m) => (m.profiled === what ? true : undefined)).then(() => undefined),
    stop: () => server.stop(),
  };
}

let conversationsSoFar = 0;

/** Starts `conversations` citizens (not timed), then times TURNS questions each, all at once. */
async function run(server: ServerProcess, base: string, bot: string, conversations: number, turns: number, texts: readonly string[], profile = false) {
  const citizens = Array.from({ length: conversations }, (_, i) => new Citizen(base, `c${conversationsSoFar + i}`, CLUSTER ? CLUSTER_ENV.DIRECTLINE_SECRET : undefined));
  const offset = conversationsSoFar;
  conversationsSoFar += conversations;
  try {
    await Promise.all(citizens.map((c) => c.start(bot !== 'echo')));
    const times: number[] = [];
    const serverCpuBefore = SHOW_CPU ? await server.cpu() : 0;
    if (profile && PROFILE_DIR) await server.profile('start');
    const clientCpuBefore = process.cpuUsage();
    const started = performance.now();
    await Promise.all(
      citizens.map(async (citizen, i) => {
        for (let t = 0; t < turns; t++) times.push(await citizen.ask(texts[((offset + i) * turns + t) % texts.length] ?? '', t));
      }),
    );
    const seconds = (performance.now() - started) / 1000;
    const clientCpu = process.cpuUsage(clientCpuBefore);
    if (profile && PROFILE_DIR) await server.profile(path.resolve(PROFILE_DIR, `${bot}-${conversations}.cpuprofile`));
    const serverCpuS = SHOW_CPU ? (await server.cpu()) - serverCpuBefore : 0;
    const cpu = SHOW_CPU
      ? { clientCpuS: round((clientCpu.user + clientCpu.system) / 1e6), serverCpuS: round(serverCpuS), serverCpuMsPerTurn: round((serverCpuS * 1000) / (conversations * turns)) }
      : {};
    times.sort((a, b) => a - b);
    return {
      figure: `directline-${bot}-${conversations}`,
      bot,
      conversations,
      turns: times.length,
      seconds: round(seconds),
      turnsPerSec: round(times.length / seconds),
      p50Ms: round(percentile(times, 0.5)),
      p99Ms: round(percentile(times, 0.99)),
      ...cpu,
      ...(benchNodeFlags().length > 0 ? { nodeFlags: benchNodeFlags().join(' ') } : {}),
    };
  } finally {
    citizens.forEach((c) => c.close());
  }
}

async function main(): Promise<void> {
  const texts = ['tests/fixtures/dev-set.jsonl', 'tests/fixtures/dev-set-held-out.jsonl'].flatMap((file) => parseEvaluationFile(readFileSync(path.resolve(file), 'utf8'))).map((l) => l.text); // timing only: both parts of the dev set
  if (CLUSTER && (!process.env.MONGODB_URI || !process.env.REDIS_URL)) throw new Error('--cluster needs MONGODB_URI and REDIS_URL');
  const dirs: string[] = [];
  const results = new Map<string, { turnsPerSec: number; p99Ms: number }>();
  let servers: ServerProcess[] = [];
  let proxy: RoundRobinProxy | undefined;
  try {
    for (const { bot, instances } of SETUPS) {
      // A fresh database per setup, so that the second does not start on the first one's conversations.
      process.env.BENCH_MONGODB_DB = `dialogo_bench_${Date.now()}`;
      for (let i = 0; i < instances; i++) {
        const dataDir = mkdtempSync(path.join(os.tmpdir(), 'dialogo-bench-directline-'));
        dirs.push(dataDir);
        servers.push(await spawnServer(bot, dataDir));
      }
      const ports = servers.map((s) => s.port);
      proxy = instances > 1 ? await RoundRobinProxy.start(() => ports) : undefined;
      const port = proxy?.port ?? servers[0]?.port ?? 0;
      const all: ServerProcess = {
        port,
        cpu: async () => (await Promise.all(servers.map((s) => s.cpu()))).reduce((a, b) => a + b, 0),
        profile: async (what) => void (await Promise.all(servers.map((s) => s.profile(what)))),
        stop: async () => void (await Promise.all(servers.map((s) => s.stop()))),
      };
      const base = `http://127.0.0.1:${port}${DIRECTLINE_PREFIX}`;
      const label = CLUSTER ? `${bot}x${instances}` : bot;
      await run(all, base, label, WARMUP.conversations, WARMUP.turns, texts);
      for (const conversations of CONCURRENCY) {
        const figures = await run(all, base, label, conversations, TURNS, texts, true);
        process.stdout.write(`${JSON.stringify(figures)}\n`);
        const echo = results.get(`echo-${conversations}`);
        results.set(`${bot}-${conversations}`, figures);
        // Dialogo against the transport alone, measured in the same run (issue 16's targets).
        if (echo && bot !== 'echo') {
          process.stdout.write(
            `${JSON.stringify({ figure: `directline-ratio-${label}-${conversations}`, conversations, turnsPerSecVsEcho: round(figures.turnsPerSec / echo.turnsPerSec), p99VsEcho: round(figures.p99Ms / echo.p99Ms) })}\n`,
          );
        }
      }
      await proxy?.close();
      proxy = undefined;
      await all.stop();
      servers = [];
    }
  } finally {
    await proxy?.close();
    await Promise.all(servers.map((s) => s.stop()));
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[2] === '--serve') {
  serve(process.argv[3] as BotKind, process.argv[4] ?? '').catch((error: unknown) => {
    process.stderr.write(`bench-directline server: ${error instanceof Error ? error.stack : String(error)}\n`);
    process.exit(1);
  });
} else {
  main().catch((error: unknown) => {
    process.stderr.write(`bench-directline: ${error instanceof Error ? error.stack : String(error)}\n`);
    process.exitCode = 2;
  });
}
