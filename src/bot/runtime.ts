import type { KnowledgeBase } from '../knowledge/knowledge-base';
import type { Recognizer } from '../nlu/recognizer';

/** What a turn needs to answer: the knowledge base and the recognizer built over it. */
export interface KnowledgeRuntime {
  readonly kb: KnowledgeBase;
  readonly recognizer: Recognizer;
}

/**
 * Holds the current knowledge runtime. A reload swaps it atomically: a turn reads it once at
 * its start and keeps that snapshot, so no turn ever sees half a knowledge base, and no
 * conversation is dropped.
 *
 * @example
 * const holder = new RuntimeHolder(runtime);
 * holder.replace(newRuntime);
 */
export class RuntimeHolder {
  private runtime: KnowledgeRuntime;
  private generationCount = 1;

  constructor(initial: KnowledgeRuntime) {
    this.runtime = initial;
  }

  current(): KnowledgeRuntime {
    return this.runtime;
  }

  replace(next: KnowledgeRuntime): void {
    this.runtime = next;
    this.generationCount += 1;
  }

  /** How many knowledge bases have been loaded since start-up (1 before any reload). */
  get generation(): number {
    return this.generationCount;
  }
}
