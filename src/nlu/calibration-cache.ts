import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RecognitionSource } from '../knowledge/knowledge-base';
import { LogisticRegression } from './logistic-regression';
import type { OutOfScopeExamples } from './out-of-scope';

/**
 * Where fitted calibrators are kept between processes of one test run: the folder named by
 * `DIALOGO_CALIBRATION_CACHE_DIR`, which jest's global set-up creates fresh for each run and
 * removes after it (tests/global-setup.ts). Unset everywhere else, so Dialogo itself always fits.
 *
 * Why a test run needs it: every test file that starts Dialogo builds the recognizer in its own
 * process, and fitting the calibrator (5-fold cross-validation) is three quarters of a build.
 * The fit depends only on the knowledge base, the out-of-scope examples and the code, and the
 * code cannot change within one run; the entry is keyed by the first two.
 */
export const CALIBRATION_CACHE_ENV = 'DIALOGO_CALIBRATION_CACHE_DIR';

/** A calibrator store keyed by what the fit learns from. */
export interface CalibrationCache {
  /** The calibrator fitted on these inputs, fitting (and keeping) it on a miss. */
  fitted(kb: RecognitionSource, outOfScope: OutOfScopeExamples, useBayes: boolean, fit: () => LogisticRegression): LogisticRegression;
}

/** The folder-backed cache when `DIALOGO_CALIBRATION_CACHE_DIR` is set, otherwise undefined. */
export function calibrationCacheFromEnv(env: NodeJS.ProcessEnv = process.env): CalibrationCache | undefined {
  const dir = env[CALIBRATION_CACHE_ENV];
  return dir ? folderCalibrationCache(dir) : undefined;
}

/** Calibrators as JSON files in `dir`, one per key; a file that cannot be read is a miss. */
export function folderCalibrationCache(dir: string): CalibrationCache {
  return {
    fitted(kb, outOfScope, useBayes, fit) {
      const file = join(dir, `${calibrationKey(kb, outOfScope, useBayes)}.json`);
      const kept = readCalibrator(file);
      if (kept) return kept;
      const model = fit();
      mkdirSync(dir, { recursive: true });
      // Written aside then renamed: another process of the run never reads half a file.
      const partial = `${file}.${process.pid}.tmp`;
      writeFileSync(partial, JSON.stringify({ weights: model.weights, bias: model.bias }));
      renameSync(partial, file);
      return model;
    },
  };
}

/** SHA-256 of everything the fit reads: every class with its samples and texts, synonyms, out-of-scope examples. */
export function calibrationKey(kb: RecognitionSource, outOfScope: OutOfScopeExamples, useBayes: boolean): string {
  return createHash('sha256').update(JSON.stringify([useBayes, kb.entries, kb.synonyms, outOfScope])).digest('hex');
}

function readCalibrator(file: string): LogisticRegression | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    return undefined;
  }
  const { weights, bias } = (parsed ?? {}) as { weights?: unknown; bias?: unknown };
  if (!Array.isArray(weights) || !weights.every((w) => typeof w === 'number' && Number.isFinite(w))) return undefined;
  if (typeof bias !== 'number' || !Number.isFinite(bias)) return undefined;
  return LogisticRegression.fromParameters(weights as number[], bias);
}
