import { randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Request, Response, Server } from 'restify';
import { WebSocketServer, type WebSocket } from 'ws';
import { z } from 'zod';
import type { Logger } from '../../logger';
import { MAX_TEXT_CHARS } from '../../server/activity-schema';
import { sameSecret } from '../../server/constant-time';
import { httpError, sendError, type HttpErrorCode } from '../../server/http-errors';
import { upgradeDispatcher } from '../../server/upgrade-dispatcher';
import { activitySetOf, type DirectLineConversation } from './conversation-store';
import type { DirectLineAdapter } from './directline-adapter';
import { RateLimiter } from './rate-limiter';
import { StreamHub } from './stream-hub';
import type { DirectLineTokens, TokenClaims } from './tokens';

/** Where Direct Line 3.0 is served; Web Chat's `domain` option points here. */
export const DIRECTLINE_PREFIX = '/v3/directline';
/** Largest activity a client may post. */
export const MAX_ACTIVITY_BYTES = 64 * 1024;
/** Activities a citizen may post per minute (per conversation and user, which a token names). */
export const ACTIVITIES_PER_MINUTE = 60;

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
  readonly limiter?: RateLimiter;
}

/** The mounted endpoint: its open streams and how to stop it. */
export interface DirectLineEndpoint {
  readonly streams: StreamHub;
  /** Refuses new work, waits for turns in flight (at most `graceMs`), then closes every stream. */
  shutdown(graceMs: number): Promise<void>;
}

type Access = { readonly kind: 'secret' } | { readonly kind: 'token'; readonly claims: TokenClaims };

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
  const limiter = deps.limiter ?? new RateLimiter(ACTIVITIES_PER_MINUTE, 60_000);
  const streams = new StreamHub();
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_ACTIVITY_BYTES });
  let stopping = false;
  adapter.onStored((conversationId, entries) => streams.publish(conversationId, entries));

  /** Secret (any conversation) or a token; `conversationId` given: the token must be bound to it. */
  const access = (req: Request, conversationId?: string): Access | undefined => {
    const credential = bearerOf(req.headers.authorization);
    if (!credential) return undefined;
    if (secret && sameSecret(credential, secret)) return { kind: 'secret' };
    const claims = tokens.verify(credential);
    if (!claims || (conversationId !== undefined && claims.conv !== conversationId)) return undefined;
    return { kind: 'token', claims };
  };

  /** Authorises and loads `:conversationId`, or answers the error and returns undefined. */
  const conversationOf = async (req: Request, res: Response): Promise<{ conversation: DirectLineConversation; access: Access } | undefined> => {
    const id = String(req.params?.conversationId ?? '');
    // 403 before 404: a token must not reveal whether someone else's conversation exists.
    const granted = CONVERSATION_ID.test(id) ? access(req, id) : undefined;
    if (!granted) return void sendError(res, 'TOKEN_INVALID');
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
    if (secret && !sameSecret(bearerOf(req.headers.authorization) ?? '', secret)) return sendError(res, 'SECRET_REQUIRED');
    const body = startSchema.safeParse(req.body ?? {});
    const userId = (body.success ? body.data.user?.id : undefined) ?? newUserId();
    res.send(200, tokens.issue(newId(), userId));
  });

  server.post(`${DIRECTLINE_PREFIX}/tokens/refresh`, async (req: Request, res: Response) => {
    const claims = tokens.verify(bearerOf(req.headers.authorization));
    if (!claims) return sendError(res, 'TOKEN_INVALID');
    res.send(200, tokens.issue(claims.conv, claims.user));
  });

  server.post(`${DIRECTLINE_PREFIX}/conversations`, async (req: Request, res: Response) => {
    if (stopping) return sendError(res, 'SHUTTING_DOWN');
    const granted = access(req);
    if (!granted) return sendError(res, 'TOKEN_INVALID');
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
    const conversation = await store.create({
      id: granted.kind === 'token' ? granted.claims.conv : newId(),
      userId: granted.kind === 'token' ? granted.claims.user : (start.user?.id ?? newUserId()),
      locale: start.locale,
      serviceUrl: `${baseUrlOf(req)}${DIRECTLINE_PREFIX}`,
    });
    res.send(201, conversationResponse(req, conversation));
    // After the answer: the welcome reaches the client through the stream or the next poll.
    void adapter.startConversation(conversation);
  });

  server.get(`${DIRECTLINE_PREFIX}/conversations/:conversationId`, async (req: Request, res: Response) => {
    const found = await conversationOf(req, res);
    if (!found) return;
    res.send(200, conversationResponse(req, found.conversation, watermarkOf(req)));
  });

  server.get(`${DIRECTLINE_PREFIX}/conversations/:conversationId/activities`, async (req: Request, res: Response) => {
    const found = await conversationOf(req, res);
    if (!found) return;
    const id = found.conversation.id;
    const after = watermarkOf(req) ?? 0;
    const entries = await store.activitiesAfter(id, after);
    res.send(200, activitySetOf(entries, Math.max(after, entries.length === 0 ? await store.lastWatermark(id) : 0)));
  });

  server.post(`${DIRECTLINE_PREFIX}/conversations/:conversationId/activities`, async (req: Request, res: Response) => {
    if (stopping) return sendError(res, 'SHUTTING_DOWN');
    const found = await conversationOf(req, res);
    if (!found) return;
    const { conversation } = found;
    if (Number(req.headers['content-length'] ?? 0) > MAX_ACTIVITY_BYTES || Buffer.byteLength(JSON.stringify(req.body ?? null)) > MAX_ACTIVITY_BYTES) {
      return sendError(res, 'ACTIVITY_TOO_LARGE');
    }
    if (!req.is('json')) return sendError(res, 'UNSUPPORTED_MEDIA_TYPE');
    const parsed = postedActivitySchema.safeParse(req.body);
    if (!parsed.success) {
      return sendError(res, 'INVALID_ACTIVITY', parsed.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`));
    }
    const key = `${conversation.id}|${conversation.userId}`;
    if (!limiter.allow(key)) {
      res.header('Retry-After', String(limiter.retryAfterSeconds(key)));
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
    socket.on('error', () => socket.destroy());
    const match = STREAM_PATH.exec(url.pathname);
    if (!match?.[1]) return refuse(socket, 404, 'CONVERSATION_NOT_FOUND');
    const conversationId = match[1];
    if (stopping) return refuse(socket, 503, 'SHUTTING_DOWN');
    const claims = tokens.verify(url.searchParams.get('t') ?? undefined);
    if (!claims || claims.conv !== conversationId) return refuse(socket, 403, 'TOKEN_INVALID');
    const watermark = parseWatermark(url.searchParams.get('watermark')) ?? 0;
    store.get(conversationId).then(
      (conversation) => {
        if (!conversation) return refuse(socket, 404, 'CONVERSATION_NOT_FOUND');
        wss.handleUpgrade(req, socket, head, (ws) => {
          keepAlive(ws);
          ws.on('error', (error) => logger.debug({ err: error }, 'direct line stream error'));
          // Clients send empty messages as pings; nothing else is expected on the stream.
          ws.on('message', () => undefined);
          streams.attach(conversationId, ws, watermark, (w) => store.activitiesAfter(conversationId, w)).catch((error: unknown) => {
            logger.warn({ err: error }, 'direct line stream could not send history');
            ws.terminate();
          });
        });
      },
      (error: unknown) => {
        logger.error({ err: error }, 'direct line stream failed');
        refuse(socket, 500, 'INTERNAL');
      },
    );
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
    },
  };
}


/** Answers a refused WebSocket upgrade with a plain HTTP error and the catalogue's JSON body. */
function refuse(socket: Duplex, status: number, code: HttpErrorCode): void {
  const body = JSON.stringify(httpError(code).body);
  socket.end(
    `HTTP/1.1 ${status} ${code}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}

function bearerOf(header: string | undefined): string | undefined {
  const match = /^Bearer\s+(\S+)$/i.exec(header ?? '');
  return match?.[1];
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
