import { ActionTypes, type CardAction } from 'botbuilder';
import type { AnswerButton } from '../src/bot/answer-composer';
import type { KnowledgeBase } from '../src/knowledge/knowledge-base';
import type { Facet, Language, Topic } from '../src/knowledge/topic-schema';
import { normalize } from '../src/nlu/normalize';

/** Topics offered to start with, and as suggestions after a fallback when nothing came close. */
export const FREQUENT_TOPICS = ['carta-identita', 'certificati-anagrafici', 'tari-pagamento', 'multe-pagamento', 'area-c'];
/** Longest button title other channels show whole; Messenger cuts at 20 (its adapter does). */
const SUGGESTION_TITLE_CHARS = 40;

/**
 * A button that sends its title back as the citizen's text; long titles are cut for display only.
 * `shortTitle` is what a channel with shorter buttons shows instead of cutting (Messenger's 20
 * characters: src/channels/messenger/render.ts), carried in the action's `channelData`.
 */
export function imBack(title: string, shortTitle?: string): CardAction {
  const short = title.length > SUGGESTION_TITLE_CHARS ? `${title.slice(0, SUGGESTION_TITLE_CHARS - 1)}…` : title;
  return { type: ActionTypes.ImBack, title: short, value: title, ...(shortTitle && shortTitle !== title ? { channelData: { shortTitle } } : {}) };
}

/** A topic's button: its authored short title shown, its full title sent back (what the dialog matches). */
export function topicButton(topic: Offerable, language: Language): CardAction {
  return { type: ActionTypes.ImBack, title: topic.shortTitle[language], value: topic.title[language] };
}

export function button(b: AnswerButton): CardAction {
  return { type: ActionTypes.ImBack, title: b.title, value: b.value };
}

/** A facet's short titles normalised, once per facet of a loaded knowledge base (a reload brings new facet objects). */
const normalizedTitles = new WeakMap<Facet, readonly [string, string]>();

function titlesOf(facet: Facet): readonly [string, string] {
  let titles = normalizedTitles.get(facet);
  if (!titles) {
    titles = [normalize(facet.shortTitle.it), normalize(facet.shortTitle.en)];
    normalizedTitles.set(facet, titles);
  }
  return titles;
}

/** The offered facet whose short title the citizen pressed (or typed), in either language. */
export function chosenFacet(kb: KnowledgeBase, offered: { topicId: string; facetIds: readonly string[] } | undefined, normalized: string): { topic: Topic; facet: Facet } | undefined {
  const topic = offered ? kb.get(offered.topicId) : undefined;
  if (!offered || !topic) return undefined;
  const facet = topic.facets.find((f) => offered.facetIds.includes(f.id) && titlesOf(f).includes(normalized));
  return facet ? { topic, facet } : undefined;
}

export type Command = 'welcome' | 'frequent' | 'operator' | 'contacts' | 'ticket';

/** `value.dialogo` of a menu choice, when the activity carries one. */
export function commandOf(value: unknown): Command | undefined {
  const command = (value as { dialogo?: unknown } | undefined)?.dialogo;
  return command === 'welcome' || command === 'frequent' || command === 'operator' || command === 'contacts' || command === 'ticket' ? command : undefined;
}

/** The topics and referrals for ranked candidates, leaving out ids the knowledge base no longer has (after a reload). */
export function topicsOf(kb: KnowledgeBase, candidates: readonly { topicId: string; confidence: number }[]): Offerable[] {
  return candidates.flatMap((c) => {
    const entry = kb.entry(c.topicId);
    return entry ? [entry.kind === 'topic' ? entry.topic : entry.referral] : [];
  });
}

/** The frequent topics the knowledge base has, leaving one out (the topic the citizen just declined). */
export function frequentTopics(kb: KnowledgeBase, except?: string): Offerable[] {
  return topicsOf(kb, FREQUENT_TOPICS.filter((id) => id !== except).map((topicId) => ({ topicId, confidence: 0 })));
}

/** What can be offered as a button: a topic or a referral to another administration. */
export type Offerable = Pick<Topic, 'id' | 'title' | 'shortTitle'>;
