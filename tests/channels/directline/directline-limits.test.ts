import { MemoryStorage, type StoreItems } from 'botbuilder';
import { DurableConversationStore } from '../../../src/channels/directline/durable-conversation-store';
import { mountEndpoint, type MountedEndpoint } from './mounted-endpoint';

async function startFrom(base: string, headers: Record<string, string> = {}): Promise<{ status: number; json: any; retryAfter: string | null; token: string }> {
  const { token } = (await (await fetch(`${base}/tokens/generate`, { method: 'POST' })).json()) as { token: string };
  const response = await fetch(`${base}/conversations`, { method: 'POST', headers: { ...headers, authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: '{}' });
  return { status: response.status, json: await response.json(), retryAfter: response.headers.get('retry-after'), token };
}

describe('Direct Line: conversations one client address may start per minute', () => {
  let mounted: MountedEndpoint | undefined;
  afterEach(async () => {
    await mounted?.close();
    mounted = undefined;
  });

  test('past the limit a new conversation is 429 CONVERSATIONS_RATE_LIMITED with Retry-After; resuming one is not counted', async () => {
    mounted = await mountEndpoint({ conversationsPerMinute: 2 });
    const first = await startFrom(mounted.base);
    expect((await startFrom(mounted.base)).status).toBe(201);
    expect(first.status).toBe(201);
    const third = await startFrom(mounted.base);
    expect(third.status).toBe(429);
    expect(third.json).toEqual({ error: { code: 'CONVERSATIONS_RATE_LIMITED', message: expect.any(String) } });
    expect(Number(third.retryAfter)).toBeGreaterThan(0);
    // A page reload resumes its conversation with the same token: still served.
    const resumed = await fetch(`${mounted.base}/conversations`, { method: 'POST', headers: { authorization: `Bearer ${first.token}`, 'content-type': 'application/json' }, body: '{}' });
    expect(resumed.status).toBe(200);
  });

  test('X-Forwarded-For is believed only through TRUST_PROXY_HOPS: without trusted proxies a client cannot pick a fresh address', async () => {
    mounted = await mountEndpoint({ conversationsPerMinute: 1 });
    expect((await startFrom(mounted.base, { 'x-forwarded-for': '203.0.113.1' })).status).toBe(201);
    expect((await startFrom(mounted.base, { 'x-forwarded-for': '203.0.113.2' })).status).toBe(429);
  });

  test('behind one trusted proxy each client address has its own budget', async () => {
    mounted = await mountEndpoint({ conversationsPerMinute: 1, trustProxyHops: 1 });
    expect((await startFrom(mounted.base, { 'x-forwarded-for': '203.0.113.1' })).status).toBe(201);
    expect((await startFrom(mounted.base, { 'x-forwarded-for': '203.0.113.1' })).status).toBe(429);
    expect((await startFrom(mounted.base, { 'x-forwarded-for': '6.6.6.6, 203.0.113.2' })).status).toBe(201);
  });
});

describe('Direct Line: the memory budget', () => {
  test('when no conversation can leave memory a new one is 503 DIRECTLINE_AT_CAPACITY with Retry-After, and the endpoint keeps serving', async () => {
    const storage = new MemoryStorage();
    const write = storage.write.bind(storage);
    const release: (() => void)[] = [];
    let stalled = false;
    storage.write = async (changes: StoreItems) => {
      if (stalled) await new Promise<void>((resolve) => release.push(resolve));
      return write(changes);
    };
    const store = new DurableConversationStore(storage, { maxMemoryBytes: 64 * 1024 });
    const mounted = await mountEndpoint({ store });
    try {
      const first = await startFrom(mounted.base);
      expect(first.status).toBe(201);
      stalled = true;
      for (let i = 0; i < 2; i += 1) {
        const posted = await fetch(`${mounted.base}/conversations/${first.json.conversationId}/activities`, {
          method: 'POST',
          headers: { authorization: `Bearer ${first.json.token}`, 'content-type': 'application/json' },
          body: JSON.stringify({ type: 'event', name: 'grande', value: 'x'.repeat(40 * 1024) }),
        });
        expect(posted.status).toBe(200);
      }
      const flushing = store.flush();
      const refused = await startFrom(mounted.base);
      expect(refused.status).toBe(503);
      expect(refused.json.error.code).toBe('DIRECTLINE_AT_CAPACITY');
      expect(Number(refused.retryAfter)).toBeGreaterThan(0);
      expect(store.heldBytes).toBeLessThanOrEqual(2 * 41 * 1024 + 1024);
      stalled = false;
      release.forEach((resolve) => resolve());
      await flushing;
      expect((await startFrom(mounted.base)).status).toBe(201);
    } finally {
      stalled = false;
      release.forEach((resolve) => resolve());
      await mounted.close();
    }
  });
});
