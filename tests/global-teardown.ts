import { rmSync } from 'node:fs';
import { MODEL_CACHE_ENV } from '../src/nlu/model-cache';

/** Removes the run's model cache (see global-setup.ts). */
export default function globalTeardown(): void {
  const dir = process.env[MODEL_CACHE_ENV];
  if (dir) rmSync(dir, { recursive: true, force: true });
}
