import { z } from 'zod';
import type { InteractionEventStore, RollupStore, StoredInteractionEvent } from '../storage/ports';
import { AnalyticsAggregator } from './aggregator';

/** Default of {@link EventTailOptions.overlapMs}. */
export const TAIL_OVERLAP_MS = 10_000;
/** Default of {@link EventTailOptions.settleMs}. */
export const TAIL_SETTLE_MS = 10_000;
/** Default of {@link EventTailOptions.sweepLagMs}. */
export const TAIL_SWEEP_LAG_MS = 120_000;
/** Default of {@link EventTailOptions.pageSize}. */
export const TAIL_PAGE = 5000;
/** A backlog is written every this many pages (and at its end): counters and checkpoint in one write. */
const PAGES_PER_FLUSH = 4;

/**
 * Where the tail is in the events store: every event stored before `from` is counted, and of
 * those stored at or after it exactly the ones in `seen` (event id, store time in epoch ms).
 */
const cursorSchema = z.object({
  from: z.number().int().nonnegative(),
  seen: z.array(z.tuple([z.string().min(1), z.number().int()])),
});
type TailCursor = z.infer<typeof cursorSchema>;

export interface EventTailOptions {
  /** How often the leader reads, sweeps and flushes (5 s unless set). */
  readonly flushIntervalMs?: number;
  /**
   * How far back each read reaches before the moment the last complete read began: instances
   * stamp `storedAt` with their own clocks, so one running behind stores events "in the past".
   * Ids already counted in the overlap are skipped. 10 s unless set.
   */
  readonly overlapMs?: number;
  /**
   * How old a turn must be before its event is counted: two instances' recorders write their
   * batches at different moments, so a conversation's turns reach the store out of order for a
   * few seconds; counting them in turn order needs them all. Younger events are read again at the
   * next tick. 10 s unless set.
   */
  readonly settleMs?: number;
  /**
   * How far behind the clock sessions are swept: an event reaches the store some time after its
   * turn (the recorder writes in batches; after a store outage, much later), and a conversation
   * must not end before its late events are read. At least `overlapMs` and `settleMs`; 2 minutes unless set.
   */
  readonly sweepLagMs?: number;
  /** Events read per query (5,000 unless set, as the rebuild); a backlog is written every 4 pages. */
  readonly pageSize?: number;
  readonly maxOpenSessions?: number;
  /** The clock sessions are swept by (the events' `ts` clock). */
  readonly now?: () => Date;
  /** Where failed reads and flushes of the timer go (the next tick retries). */
  readonly onError?: (error: unknown) => void;
}

/**
 * The cluster's analytics: ONE elected instance aggregates the events every instance stored,
 * read from the store in the order they were stored (`storedSince`), instead of each instance
 * aggregating the turns it ran (which counts a citizen whose turns land on two instances as two
 * conversations). Its cursor is saved in the aggregator's checkpoint, in the same write as the
 * counters it produced, so a new leader continues exactly where the last flush stopped: nothing
 * counted twice, nothing missed. Events an instance held through a store outage get the time
 * they were finally stored, so the tail finds them however old their turn time.
 *
 * Leadership drives it: `lead()` when this instance is elected (reloads the checkpoint, which
 * another leader may have moved), `stepDown()` when it is not any more (what was read since the
 * last flush is dropped: the next leader reads it again). docs/metrics.md, "Cluster mode".
 *
 * @example
 * const tail = new EventTail(backend.events, backend.rollups, { onError: (e) => logger.warn({ err: e }) });
 * await tail.lead(); // electAnalyticsLeader (cluster-analytics.ts) calls lead and stepDown on elections
 * await tail.catchUp(); // the dashboard's refresh
 * await tail.stepDown();
 */
export class EventTail {
  private aggregator: AnalyticsAggregator | undefined;
  /**
   * The cursor, kept in step with what the aggregator has counted (also when a read or a write
   * fails half-way); copied into the aggregator's checkpoint only when it writes.
   */
  private from = 0;
  private seen = new Map<string, number>();
  /** Bumped by every lead and step-down: a cycle of an older leadership writes nothing. */
  private generation = 0;
  private running: Promise<void> = Promise.resolve();
  private timer: NodeJS.Timeout | undefined;
  /**
   * No conversation ends before this (epoch ms of `now`): after reading turns older than the
   * sweep lag (an outage buffer written when the store came back), the other instances' buffers
   * are still coming, and may continue the same conversations.
   */
  private sweepHeldUntil = 0;
  private readonly interval: number;
  private readonly overlap: number;
  private readonly settle: number;
  private readonly lag: number;
  private readonly pageSize: number;
  private readonly now: () => Date;

  constructor(
    private readonly events: InteractionEventStore,
    private readonly rollups: RollupStore,
    private readonly options: EventTailOptions = {},
  ) {
    this.interval = options.flushIntervalMs ?? 5000;
    this.overlap = options.overlapMs ?? TAIL_OVERLAP_MS;
    this.settle = options.settleMs ?? TAIL_SETTLE_MS;
    this.lag = options.sweepLagMs ?? Math.max(TAIL_SWEEP_LAG_MS, this.overlap, this.settle);
    this.pageSize = options.pageSize ?? TAIL_PAGE;
    if (!(this.interval > 0)) throw new Error(`flushIntervalMs must be positive, got ${this.interval}`);
    if (!Number.isInteger(this.overlap) || this.overlap < 0) throw new Error(`overlapMs must be a whole number, not negative, got ${this.overlap}`);
    if (!(this.settle >= 0)) throw new Error(`settleMs must not be negative, got ${this.settle}`);
    if (!(this.lag >= this.overlap && this.lag >= this.settle)) throw new Error(`sweepLagMs (${this.lag}) must be at least overlapMs (${this.overlap}) and settleMs (${this.settle})`);
    if (!Number.isInteger(this.pageSize) || this.pageSize < 1) throw new Error(`pageSize must be a whole number of at least 1, got ${this.pageSize}`);
    this.now = options.now ?? (() => new Date());
  }

  /** Whether this instance aggregates now. */
  get leading(): boolean {
    return this.aggregator !== undefined;
  }

  /** How many conversations are open (for diagnostics). */
  get openSessions(): number {
    return this.aggregator?.openSessions ?? 0;
  }

  /**
   * Starts aggregating: reloads the checkpoint (sessions and cursor) and reads every flush
   * interval until {@link stepDown}. Rejects, leading nothing, when the checkpoint cannot be read.
   */
  async lead(): Promise<void> {
    if (this.aggregator) return;
    const generation = ++this.generation;
    // A cycle of the previous leadership may still be running: it writes nothing, but let it end.
    await this.running;
    const aggregator = new AnalyticsAggregator(this.rollups, { maxOpenSessions: this.options.maxOpenSessions });
    await aggregator.start();
    if (generation !== this.generation) return;
    const cursor = this.startingCursor(aggregator);
    this.from = cursor.from;
    this.seen = new Map(cursor.seen);
    this.sweepHeldUntil = 0;
    this.aggregator = aggregator;
    this.schedule(generation);
  }

  /** Stops aggregating; waits for a running read to end. Nothing is written after it resolves. */
  async stepDown(): Promise<void> {
    this.generation += 1;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.aggregator = undefined;
    await this.running;
  }

  /**
   * Reads what was stored since the last read, sweeps and flushes, now (the dashboard's refresh,
   * a clean shutdown). Does nothing when this instance does not lead.
   */
  catchUp(): Promise<void> {
    const generation = this.generation;
    const run = this.running.then(() => this.cycle(generation));
    this.running = run.catch(() => undefined);
    return run;
  }

  private schedule(generation: number): void {
    this.timer = setTimeout(() => {
      this.catchUp()
        .catch((error: unknown) => this.options.onError?.(error))
        .finally(() => {
          if (generation === this.generation) this.schedule(generation);
        });
    }, this.interval);
    this.timer.unref();
  }

  /**
   * Without a cursor: from the beginning on an empty store; right after the checkpoint of the
   * single-instance aggregator (it counted, in memory, every event stored before its last flush
   * at shutdown); from now when the checkpoint does not say when it was saved.
   */
  private startingCursor(aggregator: AnalyticsAggregator): TailCursor {
    if (aggregator.restored?.cursor !== undefined) {
      const parsed = cursorSchema.safeParse(aggregator.restored.cursor);
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        throw new Error(`invalid analytics checkpoint: cursor.${issue ? `${issue.path.join('.')}: ${issue.message}` : 'unreadable'} (rebuild with npm run analytics:rebuild)`);
      }
      return parsed.data;
    }
    if (!aggregator.restored) return { from: 0, seen: [] };
    return { from: (aggregator.restored.savedAt ?? Date.now()) + 1, seen: [] };
  }

  private async cycle(generation: number): Promise<void> {
    const aggregator = this.aggregator;
    if (!aggregator || generation !== this.generation) return;
    const seen = this.seen;
    const start = this.from;
    let pageFrom = start;
    let limit = this.pageSize;
    let newest = -Infinity;
    /** The store time of the first event read but left to settle. */
    let unsettled = Infinity;
    let pages = 0;
    for (;;) {
      const readAt = Date.now();
      const page = await this.events.storedSince(new Date(pageFrom), limit);
      if (generation !== this.generation) return;
      const nowMs = this.now().getTime();
      const settledTurn = nowMs - this.settle;
      // Or stored long enough ago: a turn stamped ahead by a fast clock is not held back for ever.
      const settledStore = readAt - this.settle;
      const fresh = page.filter((s) => !seen.has(s.event.eventId) && (!(Date.parse(s.event.ts) > settledTurn) || s.storedAt.getTime() <= settledStore));
      for (const { event } of byTurnTime(fresh)) aggregator.observe(event);
      for (const s of fresh) seen.set(s.event.eventId, s.storedAt.getTime());
      if (fresh.some((s) => nowMs - Date.parse(s.event.ts) > this.lag)) this.sweepHeldUntil = nowMs + this.lag;
      for (const s of page) {
        const at = s.storedAt.getTime();
        newest = Math.max(newest, at);
        if (!seen.has(s.event.eventId)) unsettled = Math.min(unsettled, at);
      }
      const last = page[page.length - 1];
      const full = page.length === limit && last !== undefined;
      if (full && last.storedAt.getTime() === pageFrom) {
        // A whole page stored in one millisecond: read that instant again, further.
        limit *= 2;
        continue;
      }
      // Read to the end, everything stored before the read began is in (but for clock skew, the
      // overlap); the cursor stays at or before the first event left to settle.
      const horizon = full ? newest : Math.max(newest, readAt);
      this.from = Math.min(Math.max(start, horizon - this.overlap), unsettled);
      if (full) {
        pageFrom = last.storedAt.getTime();
        limit = this.pageSize;
        pages += 1;
        // A backlog is swept only once read whole: its next pages may hold another instance's
        // turns of the same conversations (open ones stay bounded by maxOpenSessions).
        if (pages % PAGES_PER_FLUSH !== 0) continue;
      } else if (nowMs >= this.sweepHeldUntil) {
        aggregator.sweep(new Date(nowMs - this.lag));
      }
      for (const [id, at] of seen) if (at < this.from) seen.delete(id);
      aggregator.cursor = { from: this.from, seen: [...seen] } satisfies TailCursor;
      await aggregator.flush();
      if (!full || generation !== this.generation) return;
    }
  }
}

/** In turn time order (stable: events of one instant keep their stored order). */
function byTurnTime(stored: readonly StoredInteractionEvent[]): StoredInteractionEvent[] {
  return stored
    .map((s, index) => ({ s, index, ms: Date.parse(s.event.ts) || 0 }))
    .sort((a, b) => (a.ms - b.ms || a.index - b.index))
    .map(({ s }) => s);
}
