import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { romeDay } from '../analytics/rome-day';
import type { Logger } from '../logger';
import type { RollupStore } from '../storage/ports';
import { computeForecast, forecastJob, type ForecastJob } from './compute-forecast';
import type { ForecastResult } from './forecast-types';
import type { Communication } from '../knowledge/communication-schema';

/** How often the service checks whether the day or the calendar changed, to recompute before anyone asks. */
const CHECK_INTERVAL_MS = 10 * 60 * 1000;
/** The first check waits a minute: start-up (and a test's short-lived server) is not the time for a model run. */
const FIRST_CHECK_MS = 60 * 1000;

export interface ForecastServiceOptions {
  readonly rollups: RollupStore;
  /**
   * The communications calendar as the knowledge base serves it (validated, the last good one
   * after a bad edit) and a version that changes when it may have: the forecast is recomputed then.
   */
  readonly calendar: () => { readonly communications: readonly Communication[]; readonly version: string };
  readonly logger: Logger;
  readonly now?: () => Date;
  /** Makes the rollups current before they are read (the analytics API's refresh). */
  readonly refresh?: () => Promise<void>;
  /** Where the model runs: a worker thread unless replaced (`inline` runs it here, for scripts and tests). */
  readonly compute?: 'worker' | 'inline';
}

/** How long the last computation took, for /metrics and the benchmarks. */
export interface ForecastRun {
  readonly at: string;
  readonly readMs: number;
  readonly computeMs: number;
  /** Days of history modelled. */
  readonly days: number;
}

/**
 * The demand forecast for the next six weeks, computed in a worker thread from the rollups and
 * the communications calendar, cached per Europe/Rome day and recomputed when the day changes
 * or the calendar's version does (a knowledge-base reload). Concurrent requests share
 * one computation. Each instance computes its own: the result is derived data, not shared state.
 *
 * @example
 * const forecast = new ForecastService({ rollups: backend.rollups, calendar: () => ({ communications: runtime.current().kb.calendar.communications, version: String(runtime.generation) }), logger });
 * forecast.start();
 * const result = await forecast.current();
 */
export class ForecastService {
  private cache: { key: string; result: ForecastResult } | undefined;
  private running: { key: string; promise: Promise<ForecastResult> } | undefined;
  private timer: NodeJS.Timeout | undefined;
  private readonly workers = new Set<Worker>();
  private stopped = false;
  private readonly now: () => Date;
  lastRun: ForecastRun | undefined;

  constructor(private readonly options: ForecastServiceOptions) {
    this.now = options.now ?? (() => new Date());
  }

  /** The forecast of today (Rome) for the current calendar; computed now if not yet. */
  async current(): Promise<ForecastResult> {
    const now = this.now();
    const key = `${romeDay(now.getTime())}|${this.options.calendar().version}`;
    if (this.cache?.key === key) return this.cache.result;
    if (this.running?.key === key) return this.running.promise;
    const promise = this.compute(now);
    this.running = { key, promise };
    try {
      const result = await promise;
      this.cache = { key, result };
      return result;
    } finally {
      if (this.running?.promise === promise) this.running = undefined;
    }
  }

  /** Checks a minute after start, then every ten minutes, so that the first request of a day finds the forecast ready. */
  start(): void {
    if (this.timer) return;
    this.stopped = false;
    const warm = () => void this.current().catch((error: unknown) => this.options.logger.warn({ err: error }, 'forecast not computed'));
    this.timer = setTimeout(() => {
      warm();
      this.timer = setInterval(warm, CHECK_INTERVAL_MS);
      this.timer.unref();
    }, FIRST_CHECK_MS);
    this.timer.unref();
  }

  /** Stops the checks and ends a computation in flight (its callers get an error). */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    clearInterval(this.timer);
    this.timer = undefined;
    await Promise.all([...this.workers].map((w) => w.terminate()));
  }

  private async compute(now: Date): Promise<ForecastResult> {
    const started = Date.now();
    await this.options.refresh?.();
    const { communications } = this.options.calendar();
    const job = await forecastJob(this.options.rollups, communications, now);
    const read = Date.now();
    if (this.stopped) throw new Error('the forecast service is stopped');
    const result = this.options.compute === 'inline' ? computeForecast(job) : await runInWorker(job, this.workers);
    this.lastRun = { at: now.toISOString(), readMs: read - started, computeMs: Date.now() - read, days: job.series.days.length };
    this.options.logger.info(this.lastRun, 'forecast computed');
    return result;
  }
}

/**
 * Runs one job in a fresh worker thread (once a day: the thread's start-up is small beside the
 * model). From the TypeScript sources (tests, ts-node) the worker loads them through ts-node.
 * `running` holds the worker until it exits, so that a stop can end it.
 */
export function runInWorker(job: ForecastJob, running?: Set<Worker>): Promise<ForecastResult> {
  const fromSource = __filename.endsWith('.ts');
  const worker = new Worker(path.join(__dirname, `forecast-worker.${fromSource ? 'ts' : 'js'}`), {
    execArgv: fromSource ? ['--require', 'ts-node/register/transpile-only'] : [],
  });
  running?.add(worker);
  worker.once('exit', () => running?.delete(worker));
  return new Promise<ForecastResult>((resolve, reject) => {
    worker.once('message', (message: unknown) => {
      const m = message as { result?: ForecastResult; error?: string };
      if (m.result) resolve(m.result);
      else reject(new Error(`forecast worker: ${m.error ?? 'no result'}`));
      void worker.terminate();
    });
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`forecast worker exited with code ${code} before answering`)));
    worker.postMessage(job);
  });
}
