import { rmSync } from 'node:fs';
import { HandoffService, type CitizenGateway, type CitizenNotice, type HandoverEvent, type OperatorIdentity } from '../../src/handoff/handoff-service';
import { parseOfficeHours } from '../../src/handoff/office-hours';
import { createLogger } from '../../src/logger';
import type { HandoffSession, StorageBackend } from '../../src/storage/ports';
import { openSqliteBackend } from '../../src/storage/sqlite/sqlite-backend';
import { tempDataDir } from '../fixtures/runtime';

const giulia: OperatorIdentity = { name: 'giulia', displayName: 'Giulia B.', role: 'operator', maxConcurrent: 2 };
const marco: OperatorIdentity = { name: 'marco', displayName: 'Marco', role: 'operator', maxConcurrent: 1 };
const luca: OperatorIdentity = { name: 'luca', displayName: 'Luca', role: 'operator', maxConcurrent: 2 };
const sara: OperatorIdentity = { name: 'sara', displayName: 'Sara M.', role: 'supervisor', maxConcurrent: 1 };

class RecordingGateway implements CitizenGateway {
  readonly notices: { conversationId: string; notice: CitizenNotice }[] = [];
  async notify(session: HandoffSession, notice: CitizenNotice): Promise<void> {
    this.notices.push({ conversationId: session.conversationId, notice });
  }
  to(conversationId: string): CitizenNotice[] {
    return this.notices.filter((n) => n.conversationId === conversationId).map((n) => n.notice);
  }
}

describe('supervision: take over, reassign, transfer and close by a supervisor (SQLite store)', () => {
  let dir: string;
  let backend: StorageBackend;
  let gateway: RecordingGateway;
  let handoff: HandoffService;
  let handovers: HandoverEvent[];
  let clock: Date;
  let n = 0;

  const queued = async (conversationId = `c${(n += 1)}`): Promise<HandoffSession> => {
    clock = new Date(clock.getTime() + 1000);
    const entry = await handoff.enqueue({
      channel: 'directline',
      conversationId,
      reference: { conversation: { id: conversationId } },
      language: 'it',
      topicId: 'tari-pagamento',
      description: 'rimborso TARI',
      transcript: [],
    });
    return entry.session;
  };
  const heldBy = async (operator: OperatorIdentity): Promise<HandoffSession> => handoff.claim((await queued()).id, operator);

  beforeEach(async () => {
    dir = tempDataDir();
    backend = await openSqliteBackend(dir);
    gateway = new RecordingGateway();
    clock = new Date('2026-11-30T09:00:00.000Z');
    handoff = new HandoffService({ store: backend.handoffs, tickets: backend.tickets, hours: parseOfficeHours('always'), capacity: 20, queueTimeoutMs: 600_000, logger: createLogger('silent'), now: () => clock });
    handoff.setGateway(gateway);
    handovers = [];
    handoff.on('handover', (e: HandoverEvent) => handovers.push(e));
    for (const who of [giulia, marco, luca, sara]) handoff.operatorOnline(who, true);
  });
  afterEach(async () => {
    handoff.presence.stop();
    await backend.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('a supervisor takes over a held conversation: the citizen hears the new name, the chat gets a line, both holders are told', async () => {
    const session = await heldBy(giulia);
    const taken = await handoff.takeOver(session.id, sara);
    expect(taken).toMatchObject({ state: 'connected', operator: 'sara', connectedAt: session.connectedAt });
    expect(gateway.to(session.conversationId)).toEqual([
      { kind: 'connected', operator: 'Giulia B.' },
      { kind: 'operator-changed', operator: 'Sara M.' },
    ]);
    expect(handovers).toEqual([expect.objectContaining({ kind: 'takeover', from: 'giulia', to: 'sara', by: 'sara', note: null })]);
    const stored = await handoff.get(session.id);
    expect(stored!.messages).toEqual([expect.objectContaining({ from: 'system', handover: 'takeover', text: 'Presa in carico da sara (prima: giulia).' })]);
    // Giulia no longer holds it.
    await expect(handoff.operatorMessage(session.id, giulia, 'ci sono')).rejects.toMatchObject({ code: 'NOT_YOUR_CONVERSATION' });
  });

  test('a supervisor takes a queued conversation for themselves, over their own limit, and it counts as connected', async () => {
    await heldBy(sara);
    const steps: string[] = [];
    handoff.on('lifecycle', (e) => steps.push(e.state));
    const session = await queued();
    const taken = await handoff.takeOver(session.id, sara);
    expect(taken).toMatchObject({ state: 'connected', operator: 'sara' });
    expect(steps).toEqual(['queued', 'connected']);
    expect(gateway.to(session.conversationId)).toEqual([{ kind: 'connected', operator: 'Sara M.' }]);
  });

  test('reassign respects the colleague’s presence and limit unless forced; the same holder is refused', async () => {
    await heldBy(marco);
    const session = await heldBy(giulia);
    await expect(handoff.reassign(session.id, sara, marco)).rejects.toMatchObject({ code: 'COLLEAGUE_AT_CAPACITY' });
    handoff.presence.choose('luca', 'busy');
    await expect(handoff.reassign(session.id, sara, luca)).rejects.toMatchObject({ code: 'OPERATOR_UNAVAILABLE', message: expect.stringMatching(/occupato/) });
    handoff.operatorOnline(luca, false, true);
    await expect(handoff.reassign(session.id, sara, luca)).rejects.toMatchObject({ code: 'OPERATOR_UNAVAILABLE', message: expect.stringMatching(/assente/) });
    await expect(handoff.reassign(session.id, sara, giulia)).rejects.toMatchObject({ code: 'ALREADY_HOLDER' });
    expect((await handoff.get(session.id))!.operator).toBe('giulia');
    expect(await handoff.reassign(session.id, sara, marco, true)).toMatchObject({ operator: 'marco' });
    expect(await handoff.heldCount('marco')).toBe(2);
  });

  test('reassigning a queued conversation connects it to the colleague and moves the queue', async () => {
    const first = await queued();
    const second = await queued();
    const moved = await handoff.reassign(first.id, sara, luca);
    expect(moved).toMatchObject({ state: 'connected', operator: 'luca' });
    expect(gateway.to(first.conversationId)).toEqual([{ kind: 'connected', operator: 'Luca' }]);
    expect(gateway.to(second.conversationId)).toEqual([expect.objectContaining({ kind: 'position', position: 1 })]);
  });

  test('two reassignments of one conversation at once: exactly one wins, the other is told it changed hands', async () => {
    const session = await heldBy(giulia);
    const results = await Promise.allSettled([handoff.reassign(session.id, sara, marco), handoff.reassign(session.id, sara, luca)]);
    const won = results.filter((r): r is PromiseFulfilledResult<HandoffSession> => r.status === 'fulfilled');
    const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(won).toHaveLength(1);
    expect(lost[0]?.reason).toMatchObject({ code: 'HOLDER_CHANGED', message: `La conversazione è appena passata a ${won[0]!.value.operator}.` });
    expect((await handoff.get(session.id))!.operator).toBe(won[0]!.value.operator);
    expect(gateway.to(session.conversationId).filter((notice) => notice.kind === 'operator-changed')).toHaveLength(1);
    expect(handovers).toHaveLength(1);
  });

  test('transfer: the holder passes it to an available colleague with a note (redacted), shown as the chat line', async () => {
    const session = await heldBy(giulia);
    const moved = await handoff.transfer(session.id, giulia, luca, 'Chiede il rimborso, CF RSSMRA85T10A562S');
    expect(moved.operator).toBe('luca');
    const line = (await handoff.get(session.id))!.messages.at(-1)!;
    expect(line).toMatchObject({ from: 'system', handover: 'transfer', operator: 'giulia' });
    expect(line.text).toMatch(/^Trasferita da giulia a luca\. Nota: Chiede il rimborso, CF /);
    expect(line.text).not.toContain('RSSMRA85T10A562S');
    expect(handovers).toEqual([expect.objectContaining({ kind: 'transfer', from: 'giulia', to: 'luca', note: 'Chiede il rimborso, CF RSSMRA85T10A562S' })]);
    expect(gateway.to(session.conversationId).at(-1)).toEqual({ kind: 'operator-changed', operator: 'Luca' });
  });

  test('transfer is the holder’s: a colleague’s conversation, a busy or full colleague, or oneself are refused and nothing moves', async () => {
    const session = await heldBy(giulia);
    await expect(handoff.transfer(session.id, luca, marco, null)).rejects.toMatchObject({ code: 'NOT_YOUR_CONVERSATION' });
    await expect(handoff.transfer(session.id, giulia, giulia, null)).rejects.toMatchObject({ code: 'ALREADY_HOLDER' });
    await heldBy(marco);
    await expect(handoff.transfer(session.id, giulia, marco, null)).rejects.toMatchObject({ code: 'COLLEAGUE_AT_CAPACITY' });
    handoff.presence.choose('luca', 'busy');
    await expect(handoff.transfer(session.id, giulia, luca, null)).rejects.toMatchObject({ code: 'OPERATOR_UNAVAILABLE' });
    await expect(handoff.transfer('missing', giulia, luca, null)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect(await handoff.get(session.id)).toMatchObject({ operator: 'giulia', messages: [] });
    expect(handovers).toEqual([]);
  });

  test('a supervisor closes a colleague’s conversation with an outcome (the API allowed it before this change)', async () => {
    const session = await heldBy(giulia);
    expect(await handoff.close(session.id, sara, 'callback')).toMatchObject({ state: 'closed', outcome: 'callback', operator: 'giulia' });
    await expect(handoff.takeOver(session.id, sara)).rejects.toMatchObject({ code: 'NOT_CONNECTED' });
  });

  test('busy and away operators are no capacity: the estimate and the availability follow presence', async () => {
    for (const who of ['giulia', 'marco', 'luca']) handoff.presence.choose(who, 'busy');
    const session = await queued();
    expect((await handoff.entryOf(session)).etaSeconds).toBeNull();
    expect(await handoff.availability()).toMatchObject({ open: false, reason: 'no-operator' });
    handoff.presence.choose('marco', 'available');
    expect((await handoff.entryOf(session)).etaSeconds).toBe(0);
    expect(await handoff.availability()).toEqual({ open: true });
  });
});
