import type { Storage, StoreItem, StoreItems } from 'botbuilder';
import type { Logger } from '../logger';
import { ETagConflictError } from './ports';

const CACHE_LIMIT = 20_000;
const RETRY_AFTER_MS = 2_000;

/**
 * Conversation state that survives an outage of the store: the bot keeps answering.
 * Reads and writes go to the store with a short time limit; when it fails or is slow, the
 * last known items (kept in a bounded cache) answer and writes wait in memory, replayed
 * (last writer wins) when the store answers again. eTag conflicts from the store are never
 * hidden: they reach the caller.
 *
 * @example
 * const state = new ResilientStorage(backend.state, logger);
 * const conversationState = new ConversationState(state);
 */
export class ResilientStorage implements Storage {
  private readonly cache = new Map<string, StoreItem>();
  private readonly pending = new Map<string, StoreItem>();
  private downSince: number | undefined;
  private retryAt = 0;

  constructor(
    private readonly inner: Storage,
    private readonly logger: Logger,
    private readonly timeoutMs = 500,
  ) {}

  get degraded(): boolean {
    return this.downSince !== undefined;
  }

  /** Writes that wait for the store. */
  get pendingWrites(): number {
    return this.pending.size;
  }

  async read(keys: string[]): Promise<StoreItems> {
    if (await this.available()) {
      try {
        const items = await this.withTimeout(this.inner.read(keys));
        for (const [key, item] of Object.entries(items)) this.remember(key, item);
        return items;
      } catch (error) {
        this.markDown(error);
      }
    }
    const items: StoreItems = {};
    for (const key of keys) {
      const item = this.pending.get(key) ?? this.cache.get(key);
      if (item) items[key] = structuredClone(item);
    }
    return items;
  }

  async write(changes: StoreItems): Promise<void> {
    if (await this.available()) {
      try {
        await this.withTimeout(this.inner.write(changes));
        for (const [key, item] of Object.entries(changes)) this.remember(key, { ...item, eTag: undefined });
        return;
      } catch (error) {
        if (error instanceof ETagConflictError) throw error;
        this.markDown(error);
      }
    }
    for (const [key, item] of Object.entries(changes)) {
      const copy = structuredClone(item);
      this.pending.set(key, copy);
      this.remember(key, copy);
    }
  }

  async delete(keys: string[]): Promise<void> {
    for (const key of keys) {
      this.cache.delete(key);
      this.pending.delete(key);
    }
    if (await this.available()) {
      try {
        await this.withTimeout(this.inner.delete(keys));
      } catch (error) {
        this.markDown(error);
      }
    }
  }

  /** True when the store is believed up; while down, probes it at most every few seconds and replays waiting writes. */
  private async available(): Promise<boolean> {
    if (this.downSince === undefined) return true;
    if (Date.now() < this.retryAt) return false;
    this.retryAt = Date.now() + RETRY_AFTER_MS;
    try {
      const waiting = Object.fromEntries([...this.pending.entries()].map(([k, v]) => [k, { ...v, eTag: '*' }]));
      await this.withTimeout(this.inner.write(waiting));
      this.pending.clear();
      this.logger.info({ downForMs: Date.now() - this.downSince }, 'state store reachable again; waiting writes replayed');
      this.downSince = undefined;
      return true;
    } catch {
      return false;
    }
  }

  private markDown(error: unknown): void {
    if (this.downSince === undefined) {
      this.downSince = Date.now();
      this.logger.warn({ err: error }, 'state store unreachable: serving conversation state from memory');
    }
    this.retryAt = Date.now() + RETRY_AFTER_MS;
  }

  private remember(key: string, item: StoreItem): void {
    this.cache.delete(key);
    this.cache.set(key, item);
    if (this.cache.size > CACHE_LIMIT) {
      const oldest = this.cache.keys().next().value;
      if (oldest !== undefined && !this.pending.has(oldest)) this.cache.delete(oldest);
    }
  }

  private withTimeout<T>(work: Promise<T>): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`state store did not answer within ${this.timeoutMs} ms`)), this.timeoutMs);
    });
    return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
  }
}
