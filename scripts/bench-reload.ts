// npm run --silent bench:reload: turn latency while the knowledge base reloads, at 1,000 topics
// (issue 16). Writes a synthetic knowledge base to a temp folder (the 40 real topics cloned 25
// times, each clone's sample questions tagged with distinct words, as scripts/bench.ts does),
// starts Dialogo on it with the watcher on, and runs CONVERSATIONS concurrent conversations, each
// asking development-set questions one after the other on /api/messages (expectReplies: the
// adapter, middleware, bot, recording and state of a citizen's turn). Client and server share this
// process: a stalled event loop delays the replies, which is what is measured. First QUIET_MS
// without a reload, then a topic file is edited (a new sample question, so nothing is reused)
// and turns are timed until the new knowledge base serves. One JSON line per figure on stdout.
import http from 'node:http';
import pino from 'pino';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import YAML from 'yaml';
import { loadConfig } from '../src/config';
import { startDialogo } from '../src/index';
import { createLogger } from '../src/logger';
import { parseEvaluationFile, percentile, round } from '../src/nlu/evaluation';

const COPIES = 25;
const CONVERSATIONS = 20;
const QUIET_MS = 20_000;
const RELOAD_TIMEOUT_MS = 15 * 60 * 1000;

/** The real knowledge base in `dir`, each topic cloned `copies - 1` times under new ids and tagged samples. */
function writeSyntheticKnowledgeBase(dir: string, copies: number): number {
  cpSync(path.resolve('knowledge-base'), dir, { recursive: true });
  const topicsDir = path.join(dir, 'topics');
  let topics = 0;
  for (const name of readdirSync(topicsDir).filter((n) => n.endsWith('.yaml'))) {
    const text = readFileSync(path.join(topicsDir, name), 'utf8');
    topics += 1;
    for (let c = 1; c < copies; c++) {
      const topic = YAML.parse(text) as { id: string; samples: { it: string[]; en: string[] } };
      const tag = (s: string) => `${s} variante${c}x`;
      const clone = { ...topic, id: `${topic.id}-${c}`, samples: { it: topic.samples.it.map(tag), en: topic.samples.en.map(tag) } };
      writeFileSync(path.join(topicsDir, `${clone.id}.yaml`), YAML.stringify(clone));
      topics += 1;
    }
  }
  return topics;
}

/**
 * One turn on its own connection (a pooled one may be reset across a stall); resolves to its
 * latency in ms, or to its latency and a failure (a 408 when the server's request timer fired
 * during a stall, a reset): failed turns are counted, and kept in the percentiles.
 */
function turn(port: number, text: string, conversation: string): Promise<{ ms: number; failed: boolean }> {
  const body = JSON.stringify({
    type: 'message', text, locale: 'it-IT', channelId: 'test', from: { id: `u-${conversation}` }, recipient: { id: 'b' }, conversation: { id: conversation },
    serviceUrl: 'http://127.0.0.1:9', deliveryMode: 'expectReplies',
  });
  const started = performance.now();
  return new Promise((resolve) => {
    const done = (failed: boolean) => resolve({ ms: performance.now() - started, failed });
    const request = http.request({ host: '127.0.0.1', port, method: 'POST', path: '/api/messages', agent: false, headers: { 'content-type': 'application/json' } }, (response) => {
      response.resume();
      response.on('end', () => done(response.statusCode !== 200));
      response.on('error', () => done(true));
    });
    request.on('error', () => done(true));
    request.end(body);
  });
}

function summary(times: number[]): { turns: number; p50Ms: number; p99Ms: number; maxMs: number } {
  const sorted = [...times].sort((a, b) => a - b);
  return { turns: sorted.length, p50Ms: round(percentile(sorted, 0.5)), p99Ms: round(percentile(sorted, 0.99)), maxMs: round(percentile(sorted, 1)) };
}

async function main(): Promise<void> {
  const root = mkdtempSync(path.join(os.tmpdir(), 'dialogo-bench-reload-'));
  const dir = path.join(root, 'kb');
  try {
    const topics = writeSyntheticKnowledgeBase(dir, COPIES);
    const questions = parseEvaluationFile(readFileSync(path.resolve('tests/fixtures/dev-set.jsonl'), 'utf8')).map((l) => l.text);
    process.stderr.write(`bench-reload: ${topics} topics in ${dir}; starting Dialogo (builds the recognizer)\n`);
    let started = performance.now();
    const dialogo = await startDialogo(
      loadConfig({ PORT: '0', HOST: '127.0.0.1', KB_DIR: dir, KB_WATCH: 'true', NODE_ENV: 'test', LOG_LEVEL: 'silent', DATA_DIR: path.join(root, 'data') }),
      // Warnings and errors (a failed reload says why) to stderr: stdout carries the figures only.
      createLogger('warn', pino.destination(2)),
    );
    const startMs = Math.round(performance.now() - started);
    process.stderr.write(`bench-reload: started in ${startMs} ms\n`);
    try {
      let phase: number[] = [];
      let failed = 0;
      let running = true;
      let asked = 0;
      const conversation = async (c: number) => {
        for (let i = 0; running; i++) {
          const text = questions[(c * 37 + i) % questions.length] as string;
          const result = await turn(dialogo.port, text, `bench-${c}`);
          phase.push(result.ms);
          if (result.failed) failed += 1;
          asked += 1;
        }
      };
      const conversations = Array.from({ length: CONVERSATIONS }, (_, c) => conversation(c));
      // Warm-up: every conversation's first turns (state created, JIT) are not timed.
      await new Promise((r) => setTimeout(r, 3000));
      phase = [];
      failed = 0;
      await new Promise((r) => setTimeout(r, QUIET_MS));
      const quiet = summary(phase);
      process.stdout.write(`${JSON.stringify({ figure: 'reload-1000-turns-quiet', topics, conversations: CONVERSATIONS, ms: QUIET_MS, ...quiet, failed })}\n`);

      phase = [];
      failed = 0;
      const generation = dialogo.runtime.generation;
      const file = path.join(dir, 'topics', 'imu.yaml');
      const text = readFileSync(file, 'utf8');
      started = performance.now();
      writeFileSync(file, text.replace(/^samples:\n  it:\n/m, 'samples:\n  it:\n    - domanda di prova sulla imu per il benchmark\n'));
      process.stderr.write('bench-reload: reload triggered\n');
      while (dialogo.runtime.generation === generation) {
        if (performance.now() - started > RELOAD_TIMEOUT_MS) throw new Error('the reload did not complete');
        await new Promise((r) => setTimeout(r, 50));
      }
      const reloadMs = Math.round(performance.now() - started);
      running = false;
      await Promise.all(conversations);
      const during = summary(phase);
      process.stdout.write(`${JSON.stringify({ figure: 'reload-1000-turns-during-reload', topics, conversations: CONVERSATIONS, reloadMs, startMs, ...during, failed, p99VsQuiet: round(during.p99Ms / quiet.p99Ms) })}\n`);
      process.stderr.write(`bench-reload: ${asked} turns in all\n`);
    } finally {
      await dialogo.stop();
    }
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`bench-reload: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exitCode = 2;
});
