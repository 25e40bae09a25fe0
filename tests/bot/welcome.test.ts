import { ConversationState, MemoryStorage, TestAdapter, UserState, type Activity } from 'botbuilder';
import { FREQUENT_TOPICS } from '../../dialogs/faq-buttons';
import { MainDialog } from '../../dialogs/main-dialog';
import { DialogoBot } from '../../src/bot/dialogo-bot';
import { MESSAGES } from '../../src/bot/messages';
import type { KnowledgeRuntime } from '../../src/bot/runtime';
import { welcomeActivity } from '../../src/bot/welcome';
import { CONTACT, realRuntime } from '../fixtures/runtime';

/** The starters are the frequent topics' questions, in the same order: each must reach its topic. */
const EXPECTED = FREQUENT_TOPICS;

describe('the welcome with starter buttons', () => {
  let runtime: KnowledgeRuntime;
  beforeAll(async () => {
    runtime = await realRuntime();
  });

  test.each(['it', 'en'] as const)('a new member gets the %s welcome with five starter buttons of at most 20 characters', async (language) => {
    const storage = new MemoryStorage();
    const bot = new DialogoBot(new ConversationState(storage), new UserState(storage), new MainDialog({ runtime: () => runtime, contact: CONTACT }));
    const adapter = new TestAdapter((context) => bot.run(context));
    await adapter
      .send({ type: 'conversationUpdate', locale: language === 'en' ? 'en-US' : 'it-IT', membersAdded: [{ id: 'citizen', name: 'c' }], recipient: { id: 'bot', name: 'bot' } })
      .assertReply((reply: Partial<Activity>) => {
        expect(reply.text).toBe(MESSAGES.welcome[language]);
        // Read whole above the buttons on a 390 px phone.
        expect(MESSAGES.welcome[language].length).toBeLessThanOrEqual(260);
        const actions = reply.suggestedActions?.actions ?? [];
        expect(actions.map((a) => a.title)).toEqual(MESSAGES.starters[language].map((s) => s.title));
        for (const action of actions) {
          expect(action.type).toBe('imBack');
          expect(Array.from(String(action.title)).length).toBeLessThanOrEqual(20);
        }
      });
  });

  test.each(['it', 'en'] as const)('every %s starter question is answered with its topic', async (language) => {
    const starters = MESSAGES.starters[language];
    expect(starters).toHaveLength(EXPECTED.length);
    for (const [i, starter] of starters.entries()) {
      const recognition = await runtime.recognizer.recognize(starter.question, { languageHint: language });
      expect({ question: starter.question, band: recognition.band, topic: recognition.candidates[0]?.topicId }).toEqual({ question: starter.question, band: 'answer', topic: EXPECTED[i] });
    }
  });

  test('the welcome activity says it is small talk, not an answer', () => {
    expect(welcomeActivity('it').channelData).toEqual({ dialogo: { topicId: null, confidence: null, outcome: 'smalltalk' } });
  });
});
