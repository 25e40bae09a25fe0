import { MemoryStorage } from 'botbuilder';
import { HUMAN_AGENT_WINDOW_MS, RECENT_EVENTS_MAX, REDELIVERY_WINDOW_MS, sendPolicy, STANDARD_WINDOW_MS, ThreadClock } from '../../../src/channels/messenger/messaging-window';

const lastMessage = Date.parse('2026-11-20T10:00:00Z');
const after = (ms: number) => lastMessage + ms;
const MINUTE = 60_000;

describe('sendPolicy: Messenger messaging windows', () => {
  test('inside 24 hours the bot and operators answer as RESPONSE', () => {
    expect(sendPolicy(lastMessage, after(STANDARD_WINDOW_MS - MINUTE), 'bot')).toEqual({ allowed: true, messagingType: 'RESPONSE' });
    expect(sendPolicy(lastMessage, after(5 * MINUTE), 'operator')).toEqual({ allowed: true, messagingType: 'RESPONSE' });
  });

  test('after 24 hours the bot may no longer write', () => {
    const policy = sendPolicy(lastMessage, after(STANDARD_WINDOW_MS + MINUTE), 'bot');
    expect(policy).toMatchObject({ allowed: false, code: 'WINDOW_CLOSED_24H' });
  });

  test('between 24 hours and 7 days an operator writes with the HUMAN_AGENT tag', () => {
    expect(sendPolicy(lastMessage, after(STANDARD_WINDOW_MS), 'operator')).toEqual({ allowed: true, messagingType: 'MESSAGE_TAG', tag: 'HUMAN_AGENT' });
    expect(sendPolicy(lastMessage, after(HUMAN_AGENT_WINDOW_MS - MINUTE), 'operator')).toEqual({ allowed: true, messagingType: 'MESSAGE_TAG', tag: 'HUMAN_AGENT' });
  });

  test('after 7 days even an operator is refused, with a reason the operator can act on', () => {
    const policy = sendPolicy(lastMessage, after(HUMAN_AGENT_WINDOW_MS + MINUTE), 'operator');
    expect(policy).toMatchObject({ allowed: false, code: 'WINDOW_CLOSED_7D' });
    expect(policy.allowed ? '' : policy.reason).toMatch(/7 giorni.*richiesta scritta/);
  });

  test('a citizen who never wrote cannot be written to', () => {
    expect(sendPolicy(undefined, lastMessage, 'operator')).toMatchObject({ allowed: false, code: 'NO_CITIZEN_MESSAGE' });
  });
});

describe('ThreadClock: events already processed, kept in the store', () => {
  const PAGE = '104857600000001';
  const PSID = '7400000000000001';
  const now = Date.parse('2026-11-20T10:00:00Z');
  const event = (key: string, timestamp = now - MINUTE) => ({ key, timestamp });
  const stored = async (storage: MemoryStorage) => (await storage.read([`messenger/thread/${PAGE}/${PSID}`]))[`messenger/thread/${PAGE}/${PSID}`] as Record<string, unknown>;

  test('an event is new once, then a redelivery, also for a new clock on the same store', async () => {
    const storage = new MemoryStorage();
    expect(await new ThreadClock(storage).admit(PAGE, PSID, event('m_1'), now)).toBe('new');
    expect(await new ThreadClock(storage).admit(PAGE, PSID, event('m_1'), now + MINUTE)).toBe('redelivery');
    expect(await new ThreadClock(storage).admit(PAGE, PSID, event('m_2'), now + MINUTE)).toBe('new');
  });

  test('without its cache (cluster mode) a clock reads the last inbound time another instance admitted; with it, it keeps its own', async () => {
    const storage = new MemoryStorage();
    const [a, b] = [new ThreadClock(storage, { cache: false }), new ThreadClock(storage)];
    await a.admit(PAGE, PSID, event('m_1', now - 10 * MINUTE), now);
    await b.admit(PAGE, PSID, event('m_2', now - 9 * MINUTE), now);
    expect(await a.lastInboundAt(PAGE, PSID)).toBe(now - 9 * MINUTE);
    await a.admit(PAGE, PSID, event('m_3', now - MINUTE), now);
    expect(await b.lastInboundAt(PAGE, PSID)).toBe(now - 9 * MINUTE);
  });

  test('an event stamped in the future counts as now: it cannot hold the 24-hour window open', async () => {
    const storage = new MemoryStorage();
    const clock = new ThreadClock(storage, { cache: false });
    expect(await clock.admit(PAGE, PSID, event('m_future', now + 365 * 24 * 60 * MINUTE), now)).toBe('new');
    expect(await clock.admit(PAGE, PSID, event('m_future', now + 365 * 24 * 60 * MINUTE), now)).toBe('redelivery');
    expect(await clock.lastInboundAt(PAGE, PSID)).toBe(now);
    expect(sendPolicy(await clock.lastInboundAt(PAGE, PSID), now + STANDARD_WINDOW_MS + MINUTE, 'bot')).toMatchObject({ allowed: false });
  });

  test('an event older than the redelivery window is stale and leaves the store untouched', async () => {
    const storage = new MemoryStorage();
    const clock = new ThreadClock(storage);
    expect(await clock.admit(PAGE, PSID, event('m_old', now - REDELIVERY_WINDOW_MS - 1), now)).toBe('stale');
    expect(await stored(storage)).toBeUndefined();
    expect(await clock.admit(PAGE, PSID, event('m_edge', now - REDELIVERY_WINDOW_MS), now)).toBe('new');
  });

  test('the record stays bounded, and an event dropped for room is still known as processed', async () => {
    const storage = new MemoryStorage();
    const clock = new ThreadClock(storage);
    const count = RECENT_EVENTS_MAX * 3;
    for (let i = 0; i < count; i++) expect(await clock.admit(PAGE, PSID, event(`m_${i}`, now - count + i), now)).toBe('new');
    const record = await stored(storage);
    expect((record.recent as unknown[]).length).toBe(RECENT_EVENTS_MAX);
    expect(await new ThreadClock(storage).admit(PAGE, PSID, event('m_0', now - count), now)).toBe('redelivery');
    expect(await new ThreadClock(storage).admit(PAGE, PSID, event(`m_${count - 1}`, now - 1), now)).toBe('redelivery');
    expect(await new ThreadClock(storage).admit(PAGE, PSID, event('m_next', now), now)).toBe('new');
  });

  test('events that left the window are dropped from the record on the next write', async () => {
    const storage = new MemoryStorage();
    const clock = new ThreadClock(storage);
    await clock.admit(PAGE, PSID, event('m_early', now), now);
    const later = now + REDELIVERY_WINDOW_MS + MINUTE;
    await clock.admit(PAGE, PSID, event('m_late', later), later);
    expect((await stored(storage)).recent).toHaveLength(1);
    expect(await clock.lastInboundAt(PAGE, PSID)).toBe(later);
  });

  test('a record written before the list existed keeps its last inbound time', async () => {
    const storage = new MemoryStorage();
    await storage.write({ [`messenger/thread/${PAGE}/${PSID}`]: { lastInboundAt: now - HUMAN_AGENT_WINDOW_MS / 2, eTag: '*' } });
    expect(await new ThreadClock(storage).lastInboundAt(PAGE, PSID)).toBe(now - HUMAN_AGENT_WINDOW_MS / 2);
    expect(await new ThreadClock(storage).admit(PAGE, PSID, event('m_1'), now)).toBe('new');
  });

  test('a record that does not parse is read as an empty thread, not a crash', async () => {
    const storage = new MemoryStorage();
    await storage.write({ [`messenger/thread/${PAGE}/${PSID}`]: { recent: 'nonsense', lastInboundAt: 'yesterday', eTag: '*' } });
    expect(await new ThreadClock(storage).admit(PAGE, PSID, event('m_1'), now)).toBe('new');
    expect(await new ThreadClock(storage).admit(PAGE, PSID, event('m_1'), now)).toBe('redelivery');
  });
});
