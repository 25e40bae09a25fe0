import { InProcessCoordinator, InProcessHub } from '../../src/cluster/in-process-coordinator';
import { SharedCitizenPresence } from '../../src/cluster/shared-citizen-presence';
import { CitizenWatch } from '../../src/handoff/citizen-presence';
import type { HandoffSession } from '../../src/storage/ports';

const START = Date.parse('2026-12-01T09:00:00.000Z');
const TIMEOUT_MS = 120_000;

async function settle(): Promise<void> {
  for (let i = 0; i < 10; i += 1) await new Promise<void>((resolve) => setImmediate(resolve));
}

async function advance(ms: number): Promise<void> {
  await jest.advanceTimersByTimeAsync(ms);
  await settle();
}

function queued(conversationId: string): HandoffSession {
  return {
    id: `session-${conversationId}`,
    channel: 'directline',
    conversationId,
    reference: {},
    language: 'it',
    topicId: null,
    description: 'rimborso TARI',
    phoneCode: '123456',
    state: 'queued',
    queuedAt: new Date(START).toISOString(),
    transcript: [],
    messages: [],
  };
}

describe('SharedCitizenPresence: a stream on one instance, the sweeper on another (fake clock)', () => {
  let hub: InProcessHub;
  let made: { coordinator: InProcessCoordinator; presence: SharedCitizenPresence }[];

  function instance(): { coordinator: InProcessCoordinator; presence: SharedCitizenPresence } {
    const coordinator = new InProcessCoordinator(hub);
    const presence = new SharedCitizenPresence({ coordinator, timeoutMs: TIMEOUT_MS });
    presence.start();
    const one = { coordinator, presence };
    made.push(one);
    return one;
  }

  /** The elected sweeper's review: refresh, then what the watch decides for one queued citizen. */
  async function sweep(watch: CitizenWatch, presence: SharedCitizenPresence, session: HandoffSession): Promise<string[]> {
    await presence.refresh([session.conversationId]);
    return watch.review([session], Date.now()).actions.map((a) => (a.kind === 'abandon' ? `abandon:${a.outcome}` : a.kind));
  }

  beforeEach(() => {
    jest.useFakeTimers({ now: START, doNotFake: ['setImmediate', 'nextTick', 'queueMicrotask'] });
    hub = new InProcessHub(() => Date.now());
    made = [];
  });
  afterEach(async () => {
    for (const { presence, coordinator } of made) {
      presence.stop();
      await coordinator.close();
    }
    jest.useRealTimers();
  });

  test('a stream open on A keeps the citizen present for the sweeper on C well past twice the timeout', async () => {
    const a = instance();
    instance();
    const c = instance();
    const watch = new CitizenWatch({ presence: c.presence, queueTimeoutMs: 600_000, idleCloseMs: 900_000 });
    const session = queued('conv1');
    a.presence.streamOpened('conv1');
    await settle();
    for (let elapsed = 0; elapsed < 5 * TIMEOUT_MS; elapsed += 10_000) {
      await advance(10_000);
      expect(await sweep(watch, c.presence, session)).toEqual([]);
      expect(c.presence.statusOf('conv1').present).toBe(true);
    }
    expect(watch.viewOf(session)).toEqual({ citizenPresence: 'present', awaySince: null });
  });

  test('a citizen whose stream closed on A and who polls nowhere is away on C after the timeout, abandoned after twice it, not before', async () => {
    const a = instance();
    const c = instance();
    const watch = new CitizenWatch({ presence: c.presence, queueTimeoutMs: 600_000, idleCloseMs: 900_000 });
    const session = queued('conv1');
    a.presence.streamOpened('conv1');
    await advance(3 * TIMEOUT_MS);
    a.presence.streamClosed('conv1');
    const closedAt = Date.now();
    await advance(TIMEOUT_MS - 1_000);
    expect(await sweep(watch, c.presence, session)).toEqual([]);
    expect(c.presence.statusOf('conv1').present).toBe(true);
    await advance(1_000);
    expect(await sweep(watch, c.presence, session)).toEqual([]);
    expect(c.presence.statusOf('conv1')).toEqual({ present: false, lastSeenAt: closedAt, silentMs: TIMEOUT_MS });
    expect(watch.viewOf(session)).toEqual({ citizenPresence: 'away', awaySince: new Date(closedAt).toISOString() });
    await advance(TIMEOUT_MS - 1_000);
    expect(await sweep(watch, c.presence, session)).toEqual([]);
    await advance(1_000);
    expect(await sweep(watch, c.presence, session)).toEqual(['abandon:away']);
  });

  test('polls on B keep the citizen present on C; writes are at most one per conversation per second', async () => {
    const b = instance();
    const c = instance();
    const puts = jest.spyOn(b.coordinator, 'put');
    await advance(3 * TIMEOUT_MS);
    for (let i = 0; i < 10; i += 1) b.presence.seen('conv1');
    expect(puts).toHaveBeenCalledTimes(1);
    await advance(1_000);
    b.presence.seen('conv1');
    expect(puts).toHaveBeenCalledTimes(2);
    await c.presence.refresh(['conv1']);
    expect(c.presence.statusOf('conv1')).toMatchObject({ present: true, lastSeenAt: Date.now() });
  });

  test('while the coordinator is degraded nobody becomes away, and the lastSeen is said to be unknown; when it returns everyone gets the full timeout', async () => {
    const a = instance();
    const c = instance();
    const watch = new CitizenWatch({ presence: c.presence, queueTimeoutMs: 600_000, idleCloseMs: 900_000 });
    const session = queued('conv1');
    a.presence.streamOpened('conv1');
    await advance(TIMEOUT_MS);
    hub.setHealth('degraded', 'test: Redis down');
    a.presence.streamClosed('conv1');
    await advance(5 * TIMEOUT_MS);
    expect(c.presence.statusOf('conv1')).toEqual({ present: true, lastSeenAt: null, silentMs: 0 });
    expect(await sweep(watch, c.presence, session)).toEqual([]);
    hub.setHealth('ok');
    const back = Date.now();
    await advance(2 * TIMEOUT_MS - 1_000);
    expect(await sweep(watch, c.presence, session)).toEqual([]);
    await advance(1_000);
    expect(await sweep(watch, c.presence, session)).toEqual(['abandon:away']);
    expect(c.presence.statusOf('conv1').lastSeenAt).toBe(back);
  });

  test('a read that fails leaves citizens not seen here present (unknown) until a read succeeds', async () => {
    const a = instance();
    const c = instance();
    a.presence.streamOpened('conv1');
    a.presence.streamClosed('conv1');
    await advance(3 * TIMEOUT_MS);
    const getMany = jest.spyOn(c.coordinator, 'getMany').mockRejectedValueOnce(new Error('connection reset'));
    await c.presence.refresh(['conv1']);
    expect(c.presence.statusOf('conv1')).toEqual({ present: true, lastSeenAt: null, silentMs: 0 });
    getMany.mockRestore();
    await c.presence.refresh(['conv1']);
    expect(c.presence.statusOf('conv1').present).toBe(false);
  });

  test('every instance forgets the conversations nobody asked about for twice the timeout, not those with a stream open', async () => {
    const b = instance();
    const c = instance();
    for (let i = 0; i < 100; i += 1) b.presence.seen(`conv${i}`);
    b.presence.streamOpened('streaming');
    for (let i = 0; i < 100; i += 1) c.presence.statusOf(`conv${i}`);
    await settle();
    expect(b.presence.size).toBeGreaterThanOrEqual(100);
    expect(c.presence.size).toBeGreaterThanOrEqual(100);
    await advance(3 * TIMEOUT_MS);
    expect(c.presence.size).toBe(0);
    expect(b.presence.size).toBeLessThanOrEqual(2);
    expect(b.presence.statusOf('streaming')).toMatchObject({ present: true, silentMs: 0 });
  });
});
