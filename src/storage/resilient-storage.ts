import type { Storage, StoreItem, StoreItems } from 'botbuilder';
import type { Logger } from '../logger';
import { isUnconditional } from './etag';
import { ETagConflictError } from './ports';

const CACHE_LIMIT = 20_000;
const RETRY_AFTER_MS = 2_000;
/** With a store of its own: changes written together, off the turn's path, within this window. */
const WRITE_DELAY_MS = 250;
/** With a store of its own: a remembered item answers reads for this long after it was last used. */
const SERVE_FROM_MEMORY_MS = 30 * 60_000;

/** How the state is kept. */
export interface ResilientStorageOptions {
  /** How long a read or write may take before the store counts as down (default 500 ms). */
  readonly timeoutMs?: number;
  /**
   * True when this process is the store's only writer (the embedded SQLite store, held by the
   * instance lock; never in cluster mode, where every instance writes the same store). Reads are
   * then answered from memory and changes written behind, in one batch every 250 ms.
   */
  readonly ownsStore?: boolean;
  readonly writeDelayMs?: number;
  readonly now?: () => number;
}

/**
 * An item as memory keeps it: its JSON text, not its objects. A snapshot (the caller's later
 * changes do not reach it), one string for the garbage collector to trace instead of an object graph
 * per conversation, and one `stringify` per write where a copy took a `stringify` and a `parse`.
 * Every store keeps state as JSON, so the text is exactly what a read from the store gives back.
 */
interface Remembered {
  readonly json: string;
  /** The eTag inside `json`, for the conflict check without parsing. */
  readonly eTag: unknown;
  /** When the item was last read or written through this process. */
  usedAt: number;
}

/**
 * Conversation state that survives an outage of the store: the bot keeps answering.
 * Reads and writes go to the store with a short time limit; when it fails or is slow, the
 * last known items (kept in a bounded cache) answer and writes wait in memory, replayed
 * (last writer wins) when the store answers again. eTag conflicts from the store are never
 * hidden: they reach the caller.
 *
 * With a store of its own (`ownsStore`), every turn no longer pays a read and a sealed write:
 * - reads of an item used in the last 30 minutes are answered from memory (a copy). The store
 *   cannot have changed it: nothing else writes it (the CLI's purge removes only items untouched
 *   for days, far longer than an item stays served from memory);
 * - writes are checked against the eTag memory holds (a conflict is refused exactly as the store
 *   would refuse it), then written behind: every change of the last 250 ms in one write, the
 *   last change of an item winning. A crash loses at most those 250 ms of dialog state (the
 *   conversation goes on from the turn before); {@link flush} writes what waits, on shutdown.
 *
 * @example
 * const state = new ResilientStorage(backend.state, logger, { ownsStore: backend.kind === 'sqlite' });
 * const conversationState = new ConversationState(state);
 * await state.flush(); // on shutdown
 */
export class ResilientStorage implements Storage {
  private readonly cache = new Map<string, Remembered>();
  /** Writes held while the store is down, as JSON text. */
  private readonly pending = new Map<string, string>();
  /** Changes accepted and not yet written (only with `ownsStore`), as JSON text; written unconditionally. */
  private readonly behind = new Map<string, string>();
  private behindTimer: NodeJS.Timeout | undefined;
  private writing: Promise<void> = Promise.resolve();
  private versions = 0;
  private downSince: number | undefined;
  private retryAt = 0;
  private readonly timeoutMs: number;
  private readonly ownsStore: boolean;
  private readonly writeDelayMs: number;
  private readonly now: () => number;

  constructor(
    private readonly inner: Storage,
    private readonly logger: Logger,
    options: ResilientStorageOptions = {},
  ) {
    this.timeoutMs = options.timeoutMs ?? 500;
    this.ownsStore = options.ownsStore ?? false;
    this.writeDelayMs = options.writeDelayMs ?? WRITE_DELAY_MS;
    this.now = options.now ?? Date.now;
  }

  get degraded(): boolean {
    return this.downSince !== undefined;
  }

  /** Writes that wait for the store (while it is down, or written behind). */
  get pendingWrites(): number {
    return this.pending.size + this.behind.size;
  }

  async read(keys: string[]): Promise<StoreItems> {
    const items: StoreItems = {};
    const missing = this.ownsStore ? keys.filter((key) => !this.readFromMemory(key, items)) : keys;
    if (missing.length === 0) return items;
    if (await this.available()) {
      try {
        const read = await this.withTimeout(this.inner.read(missing));
        // A change written behind is remembered, so it was answered from memory above: what the store gives is the latest.
        for (const [key, item] of Object.entries(read)) {
          const json = this.remember(key, item);
          items[key] = this.ownsStore ? (JSON.parse(json) as StoreItem) : item;
        }
        return items;
      } catch (error) {
        this.markDown(error);
      }
    }
    for (const key of missing) {
      const behind = this.behind.get(key);
      if (behind !== undefined) items[key] = unconditional(behind);
      else {
        const json = this.pending.get(key) ?? this.cache.get(key)?.json;
        if (json !== undefined) items[key] = JSON.parse(json) as StoreItem;
      }
    }
    return items;
  }

  async write(changes: StoreItems): Promise<void> {
    if (this.ownsStore) return this.writeBehind(changes);
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
    this.holdWhileDown(changes);
  }

  async delete(keys: string[]): Promise<void> {
    for (const key of keys) {
      this.cache.delete(key);
      this.pending.delete(key);
      this.behind.delete(key);
    }
    // A batch being written may hold the item: deleted after it, so that it does not come back.
    if (this.ownsStore) await this.writing;
    if (await this.available()) {
      try {
        await this.withTimeout(this.inner.delete(keys));
      } catch (error) {
        this.markDown(error);
      }
    }
  }

  /** Writes every change waiting behind (with `ownsStore`); on shutdown, before the store closes. */
  async flush(): Promise<void> {
    if (this.behindTimer) clearTimeout(this.behindTimer);
    this.behindTimer = undefined;
    const batch = new Map(this.behind);
    this.behind.clear();
    const write = this.writing.then(() => this.writeBatch(batch));
    this.writing = write.catch(() => undefined);
    await write;
  }

  /**
   * Forgets every remembered item that waits for no write, so that the next reads go to the
   * store: after the retention purge, which deletes items in the store behind this cache.
   */
  forgetRemembered(): void {
    for (const key of [...this.cache.keys()]) if (!this.pending.has(key) && !this.behind.has(key)) this.cache.delete(key);
  }

  /** With `ownsStore`: answers `key` from memory when it was used recently; false when the store must be read. */
  private readFromMemory(key: string, into: StoreItems): boolean {
    const remembered = this.cache.get(key);
    if (!remembered || this.now() - remembered.usedAt > SERVE_FROM_MEMORY_MS) return false;
    remembered.usedAt = this.now();
    into[key] = JSON.parse(remembered.json) as StoreItem;
    return true;
  }

  private async writeBehind(changes: StoreItems): Promise<void> {
    const checked: StoreItems = {};
    const storeChecks: StoreItems = {};
    // Checked first, all of them, so that a refused batch changes nothing (the store refuses a batch whole).
    for (const [key, item] of Object.entries(changes)) {
      const incoming = (item as { eTag?: unknown } | null)?.eTag;
      const held = this.cache.get(key);
      if (held && !isUnconditional(incoming) && incoming !== held.eTag) throw new ETagConflictError(key);
      // An item memory no longer holds was read with the store's eTag: only the store can check it.
      if (!held && !isUnconditional(incoming)) storeChecks[key] = item;
      else checked[key] = item;
    }
    if (Object.keys(storeChecks).length > 0) {
      await this.writing;
      await this.inner.write(storeChecks);
      for (const [key, item] of Object.entries(storeChecks)) this.remember(key, { ...item, eTag: `mem-${++this.versions}` });
    }
    for (const [key, item] of Object.entries(checked)) {
      // Checked against memory: the store is written unconditionally (eTag '*' when the batch is
      // written), the last change winning. Memory and the batch share the one text.
      this.behind.set(key, this.remember(key, { ...(item ?? {}), eTag: `mem-${++this.versions}` }));
    }
    if (this.behind.size === 0) return;
    this.behindTimer ??= setTimeout(() => {
      this.flush().catch(() => undefined);
    }, this.writeDelayMs);
    this.behindTimer.unref();
  }

  private async writeBatch(batch: Map<string, string>): Promise<void> {
    if (batch.size === 0) return;
    const changes: StoreItems = {};
    for (const [key, json] of batch) changes[key] = unconditional(json);
    if (await this.available()) {
      try {
        await this.withTimeout(this.inner.write(changes));
        return;
      } catch (error) {
        this.markDown(error);
      }
    }
    this.holdWhileDown(changes);
  }

  private holdWhileDown(changes: StoreItems): void {
    for (const [key, item] of Object.entries(changes)) this.pending.set(key, this.remember(key, item));
  }

  /** True when the store is believed up; while down, probes it at most every few seconds and replays waiting writes. */
  private async available(): Promise<boolean> {
    if (this.downSince === undefined) return true;
    if (Date.now() < this.retryAt) return false;
    this.retryAt = Date.now() + RETRY_AFTER_MS;
    try {
      const waiting: StoreItems = {};
      for (const [key, json] of this.pending) waiting[key] = unconditional(json);
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

  /** Keeps the item's JSON text (a copy of it as it is now) and returns the text. */
  private remember(key: string, item: StoreItem): string {
    const json = JSON.stringify(item);
    this.cache.delete(key);
    this.cache.set(key, { json, eTag: (item as { eTag?: unknown } | null)?.eTag, usedAt: this.now() });
    if (this.cache.size > CACHE_LIMIT) {
      const oldest = this.cache.keys().next().value;
      if (oldest !== undefined && !this.pending.has(oldest) && !this.behind.has(oldest)) this.cache.delete(oldest);
    }
    return json;
  }

  private withTimeout<T>(work: Promise<T>): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`state store did not answer within ${this.timeoutMs} ms`)), this.timeoutMs);
    });
    return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
  }
}

/** A kept item to be written whatever the store holds (a change checked against memory, or one held while the store was down). */
function unconditional(json: string): StoreItem {
  const item = (JSON.parse(json) ?? {}) as StoreItem;
  item.eTag = '*';
  return item;
}
