import { performance } from 'node:perf_hooks';
import { z } from 'zod';
import type { Recognition, Recognizer } from './recognizer';

/** One labelled line of an evaluation file: a topic id, `none` or `handoff`. */
export const evaluationLineSchema = z.object({ text: z.string(), expected: z.string().min(1) }).strict();
export type EvaluationLine = z.infer<typeof evaluationLineSchema>;

/** The figures `npm run eval` prints as its last line. */
export interface EvaluationSummary {
  readonly total: number;
  readonly topicAccuracy: number;
  readonly outOfScopeRejection: number;
  readonly handoffRecall: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
}

export interface EvaluationMismatch {
  readonly line: number;
  readonly text: string;
  readonly expected: string;
  readonly got: string;
}

/** What the bot would do with a recognition: the topic it answers, `handoff`, `smalltalk`, or `none`. */
export function decisionOf(recognition: Recognition): string {
  if (recognition.intent === 'handoff') return 'handoff';
  if (recognition.intent !== 'faq') return 'smalltalk';
  if (recognition.band === 'answer') return recognition.candidates[0]?.topicId ?? 'none';
  if (recognition.band === 'disambiguate') return `none (offered ${recognition.candidates.slice(0, 3).map((c) => c.topicId).join(', ')})`;
  return 'none';
}

/**
 * Parses JSON lines into evaluation lines; a bad line is an error naming its number.
 *
 * @example
 * parseEvaluationFile('{"text":"cie","expected":"carta-identita"}\n')
 */
export function parseEvaluationFile(text: string): EvaluationLine[] {
  const lines: EvaluationLine[] = [];
  text.split('\n').forEach((raw, i) => {
    if (raw.trim() === '') return;
    let json: unknown;
    try {
      json = JSON.parse(raw);
    } catch (error) {
      throw new Error(`line ${i + 1}: not JSON (${(error as Error).message})`);
    }
    const parsed = evaluationLineSchema.safeParse(json);
    if (!parsed.success) throw new Error(`line ${i + 1}: ${parsed.error.issues.map((x) => `${x.path.join('.') || 'line'} ${x.message}`).join('; ')}`);
    lines.push(parsed.data);
  });
  return lines;
}

/**
 * Runs every line through the recognizer and measures accuracy, rejection, handoff recall and latency.
 * topicAccuracy counts a line right only when the bot would answer it, with the expected topic.
 */
export async function evaluate(
  recognizer: Recognizer,
  lines: readonly EvaluationLine[],
): Promise<{ summary: EvaluationSummary; mismatches: EvaluationMismatch[] }> {
  let topics = 0;
  let topicsRight = 0;
  let nones = 0;
  let nonesRejected = 0;
  let handoffs = 0;
  let handoffsRight = 0;
  const latencies: number[] = [];
  const mismatches: EvaluationMismatch[] = [];
  for (const [i, line] of lines.entries()) {
    const started = performance.now();
    const recognition = await recognizer.recognize(line.text);
    latencies.push(performance.now() - started);
    const got = decisionOf(recognition);
    let right: boolean;
    if (line.expected === 'none') {
      nones += 1;
      right = got.startsWith('none') || got === 'smalltalk';
      if (right) nonesRejected += 1;
    } else if (line.expected === 'handoff') {
      handoffs += 1;
      right = got === 'handoff';
      if (right) handoffsRight += 1;
    } else {
      topics += 1;
      right = got === line.expected;
      if (right) topicsRight += 1;
    }
    if (!right) mismatches.push({ line: i + 1, text: line.text, expected: line.expected, got });
  }
  latencies.sort((a, b) => a - b);
  const ratio = (a: number, b: number) => (b === 0 ? 0 : round(a / b));
  return {
    summary: {
      total: lines.length,
      topicAccuracy: ratio(topicsRight, topics),
      outOfScopeRejection: ratio(nonesRejected, nones),
      handoffRecall: ratio(handoffsRight, handoffs),
      p50Ms: round(percentile(latencies, 0.5)),
      p99Ms: round(percentile(latencies, 0.99)),
    },
    mismatches,
  };
}

/** The q-quantile (0..1) of ascending values, nearest-rank. */
export function percentile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] as number;
}

/** Rounded to three decimals, as every figure Dialogo reports. */
export function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}
