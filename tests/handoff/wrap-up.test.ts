import { rmSync } from 'node:fs';
import { HandoffError, HandoffService } from '../../src/handoff/handoff-service';
import { parseOfficeHours } from '../../src/handoff/office-hours';
import { WrapUpRecorder } from '../../src/handoff/wrap-up';
import { createLogger } from '../../src/logger';
import type { HandoffStore, StorageBackend } from '../../src/storage/ports';
import { openSqliteBackend } from '../../src/storage/sqlite/sqlite-backend';
import { tempDataDir } from '../fixtures/runtime';

const giulia = { name: 'giulia', displayName: 'Giulia B.', role: 'operator' as const, maxConcurrent: 2 };
const sara = { name: 'sara', role: 'supervisor' as const, maxConcurrent: 2 };

describe('closing with a wrap-up', () => {
  let dir: string;
  let backend: StorageBackend;
  beforeEach(() => {
    dir = tempDataDir();
    backend = openSqliteBackend(dir);
  });
  afterEach(async () => {
    await backend.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const service = (store: HandoffStore = backend.handoffs) =>
    new HandoffService({
      store,
      tickets: backend.tickets,
      hours: parseOfficeHours('always'),
      capacity: 20,
      queueTimeoutMs: 600_000,
      logger: createLogger('silent'),
      wrapUp: new WrapUpRecorder({ notes: backend.handoffNotes, callbacks: backend.callbacks }),
    });
  const held = async (handoff: HandoffService) => {
    const { session } = await handoff.enqueue({ channel: 'directline', conversationId: 'c1', reference: { user: { id: 'u1' } }, language: 'it', topicId: null, description: 'rimborso TARI', transcript: [] });
    await handoff.claim(session.id, giulia);
    return session.id;
  };

  test('the note and the callback are stored with the close', async () => {
    const handoff = service();
    const id = await held(handoff);
    await handoff.close(id, giulia, 'callback', { note: ' dopo le 15 ', callbackNumber: '333 123 4567' });
    expect(await backend.callbacks.get(id)).toMatchObject({ phoneNumber: '+393331234567', note: 'dopo le 15', description: 'rimborso TARI', status: 'pending', operator: 'giulia' });
    expect((await backend.handoffNotes.forSession(id)).map((n) => [n.kind, n.text])).toEqual([['wrap-up', 'dopo le 15']]);
  });

  test('a callback without a valid number closes nothing', async () => {
    const handoff = service();
    const id = await held(handoff);
    await expect(handoff.close(id, giulia, 'callback', { callbackNumber: '123' })).rejects.toThrow(/number/);
    expect((await backend.handoffs.get(id))?.state).toBe('connected');
    expect(await backend.callbacks.list()).toEqual([]);
  });

  test('a close that loses the race takes its wrap-up back; a second callback close is refused as already closed', async () => {
    // The first close's transition finds the session already closed by a colleague.
    let raced = false;
    const racing: HandoffStore = {
      ...backend.handoffs,
      transition: async (id, from, change) => {
        if (!raced && change.state === 'closed') {
          raced = true;
          await backend.handoffs.transition(id, ['connected'], { state: 'closed', endedAt: new Date().toISOString(), outcome: 'resolved' });
        }
        return backend.handoffs.transition(id, from, change);
      },
    };
    const handoff = service(racing);
    const id = await held(handoff);
    await expect(handoff.close(id, giulia, 'callback', { note: 'nota', callbackNumber: '02 1234 5678' })).rejects.toBeInstanceOf(HandoffError);
    expect(await backend.callbacks.list()).toEqual([]);
    expect(await backend.handoffNotes.forSession(id)).toEqual([]);

    const second = service();
    const { session } = await second.enqueue({ channel: 'directline', conversationId: 'c2', reference: { user: { id: 'u2' } }, language: 'it', topicId: null, description: 'x', transcript: [] });
    await second.claim(session.id, giulia);
    // A colleague's callback close of the same conversation got there first.
    await backend.callbacks.create({ id: session.id, createdAt: new Date().toISOString(), operator: 'sara', channel: 'directline', language: 'it', topicId: null, description: '', phoneNumber: '+390212345678', note: '', status: 'pending' });
    await expect(second.close(session.id, sara, 'callback', { note: 'mia', callbackNumber: '02 1234 5678' })).rejects.toMatchObject({ code: 'NOT_CONNECTED' });
    expect(await backend.handoffNotes.forSession(session.id)).toEqual([]);
  });
});
