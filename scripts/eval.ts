// npm run --silent eval -- FILE... [--recognizer local|fuse-baseline|local-without-bayes] [--answer-threshold 0.4] [--kb DIR] [--warm]
// Our development set is two files: tests/fixtures/dev-set.jsonl (tuning) and
// tests/fixtures/dev-set-held-out.jsonl (never tuned on; docs/understanding.md); name either, or both.
// Mismatches go to stderr; the last line of stdout is the summary as one JSON object.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { MAX_QUESTION_CHARS } from '../dialogs/faq-dialog';
import { loadKnowledgeBase } from '../src/knowledge/load-knowledge-base';
import { evaluate, parseEvaluationFile, unknownLabels, type EvaluationLine } from '../src/nlu/evaluation';
import { chooseRecognizer } from './choose-recognizer';

const USAGE = 'usage: npm run --silent eval -- FILE... [--recognizer local|fuse-baseline|local-without-bayes] [--answer-threshold T] [--kb DIR] [--warm]';

function readLines(file: string): EvaluationLine[] {
  try {
    return parseEvaluationFile(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new Error(`${file}: ${error instanceof Error ? error.message : String(error)}`);
  }
}

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      recognizer: { type: 'string', default: 'local' },
      kb: { type: 'string', default: 'knowledge-base' },
      'answer-threshold': { type: 'string' },
      warm: { type: 'boolean', default: false },
    },
  });
  if (positionals.length === 0) throw new Error(USAGE);
  const files = positionals.map((file) => ({ file, lines: readLines(file) }));
  const lines = files.flatMap((f) => f.lines);
  // Where each line came from, for the mismatch list: file and entry number within it.
  const origins = files.flatMap((f) => f.lines.map((_, i) => `${f.file} #${i + 1}`));
  const kbDir = path.resolve(values.kb);
  const kb = await loadKnowledgeBase(kbDir);
  const unknown = unknownLabels(lines, new Set(kb.entries.map((t) => t.id)));
  if (unknown.length > 0) throw new Error(`labels that are no topic of ${values.kb}: ${unknown.join(', ')}`);
  const threshold = values['answer-threshold'] === undefined ? undefined : Number(values['answer-threshold']);
  const recognizer = await chooseRecognizer(values.recognizer, kbDir, threshold);
  // The dialog's own limit, so that a long message counts as the fallback the citizen gets.
  // An answer that is another administration's matter is the referral the bot gives.
  const isReferral = (id: string) => kb.entry(id)?.kind === 'referral';
  const { summary, mismatches } = await evaluate(recognizer, lines, { maxQuestionChars: MAX_QUESTION_CHARS, warm: values.warm, isReferral });
  for (const m of mismatches) process.stderr.write(`${origins[m.line - 1] ?? `#${m.line}`}: expected ${m.expected}, got ${m.got}: ${m.text}\n`);
  process.stdout.write(`${JSON.stringify(summary)}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`eval: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 2;
});
