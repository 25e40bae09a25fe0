import { MemoryStorage, type StoreItems } from 'botbuilder';
import { ConversationStoreFullError } from '../../../src/channels/directline/conversation-store';
import { DurableConversationStore } from '../../../src/channels/directline/durable-conversation-store';
import { SwitchableStorage } from '../../fixtures/switchable-storage';

/** A MemoryStorage that records the JSON size of every item written. */
function measuredStorage(): { storage: MemoryStorage; written: number[] } {
  const storage = new MemoryStorage();
  const written: number[] = [];
  const write = storage.write.bind(storage);
  storage.write = async (changes: StoreItems) => {
    for (const item of Object.values(changes)) written.push(Buffer.byteLength(JSON.stringify(item)));
    return write(changes);
  };
  return { storage, written };
}

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

  test('flush waits for a batch already on its way: a shutdown right after the write-behind timer fires loses nothing', async () => {
    const storage = new MemoryStorage();
    const write = storage.write.bind(storage);
    // A slow store (MongoDB under load): each write takes 300 ms.
    storage.write = async (changes: StoreItems) => {
      await new Promise((resolve) => setTimeout(resolve, 300));
      return write(changes);
    };
    const before = new DurableConversationStore(storage);
    await before.create(input);
    await before.append('conv-1', { type: 'message', text: 'Conferma' });
    await before.append('conv-1', { type: 'message', text: 'Richiesta DLG-2026-000001 registrata' });
    // The write-behind timer (250 ms) fires; its write is on its way when the shutdown flushes.
    await new Promise((resolve) => setTimeout(resolve, 320));
    await before.flush();

    // What the store holds once flush has resolved: a new process reads it all back.
    storage.write = write;
    const after = new DurableConversationStore(storage);
    expect(await after.lastWatermark('conv-1')).toBe(2);
    expect((await after.activitiesAfter('conv-1', 0)).map((s) => s.activity.text)).toEqual(['Conferma', 'Richiesta DLG-2026-000001 registrata']);
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

  test('what is written per change is bounded by the per-conversation limits (count and bytes)', async () => {
    const { storage, written } = measuredStorage();
    const store = new DurableConversationStore(storage, { maxActivitiesPerConversation: 100, maxConversationBytes: 64 * 1024 });
    await store.create(input);
    for (let i = 0; i < 200; i += 1) await store.append('conv-1', { type: 'event', value: 'x'.repeat(2 * 1024) });
    await store.flush();
    expect(Math.max(...written)).toBeLessThanOrEqual(64 * 1024 + 1024);
    const after = new DurableConversationStore(storage);
    expect(await after.lastWatermark('conv-1')).toBe(200);
    const kept = await after.activitiesAfter('conv-1', 0);
    expect(kept.at(-1)?.seq).toBe(200);
    expect(kept.length).toBeLessThan(32);
  });

  test('once written, memory keeps the newest two activities; older ones are read back from the store, in order, when asked for', async () => {
    const storage = new MemoryStorage();
    const store = new DurableConversationStore(storage);
    await store.create(input);
    for (let i = 1; i <= 10; i += 1) await store.append('conv-1', { type: 'message', text: `m${i}`, value: 'x'.repeat(1_000) });
    const heldBeforeWrite = store.heldBytes;
    await store.flush();
    expect(heldBeforeWrite).toBeGreaterThan(10_000);
    expect(store.heldBytes).toBeLessThan(heldBeforeWrite / 3); // eight of ten let go
    const reads: string[][] = [];
    const read = storage.read.bind(storage);
    storage.read = async (keys: string[]) => {
      reads.push(keys);
      return read(keys);
    };
    expect((await store.activitiesAfter('conv-1', 0)).map((s) => s.activity.text)).toEqual(['m1', 'm2', 'm3', 'm4', 'm5', 'm6', 'm7', 'm8', 'm9', 'm10']);
    expect((await store.activitiesAfter('conv-1', 4)).map((s) => s.seq)).toEqual([5, 6, 7, 8, 9, 10]);
    expect(reads.map((keys) => keys.length)).toEqual([8, 4]); // only what memory let go
    reads.length = 0;
    expect((await store.activitiesAfter('conv-1', 8)).map((s) => s.seq)).toEqual([9, 10]);
    expect(await store.activitiesAfter('conv-1', 10)).toEqual([]);
    expect(reads).toEqual([]); // a stream or a poll asks for the newest: no read of the store
    // Appends go on from where the conversation was, and are written as before.
    expect((await store.append('conv-1', { type: 'message', text: 'm11' })).seq).toBe(11);
    await store.flush();
    const after = new DurableConversationStore(storage);
    expect((await after.activitiesAfter('conv-1', 0)).map((s) => s.activity.text)).toEqual(['m1', 'm2', 'm3', 'm4', 'm5', 'm6', 'm7', 'm8', 'm9', 'm10', 'm11']);
  });

  test('activities trimmed by the count limit are deleted from the store even when memory had let go of them', async () => {
    const storage = new MemoryStorage();
    const store = new DurableConversationStore(storage, { maxActivitiesPerConversation: 5 });
    await store.create(input);
    for (let i = 1; i <= 5; i += 1) await store.append('conv-1', { type: 'message', text: `m${i}` });
    await store.flush(); // m1 is in the store only now
    for (let i = 6; i <= 8; i += 1) await store.append('conv-1', { type: 'message', text: `m${i}` });
    await store.flush();
    expect((await store.activitiesAfter('conv-1', 0)).map((s) => s.seq)).toEqual([4, 5, 6, 7, 8]);
    const records = await storage.read([1, 2, 3, 4].map((seq) => `directline/conversations/conv-1/activity/${String(seq).padStart(7, '0')}`));
    expect(Object.keys(records).map((key) => Number(key.slice(-7)))).toEqual([4]);
    expect((await new DurableConversationStore(storage).activitiesAfter('conv-1', 0)).map((s) => s.seq)).toEqual([4, 5, 6, 7, 8]);
  });

  test('a conversation read back from the store keeps only its newest activities in memory', async () => {
    const storage = new MemoryStorage();
    const before = new DurableConversationStore(storage);
    await before.create(input);
    for (let i = 1; i <= 12; i += 1) await before.append('conv-1', { type: 'message', text: `m${i}`, value: 'x'.repeat(1_000) });
    await before.flush();
    const after = new DurableConversationStore(storage);
    expect(await after.lastWatermark('conv-1')).toBe(12);
    expect(after.heldBytes).toBeLessThan(3 * 1_100);
    expect((await after.activitiesAfter('conv-1', 0)).map((s) => s.seq)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
  });

  test('past maxMemoryBytes the least recently active written conversations leave memory and are read back on use', async () => {
    const storage = new MemoryStorage();
    const store = new DurableConversationStore(storage, { maxMemoryBytes: 100 * 1024 });
    for (let i = 0; i < 10; i += 1) {
      await store.create({ ...input, id: `conv-${i}` });
      await store.append(`conv-${i}`, { type: 'event', value: 'x'.repeat(30 * 1024) });
      await store.flush();
    }
    expect(store.heldBytes).toBeLessThanOrEqual(100 * 1024);
    // The first one was evicted, and comes back from the store intact.
    expect((await store.activitiesAfter('conv-0', 0)).map((s) => s.seq)).toEqual([1]);
    const next = await store.append('conv-0', { type: 'message', text: 'di nuovo' });
    expect(next.seq).toBe(2);
    expect(store.heldBytes).toBeLessThanOrEqual(100 * 1024);
  });

  test('when nothing can be evicted (every conversation still being written) a new conversation is refused rather than grow', async () => {
    const storage = new MemoryStorage();
    const release: (() => void)[] = [];
    const write = storage.write.bind(storage);
    let stalled = false;
    storage.write = async (changes: StoreItems) => {
      if (stalled) await new Promise<void>((resolve) => release.push(resolve));
      return write(changes);
    };
    const store = new DurableConversationStore(storage, { maxMemoryBytes: 64 * 1024 });
    await store.create({ ...input, id: 'conv-a' });
    stalled = true;
    await store.append('conv-a', { type: 'event', value: 'x'.repeat(64 * 1024) });
    const pending = store.flush();
    await expect(store.create({ ...input, id: 'conv-b' })).rejects.toBeInstanceOf(ConversationStoreFullError);
    expect(await store.get('conv-b')).toBeUndefined();
    stalled = false;
    release.forEach((resolve) => resolve());
    await pending;
    // Written now, so it can make way.
    await expect(store.create({ ...input, id: 'conv-b' })).resolves.toMatchObject({ id: 'conv-b' });
    expect(store.heldBytes).toBeLessThanOrEqual(64 * 1024);
  });

  test('a durable copy that is not one is ignored', async () => {
    const storage = new MemoryStorage();
    await storage.write({ 'directline/conversation/conv-1': { conversation: { id: 'conv-1' }, activities: [{ seq: 'one' }], next: 2 } });
    expect(await new DurableConversationStore(storage).get('conv-1')).toBeUndefined();
  });

  test('a conversation whose write failed stays in memory (not evicted) and is written again once the store is back', async () => {
    const storage = new SwitchableStorage();
    const store = new DurableConversationStore(storage, { maxMemoryBytes: 32 * 1024 });
    await store.create(input);
    storage.down = true;
    await store.append('conv-1', { type: 'event', value: 'x'.repeat(40 * 1024) });
    await store.flush();
    expect(store.heldBytes).toBeGreaterThan(32 * 1024);
    expect(await new DurableConversationStore(storage.inner).lastWatermark('conv-1')).toBe(0);
    storage.down = false;
    await new Promise((resolve) => setTimeout(resolve, 2_300));
    expect(await new DurableConversationStore(storage.inner).lastWatermark('conv-1')).toBe(1);
    // Written now: it can leave memory, and does, being over the budget.
    await store.get('conv-1');
    expect(store.heldBytes).toBe(0);
  });
});
