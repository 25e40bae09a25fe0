import type { Logger } from '../logger';
import type { InteractionEvent } from './interaction-event';
import type { InteractionEventStore } from './ports';

export interface RecorderOptions {
  /** Flush at least this often. */
  readonly flushIntervalMs?: number;
  /** Flush as soon as this many events wait; also the size of one write. */
  readonly batchSize?: number;
  /** Events held while the store is unreachable; past this new events are dropped (and counted). */
  readonly maxBuffered?: number;
  /** Longest pause between retries while the store is unreachable. */
  readonly maxRetryDelayMs?: number;
}

/** What `/readyz` and the logs say about event recording. */
export interface RecorderStatus {
  readonly degraded: boolean;
  readonly buffered: number;
  readonly dropped: number;
  readonly stored: number;
}

/**
 * Records interaction events off the turn's hot path: `record` only appends to a bounded
 * in-memory buffer; a background loop writes batches in order. When the store is unreachable
 * the events wait (up to `maxBuffered`, 100,000 by default: over half an hour at 50 events/s)
 * and are written, in order, once it answers again; writes are idempotent by event id, so a
 * batch retried after a timeout that did land is stored once.
 *
 * @example
 * const recorder = new InteractionRecorder(backend.events, logger);
 * recorder.start();
 * recorder.record(event);
 * await recorder.drain(5000);
 */
export class InteractionRecorder {
  private readonly buffer: InteractionEvent[] = [];
  private readonly flushIntervalMs: number;
  private readonly batchSize: number;
  private readonly maxBuffered: number;
  private readonly maxRetryDelayMs: number;
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> | undefined;
  private failures = 0;
  private retryAt = 0;
  private dropped = 0;
  private stored = 0;

  constructor(
    private readonly store: InteractionEventStore,
    private readonly logger: Logger,
    options: RecorderOptions = {},
  ) {
    this.flushIntervalMs = options.flushIntervalMs ?? 100;
    this.batchSize = options.batchSize ?? 100;
    this.maxBuffered = options.maxBuffered ?? 100_000;
    this.maxRetryDelayMs = options.maxRetryDelayMs ?? 2_000;
  }

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.flush(), this.flushIntervalMs);
    this.timer.unref();
  }

  /** Queues an event; never waits for the store. */
  record(event: InteractionEvent): void {
    if (this.buffer.length >= this.maxBuffered) {
      // The events already waiting keep their order and their place in a write in flight; the newest is refused.
      this.dropped += 1;
      if (this.dropped === 1 || this.dropped % 1000 === 0) this.logger.error({ dropped: this.dropped }, 'interaction buffer full: new events dropped');
      return;
    }
    this.buffer.push(event);
    if (this.buffer.length >= this.batchSize && this.failures === 0) void this.flush();
  }

  get status(): RecorderStatus {
    return { degraded: this.failures > 0, buffered: this.buffer.length, dropped: this.dropped, stored: this.stored };
  }

  /** Writes what is buffered, one batch at a time, in order; one flush runs at a time. */
  flush(): Promise<void> {
    this.flushing ??= this.writeBatches().finally(() => {
      this.flushing = undefined;
    });
    return this.flushing;
  }

  /** Stops the loop and writes everything buffered, trying until `timeoutMs` has passed. */
  async drain(timeoutMs: number): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    const deadline = Date.now() + timeoutMs;
    while (this.buffer.length > 0 && Date.now() < deadline) {
      this.retryAt = 0;
      await this.flush();
      if (this.buffer.length > 0) await new Promise((r) => setTimeout(r, Math.min(200, Math.max(0, deadline - Date.now()))));
    }
    if (this.buffer.length > 0) this.logger.error({ lost: this.buffer.length }, 'shutdown: events could not be stored before the deadline');
  }

  private async writeBatches(): Promise<void> {
    while (this.buffer.length > 0) {
      if (Date.now() < this.retryAt) return;
      const batch = this.buffer.slice(0, this.batchSize);
      try {
        await this.store.append(batch);
      } catch (error) {
        this.failures += 1;
        this.retryAt = Date.now() + Math.min(this.maxRetryDelayMs, 100 * 2 ** Math.min(this.failures, 10));
        if (this.failures === 1) this.logger.warn({ err: error, buffered: this.buffer.length }, 'event store unreachable: buffering events');
        return;
      }
      // Only what was written leaves the buffer; record() appends at the end meanwhile, never touches the front.
      this.buffer.splice(0, batch.length);
      this.stored += batch.length;
      if (this.failures > 0) this.logger.info({ afterFailures: this.failures }, 'event store reachable again');
      this.failures = 0;
    }
  }
}
