import { rmSync } from 'node:fs';
import { InProcessCoordinator, InProcessHub } from '../../src/cluster/in-process-coordinator';
import { HandoffService, type CitizenGateway, type CitizenNotice } from '../../src/handoff/handoff-service';
import { parseOfficeHours } from '../../src/handoff/office-hours';
import { createLogger } from '../../src/logger';
import type { HandoffSession, StorageBackend } from '../../src/storage/ports';
import { openSqliteBackend } from '../../src/storage/sqlite/sqlite-backend';
import { tempDataDir } from '../fixtures/runtime';

const logger = createLogger('silent');
const giulia = { name: 'giulia', displayName: 'Giulia B.', role: 'operator' as const, maxConcurrent: 2 };

class RecordingGateway implements CitizenGateway {
  readonly notices: { instance: string; conversationId: string; notice: CitizenNotice }[] = [];
  constructor(private readonly instance: string) {}
  async notify(session: HandoffSession, notice: CitizenNotice): Promise<void> {
    this.notices.push({ instance: this.instance, conversationId: session.conversationId, notice });
  }
}

/** Two instances of the handoff core on one store, as two Dialogo processes in cluster mode see it. */
describe('HandoffService in cluster mode (two instances, one store)', () => {
  let dir: string;
  let backend: StorageBackend;
  let clock: Date;
  let hub: InProcessHub;
  const gateways = { a: new RecordingGateway('a'), b: new RecordingGateway('b') };
  const instance = (name: 'a' | 'b', cluster = true) => {
    const handoff = new HandoffService({
      store: backend.handoffs,
      tickets: backend.tickets,
      hours: parseOfficeHours('always'),
      capacity: 20,
      queueTimeoutMs: 600_000,
      logger,
      now: () => clock,
      offerWhenNoOperator: false,
      ...(cluster ? { cluster: { coordinator: new InProcessCoordinator(hub) } } : {}),
    });
    handoff.setGateway(gateways[name]);
    return handoff;
  };
  const request = (conversationId: string) => {
    clock = new Date(clock.getTime() + 1000);
    return {
      channel: 'directline',
      conversationId,
      reference: { conversation: { id: conversationId }, user: { id: `user-${conversationId}` } },
      language: 'it' as const,
      topicId: 'tari-pagamento',
      description: 'rimborso TARI',
      transcript: [],
    };
  };

  beforeEach(async () => {
    dir = tempDataDir();
    backend = await openSqliteBackend(dir);
    hub = new InProcessHub();
    clock = new Date('2026-11-30T09:00:00.000Z');
    gateways.a.notices.length = 0;
    gateways.b.notices.length = 0;
  });
  afterEach(async () => {
    await backend.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('a session queued, claimed and closed on A is seen as such by B at once (not from B\'s memory)', async () => {
    const [a, b] = [instance('a'), instance('b')];
    await Promise.all([a.start(), b.start()]);
    const { session } = await a.enqueue(request('c1'));
    expect((await b.activeFor('directline', 'c1'))?.state).toBe('queued');
    // B does not queue the citizen twice when their next turn lands there.
    expect((await b.enqueue(request('c1'))).session.id).toBe(session.id);
    await a.claim(session.id, giulia);
    expect((await b.activeFor('directline', 'c1'))?.operator).toBe('giulia');
    await a.close(session.id, giulia, 'resolved');
    expect(await b.activeFor('directline', 'c1')).toBeUndefined();
    // One instance alone keeps the index in its memory: the same steps leave B believing the citizen queued.
    const [soloA, soloB] = [instance('a', false), instance('b', false)];
    await Promise.all([soloA.start(), soloB.start()]);
    const solo = await soloA.enqueue(request('c2'));
    await soloB.start();
    await soloA.claim(solo.session.id, giulia);
    await soloA.close(solo.session.id, giulia, 'resolved');
    expect((await soloB.activeFor('directline', 'c2'))?.state).toBe('queued');
  });

  test('only the elected instance tells queued citizens their new position, whichever instance claimed', async () => {
    const [a, b] = [instance('a'), instance('b')];
    await Promise.all([a.start(), b.start()]);
    const first = await a.enqueue(request('c1'));
    await b.enqueue(request('c2'));
    await b.setLeading(true);
    await a.setLeading(false);
    await a.claim(first.session.id, giulia);
    // A (not elected) told c1 it is connected, and nobody else yet.
    expect(gateways.a.notices.map((n) => [n.conversationId, n.notice.kind])).toEqual([['c1', 'connected']]);
    await b.announcePositions();
    await a.announcePositions();
    expect(gateways.b.notices.map((n) => [n.conversationId, n.notice])).toEqual([['c2', { kind: 'position', position: 1, etaSeconds: null }]]);
    // Told once: a second announcement with nothing changed says nothing.
    await b.announcePositions();
    expect(gateways.b.notices).toHaveLength(1);
  });

  test('a citizen queued on A after B was elected hears their position once (in A\'s answer), not again from B', async () => {
    const [a, b] = [instance('a'), instance('b')];
    await Promise.all([a.start(), b.start()]);
    await b.setLeading(true);
    await a.setLeading(false);
    const first = await a.enqueue(request('c1'));
    const second = await a.enqueue(request('c2'));
    expect(second.position).toBe(2);
    // The queue changed on A; the relay wakes B, which must not repeat what A's answer said.
    await b.announcePositions();
    expect(gateways.b.notices).toEqual([]);
    // A real change is told: c1 is claimed, c2 moves up.
    await a.claim(first.session.id, giulia);
    await b.announcePositions();
    expect(gateways.b.notices.map((n) => [n.conversationId, n.notice])).toEqual([['c2', { kind: 'position', position: 1, etaSeconds: null }]]);
  });

  test('a citizen who left the queue for a written request on A, then wrote it on B, is counted once', async () => {
    const [a, b] = [instance('a'), instance('b')];
    await Promise.all([a.start(), b.start()]);
    const steps: string[] = [];
    for (const handoff of [a, b]) handoff.on('lifecycle', (event: { state: string }) => steps.push(event.state));
    const { session } = await a.enqueue(request('c1'));
    await a.leave(session, 'ticket');
    await b.createTicket({ channel: 'directline', conversationId: 'c1', language: 'it', topicId: 'tari-pagamento', contactEmail: 'a@example.org', description: 'rimborso' });
    expect(steps).toEqual(['queued', 'ticket']);
  });
});
