// npm run --silent eval -- FILE [--recognizer local|fuse-baseline] [--kb DIR]
// Mismatches go to stderr; the last line of stdout is the summary as one JSON object.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { evaluate, parseEvaluationFile } from '../src/nlu/evaluation';
import { FuseBaselineRecognizer } from '../src/nlu/fuse-baseline';
import { loadLocalRecognizer } from '../src/nlu/load-local-recognizer';
import type { Recognizer } from '../src/nlu/recognizer';

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { recognizer: { type: 'string', default: 'local' }, kb: { type: 'string', default: 'knowledge-base' } },
  });
  const file = positionals[0];
  if (!file) throw new Error('usage: npm run --silent eval -- FILE [--recognizer local|fuse-baseline]');
  if (values.recognizer !== 'local' && values.recognizer !== 'fuse-baseline') {
    throw new Error(`--recognizer must be local or fuse-baseline, not "${values.recognizer}"`);
  }
  const lines = parseEvaluationFile(readFileSync(file, 'utf8'));
  const { kb, recognizer: local } = await loadLocalRecognizer(path.resolve(values.kb));
  const recognizer: Recognizer = values.recognizer === 'local' ? local : new FuseBaselineRecognizer(kb);
  const { summary, mismatches } = await evaluate(recognizer, lines);
  for (const m of mismatches) process.stderr.write(`line ${m.line}: expected ${m.expected}, got ${m.got}: ${m.text}\n`);
  process.stdout.write(`${JSON.stringify(summary)}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`eval: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 2;
});
