import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { MemoryStorage, type TurnContext } from 'botbuilder';
import restify from 'restify';
import { GraphClient } from '../../../src/channels/messenger/graph-client';
import { MessengerAdapter } from '../../../src/channels/messenger/messenger-adapter';
import { mountMessenger, MESSENGER_PATH } from '../../../src/channels/messenger/messenger-routes';
import { ThreadClock } from '../../../src/channels/messenger/messaging-window';
import { signBody } from '../../../src/channels/messenger/signature';
import { createLogger } from '../../../src/logger';
import { FakeGraphApi } from '../../fixtures/fake-graph-api';
import * as fb from '../../fixtures/messenger-payloads';

const logger = createLogger('silent');

/** Opens `count` connections and resolves once all are connected, so that requests can later be written in one go. */
async function connect(port: number, count: number): Promise<net.Socket[]> {
  return Promise.all(
    Array.from({ length: count }, () => new Promise<net.Socket>((resolve, reject) => {
      const socket = net.connect(port, '127.0.0.1', () => resolve(socket));
      socket.once('error', reject);
    })),
  );
}

describe('Messenger webhook: deliveries of a burst are acknowledged before earlier turns run', () => {
  let graph: FakeGraphApi;
  let server: restify.Server;
  let graphClient: GraphClient;
  let turnsStarted = 0;
  let accepted = 0;

  beforeAll(async () => {
    graph = await FakeGraphApi.start();
    graphClient = new GraphClient({ baseUrl: graph.url, pageAccessToken: fb.PAGE_TOKEN, logger, sleep: async () => undefined });
    const adapter = new MessengerAdapter({
      graph: graphClient,
      threads: new ThreadClock(new MemoryStorage()),
      botLogic: async (context: TurnContext) => {
        turnsStarted += 1;
        await context.sendActivity(`eco: ${context.activity.text ?? ''}`);
      },
      logger,
    });
    server = restify.createServer();
    server.server.on('connection', () => (accepted += 1));
    mountMessenger(server, { adapter, appSecret: fb.APP_SECRET, verifyToken: fb.VERIFY_TOKEN, logger });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    graphClient.close();
    await graph.close();
  });

  test('four deliveries that arrive together are all acknowledged while at most one turn has started', async () => {
    const port = (server.address() as AddressInfo).port;
    const sockets = await connect(port, 4);
    // Connected is not accepted: until the server has accepted all four, it would read them on different rounds.
    while (accepted < 4) await new Promise((resolve) => setTimeout(resolve, 10));
    const turnsAtAck: number[] = [];
    const acknowledged = sockets.map(
      (socket) =>
        new Promise<string>((resolve) => {
          const chunks: Buffer[] = [];
          socket.once('data', () => turnsAtAck.push(turnsStarted));
          socket.on('data', (chunk: Buffer) => chunks.push(chunk));
          socket.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
        }),
    );
    // All four written in one go: the server finds them waiting together, as in a burst.
    sockets.forEach((socket, i) => {
      const body = JSON.stringify(fb.webhook([fb.text(`880000000000000${i}`, `domanda ${i}`)]));
      socket.write(
        `POST ${MESSENGER_PATH} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n` +
          `X-Hub-Signature-256: ${signBody(body, fb.APP_SECRET)}\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
      );
    });
    const answers = await Promise.all(acknowledged);
    for (const answer of answers) expect(answer).toMatch(/^HTTP\/1\.1 200[\s\S]*EVENT_RECEIVED/);
    // Without pacing, each delivery's turn ran before the next delivery was read: the last ack came after 4 turns.
    expect(Math.max(...turnsAtAck)).toBeLessThanOrEqual(1);
    await graph.waitForMessages(4);
    expect(turnsStarted).toBe(4);
    sockets.forEach((socket) => socket.destroy());
  });
});
