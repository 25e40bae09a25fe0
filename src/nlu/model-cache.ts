import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RecognitionSource } from '../knowledge/knowledge-base';
import { CharNgramModel } from './char-ngram-model';
import { LogisticRegression } from './logistic-regression';
import type { OutOfScopeExamples } from './out-of-scope';

/**
 * Where trained models are kept between processes of one test run: the folder named by
 * `DIALOGO_MODEL_CACHE_DIR`, which jest's global set-up creates fresh for each run and removes
 * after it (tests/global-setup.ts). Unset everywhere else, so Dialogo itself always trains.
 *
 * Why a test run needs it: every test file that starts Dialogo builds the recognizer in its own
 * process, and the character model and the calibrator (fitted by 5-fold cross-validation) are
 * most of a build. Both are deterministic and depend only on the knowledge base, the
 * out-of-scope examples and the code; the code cannot change within one run, so the entry is
 * keyed by the first two.
 */
export const MODEL_CACHE_ENV = 'DIALOGO_MODEL_CACHE_DIR';

/** What the build trains and the cache keeps. */
export interface TrainedModels {
  readonly chars: CharNgramModel;
  readonly calibrator: LogisticRegression;
}

/** Trained models keyed by what their training reads. */
export interface ModelCache {
  /** The models trained on these inputs, training (and keeping) them on a miss. */
  trained(kb: RecognitionSource, outOfScope: OutOfScopeExamples, useBayes: boolean, train: () => TrainedModels): TrainedModels;
}

/** The folder-backed cache when `DIALOGO_MODEL_CACHE_DIR` is set, otherwise undefined. */
export function modelCacheFromEnv(env: NodeJS.ProcessEnv = process.env): ModelCache | undefined {
  const dir = env[MODEL_CACHE_ENV];
  return dir ? folderModelCache(dir) : undefined;
}

/**
 * Models as two files per key in `dir`: the character model's weights (raw float32) and a JSON
 * file with its labels and the calibrator, written last. Anything unreadable is a miss.
 */
export function folderModelCache(dir: string): ModelCache {
  return {
    trained(kb, outOfScope, useBayes, train) {
      const base = join(dir, modelKey(kb, outOfScope, useBayes));
      const kept = readModels(base);
      if (kept) return kept;
      const models = train();
      mkdirSync(dir, { recursive: true });
      const { labels, always, weights } = models.chars.toSnapshot();
      writeAtomically(`${base}.weights`, Buffer.from(weights.buffer, weights.byteOffset, weights.byteLength));
      writeAtomically(`${base}.json`, JSON.stringify({ labels, always, calibrator: { weights: models.calibrator.weights, bias: models.calibrator.bias } }));
      return models;
    },
  };
}

/** SHA-256 of everything the training reads: every class with its samples and texts, synonyms, out-of-scope examples. */
export function modelKey(kb: RecognitionSource, outOfScope: OutOfScopeExamples, useBayes: boolean): string {
  return createHash('sha256').update(JSON.stringify([useBayes, kb.entries, kb.synonyms, outOfScope])).digest('hex');
}

/** Written aside then renamed: another process of the run never reads half a file. */
function writeAtomically(file: string, data: string | Buffer): void {
  const partial = `${file}.${process.pid}.tmp`;
  writeFileSync(partial, data);
  renameSync(partial, file);
}

function readModels(base: string): TrainedModels | undefined {
  try {
    const parsed = JSON.parse(readFileSync(`${base}.json`, 'utf8')) as { labels?: unknown; always?: unknown; calibrator?: { weights?: unknown; bias?: unknown } };
    const { labels, always, calibrator } = parsed;
    if (!Array.isArray(labels) || !labels.every((l) => typeof l === 'string')) return undefined;
    if (always !== null && typeof always !== 'string') return undefined;
    const weights = calibrator?.weights;
    const bias = calibrator?.bias;
    if (!Array.isArray(weights) || !weights.every(isFiniteNumber) || !isFiniteNumber(bias)) return undefined;
    const bytes = readFileSync(`${base}.weights`);
    if (bytes.byteLength % 4 !== 0) return undefined;
    // A copy, aligned: the file's buffer may share a pool at any offset.
    const charWeights = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
    return {
      chars: CharNgramModel.fromSnapshot({ labels: labels as string[], always, weights: charWeights }),
      calibrator: LogisticRegression.fromParameters(weights as number[], bias),
    };
  } catch {
    return undefined;
  }
}

function isFiniteNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}
