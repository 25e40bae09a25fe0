import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { KnowledgeBase } from '../knowledge/knowledge-base';
import { KnowledgeBaseError } from '../knowledge/load-knowledge-base';
import type { Communication } from '../knowledge/communication-schema';
import type { Referral } from '../knowledge/referral-schema';
import type { Topic } from '../knowledge/topic-schema';
import { inSlices } from './build-steps';
import { CharNgramModel } from './char-ngram-model';
import { FacetPicker } from './facet-picker';
import { LocalRecognizer } from './local-recognizer';
import { LogisticRegression } from './logistic-regression';
import { parseWorkerMessage, type BuildRequest, type WorkerMessage } from './recognizer-build-protocol';

/**
 * A build has this long in its worker: at 1,000 topics it trains for tens of seconds on a
 * loaded machine; a worker still busy after this has hung and is ended.
 */
export const DEFAULT_BUILD_TIMEOUT_MS = 10 * 60 * 1000;

/** How a build in a worker runs. */
export interface WorkerBuildOptions {
  /** The worker is ended, and the build fails, after this long (default {@link DEFAULT_BUILD_TIMEOUT_MS}). */
  readonly timeoutMs?: number;
  /** Tests: the worker waits until the first 32-bit slot of this buffer is no longer 0. */
  readonly hold?: SharedArrayBuffer;
  /** Aborted (shutdown): the worker is ended at once and the build fails, instead of being waited for. */
  readonly signal?: AbortSignal;
  /** Tests: the worker dies of an uncaught error, as a crashing worker would. */
  readonly crash?: boolean;
}

/** A knowledge base with the local recognizer built over it. */
export interface BuiltKnowledge {
  readonly kb: KnowledgeBase;
  readonly recognizer: LocalRecognizer;
}

/**
 * Loads, validates and trains on `dir` in a worker thread, then rebuilds on this thread, in
 * slices, what cannot cross a thread cheaply (indexes, naive Bayes, the facet picker): the
 * event loop keeps serving turns throughout. A folder that does not validate rejects with the
 * worker's {@link KnowledgeBaseError}, problems intact; a worker that crashes or passes
 * `timeoutMs` rejects with an Error saying so, and is ended. Either way nothing else is touched.
 *
 * @example
 * const { kb, recognizer } = await buildInWorker('knowledge-base');
 */
export async function buildInWorker(dir: string, options: WorkerBuildOptions = {}): Promise<BuiltKnowledge> {
  const { timeoutMs = DEFAULT_BUILD_TIMEOUT_MS } = options;
  const request: BuildRequest = { dir, ...(options.hold ? { hold: options.hold } : {}), ...(options.crash ? { crash: true } : {}) };
  const { file, execArgv } = workerScript('recognizer-build-worker');
  const worker = new Worker(file, { execArgv, workerData: request });
  const inbox = new Inbox(worker, timeoutMs);
  const stop = () => inbox.abandon(new Error('knowledge base build stopped: Dialogo is shutting down'));
  if (options.signal?.aborted) stop();
  options.signal?.addEventListener('abort', stop, { once: true });
  try {
    const first = await inbox.next();
    if (first.type === 'invalid') throw new KnowledgeBaseError(first.problems);
    if (first.type === 'failed') throw new Error(`knowledge base build failed in its worker: ${first.message}`);
    if (first.type !== 'built') throw new Error(`knowledge base build worker: expected the built parts first, got "${first.type}"`);
    const topics: Topic[] = [];
    while (topics.length < first.topicCount) {
      worker.postMessage('next');
      const batch = await inbox.next();
      if (batch.type !== 'topics' || batch.topics.length === 0) throw new Error('knowledge base build worker: topics missing');
      topics.push(...batch.topics);
    }
    inbox.done();
    const kb = new KnowledgeBase(topics, first.synonyms, { referrals: first.referrals as Referral[], communications: first.communications as Communication[] });
    const models = {
      chars: CharNgramModel.fromSnapshot(first.chars),
      calibrator: LogisticRegression.fromParameters(first.calibrator.weights, first.calibrator.bias),
    };
    const recognizer = await inSlices(LocalRecognizer.building(kb, first.outOfScope, { models }));
    await inSlices(FacetPicker.building(kb));
    if (options.signal?.aborted) throw new Error('knowledge base build stopped: Dialogo is shutting down');
    return { kb, recognizer };
  } finally {
    options.signal?.removeEventListener('abort', stop);
    inbox.done();
    await worker.terminate();
  }
}

/**
 * The worker's messages in order, and its end: a crash (an `error` event, an exit before the
 * build is handed over) or the timeout fails the message awaited then, or the next one.
 */
class Inbox {
  private readonly queue: WorkerMessage[] = [];
  private waiting: { resolve: (m: WorkerMessage) => void; reject: (e: Error) => void } | undefined;
  private failure: Error | undefined;
  private readonly timer: NodeJS.Timeout;
  private finished = false;

  constructor(
    private readonly worker: Worker,
    timeoutMs: number,
  ) {
    worker.on('message', (data: unknown) => {
      try {
        this.push(parseWorkerMessage(data));
      } catch (error) {
        this.fail(error as Error);
      }
    });
    worker.once('error', (error: Error) => this.fail(new Error(`knowledge base build worker crashed: ${error.message}`)));
    worker.once('exit', (code) => this.fail(new Error(`knowledge base build worker exited (code ${code}) before handing over the build`)));
    this.timer = setTimeout(() => {
      this.fail(new Error(`knowledge base build worker did not finish within ${timeoutMs} ms; ended`));
      void worker.terminate();
    }, timeoutMs);
    this.timer.unref();
  }

  next(): Promise<WorkerMessage> {
    const queued = this.queue.shift();
    if (queued) return Promise.resolve(queued);
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => (this.waiting = { resolve, reject }));
  }

  /** Fails the build now with `error` and ends the worker. */
  abandon(error: Error): void {
    this.fail(error);
    void this.worker.terminate();
  }

  /** The build has everything it needs from the worker: its end is no longer a failure. */
  done(): void {
    this.finished = true;
    clearTimeout(this.timer);
  }

  private push(message: WorkerMessage): void {
    const waiting = this.waiting;
    this.waiting = undefined;
    if (waiting) waiting.resolve(message);
    else this.queue.push(message);
  }

  private fail(error: Error): void {
    if (this.finished || this.failure) return;
    this.failure = error;
    const waiting = this.waiting;
    this.waiting = undefined;
    waiting?.reject(error);
  }
}

/**
 * A worker's file next to this one: the compiled .js under `npm start`; from the TypeScript
 * sources (ts-node scripts, jest) the .ts, loaded through ts-node, as the forecast worker does.
 */
function workerScript(name: string): { file: string; execArgv: string[] } {
  const fromSource = __filename.endsWith('.ts');
  return {
    file: path.join(__dirname, `${name}.${fromSource ? 'ts' : 'js'}`),
    execArgv: fromSource ? ['--require', 'ts-node/register/transpile-only'] : [],
  };
}
