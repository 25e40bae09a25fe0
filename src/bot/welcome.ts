import { ActionTypes, MessageFactory, type Activity } from 'botbuilder';
import type { Language } from '../knowledge/topic-schema';
import type { DialogoData } from './dialogo-data';
import { MESSAGES } from './messages';

/**
 * The welcome in `language`: what Dialogo does, with starter buttons for the most asked
 * subjects. Each button shows a short label and sends a whole question (imBack of its value),
 * which the recognizer answers like any typed question.
 *
 * @example
 * await context.sendActivity(welcomeActivity('en'));
 */
export function welcomeActivity(language: Language): Partial<Activity> {
  const starters = MESSAGES.starters[language].map((s) => ({ type: ActionTypes.ImBack, title: s.title, value: s.question }));
  const welcome = MessageFactory.suggestedActions(starters, MESSAGES.welcome[language]);
  welcome.channelData = { dialogo: { topicId: null, confidence: null, outcome: 'smalltalk' } satisfies DialogoData };
  return welcome;
}
