import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Recognition, RecognizeOptions, Recognizer } from '../nlu/recognizer';
import type { InteractionEvent } from '../storage/interaction-event';

/** What the gauges read when Prometheus scrapes. */
export interface MetricSources {
  readonly queue: () => { queued: number; connected: number };
  readonly operatorsOnline: () => number;
}

/**
 * Node's own process metrics (prom-client's defaults: CPU, memory, heap, handles, event-loop lag,
 * garbage collection), collected once per process when this module loads, in a registry that holds
 * nothing of a Dialogo. prom-client starts an event-loop histogram and a garbage-collection observer
 * for them that nothing can stop: collected per Dialogo, they kept every Dialogo a process had
 * started (its handoff, stores and recognizer, through the gauges' sources) alive after its stop:
 * one of the paths by which the test suite, which starts hundreds in one process, kept them all.
 */
const processMetrics = new Registry();
collectDefaultMetrics({ register: processMetrics, prefix: 'dialogo_' });

/**
 * Dialogo's Prometheus metrics (prom-client): turns by channel and outcome, handoff steps,
 * recognizer latency, queue length, conversations held by operators, operators online, and
 * Node's own process metrics. Served at `/metrics`.
 *
 * @example
 * const metrics = new DialogoMetrics({ queue: () => handoff.counts(), operatorsOnline: () => handoff.onlineOperators().length });
 * metrics.observe(event); // for every interaction event
 * const recognizer = metrics.timed(localRecognizer);
 */
export class DialogoMetrics {
  readonly registry = new Registry();
  private readonly turns: Counter<'channel' | 'outcome'>;
  private readonly clicks: Counter<'channel'>;
  private readonly handoffs: Counter<'channel' | 'state'>;
  private readonly feedback: Counter<'rating'>;
  private readonly recognizerSeconds: Histogram<'recognizer'>;

  constructor(sources: MetricSources) {
    this.turns = new Counter({ name: 'dialogo_turns_total', help: 'Citizen turns by channel and by what the bot did', labelNames: ['channel', 'outcome'], registers: [this.registry] });
    this.clicks = new Counter({ name: 'dialogo_link_clicks_total', help: "Citizens' clicks on the links of answers (through /go), by channel", labelNames: ['channel'], registers: [this.registry] });
    this.handoffs = new Counter({ name: 'dialogo_handoff_steps_total', help: 'Handoff sessions entering a state (queued, connected, closed, abandoned, ticket)', labelNames: ['channel', 'state'], registers: [this.registry] });
    this.feedback = new Counter({ name: 'dialogo_feedback_total', help: 'Ratings of answers', labelNames: ['rating'], registers: [this.registry] });
    this.recognizerSeconds = new Histogram({
      name: 'dialogo_recognizer_latency_seconds',
      help: 'Time to recognise one question',
      labelNames: ['recognizer'],
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [this.registry],
    });
    new Gauge({ name: 'dialogo_handoff_queue_length', help: 'Citizens waiting for an operator', registers: [this.registry], collect() { this.set(sources.queue().queued); } });
    new Gauge({ name: 'dialogo_handoff_connected', help: 'Conversations held by an operator', registers: [this.registry], collect() { this.set(sources.queue().connected); } });
    new Gauge({ name: 'dialogo_operators_online', help: 'Operators with the console open', registers: [this.registry], collect() { this.set(sources.operatorsOnline()); } });
  }

  /** Counts one interaction event (a citizen turn, a handoff step, or a click on an answer's link: no turn). */
  observe(event: InteractionEvent): void {
    if (event.activityType === 'link') {
      this.clicks.inc({ channel: event.channel });
      return;
    }
    if (event.activityType === 'handoff') {
      if (event.handoff) this.handoffs.inc({ channel: event.channel, state: event.handoff.state });
      return;
    }
    this.turns.inc({ channel: event.channel, outcome: event.outcome });
    if (event.feedback) this.feedback.inc({ rating: event.feedback });
  }

  /** The recognizer, timed into the latency histogram. */
  timed(recognizer: Recognizer): Recognizer {
    const histogram = this.recognizerSeconds;
    return {
      name: recognizer.name,
      async recognize(text: string, options?: RecognizeOptions): Promise<Recognition> {
        const end = histogram.startTimer({ recognizer: recognizer.name });
        try {
          return await recognizer.recognize(text, options);
        } finally {
          end();
        }
      },
    };
  }

  /** The exposition text and its content type. */
  async render(): Promise<{ contentType: string; body: string }> {
    const both = Registry.merge([processMetrics, this.registry]);
    return { contentType: both.contentType, body: await both.metrics() };
  }
}
