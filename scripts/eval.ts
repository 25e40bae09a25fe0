// npm run --silent eval -- FILE [--recognizer local|fuse-baseline|local-without-bayes] [--answer-threshold 0.4] [--kb DIR]
// Mismatches go to stderr; the last line of stdout is the summary as one JSON object.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { evaluate, parseEvaluationFile } from '../src/nlu/evaluation';
import { chooseRecognizer } from './choose-recognizer';

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      recognizer: { type: 'string', default: 'local' },
      kb: { type: 'string', default: 'knowledge-base' },
      'answer-threshold': { type: 'string' },
    },
  });
  const file = positionals[0];
  if (!file) throw new Error('usage: npm run --silent eval -- FILE [--recognizer local|fuse-baseline|local-without-bayes]');
  const lines = parseEvaluationFile(readFileSync(file, 'utf8'));
  const threshold = values['answer-threshold'] === undefined ? undefined : Number(values['answer-threshold']);
  const recognizer = await chooseRecognizer(values.recognizer, path.resolve(values.kb), threshold);
  const { summary, mismatches } = await evaluate(recognizer, lines);
  for (const m of mismatches) process.stderr.write(`line ${m.line}: expected ${m.expected}, got ${m.got}: ${m.text}\n`);
  process.stdout.write(`${JSON.stringify(summary)}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`eval: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 2;
});
