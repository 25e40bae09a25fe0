import { ComponentRegistration, ConversationState, MemoryStorage, TestAdapter } from 'botbuilder';
import type { DialogState } from 'botbuilder-dialogs';
import { MainDialog } from '../../dialogs/main-dialog';
import type { KnowledgeRuntime } from '../../src/bot/runtime';
import { CONTACT, TableRecognizer, faqRecognition, realRuntime } from '../fixtures/runtime';

describe('MainDialog.run', () => {
  let runtime: KnowledgeRuntime;
  beforeAll(async () => {
    const real = await realRuntime();
    runtime = { kb: real.kb, recognizer: new TableRecognizer({ 'tessera elettorale': faqRecognition({ 'tessera-elettorale': 0.9 }) }) };
  });

  test("the dialogs' memory scopes are built on the first turn only, and later turns still answer", async () => {
    const dialog = new MainDialog({ runtime: () => runtime, contact: CONTACT });
    const state = new ConversationState(new MemoryStorage());
    const accessor = state.createProperty<DialogState>('DialogState');
    const registrations = jest.spyOn(ComponentRegistration, 'components', 'get');
    const readsPerTurn: number[] = [];
    const replies: string[] = [];
    const adapter = new TestAdapter(async (context) => {
      context.onSendActivities(async (_ctx, activities, send) => {
        for (const a of activities) if (a.type === 'message') replies.push(String((a.channelData as { dialogo?: { topicId?: string } })?.dialogo?.topicId));
        return send();
      });
      const before = registrations.mock.calls.length;
      await dialog.run(context, accessor);
      await state.saveChanges(context);
      readsPerTurn.push(registrations.mock.calls.length - before);
    });
    for (const text of ['tessera elettorale', 'tessera elettorale', 'tessera elettorale']) await adapter.send(text).startTest();
    registrations.mockRestore();
    expect(readsPerTurn[0]).toBeGreaterThan(0);
    expect(readsPerTurn.slice(1)).toEqual([0, 0]);
    expect(replies).toEqual(['tessera-elettorale', 'tessera-elettorale', 'tessera-elettorale']);
  });
});
