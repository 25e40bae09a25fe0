// npm run --silent bench:messenger: Messenger webhook throughput and latency on this machine, for
// docs/benchmarks.md. Dialogo runs in a child process (this script forked with --serve), configured
// with MESSENGER_* and MESSENGER_GRAPH_URL pointing at a stand-in Graph API served by this (parent)
// process, which answers every Send API call at once and notes when it arrived. Each simulated citizen
// (a PSID) POSTs signed webhook deliveries of one text event, questions of the development set, one
// after another: the next once the answer to the previous one reached the Graph stand-in. All citizens
// run concurrently. Latency runs from the start of the webhook POST to the arrival of the answer's
// Send API call (typing_on is not counted); events per second are the events answered divided by the
// wall time of the run. The warm-up is not timed.
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
  process.on('message', (message) => {
    if (message === 'stop') void dialogo.stop().then(() => process.exit(0));
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

async function citizen(port: number, graph: GraphStandIn, psid: string, questions: readonly string[], latencies: number[]): Promise<void> {
  for (const [i, question] of questions.entries()) {
    const raw = JSON.stringify({
      object: 'page',
      entry: [{ id: PAGE_ID, time: Date.now(), messaging: [{ sender: { id: psid }, recipient: { id: PAGE_ID }, timestamp: Date.now(), message: { mid: `m_${psid}_${i}`, text: question } }] }],
    });
    const answered = graph.answerTo(psid);
    const started = performance.now();
    const response = await fetch(`http://127.0.0.1:${port}/api/messenger`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-hub-signature-256': signBody(raw, SECRET) },
      body: raw,
    });
    await response.text();
    if (response.status !== 200) throw new Error(`webhook answered ${response.status}`);
    latencies.push((await answered) - started);
  }
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
    citizens,
    events: latencies.length,
    eventsPerSec: Math.round(latencies.length / seconds),
    p50Ms: round(percentile(latencies, 0.5)),
    p99Ms: round(percentile(latencies, 0.99)),
  };
}

async function main(): Promise<void> {
  const texts = ['dev-set.jsonl', 'dev-set-held-out.jsonl'].flatMap((file) => parseEvaluationFile(readFileSync(path.resolve(__dirname, '../tests/fixtures', file), 'utf8'))).map((l) => l.text); // timing only: both parts of the dev set
  const graph = new GraphStandIn();
  await new Promise<void>((resolve) => graph.server.listen(0, '127.0.0.1', resolve));
  const graphUrl = `http://127.0.0.1:${(graph.server.address() as AddressInfo).port}/v25.0`;
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'dialogo-bench-messenger-'));
  const child: ChildProcess = fork(__filename, ['--serve', graphUrl, dataDir], { execArgv: ['-r', 'ts-node/register/transpile-only'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  try {
    const port = await new Promise<number>((resolve, reject) => {
      child.once('message', (message: { port: number }) => resolve(message.port));
      child.once('exit', (code) => reject(new Error(`Dialogo exited with ${code} before listening`)));
    });
    await run(port, graph, WARMUP.citizens, WARMUP.events, texts, '71');
    for (const [i, citizens] of CITIZENS.entries()) {
      process.stdout.write(`${JSON.stringify(await run(port, graph, citizens, EVENTS_PER_CITIZEN, texts, `7${i + 2}`))}\n`);
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
