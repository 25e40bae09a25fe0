import { randomUUID } from 'node:crypto';
import { ActivityTypes, type Activity, type Middleware, type TurnContext } from 'botbuilder';
import { languageOfLocale } from '../../dialogs/faq-dialog';
import type { Language } from '../knowledge/topic-schema';
import { pseudonymousId } from '../privacy/pseudonymize';
import { redact } from '../privacy/redact';
import type { EventOutcome, InteractionEvent } from '../storage/interaction-event';
import { TURN_ESCALATION, TURN_LANGUAGE, type DialogoData } from './dialogo-data';
import { ESCALATION_REASONS, type EscalationReason } from '../analytics/counters';

/** Where recorded events go (the recorder; a fake in tests). */
export interface EventSink {
  record(event: InteractionEvent): void;
}

/**
 * Turns every citizen turn into one interaction event: the redacted text, what the bot did
 * (from `channelData.dialogo` of its replies) and how long it took. Runs at the edge, so the
 * stored event knows nothing of botbuilder; recording never delays or fails the turn.
 *
 * @example
 * adapter.use(new InteractionMiddleware(recorder, secret));
 */
export class InteractionMiddleware implements Middleware {
  constructor(
    private readonly sink: EventSink,
    private readonly secret: string,
    private readonly onError: (error: unknown) => void = () => undefined,
    /** The clock of the events' time (injected by the demo seed, which replays a year). */
    private readonly now: () => Date = () => new Date(),
  ) {
    if (!secret) throw new Error('InteractionMiddleware needs the pseudonymisation secret');
  }

  async onTurn(context: TurnContext, next: () => Promise<void>): Promise<void> {
    const incoming = context.activity;
    if (incoming.type !== ActivityTypes.Message && incoming.type !== ActivityTypes.ConversationUpdate) return next();
    const started = Date.now();
    const sent: Partial<Activity>[] = [];
    context.onSendActivities(async (_ctx, activities, nextSend) => {
      sent.push(...activities);
      return nextSend();
    });
    await next();
    try {
      if (incoming.type === ActivityTypes.ConversationUpdate && sent.length === 0) return;
      this.sink.record(this.eventOf(context, sent, Date.now() - started));
    } catch (error) {
      this.onError(error);
    }
  }

  private eventOf(context: TurnContext, sent: readonly Partial<Activity>[], latencyMs: number): InteractionEvent {
    const activity = context.activity;
    // The last reply says what the bot did; feedback may ride on an earlier one (a 👎 then the offer of a person).
    const replies = sent.map((a) => (a.channelData as { dialogo?: DialogoData & { feedback?: 'up' | 'down' } } | undefined)?.dialogo).filter((d) => d !== undefined);
    const data = replies.at(-1);
    const handoff = [...replies].reverse().find((d) => d.handoff)?.handoff;
    const feedback = replies.find((d) => d.feedback)?.feedback;
    const language = (context.turnState.get(TURN_LANGUAGE) as Language | undefined) ?? languageOfLocale(activity.locale);
    const text = typeof activity.text === 'string' && activity.text.length > 0 ? redact(activity.text).text : null;
    const outcome: EventOutcome = activity.type === ActivityTypes.ConversationUpdate ? 'welcome' : (data?.outcome ?? 'none');
    const botText = outcome === 'answered' ? null : spokenText(sent);
    const escalation = context.turnState.get(TURN_ESCALATION) as unknown;
    const leaning = outcome === 'fallback' && typeof data?.leaningTopicId === 'string' ? data.leaningTopicId : undefined;
    return {
      eventId: randomUUID(),
      ts: this.now().toISOString(),
      conversationId: pseudonymousId(this.secret, activity.channelId ?? 'unknown', activity.from?.id ?? activity.conversation?.id ?? 'unknown'),
      channel: activity.channelId ?? 'unknown',
      language,
      activityType: activity.type,
      text,
      outcome,
      topicId: data?.topicId ?? null,
      confidence: data?.confidence ?? null,
      answerTopicId: data?.outcome === 'answered' ? (data.topicId ?? null) : null,
      answerFacetId: data?.outcome === 'answered' ? (data.facetId ?? null) : null,
      ...(botText ? { botText } : {}),
      ...(leaning ? { leaningTopicId: leaning } : {}),
      ...(isEscalationReason(escalation) ? { escalation } : {}),
      feedback: feedback ?? null,
      latencyMs,
      handoff: handoff ? { state: handoff.state, at: this.now().toISOString() } : null,
    };
  }
}

/** Longest bot text kept on an event. */
const MAX_BOT_TEXT = 1000;

/** The text of the bot's messages of a turn, redacted, one per line, cut at {@link MAX_BOT_TEXT}; null when it said nothing. */
function spokenText(sent: readonly Partial<Activity>[]): string | null {
  const texts = sent.filter((a) => (a.type ?? ActivityTypes.Message) === ActivityTypes.Message && typeof a.text === 'string' && a.text.trim().length > 0).map((a) => a.text!.trim());
  if (texts.length === 0) return null;
  const text = redact(texts.join('\n')).text;
  return text.length > MAX_BOT_TEXT ? `${text.slice(0, MAX_BOT_TEXT - 1)}…` : text;
}

function isEscalationReason(value: unknown): value is EscalationReason {
  return typeof value === 'string' && (ESCALATION_REASONS as readonly string[]).includes(value);
}
