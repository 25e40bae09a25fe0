import { activitySetJson, activitySetOf } from '../../../src/channels/directline/conversation-store';
import { DirectLineAdapter } from '../../../src/channels/directline/directline-adapter';
import { CONVERSATION_OVERHEAD_BYTES, MemoryConversationStore } from '../../../src/channels/directline/memory-conversation-store';
import { DirectLineTokens, TOKEN_LIFETIME_SECONDS } from '../../../src/channels/directline/tokens';

const base = { userId: 'dl_u', locale: 'it-IT', serviceUrl: 'http://localhost/v3/directline' };

describe('MemoryConversationStore', () => {
  test('numbers activities conv|0000001… and answers by watermark', async () => {
    const store = new MemoryConversationStore();
    await store.create({ id: 'c1', ...base });
    const first = await store.append('c1', { type: 'message', text: 'a' });
    const second = await store.append('c1', { type: 'message', text: 'b' });
    expect(first.activity.id).toBe('c1|0000001');
    expect(second.seq).toBe(2);
    expect((await store.activitiesAfter('c1', 1)).map((s) => s.activity.text)).toEqual(['b']);
    expect(await store.lastWatermark('c1')).toBe(2);
    await expect(store.append('nope', { type: 'message' })).rejects.toThrow();
  });

  test('drops conversations idle past the limit and the least recently active beyond the cap', async () => {
    let now = 0;
    const store = new MemoryConversationStore({ idleMs: 1000, maxConversations: 2, now: () => now });
    await store.create({ id: 'a', ...base });
    await store.create({ id: 'b', ...base });
    await store.append('a', { type: 'message' });
    await store.create({ id: 'c', ...base }); // b is the least recently active
    expect(await store.get('b')).toBeUndefined();
    expect(await store.get('a')).toBeDefined();
    now = 5000;
    expect(await store.get('a')).toBeUndefined();
    expect(store.size).toBe(0);
  });

  test('keeps at most maxActivitiesPerConversation while watermarks keep counting', async () => {
    const store = new MemoryConversationStore({ maxActivitiesPerConversation: 2 });
    await store.create({ id: 'c', ...base });
    for (let i = 0; i < 5; i += 1) await store.append('c', { type: 'message' });
    expect((await store.activitiesAfter('c', 0)).map((s) => s.seq)).toEqual([4, 5]);
  });

  test('keeps at most maxConversationBytes of activities; a client resuming from an old watermark gets what is kept', async () => {
    const store = new MemoryConversationStore({ maxConversationBytes: 64 * 1024 });
    await store.create({ id: 'c', ...base });
    for (let i = 0; i < 10; i += 1) await store.append('c', { type: 'event', value: 'x'.repeat(20 * 1024) });
    const kept = await store.activitiesAfter('c', 0);
    expect(kept.map((s) => s.seq)).toEqual([8, 9, 10]);
    expect(Buffer.byteLength(JSON.stringify(kept.map((s) => s.activity)))).toBeLessThanOrEqual(64 * 1024);
    expect((await store.activitiesAfter('c', 2)).map((s) => s.seq)).toEqual([8, 9, 10]);
    expect((await store.activitiesAfter('c', 9)).map((s) => s.seq)).toEqual([10]);
    expect(await store.lastWatermark('c')).toBe(10);
    expect(store.heldBytes).toBeLessThanOrEqual(64 * 1024 + CONVERSATION_OVERHEAD_BYTES);
  });

  test('an activity larger than the byte limit on its own is still kept, alone', async () => {
    const store = new MemoryConversationStore({ maxConversationBytes: 64 * 1024 });
    await store.create({ id: 'c', ...base });
    await store.append('c', { type: 'message', text: 'ciao' });
    await store.append('c', { type: 'event', value: 'x'.repeat(70 * 1024) });
    expect((await store.activitiesAfter('c', 0)).map((s) => s.seq)).toEqual([2]);
  });

  test('heldBytes follows appends, trimming and eviction', async () => {
    const store = new MemoryConversationStore({ maxActivitiesPerConversation: 2 });
    await store.create({ id: 'a', ...base });
    await store.create({ id: 'b', ...base });
    expect(store.heldBytes).toBe(2 * CONVERSATION_OVERHEAD_BYTES);
    const one = await store.append('a', { type: 'message', text: 'x'.repeat(1000) });
    const size = Buffer.byteLength(JSON.stringify(one.activity));
    await store.append('a', { type: 'message', text: 'x'.repeat(1000) });
    await store.append('a', { type: 'message', text: 'x'.repeat(1000) });
    expect(store.heldBytes).toBe(2 * CONVERSATION_OVERHEAD_BYTES + 2 * size);
    expect([...store.leastRecentlyActive()]).toEqual(['b', 'a']);
    expect(store.evict('a')).toBe(true);
    expect(store.heldBytes).toBe(CONVERSATION_OVERHEAD_BYTES);
    expect(await store.get('a')).toBeUndefined();
  });
});

describe('DirectLineTokens', () => {
  test('round-trips claims; expiry, tampering and another key are refused', () => {
    let now = 1_000_000;
    const tokens = new DirectLineTokens('a-long-enough-secret', () => now);
    const { token, expires_in } = tokens.issue('conv', 'dl_u');
    expect(expires_in).toBe(TOKEN_LIFETIME_SECONDS);
    expect(tokens.verify(token)).toMatchObject({ conv: 'conv', user: 'dl_u' });
    expect(new DirectLineTokens('a-long-enough-secret', () => now).verify(token)).toBeDefined();
    expect(new DirectLineTokens('another-long-secret', () => now).verify(token)).toBeUndefined();
    const [h, , s] = token.split('.');
    const forgedClaims = Buffer.from(JSON.stringify({ conv: 'other', user: 'dl_u', iat: 0, exp: 9e9 })).toString('base64url');
    expect(tokens.verify(`${h}.${forgedClaims}.${s}`)).toBeUndefined();
    for (const junk of [undefined, '', 'a.b', 'a.b.c', '...', 'x'.repeat(5000)]) expect(tokens.verify(junk)).toBeUndefined();
    now += TOKEN_LIFETIME_SECONDS * 1000;
    expect(tokens.verify(token)).toBeUndefined();
  });

  test('check tells a genuine expired token (TokenExpired) from an invalid one', () => {
    let now = 1_000_000;
    const tokens = new DirectLineTokens('a-long-enough-secret', () => now, 60);
    const { token, expires_in } = tokens.issue('conv', 'dl_u');
    expect(expires_in).toBe(60);
    expect(tokens.check(token)).toMatchObject({ status: 'valid', claims: { conv: 'conv' } });
    now += 60_000;
    expect(tokens.check(token)).toMatchObject({ status: 'expired', claims: { conv: 'conv', user: 'dl_u' } });
    expect(new DirectLineTokens('another-long-secret', () => now).check(token)).toEqual({ status: 'invalid' });
  });
});

describe('DirectLineAdapter', () => {
  test('a turn\'s replies are stored without reading the conversation again (a database read each in cluster mode)', async () => {
    const store = new MemoryConversationStore();
    let reads = 0;
    const get = store.get.bind(store);
    store.get = async (id: string) => {
      reads += 1;
      return get(id);
    };
    const adapter = new DirectLineAdapter({
      store,
      botLogic: async (context) => {
        await context.sendActivity('uno');
        await context.sendActivity('due');
        await context.sendActivity('tre');
      },
    });
    const conversation = await store.create({ id: 'c1', userId: 'dl_u', locale: 'it-IT', serviceUrl: 'http://x' });
    await adapter.receiveActivity(conversation, { type: 'message', text: 'ciao' });
    expect((await store.activitiesAfter('c1', 0)).map((s) => s.activity.text)).toEqual(['ciao', 'uno', 'due', 'tre']);
    expect(reads).toBe(0);
  });

  test("what a turn does to its activity does not change the stored history: streams and the store send and write what the citizen posted", async () => {
    const store = new MemoryConversationStore();
    const adapter = new DirectLineAdapter({
      store,
      botLogic: async (context) => {
        // As the handoff gate does with "a written request": the turn's activity becomes a command.
        context.activity.value = { dialogo: 'ticket', description: 'the description given earlier' };
        context.activity.text = '';
        await context.sendActivity('ok');
      },
    });
    const conversation = await store.create({ id: 'c1', userId: 'dl_u', locale: 'it-IT', serviceUrl: 'http://x' });
    await adapter.receiveActivity(conversation, { type: 'message', text: 'richiesta scritta' });
    const [citizen] = await store.activitiesAfter('c1', 0);
    expect(citizen!.activity.text).toBe('richiesta scritta');
    expect(citizen!.activity.value).toBeUndefined();
    expect(activitySetJson([citizen!], 0)).toBe(JSON.stringify(activitySetOf([citizen!], 0)));
  });
});

describe('activitySetJson', () => {
  test('is the JSON of the activity set, byte for byte, for any activities and watermark', async () => {
    const store = new MemoryConversationStore();
    await store.create({ id: 'c"1', ...base });
    const entries = [
      await store.append('c"1', { type: 'message', text: 'è "virgolette" \\ e \u2028 🙂', attachments: [{ contentType: 'x', content: { a: [1, null] } }] }),
      await store.append('c"1', { type: 'event', name: 'n', value: undefined }),
    ];
    const kept = await store.activitiesAfter('c"1', 0);
    for (const [set, fallback] of [[entries, 0], [entries.slice(1), 3], [[], 7], [kept, 0]] as const) {
      expect(activitySetJson(set, fallback)).toBe(JSON.stringify(activitySetOf(set, fallback)));
    }
    // What append returns carries the JSON it was sized by; the history does not keep a second copy.
    expect(entries[0]!.json).toBe(JSON.stringify(entries[0]!.activity));
    expect(kept.map((entry) => entry.json)).toEqual([undefined, undefined]);
  });
});
