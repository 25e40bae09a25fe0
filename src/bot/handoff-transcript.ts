import type { InteractionEvent } from '../storage/interaction-event';
import type { TranscriptEntry } from '../storage/ports';
import type { KnowledgeRuntime } from './runtime';

/** Most entries handed to the operator: the end of the conversation is what matters. */
const MAX_ENTRIES = 60;

/**
 * The conversation with the bot, for the operator who takes it over: the citizen's redacted
 * words and, after each, what the bot said: the knowledge-base answer it gave (its facet, or
 * the topic's overview), or the bot's own words of that turn (the handoff's questions, a
 * fallback, small talk), so that a "Sì" reads as the answer to "Vuoi parlare con un
 * operatore?". Events recorded before the bot's words were kept fall back to a short label.
 *
 * @example
 * const transcript = transcriptFromEvents(await events.query({ conversationId, from: since, limit: 200 }), runtime.current());
 */
export function transcriptFromEvents(events: readonly InteractionEvent[], knowledge: KnowledgeRuntime): TranscriptEntry[] {
  const entries: TranscriptEntry[] = [];
  for (const event of events) {
    if (event.activityType !== 'message') continue;
    if (event.text) entries.push({ at: event.ts, from: 'citizen', text: event.text });
    const topic = event.answerTopicId ? knowledge.kb.get(event.answerTopicId) : undefined;
    const facet = topic && event.answerFacetId ? knowledge.kb.facet(topic.id, event.answerFacetId) : undefined;
    const en = event.language === 'en';
    if (topic) entries.push({ at: event.ts, from: 'bot', text: (facet ?? topic).answer[event.language], topicId: topic.id });
    else if (event.botText) entries.push({ at: event.ts, from: 'bot', text: event.botText, topicId: event.outcome === 'disambiguation' ? event.topicId : null });
    else if (event.outcome === 'fallback') entries.push({ at: event.ts, from: 'bot', text: en ? '(no answer found)' : '(nessuna risposta trovata)', topicId: null });
    else if (event.outcome === 'disambiguation') entries.push({ at: event.ts, from: 'bot', text: en ? '(offered similar subjects)' : '(argomenti simili proposti)', topicId: event.topicId });
  }
  return entries.slice(-MAX_ENTRIES);
}
