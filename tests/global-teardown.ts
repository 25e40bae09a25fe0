import { rmSync } from 'node:fs';
import { CALIBRATION_CACHE_ENV } from '../src/nlu/calibration-cache';

/** Removes the run's calibration cache (see global-setup.ts). */
export default function globalTeardown(): void {
  const dir = process.env[CALIBRATION_CACHE_ENV];
  if (dir) rmSync(dir, { recursive: true, force: true });
}
