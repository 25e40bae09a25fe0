// npm run --silent eval:external [-- --shared DIR] [--recognizer local|fuse-baseline|local-without-bayes]
//   [--answer-threshold 0.4] [--verbose] [--warm]
// Measures the recognizer on public data sets that nobody on this project wrote, read at run
// time from ../shared/datasets (never copied into the project): UnlockPA FAQ paraphrases
// labelled with our topic ids (the map's curated per-utterance labels first, then its per-FAQ
// ones), and xSID Italian (all out of scope) with its English originals.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { MAX_QUESTION_CHARS } from '../dialogs/faq-dialog';
import { loadKnowledgeBase } from '../src/knowledge/load-knowledge-base';
import { evaluate, externalTopicMapSchema, labelByTopicMap, unknownLabels, type EvaluationLine } from '../src/nlu/evaluation';
import { chooseRecognizer } from './choose-recognizer';

function tsvRows(file: string): string[][] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .slice(1)
    .map((l) => l.replace(/\r$/, ''))
    .filter((l) => l.trim() !== '')
    .map((l) => l.split('\t'));
}

function unlockpa(datasets: string): { lines: EvaluationLine[]; labels: Record<string, number> } {
  const mapFile = path.join(datasets, 'unlockpa-topic-map.json');
  const parsed = externalTopicMapSchema.safeParse(JSON.parse(readFileSync(mapFile, 'utf8')));
  if (!parsed.success) throw new Error(`${mapFile}: ${parsed.error.issues.map((x) => `${x.path.join('.')} ${x.message}`).join('; ')}`);
  const rows = tsvRows(path.join(datasets, 'unlockpa-faq', 'faq_paraphrases.tsv')).map(([faqId = '', , text = '']) => ({ faqId, text }));
  const { lines, overridden, skipped, unmatched } = labelByTopicMap(rows, parsed.data);
  // A curated label that matches no utterance means the data or the map changed under us.
  if (unmatched.length > 0) throw new Error(`${mapFile}: ${unmatched.length} curated utterances match no line of faq_paraphrases.tsv`);
  return { lines, labels: { curated: Object.keys(parsed.data.utterances).length, overridden, skipped } };
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
      warm: { type: 'boolean', default: false },
    },
  });
  const datasets = path.join(values.shared, 'datasets');
  const threshold = values['answer-threshold'] === undefined ? undefined : Number(values['answer-threshold']);
  const kbDir = path.resolve('knowledge-base');
  const recognizer = await chooseRecognizer(values.recognizer, kbDir, threshold);
  const kb = await loadKnowledgeBase(kbDir);
  const topicIds = new Set(kb.entries.map((t) => t.id));
  const isReferral = (id: string) => kb.entry(id)?.kind === 'referral';
  const unlock = unlockpa(datasets);
  const sets: [string, EvaluationLine[], Record<string, unknown>][] = [
    ['unlockpa', unlock.lines, { labels: unlock.labels }],
    ['xsid-it', xsid(datasets, 1), {}],
    ['xsid-en', xsid(datasets, 3), {}],
  ];
  for (const [name, lines] of sets) {
    const unknown = unknownLabels(lines, topicIds);
    if (unknown.length > 0) throw new Error(`${name}: labels that are no topic of the knowledge base: ${unknown.join(', ')}`);
  }
  for (const [name, lines, extra] of sets) {
    const { summary, mismatches } = await evaluate(recognizer, lines, { maxQuestionChars: MAX_QUESTION_CHARS, warm: values.warm, isReferral });
    if (values.verbose) for (const m of mismatches) process.stderr.write(`${name} ${m.line}: expected ${m.expected}, got ${m.got}: ${m.text}\n`);
    process.stdout.write(`${JSON.stringify({ dataset: name, recognizer: recognizer.name, ...summary, ...extra })}\n`);
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`eval:external: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 2;
});
