import { rmSync } from 'node:fs';
import { HandoffService, type CitizenGateway, type CitizenNotice } from '../../src/handoff/handoff-service';
import { parseOfficeHours } from '../../src/handoff/office-hours';
import { createLogger } from '../../src/logger';
import type { HandoffSession, StorageBackend } from '../../src/storage/ports';
import { openSqliteBackend } from '../../src/storage/sqlite/sqlite-backend';
import { tempDataDir } from '../fixtures/runtime';

const logger = createLogger('silent');
const giulia = { name: 'giulia', displayName: 'Giulia B.', role: 'operator' as const, maxConcurrent: 2 };
/** An account from before display names. */
const marco = { name: 'marco', role: 'operator' as const, maxConcurrent: 2 };

class RecordingGateway implements CitizenGateway {
  readonly notices: { conversationId: string; notice: CitizenNotice; author: string }[] = [];
  failWith: Error | undefined;
  async notify(session: HandoffSession, notice: CitizenNotice, author: 'bot' | 'operator'): Promise<void> {
    if (this.failWith) throw this.failWith;
    this.notices.push({ conversationId: session.conversationId, notice, author });
  }
  to(conversationId: string): CitizenNotice[] {
    return this.notices.filter((n) => n.conversationId === conversationId).map((n) => n.notice);
  }
}

describe('HandoffService on the SQLite store', () => {
  let dir: string;
  let backend: StorageBackend;
  let gateway: RecordingGateway;
  let clock: Date;
  const service = (options: { capacity?: number; hours?: string; timeoutMs?: number } = {}) => {
    const handoff = new HandoffService({
      store: backend.handoffs,
      tickets: backend.tickets,
      hours: parseOfficeHours(options.hours ?? 'always'),
      capacity: options.capacity ?? 20,
      queueTimeoutMs: options.timeoutMs ?? 600_000,
      logger,
      now: () => clock,
    });
    handoff.setGateway(gateway);
    return handoff;
  };
  /** A citizen's request, one second after the previous one (the queue is ordered by time). */
  const request = (conversationId: string, description = 'rimborso TARI pagata due volte') => (later(1), {
    channel: 'directline',
    conversationId,
    reference: { conversation: { id: conversationId }, user: { id: `user-${conversationId}` } },
    language: 'it' as const,
    topicId: 'tari-pagamento',
    description,
    transcript: [{ at: '2026-11-30T09:00:00.000Z', from: 'citizen' as const, text: 'ho pagato la TARI due volte' }],
  });
  function later(seconds: number): void {
    clock = new Date(clock.getTime() + seconds * 1000);
  }

  beforeEach(async () => {
    dir = tempDataDir();
    backend = await openSqliteBackend(dir);
    gateway = new RecordingGateway();
    clock = new Date('2026-11-30T09:00:00.000Z'); // a Monday, 10:00 in Milan
  });
  afterEach(async () => {
    await backend.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('citizens queue first come first served, with positions and estimates from the available operators and the default handling time', async () => {
    const handoff = service();
    const first = await handoff.enqueue(request('c1'));
    // Nobody available: no estimate rather than "under a minute".
    expect(first).toMatchObject({ position: 1, etaSeconds: null });
    handoff.operatorOnline({ name: 'anna', role: 'operator', maxConcurrent: 1 }, true);
    later(5);
    const second = await handoff.enqueue(request('c2'));
    // One conversation to end first on 1 slot: 240 s × ln 5, the wait 4 citizens in 5 keep (src/handoff/estimate.ts).
    expect(second).toMatchObject({ position: 2, etaSeconds: 386 });
    expect((await handoff.queue()).map((e) => e.etaSeconds)).toEqual([0, 386]);
    expect(second.session).toMatchObject({ state: 'queued', channel: 'directline', topicId: 'tari-pagamento' });
    expect(second.session.phoneCode).toMatch(/^\d{6}$/);
    expect((await handoff.queue()).map((e) => e.session.conversationId)).toEqual(['c1', 'c2']);
  });

  test('asking again while queued returns the same session', async () => {
    const handoff = service();
    const first = await handoff.enqueue(request('c1'));
    const again = await handoff.enqueue(request('c1'));
    expect(again.session.id).toBe(first.session.id);
    expect(await handoff.queue()).toHaveLength(1);
  });

  test('the description is redacted before it is stored', async () => {
    const handoff = service();
    const { session } = await handoff.enqueue(request('c1', 'il mio codice fiscale è RSSMRA85T10A562S'));
    expect(session.description).not.toContain('RSSMRA85T10A562S');
  });

  test('two operators claiming at once: exactly one wins, the other is told who has it', async () => {
    const handoff = service();
    const { session } = await handoff.enqueue(request('c1'));
    const results = await Promise.allSettled([handoff.claim(session.id, giulia), handoff.claim(session.id, marco)]);
    const won = results.filter((r) => r.status === 'fulfilled');
    const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(1);
    expect(lost[0]!.reason).toMatchObject({ code: 'ALREADY_CLAIMED' });
    const stored = await handoff.get(session.id);
    expect(stored).toMatchObject({ state: 'connected', operator: (won[0] as PromiseFulfilledResult<HandoffSession>).value.operator });
    // The citizen is told the display name (null for an account without one), never the login.
    expect(gateway.to('c1')).toEqual([{ kind: 'connected', operator: stored!.operator === 'giulia' ? 'Giulia B.' : null }]);
  });

  test('the queue moves: the citizen behind hears the new position', async () => {
    const handoff = service();
    handoff.operatorOnline(giulia, true);
    const { session } = await handoff.enqueue(request('c1'));
    await handoff.enqueue(request('c2'));
    await handoff.claim(session.id, giulia);
    // Giulia holds 1 of 2: a slot is free for the citizen now first.
    expect(gateway.to('c2')).toEqual([{ kind: 'position', position: 1, etaSeconds: 0 }]);
  });

  test('an operator at the limit cannot claim more', async () => {
    const handoff = service();
    for (const id of ['c1', 'c2', 'c3']) await handoff.enqueue(request(id));
    const queue = await handoff.queue();
    await handoff.claim(queue[0]!.session.id, giulia);
    await handoff.claim(queue[1]!.session.id, giulia);
    await expect(handoff.claim(queue[2]!.session.id, giulia)).rejects.toMatchObject({ code: 'OPERATOR_AT_CAPACITY' });
  });

  test('live chat both ways, then close with an outcome: the handling time feeds the next estimates', async () => {
    const handoff = service();
    handoff.operatorOnline(giulia, true);
    const { session } = await handoff.enqueue(request('c1'));
    await handoff.enqueue(request('c2'));
    await handoff.claim(session.id, giulia);
    const pushed: unknown[] = [];
    handoff.on('message', (m) => pushed.push(m));
    await handoff.citizenMessage(session, 'il mio IBAN è IT60X0542811101000000123456');
    await handoff.operatorMessage(session.id, giulia, 'Verifico subito.');
    await expect(handoff.operatorMessage(session.id, marco, 'Posso aiutare?')).rejects.toMatchObject({ code: 'NOT_YOUR_CONVERSATION' });
    later(120);
    const closed = await handoff.close(session.id, giulia, 'resolved');
    expect(closed).toMatchObject({ state: 'closed', outcome: 'resolved' });
    const stored = await handoff.get(session.id);
    expect(stored!.messages.map((m) => [m.from, m.text])).toEqual([
      ['citizen', expect.not.stringContaining('IT60X0542811101000000123456')],
      ['operator', 'Verifico subito.'],
    ]);
    expect(pushed[0]).toMatchObject({ entry: { from: 'citizen', text: 'il mio IBAN è IT60X0542811101000000123456' } });
    expect(gateway.to('c1').map((n) => n.kind)).toEqual(['connected', 'operator-message', 'closed']);
    expect(gateway.to('c1')[1]).toEqual({ kind: 'operator-message', operator: 'Giulia B.', text: 'Verifico subito.' });
    await handoff.enqueue(request('c3'));
    await handoff.enqueue(request('c4'));
    // Giulia's 2 slots serve the first two; the third waits for one of them: 120 s / 2 × ln 5.
    expect((await handoff.queue()).map((e) => e.etaSeconds)).toEqual([0, 0, 97]);
  });

  test('a long message of the citizen reaches the operator whole, live and stored', async () => {
    const handoff = service();
    const { session } = await handoff.enqueue(request('c1'));
    await handoff.claim(session.id, giulia);
    const pushed: { entry: { text: string } }[] = [];
    handoff.on('message', (m) => pushed.push(m));
    // A citizen explaining their case at length, as the widget allows (Direct Line takes up to 10,000 characters).
    const long = `${'Ho pagato la TARI due volte, prima con il bollettino e poi con F24. '.repeat(70)}Fine.`;
    expect(long.length).toBeGreaterThan(4000);
    await handoff.citizenMessage(session, long);
    expect(pushed[0]!.entry.text).toBe(long);
    expect((await handoff.get(session.id))!.messages.map((m) => m.text)).toEqual([long]);
  });

  test('an operator message the channel refuses (Messenger window) is reported with the reason and not stored', async () => {
    const handoff = service();
    const { session } = await handoff.enqueue(request('c1'));
    await handoff.claim(session.id, giulia);
    gateway.failWith = Object.assign(new Error('Il cittadino ha scritto l’ultima volta 8 giorni fa'), { code: 'WINDOW_CLOSED_7D' });
    await expect(handoff.operatorMessage(session.id, giulia, 'Salve')).rejects.toMatchObject({ code: 'MESSAGING_WINDOW_CLOSED', message: expect.stringMatching(/8 giorni/) });
    expect((await handoff.get(session.id))!.messages).toEqual([]);
  });

  test('leaving the queue is recorded as an abandonment with the wait', async () => {
    const handoff = service();
    const lifecycle: { state: string; waitSec?: number }[] = [];
    handoff.on('lifecycle', (e) => lifecycle.push({ state: e.state, waitSec: e.waitSec }));
    const { session } = await handoff.enqueue(request('c1'));
    later(90);
    expect(await handoff.leave(session, 'left')).toMatchObject({ state: 'abandoned', outcome: 'left' });
    expect(lifecycle).toEqual([{ state: 'queued', waitSec: undefined }, { state: 'abandoned', waitSec: 90 }]);
    expect(await handoff.activeFor('directline', 'c1')).toBeUndefined();
  });

  test('after the timeout a waiting citizen is offered the written request, once', async () => {
    const handoff = service({ timeoutMs: 60_000 });
    await handoff.enqueue(request('c1'));
    await handoff.sweep();
    expect(gateway.to('c1')).toEqual([]);
    later(61);
    await handoff.sweep();
    await handoff.sweep();
    expect(gateway.to('c1')).toEqual([{ kind: 'wait-too-long' }]);
  });

  test('outside office hours, with nobody available and over capacity the queue is not available', async () => {
    clock = new Date('2026-11-29T10:00:00.000Z'); // a Sunday
    expect(await service({ hours: 'default' }).availability()).toMatchObject({ open: false, reason: 'closed', nextOpening: new Date('2026-11-30T07:00:00.000Z') });
    clock = new Date('2026-12-07T10:00:00.000Z'); // Sant'Ambrogio, a Monday
    expect(await service({ hours: 'default' }).availability()).toMatchObject({ open: false, reason: 'closed' });
    clock = new Date('2026-11-30T10:00:00.000Z');
    const handoff = service({ hours: 'default', capacity: 1 });
    expect(await handoff.availability()).toMatchObject({ open: false, reason: 'no-operator' });
    handoff.operatorOnline(giulia, true);
    expect(await handoff.availability()).toEqual({ open: true });
    await handoff.enqueue(request('c1'));
    expect(await handoff.availability()).toMatchObject({ open: false, reason: 'full' });
  });

  test('a written request gets the next reference of the year and takes the citizen out of the queue', async () => {
    const handoff = service();
    await handoff.enqueue(request('c1'));
    const ticket = await handoff.createTicket({ channel: 'directline', conversationId: 'c1', language: 'it', topicId: 'tari-pagamento', contactEmail: 'anna@example.org', description: 'rimborso TARI' });
    expect(ticket.reference).toBe('DLG-2026-000001');
    expect((await handoff.createTicket({ channel: 'facebook', conversationId: 'c9', language: 'en', topicId: null, contactEmail: 'bob@example.org', description: 'x' })).reference).toBe('DLG-2026-000002');
    expect(await handoff.activeFor('directline', 'c1')).toBeUndefined();
    expect((await handoff.listTickets()).map((t) => t.reference)).toEqual(['DLG-2026-000001', 'DLG-2026-000002']);
  });

  test('every written request is one ticket step for the analytics: outside the queue, from the queue, or after leaving it for one', async () => {
    const handoff = service();
    const steps: string[] = [];
    handoff.on('lifecycle', (e) => steps.push(`${e.session.conversationId}:${e.state}`));
    const ticket = (conversationId: string) => handoff.createTicket({ channel: 'directline', conversationId, userId: `user-${conversationId}`, language: 'it', topicId: null, contactEmail: 'a@example.org', description: 'x' });
    await ticket('outside-hours');
    await handoff.enqueue(request('queued'));
    await ticket('queued');
    const { session } = await handoff.enqueue(request('diverted'));
    await handoff.leave(session, 'ticket');
    await ticket('diverted');
    expect(steps).toEqual(['outside-hours:ticket', 'queued:queued', 'queued:ticket', 'diverted:queued', 'diverted:ticket']);
  });

  test('the chat-to-phone code finds the active session', async () => {
    const handoff = service();
    const { session } = await handoff.enqueue(request('c1'));
    expect((await handoff.byPhoneCode(session.phoneCode))?.id).toBe(session.id);
    expect(await handoff.byPhoneCode('12ab')).toBeUndefined();
  });

  test('restart: a new service on the reopened store has the same queue, positions and sessions', async () => {
    const handoff = service();
    const { session } = await handoff.enqueue(request('c1'));
    await handoff.enqueue(request('c2'));
    await handoff.claim(session.id, giulia);
    await backend.close();
    backend = await openSqliteBackend(dir);
    const restarted = service();
    await restarted.start();
    const queue = await restarted.queue();
    expect(queue.map((e) => [e.session.conversationId, e.session.state, e.position])).toEqual([
      ['c1', 'connected', null],
      ['c2', 'queued', 1],
    ]);
    await restarted.operatorMessage(session.id, giulia, 'Eccomi di nuovo.');
  });
});
