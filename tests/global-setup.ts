import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MODEL_CACHE_ENV } from '../src/nlu/model-cache';

/**
 * One fresh model cache per test run, shared by its worker processes (they inherit the
 * environment): the first test file that builds the recognizer trains the character model and
 * the calibrator, the others reuse them (src/nlu/model-cache.ts). Removed by global-teardown.ts.
 */
export default function globalSetup(): void {
  process.env[MODEL_CACHE_ENV] = mkdtempSync(join(tmpdir(), 'dialogo-models-'));
}
