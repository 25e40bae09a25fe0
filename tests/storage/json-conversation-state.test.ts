import { ConversationState, MemoryStorage, TestAdapter, TurnContext, type Storage, type StoreItems } from 'botbuilder';
import { JsonConversationState } from '../../src/storage/json-conversation-state';

/** MemoryStorage that counts the writes it is asked for, and can refuse them. */
class CountingStorage implements Storage {
  readonly inner = new MemoryStorage();
  writes: StoreItems[] = [];
  reads = 0;

  async read(keys: string[]): Promise<StoreItems> {
    this.reads += 1;
    return this.inner.read(keys);
  }

  async write(changes: StoreItems): Promise<void> {
    this.writes.push(JSON.parse(JSON.stringify(changes)) as StoreItems);
    // What a JSON store does: a circular state cannot be written.
    JSON.stringify(changes);
    await this.inner.write(changes);
  }

  async delete(keys: string[]): Promise<void> {
    await this.inner.delete(keys);
  }
}

const KEY = 'directline/conversations/c-1/';

function turn(): TurnContext {
  return new TurnContext(new TestAdapter(), {
    type: 'message',
    channelId: 'directline',
    conversation: { id: 'c-1', isGroup: false, conversationType: 'personal', name: '' },
    from: { id: 'u-1', name: '' },
    recipient: { id: 'bot', name: '' },
    text: 'ciao',
  });
}

/** The same turns against botbuilder's ConversationState and the JSON one: the writes each asks for. */
async function writesOf(make: (storage: Storage) => ConversationState, turns: ((state: ConversationState, context: TurnContext) => Promise<void>)[]): Promise<number[]> {
  const storage = new CountingStorage();
  const state = make(storage);
  const counts: number[] = [];
  for (const body of turns) {
    const context = turn();
    await body(state, context);
    await state.saveChanges(context);
    counts.push(storage.writes.length);
  }
  return counts;
}

describe('JsonConversationState', () => {
  test('writes in exactly the turns where botbuilder ConversationState writes', async () => {
    const turns: ((state: ConversationState, context: TurnContext) => Promise<void>)[] = [
      async (state, context) => {
        await state.createProperty<{ turn: number }>('DialogState').set(context, { turn: 1 });
      },
      // Read, not changed.
      async (state, context) => {
        await state.createProperty('DialogState').get(context);
      },
      // Changed deep inside.
      async (state, context) => {
        const dialog = await state.createProperty<{ turn: number; stack?: unknown[] }>('DialogState').get(context);
        dialog!.turn += 1;
        dialog!.stack = [{ id: 'faq', state: { offered: ['cie'] } }];
      },
      // Not loaded at all.
      async () => undefined,
      // Set to an equal value.
      async (state, context) => {
        const property = state.createProperty<{ turn: number; stack?: unknown[] }>('DialogState');
        const current = await property.get(context);
        await property.set(context, JSON.parse(JSON.stringify(current)) as { turn: number });
      },
      // Cleared.
      async (state, context) => {
        await state.load(context);
        await state.clear(context);
      },
      // Empty state read again, unchanged.
      async (state, context) => {
        await state.load(context);
      },
    ];
    const botbuilder = await writesOf((storage) => new ConversationState(storage), turns);
    const json = await writesOf((storage) => new JsonConversationState(storage), turns);
    expect(json).toEqual(botbuilder);
    expect(json).toEqual([1, 1, 2, 2, 2, 3, 3]);
  });

  test('a state whose eTag alone changed is not written', async () => {
    const storage = new CountingStorage();
    const state = new JsonConversationState(storage);
    const first = turn();
    await state.createProperty<string>('language').set(first, 'it');
    await state.saveChanges(first);
    const second = turn();
    const loaded = (await state.load(second)) as { eTag?: string };
    loaded.eTag = 'something-else';
    await state.saveChanges(second);
    expect(storage.writes).toHaveLength(1);
  });

  test('what a turn writes is what the next turn reads, once per turn', async () => {
    const storage = new CountingStorage();
    const state = new JsonConversationState(storage);
    const first = turn();
    await state.createProperty<{ offered: string[] }>('DialogState').set(first, { offered: ['tari', 'cie'] });
    await state.saveChanges(first);
    expect(storage.writes[0]![KEY]).toMatchObject({ DialogState: { offered: ['tari', 'cie'] } });
    const second = turn();
    const property = state.createProperty<{ offered: string[] }>('DialogState');
    expect(await property.get(second)).toEqual({ offered: ['tari', 'cie'] });
    await property.get(second);
    expect(state.get(second)).toMatchObject({ DialogState: { offered: ['tari', 'cie'] } });
    expect(storage.reads).toBe(2);
  });

  /** A state whose first turn wrote `n: 1`. */
  async function written(): Promise<{ storage: CountingStorage; state: JsonConversationState }> {
    const storage = new CountingStorage();
    const state = new JsonConversationState(storage);
    const first = turn();
    await state.createProperty<number>('n').set(first, 1);
    await state.saveChanges(first);
    return { storage, state };
  }

  test('force writes an unchanged state, and a state never loaded as an empty one', async () => {
    const { storage, state } = await written();
    const second = turn();
    await state.load(second);
    await state.saveChanges(second, true);
    const third = turn();
    await state.saveChanges(third, true);
    expect(storage.writes.map((w) => Object.keys(w[KEY] as object).filter((k) => k !== 'eTag'))).toEqual([['n'], ['n'], []]);
  });

  test('a state that cannot be serialised counts as changed, and the store refusing it is reported', async () => {
    const storage = new CountingStorage();
    const state = new JsonConversationState(storage);
    const context = turn();
    const circular: { self?: unknown } = {};
    circular.self = circular;
    await state.createProperty('DialogState').set(context, circular);
    await expect(state.saveChanges(context)).rejects.toThrow(/circular/i);
  });

  test('delete removes the stored state and the turn starts from an empty one', async () => {
    const { storage, state } = await written();
    const second = turn();
    await state.load(second);
    await state.delete(second);
    expect(await storage.inner.read([KEY])).toEqual({});
    const third = turn();
    expect(await state.createProperty<number>('n').get(third)).toBeUndefined();
  });
});
