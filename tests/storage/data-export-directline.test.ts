import { randomUUID } from 'node:crypto';
import { MongoClient } from 'mongodb';
import { createRecordCipher } from '../../src/privacy/encryption';
import { exportCitizenData } from '../../src/storage/data-export';
import { openMongoBackend } from '../../src/storage/mongodb/mongodb-backend';
import type { StorageBackend } from '../../src/storage/ports';

const mongoUri = process.env.MONGODB_URI;
const describeMongo = mongoUri ? describe : describe.skip;
const cipher = createRecordCipher('chiave-di-prova-lunga-almeno-32-caratteri!');

describeMongo('data export in cluster mode: the Direct Line history kept in MongoDB', () => {
  const dbName = `dlexport_${randomUUID().slice(0, 8)}`;
  let backend: StorageBackend;

  beforeAll(async () => {
    backend = await openMongoBackend(mongoUri ?? '', dbName);
  });
  afterAll(async () => {
    await backend.close();
    const client = new MongoClient(mongoUri ?? '');
    await client.db(dbName).dropDatabase();
    await client.close();
  });

  test('an access request gets the conversation and its activities, opened, even two days after its last turn', async () => {
    let now = Date.parse('2026-12-01T10:00:00Z');
    const writer = backend.directLine?.open({ cipher, onUnreadable: () => undefined, limits: { now: () => now } });
    await writer?.create({ id: 'conv-export', userId: 'dl_cittadina', locale: 'it-IT', serviceUrl: 'https://dialogo.example/v3/directline' });
    await writer?.append('conv-export', { type: 'message', text: 'la mia email è anna@example.org' });
    await writer?.append('conv-export', { type: 'message', text: 'Ecco come rinnovare la carta.' });
    now += 2 * 24 * 60 * 60 * 1000;
    // As scripts/data-export.ts opens it: no idle limit, no byte limit.
    const directLine = backend.directLine?.open({ cipher, onUnreadable: () => undefined, limits: { now: () => now, idleMs: Number.MAX_SAFE_INTEGER, maxConversationBytes: Number.MAX_SAFE_INTEGER } });
    const records = await exportCitizenData(backend, { channel: 'directline', channelConversationId: 'conv-export' }, { directLine });
    const history = records.find((r) => r.store === 'directline_conversations')?.record as { conversation: { userId: string }; activities: { text: string }[] };
    expect(history.conversation.userId).toBe('dl_cittadina');
    expect(history.activities.map((a) => a.text)).toEqual(['la mia email è anna@example.org', 'Ecco come rinnovare la carta.']);
    // Without the store the export has no such record (as before cluster mode).
    expect((await exportCitizenData(backend, { channel: 'directline', channelConversationId: 'conv-export' })).some((r) => r.store === 'directline_conversations')).toBe(false);
  });
});
