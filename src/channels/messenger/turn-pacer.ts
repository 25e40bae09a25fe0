/**
 * Starts waiting work one piece per event-loop iteration (`setImmediate`), first come first
 * served, so that the I/O that arrives meanwhile is served between pieces. Without it, a burst of
 * webhook deliveries is read one delivery per turn: each delivery's turn runs in microtasks before
 * the server reads the next request, so the last delivery is acknowledged only after every
 * earlier turn (1.4 to 3.7 s for 200 at once, docs/benchmarks.md), and Meta redelivers what it
 * does not see acknowledged quickly.
 *
 * @example
 * const pacer = new TurnPacer();
 * await pacer.next();
 * await handle(event);
 */
export class TurnPacer {
  private readonly waiting: (() => void)[] = [];
  private scheduled = false;

  /** Resolves on a later event-loop iteration, after every earlier caller's. */
  next(): Promise<void> {
    return new Promise((resolve) => {
      this.waiting.push(resolve);
      this.schedule();
    });
  }

  /** Callers not yet released. */
  waitingCount(): number {
    return this.waiting.length;
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.waiting.shift()?.();
      if (this.waiting.length > 0) this.schedule();
    });
  }
}
