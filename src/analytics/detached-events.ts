import type { InteractionEvent } from '../storage/interaction-event';
import type { RollupKey } from '../storage/ports';
import { CLICKS_COUNTER, facetClicksCounter, operatorCounter } from './counters';

const FACET_ID = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

/** An operator's login as accounts allow it (src/operators/operator-accounts.ts), else undefined: a stored event is outside input. */
export function validLogin(value: unknown): string | undefined {
  return typeof value === 'string' && /^[a-z0-9._-]{3,32}$/.test(value) ? value : undefined;
}

/**
 * The counters of an event that belongs to no conversation of a citizen's and must open none: a
 * click on an answer's link (nobody is known; `activityType: 'link'`) and an operator's answer or
 * close of a written request (often days later; handoff states `request-answered`,
 * `request-closed`). Undefined for every other event; null for one of these that counts nothing
 * (a click without a topic or with a facet id no topic could have).
 *
 * @example
 * detachedCounts(linkClickEvent({ topicId: 'tari', facetId: null, channel: 'directline', language: 'it', at }), '2026-04-01')
 * // { key: { day: '2026-04-01', channel: 'directline', language: 'it', topicId: 'tari' }, counters: { clicks: 1, clicks_overview: 1 } }
 */
export function detachedCounts(event: InteractionEvent, day: string): { key: RollupKey; counters: Record<string, number> } | null | undefined {
  const key = (topicId: string | null): RollupKey => ({ day, channel: event.channel, language: event.language, topicId });
  if (event.activityType === 'link') {
    const facet = event.answerFacetId ?? null;
    if (event.topicId === null || (facet !== null && !FACET_ID.test(facet))) return null;
    return { key: key(event.topicId), counters: { [CLICKS_COUNTER]: 1, [facetClicksCounter(facet)]: 1 } };
  }
  const state = event.activityType === 'handoff' ? event.handoff?.state : undefined;
  if (state !== 'request-answered' && state !== 'request-closed') return undefined;
  const figure = state === 'request-answered' ? 'requestsAnswered' : 'requestsClosed';
  const counters: Record<string, number> = { [figure]: 1 };
  const operator = validLogin(event.handoff?.operator);
  if (operator) counters[operatorCounter(figure, operator)] = 1;
  return { key: key(event.topicId), counters };
}
