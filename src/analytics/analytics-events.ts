import { randomUUID } from 'node:crypto';
import type { Language } from '../knowledge/topic-schema';
import { pseudonymousId } from '../privacy/pseudonymize';
import type { InteractionEvent } from '../storage/interaction-event';
import type { TicketRecord } from '../storage/ports';

/** The conversation id of link clicks: nobody is known (no cookie, nothing personal in the URL). */
export const LINK_CLICK_CONVERSATION = 'link-click';

/**
 * An operator's answer or close of a written request, as an interaction event: the aggregator
 * counts it (`requestsAnswered`, `requestsClosed`, per operator too) without opening a
 * conversation, and a rebuild replays it like any other event. No text: the request's words stay
 * in the ticket store.
 *
 * @example
 * requests.on('settled', (s) => events.record(requestSettledEvent(s, secret)));
 */
export function requestSettledEvent(
  settled: { readonly request: Pick<TicketRecord, 'channel' | 'conversationId' | 'language' | 'topicId'>; readonly kind: 'answered' | 'closed'; readonly by: string; readonly at: Date },
  secret: string,
): InteractionEvent {
  const { request } = settled;
  return {
    eventId: randomUUID(),
    ts: settled.at.toISOString(),
    conversationId: pseudonymousId(secret, request.channel, request.conversationId),
    channel: request.channel,
    language: request.language,
    activityType: 'handoff',
    text: null,
    outcome: 'handoff',
    topicId: request.topicId,
    confidence: null,
    answerTopicId: null,
    feedback: null,
    latencyMs: 0,
    handoff: { state: settled.kind === 'answered' ? 'request-answered' : 'request-closed', at: settled.at.toISOString(), operator: settled.by },
  };
}

/**
 * A citizen's click on a link of an answer (through `/go/...`), as an interaction event: the
 * topic, the facet (null: the overview), the channel and language of the answer, nothing else.
 *
 * @example
 * record(linkClickEvent({ topicId: 'carta-identita', facetId: 'costi', channel: 'directline', language: 'it', at: new Date() }));
 */
export function linkClickEvent(click: { readonly topicId: string; readonly facetId: string | null; readonly channel: string; readonly language: Language; readonly at: Date }): InteractionEvent {
  return {
    eventId: randomUUID(),
    ts: click.at.toISOString(),
    conversationId: LINK_CLICK_CONVERSATION,
    channel: click.channel,
    language: click.language,
    activityType: 'link',
    text: null,
    outcome: 'none',
    topicId: click.topicId,
    confidence: null,
    answerTopicId: null,
    answerFacetId: click.facetId,
    feedback: null,
    latencyMs: 0,
    handoff: null,
  };
}
