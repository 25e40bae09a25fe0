import type { EventOutcome, InteractionEvent } from '../../src/storage/interaction-event';

let sequence = 0;

/** Options of a citizen turn. */
export interface TurnOptions {
  readonly text?: string | null;
  readonly topicId?: string | null;
  readonly feedback?: 'up' | 'down' | null;
  readonly handoff?: InteractionEvent['handoff'];
  readonly language?: 'it' | 'en';
  readonly activityType?: string;
}

/**
 * Builds the events of one citizen on one channel: turns and handoff lifecycle events at
 * offsets in seconds from a start instant, in the shape the bot and the handoff service record.
 *
 * @example
 * const events = citizen('c1', '2026-04-01T08:00:00Z').turn(0, 'answered', { topicId: 'tari' }).turn(60, 'none', { feedback: 'up' }).events;
 */
export class CitizenBuilder {
  readonly events: InteractionEvent[] = [];
  private sessionCount = 0;

  constructor(
    readonly conversationId: string,
    private readonly start: number,
    private readonly channel: string,
    private readonly language: 'it' | 'en',
  ) {}

  private at(offsetSec: number): string {
    return new Date(this.start + offsetSec * 1000).toISOString();
  }

  turn(offsetSec: number, outcome: EventOutcome, options: TurnOptions = {}): this {
    const topicId = options.topicId === undefined ? (outcome === 'answered' ? 'carta-identita' : null) : options.topicId;
    sequence += 1;
    this.events.push({
      eventId: `e${String(sequence).padStart(8, '0')}`,
      ts: this.at(offsetSec),
      conversationId: this.conversationId,
      channel: this.channel,
      language: options.language ?? this.language,
      activityType: options.activityType ?? (outcome === 'welcome' ? 'conversationUpdate' : 'message'),
      text: options.text === undefined ? (outcome === 'welcome' ? null : 'testo') : options.text,
      outcome,
      topicId,
      confidence: topicId ? 0.8 : null,
      answerTopicId: outcome === 'answered' ? topicId : null,
      feedback: options.feedback ?? null,
      latencyMs: 5,
      handoff: options.handoff ?? null,
    });
    return this;
  }

  /** A handoff lifecycle event (queued, connected, closed, abandoned, ticket). */
  lifecycle(offsetSec: number, state: 'queued' | 'connected' | 'closed' | 'abandoned' | 'ticket', extra: { waitSec?: number; handleSec?: number; topicId?: string | null } = {}): this {
    if (state === 'queued') this.sessionCount += 1;
    sequence += 1;
    const at = this.at(offsetSec);
    this.events.push({
      eventId: `e${String(sequence).padStart(8, '0')}`,
      ts: at,
      conversationId: this.conversationId,
      channel: this.channel,
      language: this.language,
      activityType: 'handoff',
      text: null,
      outcome: 'handoff',
      topicId: extra.topicId ?? null,
      confidence: null,
      answerTopicId: null,
      feedback: null,
      latencyMs: 0,
      handoff: {
        state, at, sessionId: `${this.conversationId}-s${this.sessionCount}`,
        ...(extra.waitSec !== undefined ? { waitSec: extra.waitSec } : {}),
        ...(extra.handleSec !== undefined ? { handleSec: extra.handleSec } : {}),
      },
    });
    return this;
  }
}

export function citizen(conversationId: string, start: string, channel = 'webchat', language: 'it' | 'en' = 'it'): CitizenBuilder {
  return new CitizenBuilder(conversationId, Date.parse(start), channel, language);
}

/** Events of several citizens merged in time order (stable: a citizen's own order is kept). */
export function merged(...builders: CitizenBuilder[]): InteractionEvent[] {
  return builders.flatMap((b) => b.events).map((e, i) => ({ e, i })).sort((a, b) => Date.parse(a.e.ts) - Date.parse(b.e.ts) || a.i - b.i).map(({ e }) => e);
}

/**
 * The worked example of docs/metrics.md: nine citizens on 1 April 2026 (times UTC, Milan is
 * UTC+2), one outcome each, one of them split in two by a 31-minute silence.
 */
export function workedExample(): InteractionEvent[] {
  return merged(
    // A: answered, then 👍 → resolved-confirmed (topic carta-identita).
    citizen('A', '2026-04-01T08:00:00Z').turn(0, 'answered').turn(60, 'none', { feedback: 'up', text: null }),
    // B: a fallback, then an answer, then silence → resolved-assumed (topic tari, the first answered).
    citizen('B', '2026-04-01T08:10:00Z').turn(0, 'fallback', { text: 'dove lascio la bici rubata', topicId: null }).turn(120, 'answered', { topicId: 'tari' }),
    // C (Messenger, English): offered, queued, connected after 120 s, closed after 420 s → escalated.
    citizen('C', '2026-04-01T09:00:00Z', 'facebook', 'en')
      .turn(0, 'handoff', { topicId: 'anagrafe', handoff: { state: 'offered', at: '2026-04-01T09:00:00.000Z' } })
      .lifecycle(60, 'queued', { topicId: 'anagrafe' })
      .lifecycle(180, 'connected', { waitSec: 120, topicId: 'anagrafe' })
      .lifecycle(600, 'closed', { handleSec: 420, topicId: 'anagrafe' }),
    // D (Messenger, English): queued, left after 300 s → abandoned.
    citizen('D', '2026-04-01T10:00:00Z', 'facebook', 'en')
      .turn(0, 'handoff', { topicId: null, handoff: { state: 'offered', at: '2026-04-01T10:00:00.000Z' } })
      .lifecycle(60, 'queued')
      .lifecycle(360, 'abandoned', { waitSec: 300 }),
    // E: a fallback, queued, turned to a written request after 1080 s → ticket.
    citizen('E', '2026-04-01T11:00:00Z')
      .turn(0, 'fallback', { text: 'permesso ZTL per [EMAIL] residenti', topicId: null })
      .turn(60, 'handoff', { topicId: null, handoff: { state: 'offered', at: '2026-04-01T11:01:00.000Z' } })
      .lifecycle(120, 'queued')
      .lifecycle(1200, 'ticket', { waitSec: 1080 }),
    // F: greeted, small talk only → unengaged.
    citizen('F', '2026-04-01T12:00:00Z').turn(0, 'welcome', { topicId: null }).turn(60, 'smalltalk', { topicId: null, text: 'ciao' }),
    // G: two fallbacks → unresolved.
    citizen('G', '2026-04-01T13:00:00Z')
      .turn(0, 'fallback', { text: 'bici rubata ritrovata dove portarla', topicId: null })
      .turn(60, 'fallback', { text: 'orari piscina comunale', topicId: null }),
    // H: answered, 31 minutes of silence, answered again → two conversations, both resolved-assumed.
    citizen('H', '2026-04-01T14:00:00Z').turn(0, 'answered', { topicId: 'tari' }).turn(31 * 60, 'answered', { topicId: 'tari' }),
    // I: answered, 👍, answered, 👎 → the 👎 after the 👍 leaves it unresolved.
    citizen('I', '2026-04-01T15:00:00Z')
      .turn(0, 'answered').turn(60, 'none', { feedback: 'up', text: null })
      .turn(120, 'answered').turn(180, 'none', { feedback: 'down', text: null }),
  );
}
