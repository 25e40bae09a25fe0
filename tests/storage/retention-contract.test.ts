import type { HandoffSession, StorageBackend, TicketRecord } from '../../src/storage/ports';
import { purgeOlderThan } from '../../src/storage/retention';
import { event } from '../fixtures/events';
import { adapters } from './adapters';

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function ticket(reference: string, conversationId: string, extra: Partial<TicketRecord> = {}): TicketRecord {
  return {
    reference, createdAt: '2026-03-31T16:00:00.000Z', conversationId, channel: 'directline', language: 'it', topicId: null,
    contactEmail: 'anna@example.org', description: 'Vorrei il rimborso della TARI', state: 'open', ...extra,
  };
}

function session(id: string, conversationId: string, extra: Partial<HandoffSession> = {}): HandoffSession {
  return {
    id, channel: 'directline', conversationId, language: 'it', topicId: null, reference: { user: { id: 'u1' } },
    description: 'TARI', phoneCode: '123456', state: 'queued', queuedAt: '2026-04-01T09:00:00.000Z', transcript: [], messages: [], ...extra,
  };
}

describe.each(adapters)('retention and access over every store: %s', (_name, open) => {
  let backend: StorageBackend;
  let cleanup: () => Promise<void>;
  let raw: () => Promise<string>;
  beforeEach(async () => {
    ({ backend, cleanup, raw } = await open());
  });
  afterEach(async () => {
    await backend.close();
    await cleanup();
  });

  test('state: items not written since the cutoff are purged; an item written again stays', async () => {
    await backend.state.write({ 'directline/conversation/old': { activities: ['ciao'] }, 'webchat/conversations/c1/': { n: 1 }, rewritten: { n: 1 } });
    await pause(20);
    const cutoff = new Date();
    await pause(20);
    await backend.state.write({ 'directline/conversation/new': { activities: [] }, rewritten: { n: 2 } });
    expect(await backend.stateRetention.count()).toBe(4);
    expect(await backend.stateRetention.purgeNotUpdatedSince(cutoff)).toBe(2);
    expect(Object.keys(await backend.state.read(['directline/conversation/old', 'webchat/conversations/c1/', 'directline/conversation/new', 'rewritten'])).sort()).toEqual([
      'directline/conversation/new',
      'rewritten',
    ]);
    expect(await backend.stateRetention.purgeNotUpdatedSince(cutoff)).toBe(0);
  });

  test('state: a purged item is gone from the raw store, not only from queries', async () => {
    const marker = 'parole-del-cittadino-da-cancellare';
    await backend.state.write({ 'directline/conversation/old': { activities: [marker] }, keep: { n: 1 } });
    await pause(20);
    await backend.stateRetention.purgeNotUpdatedSince(new Date());
    await backend.close();
    expect(await raw()).not.toContain(marker);
  });

  test('state: keys are listed by prefix, in key order, with characters that patterns would treat specially', async () => {
    await backend.state.write({ 'webchat/users/u.1/': { a: 1 }, 'webchat/users/u.1/x': { a: 2 }, 'webchat/users/uX1/': { a: 3 }, 'webchat/users/u%_(1/': { a: 4 }, 'facebook/users/u.1/': { a: 5 }, 'webchat/users/😀è/': { a: 6 } });
    expect(await backend.stateRetention.keysWithPrefix('webchat/users/😀')).toEqual(['webchat/users/😀è/']);
    expect(await backend.stateRetention.keysWithPrefix('')).toHaveLength(6);
    expect(await backend.stateRetention.keysWithPrefix('webchat/users/u.1/')).toEqual(['webchat/users/u.1/', 'webchat/users/u.1/x']);
    expect(await backend.stateRetention.keysWithPrefix('webchat/users/u%_(1/')).toEqual(['webchat/users/u%_(1/']);
    expect(await backend.stateRetention.keysWithPrefix('nothing/')).toEqual([]);
  });

  test('one pass purges old events, ended sessions, closed tickets, idle state, old notes and done callbacks, and keeps what is active or recent', async () => {
    await backend.events.append([event('a', '2020-01-01T00:00:00.000Z'), event('a', '2099-01-01T00:00:00.000Z')]);
    await backend.handoffs.create(session('ended', 'c1', { state: 'closed', endedAt: '2020-01-01T10:00:00.000Z' }));
    await backend.handoffs.create(session('waiting', 'c2', { queuedAt: '2020-01-01T09:00:00.000Z' }));
    await backend.tickets.create(ticket('DLG-2020-000001', 'c1', { createdAt: '2020-01-01T00:00:00.000Z' }));
    await backend.tickets.close('DLG-2020-000001', { by: 'giulia', at: '2020-01-02T00:00:00.000Z', staleBefore: '2020-01-02T00:00:00.000Z', outcome: 'no-reply-needed' });
    await backend.tickets.create(ticket('DLG-2020-000002', 'c1', { createdAt: '2020-01-01T00:00:00.000Z' }));
    await backend.state.write({ 'directline/conversation/c1': { activities: ['ciao'] } });
    await backend.handoffNotes.add({ id: 'n-old', sessionId: 'ended', at: '2020-01-01T09:30:00.000Z', operator: 'giulia', kind: 'internal', text: 'vecchia' });
    await backend.handoffNotes.add({ id: 'n-new', sessionId: 'waiting', at: '2099-01-01T09:30:00.000Z', operator: 'giulia', kind: 'internal', text: 'nuova' });
    const callback = { createdAt: '2020-01-01T10:00:00.000Z', operator: 'giulia', channel: 'directline', language: 'it', topicId: null, description: 'TARI', phoneNumber: '+390212345678', note: '', status: 'pending' } as const;
    await backend.callbacks.create({ ...callback, id: 'cb-done' });
    await backend.callbacks.markDone('cb-done', 'marco', '2020-01-02T10:00:00.000Z');
    await backend.callbacks.create({ ...callback, id: 'cb-pending' });
    await pause(20);
    const cutoff = new Date();
    await pause(20);
    await backend.state.write({ 'directline/conversation/c2': { activities: ['ciao'] } });

    expect(await purgeOlderThan(backend, cutoff)).toEqual({ events: 1, handoffSessions: 1, tickets: 1, stateItems: 1, handoffNotes: 1, callbacks: 1, directLineConversations: 0 });
    expect((await backend.callbacks.list()).map((c) => c.id)).toEqual(['cb-pending']);
    expect((await backend.handoffNotes.forSession('waiting')).map((n) => n.id)).toEqual(['n-new']);
    expect(await backend.events.count()).toBe(1);
    expect((await backend.handoffs.active()).map((s) => s.id)).toEqual(['waiting']);
    expect((await backend.tickets.list()).map((t) => t.reference)).toEqual(['DLG-2020-000002']);
    expect(Object.keys(await backend.state.read(['directline/conversation/c1', 'directline/conversation/c2']))).toEqual(['directline/conversation/c2']);
  });

  test('handoff sessions and tickets of one channel conversation are found whatever their state', async () => {
    await backend.handoffs.create(session('h2', 'c1', { queuedAt: '2026-04-02T09:00:00.000Z' }));
    await backend.handoffs.create(session('h1', 'c1', { state: 'closed', endedAt: '2026-04-01T10:00:00.000Z', phoneCode: '654321' }));
    await backend.handoffs.create(session('other-channel', 'c1', { channel: 'facebook', phoneCode: '111111' }));
    await backend.handoffs.create(session('other', 'c2', { phoneCode: '222222' }));
    expect((await backend.handoffs.forConversation('directline', 'c1')).map((s) => s.id)).toEqual(['h1', 'h2']);
    expect(await backend.handoffs.forConversation('directline', 'nobody')).toEqual([]);
    await backend.tickets.create(ticket('DLG-2026-000002', 'c1', { createdAt: '2026-04-02T00:00:00.000Z' }));
    await backend.tickets.create(ticket('DLG-2026-000001', 'c1'));
    await backend.tickets.create(ticket('DLG-2026-000003', 'c2'));
    expect((await backend.tickets.forConversation('c1')).map((t) => t.reference)).toEqual(['DLG-2026-000001', 'DLG-2026-000002']);
    expect(await backend.tickets.forConversation('nobody')).toEqual([]);
  });
});
