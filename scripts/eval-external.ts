// npm run --silent eval:external [-- --shared DIR] [--recognizer local|fuse-baseline|local-without-bayes]
//   [--answer-threshold 0.4] [--verbose]
// Measures the recognizer on public data sets that nobody on this project wrote, read at run
// time from ../shared/datasets (never copied into the project): UnlockPA FAQ paraphrases
// mapped onto our topic ids, and xSID Italian (all out of scope) with its English originals.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { evaluate, type EvaluationLine } from '../src/nlu/evaluation';
import { chooseRecognizer } from './choose-recognizer';

const topicMapSchema = z.object({ map: z.record(z.string(), z.string()) }).passthrough();

function tsvRows(file: string): string[][] {
  return readFileSync(file, 'utf8').split('\n').slice(1).filter((l) => l.trim() !== '').map((l) => l.split('\t'));
}

function unlockpa(datasets: string): EvaluationLine[] {
  const { map } = topicMapSchema.parse(JSON.parse(readFileSync(path.join(datasets, 'unlockpa-topic-map.json'), 'utf8')));
  const lines: EvaluationLine[] = [];
  for (const [faqId, , text] of tsvRows(path.join(datasets, 'unlockpa-faq', 'faq_paraphrases.tsv'))) {
    const expected = faqId === undefined ? undefined : map[faqId];
    if (expected && text) lines.push({ text, expected });
  }
  return lines;
}

function xsid(datasets: string, column: 1 | 3): EvaluationLine[] {
  return ['it.test.intents.tsv', 'it.valid.intents.tsv'].flatMap((name) =>
    tsvRows(path.join(datasets, 'xsid-it', name)).flatMap((row) => (row[column] ? [{ text: row[column] as string, expected: 'none' }] : [])),
  );
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      shared: { type: 'string', default: path.resolve('..', 'shared') },
      recognizer: { type: 'string', default: 'local' },
      verbose: { type: 'boolean', default: false },
      'answer-threshold': { type: 'string' },
    },
  });
  const datasets = path.join(values.shared, 'datasets');
  const threshold = values['answer-threshold'] === undefined ? undefined : Number(values['answer-threshold']);
  const recognizer = await chooseRecognizer(values.recognizer, path.resolve('knowledge-base'), threshold);
  const sets: [string, EvaluationLine[]][] = [
    ['unlockpa', unlockpa(datasets)],
    ['xsid-it', xsid(datasets, 1)],
    ['xsid-en', xsid(datasets, 3)],
  ];
  for (const [name, lines] of sets) {
    const { summary, mismatches } = await evaluate(recognizer, lines);
    if (values.verbose) for (const m of mismatches) process.stderr.write(`${name} ${m.line}: expected ${m.expected}, got ${m.got}: ${m.text}\n`);
    process.stdout.write(`${JSON.stringify({ dataset: name, recognizer: recognizer.name, ...summary })}\n`);
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`eval:external: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 2;
});
