import type { EventEmitter } from 'node:events';
import { z } from 'zod';
import type { Logger } from '../logger';
import type { Coordinator } from './coordinator';

const CHANNEL = 'events';

/** A relayed event as it travels: who sent it, which emitter, which event, its arguments (JSON). */
const envelopeSchema = z.object({
  from: z.string().min(1),
  source: z.string().min(1),
  event: z.string().min(1),
  args: z.array(z.unknown()),
});

/**
 * Cluster mode: events that consoles listen to (a citizen queued, a conversation claimed, a live
 * message, a note, a written request changed) happen on the instance that served the request, while
 * the console's WebSocket may be on another. The relay publishes the named events of an emitter and
 * re-emits, on every other instance, those the others published, so each instance's listeners
 * (the operator routes) push to the consoles they hold. Arguments travel as JSON: sessions, entries
 * and notes are plain data. A relayed event is never relayed again. An event lost while the
 * coordinator is down costs freshness only: consoles reload the queue on the next change and on
 * reconnect, and the store holds every message.
 *
 * @example
 * const relay = new EventRelay(coordinator, logger);
 * await relay.relay(handoff, 'handoff', ['queue', 'session', 'message', 'handover', 'tickets', 'note']);
 */
export class EventRelay {
  private readonly emitters = new Map<string, EventEmitter>();
  /** Set while a relayed event is re-emitted, so the local listener does not publish it back. */
  private replaying = false;
  private unsubscribe: (() => Promise<void>) | undefined;

  constructor(
    private readonly coordinator: Coordinator,
    private readonly logger: Logger,
  ) {}

  /** Relays `events` of `emitter`, known to the other instances as `source`. */
  async relay(emitter: EventEmitter, source: string, events: readonly string[]): Promise<void> {
    this.emitters.set(source, emitter);
    for (const event of events) {
      emitter.on(event, (...args: unknown[]) => {
        if (this.replaying) return;
        const envelope = JSON.stringify({ from: this.coordinator.instanceId, source, event, args });
        this.coordinator.publish(CHANNEL, envelope).catch((error: unknown) => this.logger.debug({ err: error, event }, 'event not relayed to the other instances'));
      });
    }
    this.unsubscribe ??= await this.coordinator.subscribe(CHANNEL, (message) => this.receive(message));
  }

  async stop(): Promise<void> {
    await this.unsubscribe?.();
    this.unsubscribe = undefined;
  }

  private receive(message: string): void {
    let parsed: z.infer<typeof envelopeSchema>;
    try {
      const result = envelopeSchema.safeParse(JSON.parse(message));
      if (!result.success) throw new Error(result.error.issues[0]?.message ?? 'not an event');
      parsed = result.data;
    } catch (error) {
      this.logger.warn({ err: error }, 'relayed event not understood; ignored');
      return;
    }
    if (parsed.from === this.coordinator.instanceId) return;
    const emitter = this.emitters.get(parsed.source);
    if (!emitter) return;
    this.replaying = true;
    try {
      emitter.emit(parsed.event, ...parsed.args);
    } catch (error) {
      this.logger.warn({ err: error, event: parsed.event }, 'a listener of a relayed event failed');
    } finally {
      this.replaying = false;
    }
  }
}
