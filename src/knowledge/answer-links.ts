import { OVERVIEW_SEGMENT } from './topic-schema';
import type { Facet, Topic } from './topic-schema';

/** Path of the click-counting redirect (src/analytics/link-redirect.ts). */
export const GO_PATH = '/go';
export { OVERVIEW_SEGMENT };

/**
 * The pages an answer links to, in the order its text prints them: a facet with its own page has
 * that page alone; a topic's overview (and a facet without a page of its own) has the topic's
 * page, then the next step's page when there is one. A `/go` link names its page by index in this
 * list, so the redirect can only ever lead where the knowledge base points.
 *
 * @example
 * answerLinks(topic, undefined) // ['https://www.comune.milano.it/servizi/carta-identita', 'https://agendaonline.comune.milano.it/']
 */
export function answerLinks(topic: Topic, facet: Facet | undefined): string[] {
  if (facet?.link) return [facet.link];
  return topic.next.url ? [topic.link, topic.next.url] : [topic.link];
}

/** Where a link of an answer was shown: what the click is counted under. */
export interface LinkContext {
  readonly topicId: string;
  /** The facet answered; null for the topic's overview. */
  readonly facetId: string | null;
  readonly channel: string;
  readonly language: 'it' | 'en';
}

/**
 * The `/go` address of an answer's `index`-th link, on Dialogo's public base URL: topic, facet,
 * index, channel and language, nothing about the citizen.
 *
 * @example
 * trackedUrl('https://dialogo.comune.milano.it', { topicId: 'carta-identita', facetId: 'costo', channel: 'directline', language: 'it' }, 0)
 * // 'https://dialogo.comune.milano.it/go/carta-identita/costo?to=0&ch=directline&lang=it'
 */
export function trackedUrl(base: string, link: LinkContext, index: number): string {
  const root = base.replace(/\/+$/, '');
  const facet = link.facetId ?? OVERVIEW_SEGMENT;
  const query = new URLSearchParams({ to: String(index), ch: link.channel, lang: link.language });
  return `${root}${GO_PATH}/${encodeURIComponent(link.topicId)}/${encodeURIComponent(facet)}?${query.toString()}`;
}
