/**
 * A bounded set of recently seen keys with a time to live: the memory of which deliveries were
 * already processed. Oldest keys go first when it is full.
 *
 * @example
 * const seen = new RecentKeys({ capacity: 50_000, ttlMs: 24 * 3600_000 });
 * if (!seen.add(event.message.mid)) return; // a redelivery
 */
export class RecentKeys {
  private readonly keys = new Map<string, number>();
  private readonly capacity: number;
  private readonly ttlMs: number;
  private readonly now: () => number;

  constructor(options: { capacity: number; ttlMs: number; now?: () => number }) {
    if (options.capacity < 1) throw new Error('RecentKeys needs a capacity of at least 1');
    this.capacity = options.capacity;
    this.ttlMs = options.ttlMs;
    this.now = options.now ?? Date.now;
  }

  /** Records the key; false when it was already seen within the time to live. */
  add(key: string): boolean {
    const now = this.now();
    const seenAt = this.keys.get(key);
    if (seenAt !== undefined && now - seenAt < this.ttlMs) return false;
    this.keys.delete(key);
    this.keys.set(key, now);
    while (this.keys.size > this.capacity) {
      const oldest = this.keys.keys().next().value as string;
      this.keys.delete(oldest);
    }
    return true;
  }

  get size(): number {
    return this.keys.size;
  }
}
