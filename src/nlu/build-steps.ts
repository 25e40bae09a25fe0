import { performance } from 'node:perf_hooks';

/**
 * A build written as a generator that yields between small pieces of work (a topic, a few
 * samples): the same code runs to the end at once ({@link drain}) in a worker, a script or a
 * test, and in slices on the main thread ({@link inSlices}), so that turns are served between
 * the slices of a knowledge-base reload.
 */
export type BuildSteps<T> = Generator<void, T, void>;

/**
 * Runs the steps to the end, synchronously.
 *
 * @example
 * const index = drain(TopicIndex.building(kb, analyzer));
 */
export function drain<T>(steps: BuildSteps<T>): T {
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
  }
}

/**
 * Runs the steps in slices of about `sliceMs`, handing the event loop back (`setImmediate`, so
 * that I/O waiting is served before the next slice) between them.
 *
 * @example
 * const recognizer = await inSlices(LocalRecognizer.building(kb, outOfScope, { models }));
 */
export async function inSlices<T>(steps: BuildSteps<T>, sliceMs = DEFAULT_SLICE_MS): Promise<T> {
  let started = performance.now();
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
    if (performance.now() - started >= sliceMs) {
      await new Promise<void>((resolve) => setImmediate(resolve));
      started = performance.now();
    }
  }
}

/** A slice short beside a turn's own cost, long beside the cost of handing the loop back. */
export const DEFAULT_SLICE_MS = 5;
