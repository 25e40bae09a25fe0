// npm run --silent eval -- FILE [--recognizer local|fuse-baseline|local-without-bayes] [--kb DIR]
// Mismatches go to stderr; the last line of stdout is the summary as one JSON object.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { evaluate, parseEvaluationFile } from '../src/nlu/evaluation';
import { FuseBaselineRecognizer } from '../src/nlu/fuse-baseline';
import { LocalRecognizer } from '../src/nlu/local-recognizer';
import { loadLocalRecognizer } from '../src/nlu/load-local-recognizer';
import { loadOutOfScope } from '../src/nlu/out-of-scope';
import type { Recognizer } from '../src/nlu/recognizer';
import type { KnowledgeBase } from '../src/knowledge/knowledge-base';

const RECOGNIZERS = ['local', 'fuse-baseline', 'local-without-bayes'];

/** The recognizer named on the command line; `local-without-bayes` is the ablation of the naive Bayes model. */
async function pick(name: string, kb: KnowledgeBase, local: Recognizer, dir: string): Promise<Recognizer> {
  if (name === 'fuse-baseline') return new FuseBaselineRecognizer(kb);
  if (name === 'local-without-bayes') return LocalRecognizer.build(kb, await loadOutOfScope(dir), { bayes: false });
  return local;
}

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { recognizer: { type: 'string', default: 'local' }, kb: { type: 'string', default: 'knowledge-base' } },
  });
  const file = positionals[0];
  if (!file) throw new Error('usage: npm run --silent eval -- FILE [--recognizer local|fuse-baseline]');
  if (!RECOGNIZERS.includes(values.recognizer as string)) {
    throw new Error(`--recognizer must be one of ${RECOGNIZERS.join(', ')}, not "${values.recognizer}"`);
  }
  const lines = parseEvaluationFile(readFileSync(file, 'utf8'));
  const { kb, recognizer: local } = await loadLocalRecognizer(path.resolve(values.kb));
  const recognizer = await pick(values.recognizer as string, kb, local, path.resolve(values.kb));
  const { summary, mismatches } = await evaluate(recognizer, lines);
  for (const m of mismatches) process.stderr.write(`line ${m.line}: expected ${m.expected}, got ${m.got}: ${m.text}\n`);
  process.stdout.write(`${JSON.stringify(summary)}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`eval: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 2;
});
