import { rmSync } from 'node:fs';
import { ConversationState, MemoryStorage, TestAdapter } from 'botbuilder';
import { createLogger } from '../../src/logger';
import { ETagConflictError, type StorageBackend } from '../../src/storage/ports';
import { ResilientStorage } from '../../src/storage/resilient-storage';
import { openSqliteBackend } from '../../src/storage/sqlite/sqlite-backend';
import { tempDataDir } from '../fixtures/runtime';
import { SwitchableStorage } from '../fixtures/switchable-storage';

const logger = createLogger('silent');
let dir: string;
let backend: StorageBackend;
let store: SwitchableStorage;

beforeEach(() => {
  dir = tempDataDir();
  backend = openSqliteBackend(dir);
  store = new SwitchableStorage(backend.state);
});

afterEach(async () => {
  await backend.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('ResilientStorage with a store of its own (the embedded SQLite store)', () => {
  test('an item read or written recently is read again from memory, as a copy the caller may change freely', async () => {
    await backend.state.write({ k: { eTag: '*', n: 1, nested: { a: 1 } } });
    const state = new ResilientStorage(store, logger, { ownsStore: true });
    const first = (await state.read(['k'])).k as { n: number; nested: { a: number } };
    first.nested.a = 99;
    const second = (await state.read(['k'])).k as { n: number; nested: { a: number } };
    expect(second.nested.a).toBe(1);
    expect(store.reads).toEqual([['k']]);
    await state.write({ k: { ...second, n: 2 } });
    expect(((await state.read(['k'])).k as { n: number }).n).toBe(2);
    expect(store.reads).toEqual([['k']]);
  });

  test('changes within the window reach the store as one write holding the last change of each item', async () => {
    const state = new ResilientStorage(store, logger, { ownsStore: true, writeDelayMs: 60_000 });
    for (let n = 1; n <= 10; n++) await state.write({ a: { eTag: '*', n }, b: { eTag: '*', n: -n } });
    expect(store.writes).toHaveLength(0);
    expect(state.pendingWrites).toBe(2);
    await state.flush();
    expect(store.writes).toHaveLength(1);
    expect(Object.keys(store.writes[0]!).sort()).toEqual(['a', 'b']);
    const stored = await backend.state.read(['a', 'b']);
    expect([(stored.a as { n: number }).n, (stored.b as { n: number }).n]).toEqual([10, -10]);
    expect(state.pendingWrites).toBe(0);
  });

  test('changes are written by themselves after the window, without a flush', async () => {
    const state = new ResilientStorage(store, logger, { ownsStore: true, writeDelayMs: 20 });
    await state.write({ a: { eTag: '*', n: 1 } });
    for (let waited = 0; store.writes.length === 0 && waited < 2000; waited += 10) await new Promise((r) => setTimeout(r, 10));
    expect(((await backend.state.read(['a'])).a as { n: number }).n).toBe(1);
  });

  test('a write with a stale eTag is refused as the store refuses it, and changes nothing', async () => {
    await backend.state.write({ k: { eTag: '*', n: 1 } });
    const state = new ResilientStorage(store, logger, { ownsStore: true });
    const read = (await state.read(['k'])).k as { eTag: string; n: number };
    await state.write({ k: { ...read, n: 2 } });
    await expect(state.write({ k: { ...read, n: 3 }, other: { eTag: '*', n: 1 } })).rejects.toBeInstanceOf(ETagConflictError);
    await state.flush();
    expect(((await backend.state.read(['k'])).k as { n: number }).n).toBe(2);
    expect((await backend.state.read(['other'])).other).toBeUndefined();
    // The eTag of the change accepted last is the one that writes.
    const fresh = (await state.read(['k'])).k as { eTag: string };
    await expect(state.write({ k: { ...fresh, n: 4 } })).resolves.toBeUndefined();
  });

  test('an item memory forgot is checked by the store: a stale eTag is still refused', async () => {
    await backend.state.write({ k: { eTag: '*', n: 1 } });
    const state = new ResilientStorage(store, logger, { ownsStore: true });
    const stale = { ...((await backend.state.read(['k'])).k as object) };
    await backend.state.write({ k: { eTag: '*', n: 2 } });
    await expect(state.write({ k: { ...stale, n: 3 } })).rejects.toBeInstanceOf(ETagConflictError);
  });

  test('an item unused for 30 minutes is read from the store again', async () => {
    let now = 0;
    await backend.state.write({ k: { eTag: '*', n: 1 } });
    const state = new ResilientStorage(store, logger, { ownsStore: true, now: () => now });
    await state.read(['k']);
    now += 29 * 60_000;
    await state.read(['k']);
    expect(store.reads).toHaveLength(1);
    now += 31 * 60_000;
    await state.read(['k']);
    expect(store.reads).toHaveLength(2);
  });

  test('after the retention purge, remembered items are read from the store, where the purge deleted them', async () => {
    await backend.state.write({ k: { eTag: '*', n: 1 } });
    const state = new ResilientStorage(store, logger, { ownsStore: true });
    await state.read(['k']);
    await backend.stateRetention.purgeNotUpdatedSince(new Date(Date.now() + 60_000));
    state.forgetRemembered();
    expect((await state.read(['k'])).k).toBeUndefined();
  });

  test('a deleted item does not come back with a batch written meanwhile', async () => {
    const state = new ResilientStorage(store, logger, { ownsStore: true, writeDelayMs: 60_000 });
    await state.write({ k: { eTag: '*', n: 1 } });
    const flushing = state.flush();
    await state.delete(['k']);
    await flushing;
    expect((await backend.state.read(['k'])).k).toBeUndefined();
    expect((await state.read(['k'])).k).toBeUndefined();
  });

  test('a batch the store cannot take waits in memory and is written when the store answers again', async () => {
    const state = new ResilientStorage(store, logger, { ownsStore: true, writeDelayMs: 60_000 });
    await state.write({ k: { eTag: '*', n: 1 } });
    store.down = true;
    await state.flush();
    expect(state.degraded).toBe(true);
    expect(((await state.read(['k'])).k as { n: number }).n).toBe(1);
    store.down = false;
    // The store is probed again at most every 2 s.
    const realNow = Date.now;
    Date.now = () => realNow() + 5_000;
    try {
      await state.read(['other']);
    } finally {
      Date.now = realNow;
    }
    expect(state.degraded).toBe(false);
    expect(((await backend.state.read(['k'])).k as { n: number }).n).toBe(1);
  });

  test("botbuilder's conversation state keeps its turns through it, and a restart reads the last turn's state", async () => {
    const state = new ResilientStorage(store, logger, { ownsStore: true, writeDelayMs: 60_000 });
    const conversationState = new ConversationState(state);
    const counter = conversationState.createProperty<number>('turns');
    const adapter = new TestAdapter(async (context) => {
      const turns = (await counter.get(context, 0)) + 1;
      await counter.set(context, turns);
      await context.sendActivity(`turn ${turns}`);
      await conversationState.saveChanges(context);
    });
    await adapter.send('a').assertReply('turn 1').send('b').assertReply('turn 2').send('c').assertReply('turn 3').startTest();
    expect(store.reads).toHaveLength(1);
    await state.flush();
    const restarted = new ConversationState(new ResilientStorage(new SwitchableStorage(backend.state), logger, { ownsStore: true }));
    const again = restarted.createProperty<number>('turns');
    await new TestAdapter(async (context) => {
      await context.sendActivity(`after restart ${await again.get(context, 0)}`);
    })
      .send('d')
      .assertReply('after restart 3')
      .startTest();
  });
});

describe('ResilientStorage over a shared store (MongoDB, cluster mode)', () => {
  test('every read goes to the store, since another instance may have written it', async () => {
    const state = new ResilientStorage(store, logger);
    await state.write({ k: { eTag: '*', n: 1 } });
    await state.read(['k']);
    await backend.state.write({ k: { eTag: '*', n: 2 } });
    expect(((await state.read(['k'])).k as { n: number }).n).toBe(2);
    expect(store.reads).toHaveLength(2);
    expect(store.writes).toHaveLength(1);
  });

  test('while the store is down, the last known items answer', async () => {
    const state = new ResilientStorage(new SwitchableStorage(new MemoryStorage()), logger);
    await state.write({ k: { eTag: '*', n: 1 } });
    await state.read(['k']);
    (state as unknown as { inner: SwitchableStorage }).inner.down = true;
    expect(((await state.read(['k'])).k as { n: number }).n).toBe(1);
    expect(state.degraded).toBe(true);
  });

  test('while the store is down, an item answers as it was written or read, not as the caller changed it afterwards', async () => {
    // botbuilder changes a turn's state objects in place after reading and writing them.
    const store = new SwitchableStorage(new MemoryStorage());
    const state = new ResilientStorage(store, logger);
    const written = { eTag: '*', dialog: { step: 1 } };
    await state.write({ w: written });
    written.dialog.step = 99;
    await state.write({ r: { eTag: '*', dialog: { step: 1 } } });
    const read = (await state.read(['r'])).r as { dialog: { step: number } };
    read.dialog.step = 99;
    store.down = true;
    const fallback = await state.read(['w', 'r']);
    expect(fallback.w).toMatchObject({ dialog: { step: 1 } });
    expect(fallback.r).toMatchObject({ dialog: { step: 1 } });
  });
});
