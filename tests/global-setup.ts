import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CALIBRATION_CACHE_ENV } from '../src/nlu/calibration-cache';

/**
 * One fresh calibration cache per test run, shared by its worker processes (they inherit the
 * environment): the first test file that builds the recognizer fits the calibrator, the others
 * reuse it (src/nlu/calibration-cache.ts). Removed by global-teardown.ts.
 */
export default function globalSetup(): void {
  process.env[CALIBRATION_CACHE_ENV] = mkdtempSync(join(tmpdir(), 'dialogo-calibration-'));
}
