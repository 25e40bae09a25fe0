import type { WebSocket } from 'ws';
import { activitySetOf, type StoredActivity } from './conversation-store';

const OPEN = 1;

interface Subscriber {
  readonly socket: WebSocket;
  /** Watermark of the last activity sent on this socket: anything at or below it is a duplicate. */
  sentUpTo: number;
  /** Pushes that arrived while the history was being read; sent right after it, in order. */
  pending: StoredActivity[] | undefined;
}

/**
 * The open Direct Line streams, per conversation. New activities are pushed as Direct Line
 * `ActivitySet` messages (`{ activities, watermark }`). A socket first receives the history after
 * its watermark; pushes that race with that read are held and de-duplicated by watermark, so a
 * citizen never misses nor sees twice the welcome that the bot sends while the socket connects.
 *
 * @example
 * const hub = new StreamHub();
 * await hub.attach('conv1', socket, 0, (w) => store.activitiesAfter('conv1', w));
 * hub.publish('conv1', [stored]);
 */
export class StreamHub {
  private readonly subscribers = new Map<string, Set<Subscriber>>();

  /** Open streams across all conversations. */
  get size(): number {
    let n = 0;
    for (const set of this.subscribers.values()) n += set.size;
    return n;
  }

  /** Registers `socket` for `conversationId`, then sends it what came after `watermark`. */
  async attach(conversationId: string, socket: WebSocket, watermark: number, history: (watermark: number) => Promise<StoredActivity[]>): Promise<void> {
    const subscriber: Subscriber = { socket, sentUpTo: watermark, pending: [] };
    let set = this.subscribers.get(conversationId);
    if (!set) {
      set = new Set();
      this.subscribers.set(conversationId, set);
    }
    set.add(subscriber);
    socket.once('close', () => this.detach(conversationId, subscriber));
    const past = await history(watermark);
    const held = subscriber.pending ?? [];
    subscriber.pending = undefined;
    this.send(subscriber, [...past, ...held]);
  }

  /** Pushes newly stored activities to every stream of the conversation. */
  publish(conversationId: string, entries: readonly StoredActivity[]): void {
    for (const subscriber of this.subscribers.get(conversationId) ?? []) {
      if (subscriber.pending) subscriber.pending.push(...entries);
      else this.send(subscriber, entries);
    }
  }

  /** Closes every stream (1001 going away); clients reconnect to another instance or later. */
  closeAll(): void {
    for (const set of this.subscribers.values()) {
      for (const { socket } of set) socket.close(1001, 'server shutting down');
    }
    this.subscribers.clear();
  }

  private send(subscriber: Subscriber, entries: readonly StoredActivity[]): void {
    const fresh = entries.filter((entry) => entry.seq > subscriber.sentUpTo).sort((a, b) => a.seq - b.seq);
    const last = fresh[fresh.length - 1];
    if (!last || subscriber.socket.readyState !== OPEN) return;
    subscriber.sentUpTo = last.seq;
    subscriber.socket.send(JSON.stringify(activitySetOf(fresh, last.seq)));
  }

  private detach(conversationId: string, subscriber: Subscriber): void {
    const set = this.subscribers.get(conversationId);
    if (!set) return;
    set.delete(subscriber);
    if (set.size === 0) this.subscribers.delete(conversationId);
  }
}
