// npm run --silent bench:turn: the CPU a Dialogo turn costs on its own, without the transport, for
// docs/benchmarks.md (issue 16). One process: Dialogo on its embedded defaults (SQLite in a
// temporary folder, local recognizer), its Direct Line conversations created in the store, and each
// citizen's message handed to the Direct Line adapter as the route does after reading the POST
// (`receiveActivity`: stored, run through the middleware, the dialogs and the recorder, the replies
// stored). No HTTP request, no token check, no WebSocket: what bench:directline adds is the
// transport, which its echo bot measures. CONVERSATIONS conversations ask TURNS questions of the
// development set each, one after the other, all conversations at once; each round's CPU time
// (process.cpuUsage, after the write-behind batches are written) is divided by its turns. The
// figure is the median of ROUNDS rounds after two warm-up rounds; runs of bench:directline move by
// 10-20 % on this machine, the median of this one by a few per cent, so a change of a few per cent
// in a turn's own work shows here and not there.
// Options: --conversations N (200), --turns N (30), --rounds N (7), --json (one JSON line).
// BENCH_PROFILE=<file> writes a CPU profile of the timed rounds; BENCH_HEAP_PROFILE=<file> a sampling
// profile of what they allocate (objects collected since included: what the garbage collector works on).
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../src/config';
import { startDialogo } from '../src/index';
import { createLogger } from '../src/logger';
import { parseEvaluationFile, percentile, round } from '../src/nlu/evaluation';

function option(name: string, fallback: number): number {
  const at = process.argv.indexOf(`--${name}`);
  const value = at >= 0 ? Number(process.argv[at + 1]) : fallback;
  if (!Number.isInteger(value) || value < 1) throw new Error(`--${name} takes a whole number above 0`);
  return value;
}

const CONVERSATIONS = option('conversations', 200);
const TURNS = option('turns', 30);
const ROUNDS = option('rounds', 7);
const JSON_OUT = process.argv.includes('--json');
/** Longer than the write-behind delays (250 ms), so that a round's batches are written within it. */
const SETTLE_MS = 400;

async function main(): Promise<void> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'dialogo-bench-turn-'));
  const dialogo = await startDialogo(
    loadConfig({ PORT: '0', HOST: '127.0.0.1', KB_DIR: 'knowledge-base', KB_WATCH: 'false', NODE_ENV: 'test', LOG_LEVEL: 'silent', DATA_DIR: dataDir }),
    createLogger('silent'),
  );
  const texts = ['tests/fixtures/dev-set.jsonl', 'tests/fixtures/dev-set-held-out.jsonl']
    .flatMap((file) => parseEvaluationFile(readFileSync(path.resolve(file), 'utf8')))
    .map((line) => line.text); // timing only: both parts of the development set
  const adapter = dialogo.directLine;
  let made = 0;
  /** A round: fresh conversations (created and welcomed outside the timing), then the timed turns. */
  const runRound = async (): Promise<{ cpuUs: number; loopUs: number; wallMs: number }> => {
    const conversations = [];
    for (let i = 0; i < CONVERSATIONS; i += 1) {
      made += 1;
      const conversation = await adapter.store.create({ id: `bench-${made}`, userId: `dl_bench-${made}`, locale: 'it-IT', serviceUrl: 'http://127.0.0.1/v3/directline' });
      await adapter.startConversation(conversation);
      conversations.push(conversation);
    }
    await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
    const cpu = process.cpuUsage();
    const loop = performance.eventLoopUtilization();
    const started = performance.now();
    await Promise.all(
      conversations.map(async (conversation, c) => {
        for (let t = 0; t < TURNS; t += 1) {
          const text = texts[(c * 7 + t) % texts.length]!;
          await adapter.receiveActivity(conversation, { type: 'message', text, from: { id: conversation.userId, name: '' }, locale: 'it-IT' });
        }
      }),
    );
    const wallMs = performance.now() - started;
    await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
    const used = process.cpuUsage(cpu);
    return { cpuUs: used.user + used.system, loopUs: performance.eventLoopUtilization(loop).active * 1000, wallMs };
  };

  // Two warm-up rounds: the first rounds of a fresh process are slower while V8 compiles the turn's code.
  await runRound();
  await runRound();
  const profiler = process.env.BENCH_PROFILE || process.env.BENCH_HEAP_PROFILE ? new Session() : undefined;
  profiler?.connect();
  if (profiler && process.env.BENCH_PROFILE) {
    await profiler.post('Profiler.enable');
    await profiler.post('Profiler.setSamplingInterval', { interval: 200 });
    await profiler.post('Profiler.start');
  }
  if (profiler && process.env.BENCH_HEAP_PROFILE) {
    await profiler.post('HeapProfiler.enable');
    await profiler.post('HeapProfiler.startSampling', { samplingInterval: 4096, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true });
  }
  const perTurnUs: number[] = [];
  const loopPerTurnUs: number[] = [];
  const turnsPerSec: number[] = [];
  for (let r = 0; r < ROUNDS; r += 1) {
    const { cpuUs, loopUs, wallMs } = await runRound();
    const turns = CONVERSATIONS * TURNS;
    perTurnUs.push(cpuUs / turns);
    loopPerTurnUs.push(loopUs / turns);
    turnsPerSec.push(turns / (wallMs / 1000));
  }
  if (profiler && process.env.BENCH_PROFILE) {
    const { profile } = await profiler.post('Profiler.stop');
    writeFileSync(process.env.BENCH_PROFILE, JSON.stringify(profile));
  }
  if (profiler && process.env.BENCH_HEAP_PROFILE) {
    const { profile } = await profiler.post('HeapProfiler.stopSampling');
    writeFileSync(process.env.BENCH_HEAP_PROFILE, JSON.stringify(profile));
  }
  profiler?.disconnect();
  await dialogo.stop();
  rmSync(dataDir, { recursive: true, force: true });

  const sorted = [...perTurnUs].sort((a, b) => a - b);
  const loopSorted = [...loopPerTurnUs].sort((a, b) => a - b);
  const figure = {
    figure: `turn-cpu-${CONVERSATIONS}`,
    conversations: CONVERSATIONS,
    turnsPerRound: CONVERSATIONS * TURNS,
    rounds: ROUNDS,
    cpuMsPerTurnMedian: round(percentile(sorted, 0.5) / 1000),
    cpuMsPerTurnMin: round(sorted[0]! / 1000),
    cpuMsPerTurnMax: round(sorted[sorted.length - 1]! / 1000),
    loopMsPerTurnMedian: round(percentile(loopSorted, 0.5) / 1000),
    loopMsPerTurnMin: round(loopSorted[0]! / 1000),
    loopMsPerTurnMax: round(loopSorted[loopSorted.length - 1]! / 1000),
    turnsPerSecMedian: Math.round(percentile([...turnsPerSec].sort((a, b) => a - b), 0.5)),
  };
  if (JSON_OUT) console.log(JSON.stringify(figure));
  else {
    console.log(`${CONVERSATIONS} conversations x ${TURNS} turns, ${ROUNDS} rounds after two warm-up rounds (no transport)`);
    console.log(`CPU per turn: median ${figure.cpuMsPerTurnMedian} ms (min ${figure.cpuMsPerTurnMin}, max ${figure.cpuMsPerTurnMax}); rounds ${perTurnUs.map((us) => (us / 1000).toFixed(3)).join(' ')}`);
    console.log(`event loop busy per turn: median ${figure.loopMsPerTurnMedian} ms (min ${figure.loopMsPerTurnMin}, max ${figure.loopMsPerTurnMax}); rounds ${loopPerTurnUs.map((us) => (us / 1000).toFixed(3)).join(' ')}`);
    console.log(`turns per second (one process, no transport): median ${figure.turnsPerSecMedian}`);
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
