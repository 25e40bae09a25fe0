import type { WebSocket } from 'ws';
import { activitySetJson, type StoredActivity } from './conversation-store';

const OPEN = 1;
/** Close code and reason of a stream whose token expired: a policy close, named as Direct Line names the error. */
export const TOKEN_EXPIRED_CLOSE = { code: 1008, reason: 'TokenExpired' } as const;

interface Subscriber {
  readonly socket: WebSocket;
  /** Watermark of the last activity sent on this socket: anything at or below it is a duplicate. */
  sentUpTo: number;
  /** Pushes that arrived while the history was being read; sent right after it, in order. */
  pending: StoredActivity[] | undefined;
  /** When the token that opened the stream (or a refresh of it) expires, in ms since the epoch. */
  expiresAt: number;
  expiry: NodeJS.Timeout | undefined;
}

/**
 * The open Direct Line streams, per conversation. New activities are pushed as Direct Line
 * `ActivitySet` messages (`{ activities, watermark }`). A socket first receives the history after
 * its watermark; pushes that race with that read are held and de-duplicated by watermark, so a
 * citizen never misses nor sees twice the welcome that the bot sends while the socket connects.
 *
 * A stream lives as long as its token: at expiry it is closed ({@link TOKEN_EXPIRED_CLOSE}) and the
 * client reconnects with a current token. Clients keep the socket and refresh the token over HTTP
 * (botframework-directlinejs every 15 minutes), so a refresh {@link extend}s the conversation's streams.
 *
 * @example
 * const hub = new StreamHub();
 * await hub.attach('conv1', socket, 0, (w) => store.activitiesAfter('conv1', w), claims.exp * 1000);
 * hub.publish('conv1', [stored]);
 * hub.extend('conv1', refreshed.exp * 1000);
 */
export class StreamHub {
  private readonly subscribers = new Map<string, Set<Subscriber>>();

  /**
   * `opened` runs when a conversation gets its first stream here, before its history is read (cluster
   * mode subscribes to the conversation's wake-ups then, so nothing stored meanwhile is missed);
   * `closed` when its last stream here goes.
   */
  constructor(private readonly hooks: { opened?(conversationId: string): Promise<void>; closed?(conversationId: string): void } = {}) {}

  /** Conversations with at least one stream open here. */
  conversations(): string[] {
    return [...this.subscribers.keys()];
  }

  /**
   * Reads what the conversation's streams here have not been sent yet and sends it: the way in for
   * activities stored by another instance (a wake-up) or while wake-ups were not delivered.
   */
  async catchUp(conversationId: string, history: (watermark: number) => Promise<StoredActivity[]>): Promise<void> {
    const set = this.subscribers.get(conversationId);
    if (!set || set.size === 0) return;
    const from = Math.min(...[...set].map((s) => s.sentUpTo));
    this.publish(conversationId, await history(from));
  }

  /** Open streams across all conversations. */
  get size(): number {
    let n = 0;
    for (const set of this.subscribers.values()) n += set.size;
    return n;
  }

  /** Registers `socket` for `conversationId` until `expiresAt` (ms), then sends it what came after `watermark`. */
  async attach(
    conversationId: string,
    socket: WebSocket,
    watermark: number,
    history: (watermark: number) => Promise<StoredActivity[]>,
    expiresAt: number,
  ): Promise<void> {
    const subscriber: Subscriber = { socket, sentUpTo: watermark, pending: [], expiresAt, expiry: undefined };
    let set = this.subscribers.get(conversationId);
    const first = !set;
    if (!set) {
      set = new Set();
      this.subscribers.set(conversationId, set);
    }
    set.add(subscriber);
    this.arm(conversationId, subscriber);
    socket.once('close', () => this.detach(conversationId, subscriber));
    if (first) await this.hooks.opened?.(conversationId);
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

  /**
   * A token of `conversationId` was refreshed: its open streams live until `expiresAt` (ms). Anyone
   * able to refresh a token of the conversation could open a new stream on it, so this grants nothing more.
   */
  extend(conversationId: string, expiresAt: number): void {
    for (const subscriber of this.subscribers.get(conversationId) ?? []) {
      if (expiresAt <= subscriber.expiresAt) continue;
      subscriber.expiresAt = expiresAt;
      this.arm(conversationId, subscriber);
    }
  }

  /** Closes every stream (1001 going away); clients reconnect to another instance or later. */
  closeAll(): void {
    for (const [conversationId, set] of this.subscribers) {
      for (const subscriber of set) {
        clearTimeout(subscriber.expiry);
        subscriber.socket.close(1001, 'server shutting down');
      }
      this.hooks.closed?.(conversationId);
    }
    this.subscribers.clear();
  }

  /** (Re)sets the timer that closes the stream when its token expires. */
  private arm(conversationId: string, subscriber: Subscriber): void {
    clearTimeout(subscriber.expiry);
    subscriber.expiry = setTimeout(() => {
      this.detach(conversationId, subscriber);
      subscriber.socket.close(TOKEN_EXPIRED_CLOSE.code, TOKEN_EXPIRED_CLOSE.reason);
    }, Math.max(0, subscriber.expiresAt - Date.now()));
    subscriber.expiry.unref();
  }

  private send(subscriber: Subscriber, entries: readonly StoredActivity[]): void {
    const fresh = entries.filter((entry) => entry.seq > subscriber.sentUpTo).sort((a, b) => a.seq - b.seq);
    const last = fresh[fresh.length - 1];
    if (!last || subscriber.socket.readyState !== OPEN) return;
    subscriber.sentUpTo = last.seq;
    subscriber.socket.send(activitySetJson(fresh, last.seq));
  }

  private detach(conversationId: string, subscriber: Subscriber): void {
    clearTimeout(subscriber.expiry);
    const set = this.subscribers.get(conversationId);
    if (!set) return;
    set.delete(subscriber);
    if (set.size === 0) {
      this.subscribers.delete(conversationId);
      this.hooks.closed?.(conversationId);
    }
  }
}
