import { CitizenPresence, CitizenWatch } from '../../src/handoff/citizen-presence';
import type { HandoffSession } from '../../src/storage/ports';

const MINUTE = 60_000;

describe('CitizenPresence (fake clock)', () => {
  let clock: number;
  const tracker = () => new CitizenPresence({ timeoutMs: 2 * MINUTE, now: () => clock });
  beforeEach(() => {
    clock = Date.parse('2026-11-30T09:00:00.000Z');
  });

  test('an open stream is presence however long nothing is posted', () => {
    const presence = tracker();
    presence.streamOpened('c1');
    clock += 60 * MINUTE;
    expect(presence.statusOf('c1')).toMatchObject({ present: true, silentMs: 0 });
  });

  test('without a stream the citizen is away the timeout after the stream closed, and back with a poll', () => {
    const presence = tracker();
    presence.streamOpened('c1');
    clock += MINUTE;
    presence.streamClosed('c1');
    const closedAt = clock;
    clock += 2 * MINUTE - 1;
    expect(presence.statusOf('c1').present).toBe(true);
    clock += 1;
    expect(presence.statusOf('c1')).toEqual({ present: false, lastSeenAt: closedAt, silentMs: 2 * MINUTE });
    presence.seen('c1');
    expect(presence.statusOf('c1').present).toBe(true);
  });

  test('two streams (two tabs): closing one keeps the citizen present', () => {
    const presence = tracker();
    presence.streamOpened('c1');
    presence.streamOpened('c1');
    presence.streamClosed('c1');
    clock += 10 * MINUTE;
    expect(presence.statusOf('c1').present).toBe(true);
  });

  test('a conversation never seen since start-up gets the full timeout from start-up', () => {
    const presence = tracker();
    clock += 2 * MINUTE - 1;
    expect(presence.statusOf('restarted').present).toBe(true);
    clock += 1;
    expect(presence.statusOf('restarted').present).toBe(false);
  });

  test('prune forgets silent conversations nobody needs, never one with a stream or one kept', () => {
    const presence = tracker();
    presence.seen('old');
    presence.seen('queued');
    presence.streamOpened('streaming');
    clock += 5 * MINUTE;
    presence.prune((id) => id === 'queued');
    expect(presence.size).toBe(2);
    expect(presence.statusOf('queued').lastSeenAt).toBe(clock - 5 * MINUTE);
  });
});

describe('CitizenWatch: who is abandoned, asked or closed (fake clock)', () => {
  let clock: number;
  let presence: CitizenPresence;
  let watch: CitizenWatch;
  const start = Date.parse('2026-11-30T09:00:00.000Z');
  const session = (id: string, overrides: Partial<HandoffSession> = {}): HandoffSession => ({
    id,
    channel: 'directline',
    conversationId: `conv-${id}`,
    reference: {},
    language: 'it',
    topicId: null,
    description: '',
    phoneCode: '123456',
    state: 'queued',
    queuedAt: new Date(start).toISOString(),
    transcript: [],
    messages: [],
    ...overrides,
  });
  const review = (sessions: HandoffSession[]) => watch.review(sessions, clock);
  const kinds = (sessions: HandoffSession[]) => review(sessions).actions.map((a) => `${a.kind}:${a.session.id}${a.kind === 'abandon' ? `:${a.outcome}` : ''}`);

  beforeEach(() => {
    clock = start;
    presence = new CitizenPresence({ timeoutMs: 2 * MINUTE, now: () => clock });
    watch = new CitizenWatch({ presence, queueTimeoutMs: 10 * MINUTE, idleCloseMs: 15 * MINUTE });
  });

  test('a queued Direct Line citizen whose stream closed is shown away after the timeout and abandoned after twice it', () => {
    const queued = session('s1');
    presence.streamOpened(queued.conversationId);
    presence.streamClosed(queued.conversationId);
    expect(review([queued])).toEqual({ actions: [], presenceChanged: false });
    expect(watch.viewOf(queued)).toEqual({ citizenPresence: 'present', awaySince: null });
    clock += 2 * MINUTE;
    expect(review([queued])).toEqual({ actions: [], presenceChanged: true });
    expect(watch.viewOf(queued)).toEqual({ citizenPresence: 'away', awaySince: new Date(start).toISOString() });
    clock += 2 * MINUTE - 1;
    expect(kinds([queued])).toEqual([]);
    clock += 1;
    expect(kinds([queued])).toEqual(['abandon:s1:away']);
  });

  test('a citizen who keeps polling is never abandoned', () => {
    const queued = session('s1');
    for (let i = 0; i < 20; i += 1) {
      clock += MINUTE;
      presence.seen(queued.conversationId);
      expect(kinds([queued])).toEqual([]);
    }
  });

  test('a connected citizen who is away is only shown away: the operator decides', () => {
    const connected = session('s1', { state: 'connected', operator: 'giulia', connectedAt: new Date(start).toISOString() });
    clock += 10 * MINUTE;
    expect(review([connected])).toEqual({ actions: [], presenceChanged: true });
    expect(watch.viewOf(connected).citizenPresence).toBe('away');
  });

  test('a Messenger citizen is asked after the queue timeout, once, and abandoned without an answer', () => {
    const messenger = session('m1', { channel: 'facebook' });
    expect(watch.asksStillWaiting(messenger)).toBe(true);
    clock += 10 * MINUTE - 1;
    expect(kinds([messenger])).toEqual([]);
    clock += 1;
    expect(kinds([messenger])).toEqual(['ask:m1']);
    clock += MINUTE;
    expect(kinds([messenger])).toEqual([]);
    clock += MINUTE;
    expect(kinds([messenger])).toEqual(['abandon:m1:no-answer']);
    expect(watch.viewOf(messenger)).toEqual({ citizenPresence: null, awaySince: null });
  });

  test('any message answers the question: the next one comes a queue timeout later', () => {
    const messenger = session('m1', { channel: 'facebook' });
    clock += 10 * MINUTE;
    expect(kinds([messenger])).toEqual(['ask:m1']);
    clock += MINUTE;
    expect(watch.answered('m1', clock)).toBe(true);
    expect(watch.answered('m1', clock)).toBe(false);
    clock += 5 * MINUTE;
    expect(kinds([messenger])).toEqual([]);
    clock += 5 * MINUTE;
    expect(kinds([messenger])).toEqual(['ask:m1']);
  });

  test('a question made moot by a claim is forgotten: a session back in the queue (a reassignment) is not abandoned for it', () => {
    const messenger = session('m1', { channel: 'facebook' });
    clock += 10 * MINUTE;
    expect(kinds([messenger])).toEqual(['ask:m1']);
    expect(kinds([{ ...messenger, state: 'connected', operator: 'giulia', connectedAt: new Date(clock).toISOString() }])).toEqual([]);
    clock += 5 * MINUTE;
    expect(kinds([messenger])).toEqual(['ask:m1']);
  });

  test('a connected chat with no message on either side for the idle time is closed; a message restarts the count; an external hub’s chat never', () => {
    const connectedAt = new Date(start).toISOString();
    const chat = session('s1', { state: 'connected', operator: 'giulia', connectedAt, messages: [{ at: new Date(start + 5 * MINUTE).toISOString(), from: 'citizen', text: 'grazie' }] });
    const hub = session('s2', { state: 'connected', operator: 'external', connectedAt });
    presence.streamOpened(chat.conversationId);
    clock += 20 * MINUTE - 1;
    expect(kinds([chat, hub])).toEqual([]);
    clock += 1;
    expect(kinds([chat, hub])).toEqual(['idle:s1']);
  });

  test('after a restart a queued citizen gets the full presence timeout from start-up, twice, before being abandoned', () => {
    const queuedLongAgo = session('s1', { queuedAt: new Date(start - 60 * MINUTE).toISOString() });
    clock += 4 * MINUTE - 1;
    expect(kinds([queuedLongAgo])).toEqual([]);
    clock += 1;
    expect(kinds([queuedLongAgo])).toEqual(['abandon:s1:away']);
  });
});
