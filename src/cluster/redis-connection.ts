import { createClient } from 'redis';

/** A node-redis 5 client as the coordinator opens it. */
export type RedisConnection = ReturnType<typeof createClient>;

/** How {@link connectRedis} connects. */
export interface RedisConnectOptions {
  /** node-redis's timeout for a command waiting to be sent. */
  readonly commandTimeoutMs: number;
  /** Longest wait for the first connection. */
  readonly connectTimeoutMs: number;
}

/**
 * Opens the coordinator's two connections (commands, and subscriptions, which Redis keeps apart).
 * Rejects, leaving nothing open, when Redis does not answer within `connectTimeoutMs`.
 *
 * @example
 * const { client, subscriber } = await connectRedis(url, { commandTimeoutMs: 1000, connectTimeoutMs: 5000 });
 */
export async function connectRedis(url: string, options: RedisConnectOptions): Promise<{ client: RedisConnection; subscriber: RedisConnection }> {
  const { commandTimeoutMs, connectTimeoutMs } = options;
  const client = createClient({
    url,
    // While Redis is unreachable commands fail at once instead of queueing: a turn never waits on it.
    disableOfflineQueue: true,
    commandOptions: { timeout: commandTimeoutMs },
    socket: { connectTimeout: connectTimeoutMs, reconnectStrategy: (retries: number) => Math.min(50 * 2 ** retries, 1000) },
  });
  const subscriber = client.duplicate();
  // Errors before the coordinator listens would be unhandled 'error' events (a crash).
  const early = (): void => undefined;
  client.on('error', early);
  subscriber.on('error', early);
  const connected = Promise.all([client.connect(), subscriber.connect()]);
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`Redis at ${redactUrl(url)} did not answer within ${connectTimeoutMs} ms`)), connectTimeoutMs);
  });
  try {
    await Promise.race([connected, timeout]);
  } catch (error) {
    client.destroy();
    subscriber.destroy();
    connected.catch(() => undefined);
    throw error;
  } finally {
    clearTimeout(timer);
  }
  client.off('error', early);
  subscriber.off('error', early);
  return { client: client as RedisConnection, subscriber: subscriber as RedisConnection };
}

/** The URL without its password, for messages. */
function redactUrl(url: string): string {
  return url.replace(/\/\/([^@/]*)@/, '//***@');
}

/** Closes a connection politely, or drops it when Redis does not answer within a second. */
export async function closeConnection(connection: RedisConnection): Promise<void> {
  if (!connection.isOpen) return;
  if (!connection.isReady) return connection.destroy();
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), 1000)));
  const outcome = await Promise.race([connection.close().then(() => 'closed' as const, () => 'late' as const), late]);
  clearTimeout(timer);
  if (outcome === 'late' && connection.isOpen) connection.destroy();
}
