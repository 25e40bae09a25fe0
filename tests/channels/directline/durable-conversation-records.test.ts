import { MemoryStorage, type StoreItems } from 'botbuilder';
import { DurableConversationStore } from '../../../src/channels/directline/durable-conversation-store';
import { CONVERSATION_OVERHEAD_BYTES } from '../../../src/channels/directline/memory-conversation-store';
import { adapters } from '../../storage/adapters';
import { SwitchableStorage } from '../../fixtures/switchable-storage';

/** A MemoryStorage that counts the JSON bytes of every write call and knows which keys it holds. */
function countingStorage(): { storage: MemoryStorage; writes: number[]; keys: Set<string> } {
  const storage = new MemoryStorage();
  const writes: number[] = [];
  const keys = new Set<string>();
  const write = storage.write.bind(storage);
  const remove = storage.delete.bind(storage);
  storage.write = async (changes: StoreItems) => {
    writes.push(Object.values(changes).reduce((sum: number, item) => sum + Buffer.byteLength(JSON.stringify(item)), 0));
    for (const key of Object.keys(changes)) keys.add(key);
    return write(changes);
  };
  storage.delete = async (toDelete: string[]) => {
    for (const key of toDelete) keys.delete(key);
    return remove(toDelete);
  };
  return { storage, writes, keys };
}

const input = { id: 'conv-1', userId: 'dl_citizen', locale: 'it-IT', serviceUrl: 'http://localhost:3978/v3/directline' };
const question = (turn: number) => ({ type: 'message', text: `Come rinnovo la carta d'identità? (domanda ${turn})`, from: { id: 'dl_citizen', name: '' } });
const answer = (turn: number) => ({ type: 'message', text: `Si rinnova allo sportello anagrafico su appuntamento: risposta ${turn}.`, from: { id: 'bot', name: 'Dialogo' } });

/** Plays `turns` turns (a question and an answer each), each written before the next; returns the bytes of each turn's write. */
async function playTurns(store: DurableConversationStore, writes: number[], turns: number): Promise<number[]> {
  const perTurn: number[] = [];
  for (let turn = 1; turn <= turns; turn += 1) {
    const before = writes.length;
    await store.append('conv-1', question(turn));
    await store.append('conv-1', answer(turn));
    await store.flush();
    perTurn.push(writes.slice(before).reduce((sum, bytes) => sum + bytes, 0));
  }
  return perTurn;
}

describe('DurableConversationStore batches: one store write for every conversation changed in the window', () => {
  test('the changes of 20 conversations reach the store in one write, and each is read back after a restart', async () => {
    const { storage, writes } = countingStorage();
    const store = new DurableConversationStore(storage);
    for (let c = 0; c < 20; c += 1) await store.create({ ...input, id: `conv-${c}` });
    const afterCreates = writes.length;
    for (let c = 0; c < 20; c += 1) {
      await store.append(`conv-${c}`, question(c));
      await store.append(`conv-${c}`, answer(c));
    }
    await store.flush();
    expect(writes.length - afterCreates).toBe(1);
    const restarted = new DurableConversationStore(storage);
    for (const c of [0, 7, 19]) expect((await restarted.activitiesAfter(`conv-${c}`, 0)).map((a) => a.activity.text)).toEqual([question(c).text, answer(c).text]);
  });

  test('a conversation the store refuses does not hold back the others: they are written, it is retried', async () => {
    const { storage } = countingStorage();
    const store = new DurableConversationStore(storage);
    for (const id of ['ok-1', 'poison', 'ok-2']) await store.create({ ...input, id });
    const write = storage.write.bind(storage);
    storage.write = async (changes: StoreItems) => {
      if (Object.keys(changes).some((key) => key.includes('poison'))) throw new Error('refused');
      return write(changes);
    };
    for (const id of ['ok-1', 'poison', 'ok-2']) await store.append(id, question(1));
    await store.flush();
    const restarted = new DurableConversationStore(storage);
    expect(await restarted.activitiesAfter('ok-1', 0)).toHaveLength(1);
    expect(await restarted.activitiesAfter('ok-2', 0)).toHaveLength(1);
    expect(await restarted.activitiesAfter('poison', 0)).toHaveLength(0);
    storage.write = write;
    await store.flush();
    expect(await new DurableConversationStore(storage).activitiesAfter('poison', 0)).toHaveLength(1);
  });
});

describe('DurableConversationStore records: a write costs what changed', () => {
  test('the bytes written for the 30th turn are about those of the 3rd', async () => {
    const { storage, writes } = countingStorage();
    const store = new DurableConversationStore(storage);
    await store.create(input);
    const perTurn = await playTurns(store, writes, 30);
    const third = perTurn[2] ?? 0;
    const thirtieth = perTurn[29] ?? 0;
    expect(third).toBeGreaterThan(0);
    // The 30th turn's number and seqs have one more digit here and there, nothing more.
    expect(thirtieth).toBeLessThan(third * 1.1);
  });

  test('a restart recovers the whole history, in order, and goes on from it', async () => {
    const { storage, writes } = countingStorage();
    const before = new DurableConversationStore(storage);
    await before.create(input);
    await playTurns(before, writes, 30);

    const after = new DurableConversationStore(storage);
    const history = await after.activitiesAfter('conv-1', 0);
    expect(history.map((s) => s.seq)).toEqual(Array.from({ length: 60 }, (_, i) => i + 1));
    expect(history[0]?.activity).toMatchObject({ id: 'conv-1|0000001', text: question(1).text });
    expect(history[59]?.activity).toMatchObject({ id: 'conv-1|0000060', text: answer(30).text });
    expect(await after.append('conv-1', question(31))).toMatchObject({ seq: 61, activity: { id: 'conv-1|0000061' } });
  });

  test('activities trimmed by the count limit lose their records; the rest come back after a restart', async () => {
    const { storage, writes, keys } = countingStorage();
    const store = new DurableConversationStore(storage, { maxActivitiesPerConversation: 10 });
    await store.create(input);
    await playTurns(store, writes, 15);
    const records = [...keys].filter((key) => key.startsWith('directline/conversations/conv-1/activity/')).sort();
    expect(records).toEqual(Array.from({ length: 10 }, (_, i) => `directline/conversations/conv-1/activity/${String(21 + i).padStart(7, '0')}`));
    const after = new DurableConversationStore(storage, { maxActivitiesPerConversation: 10 });
    expect((await after.activitiesAfter('conv-1', 0)).map((s) => s.seq)).toEqual(Array.from({ length: 10 }, (_, i) => 21 + i));
  });

  test('activities trimmed by the byte limit lose their records too', async () => {
    const { storage, keys } = countingStorage();
    const store = new DurableConversationStore(storage, { maxConversationBytes: 64 * 1024 });
    await store.create(input);
    for (let i = 0; i < 100; i += 1) {
      await store.append('conv-1', { type: 'event', value: 'x'.repeat(8 * 1024) });
      if (i % 7 === 0) await store.flush();
    }
    await store.flush();
    const records = [...keys].filter((key) => key.includes('/activity/'));
    const kept = await store.activitiesAfter('conv-1', 0);
    expect(records).toHaveLength(kept.length);
    expect(kept.length).toBeLessThanOrEqual(8);
  });

  test('a conversation stored in the former format (one record with every activity) is read, then moved to records on its next write', async () => {
    const { storage, keys } = countingStorage();
    const conversation = { ...input, createdAt: Date.now(), lastActiveAt: Date.now() };
    const activities = [1, 2, 3].map((seq) => ({ seq, activity: { type: 'message', id: `conv-1|000000${seq}`, text: `vecchio ${seq}` } }));
    await storage.write({ 'directline/conversation/conv-1': { conversation, activities, next: 4 } });

    const upgraded = new DurableConversationStore(storage);
    expect((await upgraded.activitiesAfter('conv-1', 0)).map((s) => s.activity.text)).toEqual(['vecchio 1', 'vecchio 2', 'vecchio 3']);
    await upgraded.append('conv-1', { type: 'message', text: 'nuovo' });
    await upgraded.flush();

    const head = (await storage.read(['directline/conversation/conv-1']))['directline/conversation/conv-1'] as Record<string, unknown>;
    expect(head).not.toHaveProperty('activities');
    expect([...keys].filter((key) => key.includes('/activity/'))).toHaveLength(4);
    const after = new DurableConversationStore(storage);
    expect((await after.activitiesAfter('conv-1', 0)).map((s) => s.activity.text)).toEqual(['vecchio 1', 'vecchio 2', 'vecchio 3', 'nuovo']);
  });

  test('a conversation waiting to be written stays in memory however many conversations start after it', async () => {
    const storage = new MemoryStorage();
    const store = new DurableConversationStore(storage);
    await store.create(input);
    await store.append('conv-1', question(1));
    // Past the memory store's default count of 10,000 conversations, which used to drop the oldest unwritten.
    for (let i = 0; i < 10_000; i += 1) await store.create({ ...input, id: `other-${i}` });
    await store.flush();
    expect(await new DurableConversationStore(storage).lastWatermark('conv-1')).toBe(1);
  });

  test('past maxConversations the least recently active written conversations leave memory, and come back on use', async () => {
    const store = new DurableConversationStore(new MemoryStorage(), { maxConversations: 3 });
    for (let i = 0; i < 5; i += 1) await store.create({ ...input, id: `conv-${i}` });
    await store.flush();
    await store.get('conv-4');
    expect(store.heldBytes).toBe(3 * CONVERSATION_OVERHEAD_BYTES);
    expect(await store.get('conv-0')).toMatchObject({ id: 'conv-0' });
    expect(store.heldBytes).toBe(3 * CONVERSATION_OVERHEAD_BYTES);
  });

  test('a written conversation quiet for residentMs leaves memory on the next operation, and comes back on use', async () => {
    const storage = new MemoryStorage();
    let now = 1_000_000;
    const store = new DurableConversationStore(storage, { now: () => now, residentMs: 120_000 });
    await store.create(input);
    await store.append('conv-1', question(1));
    await store.flush();
    now += 60_000;
    await store.create({ ...input, id: 'conv-2' });
    expect(store.heldBytes).toBeGreaterThan(2 * CONVERSATION_OVERHEAD_BYTES);
    now += 90_000;
    await store.get('conv-2');
    expect(store.heldBytes).toBe(CONVERSATION_OVERHEAD_BYTES);
    expect((await store.activitiesAfter('conv-1', 0)).map((s) => s.activity.text)).toEqual([question(1).text]);
  });

  test('a quiet conversation whose changes are not written yet stays in memory', async () => {
    const storage = new SwitchableStorage();
    let now = 1_000_000;
    const store = new DurableConversationStore(storage, { now: () => now, residentMs: 120_000 });
    await store.create(input);
    storage.down = true;
    await store.append('conv-1', question(1));
    await store.flush();
    now += 10 * 60_000;
    storage.down = false;
    await store.create({ ...input, id: 'conv-2' });
    expect(await store.lastWatermark('conv-1')).toBe(1);
  });

  describe.each(adapters)('on the %s state store', (_name, open) => {
    test('history written as records survives a reopening of the store, and trimmed records are deleted there', async () => {
      const opened = await open();
      try {
        const store = new DurableConversationStore(opened.backend.state, { maxActivitiesPerConversation: 10 });
        await store.create(input);
        for (let turn = 1; turn <= 8; turn += 1) {
          await store.append('conv-1', question(turn));
          await store.append('conv-1', answer(turn));
          await store.flush();
        }
        await opened.backend.close();
        opened.backend = await opened.reopen();
        const after = new DurableConversationStore(opened.backend.state, { maxActivitiesPerConversation: 10 });
        expect((await after.activitiesAfter('conv-1', 0)).map((s) => s.seq)).toEqual(Array.from({ length: 10 }, (_, i) => 7 + i));
        expect(await opened.backend.stateRetention.keysWithPrefix('directline/conversations/conv-1/activity/')).toHaveLength(10);
      } finally {
        await opened.backend.close();
        await opened.cleanup();
      }
    });
  });
});
