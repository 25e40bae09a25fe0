import { ConversationState, MemoryStorage, TestAdapter, UserState, type StoreItems } from 'botbuilder';
import { MainDialog } from '../../dialogs/main-dialog';
import { DialogoBot } from '../../src/bot/dialogo-bot';
import type { KnowledgeRuntime } from '../../src/bot/runtime';
import { CONTACT, realRuntime } from '../fixtures/runtime';

/** MemoryStorage that counts calls, to hold the per-turn storage budget. */
class CountingStorage extends MemoryStorage {
  reads = 0;
  writes = 0;
  override async read(keys: string[]): Promise<StoreItems> {
    this.reads += 1;
    return super.read(keys);
  }
  override async write(changes: StoreItems): Promise<void> {
    this.writes += 1;
    return super.write(changes);
  }
}

describe('DialogoBot', () => {
  let runtime: KnowledgeRuntime;
  beforeAll(async () => {
    runtime = await realRuntime();
  });

  test('a turn costs at most one state read and one state write', async () => {
    const storage = new CountingStorage();
    const bot = new DialogoBot(new ConversationState(storage), new UserState(storage), new MainDialog({ runtime: () => runtime, contact: CONTACT }));
    const adapter = new TestAdapter((context) => bot.run(context));
    await adapter.send('quanto costa la carta d’identità?').assertReply((reply) => expect(reply.text).toMatch(/22,20/));
    expect({ reads: storage.reads, writes: storage.writes }).toEqual({ reads: 1, writes: 1 });
    await adapter.send('tari scadenza').assertReply(() => undefined);
    expect({ reads: storage.reads, writes: storage.writes }).toEqual({ reads: 2, writes: 2 });
  });

  test('a new member is greeted with what Dialogo does, in the language of the channel', async () => {
    const storage = new MemoryStorage();
    const bot = new DialogoBot(new ConversationState(storage), new UserState(storage), new MainDialog({ runtime: () => runtime, contact: CONTACT }));
    const adapter = new TestAdapter((context) => bot.run(context));
    await adapter
      .send({ type: 'conversationUpdate', locale: 'en-GB', membersAdded: [{ id: 'citizen', name: 'c' }], recipient: { id: 'bot', name: 'bot' } })
      .assertReply((reply) => {
        expect(reply.text).toMatch(/I am Dialogo/);
        expect(reply.channelData.dialogo).toEqual({ topicId: null, confidence: null, outcome: 'smalltalk' });
      });
  });
});
