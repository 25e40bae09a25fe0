import { randomUUID } from 'node:crypto';
import { rmSync } from 'node:fs';
import { openMongoBackend } from '../../src/storage/mongodb/mongodb-backend';
import {
  AlreadyExistsError,
  ETagConflictError,
  type HandoffSession,
  type OperatorAccount,
  type StorageBackend,
  type TicketRecord,
} from '../../src/storage/ports';
import { openSqliteBackend } from '../../src/storage/sqlite/sqlite-backend';
import { event } from '../fixtures/events';
import { tempDataDir } from '../fixtures/runtime';


const mongoUri = process.env.MONGODB_URI;
const inCi = process.env.CI === 'true';
if (!mongoUri) {
  if (inCi) throw new Error('CI=true but MONGODB_URI is not set: .ci/run must start the MongoDB test server');
  // eslint-disable-next-line no-console
  console.warn('MONGODB_URI not set: the MongoDB run of the storage contract is skipped (npm run mongo:test-server starts a test server)');
}

/** An open backend; `reopen` opens the same store again (after a close: a restart). */
interface Opened {
  backend: StorageBackend;
  reopen: () => Promise<StorageBackend>;
  cleanup: () => void;
}

const adapters: [string, () => Promise<Opened>][] = [
  ['sqlite', async () => {
    const dir = tempDataDir();
    return { backend: openSqliteBackend(dir), reopen: async () => openSqliteBackend(dir), cleanup: () => rmSync(dir, { recursive: true, force: true }) };
  }],
];
if (mongoUri) {
  adapters.push(['mongodb', async () => {
    const dbName = `contract_${randomUUID().slice(0, 8)}`;
    return { backend: await openMongoBackend(mongoUri, dbName), reopen: () => openMongoBackend(mongoUri, dbName), cleanup: () => undefined };
  }]);
}

function ticket(reference: string, createdAt: string, extra: Partial<TicketRecord> = {}): TicketRecord {
  return {
    reference, createdAt, conversationId: 'conv-1', channel: 'directline', language: 'it', topicId: 'carta-identita',
    contactEmail: 'cittadino@example.org', description: 'Vorrei un appuntamento per la carta di identità', state: 'open', ...extra,
  };
}

function operator(name: string, extra: Partial<OperatorAccount> = {}): OperatorAccount {
  return { name, role: 'operator', passwordHash: 'scrypt$16384$8$1$c2FsdA==$aGFzaA==', createdAt: '2026-03-02T08:00:00.000Z', maxConcurrent: 3, ...extra };
}

function handoff(id: string, queuedAt: string, extra: Partial<HandoffSession> = {}): HandoffSession {
  return {
    id, channel: 'directline', conversationId: `conv-${id}`, language: 'it', topicId: 'carta-identita',
    reference: { activityId: 'a1', user: { id: 'u1', name: 'Cittadino' }, bot: { id: 'dialogo' }, conversation: { id: `conv-${id}`, isGroup: false }, channelId: 'directline', serviceUrl: 'https://directline.botframework.com/', locale: 'it-IT' },
    description: 'Vorrei un appuntamento per la carta di identità', phoneCode: '123456', state: 'queued', queuedAt,
    transcript: [
      { at: '2026-04-01T08:59:00.000Z', from: 'citizen', text: '[testo del cittadino]' },
      { at: '2026-04-01T08:59:01.000Z', from: 'bot', text: 'La carta di identità si richiede...', topicId: 'carta-identita' },
      { at: '2026-04-01T08:59:30.000Z', from: 'bot', text: 'Non ho capito.', topicId: null },
    ],
    messages: [], ...extra,
  };
}

describe.each(adapters)('storage contract: %s', (_name, open) => {
  let backend: StorageBackend;
  let reopen: () => Promise<StorageBackend>;
  let cleanup: () => void;
  beforeEach(async () => {
    ({ backend, reopen, cleanup } = await open());
  });
  afterEach(async () => {
    await backend.close();
    cleanup();
  });

  test('state: an item written is read back with an eTag', async () => {
    await backend.state.write({ 'conv/1': { DialogState: { stack: [{ id: 'faq' }] }, count: 1 } });
    const items = await backend.state.read(['conv/1', 'missing']);
    expect(items['conv/1']).toMatchObject({ DialogState: { stack: [{ id: 'faq' }] }, count: 1, eTag: expect.any(String) });
    expect(items.missing).toBeUndefined();
  });

  test('state: of two writers holding the same eTag, the second gets a conflict and the first write stays', async () => {
    await backend.state.write({ k: { n: 0 } });
    const first = (await backend.state.read(['k'])).k!;
    const second = (await backend.state.read(['k'])).k!;
    await backend.state.write({ k: { ...first, n: 1 } });
    await expect(backend.state.write({ k: { ...second, n: 2 } })).rejects.toBeInstanceOf(ETagConflictError);
    expect((await backend.state.read(['k'])).k).toMatchObject({ n: 1 });
  });

  test('state: "*" and no eTag write unconditionally; delete removes', async () => {
    await backend.state.write({ k: { n: 1 } });
    await backend.state.write({ k: { n: 2, eTag: '*' } });
    await backend.state.write({ k: { n: 3 } });
    expect((await backend.state.read(['k'])).k).toMatchObject({ n: 3 });
    await backend.state.delete(['k']);
    expect(await backend.state.read(['k'])).toEqual({});
  });

  test('state: keys MongoDB would refuse inside documents are stored as they are', async () => {
    await backend.state.write({ k: { $type: 'x', 'a.b': 1 } });
    expect((await backend.state.read(['k'])).k).toMatchObject({ $type: 'x', 'a.b': 1 });
  });

  test('events: appended, queried in time order by range and by conversation', async () => {
    const a1 = event('a', '2026-01-01T10:00:00.000Z');
    const b1 = event('b', '2026-01-01T11:00:00.000Z');
    const a2 = event('a', '2026-01-02T09:00:00.000Z', { feedback: 'up' });
    await backend.events.append([a2, a1, b1]);
    expect((await backend.events.query({})).map((e) => e.eventId)).toEqual([a1.eventId, b1.eventId, a2.eventId]);
    expect(await backend.events.query({ conversationId: 'a' })).toEqual([a1, a2]);
    expect((await backend.events.query({ from: new Date('2026-01-01T10:30:00Z'), to: new Date('2026-01-02T00:00:00Z') })).map((e) => e.eventId)).toEqual([b1.eventId]);
    expect(await backend.events.query({ limit: 1 })).toEqual([a1]);
  });

  test('events: a batch appended twice is stored once', async () => {
    const batch = [event('a', '2026-01-01T10:00:00.000Z'), event('a', '2026-01-01T10:00:01.000Z')];
    await backend.events.append(batch);
    await backend.events.append([...batch, event('a', '2026-01-01T10:00:02.000Z')]);
    expect(await backend.events.count()).toBe(3);
  });

  test('events: purge removes only what is older than the limit', async () => {
    await backend.events.append([event('a', '2025-01-01T00:00:00.000Z'), event('a', '2026-06-01T00:00:00.000Z')]);
    expect(await backend.events.purgeBefore(new Date('2026-01-01T00:00:00Z'))).toBe(1);
    expect(await backend.events.count()).toBe(1);
  });

  test('tickets: references count from 1 per year, zero padded to 6 digits', async () => {
    expect(await backend.tickets.nextReference(2026)).toBe('DLG-2026-000001');
    expect(await backend.tickets.nextReference(2026)).toBe('DLG-2026-000002');
    expect(await backend.tickets.nextReference(2027)).toBe('DLG-2027-000001');
    expect(await backend.tickets.nextReference(2026)).toBe('DLG-2026-000003');
  });

  test('tickets: 50 concurrent nextReference calls give 50 distinct consecutive references', async () => {
    const references = await Promise.all(Array.from({ length: 50 }, () => backend.tickets.nextReference(2026)));
    const expected = Array.from({ length: 50 }, (_, i) => `DLG-2026-${String(i + 1).padStart(6, '0')}`);
    expect([...references].sort()).toEqual(expected);
  });

  test('tickets: a year outside 2000-9999 is refused', async () => {
    await expect(backend.tickets.nextReference(26)).rejects.toThrow(/ticket year must be an integer from 2000 to 9999, got 26/);
  });

  test('tickets: a created ticket is read back by reference and listed in creation order, by state', async () => {
    const late = ticket('DLG-2026-000002', '2026-04-01T09:00:00.000Z', { language: 'en', topicId: null, channel: 'messenger' });
    const early = ticket('DLG-2026-000001', '2026-03-31T16:00:00.000Z');
    await backend.tickets.create(late);
    await backend.tickets.create(early);
    expect(await backend.tickets.get('DLG-2026-000002')).toEqual(late);
    expect(await backend.tickets.get('DLG-2026-000099')).toBeUndefined();
    expect(await backend.tickets.list()).toEqual([early, late]);
    expect(await backend.tickets.list('open')).toEqual([early, late]);
    expect(await backend.tickets.list('closed')).toEqual([]);
  });

  test('tickets: creating a duplicate reference rejects and keeps the first ticket', async () => {
    const first = ticket('DLG-2026-000001', '2026-03-31T16:00:00.000Z');
    await backend.tickets.create(first);
    const duplicate = backend.tickets.create(ticket('DLG-2026-000001', '2026-04-01T09:00:00.000Z', { description: 'altro' }));
    await expect(duplicate).rejects.toBeInstanceOf(AlreadyExistsError);
    await expect(duplicate).rejects.toThrow('ticket "DLG-2026-000001" already exists');
    expect(await backend.tickets.list()).toEqual([first]);
  });

  test('tickets: an invalid ticket is refused naming the bad field', async () => {
    await expect(backend.tickets.create(ticket('DLG-2026-000001', 'yesterday'))).rejects.toThrow(/createdAt: must be an ISO 8601 date and time/);
    await expect(backend.tickets.create(ticket('123', '2026-03-31T16:00:00.000Z'))).rejects.toThrow(/reference: must look like DLG-2026-000123/);
    expect(await backend.tickets.list()).toEqual([]);
  });

  test('tickets: close marks an open ticket closed once, with who and when', async () => {
    await backend.tickets.create(ticket('DLG-2026-000001', '2026-03-31T16:00:00.000Z'));
    expect(await backend.tickets.close('DLG-2026-000001', { by: 'giulia.rossi', at: '2026-04-01T10:15:00.000Z', staleBefore: '2026-04-01T10:15:00.000Z', outcome: 'no-reply-needed' })).toBe(true);
    expect(await backend.tickets.close('DLG-2026-000001', { by: 'marco.bianchi', at: '2026-04-01T11:00:00.000Z', staleBefore: '2026-04-01T11:00:00.000Z', outcome: 'no-reply-needed' })).toBe(false);
    expect(await backend.tickets.close('DLG-2026-000404', { by: 'giulia.rossi', at: '2026-04-01T10:15:00.000Z', staleBefore: '2026-04-01T10:15:00.000Z', outcome: 'no-reply-needed' })).toBe(false);
    expect(await backend.tickets.get('DLG-2026-000001')).toMatchObject({ state: 'closed', closedAt: '2026-04-01T10:15:00.000Z', closedBy: 'giulia.rossi', outcome: 'no-reply-needed' });
    expect(await backend.tickets.list('open')).toEqual([]);
    expect((await backend.tickets.list('closed')).map((t) => t.reference)).toEqual(['DLG-2026-000001']);
  });

  test('operators: created, read back, listed by name, removed', async () => {
    const giulia = operator('giulia.rossi', { role: 'supervisor', maxConcurrent: 5 });
    const anna = operator('anna.verdi', { disabled: true });
    await backend.operators.create(giulia);
    await backend.operators.create(anna);
    expect(await backend.operators.get('giulia.rossi')).toEqual(giulia);
    expect(await backend.operators.get('nobody')).toBeUndefined();
    expect(await backend.operators.list()).toEqual([anna, giulia]);
    expect(await backend.operators.remove('anna.verdi')).toBe(true);
    expect(await backend.operators.remove('anna.verdi')).toBe(false);
    expect((await backend.operators.list()).map((a) => a.name)).toEqual(['giulia.rossi']);
  });

  test('operators: creating a name that exists rejects; upsert replaces', async () => {
    await backend.operators.create(operator('giulia.rossi'));
    await expect(backend.operators.create(operator('giulia.rossi', { role: 'supervisor' }))).rejects.toBeInstanceOf(AlreadyExistsError);
    expect(await backend.operators.get('giulia.rossi')).toMatchObject({ role: 'operator' });
    await backend.operators.upsert(operator('giulia.rossi', { passwordHash: 'scrypt$16384$8$1$bmV3$bmV3', disabled: true }));
    expect(await backend.operators.get('giulia.rossi')).toMatchObject({ passwordHash: 'scrypt$16384$8$1$bmV3$bmV3', disabled: true });
    await backend.operators.upsert(operator('marco.bianchi'));
    expect(await backend.operators.list()).toHaveLength(2);
  });

  test('operators: the display name citizens see is kept; accounts without one come back without it', async () => {
    await backend.operators.create(operator('giulia.rossi', { displayName: 'Giulia' }));
    await backend.operators.create(operator('marco.bianchi'));
    expect(await backend.operators.get('giulia.rossi')).toMatchObject({ displayName: 'Giulia' });
    expect(await backend.operators.get('marco.bianchi')).not.toHaveProperty('displayName');
    await backend.operators.upsert({ ...(await backend.operators.get('marco.bianchi'))!, displayName: 'Marco B.' });
    expect((await backend.operators.list()).map((a) => a.displayName)).toEqual(['Giulia', 'Marco B.']);
  });

  test('operators: the sign-outs (a password change, sessions ended with "Esci") are kept; accounts without them come back without them', async () => {
    await backend.operators.create(operator('giulia.rossi', { signedOutAt: '2026-12-06T09:15:00.123Z', signedOutSessions: [1_796_500_000_000, 1_796_500_000_001] }));
    await backend.operators.create(operator('marco.bianchi'));
    expect(await backend.operators.get('giulia.rossi')).toMatchObject({ signedOutAt: '2026-12-06T09:15:00.123Z', signedOutSessions: [1_796_500_000_000, 1_796_500_000_001] });
    const marco = (await backend.operators.get('marco.bianchi'))!;
    expect(marco).not.toHaveProperty('signedOutAt');
    expect(marco).not.toHaveProperty('signedOutSessions');
    await backend.operators.upsert({ ...marco, signedOutSessions: [1_796_500_000_002] });
    expect((await backend.operators.get('marco.bianchi'))!.signedOutSessions).toEqual([1_796_500_000_002]);
  });

  test('operators: enabled accounts come back without a disabled flag', async () => {
    await backend.operators.create(operator('giulia.rossi', { disabled: false }));
    expect(await backend.operators.get('giulia.rossi')).not.toHaveProperty('disabled');
  });

  test('handoffs: a created session is read back whole, reference and transcript included', async () => {
    const session = handoff('h1', '2026-04-01T09:00:00.000Z');
    const held = handoff('h2', '2026-04-01T09:01:00.000Z', {
      channel: 'facebook', language: 'en', topicId: null, state: 'connected', operator: 'giulia.rossi', connectedAt: '2026-04-01T09:02:00.000Z',
      messages: [{ at: '2026-04-01T09:02:05.000Z', from: 'operator', text: 'Buongiorno', operator: 'giulia.rossi' }],
    });
    await backend.handoffs.create(session);
    await backend.handoffs.create(held);
    expect(await backend.handoffs.get('h1')).toEqual(session);
    expect(await backend.handoffs.get('h2')).toEqual(held);
    expect(await backend.handoffs.get('missing')).toBeUndefined();
  });

  test('handoffs: instants are returned normalised to toISOString', async () => {
    await backend.handoffs.create(handoff('h1', '2026-04-01T11:00:00+02:00', { transcript: [{ at: '2026-04-01T10:59:00+02:00', from: 'citizen', text: 'x' }] }));
    expect(await backend.handoffs.get('h1')).toMatchObject({ queuedAt: '2026-04-01T09:00:00.000Z', transcript: [{ at: '2026-04-01T08:59:00.000Z' }] });
  });

  test('handoffs: creating an id that exists rejects and keeps the first session', async () => {
    const first = handoff('h1', '2026-04-01T09:00:00.000Z');
    await backend.handoffs.create(first);
    const duplicate = backend.handoffs.create(handoff('h1', '2026-04-01T10:00:00.000Z', { description: 'altro' }));
    await expect(duplicate).rejects.toBeInstanceOf(AlreadyExistsError);
    await expect(duplicate).rejects.toThrow('handoff "h1" already exists');
    expect(await backend.handoffs.get('h1')).toEqual(first);
  });

  test('handoffs: an invalid session, change or message is refused naming the bad field', async () => {
    await expect(backend.handoffs.create(handoff('h1', '2026-04-01T09:00:00.000Z', { phoneCode: '12' }))).rejects.toThrow(/phoneCode: must be 6 digits/);
    await expect(backend.handoffs.create(handoff('h1', 'yesterday'))).rejects.toThrow(/queuedAt: must be an ISO 8601 date and time/);
    expect(await backend.handoffs.get('h1')).toBeUndefined();
    await backend.handoffs.create(handoff('h1', '2026-04-01T09:00:00.000Z'));
    await expect(backend.handoffs.transition('h1', ['queued'], { connectedAt: 'soon' })).rejects.toThrow(/connectedAt: must be an ISO 8601 date and time/);
    await expect(backend.handoffs.appendMessage('h1', { at: 'now', from: 'citizen', text: 'x' })).rejects.toThrow(/at: must be an ISO 8601 date and time/);
    expect(await backend.handoffs.get('h1')).toMatchObject({ state: 'queued', messages: [] });
  });

  test('handoffs: active() lists queued and connected sessions by queuedAt, then id', async () => {
    await backend.handoffs.create(handoff('c', '2026-04-01T09:02:00.000Z'));
    await backend.handoffs.create(handoff('b2', '2026-04-01T09:01:00.000Z', { state: 'connected', operator: 'giulia.rossi', connectedAt: '2026-04-01T09:03:00.000Z' }));
    await backend.handoffs.create(handoff('b1', '2026-04-01T09:01:00.000Z'));
    await backend.handoffs.create(handoff('a', '2026-04-01T09:00:00.000Z'));
    for (const [id, state] of [['x1', 'closed'], ['x2', 'abandoned'], ['x3', 'ticket']] as const) {
      await backend.handoffs.create(handoff(id, '2026-04-01T08:00:00.000Z', { state, endedAt: '2026-04-01T08:30:00.000Z' }));
    }
    expect((await backend.handoffs.active()).map((s) => s.id)).toEqual(['a', 'b1', 'b2', 'c']);
    expect((await backend.handoffs.active())[0]).toEqual(handoff('a', '2026-04-01T09:00:00.000Z'));
  });

  test('handoffs: activeFor and byPhoneCode find only a queued or connected session', async () => {
    await backend.handoffs.create(handoff('old', '2026-04-01T08:00:00.000Z', { conversationId: 'conv-1', phoneCode: '424242', state: 'closed', endedAt: '2026-04-01T08:30:00.000Z' }));
    expect(await backend.handoffs.activeFor('directline', 'conv-1')).toBeUndefined();
    expect(await backend.handoffs.byPhoneCode('424242')).toBeUndefined();
    await backend.handoffs.create(handoff('new', '2026-04-01T09:00:00.000Z', { conversationId: 'conv-1', phoneCode: '424242' }));
    expect((await backend.handoffs.activeFor('directline', 'conv-1'))?.id).toBe('new');
    expect(await backend.handoffs.activeFor('facebook', 'conv-1')).toBeUndefined();
    expect((await backend.handoffs.byPhoneCode('424242'))?.id).toBe('new');
    await backend.handoffs.transition('new', ['queued'], { state: 'connected', operator: 'giulia.rossi', connectedAt: '2026-04-01T09:01:00.000Z' });
    expect((await backend.handoffs.activeFor('directline', 'conv-1'))?.state).toBe('connected');
    expect((await backend.handoffs.byPhoneCode('424242'))?.state).toBe('connected');
    await backend.handoffs.transition('new', ['connected'], { state: 'abandoned', outcome: 'left', endedAt: '2026-04-01T09:05:00.000Z' });
    expect(await backend.handoffs.activeFor('directline', 'conv-1')).toBeUndefined();
    expect(await backend.handoffs.byPhoneCode('424242')).toBeUndefined();
  });

  test('handoffs: of 20 operators claiming a queued session at once, exactly one wins and holds it', async () => {
    await backend.handoffs.create(handoff('h1', '2026-04-01T09:00:00.000Z'));
    const connectedAt = '2026-04-01T09:01:00.000Z';
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) => backend.handoffs.transition('h1', ['queued'], { state: 'connected', operator: `op${i}`, connectedAt })),
    );
    const winners = results.filter((r) => r !== undefined);
    expect(winners).toHaveLength(1);
    expect(winners[0]).toMatchObject({ state: 'connected', connectedAt });
    const stored = await backend.handoffs.get('h1');
    expect(stored?.operator).toBe(winners[0]?.operator);
    expect(stored).toEqual(winners[0]);
  });

  test('handoffs: moving a held session to 10 operators at once, from the holder it had, exactly one wins', async () => {
    await backend.handoffs.create(handoff('h1', '2026-04-01T09:00:00.000Z'));
    await backend.handoffs.transition('h1', ['queued'], { state: 'connected', operator: 'giulia', connectedAt: '2026-04-01T09:01:00.000Z' });
    expect(await backend.handoffs.transition('h1', ['connected'], { operator: 'marco' }, 'somebody-else')).toBeUndefined();
    const results = await Promise.all(Array.from({ length: 10 }, (_, i) => backend.handoffs.transition('h1', ['connected'], { operator: `op${i}` }, 'giulia')));
    const winners = results.filter((r) => r !== undefined);
    expect(winners).toHaveLength(1);
    expect((await backend.handoffs.get('h1'))?.operator).toBe(winners[0]?.operator);
  });

  test('handoffs: a transition applies only from the given states and returns the updated session', async () => {
    await backend.handoffs.create(handoff('h1', '2026-04-01T09:00:00.000Z'));
    const before = await backend.handoffs.get('h1');
    expect(await backend.handoffs.transition('h1', ['connected'], { state: 'closed', outcome: 'resolved', endedAt: '2026-04-01T09:10:00.000Z' })).toBeUndefined();
    expect(await backend.handoffs.transition('h1', [], { state: 'abandoned' })).toBeUndefined();
    expect(await backend.handoffs.transition('missing', ['queued'], { state: 'abandoned' })).toBeUndefined();
    expect(await backend.handoffs.get('h1')).toEqual(before);
    const ended = await backend.handoffs.transition('h1', ['queued', 'connected'], { state: 'abandoned', outcome: 'timeout', endedAt: '2026-04-01T11:10:00+02:00' });
    expect(ended).toEqual({ ...before, state: 'abandoned', outcome: 'timeout', endedAt: '2026-04-01T09:10:00.000Z' });
    expect(await backend.handoffs.get('h1')).toEqual(ended);
    expect(await backend.handoffs.transition('h1', ['abandoned'], {})).toEqual(ended);
  });

  test('handoffs: the system line of a change of hands keeps its kind', async () => {
    await backend.handoffs.create(handoff('h1', '2026-04-01T09:00:00.000Z'));
    const line = { at: '2026-04-01T09:03:00.000Z', from: 'system', text: 'Trasferita da giulia a marco. Nota: richiama', operator: 'giulia', handover: 'transfer' } as const;
    expect(await backend.handoffs.appendMessage('h1', line)).toBe(true);
    expect((await backend.handoffs.get('h1'))?.messages).toEqual([line]);
    await expect(backend.handoffs.appendMessage('h1', { ...line, handover: 'stolen' } as never)).rejects.toThrow(/handover/);
  });

  test('handoffs: 30 concurrent appends are all stored, in call order; an unknown session gives false', async () => {
    await backend.handoffs.create(handoff('h1', '2026-04-01T09:00:00.000Z'));
    const entries = Array.from({ length: 30 }, (_, i) => ({ at: '2026-04-01T09:01:00.000Z', from: i % 2 ? 'operator' : 'citizen', text: `m${i}`, ...(i % 2 ? { operator: 'giulia.rossi' } : {}) }) as const);
    expect(await Promise.all(entries.map((e) => backend.handoffs.appendMessage('h1', e)))).toEqual(entries.map(() => true));
    expect((await backend.handoffs.get('h1'))?.messages).toEqual(entries);
    expect(await backend.handoffs.appendMessage('missing', { at: '2026-04-01T09:01:00.000Z', from: 'citizen', text: 'x' })).toBe(false);
    expect(await backend.handoffs.get('missing')).toBeUndefined();
  });

  test('handoffs: recentlyHandled lists sessions an operator held and that ended, latest end first', async () => {
    const held = (id: string, endedAt: string): HandoffSession =>
      handoff(id, '2026-04-01T08:00:00.000Z', { state: 'closed', outcome: 'resolved', operator: 'giulia.rossi', connectedAt: '2026-04-01T08:05:00.000Z', endedAt });
    await backend.handoffs.create(held('h1', '2026-04-01T11:00:00.000Z'));
    await backend.handoffs.create(held('h2', '2026-04-01T12:00:00.000Z'));
    await backend.handoffs.create(held('h3', '2026-04-01T10:00:00.000Z'));
    await backend.handoffs.create(handoff('left', '2026-04-01T08:00:00.000Z', { state: 'abandoned', outcome: 'left', endedAt: '2026-04-01T13:00:00.000Z' }));
    await backend.handoffs.create(handoff('talking', '2026-04-01T08:00:00.000Z', { state: 'connected', operator: 'giulia.rossi', connectedAt: '2026-04-01T08:05:00.000Z' }));
    expect((await backend.handoffs.recentlyHandled(10)).map((s) => s.id)).toEqual(['h2', 'h1', 'h3']);
    expect((await backend.handoffs.recentlyHandled(2)).map((s) => s.id)).toEqual(['h2', 'h1']);
    expect(await backend.handoffs.recentlyHandled(0)).toEqual([]);
    expect((await backend.handoffs.recentlyHandled(1))[0]).toEqual(held('h2', '2026-04-01T12:00:00.000Z'));
    await expect(backend.handoffs.recentlyHandled(-1)).rejects.toThrow(/whole number/);
  });

  test('retention: sessions that ended before the cutoff go with their messages; active ones and later ones stay', async () => {
    const ended = (id: string, endedAt: string) => handoff(id, '2026-01-01T08:00:00.000Z', { state: 'closed', outcome: 'resolved', operator: 'giulia.rossi', connectedAt: '2026-01-01T08:05:00.000Z', endedAt });
    await backend.handoffs.create(ended('old', '2026-01-01T09:00:00.000Z'));
    await backend.handoffs.appendMessage('old', { at: '2026-01-01T08:06:00.000Z', from: 'citizen', text: 'un messaggio vecchio' });
    await backend.handoffs.create(ended('recent', '2026-06-01T09:00:00.000Z'));
    await backend.handoffs.create(handoff('waiting', '2025-12-01T08:00:00.000Z', { phoneCode: '654321' }));
    expect(await backend.handoffs.purgeEndedBefore(new Date('2026-03-01T00:00:00.000Z'))).toBe(1);
    expect(await backend.handoffs.get('old')).toBeUndefined();
    expect((await backend.handoffs.get('recent'))?.id).toBe('recent');
    expect((await backend.handoffs.active()).map((s) => s.id)).toEqual(['waiting']);
  });

  test('retention: tickets closed before the cutoff go; open tickets stay however old', async () => {
    await backend.tickets.create(ticket('DLG-2025-000001', '2025-01-10T10:00:00.000Z'));
    await backend.tickets.create(ticket('DLG-2025-000002', '2025-01-11T10:00:00.000Z'));
    await backend.tickets.create(ticket('DLG-2025-000003', '2025-01-12T10:00:00.000Z'));
    await backend.tickets.close('DLG-2025-000001', { by: 'giulia.rossi', at: '2025-02-01T10:00:00.000Z', staleBefore: '2025-02-01T10:00:00.000Z', outcome: 'no-reply-needed' });
    await backend.tickets.close('DLG-2025-000003', { by: 'giulia.rossi', at: '2025-09-01T10:00:00.000Z', staleBefore: '2025-09-01T10:00:00.000Z', outcome: 'no-reply-needed' });
    expect(await backend.tickets.purgeClosedBefore(new Date('2025-06-01T00:00:00.000Z'))).toBe(1);
    expect((await backend.tickets.list()).map((t) => t.reference)).toEqual(['DLG-2025-000002', 'DLG-2025-000003']);
  });

  test('handoffs: a session and its messages survive closing and reopening the store', async () => {
    await backend.handoffs.create(handoff('h1', '2026-04-01T09:00:00.000Z'));
    await backend.handoffs.transition('h1', ['queued'], { state: 'connected', operator: 'giulia.rossi', connectedAt: '2026-04-01T09:01:00.000Z' });
    await backend.handoffs.appendMessage('h1', { at: '2026-04-01T09:01:05.000Z', from: 'operator', text: 'Buongiorno', operator: 'giulia.rossi' });
    const before = await backend.handoffs.get('h1');
    await backend.close();
    backend = await reopen();
    expect(await backend.handoffs.get('h1')).toEqual(before);
    expect(await backend.handoffs.active()).toEqual([before]);
    expect(await backend.handoffs.appendMessage('h1', { at: '2026-04-01T09:02:00.000Z', from: 'citizen', text: 'Salve' })).toBe(true);
    expect((await backend.handoffs.get('h1'))?.messages.map((m) => m.text)).toEqual(['Buongiorno', 'Salve']);
  });

  test('rollups: increments add up per key; range lists the keys of the days asked, inclusive, in key order', async () => {
    const key = (day: string, topicId: string | null = 'tari', channel = 'webchat') => ({ day, channel, language: 'it', topicId });
    await backend.rollups.apply({
      increments: [
        { key: key('2026-04-02'), counters: { turns: 2, questions: 1 } },
        { key: key('2026-04-01', null), counters: { conversations: 1, waitSecSum: 12.5 } },
        { key: key('2026-04-02'), counters: { turns: 1, zero: 0 } },
        { key: key('2026-04-05', 'tari', 'facebook'), counters: { turns: 1 } },
      ],
      gaps: [],
    });
    await backend.rollups.apply({ increments: [{ key: key('2026-04-01', null), counters: { conversations: 2, wait_le_30: 1 } }], gaps: [] });
    expect(await backend.rollups.range('2026-04-01', '2026-04-02')).toEqual([
      { key: key('2026-04-01', null), counters: { conversations: 3, waitSecSum: 12.5, wait_le_30: 1 } },
      { key: key('2026-04-02'), counters: { turns: 3, questions: 1 } },
    ]);
    expect(await backend.rollups.range('2026-04-03', '2026-04-05')).toEqual([{ key: key('2026-04-05', 'tari', 'facebook'), counters: { turns: 1 } }]);
    expect(await backend.rollups.range('2026-05-01', '2026-05-31')).toEqual([]);
  });

  test('rollups: 20 concurrent batches on the same key lose no increment', async () => {
    const key = { day: '2026-04-01', channel: 'webchat', language: 'it', topicId: null };
    await Promise.all(Array.from({ length: 20 }, () => backend.rollups.apply({ increments: [{ key, counters: { turns: 1, questions: 2 } }], gaps: [{ day: '2026-04-01', language: 'it', key: 'bici', example: 'bici' }] })));
    expect(await backend.rollups.range('2026-04-01', '2026-04-01')).toEqual([{ key, counters: { turns: 20, questions: 40 } }]);
    expect(await backend.rollups.gaps('2026-04-01', '2026-04-01')).toEqual([{ language: 'it', key: 'bici', count: 20, examples: ['bici'] }]);
  });

  test('rollups: a batch with a bad counter, day or value is refused and changes nothing', async () => {
    const key = { day: '2026-04-01', channel: 'webchat', language: 'it', topicId: null };
    const gaps = [{ day: '2026-04-01', language: 'it', key: 'bici', example: 'bici' }];
    await expect(backend.rollups.apply({ increments: [{ key, counters: { turns: 1 } }, { key, counters: { 'counters.$x': 1 } }], gaps })).rejects.toThrow(/\(increments\[1\]\): counter name "counters\.\$x"/);
    await expect(backend.rollups.apply({ increments: [{ key: { ...key, day: '1/4/2026' }, counters: { turns: 1 } }], gaps })).rejects.toThrow(/\(increments\[0\]\): day must be YYYY-MM-DD/);
    await expect(backend.rollups.apply({ increments: [{ key, counters: { turns: Number.NaN } }], gaps })).rejects.toThrow(/"turns" must be a finite number/);
    await expect(backend.rollups.apply({ increments: [], gaps: [{ ...gaps[0]!, key: '' }] })).rejects.toThrow(/\(gaps\[0\]\): language and key must not be empty/);
    expect(await backend.rollups.range('2026-01-01', '2026-12-31')).toEqual([]);
    expect(await backend.rollups.gaps('2026-01-01', '2026-12-31')).toEqual([]);
  });

  test('rollups: knowledge gaps count per day and sum over days, with up to 5 distinct examples, most frequent first', async () => {
    const gap = (day: string, key: string, example: string, language = 'it') => ({ day, language, key, example });
    await backend.rollups.apply({
      increments: [],
      gaps: [gap('2026-04-01', 'bici rubata', 'bici rubata'), gap('2026-04-01', 'bici rubata', 'bici rubata'), gap('2026-04-01', 'bici rubata', 'la bici rubata?'), gap('2026-04-01', 'piscina', 'piscina', 'en')],
    });
    await backend.rollups.apply({
      increments: [],
      gaps: ['e3', 'e4', 'e5', 'e6'].map((e) => gap('2026-04-02', 'bici rubata', e)).concat([gap('2026-04-03', 'orari', 'orari')]),
    });
    await backend.rollups.apply({ increments: [], gaps: [gap('2026-04-01', 'bici rubata', 'e7')] });
    expect(await backend.rollups.gaps('2026-04-01', '2026-04-02')).toEqual([
      { language: 'it', key: 'bici rubata', count: 8, examples: ['bici rubata', 'la bici rubata?', 'e7', 'e3', 'e4'] },
      { language: 'en', key: 'piscina', count: 1, examples: ['piscina'] },
    ]);
    expect(await backend.rollups.gaps('2026-04-02', '2026-04-03')).toEqual([
      { language: 'it', key: 'bici rubata', count: 4, examples: ['e3', 'e4', 'e5', 'e6'] },
      { language: 'it', key: 'orari', count: 1, examples: ['orari'] },
    ]);
  });

  test('rollups: the checkpoint is saved alone or with a batch, survives a restart, and clear removes everything', async () => {
    expect(await backend.rollups.loadCheckpoint()).toBeUndefined();
    await backend.rollups.saveCheckpoint({ version: 1, sessions: [{ conversationId: 'a', 'odd.key': '$x' }] });
    expect(await backend.rollups.loadCheckpoint()).toEqual({ version: 1, sessions: [{ conversationId: 'a', 'odd.key': '$x' }] });
    const key = { day: '2026-04-01', channel: 'webchat', language: 'it', topicId: 'tari' };
    await backend.rollups.apply({ increments: [{ key, counters: { turns: 1 } }], gaps: [{ day: '2026-04-01', language: 'it', key: 'x', example: 'x' }], checkpoint: { version: 1, sessions: [] } });
    await backend.close();
    backend = await reopen();
    expect(await backend.rollups.loadCheckpoint()).toEqual({ version: 1, sessions: [] });
    expect(await backend.rollups.range('2026-04-01', '2026-04-01')).toEqual([{ key, counters: { turns: 1 } }]);
    await backend.rollups.clear();
    expect(await backend.rollups.range('2026-01-01', '2026-12-31')).toEqual([]);
    expect(await backend.rollups.gaps('2026-01-01', '2026-12-31')).toEqual([]);
    expect(await backend.rollups.loadCheckpoint()).toBeUndefined();
  });

  test('rollups: clearFrom deletes the days from one day on, gaps and checkpoint included, and keeps the older days', async () => {
    const key = (day: string) => ({ day, channel: 'webchat', language: 'it', topicId: 'tari' });
    const gap = (day: string) => ({ day, language: 'it', key: 'bici', example: `bici ${day}` });
    await backend.rollups.apply({
      increments: ['2026-03-31', '2026-04-01', '2026-04-02'].map((d) => ({ key: key(d), counters: { turns: 1 } })),
      gaps: ['2026-03-31', '2026-04-01', '2026-04-02'].map(gap),
      checkpoint: { version: 1, sessions: [] },
    });
    await backend.rollups.clearFrom('2026-04-01');
    expect(await backend.rollups.range('2026-01-01', '2026-12-31')).toEqual([{ key: key('2026-03-31'), counters: { turns: 1 } }]);
    expect(await backend.rollups.gaps('2026-01-01', '2026-12-31')).toEqual([{ language: 'it', key: 'bici', count: 1, examples: ['bici 2026-03-31'] }]);
    expect(await backend.rollups.loadCheckpoint()).toBeUndefined();
    await expect(backend.rollups.clearFrom('2026-4-1')).rejects.toThrow(/YYYY-MM-DD/);
    expect(await backend.rollups.range('2026-01-01', '2026-12-31')).toHaveLength(1);
  });

  test('ping answers while the store is up', async () => {
    await expect(backend.ping()).resolves.toBeUndefined();
  });
});
