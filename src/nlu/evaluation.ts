import { createHash } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { z } from 'zod';
import { normalize } from './normalize';
import { DEFAULT_BANDS, type Recognition, type Recognizer } from './recognizer';

/** One labelled line of an evaluation file: a topic id, `none`, `handoff` or `referral`. */
export const evaluationLineSchema = z.object({ text: z.string(), expected: z.string().min(1) }).strict();
export type EvaluationLine = z.infer<typeof evaluationLineSchema>;

/** The labels that are not topic ids. */
export const SPECIAL_LABELS = ['none', 'handoff', 'referral'] as const;

/** What a line asks of the bot: a topic's answer, a rejection, a person, or a referral elsewhere. */
export type LabelKind = 'topic' | (typeof SPECIAL_LABELS)[number];

/**
 * What the live bot does with one message (dialogs/faq-dialog.ts), as far as one turn without
 * history shows it. `referral`: the answer is another administration's matter
 * (knowledge-base/referrals.yaml), known through {@link EvaluationOptions.isReferral}.
 */
export type BotOutcome =
  | { readonly kind: 'answered'; readonly topicId: string; readonly alsoOffered?: readonly string[] }
  | { readonly kind: 'disambiguation'; readonly offered: readonly string[] }
  | { readonly kind: 'fallback'; readonly reason: 'no-match' | 'too-long' | 'no-text' }
  | { readonly kind: 'handoff' }
  | { readonly kind: 'smalltalk' }
  | { readonly kind: 'referral'; readonly referralId?: string };

/** Where one line lands: each line lands in exactly one bucket. */
export const BUCKETS = ['answered', 'answeredOther', 'offered', 'offeredOther', 'fallback', 'smalltalk', 'handoff', 'referral'] as const;
export type Bucket = (typeof BUCKETS)[number];

/** Lines of one label kind and the bucket each landed in. */
export type LabelCounts = { lines: number } & Record<Bucket, number>;

/** The figures `npm run eval` prints as its last line. */
export interface EvaluationSummary {
  readonly total: number;
  /** Topic lines the bot answers with the expected topic, over topic lines. */
  readonly topicAccuracy: number;
  /**
   * `none` lines that fall back, get small talk or are referred to another administration (the
   * bot claimed no city answer), over `none` lines (a disambiguation is not a rejection).
   */
  readonly outOfScopeRejection: number;
  readonly handoffRecall: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  /** Topic lines whose topic is among the buttons of a disambiguation (not answered), over topic lines; null without topic lines. */
  readonly offered: number | null;
  /** `referral` lines the bot refers elsewhere, over `referral` lines; null without such lines. */
  readonly referralRecall: number | null;
  /** Lines over the dialog's length limit (counted as the fallback the bot gives them). */
  readonly tooLong: number;
  /** `none` lines referred to another administration (counted as rejected, shown apart). */
  readonly noneReferred: number;
  readonly counts: Readonly<Record<LabelKind, LabelCounts>>;
}

export interface EvaluationMismatch {
  readonly line: number;
  readonly text: string;
  readonly expected: string;
  readonly got: string;
}

/** How the live bot reads a message before recognising it. */
export interface EvaluationOptions {
  /**
   * The dialog's `MAX_QUESTION_CHARS`: longer messages get "too long" and count as a fallback
   * without reaching the recognizer. Passed in (not imported) so that the core does not load
   * the dialogs; without it no length limit applies.
   */
  readonly maxQuestionChars?: number;
  /**
   * Recognise every line once before timing, so that the latencies are those of a warm process
   * (spelling look-ups cached) rather than of each question's first time.
   */
  readonly warm?: boolean;
  /**
   * Whether a recognised id is a referral (`kb.entry(id)?.kind === 'referral'`): answering it is
   * the referral outcome, not a topic's answer. Without it every answer counts as a topic's.
   */
  readonly isReferral?: (id: string) => boolean;
}

/**
 * The kind of a label: `none`, `handoff`, `referral`, or else a topic id.
 *
 * @example
 * labelKindOf('imu') // 'topic'
 */
export function labelKindOf(expected: string): LabelKind {
  return (SPECIAL_LABELS as readonly string[]).includes(expected) ? (expected as LabelKind) : 'topic';
}

/**
 * What the bot does with a recognition, as the FAQ dialog acts on it: the buttons of a
 * disambiguation are the first three candidates at or above the candidate threshold; an answer
 * whose id is a referral (per `isReferral`) is the referral outcome; a topic's answer carries the
 * "also asked" topics of a long message's other sentences as buttons beside it.
 *
 * @example
 * outcomeOf(recognition) // { kind: 'answered', topicId: 'imu' }
 * outcomeOf(recognition, (id) => kb.entry(id)?.kind === 'referral') // { kind: 'referral', referralId: 'passaporto' }
 */
export function outcomeOf(recognition: Recognition, isReferral?: (id: string) => boolean): BotOutcome {
  if (recognition.intent === 'handoff') return { kind: 'handoff' };
  if (recognition.intent !== 'faq') return { kind: 'smalltalk' };
  const top = recognition.candidates[0];
  if (!top) return { kind: 'fallback', reason: 'no-match' };
  if (recognition.band === 'answer') {
    if (isReferral?.(top.topicId)) return { kind: 'referral', referralId: top.topicId };
    const also = recognition.alsoAsked?.map((c) => c.topicId) ?? [];
    return { kind: 'answered', topicId: top.topicId, ...(also.length > 0 ? { alsoOffered: also } : {}) };
  }
  if (recognition.band === 'disambiguate') {
    return { kind: 'disambiguation', offered: recognition.candidates.filter((c) => c.confidence >= DEFAULT_BANDS.candidate).slice(0, 3).map((c) => c.topicId) };
  }
  return { kind: 'fallback', reason: 'no-match' };
}

/**
 * The outcome of a message the dialog refuses before recognition (empty, only punctuation, or
 * over the length limit), or undefined when the dialog would recognise it.
 *
 * @example
 * refusedBeforeRecognition('x'.repeat(1001), { maxQuestionChars: 1000 }) // { kind: 'fallback', reason: 'too-long' }
 */
export function refusedBeforeRecognition(text: string, options: EvaluationOptions = {}): BotOutcome | undefined {
  const trimmed = text.trim();
  if (trimmed.length === 0) return { kind: 'fallback', reason: 'no-text' };
  if (options.maxQuestionChars !== undefined && trimmed.length > options.maxQuestionChars) return { kind: 'fallback', reason: 'too-long' };
  // Thumbs are feedback to the previous answer: the dialog lets them through.
  if (normalize(trimmed).length === 0 && !/[👍👎]/u.test(trimmed)) return { kind: 'fallback', reason: 'no-text' };
  return undefined;
}

/**
 * The bucket a line lands in, given its label and what the bot did.
 *
 * @example
 * bucketOf('imu', { kind: 'disambiguation', offered: ['tari-pagamento', 'imu'] }) // 'offered'
 */
export function bucketOf(expected: string, outcome: BotOutcome): Bucket {
  switch (outcome.kind) {
    case 'answered':
      if (outcome.topicId === expected) return 'answered';
      // The right topic as an "also asked" button beside another answer is offered, not answered.
      return outcome.alsoOffered?.includes(expected) ? 'offered' : 'answeredOther';
    case 'disambiguation':
      return outcome.offered.includes(expected) ? 'offered' : 'offeredOther';
    default:
      return outcome.kind;
  }
}

/**
 * Whether a line is right: a topic answered with that topic; `none` rejected (a fallback, small
 * talk, or a referral to another administration: the bot claimed no city answer; a
 * disambiguation is not a rejection); `handoff` and `referral` only by that outcome.
 *
 * @example
 * isRight('none', 'offeredOther') // false
 * isRight('none', 'referral') // true
 */
export function isRight(expected: string, bucket: Bucket): boolean {
  const kind = labelKindOf(expected);
  if (kind === 'topic') return bucket === 'answered';
  if (kind === 'none') return bucket === 'fallback' || bucket === 'smalltalk' || bucket === 'referral';
  return bucket === kind;
}

/** Counts with every bucket at zero. */
export function emptyCounts(): LabelCounts {
  return { lines: 0, answered: 0, answeredOther: 0, offered: 0, offeredOther: 0, fallback: 0, smalltalk: 0, handoff: 0, referral: 0 };
}

/**
 * The summary's counts and ratios for labelled outcomes (latencies apart).
 *
 * @example
 * tally([{ expected: 'imu', outcome: { kind: 'answered', topicId: 'imu' } }]).topicAccuracy // 1
 */
export function tally(results: readonly { readonly expected: string; readonly outcome: BotOutcome }[]): Omit<EvaluationSummary, 'p50Ms' | 'p99Ms'> {
  const counts: Record<LabelKind, LabelCounts> = { topic: emptyCounts(), none: emptyCounts(), handoff: emptyCounts(), referral: emptyCounts() };
  let tooLong = 0;
  for (const { expected, outcome } of results) {
    const c = counts[labelKindOf(expected)];
    c.lines += 1;
    c[bucketOf(expected, outcome)] += 1;
    if (outcome.kind === 'fallback' && outcome.reason === 'too-long') tooLong += 1;
  }
  const ratio = (a: number, b: number) => (b === 0 ? 0 : round(a / b));
  const ratioOrNull = (a: number, b: number) => (b === 0 ? null : round(a / b));
  return {
    total: results.length,
    topicAccuracy: ratio(counts.topic.answered, counts.topic.lines),
    outOfScopeRejection: ratio(counts.none.fallback + counts.none.smalltalk + counts.none.referral, counts.none.lines),
    handoffRecall: ratio(counts.handoff.handoff, counts.handoff.lines),
    offered: ratioOrNull(counts.topic.offered, counts.topic.lines),
    referralRecall: ratioOrNull(counts.referral.referral, counts.referral.lines),
    tooLong,
    noneReferred: counts.none.referral,
    counts,
  };
}

/** A short description of an outcome for the mismatch list. */
export function describeOutcome(outcome: BotOutcome): string {
  switch (outcome.kind) {
    case 'answered':
      return outcome.alsoOffered ? `${outcome.topicId} (also offered ${outcome.alsoOffered.join(', ')})` : outcome.topicId;
    case 'disambiguation':
      return `disambiguation (offered ${outcome.offered.join(', ')})`;
    case 'fallback':
      return outcome.reason === 'no-match' ? 'fallback' : `fallback (${outcome.reason})`;
    case 'referral':
      return outcome.referralId ? `referral (${outcome.referralId})` : 'referral';
    default:
      return outcome.kind;
  }
}

/**
 * Parses a JSON-lines file against a schema: blank lines are skipped, a bad line is an error
 * naming its number. Shared by the evaluation scripts.
 *
 * @example
 * parseJsonLines('{"text":"cie","expected":"carta-identita"}\n', evaluationLineSchema)
 */
export function parseJsonLines<S extends z.ZodType>(text: string, schema: S): z.output<S>[] {
  const out: z.output<S>[] = [];
  text.split('\n').forEach((raw, i) => {
    if (raw.trim() === '') return;
    let json: unknown;
    try {
      json = JSON.parse(raw);
    } catch (error) {
      throw new Error(`line ${i + 1}: not JSON (${(error as Error).message})`);
    }
    const parsed = schema.safeParse(json);
    if (!parsed.success) throw new Error(`line ${i + 1}: ${parsed.error.issues.map((x) => `${x.path.join('.') || 'line'} ${x.message}`).join('; ')}`);
    out.push(parsed.data);
  });
  return out;
}

/**
 * Parses JSON lines into evaluation lines; a bad line is an error naming its number.
 *
 * @example
 * parseEvaluationFile('{"text":"cie","expected":"carta-identita"}\n')
 */
export function parseEvaluationFile(text: string): EvaluationLine[] {
  return parseJsonLines(text, evaluationLineSchema);
}

/**
 * Labels that are neither a special label nor a topic of the knowledge base: a line with such a
 * label could never be right, so the scripts refuse to measure with it.
 *
 * @example
 * unknownLabels([{ text: 'x', expected: 'imu-typo' }], new Set(['imu'])) // ['imu-typo']
 */
export function unknownLabels(lines: readonly EvaluationLine[], topicIds: ReadonlySet<string>): string[] {
  return [...new Set(lines.map((l) => l.expected))].filter((label) => labelKindOf(label) === 'topic' && !topicIds.has(label)).sort();
}

/**
 * A topic map for an external data set (`../shared/datasets/unlockpa-topic-map.json`): labels per
 * FAQ id, and curated labels per utterance that override them (a topic id, `none`, or `skip`).
 */
export const externalTopicMapSchema = z.looseObject({
  about: z.string().optional(),
  map: z.record(z.string(), z.string().min(1)),
  utterances: z.record(z.string(), z.string().min(1)).default({}),
});
export type ExternalTopicMap = z.infer<typeof externalTopicMapSchema>;

/** The label that leaves an utterance out of the evaluation. */
export const SKIP_LABEL = 'skip';

/**
 * Labels the rows of an external data set: an utterance's curated label first, then its FAQ's;
 * `skip`, or an FAQ the map does not list, leaves the row out. Also says how many rows the
 * curated labels changed or left out, and which curated utterances match no row (a stale curation).
 *
 * @example
 * labelByTopicMap([{ faqId: '7', text: 'tassa rifiuti' }], { map: { '7': 'tari-pagamento' }, utterances: {} })
 * // { lines: [{ text: 'tassa rifiuti', expected: 'tari-pagamento' }], overridden: 0, skipped: 0, unmatched: [] }
 */
export function labelByTopicMap(
  rows: readonly { readonly faqId: string; readonly text: string }[],
  topicMap: Pick<ExternalTopicMap, 'map' | 'utterances'>,
): { lines: EvaluationLine[]; overridden: number; skipped: number; unmatched: string[] } {
  const curated = new Map(Object.entries(topicMap.utterances));
  const faqLabels = new Map(Object.entries(topicMap.map));
  const used = new Set<string>();
  const lines: EvaluationLine[] = [];
  let overridden = 0;
  let skipped = 0;
  for (const { faqId, text } of rows) {
    if (text.trim() === '') continue;
    const own = curated.get(text);
    const faq = faqLabels.get(faqId);
    if (own !== undefined) {
      used.add(text);
      if (own === SKIP_LABEL) skipped += 1;
      else if (own !== faq) overridden += 1;
    }
    const label = own ?? faq;
    if (label !== undefined && label !== SKIP_LABEL) lines.push({ text, expected: label });
  }
  return { lines, overridden, skipped, unmatched: [...curated.keys()].filter((text) => !used.has(text)) };
}

/**
 * Whether a line of our development set belongs to the held-out part, never tuned on: the first
 * byte of the SHA-256 of its text (UTF-8) is below 64, about a quarter of the lines. A hash of
 * the text, so the split needs no list and a new line's part is known before anyone looks at it.
 *
 * @example
 * isHeldOut('quanto costa la carta di identità') // true or false, always the same
 */
export function isHeldOut(text: string): boolean {
  return (createHash('sha256').update(text, 'utf8').digest()[0] as number) < 64;
}

/**
 * Runs every line as the live bot would (length limit, then the recognizer) and measures
 * accuracy, offers, rejection, handoff and referral recall, and latency.
 *
 * @example
 * const { summary } = await evaluate(recognizer, lines, { maxQuestionChars: MAX_QUESTION_CHARS });
 */
export async function evaluate(
  recognizer: Recognizer,
  lines: readonly EvaluationLine[],
  options: EvaluationOptions = {},
): Promise<{ summary: EvaluationSummary; mismatches: EvaluationMismatch[] }> {
  const latencies: number[] = [];
  const results: { expected: string; outcome: BotOutcome }[] = [];
  const mismatches: EvaluationMismatch[] = [];
  if (options.warm) for (const line of lines) if (!refusedBeforeRecognition(line.text, options)) await recognizer.recognize(line.text.trim());
  for (const [i, line] of lines.entries()) {
    const started = performance.now();
    const outcome = refusedBeforeRecognition(line.text, options) ?? outcomeOf(await recognizer.recognize(line.text.trim()), options.isReferral);
    latencies.push(performance.now() - started);
    results.push({ expected: line.expected, outcome });
    if (!isRight(line.expected, bucketOf(line.expected, outcome))) {
      mismatches.push({ line: i + 1, text: line.text, expected: line.expected, got: describeOutcome(outcome) });
    }
  }
  latencies.sort((a, b) => a - b);
  const t = tally(results);
  return {
    summary: {
      total: t.total,
      topicAccuracy: t.topicAccuracy,
      outOfScopeRejection: t.outOfScopeRejection,
      handoffRecall: t.handoffRecall,
      p50Ms: round(percentile(latencies, 0.5)),
      p99Ms: round(percentile(latencies, 0.99)),
      offered: t.offered,
      referralRecall: t.referralRecall,
      tooLong: t.tooLong,
      noneReferred: t.noneReferred,
      counts: t.counts,
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
