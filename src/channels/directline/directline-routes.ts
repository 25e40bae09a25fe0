import { randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Request, Response, Server } from 'restify';
import { WebSocketServer, type WebSocket } from 'ws';
import { z } from 'zod';
import type { Coordinator } from '../../cluster/coordinator';
import { InProcessCoordinator } from '../../cluster/in-process-coordinator';
import type { CitizenPresenceSignals } from '../../handoff/citizen-presence';
import type { Logger } from '../../logger';
import { MAX_TEXT_CHARS } from '../../server/activity-schema';
import { clientAddress } from '../../server/client-address';
import { sameSecret } from '../../server/constant-time';
import { httpError, sendError, type HttpErrorCode } from '../../server/http-errors';
import { upgradeDispatcher } from '../../server/upgrade-dispatcher';
import { activitySetOf, ConversationStoreFullError, type DirectLineConversation } from './conversation-store';
import { accessOf, bearerOf, type Access } from './directline-access';
import type { DirectLineAdapter } from './directline-adapter';
import { StreamHub } from './stream-hub';
import { StreamWakeups } from './stream-wakeups';
import type { DirectLineTokens } from './tokens';

/** Where Direct Line 3.0 is served; Web Chat's `domain` option points here. */
export const DIRECTLINE_PREFIX = '/v3/directline';
/** Largest activity a client may post. */
export const MAX_ACTIVITY_BYTES = 64 * 1024;
/** Activities a citizen may post per minute (per conversation and user, which a token names). */
export const ACTIVITIES_PER_MINUTE = 60;
/** Conversations one client address may start per minute unless told otherwise (`DIRECTLINE_CONVERSATIONS_PER_MINUTE`). */
export const CONVERSATIONS_PER_MINUTE = 10;
/** Seconds a client is told to wait when the conversation store has no room (`Retry-After`). */
const AT_CAPACITY_RETRY_SECONDS = 30;

const CONVERSATION_ID = /^[A-Za-z0-9_-]{1,64}$/;
const STREAM_PATH = new RegExp(`^${DIRECTLINE_PREFIX}/conversations/([A-Za-z0-9_-]{1,64})/stream$`);
const KEEPALIVE_MS = 30_000;

/** Activity types a client may post; the rest belong to channels and bots. */
const postedActivitySchema = z
  .object({
    type: z.enum(['message', 'event', 'typing', 'messageReaction', 'endOfConversation']),
    text: z.string().max(MAX_TEXT_CHARS).optional(),
    locale: z.string().max(20).optional(),
    from: z.object({ id: z.string().max(256).optional(), name: z.string().max(256).optional() }).passthrough().optional(),
  })
  .passthrough();

const startSchema = z
  .object({ user: z.object({ id: z.string().regex(/^[A-Za-z0-9_.:@-]{1,64}$/).optional() }).passthrough().optional(), locale: z.string().max(20).optional() })
  .passthrough();

/** What the routes need from the rest of Dialogo. */
export interface DirectLineRouteDependencies {
  readonly adapter: DirectLineAdapter;
  readonly tokens: DirectLineTokens;
  /** `DIRECTLINE_SECRET`; unset: development mode, token generation is open. */
  readonly secret: string | undefined;
  readonly logger: Logger;
  /**
   * Rate limits and, in cluster mode (`kind: 'redis'`), the wake-ups that bring activities stored on
   * other instances to the streams open here. Default: this process alone.
   */
  readonly coordinator?: Coordinator;
  /** Activities a citizen may post per minute (default {@link ACTIVITIES_PER_MINUTE}). */
  readonly activitiesPerMinute?: number;
  /** New conversations one client address may start per minute (default {@link CONVERSATIONS_PER_MINUTE}). */
  readonly conversationsPerMinute?: number;
  /** Reverse proxies whose `X-Forwarded-For` entries name the client (`TRUST_PROXY_HOPS`, default 0). */
  readonly trustProxyHops?: number;
  /** Told of every sign of a citizen's presence: streams opening and closing, polls and posts (the handoff's away rule). */
  readonly presence?: CitizenPresenceSignals;
}

/** The mounted endpoint: its open streams and how to stop it. */
export interface DirectLineEndpoint {
  readonly streams: StreamHub;
  /** Refuses new work, waits for turns in flight (at most `graceMs`), then closes every stream. */
  shutdown(graceMs: number): Promise<void>;
}

/**
 * Mounts Direct Line 3.0 on the restify server: tokens, conversations, activities (polling) and the
 * WebSocket stream on the underlying HTTP server's `upgrade` event. Shapes follow the Direct Line 3.0
 * reference (`Conversation`, `ActivitySet`, `ResourceResponse`), so the unmodified
 * `botframework-directlinejs` inside Web Chat works in both WebSocket and polling modes.
 *
 * @example
 * const endpoint = mountDirectLine(server, { adapter, tokens: new DirectLineTokens(secret), secret, logger });
 * // new DirectLine({ domain: 'http://localhost:3978/v3/directline', token })
 * await endpoint.shutdown(10_000);
 */
export function mountDirectLine(server: Server, deps: DirectLineRouteDependencies): DirectLineEndpoint {
  const { adapter, tokens, secret, logger } = deps;
  const store = adapter.store;
  const coordinator = deps.coordinator ?? new InProcessCoordinator();
  const activitiesPerMinute = deps.activitiesPerMinute ?? ACTIVITIES_PER_MINUTE;
  const conversationsPerMinute = deps.conversationsPerMinute ?? CONVERSATIONS_PER_MINUTE;
  const wakeups =
    coordinator.kind === 'redis' ? new StreamWakeups({ coordinator, read: (id, watermark) => store.activitiesAfter(id, watermark), logger }) : undefined;
  const streams = new StreamHub(wakeups?.hooks);
  wakeups?.bind(streams);
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_ACTIVITY_BYTES });
  let stopping = false;
  adapter.onStored((conversationId, entries) => {
    // Alone, what this process stores is the whole conversation: push it as it is. In a cluster another
    // instance may store an earlier activity later, and a socket sent the later one first would then drop
    // the earlier as already seen: streams read the store, which never passes a sequence not yet stored.
    if (wakeups) wakeups.stored(conversationId, entries);
    else streams.publish(conversationId, entries);
  });

  const keys = { tokens, secret };

  /** Authorises and loads `:conversationId`, or answers the error and returns undefined. */
  const conversationOf = async (req: Request, res: Response): Promise<{ conversation: DirectLineConversation; access: Access } | undefined> => {
    const id = String(req.params?.conversationId ?? '');
    // 401/403 before 404: a token must not reveal whether someone else's conversation exists.
    const granted = accessOf(bearerOf(req.headers.authorization), keys, CONVERSATION_ID.test(id) ? id : '');
    if ('denied' in granted) return void sendError(res, granted.denied);
    if (!CONVERSATION_ID.test(id)) return void sendError(res, 'TOKEN_INVALID');
    const conversation = await store.get(id);
    if (!conversation) return void sendError(res, 'CONVERSATION_NOT_FOUND');
    return { conversation, access: granted };
  };

  const conversationResponse = (req: Request, conversation: DirectLineConversation, watermark?: number) => {
    const issued = tokens.issue(conversation.id, conversation.userId);
    const query = `watermark=${watermark ?? ''}&t=${encodeURIComponent(issued.token)}`;
    const streamUrl = `${baseUrlOf(req).replace(/^http/, 'ws')}${DIRECTLINE_PREFIX}/conversations/${conversation.id}/stream?${query}`;
    return { ...issued, streamUrl, referenceGrammarId: '' };
  };

  server.post(`${DIRECTLINE_PREFIX}/tokens/generate`, async (req: Request, res: Response) => {
    if (secret) {
      const credential = bearerOf(req.headers.authorization);
      if (!credential) return sendError(res, 'CREDENTIALS_MISSING');
      if (!sameSecret(credential, secret)) return sendError(res, 'SECRET_REQUIRED');
    }
    const body = startSchema.safeParse(req.body ?? {});
    const userId = (body.success ? body.data.user?.id : undefined) ?? newUserId();
    res.send(200, tokens.issue(newId(), userId));
  });

  server.post(`${DIRECTLINE_PREFIX}/tokens/refresh`, async (req: Request, res: Response) => {
    const granted = accessOf(bearerOf(req.headers.authorization), { tokens, secret: undefined });
    if ('denied' in granted) return sendError(res, granted.denied);
    if (granted.kind !== 'token') return sendError(res, 'TOKEN_INVALID');
    const issued = tokens.issue(granted.claims.conv, granted.claims.user);
    // The official client keeps its socket and refreshes over HTTP: the socket lives as long as the new token.
    const renewed = tokens.verify(issued.token);
    if (renewed) streams.extend(renewed.conv, renewed.exp * 1000);
    res.send(200, issued);
  });

  server.post(`${DIRECTLINE_PREFIX}/conversations`, async (req: Request, res: Response) => {
    if (stopping) return sendError(res, 'SHUTTING_DOWN');
    const granted = accessOf(bearerOf(req.headers.authorization), keys);
    if ('denied' in granted) return sendError(res, granted.denied);
    const parsed = startSchema.safeParse(req.body ?? {});
    const start = parsed.success ? parsed.data : {};
    if (granted.kind === 'token') {
      // A token names its conversation: the first start creates it, later ones resume it (page reload).
      const existing = await store.get(granted.claims.conv);
      if (existing) {
        res.send(200, conversationResponse(req, existing));
        return;
      }
    }
    // Only citizens' browsers are counted; the secret belongs to the city's own back end.
    const address = clientAddress(req, deps.trustProxyHops ?? 0);
    if (granted.kind === 'token') {
      const decision = await coordinator.consume(`dl-start:${address}`, conversationsPerMinute, 60_000);
      if (!decision.allowed) {
        res.header('Retry-After', String(retryAfterSeconds(decision.retryAfterMs)));
        return sendError(res, 'CONVERSATIONS_RATE_LIMITED');
      }
    }
    let conversation: DirectLineConversation;
    try {
      conversation = await store.create({
        id: granted.kind === 'token' ? granted.claims.conv : newId(),
        userId: granted.kind === 'token' ? granted.claims.user : (start.user?.id ?? newUserId()),
        locale: start.locale,
        serviceUrl: `${baseUrlOf(req)}${DIRECTLINE_PREFIX}`,
      });
    } catch (error) {
      if (!(error instanceof ConversationStoreFullError)) throw error;
      logger.warn({ heldBytes: error.heldBytes, maxBytes: error.maxBytes }, 'direct line memory budget reached: new conversation refused');
      res.header('Retry-After', String(AT_CAPACITY_RETRY_SECONDS));
      return sendError(res, 'DIRECTLINE_AT_CAPACITY');
    }
    res.send(201, conversationResponse(req, conversation));
    // After the answer: the welcome reaches the client through the stream or the next poll.
    void adapter.startConversation(conversation);
  });

  server.get(`${DIRECTLINE_PREFIX}/conversations/:conversationId`, async (req: Request, res: Response) => {
    const found = await conversationOf(req, res);
    if (!found) return;
    deps.presence?.seen(found.conversation.id);
    res.send(200, conversationResponse(req, found.conversation, watermarkOf(req)));
  });

  server.get(`${DIRECTLINE_PREFIX}/conversations/:conversationId/activities`, async (req: Request, res: Response) => {
    const found = await conversationOf(req, res);
    if (!found) return;
    const id = found.conversation.id;
    deps.presence?.seen(id);
    const after = watermarkOf(req) ?? 0;
    // Nothing new keeps the client's watermark: with several writers the last sequence taken may not be
    // stored yet, and a watermark past it would skip that activity for good.
    res.send(200, activitySetOf(await store.activitiesAfter(id, after), after));
  });

  server.post(`${DIRECTLINE_PREFIX}/conversations/:conversationId/activities`, async (req: Request, res: Response) => {
    if (stopping) return sendError(res, 'SHUTTING_DOWN');
    const found = await conversationOf(req, res);
    if (!found) return;
    const { conversation } = found;
    deps.presence?.seen(conversation.id);
    if (Number(req.headers['content-length'] ?? 0) > MAX_ACTIVITY_BYTES || Buffer.byteLength(JSON.stringify(req.body ?? null)) > MAX_ACTIVITY_BYTES) {
      return sendError(res, 'ACTIVITY_TOO_LARGE');
    }
    if (!req.is('json')) return sendError(res, 'UNSUPPORTED_MEDIA_TYPE');
    const parsed = postedActivitySchema.safeParse(req.body);
    if (!parsed.success) {
      return sendError(res, 'INVALID_ACTIVITY', parsed.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`));
    }
    const decision = await coordinator.consume(`dl-post:${conversation.id}|${conversation.userId}`, activitiesPerMinute, 60_000);
    if (!decision.allowed) {
      res.header('Retry-After', String(retryAfterSeconds(decision.retryAfterMs)));
      return sendError(res, 'RATE_LIMITED');
    }
    try {
      res.send(200, await adapter.receiveActivity(conversation, parsed.data as Record<string, unknown>));
    } catch (error) {
      logger.error({ err: error, channel: 'directline' }, 'activity not processed');
      if (!res.headersSent) sendError(res, 'INTERNAL');
    }
  });

  const onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    // Other endpoints (the operator console) take their own upgrades.
    if (!url.pathname.startsWith(DIRECTLINE_PREFIX)) return;
    socket.on('error', destroySocket);
    const match = STREAM_PATH.exec(url.pathname);
    if (!match?.[1]) return refuse(socket, 404, 'CONVERSATION_NOT_FOUND');
    const conversationId = match[1];
    if (stopping) return refuse(socket, 503, 'SHUTTING_DOWN');
    const granted = accessOf(url.searchParams.get('t') ?? undefined, { tokens, secret: undefined }, conversationId);
    if ('denied' in granted) return refuse(socket, httpError(granted.denied).status, granted.denied);
    if (granted.kind !== 'token') return refuse(socket, 403, 'TOKEN_INVALID');
    const expiresAt = granted.claims.exp * 1000;
    const watermark = parseWatermark(url.searchParams.get('watermark')) ?? 0;
    store.get(conversationId).then(
      (conversation) => {
        if (!conversation) return refuse(socket, 404, 'CONVERSATION_NOT_FOUND');
        // The stored id, not the one cut from the URL: V8 keeps a slice's whole parent (the URL with its token) alive.
        wss.handleUpgrade(req, socket, head, (ws) => serveStream(ws, conversation.id, watermark, expiresAt));
      },
      (error: unknown) => {
        logger.error({ err: error }, 'direct line stream failed');
        refuse(socket, 500, 'INTERNAL');
      },
    );
  };
  /**
   * An open stream's listeners live as long as the stream: made here, out of the upgrade handler's scope,
   * they do not hold the upgrade request, its headers and its first bytes (a few KB per citizen) all along.
   */
  const serveStream = (ws: WebSocket, conversationId: string, watermark: number, expiresAt: number) => {
    keepAlive(ws);
    deps.presence?.streamOpened(conversationId);
    ws.once('close', () => deps.presence?.streamClosed(conversationId));
    ws.on('error', (error) => logger.debug({ err: error }, 'direct line stream error'));
    // Clients send empty messages as pings; nothing else is expected on the stream.
    ws.on('message', () => undefined);
    streams.attach(conversationId, ws, watermark, (w) => store.activitiesAfter(conversationId, w), expiresAt).catch((error: unknown) => {
      logger.warn({ err: error }, 'direct line stream could not send history');
      ws.terminate();
    });
  };
  const unregisterUpgrade = upgradeDispatcher(server.server).register((path) => path.startsWith(DIRECTLINE_PREFIX), onUpgrade);

  // Ping every stream; one that did not answer the previous ping is dead (a sleeping laptop) and is dropped.
  const alive = new WeakMap<WebSocket, boolean>();
  const keepAlive = (ws: WebSocket) => {
    alive.set(ws, true);
    ws.on('pong', () => alive.set(ws, true));
  };
  const pinger = setInterval(() => {
    for (const ws of wss.clients) {
      if (!alive.get(ws)) ws.terminate();
      else {
        alive.set(ws, false);
        ws.ping();
      }
    }
  }, KEEPALIVE_MS);
  pinger.unref();

  return {
    streams,
    async shutdown(graceMs: number) {
      stopping = true;
      await adapter.drain(graceMs);
      clearInterval(pinger);
      unregisterUpgrade();
      streams.closeAll();
      // Give clients a moment to answer the close handshake, then cut whatever is left so the HTTP server can close.
      const deadline = Date.now() + Math.min(1000, graceMs);
      while (wss.clients.size > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
      for (const ws of wss.clients) ws.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      await wakeups?.stop();
    },
  };
}


/** A socket's error listener that closes over nothing: it stays as long as the socket, which must not keep its upgrade request. */
function destroySocket(this: Duplex): void {
  this.destroy();
}

/** Answers a refused WebSocket upgrade with a plain HTTP error and the catalogue's JSON body. */
function refuse(socket: Duplex, status: number, code: HttpErrorCode): void {
  const body = JSON.stringify(httpError(code).body);
  socket.end(
    `HTTP/1.1 ${status} ${code}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}

/** `Retry-After` in whole seconds, at least 1. */
function retryAfterSeconds(ms: number): number {
  return Math.max(1, Math.ceil(ms / 1000));
}

function newId(): string {
  return randomBytes(16).toString('base64url');
}

/** `dl_` marks user ids the channel chose, as Azure's Direct Line does. */
function newUserId(): string {
  return `dl_${randomBytes(12).toString('base64url')}`;
}

function watermarkOf(req: Request): number | undefined {
  return parseWatermark(new URL(req.url ?? '/', 'http://localhost').searchParams.get('watermark'));
}

function parseWatermark(value: string | null): number | undefined {
  if (!value || !/^\d{1,12}$/.test(value)) return undefined;
  return Number(value);
}

/**
 * The public base URL of a request. Behind App Service or a reverse proxy the original scheme and
 * host arrive in X-Forwarded-*; the host is checked, since it is written into URLs we hand out.
 */
function baseUrlOf(req: Request): string {
  const forwardedProto = String(req.headers['x-forwarded-proto'] ?? '').split(',')[0]?.trim();
  const proto = forwardedProto === 'https' || forwardedProto === 'http' ? forwardedProto : req.isSecure() ? 'https' : 'http';
  const forwardedHost = String(req.headers['x-forwarded-host'] ?? '').split(',')[0]?.trim();
  const host = forwardedHost || req.headers.host || 'localhost';
  return `${proto}://${/^[A-Za-z0-9.\-:[\]]{1,255}$/.test(host) ? host : 'localhost'}`;
}
