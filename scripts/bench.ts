// npm run --silent bench: recognition latency on this machine, for docs/benchmarks.md (one JSON line per figure).
// Queries: the development set, each recognised 10 times after a warm-up. Also a synthetic
// knowledge base of 1,000 topics (the 40 real ones cloned 25 times with distinct words) to
// show that no request scans the whole knowledge base; the fuse.js baseline side by side at 40 topics
// (at 1,000 topics it takes seconds per query, so it is left out).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { KnowledgeBase } from '../src/knowledge/knowledge-base';
import type { Topic } from '../src/knowledge/topic-schema';
import { parseEvaluationFile, percentile, round } from '../src/nlu/evaluation';
import { FuseBaselineRecognizer } from '../src/nlu/fuse-baseline';
import { LocalRecognizer } from '../src/nlu/local-recognizer';
import { loadLocalRecognizer } from '../src/nlu/load-local-recognizer';
import { loadOutOfScope } from '../src/nlu/out-of-scope';
import type { Recognizer } from '../src/nlu/recognizer';

const ROUNDS = 10;

async function measure(recognizer: Recognizer, texts: readonly string[], rounds: number): Promise<{ p50Ms: number; p99Ms: number; maxMs: number }> {
  for (const t of texts) await recognizer.recognize(t);
  const times: number[] = [];
  for (let r = 0; r < rounds; r++) {
    for (const t of texts) {
      const started = performance.now();
      await recognizer.recognize(t);
      times.push(performance.now() - started);
    }
  }
  times.sort((a, b) => a - b);
  return { p50Ms: round(percentile(times, 0.5)), p99Ms: round(percentile(times, 0.99)), maxMs: round(percentile(times, 1)) };
}

function synthetic(kb: KnowledgeBase, copies: number): KnowledgeBase {
  const topics: Topic[] = [];
  for (let c = 0; c < copies; c++) {
    for (const t of kb.topics) {
      const tag = c === 0 ? '' : ` variante${c}x`;
      const id = c === 0 ? t.id : `${t.id}-${c}`;
      const add = (s: string) => `${s}${tag}`;
      topics.push({ ...t, id, samples: { it: t.samples.it.map(add), en: t.samples.en.map(add) } });
    }
  }
  return new KnowledgeBase(topics, kb.synonyms);
}

async function main(): Promise<void> {
  const texts = ['tests/fixtures/dev-set.jsonl', 'tests/fixtures/dev-set-held-out.jsonl'].flatMap((file) => parseEvaluationFile(readFileSync(path.resolve(file), 'utf8'))).map((l) => l.text); // timing only: both parts of the dev set
  const dir = path.resolve('knowledge-base');
  let started = performance.now();
  const { kb, recognizer } = await loadLocalRecognizer(dir);
  const buildMs = Math.round(performance.now() - started);
  const print = (row: Record<string, unknown>) => process.stdout.write(`${JSON.stringify({ queries: texts.length, ...row })}\n`);
  print({ figure: `recognize-${kb.size}-local`, kb: `${kb.size} topics`, recognizer: 'local', buildMs, ...(await measure(recognizer, texts, ROUNDS)) });
  print({ figure: `recognize-${kb.size}-fuse-baseline`, kb: `${kb.size} topics`, recognizer: 'fuse-baseline', ...(await measure(new FuseBaselineRecognizer(kb), texts, 1)) });

  const big = synthetic(kb, 25);
  started = performance.now();
  const bigRecognizer = LocalRecognizer.build(big, await loadOutOfScope(dir));
  print({ figure: `recognize-${big.size}-local`, kb: `${big.size} topics`, recognizer: 'local', buildMs: Math.round(performance.now() - started), ...(await measure(bigRecognizer, texts, 3)) });
}

main().catch((error: unknown) => {
  process.stderr.write(`bench: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exitCode = 2;
});
