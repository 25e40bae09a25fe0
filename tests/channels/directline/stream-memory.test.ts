import type { IncomingMessage } from 'node:http';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { WebSocket } from 'ws';
import { mountEndpoint, type MountedEndpoint } from './mounted-endpoint';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

async function post(url: string, token: string): Promise<Record<string, unknown>> {
  const response = await fetch(url, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: '{}' });
  return (await response.json()) as Record<string, unknown>;
}

describe('Direct Line streams and memory', () => {
  let mounted: MountedEndpoint;
  beforeEach(async () => {
    mounted = await mountEndpoint({});
  });
  afterEach(async () => {
    await mounted.close();
  });

  test('an open stream does not keep its upgrade request (with its headers and first bytes) alive', async () => {
    const requests: WeakRef<IncomingMessage>[] = [];
    mounted.http.prependListener('upgrade', (req: IncomingMessage) => requests.push(new WeakRef(req)));
    const sockets: WebSocket[] = [];
    try {
      for (let i = 0; i < 5; i += 1) {
        const { token } = (await post(`${mounted.base}/tokens/generate`, 'none')) as { token: string };
        const started = await post(`${mounted.base}/conversations`, token);
        const ws = new WebSocket(String(started.streamUrl));
        await new Promise<void>((resolve, reject) => {
          ws.once('open', () => resolve());
          ws.once('error', reject);
        });
        sockets.push(ws);
      }
      expect(mounted.endpoint.streams.size).toBe(5);
      await new Promise((resolve) => setTimeout(resolve, 50));
      gc();
      await new Promise((resolve) => setTimeout(resolve, 0));
      gc();
      expect(requests).toHaveLength(5);
      expect(requests.filter((ref) => ref.deref() !== undefined)).toHaveLength(0);
      expect(mounted.endpoint.streams.size).toBe(5);
    } finally {
      sockets.forEach((ws) => ws.close());
    }
  });
});
