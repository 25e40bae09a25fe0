import type { Server } from 'node:http';
import { CloudAdapter, type TurnContext } from 'botbuilder';
import type { ConversationStore } from '../../../src/channels/directline/conversation-store';
import { DirectLineAdapter } from '../../../src/channels/directline/directline-adapter';
import { mountDirectLine, type DirectLineEndpoint } from '../../../src/channels/directline/directline-routes';
import { MemoryConversationStore } from '../../../src/channels/directline/memory-conversation-store';
import { DirectLineTokens } from '../../../src/channels/directline/tokens';
import { createLogger } from '../../../src/logger';
import { createServer } from '../../../src/server/create-server';

/** A Direct Line endpoint with an echo bot, on port 0: what the routes do, without the rest of Dialogo. */
export interface MountedEndpoint {
  readonly base: string;
  readonly adapter: DirectLineAdapter;
  readonly endpoint: DirectLineEndpoint;
  /** The underlying HTTP server (its `upgrade` events, for instance). */
  readonly http: Server;
  close(): Promise<void>;
}

/**
 * Mounts the routes with the tokens, store and limits a test needs (short-lived tokens, a tiny memory budget).
 *
 * @example
 * const mounted = await mountEndpoint({ tokens: new DirectLineTokens(undefined, Date.now, 2) });
 * await mounted.close();
 */
export async function mountEndpoint(options: {
  tokens?: DirectLineTokens;
  store?: ConversationStore;
  secret?: string;
  conversationsPerMinute?: number;
  trustProxyHops?: number;
}): Promise<MountedEndpoint> {
  const logger = createLogger('silent');
  const botLogic = async (context: TurnContext) => {
    if (context.activity.type === 'message') await context.sendActivity(`eco: ${context.activity.text ?? ''}`);
  };
  const adapter = new DirectLineAdapter({ store: options.store ?? new MemoryConversationStore(), botLogic });
  const server = createServer({ adapter: new CloudAdapter(), botLogic, logger, readiness: () => ({ ready: true, details: {} }) });
  const endpoint = mountDirectLine(server.server, {
    adapter,
    tokens: options.tokens ?? new DirectLineTokens(options.secret),
    secret: options.secret,
    logger,
    ...(options.conversationsPerMinute !== undefined ? { conversationsPerMinute: options.conversationsPerMinute } : {}),
    ...(options.trustProxyHops !== undefined ? { trustProxyHops: options.trustProxyHops } : {}),
  });
  await new Promise<void>((resolve, reject) => {
    server.server.once('error', reject);
    server.server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    base: `http://127.0.0.1:${port}/v3/directline`,
    adapter,
    endpoint,
    http: server.server.server,
    close: async () => {
      await Promise.all([endpoint.shutdown(1000), server.shutdown(1000)]);
    },
  };
}
