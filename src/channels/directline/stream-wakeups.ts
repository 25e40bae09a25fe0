import type { Coordinator } from '../../cluster/coordinator';
import type { Logger } from '../../logger';
import type { StoredActivity } from './conversation-store';
import type { StreamHub } from './stream-hub';

/** While wake-ups cannot be trusted (coordinator degraded), open streams read the store this often. */
const DEGRADED_POLL_MS = 2000;

/**
 * Cluster mode: an activity stored on one instance reaches the streams open on the others. The
 * writer stores the activity (the store is the truth), then publishes a wake-up on the
 * conversation's channel; the instances holding a stream of it are subscribed to that channel
 * (their subscription is the ownership: Redis drops it with the instance's connection, so there is
 * no stale owner) and read from the store after the watermark they sent. A lost wake-up costs
 * latency, never a message: while the coordinator is degraded every open stream reads the store
 * every 2 s, and when it comes back all of them catch up once. The stream hub's watermark check
 * drops what a socket already has, so nothing is sent twice.
 *
 * @example
 * const wakeups = new StreamWakeups({ coordinator, read: (id, w) => store.activitiesAfter(id, w), logger });
 * const hub = new StreamHub(wakeups.hooks);
 * wakeups.bind(hub);
 * adapter.onStored((id, entries) => wakeups.stored(id, entries));
 */
export class StreamWakeups {
  /** The unsubscribe function of each conversation subscribed here, once its subscription is made. */
  private readonly subscriptions = new Map<string, Promise<(() => Promise<void>) | undefined>>();
  private hub: StreamHub | undefined;
  private poller: NodeJS.Timeout | undefined;
  private stopped = false;

  /** What the stream hub calls when a conversation gets its first stream here and loses its last. */
  readonly hooks = {
    opened: (conversationId: string) => this.open(conversationId),
    closed: (conversationId: string) => this.close(conversationId),
  };

  constructor(
    private readonly options: {
      readonly coordinator: Coordinator;
      readonly read: (conversationId: string, watermark: number) => Promise<StoredActivity[]>;
      readonly logger: Logger;
      readonly degradedPollMs?: number;
    },
  ) {
    options.coordinator.onHealth((health) => {
      if (health.state === 'ok') {
        this.stopPolling();
        // Wake-ups published while the coordinator was away are lost: every open stream reads the store once.
        this.catchUpAll();
      } else this.startPolling();
    });
  }

  /** The hub whose streams are woken (the hub takes {@link hooks} at construction, hence two steps). */
  bind(hub: StreamHub): void {
    this.hub = hub;
    if (this.options.coordinator.health().state !== 'ok') this.startPolling();
  }

  /**
   * Activities were stored here: this instance's streams of the conversation read the store (not the
   * entries as given: another instance may store an earlier activity after these), and the other
   * instances' streams are told.
   */
  stored(conversationId: string, entries: readonly StoredActivity[]): void {
    const last = entries[entries.length - 1];
    if (!last || this.stopped) return;
    this.catchUp(conversationId);
    this.options.coordinator
      .publish(channelOf(conversationId), `${this.options.coordinator.instanceId} ${last.seq}`)
      .catch((error: unknown) => this.options.logger.debug({ err: error }, 'direct line wake-up not published; streams elsewhere catch up later'));
  }

  /** Stops polling and leaves every channel (at shutdown, after the streams are closed). */
  async stop(): Promise<void> {
    this.stopped = true;
    this.stopPolling();
    const pending = [...this.subscriptions.values()];
    this.subscriptions.clear();
    await Promise.all(pending.map(async (subscription) => (await subscription)?.().catch(() => undefined)));
  }

  private async open(conversationId: string): Promise<void> {
    if (this.stopped || this.subscriptions.has(conversationId)) return;
    const subscription = this.options.coordinator
      .subscribe(channelOf(conversationId), (message) => this.wake(conversationId, message))
      .catch((error: unknown) => {
        // The stream still works: the degraded poll, the next catch-up or the client's reconnect bring what it misses.
        this.options.logger.warn({ err: error, conversation: conversationId }, 'direct line wake-ups not subscribed');
        return undefined;
      });
    this.subscriptions.set(conversationId, subscription);
    await subscription;
  }

  private close(conversationId: string): void {
    const subscription = this.subscriptions.get(conversationId);
    if (!subscription) return;
    this.subscriptions.delete(conversationId);
    void subscription.then((unsubscribe) => unsubscribe?.().catch(() => undefined));
  }

  private wake(conversationId: string, message: string): void {
    // This instance pushed its own activities to its streams when it stored them.
    if (message.split(' ')[0] === this.options.coordinator.instanceId) return;
    this.catchUp(conversationId);
  }

  private catchUp(conversationId: string): void {
    this.hub?.catchUp(conversationId, (watermark) => this.options.read(conversationId, watermark)).catch((error: unknown) => {
      this.options.logger.warn({ err: error, conversation: conversationId }, 'direct line stream could not catch up; it will at the next wake-up or poll');
    });
  }

  private catchUpAll(): void {
    for (const conversationId of this.hub?.conversations() ?? []) this.catchUp(conversationId);
  }

  private startPolling(): void {
    if (this.poller || this.stopped) return;
    this.poller = setInterval(() => this.catchUpAll(), this.options.degradedPollMs ?? DEGRADED_POLL_MS);
    this.poller.unref();
  }

  private stopPolling(): void {
    clearInterval(this.poller);
    this.poller = undefined;
  }
}

function channelOf(conversationId: string): string {
  return `dl:${conversationId}`;
}
