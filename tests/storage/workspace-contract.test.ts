import { sealBackend } from '../../src/privacy/encrypted-storage';
import { createRecordCipher } from '../../src/privacy/encryption';
import { AlreadyExistsError, type CallbackRecord, type CannedReply, type HandoffSession, type StorageBackend } from '../../src/storage/ports';
import { adapters } from './adapters';

function reply(id: string, title: string, extra: Partial<CannedReply> = {}): CannedReply {
  return { id, title, text: 'Buongiorno, sono {{operatore}}.', createdAt: '2026-04-01T08:00:00.000Z', updatedAt: '2026-04-01T08:00:00.000Z', updatedBy: 'anna', ...extra };
}

function callback(id: string, extra: Partial<CallbackRecord> = {}): CallbackRecord {
  return {
    id, createdAt: '2026-04-01T10:00:00.000Z', operator: 'giulia', channel: 'directline', language: 'it', topicId: 'tari-pagamento',
    description: 'rimborso TARI', phoneNumber: '+393331234567', note: 'richiamare dopo le 15', status: 'pending', ...extra,
  };
}

function ended(id: string, endedAt: string, extra: Partial<HandoffSession> = {}): HandoffSession {
  return {
    id, channel: 'directline', conversationId: `conv-${id}`, language: 'it', topicId: 'tari-pagamento', reference: { user: { id: 'u1' } },
    description: 'TARI', phoneCode: '123456', state: 'closed', queuedAt: '2026-04-01T09:00:00.000Z', operator: 'giulia',
    connectedAt: '2026-04-01T09:01:00.000Z', endedAt, outcome: 'resolved', transcript: [], messages: [], ...extra,
  };
}

describe.each(adapters)('operator workspace stores: %s', (_name, open) => {
  let backend: StorageBackend;
  let reopen: () => Promise<StorageBackend>;
  let raw: () => Promise<string>;
  let cleanup: () => Promise<void>;
  beforeEach(async () => {
    ({ backend, reopen, raw, cleanup } = await open());
  });
  afterEach(async () => {
    await backend.close();
    await cleanup();
  });

  test('canned replies: listed by title, updated, removed, kept across a restart; a taken id or a bad record changes nothing', async () => {
    await backend.cannedReplies.create(reply('r2', 'Saluto'));
    await backend.cannedReplies.create(reply('r1', 'Chiusura'));
    await expect(backend.cannedReplies.create(reply('r1', 'Altro'))).rejects.toBeInstanceOf(AlreadyExistsError);
    await expect(backend.cannedReplies.create(reply('r3', 'x'.repeat(61)))).rejects.toThrow(/title/);
    const updated = await backend.cannedReplies.update('r2', { title: 'Benvenuto', text: 'Ciao', updatedAt: '2026-04-02T08:00:00.000Z', updatedBy: 'marta' });
    expect(updated).toMatchObject({ id: 'r2', title: 'Benvenuto', text: 'Ciao', createdAt: '2026-04-01T08:00:00.000Z', updatedBy: 'marta' });
    expect(await backend.cannedReplies.update('missing', { title: 'a', text: 'b', updatedAt: '2026-04-02T08:00:00.000Z', updatedBy: 'marta' })).toBeUndefined();
    await backend.close();
    backend = await reopen();
    expect((await backend.cannedReplies.list()).map((r) => r.title)).toEqual(['Benvenuto', 'Chiusura']);
    expect(await backend.cannedReplies.remove('r1')).toBe(true);
    expect(await backend.cannedReplies.remove('r1')).toBe(false);
    expect(await backend.cannedReplies.get('r2')).toEqual(updated);
    expect(await backend.cannedReplies.get('r1')).toBeUndefined();
  });

  test('notes: read per session oldest first, one removed, a taken id refused', async () => {
    await backend.handoffNotes.add({ id: 'n2', sessionId: 's1', at: '2026-04-01T09:05:00.000Z', operator: 'giulia', kind: 'wrap-up', text: 'risolto' });
    await backend.handoffNotes.add({ id: 'n1', sessionId: 's1', at: '2026-04-01T09:02:00.000Z', operator: 'giulia', kind: 'internal', text: 'cittadino già richiamato ieri' });
    await backend.handoffNotes.add({ id: 'n3', sessionId: 's2', at: '2026-04-01T09:02:00.000Z', operator: 'marco', kind: 'internal', text: 'altro' });
    await expect(backend.handoffNotes.add({ id: 'n1', sessionId: 's1', at: '2026-04-01T09:02:00.000Z', operator: 'x', kind: 'internal', text: 'y' })).rejects.toBeInstanceOf(AlreadyExistsError);
    expect((await backend.handoffNotes.forSession('s1')).map((n) => [n.id, n.kind])).toEqual([['n1', 'internal'], ['n2', 'wrap-up']]);
    expect(await backend.handoffNotes.remove('n2')).toBe(true);
    expect((await backend.handoffNotes.forSession('s1')).map((n) => n.id)).toEqual(['n1']);
    expect(await backend.handoffNotes.forSession('none')).toEqual([]);
  });

  test('callbacks: pending ones listed oldest first; marked done once; a taken id refused', async () => {
    await backend.callbacks.create(callback('b', { createdAt: '2026-04-01T11:00:00.000Z' }));
    await backend.callbacks.create(callback('a'));
    await expect(backend.callbacks.create(callback('a'))).rejects.toBeInstanceOf(AlreadyExistsError);
    expect((await backend.callbacks.list('pending')).map((c) => c.id)).toEqual(['a', 'b']);
    const done = await backend.callbacks.markDone('a', 'marco', '2026-04-01T12:00:00.000Z');
    expect(done).toMatchObject({ id: 'a', status: 'done', doneBy: 'marco', doneAt: '2026-04-01T12:00:00.000Z', phoneNumber: '+393331234567' });
    expect(await backend.callbacks.markDone('a', 'anna', '2026-04-01T13:00:00.000Z')).toBeUndefined();
    expect(await backend.callbacks.markDone('missing', 'anna', '2026-04-01T13:00:00.000Z')).toBeUndefined();
    expect((await backend.callbacks.list('pending')).map((c) => c.id)).toEqual(['b']);
    expect((await backend.callbacks.list()).map((c) => c.id)).toEqual(['a', 'b']);
    expect(await backend.callbacks.remove('b')).toBe(true);
    expect(await backend.callbacks.get('b')).toBeUndefined();
  });

  test('history: ended sessions only, filtered by code, operator, topic and end date, most recent first, at most limit', async () => {
    await backend.handoffs.create(ended('h1', '2026-04-01T10:00:00.000Z'));
    await backend.handoffs.create(ended('h2', '2026-04-02T10:00:00.000Z', { operator: 'marco', phoneCode: '654321' }));
    await backend.handoffs.create(ended('h3', '2026-04-03T10:00:00.000Z', { topicId: null, state: 'abandoned', operator: undefined, connectedAt: undefined, outcome: 'left' }));
    await backend.handoffs.create(ended('active', '2026-04-03T10:00:00.000Z', { state: 'queued', endedAt: undefined, operator: undefined, connectedAt: undefined, outcome: undefined }));
    const ids = async (query: Parameters<StorageBackend['handoffs']['history']>[0]) => (await backend.handoffs.history(query)).map((s) => s.id);
    expect(await ids({ limit: 50 })).toEqual(['h3', 'h2', 'h1']);
    expect(await ids({ limit: 2 })).toEqual(['h3', 'h2']);
    expect(await ids({ limit: 50, phoneCode: '654321' })).toEqual(['h2']);
    expect(await ids({ limit: 50, operator: 'giulia' })).toEqual(['h1']);
    expect(await ids({ limit: 50, topicId: 'tari-pagamento' })).toEqual(['h2', 'h1']);
    expect(await ids({ limit: 50, endedFrom: new Date('2026-04-02T00:00:00.000Z'), endedTo: new Date('2026-04-03T00:00:00.000Z') })).toEqual(['h2']);
    await expect(backend.handoffs.history({ limit: 0 })).rejects.toThrow(/limit/);
  });

  test('sealed: the callback number, its note and the notes are not in the raw store, and read back whole', async () => {
    const sealed = sealBackend(backend, createRecordCipher('chiave-di-prova-lunga-almeno-32-caratteri!'), () => undefined);
    await sealed.callbacks.create(callback('c1', { phoneNumber: '+393339876543', note: 'preferisce il pomeriggio', description: 'pratica 4471' }));
    await sealed.handoffNotes.add({ id: 'n1', sessionId: 's1', at: '2026-04-01T09:02:00.000Z', operator: 'giulia', kind: 'internal', text: 'nota riservata 5512' });
    expect(await sealed.callbacks.get('c1')).toMatchObject({ phoneNumber: '+393339876543', note: 'preferisce il pomeriggio', description: 'pratica 4471' });
    expect((await sealed.callbacks.markDone('c1', 'marco', '2026-04-02T09:00:00.000Z'))?.phoneNumber).toBe('+393339876543');
    expect((await sealed.handoffNotes.forSession('s1'))[0]?.text).toBe('nota riservata 5512');
    await backend.close();
    const stored = await raw();
    for (const secret of ['3339876543', 'pomeriggio', 'pratica 4471', 'riservata']) expect(stored).not.toContain(secret);
  });
});
