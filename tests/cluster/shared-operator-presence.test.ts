import { rmSync } from 'node:fs';
import { InProcessCoordinator, InProcessHub } from '../../src/cluster/in-process-coordinator';
import { OPERATOR_PRESENCE_CHANNEL, SharedOperatorPresence } from '../../src/cluster/shared-operator-presence';
import { HandoffService } from '../../src/handoff/handoff-service';
import { parseOfficeHours } from '../../src/handoff/office-hours';
import { createLogger } from '../../src/logger';
import type { StorageBackend } from '../../src/storage/ports';
import { openSqliteBackend } from '../../src/storage/sqlite/sqlite-backend';
import { tempDataDir } from '../fixtures/runtime';

const giulia = { name: 'giulia', role: 'operator' as const, maxConcurrent: 3 };
const sara = { name: 'sara', role: 'supervisor' as const, maxConcurrent: 2 };
const START = Date.parse('2026-12-01T09:00:00.000Z');
const HEARTBEAT_MS = 2_000;
const AWAY_MS = 60_000;

/** Lets the coordinator's messages (delivered on real setImmediate) and the reads they start finish. */
async function settle(): Promise<void> {
  for (let i = 0; i < 10; i += 1) await new Promise<void>((resolve) => setImmediate(resolve));
}

async function advance(ms: number): Promise<void> {
  await jest.advanceTimersByTimeAsync(ms);
  await settle();
}

interface Instance {
  readonly coordinator: InProcessCoordinator;
  readonly presence: SharedOperatorPresence;
}

describe('SharedOperatorPresence: several instances on one hub (fake clock)', () => {
  let hub: InProcessHub;
  let instances: Instance[];

  async function instance(): Promise<Instance> {
    const coordinator = new InProcessCoordinator(hub);
    const presence = new SharedOperatorPresence({ coordinator, awayAfterMs: AWAY_MS, heartbeatMs: HEARTBEAT_MS });
    await presence.start();
    const made = { coordinator, presence };
    instances.push(made);
    return made;
  }

  beforeEach(() => {
    jest.useFakeTimers({ now: START, doNotFake: ['setImmediate', 'nextTick', 'queueMicrotask'] });
    hub = new InProcessHub(() => Date.now());
    instances = [];
  });
  afterEach(async () => {
    for (const { presence, coordinator } of instances) {
      await presence.close();
      await coordinator.close();
    }
    jest.useRealTimers();
  });

  test('a console on A makes the operator available on B at once through the channel, and counted', async () => {
    const a = await instance();
    const b = await instance();
    const changes: string[] = [];
    b.presence.on('change', (name: string) => changes.push(`${name}:${b.presence.get(name).status}`));
    a.presence.connected(giulia);
    await settle();
    expect(b.presence.available().map((p) => p.name)).toEqual(['giulia']);
    expect(b.presence.get('giulia')).toMatchObject({ status: 'available', connections: 1, maxConcurrent: 3 });
    expect(b.presence.connectedNames()).toEqual(['giulia']);
    expect(changes).toEqual(['giulia:available']);
  });

  test('with the wake-up lost, B still sees the console on A within one heartbeat', async () => {
    const a = await instance();
    const b = await instance();
    // The wake-ups A sends are lost (a publish is at most once).
    jest.spyOn(a.coordinator, 'publish').mockResolvedValue(undefined);
    a.presence.connected(giulia);
    await settle();
    expect(b.presence.available()).toEqual([]);
    await advance(HEARTBEAT_MS);
    expect(b.presence.available().map((p) => p.name)).toEqual(['giulia']);
  });

  test('consoles on two instances are summed; closing one keeps the operator present', async () => {
    const a = await instance();
    const b = await instance();
    const c = await instance();
    a.presence.connected(giulia);
    b.presence.connected(giulia);
    await settle();
    expect(c.presence.get('giulia').connections).toBe(2);
    a.presence.disconnected('giulia');
    await advance(AWAY_MS * 2);
    expect(c.presence.get('giulia')).toMatchObject({ status: 'available', connections: 1 });
  });

  test('busy chosen over HTTP on B applies on A, which holds the console, and on C', async () => {
    const a = await instance();
    const b = await instance();
    const c = await instance();
    a.presence.connected(giulia);
    await settle();
    expect(b.presence.choose('giulia', 'busy')).toMatchObject({ status: 'busy' });
    await settle();
    expect(a.presence.get('giulia').status).toBe('busy');
    expect(c.presence.get('giulia').status).toBe('busy');
    expect(a.presence.available()).toEqual([]);
    // A later instance reads the stored choice.
    const d = await instance();
    expect(d.presence.get('giulia').status).toBe('busy');
  });

  test('the last console closing on A makes the operator away after the delay on every instance, not before', async () => {
    const a = await instance();
    const b = await instance();
    a.presence.connected(giulia);
    await settle();
    a.presence.disconnected('giulia');
    await settle();
    expect(b.presence.get('giulia')).toMatchObject({ status: 'available', connections: 0 });
    expect(b.presence.connectedNames()).toEqual([]);
    await advance(AWAY_MS - 1_000);
    expect(a.presence.get('giulia').status).toBe('available');
    expect(b.presence.get('giulia').status).toBe('available');
    await advance(1_000);
    expect(a.presence.get('giulia').status).toBe('away');
    expect(b.presence.get('giulia')).toMatchObject({ status: 'away', since: new Date(START + AWAY_MS).toISOString() });
    expect(b.presence.available()).toEqual([]);
  });

  test('a console reopened on B within the delay keeps the chosen status; after being away the role default applies again', async () => {
    const a = await instance();
    const b = await instance();
    a.presence.connected(giulia);
    a.presence.choose('giulia', 'busy');
    await settle();
    a.presence.disconnected('giulia');
    await advance(AWAY_MS / 2);
    b.presence.connected(giulia);
    await advance(AWAY_MS * 2);
    expect(a.presence.get('giulia').status).toBe('busy');
    b.presence.disconnected('giulia');
    await advance(AWAY_MS);
    expect(a.presence.get('giulia').status).toBe('away');
    a.presence.connected(giulia);
    await settle();
    expect(a.presence.get('giulia').status).toBe('available');
    expect(b.presence.get('giulia').status).toBe('available');
    b.presence.connected(sara);
    await settle();
    expect(a.presence.get('sara').status).toBe('busy');
  });

  test('signing out on A with no other console makes the operator away on B at once', async () => {
    const a = await instance();
    const b = await instance();
    a.presence.connected(giulia);
    await settle();
    expect(b.presence.get('giulia').status).toBe('available');
    a.presence.disconnected('giulia', true);
    await settle();
    expect(b.presence.get('giulia').status).toBe('away');
  });

  test('an instance that died counts for nothing: its consoles close when it leaves the members, away after the delay', async () => {
    const a = await instance();
    const b = await instance();
    a.presence.connected(giulia);
    await settle();
    expect(b.presence.get('giulia').connections).toBe(1);
    // Dies: no withdrawal, its heartbeat stops, its membership ends.
    a.presence.stop();
    await a.coordinator.close();
    await advance(HEARTBEAT_MS);
    expect(b.presence.get('giulia')).toMatchObject({ status: 'available', connections: 0 });
    expect(b.presence.connectedNames()).toEqual([]);
    await advance(AWAY_MS);
    expect(b.presence.get('giulia').status).toBe('away');
  });

  test('an instance that stopped publishing counts for nothing once its snapshot expired, though still a member', async () => {
    const a = await instance();
    const b = await instance();
    a.presence.connected(giulia);
    await settle();
    expect(b.presence.get('giulia').connections).toBe(1);
    a.presence.stop();
    await advance(3 * HEARTBEAT_MS + 1);
    expect(b.presence.get('giulia').connections).toBe(0);
    await advance(AWAY_MS);
    expect(b.presence.get('giulia').status).toBe('away');
  });

  test('while the coordinator is degraded, the consoles on other instances are kept as last read: nobody is made away by an outage', async () => {
    const a = await instance();
    const b = await instance();
    a.presence.connected(giulia);
    await settle();
    expect(b.presence.get('giulia').status).toBe('available');
    // As the Redis coordinator answers while degraded: this instance alone, no values.
    hub.setHealth('degraded', 'test: Redis down');
    jest.spyOn(b.coordinator, 'members').mockResolvedValue([b.coordinator.instanceId]);
    jest.spyOn(b.coordinator, 'getMany').mockImplementation(async (keys) => keys.map(() => undefined));
    await advance(3 * AWAY_MS);
    expect(b.presence.get('giulia')).toMatchObject({ status: 'available', connections: 1 });
    b.presence.connected(sara);
    expect(b.presence.get('sara').status).toBe('busy');
  });

  test('a malformed message on the channel changes nothing', async () => {
    const a = await instance();
    const b = await instance();
    a.presence.connected(giulia);
    await settle();
    for (const message of ['not json', '{"kind":"choice","name":"giulia","choice":{"status":"away","at":1,"role":"operator"}}', '{"kind":"choice","name":"giulia"}']) {
      await a.coordinator.publish(OPERATOR_PRESENCE_CHANNEL, message);
    }
    await settle();
    expect(b.presence.get('giulia').status).toBe('available');
  });
});

describe('HandoffService with the shared presence: the citizen asks on B, the console is on A', () => {
  let dir: string;
  let backend: StorageBackend;
  let hub: InProcessHub;
  const parts: { coordinator: InProcessCoordinator; presence: SharedOperatorPresence }[] = [];

  beforeEach(async () => {
    jest.useFakeTimers({ now: START, doNotFake: ['setImmediate', 'nextTick', 'queueMicrotask'] });
    dir = tempDataDir();
    backend = await openSqliteBackend(dir);
    hub = new InProcessHub(() => Date.now());
  });
  afterEach(async () => {
    for (const { presence, coordinator } of parts.splice(0)) {
      await presence.close();
      await coordinator.close();
    }
    await backend.close();
    rmSync(dir, { recursive: true, force: true });
    jest.useRealTimers();
  });

  async function handoffOn(): Promise<HandoffService> {
    const coordinator = new InProcessCoordinator(hub);
    const presence = new SharedOperatorPresence({ coordinator, awayAfterMs: AWAY_MS, heartbeatMs: HEARTBEAT_MS });
    await presence.start();
    parts.push({ coordinator, presence });
    return new HandoffService({
      store: backend.handoffs,
      tickets: backend.tickets,
      hours: parseOfficeHours('always'),
      capacity: 20,
      queueTimeoutMs: 600_000,
      logger: createLogger('silent'),
      now: () => new Date(Date.now()),
      operatorPresence: presence,
    });
  }

  test('B offers the queue while an operator is available on A, the written request once they are away everywhere', async () => {
    const a = await handoffOn();
    const b = await handoffOn();
    const pushes: string[] = [];
    b.on('operators', () => pushes.push('operators'));
    expect(await b.availability()).toMatchObject({ open: false, reason: 'no-operator' });
    a.operatorOnline(giulia, true);
    await settle();
    expect(await b.availability()).toEqual({ open: true });
    expect(b.onlineOperators()).toEqual(['giulia']);
    expect(pushes.length).toBeGreaterThan(0);
    a.operatorOnline(giulia, false, true);
    await settle();
    expect(await b.availability()).toMatchObject({ open: false, reason: 'no-operator' });
  });
});
