import { CitizenPresence } from '../../src/handoff/citizen-presence';
import { HandoffService, type CitizenGateway, type CitizenNotice, type LifecycleEvent } from '../../src/handoff/handoff-service';
import { parseOfficeHours } from '../../src/handoff/office-hours';
import { createLogger } from '../../src/logger';
import type { HandoffSession, StorageBackend } from '../../src/storage/ports';
import { adapters, type OpenedAdapter } from '../storage/adapters';

const MINUTE = 60_000;
const giulia = { name: 'giulia', displayName: 'Giulia B.', role: 'operator' as const, maxConcurrent: 3 };

class RecordingGateway implements CitizenGateway {
  readonly notices: { conversationId: string; notice: CitizenNotice }[] = [];
  async notify(session: HandoffSession, notice: CitizenNotice): Promise<void> {
    this.notices.push({ conversationId: session.conversationId, notice });
  }
  to(conversationId: string): CitizenNotice[] {
    return this.notices.filter((n) => n.conversationId === conversationId).map((n) => n.notice);
  }
}

describe.each(adapters)('HandoffService: citizens who leave, end a chat or go silent (%s store, fake clock)', (_name, open) => {
  let opened: OpenedAdapter;
  let backend: StorageBackend;
  let gateway: RecordingGateway;
  let clock: Date;
  let presence: CitizenPresence;
  let handoff: HandoffService;
  let lifecycle: LifecycleEvent[];
  const later = (ms: number) => {
    clock = new Date(clock.getTime() + ms);
  };
  const request = (conversationId: string, channel = 'directline') => ({
    channel,
    conversationId,
    reference: { conversation: { id: conversationId }, user: { id: `user-${conversationId}` } },
    language: 'it' as const,
    topicId: 'tari-pagamento',
    description: 'rimborso TARI',
    transcript: [],
  });

  beforeEach(async () => {
    opened = await open();
    backend = opened.backend;
    gateway = new RecordingGateway();
    clock = new Date('2026-11-30T09:00:00.000Z');
    presence = new CitizenPresence({ timeoutMs: 2 * MINUTE, now: () => clock.getTime() });
    handoff = new HandoffService({
      store: backend.handoffs,
      tickets: backend.tickets,
      hours: parseOfficeHours('always'),
      capacity: 20,
      queueTimeoutMs: 10 * MINUTE,
      logger: createLogger('silent'),
      now: () => clock,
      citizens: { presence, idleCloseMs: 15 * MINUTE },
    });
    handoff.setGateway(gateway);
    lifecycle = [];
    handoff.on('lifecycle', (event: LifecycleEvent) => lifecycle.push(event));
  });
  afterEach(async () => {
    await backend.close();
    await opened.cleanup();
  });

  test('a queued Direct Line citizen gone for twice the presence timeout is abandoned (away); the citizen behind moves up', async () => {
    presence.streamOpened('gone');
    const gone = (await handoff.enqueue(request('gone'))).session;
    later(1000);
    presence.streamOpened('here');
    await handoff.enqueue(request('here'));
    presence.streamClosed('gone');
    later(2 * MINUTE);
    await handoff.sweep();
    expect(handoff.presenceOf(gone)).toEqual({ citizenPresence: 'away', awaySince: new Date(clock.getTime() - 2 * MINUTE).toISOString() });
    expect((await handoff.queue()).map((e) => e.session.conversationId)).toEqual(['gone', 'here']);

    later(2 * MINUTE);
    await handoff.sweep();
    expect(await backend.handoffs.get(gone.id)).toMatchObject({ state: 'abandoned', outcome: 'away' });
    expect((await handoff.queue()).map((e) => [e.session.conversationId, e.position])).toEqual([['here', 1]]);
    expect(gateway.to('here').at(-1)).toMatchObject({ kind: 'position', position: 1 });
    expect(lifecycle.map((e) => `${e.session.conversationId}:${e.state}:${e.session.outcome ?? ''}`)).toContain('gone:abandoned:away');
    expect(lifecycle.find((e) => e.state === 'abandoned')?.waitSec).toBe(241);
    // Told why, in case they come back to the chat.
    expect(gateway.to('gone')).toEqual([{ kind: 'closed', outcome: 'away' }]);
  });

  test('a Messenger citizen is asked whether they still wait after the queue timeout, and abandoned without an answer (no-answer)', async () => {
    const waiting = (await handoff.enqueue(request('m1', 'facebook'))).session;
    later(10 * MINUTE);
    await handoff.sweep();
    expect(gateway.to('m1').map((n) => n.kind)).toEqual(['still-waiting']);
    later(2 * MINUTE);
    await handoff.sweep();
    expect(await backend.handoffs.get(waiting.id)).toMatchObject({ state: 'abandoned', outcome: 'no-answer' });
    expect(gateway.to('m1')).toEqual([{ kind: 'still-waiting' }, { kind: 'closed', outcome: 'no-answer' }]);
  });

  test('a Messenger citizen who writes after the question stays in the queue', async () => {
    const waiting = (await handoff.enqueue(request('m1', 'facebook'))).session;
    later(10 * MINUTE);
    await handoff.sweep();
    later(MINUTE);
    expect(handoff.citizenSeen(waiting)).toBe(true);
    later(5 * MINUTE);
    await handoff.sweep();
    expect((await backend.handoffs.get(waiting.id))?.state).toBe('queued');
  });

  test('the citizen ends a connected chat: closed as citizen-ended, handled, the console told; the gate tells the citizen', async () => {
    const { session } = await handoff.enqueue(request('c1'));
    await handoff.claim(session.id, giulia);
    const pushed: HandoffSession[] = [];
    handoff.on('session', (s: HandoffSession) => pushed.push(s));
    later(3 * MINUTE);
    const ended = await handoff.endConnected((await handoff.activeFor('directline', 'c1'))!, 'citizen-ended');
    expect(ended).toMatchObject({ state: 'closed', outcome: 'citizen-ended' });
    expect(pushed.map((s) => s.outcome)).toEqual(['citizen-ended']);
    expect(lifecycle.at(-1)).toMatchObject({ state: 'closed', handleSec: 180 });
    expect(gateway.to('c1').map((n) => n.kind)).toEqual(['connected']);
    expect(await handoff.activeFor('directline', 'c1')).toBeUndefined();
    // Ending twice (a double tap) changes nothing.
    expect(await handoff.endConnected(session, 'citizen-ended')).toBeUndefined();
  });

  test('a connected chat silent on both sides for the idle time is closed (idle), the citizen told; the handling time ends at the last message', async () => {
    const { session } = await handoff.enqueue(request('c1'));
    presence.streamOpened('c1');
    await handoff.claim(session.id, giulia);
    later(MINUTE);
    await handoff.operatorMessage(session.id, giulia, 'Buongiorno, mi dica.');
    later(15 * MINUTE - 1);
    await handoff.sweep();
    expect((await backend.handoffs.get(session.id))?.state).toBe('connected');
    later(1);
    await handoff.sweep();
    expect(await backend.handoffs.get(session.id)).toMatchObject({ state: 'closed', outcome: 'idle' });
    expect(gateway.to('c1').at(-1)).toEqual({ kind: 'closed', outcome: 'idle' });
    expect(lifecycle.at(-1)).toMatchObject({ state: 'closed', handleSec: 60 });
  });

  test('without the citizen rules (no presence configured) nobody is abandoned for silence', async () => {
    const plain = new HandoffService({ store: backend.handoffs, tickets: backend.tickets, hours: parseOfficeHours('always'), capacity: 20, queueTimeoutMs: 10 * MINUTE, logger: createLogger('silent'), now: () => clock });
    const { session } = await plain.enqueue(request('c1'));
    later(60 * MINUTE);
    await plain.sweep();
    expect((await backend.handoffs.get(session.id))?.state).toBe('queued');
    expect(plain.presenceOf(session)).toEqual({ citizenPresence: null, awaySince: null });
  });
});
