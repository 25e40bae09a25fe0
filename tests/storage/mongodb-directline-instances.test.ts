import { randomUUID } from 'node:crypto';
import { MongoClient, type Db } from 'mongodb';
import { ACTIVITIES_COLLECTION } from '../../src/storage/mongodb/mongodb-conversation-store';
import { DirectLineTokens } from '../../src/channels/directline/tokens';
import { createRecordCipher } from '../../src/privacy/encryption';
import { createConversationIndexes, MongoConversationStore } from '../../src/storage/mongodb/mongodb-conversation-store';
import { mountEndpoint, type MountedEndpoint } from '../channels/directline/mounted-endpoint';

const KEY = 'chiave-di-prova-lunga-almeno-32-caratteri!';

/** `db` whose activity inserts each wait a random few milliseconds: a writer slow between its two steps. */
function jitteredInserts(db: Db): Db {
  const jittered = Object.create(db) as Db;
  jittered.collection = ((name: string) => {
    const collection = db.collection(name);
    if (name === ACTIVITIES_COLLECTION) {
      const insertOne = collection.insertOne.bind(collection);
      collection.insertOne = (async (...args: Parameters<typeof insertOne>) => {
        await new Promise((resolve) => setTimeout(resolve, Math.floor(Math.random() * 25)));
        return insertOne(...args);
      }) as typeof collection.insertOne;
    }
    return collection;
  }) as Db['collection'];
  return jittered;
}

const mongoUri = process.env.MONGODB_URI;
const describeMongo = mongoUri ? describe : describe.skip;
const SECRET = 'a-direct-line-secret-shared-by-the-instances';

async function call(base: string, method: string, path: string, token: string, body?: unknown): Promise<{ status: number; json: Record<string, unknown> }> {
  const response = await fetch(`${base}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: response.status, json: (await response.json()) as Record<string, unknown> };
}

describeMongo('Direct Line on two instances sharing MongoDB', () => {
  let client: MongoClient;
  let db: Db;
  const mounted: MountedEndpoint[] = [];

  beforeAll(async () => {
    client = new MongoClient(mongoUri!);
    await client.connect();
    db = client.db(`dlinst_${randomUUID().slice(0, 8)}`);
    await createConversationIndexes(db);
    for (let i = 0; i < 2; i += 1) {
      const store = new MongoConversationStore(db, { cipher: createRecordCipher(KEY), onUnreadable: () => undefined });
      mounted.push(await mountEndpoint({ store, secret: SECRET, tokens: new DirectLineTokens(SECRET) }));
    }
  });

  afterAll(async () => {
    await Promise.all(mounted.map((m) => m.close()));
    await db.dropDatabase();
    await client.close();
  });

  test('a conversation started on one instance is posted to on the other, and polling either reads every activity once, in order', async () => {
    const [a, b] = mounted as [MountedEndpoint, MountedEndpoint];
    const started = await call(a.base, 'POST', '/conversations', SECRET);
    expect(started.status).toBe(201);
    const conversationId = String(started.json.conversationId);
    const token = String(started.json.token);
    const posted = await call(b.base, 'POST', `/conversations/${conversationId}/activities`, token, { type: 'message', from: { id: 'x' }, text: 'ciao da B' });
    expect(posted.status).toBe(200);
    const again = await call(a.base, 'POST', `/conversations/${conversationId}/activities`, token, { type: 'message', from: { id: 'x' }, text: 'ciao da A' });
    expect(again.status).toBe(200);
    for (const instance of [a, b]) {
      const polled = await call(instance.base, 'GET', `/conversations/${conversationId}/activities?watermark=0`, token);
      const activities = polled.json.activities as { id: string; text?: string }[];
      expect(activities.map((activity) => activity.text)).toEqual(['ciao da B', 'eco: ciao da B', 'ciao da A', 'eco: ciao da A']);
      expect(new Set(activities.map((activity) => activity.id)).size).toBe(4);
      expect(polled.json.watermark).toBe('4');
    }
  });

  test('a poller following the watermark gets every activity once and in order while two slow writers append at once', async () => {
    const options = { cipher: createRecordCipher(KEY), onUnreadable: () => undefined };
    const writers = [new MongoConversationStore(jitteredInserts(db), options), new MongoConversationStore(jitteredInserts(db), options)];
    const reader = new MongoConversationStore(db, options);
    const conversationId = `c-${randomUUID()}`;
    await reader.create({ id: conversationId, userId: 'dl_u', locale: 'it-IT', serviceUrl: 'http://localhost/v3/directline' });
    const total = 60;
    let writing = true;
    const written = Promise.all(
      writers.map(async (writer, w) => {
        for (let i = 0; i < total / 2; i += 1) await writer.append(conversationId, { type: 'message', text: `${w}-${i}` });
      }),
    ).finally(() => {
      writing = false;
    });
    const seen: number[] = [];
    let watermark = 0;
    // A client's watermark moves to the last activity it was given (not to lastWatermark after an empty
    // read: activities stored between the two reads would be skipped; see the report on the routes).
    while (writing || watermark < total) {
      const entries = await reader.activitiesAfter(conversationId, watermark);
      seen.push(...entries.map((entry) => entry.seq));
      watermark = entries[entries.length - 1]?.seq ?? watermark;
    }
    await written;
    expect(seen).toEqual(Array.from({ length: total }, (_, i) => i + 1));
    expect(await reader.lastWatermark(conversationId)).toBe(total);
  });
});
