/**
 * Holds a key's turn across processes (cluster mode: the coordinator's FIFO lock); resolves with
 * what `work` resolves. A single process needs none: the queue alone orders its turns.
 */
export type TurnLock = (key: string, work: () => Promise<void>) => Promise<void>;

/**
 * Runs work one at a time per key (a conversation, a Messenger user) and concurrently across
 * keys, and counts what is queued or running so that shutdown can wait for it. Work never
 * rejects into the caller: its errors go to `onError`.
 *
 * @example
 * const queue = new KeyedSerialQueue((error, key) => logger.error({ err: error, key }, 'turn failed'));
 * await queue.run('conversation-1', () => handle(activity));
 * await queue.drain(10_000);
 */
export class KeyedSerialQueue {
  private readonly tails = new Map<string, Promise<void>>();
  private running = 0;
  private readonly idleWaiters: (() => void)[] = [];

  constructor(
    private readonly onError: (error: unknown, key: string) => void = () => undefined,
    /** Also taken around each piece of work, after this process's previous work of the key. */
    private readonly lock?: TurnLock,
  ) {}

  /** Work queued or running, across keys. */
  inFlight(): number {
    return this.running;
  }

  /** Chains `work` after the key's previous work; resolves when it is done (never rejects). */
  run(key: string, work: () => Promise<void>): Promise<void> {
    this.running += 1;
    const previous = this.tails.get(key) ?? Promise.resolve();
    const lock = this.lock;
    const done = previous.then(lock ? () => lock(key, work) : work).catch((error: unknown) => this.onError(error, key));
    this.tails.set(key, done);
    return done.finally(() => {
      if (this.tails.get(key) === done) this.tails.delete(key);
      this.running -= 1;
      if (this.running === 0) this.idleWaiters.splice(0).forEach((resolve) => resolve());
    });
  }

  /** Resolves when nothing is queued or running, or after `graceMs`. */
  async drain(graceMs: number): Promise<void> {
    if (this.running === 0) return;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      new Promise<void>((resolve) => this.idleWaiters.push(resolve)),
      new Promise<void>((resolve) => {
        timer = setTimeout(resolve, graceMs);
        timer.unref();
      }),
    ]);
    clearTimeout(timer);
  }
}
