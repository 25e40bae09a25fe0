import { OperatorPresence } from '../../src/handoff/operator-presence';

const giulia = { name: 'giulia', role: 'operator' as const, maxConcurrent: 3 };
const sara = { name: 'sara', role: 'supervisor' as const, maxConcurrent: 2 };
const START = Date.parse('2026-11-30T09:00:00.000Z');

describe('OperatorPresence (fake clock)', () => {
  let presence: OperatorPresence;
  let changes: string[];
  beforeEach(() => {
    jest.useFakeTimers({ now: START });
    presence = new OperatorPresence({ awayAfterMs: 60_000, now: () => Date.now() });
    changes = [];
    presence.on('change', (name: string) => changes.push(`${name}:${presence.get(name).status}`));
  });
  afterEach(() => {
    presence.stop();
    jest.useRealTimers();
  });

  test('an operator never seen is away since an unknown time and is no capacity', () => {
    expect(presence.get('giulia')).toEqual({ name: 'giulia', status: 'away', since: null, connections: 0, maxConcurrent: 0 });
    expect(presence.available()).toEqual([]);
  });

  test('a console that connects makes an operator available, a supervisor busy, since that moment', () => {
    presence.connected(giulia);
    jest.advanceTimersByTime(5_000);
    presence.connected(sara);
    expect(presence.get('giulia')).toMatchObject({ status: 'available', since: '2026-11-30T09:00:00.000Z', connections: 1, maxConcurrent: 3 });
    expect(presence.get('sara')).toMatchObject({ status: 'busy', since: '2026-11-30T09:00:05.000Z' });
    expect(presence.available().map((p) => p.name)).toEqual(['giulia']);
  });

  test('busy is chosen and kept; available again on request', () => {
    presence.connected(giulia);
    jest.advanceTimersByTime(1_000);
    expect(presence.choose('giulia', 'busy')).toMatchObject({ status: 'busy', since: '2026-11-30T09:00:01.000Z' });
    expect(presence.available()).toEqual([]);
    presence.choose('giulia', 'available');
    expect(changes).toEqual(['giulia:available', 'giulia:busy', 'giulia:available']);
  });

  test('away only after the delay with no console: a reload within it changes nothing', () => {
    presence.connected(giulia);
    presence.choose('giulia', 'busy');
    presence.disconnected('giulia');
    jest.advanceTimersByTime(59_999);
    expect(presence.get('giulia').status).toBe('busy');
    presence.connected(giulia);
    jest.advanceTimersByTime(120_000);
    expect(presence.get('giulia').status).toBe('busy');
    presence.disconnected('giulia');
    jest.advanceTimersByTime(60_000);
    expect(presence.get('giulia')).toMatchObject({ status: 'away', since: '2026-11-30T09:03:59.999Z', connections: 0 });
  });

  test('a console closing is news at once (the supervisor sees it closed), the away status only after the delay', () => {
    presence.connected(giulia);
    presence.disconnected('giulia');
    expect(changes).toEqual(['giulia:available', 'giulia:available']);
    expect(presence.get('giulia').connections).toBe(0);
    jest.advanceTimersByTime(60_000);
    expect(changes).toEqual(['giulia:available', 'giulia:available', 'giulia:away']);
  });

  test('one of two consoles closing keeps the operator present', () => {
    presence.connected(giulia);
    presence.connected(giulia);
    presence.disconnected('giulia');
    jest.advanceTimersByTime(600_000);
    expect(presence.get('giulia')).toMatchObject({ status: 'available', connections: 1 });
  });

  test('signing out is away at once; coming back starts from available whatever was chosen', () => {
    presence.connected(giulia);
    presence.choose('giulia', 'busy');
    presence.disconnected('giulia', true);
    expect(presence.get('giulia').status).toBe('away');
    expect(presence.choose('giulia', 'available').status).toBe('away');
    presence.connected(giulia);
    expect(presence.get('giulia').status).toBe('available');
  });

  test('an extra disconnect (a socket closed twice) does not go below zero consoles', () => {
    presence.connected(giulia);
    presence.disconnected('giulia', true);
    presence.disconnected('giulia', true);
    presence.connected(giulia);
    expect(presence.get('giulia')).toMatchObject({ status: 'available', connections: 1 });
    expect(presence.connectedNames()).toEqual(['giulia']);
  });
});
