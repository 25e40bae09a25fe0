import { randomUUID } from 'node:crypto';
import { MongoClient, type Db } from 'mongodb';
import type { ConversationStore } from '../../src/channels/directline/conversation-store';
import { MemoryConversationStore } from '../../src/channels/directline/memory-conversation-store';
import { sealBackend } from '../../src/privacy/encrypted-storage';
import { createRecordCipher, SealedRecordError } from '../../src/privacy/encryption';
import { openMongoBackend } from '../../src/storage/mongodb/mongodb-backend';
import {
  ACTIVITIES_COLLECTION,
  CONVERSATIONS_COLLECTION,
  createConversationIndexes,
  GAP_GRACE_MS,
  MongoConversationStore,
} from '../../src/storage/mongodb/mongodb-conversation-store';
import type { DirectLineStoreOptions } from '../../src/storage/ports';
import { purgeOlderThan } from '../../src/storage/retention';

const mongoUri = process.env.MONGODB_URI;
if (!mongoUri) {
  if (process.env.CI === 'true') throw new Error('CI=true but MONGODB_URI is not set: .ci/run must start the MongoDB test server');
  // eslint-disable-next-line no-console
  console.warn('MONGODB_URI not set: the MongoDB Direct Line store tests are skipped (npm run mongo:test-server starts a test server)');
}
const describeMongo = mongoUri ? describe : describe.skip;

const KEY = 'chiave-di-prova-lunga-almeno-32-caratteri!';
const OTHER_KEY = 'un-altra-chiave-lunga-almeno-32-caratteri!';
const base = { userId: 'dl_u', locale: 'it-IT', serviceUrl: 'http://localhost/v3/directline' };
type Limits = NonNullable<DirectLineStoreOptions['limits']>;

let client: MongoClient;
let db: Db;
let dbName: string;
const unreadable: SealedRecordError[] = [];

function mongoStore(limits: Limits = {}, key = KEY, on: Db = db): MongoConversationStore {
  return new MongoConversationStore(on, { cipher: createRecordCipher(key), limits, onUnreadable: (error) => unreadable.push(error) });
}

/** The same behaviours from both stores: the shared one must read like the memory one. */
const stores: [string, (limits?: Limits) => ConversationStore][] = [['memory', (limits) => new MemoryConversationStore(limits)]];
if (mongoUri) stores.push(['mongodb', (limits) => mongoStore(limits)]);

beforeAll(async () => {
  if (!mongoUri) return;
  dbName = `dlstore_${randomUUID().slice(0, 8)}`;
  client = new MongoClient(mongoUri);
  await client.connect();
  db = client.db(dbName);
  await createConversationIndexes(db);
});

afterAll(async () => {
  if (!mongoUri) return;
  await db.dropDatabase();
  await client.close();
});

beforeEach(() => {
  unreadable.length = 0;
});

describe.each(stores)('Direct Line conversation store behaviour: %s', (_name, open) => {
  const id = () => `c-${randomUUID()}`;

  test('numbers activities conv|0000001… and answers by watermark; appending to an unknown conversation fails', async () => {
    const store = open();
    const c = id();
    await store.create({ id: c, ...base });
    const first = await store.append(c, { type: 'message', text: 'a' });
    const second = await store.append(c, { type: 'message', text: 'b' });
    expect(first.activity.id).toBe(`${c}|0000001`);
    expect(second.seq).toBe(2);
    expect((await store.activitiesAfter(c, 1)).map((s) => s.activity.text)).toEqual(['b']);
    expect((await store.activitiesAfter(c, 2))).toEqual([]);
    expect(await store.lastWatermark(c)).toBe(2);
    await expect(store.append('nope', { type: 'message' })).rejects.toThrow(/unknown Direct Line conversation nope/);
    expect(await store.get('nope')).toBeUndefined();
    expect(await store.lastWatermark('nope')).toBe(0);
    expect(await store.activitiesAfter('nope', 0)).toEqual([]);
  });

  test('creating an existing conversation returns it unchanged (a page reload resumes it)', async () => {
    let now = 1_000_000;
    const store = open({ now: () => now });
    const c = id();
    const created = await store.create({ id: c, ...base });
    await store.append(c, { type: 'message', text: 'ciao' });
    now += 1000;
    const again = await store.create({ id: c, ...base, userId: 'dl_someone_else', locale: 'en-US' });
    expect(again).toMatchObject({ id: c, userId: 'dl_u', locale: 'it-IT', createdAt: created.createdAt });
    expect(await store.lastWatermark(c)).toBe(1);
  });

  test('keeps at most maxActivitiesPerConversation while watermarks keep counting', async () => {
    const store = open({ maxActivitiesPerConversation: 2 });
    const c = id();
    await store.create({ id: c, ...base });
    for (let i = 0; i < 5; i += 1) await store.append(c, { type: 'message' });
    expect((await store.activitiesAfter(c, 0)).map((s) => s.seq)).toEqual([4, 5]);
    expect(await store.lastWatermark(c)).toBe(5);
  });

  test('reads at most maxConversationBytes of the newest activities; a client resuming from an old watermark gets what is kept', async () => {
    const store = open({ maxConversationBytes: 64 * 1024 });
    const c = id();
    await store.create({ id: c, ...base });
    for (let i = 0; i < 10; i += 1) await store.append(c, { type: 'event', value: 'x'.repeat(20 * 1024) });
    const kept = await store.activitiesAfter(c, 0);
    expect(kept.map((s) => s.seq)).toEqual([8, 9, 10]);
    expect(Buffer.byteLength(JSON.stringify(kept.map((s) => s.activity)))).toBeLessThanOrEqual(64 * 1024);
    expect((await store.activitiesAfter(c, 2)).map((s) => s.seq)).toEqual([8, 9, 10]);
    expect((await store.activitiesAfter(c, 9)).map((s) => s.seq)).toEqual([10]);
  });

  test('an activity larger than the byte limit on its own is still returned, alone', async () => {
    const store = open({ maxConversationBytes: 64 * 1024 });
    const c = id();
    await store.create({ id: c, ...base });
    await store.append(c, { type: 'message', text: 'ciao' });
    await store.append(c, { type: 'event', value: 'x'.repeat(70 * 1024) });
    expect((await store.activitiesAfter(c, 0)).map((s) => s.seq)).toEqual([2]);
  });

  test('a conversation idle past idleMs reads as unknown, and starting it again shows none of its old activities', async () => {
    let now = 1_000_000;
    const store = open({ idleMs: 1000, now: () => now });
    const c = id();
    await store.create({ id: c, ...base });
    await store.append(c, { type: 'message', text: 'vecchio' });
    now += 1001;
    expect(await store.get(c)).toBeUndefined();
    expect(await store.activitiesAfter(c, 0)).toEqual([]);
    expect(await store.lastWatermark(c)).toBe(0);
    await expect(store.append(c, { type: 'message' })).rejects.toThrow(/unknown Direct Line conversation/);
    const fresh = await store.create({ id: c, ...base });
    expect(fresh.createdAt).toBe(now);
    await store.append(c, { type: 'message', text: 'nuovo' });
    expect((await store.activitiesAfter(c, 0)).map((s) => s.activity.text)).toEqual(['nuovo']);
  });
});

describeMongo('MongoConversationStore across instances', () => {
  const id = () => `c-${randomUUID()}`;

  test('two instances appending to one conversation at once get distinct consecutive sequences, and both read every activity', async () => {
    // Two clients, two connections: as two Dialogo processes would be.
    const other = new MongoClient(mongoUri!);
    await other.connect();
    try {
      const a = mongoStore();
      const b = mongoStore({}, KEY, other.db(dbName));
      const c = id();
      await a.create({ id: c, ...base });
      await b.create({ id: c, ...base });
      const appended = await Promise.all(
        Array.from({ length: 40 }, (_, i) => (i % 2 === 0 ? a : b).append(c, { type: 'message', text: `messaggio ${i}` })),
      );
      const seqs = appended.map((s) => s.seq).sort((x, y) => x - y);
      expect(seqs).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
      expect(new Set(appended.map((s) => s.activity.id)).size).toBe(40);
      for (const store of [a, b]) {
        const read = await store.activitiesAfter(c, 0);
        expect(read.map((s) => s.seq)).toEqual(seqs);
        expect(read.map((s) => s.activity.text).sort()).toEqual(appended.map((s) => s.activity.text).sort());
        expect(await store.lastWatermark(c)).toBe(40);
      }
    } finally {
      await other.close();
    }
  });

  test('an activity appended on one instance is read by another from its watermark', async () => {
    const a = mongoStore();
    const b = mongoStore();
    const c = id();
    await a.create({ id: c, ...base });
    await a.append(c, { type: 'message', text: 'su A' });
    expect(await b.get(c)).toMatchObject({ id: c, userId: 'dl_u', locale: 'it-IT' });
    const onB = await b.append(c, { type: 'message', text: 'su B' });
    expect(onB.activity.id).toBe(`${c}|0000002`);
    expect((await a.activitiesAfter(c, 1)).map((s) => s.activity.text)).toEqual(['su B']);
  });

  test('an append allocated but not yet stored holds readers back, so no watermark passes it', async () => {
    let release = () => undefined as void;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const stalledDb = Object.create(db) as Db;
    stalledDb.collection = ((name: string) => {
      const collection = db.collection(name);
      if (name === ACTIVITIES_COLLECTION) {
        const insertOne = collection.insertOne.bind(collection);
        collection.insertOne = (async (...args: Parameters<typeof insertOne>) => {
          await gate;
          return insertOne(...args);
        }) as typeof collection.insertOne;
      }
      return collection;
    }) as Db['collection'];
    const slow = mongoStore({}, KEY, stalledDb);
    const fast = mongoStore();
    const c = id();
    await fast.create({ id: c, ...base });
    await fast.append(c, { type: 'message', text: 'uno' });
    const pending = slow.append(c, { type: 'message', text: 'due' });
    // Let the slow instance allocate seq 2 before the fast one takes 3.
    while ((await db.collection(CONVERSATIONS_COLLECTION).findOne({ _id: c as never }))?.next !== 3) await new Promise((r) => setTimeout(r, 5));
    await fast.append(c, { type: 'message', text: 'tre' });
    expect((await fast.activitiesAfter(c, 1)).map((s) => s.seq)).toEqual([]);
    expect((await fast.activitiesAfter(c, 0)).map((s) => s.seq)).toEqual([1]);
    expect(await fast.lastWatermark(c)).toBe(1);
    release();
    await pending;
    expect((await fast.activitiesAfter(c, 1)).map((s) => s.activity.text)).toEqual(['due', 'tre']);
    expect(await fast.lastWatermark(c)).toBe(3);
  });

  test('a sequence whose writer died is skipped once it is older than the grace period', async () => {
    let now = Date.now();
    const store = mongoStore({ now: () => now });
    const c = id();
    await store.create({ id: c, ...base });
    await store.append(c, { type: 'message', text: 'uno' });
    // An instance allocated seq 2 and died before storing it.
    await db.collection(CONVERSATIONS_COLLECTION).updateOne({ _id: c as never }, { $inc: { next: 1 } });
    expect(await store.lastWatermark(c)).toBe(1);
    await store.append(c, { type: 'message', text: 'tre' });
    expect((await store.activitiesAfter(c, 1)).map((s) => s.seq)).toEqual([]);
    now += GAP_GRACE_MS + 1;
    expect((await store.activitiesAfter(c, 1)).map((s) => s.activity.text)).toEqual(['tre']);
    expect(await store.lastWatermark(c)).toBe(3);
  });

  test('a read racing an append on another instance that trims still returns every kept activity', async () => {
    const writer = mongoStore({ maxActivitiesPerConversation: 3 });
    const c = id();
    await writer.create({ id: c, ...base });
    for (let i = 1; i <= 5; i += 1) await writer.append(c, { type: 'message', text: `m${i}` });
    // The reader reads the conversation; before it reads the activities, another instance appends 6 and trims 3.
    const racingDb = Object.create(db) as Db;
    racingDb.collection = ((name: string) => {
      const collection = db.collection(name);
      if (name === CONVERSATIONS_COLLECTION) {
        const findOne = collection.findOne.bind(collection) as (filter: object) => Promise<unknown>;
        collection.findOne = (async (filter: object) => {
          const found = await findOne(filter);
          await writer.append(c, { type: 'message', text: 'm6' });
          return found;
        }) as unknown as typeof collection.findOne;
      }
      return collection;
    }) as Db['collection'];
    const reader = mongoStore({ maxActivitiesPerConversation: 3 }, KEY, racingDb);
    expect((await reader.activitiesAfter(c, 0)).map((s) => s.activity.text)).toEqual(['m4', 'm5', 'm6']);
  });

  test('trimming deletes the oldest activities from the database, not only from reads', async () => {
    const store = mongoStore({ maxActivitiesPerConversation: 3 });
    const c = id();
    await store.create({ id: c, ...base });
    for (let i = 0; i < 10; i += 1) await store.append(c, { type: 'message', text: `m${i}` });
    const left = await db.collection(ACTIVITIES_COLLECTION).find({ conversationId: c }).sort({ seq: 1 }).toArray();
    expect(left.map((doc) => doc.seq)).toEqual([8, 9, 10]);
  });

  test("the citizen's words are sealed at rest, bound to their record", async () => {
    const store = mongoStore();
    const c = id();
    const marker = 'il-mio-codice-fiscale-RSSMRA80A01F205X';
    await store.create({ id: c, ...base });
    await store.append(c, { type: 'message', text: marker });
    await store.append(c, { type: 'message', text: 'altro' });
    const docs = await db.collection(ACTIVITIES_COLLECTION).find({ conversationId: c }).sort({ seq: 1 }).toArray();
    expect(JSON.stringify(docs)).not.toContain(marker);
    expect(docs[0]?.sealed).toMatch(/^enc:1:/);
    // A sealed value moved to another record does not open there.
    await db.collection(ACTIVITIES_COLLECTION).updateOne({ _id: `${c}|0000002` as never }, { $set: { sealed: docs[0]?.sealed } });
    expect((await store.activitiesAfter(c, 0)).map((s) => s.activity.text)).toEqual([marker]);
    expect(unreadable.map((e) => e.reason)).toEqual(['not-authentic']);
  });

  test('an activity sealed with a key this instance does not hold is skipped and reported, never thrown', async () => {
    const old = mongoStore({}, OTHER_KEY);
    const current = mongoStore();
    const c = id();
    await old.create({ id: c, ...base });
    await old.append(c, { type: 'message', text: 'chiave persa' });
    await current.append(c, { type: 'message', text: 'leggibile' });
    expect((await current.activitiesAfter(c, 0)).map((s) => s.activity.text)).toEqual(['leggibile']);
    expect(unreadable).toHaveLength(1);
    expect(unreadable[0]).toBeInstanceOf(SealedRecordError);
    expect(unreadable[0]?.reason).toBe('unknown-key');
    expect(unreadable[0]?.context).toBe(`directline/${c}/1`);
  });

  test('starting an idle conversation again goes on counting, so no activity id is reused', async () => {
    let now = 1_000_000;
    const store = mongoStore({ idleMs: 1000, now: () => now });
    const c = id();
    await store.create({ id: c, ...base });
    await store.append(c, { type: 'message' });
    await store.append(c, { type: 'message' });
    now += 1001;
    await store.create({ id: c, ...base });
    expect(await store.lastWatermark(c)).toBe(2);
    expect((await store.append(c, { type: 'message' })).activity.id).toBe(`${c}|0000003`);
    expect(await db.collection(ACTIVITIES_COLLECTION).countDocuments({ conversationId: c })).toBe(1);
  });

  test('a conversation document that is not one is refused with an error naming it', async () => {
    const c = id();
    await db.collection(CONVERSATIONS_COLLECTION).insertOne({ _id: c as never, userId: 'dl_u', next: 'one' });
    await expect(mongoStore().get(c)).rejects.toThrow(new RegExp(`${CONVERSATIONS_COLLECTION} document "${c}": `));
  });
});

describeMongo('Direct Line conversations of the MongoDB backend', () => {
  test('survive sealing of the backend, and the retention pass deletes idle conversations with their activities', async () => {
    const name = `dlstore_${randomUUID().slice(0, 8)}`;
    const backend = sealBackend(await openMongoBackend(mongoUri!, name), createRecordCipher(KEY), () => undefined);
    try {
      const directLine = backend.directLine;
      if (!directLine) throw new Error('the MongoDB backend has no Direct Line conversations');
      const past = Date.now() - 10 * 24 * 60 * 60 * 1000;
      const options = { cipher: createRecordCipher(KEY), onUnreadable: () => undefined };
      const then = directLine.open({ ...options, limits: { now: () => past } });
      await then.create({ id: 'old', ...base });
      await then.append('old', { type: 'message', text: 'vecchio' });
      const current = directLine.open(options);
      await current.create({ id: 'new', ...base });
      await current.append('new', { type: 'message', text: 'nuovo' });
      const counts = await purgeOlderThan(backend, new Date(Date.now() - 24 * 60 * 60 * 1000));
      expect(counts.directLineConversations).toBe(1);
      const raw = client.db(name);
      expect(await raw.collection(CONVERSATIONS_COLLECTION).find({}).map((d) => d._id).toArray()).toEqual(['new']);
      expect(await raw.collection(ACTIVITIES_COLLECTION).find({}).map((d) => d._id).toArray()).toEqual(['new|0000001']);
      expect((await current.activitiesAfter('new', 0)).map((s) => s.activity.text)).toEqual(['nuovo']);
    } finally {
      await client.db(name).dropDatabase();
      await backend.close();
    }
  });
});
