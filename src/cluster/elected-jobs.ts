import type { Logger } from '../logger';
import type { Coordinator, Election } from './coordinator';

/** A periodic job that must run on one instance only (the queue sweep, retention, the analytics tail). */
export interface ElectedJob {
  readonly name: string;
  readonly intervalMs: number;
  run(): Promise<void>;
  /** Also run once as soon as this instance starts leading (retention at start-up). */
  readonly runWhenElected?: boolean;
}

/**
 * Runs periodic jobs on the elected instance only: a per-process `setInterval` in every instance
 * would tell a queued citizen the same thing once per instance and purge concurrently (the
 * clustering bug of Botpress HITL-next). With the in-process coordinator this instance always
 * leads, which is the single-instance behaviour. A job never overlaps itself: a tick that finds the
 * previous run still going is skipped. `onLeading` is told of each change (the handoff core and the
 * analytics tail follow it).
 *
 * @example
 * const jobs = new ElectedJobs(coordinator, [{ name: 'handoff-sweep', intervalMs: 5000, run: () => handoff.sweep() }], logger);
 * jobs.start();
 * await jobs.stop();
 */
export class ElectedJobs {
  private election: Election | undefined;
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly running = new Map<string, Promise<void>>();
  private leading = false;

  constructor(
    private readonly coordinator: Coordinator,
    private readonly jobs: readonly ElectedJob[],
    private readonly logger: Logger,
    private readonly onLeading: (leading: boolean) => void = () => undefined,
    private readonly role = 'timers',
  ) {}

  /** Whether this instance runs the jobs now. */
  get isLeading(): boolean {
    return this.leading;
  }

  start(): void {
    this.election ??= this.coordinator.elect(this.role, (leading) => this.change(leading));
  }

  /** Stops campaigning and the timers, and waits for runs in progress. */
  async stop(): Promise<void> {
    await this.election?.resign();
    this.election = undefined;
    this.change(false);
    await Promise.all(this.running.values());
  }

  private change(leading: boolean): void {
    if (leading === this.leading) return;
    this.leading = leading;
    this.logger.info({ role: this.role, instance: this.coordinator.instanceId, leading }, leading ? 'elected: this instance runs the periodic jobs' : 'no longer elected: periodic jobs stopped here');
    if (leading) {
      for (const job of this.jobs) {
        const timer = setInterval(() => this.tick(job), job.intervalMs);
        timer.unref();
        this.timers.set(job.name, timer);
        if (job.runWhenElected) this.tick(job);
      }
    } else {
      for (const timer of this.timers.values()) clearInterval(timer);
      this.timers.clear();
    }
    this.onLeading(leading);
  }

  private tick(job: ElectedJob): void {
    if (this.running.has(job.name)) return;
    const run = job
      .run()
      .catch((error: unknown) => this.logger.warn({ err: error, job: job.name }, 'periodic job failed; next run at the next tick'))
      .finally(() => this.running.delete(job.name));
    this.running.set(job.name, run);
  }
}
