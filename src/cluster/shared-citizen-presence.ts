import { CitizenPresence, type CitizenPresencePort, type CitizenStatus } from '../handoff/citizen-presence';
import type { Logger } from '../logger';
import type { Coordinator } from './coordinator';

/** Where a citizen's last sign of life is shared: `presence/citizen/<conversationId>` = ms since the epoch. */
export const CITIZEN_PRESENCE_PREFIX = 'presence/citizen/';

export interface SharedCitizenPresenceOptions {
  readonly coordinator: Coordinator;
  /** Silent this long: away (HANDOFF_PRESENCE_TIMEOUT_SEC). */
  readonly timeoutMs: number;
  /** At most one write per conversation within this time (1 s). */
  readonly writeEveryMs?: number;
  /** How often open streams are written again and the conversations asked about re-read (a quarter of the timeout). */
  readonly refreshEveryMs?: number;
  readonly logger?: Pick<Logger, 'warn' | 'info'>;
  readonly now?: () => number;
}

/**
 * Citizens' presence shared by every Dialogo instance through the {@link Coordinator}: a citizen's
 * stream may be on instance A, their polls on B, and the sweep that abandons queued citizens who
 * left runs on the elected instance C. The signs the Direct Line edge gives here are kept locally
 * (a {@link CitizenPresence}) and written as a shared last-seen time per conversation (TTL three
 * timeouts; at most one write per conversation per second); the conversations with a stream open
 * here are written again every quarter of the timeout, so that a stream counts as presence on
 * every instance. `statusOf` stays synchronous: it merges the local signs with a mirror of the
 * shared times, which {@link refresh} fills. The elected sweeper must await `refresh` with the
 * queue's conversations before reviewing it (HandoffService.sweep); the conversations `statusOf`
 * was asked about are also re-read in the background, so consoles on other instances show
 * presence to within a quarter of the timeout.
 *
 * Never abandons on missing information: while the coordinator is degraded, or after a read of
 * it failed, a citizen not present here is reported present with an unknown `lastSeenAt` (null),
 * since they may be present on another instance; when it is healthy again everyone gets the full
 * timeout from that moment, as after a restart, because signs given meanwhile were not shared.
 *
 * @example
 * const presence = new SharedCitizenPresence({ coordinator, timeoutMs: 120_000 });
 * presence.start();
 * // Direct Line edge: presence.streamOpened(id) ...; elected sweeper, before the review:
 * await presence.refresh(active.map((s) => s.conversationId));
 * presence.statusOf(id); // { present, lastSeenAt, silentMs }
 */
export class SharedCitizenPresence implements CitizenPresencePort {
  readonly timeoutMs: number;
  private readonly coordinator: Coordinator;
  private readonly now: () => number;
  private readonly writeEveryMs: number;
  private readonly refreshEveryMs: number;
  private readonly local: CitizenPresence;
  /** Streams open on this instance, by conversation. */
  private readonly streams = new Map<string, number>();
  private readonly lastWrite = new Map<string, number>();
  /** The shared last-seen times, as last read. */
  private readonly mirror = new Map<string, number>();
  /** Conversations `statusOf` or `refresh` was asked about (when last), kept fresh in the background. */
  private readonly watched = new Map<string, number>();
  private readonly toFetch = new Set<string>();
  /** Nobody is away for silence before this moment (the coordinator came back). */
  private floor = -Infinity;
  /** A read failed and no read succeeded since: the mirror may be stale. */
  private unreliable = false;
  private failing = false;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(private readonly options: SharedCitizenPresenceOptions) {
    if (!(options.timeoutMs > 0)) throw new Error('SharedCitizenPresence needs a positive timeoutMs');
    this.timeoutMs = options.timeoutMs;
    this.coordinator = options.coordinator;
    this.now = options.now ?? Date.now;
    this.writeEveryMs = options.writeEveryMs ?? 1_000;
    this.refreshEveryMs = options.refreshEveryMs ?? Math.max(1, Math.floor(options.timeoutMs / 4));
    this.local = new CitizenPresence({ timeoutMs: options.timeoutMs, now: this.now });
  }

  /** Starts writing the open streams again and re-reading the watched conversations, every quarter of the timeout. */
  start(): void {
    this.coordinator.onHealth((health) => {
      if (health.state !== 'ok' || this.stopped) return;
      this.floor = this.now();
      void this.tick();
    });
    this.timer = setInterval(() => void this.tick(), this.refreshEveryMs);
    this.timer.unref();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  streamOpened(conversationId: string): void {
    this.local.streamOpened(conversationId);
    this.streams.set(conversationId, (this.streams.get(conversationId) ?? 0) + 1);
    this.write(conversationId);
  }

  streamClosed(conversationId: string): void {
    this.local.streamClosed(conversationId);
    const open = (this.streams.get(conversationId) ?? 0) - 1;
    if (open > 0) this.streams.set(conversationId, open);
    else this.streams.delete(conversationId);
    this.write(conversationId);
  }

  seen(conversationId: string): void {
    this.local.seen(conversationId);
    this.write(conversationId);
  }

  statusOf(conversationId: string): CitizenStatus {
    if (!this.watched.has(conversationId)) this.fetchSoon(conversationId);
    this.watched.set(conversationId, this.now());
    const local = this.local.statusOf(conversationId);
    if (this.streams.has(conversationId)) return local;
    if (this.coordinator.health().state !== 'ok' || this.unreliable) {
      return local.present ? local : { present: true, lastSeenAt: null, silentMs: 0 };
    }
    const lastSeenAt = Math.max(local.lastSeenAt, this.mirror.get(conversationId) ?? -Infinity, this.floor);
    const silentMs = Math.max(0, this.now() - lastSeenAt);
    return { present: silentMs < this.timeoutMs, lastSeenAt, silentMs };
  }

  /**
   * Reads the shared last-seen times of these conversations into the mirror. The elected
   * sweeper awaits it before reviewing the queue. Never rejects: a failed read leaves the
   * citizens not present here reported present (unknown) until a read succeeds.
   */
  async refresh(conversationIds: readonly string[]): Promise<void> {
    const now = this.now();
    for (const id of conversationIds) this.watched.set(id, now);
    await this.read(conversationIds);
  }

  /**
   * Forgets the conversations silent for more than twice the timeout that `keep` does not need
   * and no stream here holds (as {@link CitizenPresence.prune} does).
   */
  prune(keep: (conversationId: string) => boolean): void {
    const horizon = this.now() - 2 * this.timeoutMs;
    const needed = (id: string) => keep(id) || this.streams.has(id);
    this.local.prune(needed);
    this.forget(horizon, needed);
  }

  /** Conversations this instance keeps anything about (for tests and diagnostics). */
  get size(): number {
    return new Set([...this.watched.keys(), ...this.mirror.keys(), ...this.lastWrite.keys(), ...this.streams.keys()]).size;
  }

  /** Writes a sign of life, at most once per conversation within `writeEveryMs` (later signs in it differ by less). */
  private write(conversationId: string): void {
    const now = this.now();
    const last = this.lastWrite.get(conversationId);
    if (last !== undefined && now - last < this.writeEveryMs) return;
    this.lastWrite.set(conversationId, now);
    void this.share('write', () => this.coordinator.put(CITIZEN_PRESENCE_PREFIX + conversationId, String(now), 3 * this.timeoutMs));
  }

  private async tick(): Promise<void> {
    if (this.stopped) return;
    const now = this.now();
    await Promise.all(
      [...this.streams.keys()].map((id) => {
        this.lastWrite.set(id, now);
        return this.share('stream', () => this.coordinator.put(CITIZEN_PRESENCE_PREFIX + id, String(now), 3 * this.timeoutMs));
      }),
    );
    // The elected sweeper prunes what its queue no longer needs; every instance also forgets here
    // what nobody asked about for twice the timeout, so memory follows the traffic.
    const horizon = now - 2 * this.timeoutMs;
    const asked = (id: string) => (this.watched.get(id) ?? -Infinity) >= horizon || this.streams.has(id);
    this.forget(horizon, asked);
    this.local.prune((id) => this.watched.has(id) || this.streams.has(id));
    await this.read([...this.watched.keys()]);
  }

  /** Drops what is kept about conversations `needed` does not hold whose last sign (here or shared) is before `horizon`. */
  private forget(horizon: number, needed: (id: string) => boolean): void {
    const ids = new Set([...this.watched.keys(), ...this.mirror.keys(), ...this.lastWrite.keys()]);
    for (const id of ids) {
      if (needed(id) || Math.max(this.lastWrite.get(id) ?? -Infinity, this.mirror.get(id) ?? -Infinity) >= horizon) continue;
      this.watched.delete(id);
      this.mirror.delete(id);
      this.lastWrite.delete(id);
    }
  }

  /** Batches the first reads of conversations `statusOf` was asked about. */
  private fetchSoon(conversationId: string): void {
    this.toFetch.add(conversationId);
    if (this.toFetch.size > 1) return;
    setImmediate(() => {
      const ids = [...this.toFetch];
      this.toFetch.clear();
      if (!this.stopped) void this.read(ids);
    });
  }

  private async read(conversationIds: readonly string[]): Promise<void> {
    if (conversationIds.length === 0) return;
    const ok = await this.share('read', async () => {
      const values = await this.coordinator.getMany(conversationIds.map((id) => CITIZEN_PRESENCE_PREFIX + id));
      // Degraded, every value reads as missing: that means unknown, never "not seen".
      if (this.coordinator.health().state !== 'ok') throw new Error('coordinator degraded: last-seen times unknown');
      conversationIds.forEach((id, index) => {
        const at = Number(values[index]);
        // Signs given here are counted from the local presence; the mirror holds what the others wrote.
        if (values[index] !== undefined && Number.isFinite(at)) this.mirror.set(id, at);
        else this.mirror.delete(id);
      });
    });
    if (ok) this.unreliable = false;
  }

  /** Runs a coordinator call; true when it worked. A failure is logged once per outage; a failed read makes the mirror unreliable. */
  private async share(what: string, work: () => Promise<void>): Promise<boolean> {
    try {
      await work();
      if (this.failing) this.options.logger?.info('citizens presence shared again');
      this.failing = false;
      return true;
    } catch (error: unknown) {
      if (what === 'read') this.unreliable = true;
      if (!this.failing) this.options.logger?.warn({ err: error, what }, 'citizens presence not shared: the coordinator failed; citizens not seen here count as present');
      this.failing = true;
      return false;
    }
  }
}
