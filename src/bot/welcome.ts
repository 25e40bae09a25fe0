import { ActionTypes, MessageFactory, type Activity } from 'botbuilder';
import type { Language } from '../knowledge/topic-schema';
import type { DialogoData } from './dialogo-data';
import { MESSAGES } from './messages';

/**
 * The welcome in `language`: what Dialogo does, then `news` (the communications active today, see
 * greetingNews) when there is any, with starter buttons for the most asked subjects. Each button shows a short label and sends a whole question (imBack of its value),
 * which the recognizer answers like any typed question.
 *
 * @example
 * await context.sendActivity(welcomeActivity('en'));
 */
export function welcomeActivity(language: Language, news = ''): Partial<Activity> {
  const starters = MESSAGES.starters[language].map((s) => ({ type: ActionTypes.ImBack, title: s.title, value: s.question }));
  const text = news ? `${MESSAGES.welcome[language]}\n\n${news}` : MESSAGES.welcome[language];
  const welcome = MessageFactory.suggestedActions(starters, text);
  welcome.channelData = { dialogo: { topicId: null, confidence: null, outcome: 'smalltalk' } satisfies DialogoData };
  return welcome;
}
