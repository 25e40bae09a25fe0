import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RecognitionSource } from '../knowledge/knowledge-base';
import { CharNgramModel } from './char-ngram-model';
import { LogisticRegression } from './logistic-regression';
import type { OutOfScopeExamples } from './out-of-scope';
import { PackedWordSet } from './packed-word-set';
import { knownStemCount, knownStems, learnStems } from './stemmer';

/**
 * Where trained models are kept between processes of one test run: the folder named by
 * `DIALOGO_MODEL_CACHE_DIR`, which jest's global set-up creates fresh for each run and removes
 * after it (tests/global-setup.ts). Unset everywhere else, so Dialogo itself always trains.
 *
 * Why a test run needs it: every test file that starts Dialogo builds the recognizer in its own
 * module registry (jest gives each file a fresh one, in which every module also runs cold), and
 * the character model and the calibrator (fitted by 5-fold cross-validation) are most of a build.
 * Both are deterministic and depend only on the knowledge base, the out-of-scope examples and the
 * code; the code cannot change within one run, so the entry is keyed by the first two.
 *
 * The packed word lexicon (keyed by its lists' bytes) and the stems worked out so far (a pure
 * function of the word) are kept the same way: once the models were kept, they were about two
 * thirds of a Dialogo start in a test file (docs/benchmarks.md, "The suite's CPU").
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
  /**
   * The word lexicon packed from these source files' bytes, packing (and keeping) it on a miss:
   * parsing and sorting its 390,000 words is about half a second of every process that builds a
   * recognizer, which a test run pays once per test file.
   */
  lexicon(sources: readonly Buffer[], pack: () => PackedWordSet): PackedWordSet;
  /**
   * Runs `build` with the stems earlier processes of the run kept (once per process), then keeps
   * the stems it added: in a test file's fresh module registry Snowball's generated code runs
   * cold, and stemming the knowledge base's words was most of a build there.
   */
  withStems<T>(build: () => T): T;
}

/** Whether this process has read the run's kept stems (the stemmer's cache is per process). */
let stemsLearnt = false;

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
    lexicon(sources, pack) {
      const hash = createHash('sha256');
      for (const source of sources) hash.update(`${source.byteLength}\0`).update(source);
      const file = join(dir, `lexicon-${hash.digest('hex')}.bin`);
      const kept = readLexicon(file);
      if (kept) return kept;
      const lexicon = pack();
      mkdirSync(dir, { recursive: true });
      const { bytes, starts } = lexicon.toSnapshot();
      const count = Buffer.alloc(4);
      count.writeUInt32LE(starts.length);
      writeAtomically(file, Buffer.concat([count, Buffer.from(starts.buffer, starts.byteOffset, starts.byteLength), bytes]));
      return lexicon;
    },
    withStems(build) {
      const file = join(dir, 'stems.json');
      if (!stemsLearnt) {
        stemsLearnt = true;
        try {
          learnStems(JSON.parse(readFileSync(file, 'utf8')));
        } catch {
          // No stems kept yet (or a file that is not JSON): this build works them out.
        }
      }
      const before = knownStemCount();
      const built = build();
      if (knownStemCount() > before) {
        mkdirSync(dir, { recursive: true });
        writeAtomically(file, JSON.stringify(knownStems()));
      }
      return built;
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

/** The file: the number of offsets (uint32 LE), the offsets (uint32, the platform's order), then the words' bytes. */
function readLexicon(file: string): PackedWordSet | undefined {
  try {
    const data = readFileSync(file);
    const offsets = data.readUInt32LE(0);
    const wordsAt = 4 + 4 * offsets;
    if (offsets === 0 || wordsAt > data.byteLength) return undefined;
    // Copies, aligned: the file's buffer may share a pool at any offset.
    const starts = new Uint32Array(data.buffer.slice(data.byteOffset + 4, data.byteOffset + wordsAt));
    return PackedWordSet.fromSnapshot(new Uint8Array(data.subarray(wordsAt)), starts);
  } catch {
    return undefined;
  }
}

function isFiniteNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}
