import type { Facet, Language, Topic } from '../knowledge/topic-schema';
import { sameLink } from '../knowledge/topic-links';
import { answerLinks } from '../knowledge/answer-links';
import { MESSAGES } from './messages';

/** A button the citizen can press: `title` is shown, `value` is sent back as the citizen's text. */
export interface AnswerButton {
  readonly title: string;
  readonly value: string;
}

/** What the bot says for a topic: the text, and the topic's other facets as buttons. */
export interface ComposedAnswer {
  readonly text: string;
  readonly facetId: string | null;
  /** "Altro su questo tema": the topic's facets not answered now, in the editors' order. */
  readonly moreFacets: readonly Facet[];
}

/** Most facets offered under one answer: with the two feedback buttons, a phone's row and a half. */
export const MAX_MORE_FACETS = 5;

/** How an answer prints its `index`-th page (see answerLinks): as it is, or through the click-counting redirect. */
export type LinkWriter = (url: string, index: number) => string;

const asIs: LinkWriter = (url) => url;

/**
 * The answer to a question about a topic: the facet's short answer and its own page when a facet
 * was asked, the overview and the topic's pages otherwise. No link is printed twice. `notices`
 * (the topic's active communications, one line each) follow the answer's own text. With a `link`
 * writer the pages are printed through it (the `/go` redirect that counts clicks).
 *
 * @example
 * composeAnswer(topic, topic.facets[0], 'it').text
 */
export function composeAnswer(topic: Topic, facet: Facet | undefined, language: Language, notices: readonly string[] = [], link: LinkWriter = asIs): ComposedAnswer {
  const answer = facet ? `${facet.answer[language]}\n\n${facetLinkLines(topic, facet, language, link)}` : `${topic.answer[language]}\n\n${linkLines(topic, language, link)}`;
  const body = notices.length > 0 ? `${answer}\n\n${notices.join('\n')}` : answer;
  const moreFacets = topic.facets.filter((f) => f.id !== facet?.id).slice(0, MAX_MORE_FACETS);
  const more = moreFacets.length > 0 ? `\n\n${MESSAGES.moreOnTopic[language]}` : '';
  return { text: `${body}${more}\n\n${MESSAGES.wasItUseful[language]}`, facetId: facet?.id ?? null, moreFacets };
}

/** The facet buttons: the authored short title, sent back as is so the dialog can recognise it. */
export function facetButtons(facets: readonly Facet[], language: Language): AnswerButton[] {
  return facets.map((f) => ({ title: f.shortTitle[language], value: f.shortTitle[language] }));
}

/**
 * A facet's link line: its own page with its own label; the topic's pages when it has none.
 * The topic's next step is added only when it is another page than the facet's.
 */
export function facetLinkLines(topic: Topic, facet: Facet, language: Language, link: LinkWriter = asIs): string {
  if (!facet.link) return linkLines(topic, language, link);
  return `${facet.linkLabel?.[language] ?? MESSAGES.moreInfo[language]}: ${link(facet.link, answerLinks(topic, facet).indexOf(facet.link))}`;
}

/**
 * The overview's link lines: "More information" and the next step's page. When both are the same
 * page only the next step's line is printed, because its label says what the citizen does there.
 */
export function linkLines(topic: Topic, language: Language, link: LinkWriter = asIs): string {
  // The indexes of answerLinks(topic, undefined): the topic's page, then the next step's.
  const more = `${MESSAGES.moreInfo[language]}: ${link(topic.link, 0)}`;
  if (!topic.next.url) return more;
  const next = `${topic.next.label[language]}: ${link(topic.next.url, 1)}`;
  return sameLink(topic.link, topic.next.url) ? next : `${more}\n\n${next}`;
}
