import { sealBackend, type SealedBackend } from '../../src/privacy/encrypted-storage';
import { createRecordCipher, SealedRecordError } from '../../src/privacy/encryption';
import type { HandoffSession, StorageBackend, TicketRecord } from '../../src/storage/ports';
import { adapters } from '../storage/adapters';

const KEY = 'chiave-di-prova-lunga-almeno-32-caratteri!';
// What citizens type: each must be absent from the raw store once sealed.
const CF = 'RSSMRA85T10A562S';
const IBAN = 'IT60X0542811101000000123456';
const PHONE = '333 1234567';
const EMAIL = 'mario.rossi@example.it';
const USER_ID = 'dl_c1t1zen-user-id';
const SECRETS = [CF, IBAN, PHONE, EMAIL, USER_ID];
const said = `Il mio codice fiscale è ${CF}, IBAN ${IBAN}, telefono ${PHONE}, email ${EMAIL}`;

function ticket(extra: Partial<TicketRecord> = {}): TicketRecord {
  return {
    reference: 'DLG-2026-000001', createdAt: '2026-03-31T16:00:00.000Z', conversationId: 'conv-1', channel: 'directline', language: 'it',
    topicId: null, contactEmail: EMAIL, description: said, state: 'open', ...extra,
  };
}

function session(extra: Partial<HandoffSession> = {}): HandoffSession {
  return {
    id: 'h1', channel: 'directline', conversationId: 'conv-1', language: 'it', topicId: 'tari',
    reference: { user: { id: USER_ID, name: 'Mario' }, conversation: { id: 'conv-1' }, channelId: 'directline', serviceUrl: 'http://localhost' },
    description: said, phoneCode: '123456', state: 'queued', queuedAt: '2026-04-01T09:00:00.000Z',
    transcript: [{ at: '2026-04-01T08:59:00.000Z', from: 'citizen', text: said }, { at: '2026-04-01T08:59:01.000Z', from: 'bot', text: 'La TARI...', topicId: 'tari' }],
    messages: [{ at: '2026-04-01T09:01:00.000Z', from: 'citizen', text: said }],
    ...extra,
  };
}

const directLineItem = {
  conversation: { id: 'conv-1', userId: USER_ID, locale: 'it-IT', createdAt: 1, lastActiveAt: 2 },
  activities: [{ seq: 1, activity: { type: 'message', from: { id: USER_ID }, text: said } }],
  next: 2,
};

describe.each(adapters)('citizens\' words sealed at rest: %s', (_name, open) => {
  let plain: StorageBackend;
  let backend: SealedBackend;
  let raw: () => Promise<string>;
  let reopen: () => Promise<StorageBackend>;
  let cleanup: () => Promise<void>;
  const unreadable: SealedRecordError[] = [];
  const cipher = createRecordCipher(KEY);
  beforeEach(async () => {
    ({ backend: plain, raw, reopen, cleanup } = await open());
    unreadable.length = 0;
    backend = sealBackend(plain, cipher, (error) => unreadable.push(error));
  });
  afterEach(async () => {
    await backend.close();
    await cleanup();
  });

  test('state, tickets and handoff sessions hold none of the personal data in clear, and read back whole', async () => {
    await backend.state.write({ 'directline/conversation/conv-1': directLineItem, 'directline/conversations/conv-1/': { DialogState: { email: EMAIL } } });
    await backend.tickets.create(ticket());
    await backend.handoffs.create(session());
    await backend.handoffs.appendMessage('h1', { at: '2026-04-01T09:02:00.000Z', from: 'citizen', text: `anche ${PHONE}` });
    await backend.close();

    const everything = await raw();
    expect(everything).toContain('DLG-2026-000001');
    for (const secret of SECRETS) expect(everything).not.toContain(secret);

    backend = sealBackend(await reopen(), cipher, (error) => unreadable.push(error));
    expect((await backend.state.read(['directline/conversation/conv-1']))['directline/conversation/conv-1']).toMatchObject(directLineItem);
    expect(await backend.tickets.get('DLG-2026-000001')).toEqual(ticket());
    expect(await backend.tickets.list('open')).toEqual([ticket()]);
    expect(await backend.tickets.forConversation('conv-1')).toEqual([ticket()]);
    const expected = { ...session(), messages: [...session().messages, { at: '2026-04-01T09:02:00.000Z', from: 'citizen', text: `anche ${PHONE}` }] };
    expect(await backend.handoffs.get('h1')).toEqual(expected);
    expect(await backend.handoffs.active()).toEqual([expected]);
    expect(await backend.handoffs.activeFor('directline', 'conv-1')).toEqual(expected);
    expect(await backend.handoffs.byPhoneCode('123456')).toEqual(expected);
    expect(await backend.handoffs.forConversation('directline', 'conv-1')).toEqual([expected]);
    const closed = await backend.handoffs.transition('h1', ['queued'], { state: 'closed', endedAt: '2026-04-01T09:05:00.000Z', connectedAt: '2026-04-01T09:03:00.000Z', operator: 'giulia' });
    expect(closed).toMatchObject({ description: said, state: 'closed' });
    expect(await backend.handoffs.recentlyHandled(1)).toEqual([closed]);
    expect(unreadable).toEqual([]);
  });

  test('state keeps its eTag rules under the seal', async () => {
    await backend.state.write({ k: { n: 0 } });
    const first = (await backend.state.read(['k'])).k!;
    const second = (await backend.state.read(['k'])).k!;
    await backend.state.write({ k: { ...first, n: 1 } });
    await expect(backend.state.write({ k: { ...second, n: 2 } })).rejects.toThrow(/eTag conflict/);
    expect((await backend.state.read(['k'])).k).toMatchObject({ n: 1, eTag: expect.any(String) });
  });

  test('records stored in clear before the upgrade are still read, and sealed when written again', async () => {
    await plain.state.write({ 'directline/conversation/conv-1': directLineItem });
    await plain.tickets.create(ticket());
    await plain.handoffs.create(session());
    expect(await backend.tickets.get('DLG-2026-000001')).toEqual(ticket());
    expect(await backend.handoffs.get('h1')).toEqual(session());
    await backend.handoffs.appendMessage('h1', { at: '2026-04-01T09:02:00.000Z', from: 'operator', text: 'Buongiorno', operator: 'giulia' });
    expect((await backend.handoffs.get('h1'))?.messages.map((m) => m.text)).toEqual([said, 'Buongiorno']);
    const item = (await backend.state.read(['directline/conversation/conv-1']))['directline/conversation/conv-1']!;
    expect(item).toMatchObject(directLineItem);
    await backend.state.write({ 'directline/conversation/conv-1': item });
    const stored = (await plain.state.read(['directline/conversation/conv-1']))['directline/conversation/conv-1'];
    expect(Object.keys(stored ?? {}).sort()).toEqual(['dialogo:sealed', 'eTag']);
    expect(JSON.stringify(stored)).not.toContain(CF);
  });

  test('a legacy pass seals the state items and tickets stored in clear, once, and they read back the same', async () => {
    await plain.state.write({ 'directline/conversation/conv-1': directLineItem, 'webchat/conversations/c1/': { DialogState: { email: EMAIL } } });
    await backend.state.write({ 'directline/conversation/conv-2': { next: 1 } });
    await plain.tickets.create(ticket());
    await plain.tickets.create(ticket({ reference: 'DLG-2026-000002', contactEmail: 'x@example.org', description: 'altro' }));
    await backend.tickets.create(ticket({ reference: 'DLG-2026-000003', contactEmail: 'y@example.org' }));
    expect(await raw()).toContain(CF);

    expect(await backend.sealLegacyRecords()).toEqual({ stateItems: 2, tickets: 2 });
    expect(await backend.sealLegacyRecords()).toEqual({ stateItems: 0, tickets: 0 });
    await backend.close();
    const everything = await raw();
    for (const secret of [CF, IBAN, EMAIL, USER_ID]) expect(everything).not.toContain(secret);
    backend = sealBackend(await reopen(), cipher, (error) => unreadable.push(error));
    expect((await backend.state.read(['directline/conversation/conv-1']))['directline/conversation/conv-1']).toMatchObject(directLineItem);
    expect((await backend.state.read(['webchat/conversations/c1/']))['webchat/conversations/c1/']).toMatchObject({ DialogState: { email: EMAIL } });
    expect((await backend.tickets.list()).map((t) => [t.contactEmail, t.description])).toEqual([[EMAIL, said], ['x@example.org', 'altro'], ['y@example.org', said]]);
    expect(unreadable).toEqual([]);
  });

  test('a state item that does not open (another key) is reported and read as missing; a sealed record under a wrong key fails loudly', async () => {
    const other = sealBackend(plain, createRecordCipher('unaltra-chiave-di-prova-lunga-32-caratteri'), () => undefined);
    await other.state.write({ 'webchat/conversations/c1/': { n: 1 } });
    await other.tickets.create(ticket());
    expect(await backend.state.read(['webchat/conversations/c1/'])).toEqual({});
    expect(unreadable.map((e) => e.reason)).toEqual(['unknown-key']);
    await backend.state.write({ 'webchat/conversations/c1/': { n: 2 } });
    expect((await backend.state.read(['webchat/conversations/c1/']))['webchat/conversations/c1/']).toMatchObject({ n: 2 });
    await expect(backend.tickets.get('DLG-2026-000001')).rejects.toThrow(/DATA_ENCRYPTION_KEY/);
  });

  test('a bad record is refused naming its field before anything is sealed or stored', async () => {
    await expect(backend.tickets.create({ ...ticket(), contactEmail: undefined } as unknown as TicketRecord)).rejects.toThrow(/contactEmail/);
    await expect(backend.handoffs.create({ ...session(), description: 42 } as unknown as HandoffSession)).rejects.toThrow(/description/);
    await backend.handoffs.create(session());
    await expect(backend.handoffs.appendMessage('h1', { at: 'now', from: 'citizen', text: null } as unknown as HandoffSession['messages'][number])).rejects.toThrow(/at: must be an ISO 8601/);
    expect(await backend.tickets.list()).toEqual([]);
    expect((await backend.handoffs.get('h1'))?.messages).toHaveLength(1);
  });

  test('a sealed value copied into another record does not open there', async () => {
    await backend.tickets.create(ticket());
    await plain.tickets.create({ ...((await plain.tickets.get('DLG-2026-000001')) as TicketRecord), reference: 'DLG-2026-000002' });
    await expect(backend.tickets.get('DLG-2026-000002')).rejects.toThrow(/sealed for another record/);
  });
});
