// npm run --silent bench:messenger: Messenger webhook throughput and latency on this machine, for
// docs/benchmarks.md. Dialogo runs in a child process (this script forked with --serve), configured
// with MESSENGER_* and MESSENGER_GRAPH_URL pointing at a stand-in Graph API served by this (parent)
// process, which answers every Send API call at once and notes when it arrived. Each simulated citizen
// (a PSID) POSTs signed webhook deliveries of one text event, questions of the development set, one
// after another: the next once the answer to the previous one reached the Graph stand-in. All citizens
// run concurrently. Latency runs from the start of the webhook POST to the arrival of the answer's
// Send API call (typing_on is not counted); events per second are the events answered divided by the
// wall time of the run. The warm-up is not timed.
// Bursts: as when a post draws many citizens at once, N citizens' first events are all POSTed at
// the same instant (one delivery each, or, as Meta may batch them, deliveries of BURST_BATCH events),
// and each event's latency runs from the start of its delivery's POST to its answer's Send API call;
// ackP50Ms/ackP99Ms are the webhook's own answers (Meta redelivers what is not acknowledged quickly).
// Each line is one figure: `figure` names it (messenger-burst-200, messenger-steady-50...).
// `--burst` runs the bursts only; BENCH_CPU_PROF=<dir> writes a CPU profile of the Dialogo process there.
import { fork, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { signBody } from '../src/channels/messenger/signature';
import { loadConfig } from '../src/config';
import { startDialogo } from '../src/index';
import { createLogger } from '../src/logger';
import { parseEvaluationFile, percentile, round } from '../src/nlu/evaluation';

const SECRET = 'bench-app-secret-0123456789';
const PAGE_ID = '104857600000001';
const CITIZENS = [50, 200] as const;
const EVENTS_PER_CITIZEN = 20;
const WARMUP = { citizens: 20, events: 5 };
const TIMEOUT_MS = 60_000;
/** Citizens whose first events arrive at once, and how many events Meta puts in one delivery in the batched variant. */
const BURSTS = [50, 200] as const;
const BURST_BATCH = 20;
const BURST_ONLY = process.argv.includes('--burst');
const CPU_PROF_DIR = process.env.BENCH_CPU_PROF;

// ---------------------------------------------------------------- Dialogo (child process)

async function serve(graphUrl: string, dataDir: string): Promise<void> {
  const config = loadConfig({
    PORT: '0',
    HOST: '127.0.0.1',
    NODE_ENV: 'test',
    KB_WATCH: 'false',
    DATA_DIR: dataDir,
    MESSENGER_APP_SECRET: SECRET,
    MESSENGER_VERIFY_TOKEN: 'bench-verify-token',
    MESSENGER_PAGE_ACCESS_TOKEN: 'bench-page-token',
    MESSENGER_GRAPH_URL: graphUrl,
    MESSENGER_PAGE_ID: PAGE_ID,
  });
  const dialogo = await startDialogo(config, createLogger('silent'));
  process.on('message', (message: unknown) => {
    if (message === 'stop') void dialogo.stop().then(() => process.exit(0));
    // The CPU this process used so far, and the monotonic clock of a CPU profile's timestamps (µs), to cut out a burst.
    if (message === 'cpu') process.send?.({ cpuUs: process.cpuUsage(), atUs: Number(process.hrtime.bigint() / 1000n) });
  });
  process.send?.({ port: dialogo.port });
}

// ---------------------------------------------------------------- Graph stand-in and citizens (parent)

/** Answers of the Graph stand-in, per PSID, waited for by the citizen who asked. */
class GraphStandIn {
  private readonly waiting = new Map<string, (at: number) => void>();
  readonly server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const at = performance.now();
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { recipient?: { id?: string }; message?: unknown };
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ recipient_id: body.recipient?.id, message_id: `m_${Math.random().toString(36).slice(2)}` }));
      const psid = body.recipient?.id;
      if (!body.message || !psid) return;
      const resolve = this.waiting.get(psid);
      this.waiting.delete(psid);
      resolve?.(at);
    });
  });

  answerTo(psid: string): Promise<number> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no answer to ${psid} within ${TIMEOUT_MS} ms`)), TIMEOUT_MS);
      this.waiting.set(psid, (at) => {
        clearTimeout(timer);
        resolve(at);
      });
    });
  }
}

/** One text event of a citizen, as Meta sends it. */
function textEvent(psid: string, mid: string, text: string): Record<string, unknown> {
  return { sender: { id: psid }, recipient: { id: PAGE_ID }, timestamp: Date.now(), message: { mid, text } };
}

/** POSTs one signed delivery of `events` (in one entry); resolves when the webhook has answered 200. */
async function deliver(port: number, events: readonly Record<string, unknown>[]): Promise<void> {
  const raw = JSON.stringify({ object: 'page', entry: [{ id: PAGE_ID, time: Date.now(), messaging: events }] });
  const response = await fetch(`http://127.0.0.1:${port}/api/messenger`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-hub-signature-256': signBody(raw, SECRET) },
    body: raw,
  });
  await response.text();
  if (response.status !== 200) throw new Error(`webhook answered ${response.status}`);
}

async function citizen(port: number, graph: GraphStandIn, psid: string, questions: readonly string[], latencies: number[]): Promise<void> {
  for (const [i, question] of questions.entries()) {
    const answered = graph.answerTo(psid);
    const started = performance.now();
    await deliver(port, [textEvent(psid, `m_${psid}_${i}`, question)]);
    latencies.push((await answered) - started);
  }
}

/** N citizens' first events at once, in deliveries of `batch` events; latencies from each delivery's POST. */
/** The Dialogo process's CPU time (user + system, µs) and its monotonic clock (µs). */
function serverCpu(child: ChildProcess): Promise<{ cpuUs: number; atUs: number }> {
  return new Promise((resolve) => {
    const onMessage = (message: { cpuUs?: NodeJS.CpuUsage; atUs?: number }) => {
      if (!message.cpuUs || message.atUs === undefined) return;
      child.off('message', onMessage);
      resolve({ cpuUs: message.cpuUs.user + message.cpuUs.system, atUs: message.atUs });
    };
    child.on('message', onMessage);
    child.send('cpu');
  });
}

async function burst(port: number, graph: GraphStandIn, child: ChildProcess, citizens: number, batch: number, texts: readonly string[], prefix: string) {
  const psids = Array.from({ length: citizens }, (_, c) => `${prefix}${String(c).padStart(6, '0')}`);
  const latencies: number[] = [];
  const acks: number[] = [];
  const deliveries: string[][] = [];
  for (let i = 0; i < psids.length; i += batch) deliveries.push(psids.slice(i, i + batch));
  const before = await serverCpu(child);
  const started = performance.now();
  await Promise.all(
    deliveries.map(async (group, d) => {
      const answers = group.map((psid) => graph.answerTo(psid));
      const posted = performance.now();
      await deliver(port, group.map((psid, e) => textEvent(psid, `m_${psid}_burst`, texts[(d * batch + e) % texts.length] as string)));
      acks.push(performance.now() - posted);
      for (const at of await Promise.all(answers)) latencies.push(at - posted);
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  const after = await serverCpu(child);
  latencies.sort((a, b) => a - b);
  acks.sort((a, b) => a - b);
  const figure = `messenger-burst-${citizens}${batch > 1 ? `-batched-${batch}` : ''}`;
  if (CPU_PROF_DIR) process.stderr.write(`cpu-prof window ${figure} ${before.atUs} ${after.atUs}\n`);
  return {
    figure,
    citizens,
    deliveries: deliveries.length,
    events: latencies.length,
    seconds: round(seconds),
    p50Ms: round(percentile(latencies, 0.5)),
    p99Ms: round(percentile(latencies, 0.99)),
    maxMs: round(latencies[latencies.length - 1] ?? 0),
    ackP50Ms: round(percentile(acks, 0.5)),
    ackP99Ms: round(percentile(acks, 0.99)),
    serverCpuMsPerEvent: round((after.cpuUs - before.cpuUs) / 1000 / citizens),
  };
}

async function run(port: number, graph: GraphStandIn, citizens: number, events: number, texts: readonly string[], prefix: string) {
  const latencies: number[] = [];
  const started = performance.now();
  await Promise.all(
    Array.from({ length: citizens }, (_, c) => {
      const questions = Array.from({ length: events }, (_, e) => texts[(c * events + e) % texts.length] as string);
      return citizen(port, graph, `${prefix}${String(c).padStart(6, '0')}`, questions, latencies);
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  return {
    figure: `messenger-steady-${citizens}`,
    citizens,
    events: latencies.length,
    eventsPerSec: Math.round(latencies.length / seconds),
    p50Ms: round(percentile(latencies, 0.5)),
    p99Ms: round(percentile(latencies, 0.99)),
  };
}

async function main(): Promise<void> {
  // The development set only: the held-out part is read by the evaluation alone (issue 12).
  const texts = parseEvaluationFile(readFileSync(path.resolve(__dirname, '../tests/fixtures/dev-set.jsonl'), 'utf8')).map((l) => l.text);
  const graph = new GraphStandIn();
  await new Promise<void>((resolve) => graph.server.listen(0, '127.0.0.1', resolve));
  const graphUrl = `http://127.0.0.1:${(graph.server.address() as AddressInfo).port}/v25.0`;
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'dialogo-bench-messenger-'));
  const execArgv = ['-r', 'ts-node/register/transpile-only', ...(CPU_PROF_DIR ? ['--cpu-prof', `--cpu-prof-dir=${CPU_PROF_DIR}`] : [])];
  const child: ChildProcess = fork(__filename, ['--serve', graphUrl, dataDir], { execArgv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  try {
    const port = await new Promise<number>((resolve, reject) => {
      child.once('message', (message: { port: number }) => resolve(message.port));
      child.once('exit', (code) => reject(new Error(`Dialogo exited with ${code} before listening`)));
    });
    const print = (figure: object) => process.stdout.write(`${JSON.stringify(figure)}\n`);
    await run(port, graph, WARMUP.citizens, WARMUP.events, texts, '71');
    // Bursts first, on fresh citizens: every event is a citizen's first.
    for (const [i, citizens] of BURSTS.entries()) {
      process.stderr.write(`burst of ${citizens}\n`);
      print(await burst(port, graph, child, citizens, 1, texts, `74${i}`));
    }
    process.stderr.write(`burst of ${BURSTS[BURSTS.length - 1]} in deliveries of ${BURST_BATCH}\n`);
    print(await burst(port, graph, child, BURSTS[BURSTS.length - 1] ?? 200, BURST_BATCH, texts, '749'));
    if (BURST_ONLY) return;
    for (const [i, citizens] of CITIZENS.entries()) {
      process.stderr.write(`steady: ${citizens} citizens\n`);
      print(await run(port, graph, citizens, EVENTS_PER_CITIZEN, texts, `7${i + 2}`));
    }
  } finally {
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.send('stop');
    await exited;
    graph.server.closeAllConnections();
    graph.server.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

if (process.argv[2] === '--serve') {
  serve(process.argv[3] ?? '', process.argv[4] ?? '').catch((error: unknown) => {
    process.stderr.write(`bench-messenger server: ${error instanceof Error ? error.stack : String(error)}\n`);
    process.exit(1);
  });
} else {
  main().catch((error: unknown) => {
    process.stderr.write(`bench-messenger: ${error instanceof Error ? error.stack : String(error)}\n`);
    process.exit(1);
  });
}
