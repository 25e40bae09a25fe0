import { MemoryStorage } from 'botbuilder';
import { DurableConversationStore } from '../../../src/channels/directline/durable-conversation-store';

describe('DurableConversationStore', () => {
  const input = { id: 'conv-1', userId: 'dl_citizen', locale: 'it-IT', serviceUrl: 'http://localhost:3978/v3/directline' };

  test('a conversation and its activities survive a restart (a new store on the same state store)', async () => {
    const storage = new MemoryStorage();
    const before = new DurableConversationStore(storage);
    await before.create(input);
    await before.append('conv-1', { type: 'message', text: 'ciao' });
    await before.append('conv-1', { type: 'message', text: 'Ciao, sono Dialogo' });
    await before.flush();

    const after = new DurableConversationStore(storage);
    expect(await after.get('conv-1')).toMatchObject({ id: 'conv-1', userId: 'dl_citizen' });
    expect(await after.lastWatermark('conv-1')).toBe(2);
    expect((await after.activitiesAfter('conv-1', 1)).map((s) => s.activity.text)).toEqual(['Ciao, sono Dialogo']);
    const third = await after.append('conv-1', { type: 'message', text: 'grazie' });
    expect(third).toMatchObject({ seq: 3, activity: { id: 'conv-1|0000003' } });
  });

  test('appends are written behind, together, within a quarter of a second', async () => {
    const storage = new MemoryStorage();
    const writes: number[] = [];
    const write = storage.write.bind(storage);
    storage.write = async (changes) => {
      writes.push(Date.now());
      return write(changes);
    };
    const store = new DurableConversationStore(storage);
    await store.create(input);
    for (let i = 0; i < 5; i++) await store.append('conv-1', { type: 'message', text: `messaggio ${i}` });
    expect(writes).toHaveLength(1); // the creation
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(writes).toHaveLength(2);
    expect(await new DurableConversationStore(storage).lastWatermark('conv-1')).toBe(5);
  });

  test('an unknown conversation stays unknown, and appending to it fails', async () => {
    const store = new DurableConversationStore(new MemoryStorage());
    expect(await store.get('nope')).toBeUndefined();
    await expect(store.append('nope', { type: 'message', text: 'x' })).rejects.toThrow(/unknown Direct Line conversation/);
  });

  test('a conversation idle past the limit is not brought back', async () => {
    const storage = new MemoryStorage();
    let now = 1_000_000;
    await new DurableConversationStore(storage, { now: () => now }).create(input);
    now += 25 * 60 * 60 * 1000;
    expect(await new DurableConversationStore(storage, { now: () => now }).get('conv-1')).toBeUndefined();
  });
});
