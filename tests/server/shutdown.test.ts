import type { CloudAdapter } from 'botbuilder';
import type { Request, Response } from 'restify';
import { createLogger } from '../../src/logger';
import { createServer } from '../../src/server/create-server';

describe('graceful shutdown', () => {
  test('finishes the turn in flight, then stops accepting and closes', async () => {
    let finishTurn: () => void = () => undefined;
    const adapter = {
      process: async (_req: Request, res: Response) => {
        await new Promise<void>((resolve) => (finishTurn = resolve));
        res.send(200, { done: true });
      },
    } as unknown as CloudAdapter;
    const dialogo = createServer({ adapter, botLogic: async () => undefined, readiness: () => ({ ready: true, details: {} }), logger: createLogger('silent') });
    await new Promise<void>((resolve) => dialogo.server.listen(0, '127.0.0.1', () => resolve()));
    const { port } = dialogo.server.address() as { port: number };

    const turn = fetch(`http://127.0.0.1:${port}/api/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ type: 'message', text: 'ciao', conversation: { id: 'c' } }),
    });
    while (dialogo.inFlight() === 0) await new Promise((r) => setTimeout(r, 5));

    let stopped = false;
    const stopping = dialogo.shutdown(5000).then(() => (stopped = true));
    await new Promise((r) => setTimeout(r, 50));
    expect(stopped).toBe(false);

    finishTurn();
    const response = await turn;
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ done: true });
    await stopping;
    expect(stopped).toBe(true);
    await expect(fetch(`http://127.0.0.1:${port}/healthz`)).rejects.toThrow();
  });
});
