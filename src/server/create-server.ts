import type { Server as HttpServer } from 'node:http';
import type { CloudAdapter, TurnContext } from 'botbuilder';
import restify, { type Request, type Response, type Server } from 'restify';
import type { Logger } from '../logger';
import { incomingActivitySchema } from './activity-schema';
import { RecordedResponse, type BotEndpointPolicy } from './bot-endpoint';
import { plausibleBotToken } from './bot-token';
import { corsHandler, type CorsOptions } from './cors';
import { isJsonContentType, readJsonBody, refuseBody } from './body-reader';
import { httpError, sendError, type HttpErrorCode } from './http-errors';
import { securityHeaders } from './security-headers';
import { serviceUrlAllowed } from './service-url';
import { upgradeDispatcher } from './upgrade-dispatcher';

/** Largest request body accepted on any route. */
export const MAX_BODY_BYTES = 256 * 1024;

/** Methods whose requests may carry a body; the bodies of others are never read. */
const BODY_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** What the server needs to know about the rest of the application. */
export interface ServerDependencies {
  readonly adapter: CloudAdapter;
  /** Runs one turn; the adapter calls it with the turn context. */
  readonly botLogic: (context: TurnContext) => Promise<void>;
  readonly readiness: () => { ready: boolean; details: Record<string, unknown> };
  readonly logger: Logger;
  /** Routes that read their own raw body (signed webhooks): the JSON body parser leaves them alone. */
  readonly rawBodyPaths?: readonly string[];
  /** How long a client may take; defaults in {@link DEFAULT_TIMEOUTS}. */
  readonly timeouts?: Partial<ServerTimeouts>;
  /** What /api/messages accepts ({@link botEndpointPolicy}); unset: open, as in local development. */
  readonly botEndpoint?: BotEndpointPolicy;
  /** Other origins allowed to load the widget and call Direct Line; unset: no CORS at all. */
  readonly cors?: CorsOptions;
}

/** Time limits of the HTTP server, in milliseconds. */
export interface ServerTimeouts {
  /** To send the request line and headers, from the moment the connection opens (a silent connection is closed then). */
  readonly headersMs: number;
  /** To send the whole request, body included (the answer may take longer). */
  readonly requestMs: number;
  /** An idle keep-alive connection stays open this long after its last answer. */
  readonly keepAliveMs: number;
}

/**
 * Browsers send their headers at once and our bodies are at most 256 KB, so a client that needs
 * more than 10 s for the headers or 30 s for the request is holding a socket, not sending one.
 * Keep-alive stays at Node's 5 s: a browser reopens cheaply.
 */
export const DEFAULT_TIMEOUTS: ServerTimeouts = { headersMs: 10_000, requestMs: 30_000, keepAliveMs: 5_000 };

/** The server plus what graceful shutdown needs. */
export interface DialogoServer {
  readonly server: Server;
  /** Turns being processed right now. */
  inFlight(): number;
  /** Stops accepting connections, waits for turns in flight (at most `graceMs`), then closes. */
  shutdown(graceMs: number): Promise<void>;
}

/**
 * Builds the restify server with Dialogo's routes: `POST /api/messages` (Bot Framework),
 * `GET /healthz` and `GET /readyz`. Listening is left to the caller.
 *
 * @example
 * const { server } = createServer({ adapter, botLogic: (ctx) => bot.run(ctx), readiness, logger });
 * server.listen(3978);
 */
export function createServer(deps: ServerDependencies): DialogoServer {
  const { adapter, botLogic, readiness, logger } = deps;
  const server = restify.createServer({ name: 'dialogo', handleUncaughtExceptions: false });
  applyTimeouts(server.server, { ...DEFAULT_TIMEOUTS, ...deps.timeouts });
  // Created now, before any endpoint registers, so that no upgrade is ever left unanswered.
  upgradeDispatcher(server.server);
  let inFlight = 0;
  let stopping = false;
  const idleWaiters: (() => void)[] = [];

  server.pre(securityHeaders());
  // Preflights are answered before routing and before any body is read.
  if (deps.cors) server.pre(corsHandler(deps.cors));

  const rawBodyPaths = new Set(deps.rawBodyPaths ?? []);
  // Bodies are read here, after routing (an unknown route reads nothing), before any handler.
  server.use((req: Request, res: Response, next: (err?: false) => void) => {
    if (!BODY_METHODS.has(req.method ?? '') || rawBodyPaths.has(req.getPath())) return next();
    readJsonBody(req, { maxBytes: MAX_BODY_BYTES }).then(
      (result) => {
        if (result.ok) {
          req.body = result.body;
          return next();
        }
        refuseBody(res, result);
        next(false);
      },
      // The reader settles every outcome itself; this only keeps a bug of ours from ending the process.
      (error: unknown) => {
        logger.error({ err: error, url: req.url }, 'request body not read');
        if (!res.headersSent) sendError(res, 'INTERNAL');
        next(false);
      },
    );
  });

  // restify's own errors (unknown route, method not allowed) get the catalogue's JSON shape.
  server.on('restifyError', (req: Request, res: Response, err: { statusCode?: number; name?: string; message?: string }, callback: () => void) => {
    const code = codeOfRestifyError(err);
    if (code) {
      const { status, body } = httpError(code);
      (err as { toJSON?: () => unknown }).toJSON = () => body;
      (err as { statusCode?: number }).statusCode = status;
    } else if ((err.statusCode ?? 500) >= 500) {
      // A handler's failure: the catalogue's body, never the error's own message (a driver's names hosts
      // and databases). The store being away is worth telling as such: the client retries.
      const unavailable = /^Mongo/.test(err.name ?? '');
      const { status, body } = httpError(unavailable ? 'STORE_UNAVAILABLE' : 'INTERNAL');
      (err as { toJSON?: () => unknown }).toJSON = () => body;
      (err as { statusCode?: number }).statusCode = status;
      if (unavailable && !res.headersSent) res.header('Retry-After', '5');
    } else {
      (err as { toJSON?: () => unknown }).toJSON = () => ({ error: { code: err.name ?? 'Error', message: err.message ?? '' } });
    }
    if ((err.statusCode ?? 500) >= 500) logger.error({ err, url: req.url }, 'request failed');
    callback();
  });

  server.get('/healthz', async (_req: Request, res: Response) => {
    res.send(200, { status: 'ok', uptimeSec: Math.round(process.uptime()) });
  });

  server.get('/readyz', async (_req: Request, res: Response) => {
    const { ready, details } = readiness();
    const ok = ready && !stopping;
    res.send(ok ? 200 : 503, { ready: ok, ...(stopping ? { stopping: true } : {}), ...details });
  });

  const policy = deps.botEndpoint ?? { kind: 'open' };
  if (policy.kind === 'closed') {
    logger.warn('NODE_ENV=production without MicrosoftAppId: /api/messages refuses every activity (set MicrosoftAppId and its password to serve Bot Framework channels)');
  }

  server.post('/api/messages', async (req: Request, res: Response) => {
    if (stopping) return sendError(res, 'SHUTTING_DOWN');
    if (policy.kind === 'closed') return sendError(res, 'CHANNEL_NOT_CONFIGURED', ['in production /api/messages needs MicrosoftAppId: anonymous activities are refused']);
    if (!readiness().ready) return sendError(res, 'NOT_READY');
    if (!isJsonContentType(req.headers['content-type'])) return sendError(res, 'UNSUPPORTED_MEDIA_TYPE');
    const parsed = incomingActivitySchema.safeParse(req.body);
    if (!parsed.success) {
      return sendError(res, 'INVALID_ACTIVITY', parsed.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`));
    }
    if (policy.kind === 'authenticated') {
      // Refused with no network call: botbuilder would fetch signing keys for any token it is shown.
      if (!plausibleBotToken(req.headers.authorization, policy.appId, Date.now())) return sendError(res, 'UNAUTHORIZED');
      // Checked before the turn: replies, and later the operator's, go to this URL.
      if (!serviceUrlAllowed(parsed.data.serviceUrl, policy.serviceUrlHosts)) return sendError(res, 'SERVICE_URL_NOT_ALLOWED');
    }
    inFlight += 1;
    let turnStarted = false;
    const recorded = new RecordedResponse(res.socket);
    try {
      await adapter.process(req, recorded, (context) => {
        turnStarted = true;
        return botLogic(context);
      });
      answer(res, recorded, turnStarted);
    } catch (error) {
      logger.error({ err: error }, 'turn failed');
      if (!res.headersSent) sendError(res, 'INTERNAL');
    } finally {
      inFlight -= 1;
      if (inFlight === 0) idleWaiters.splice(0).forEach((resolve) => resolve());
    }
  });

  /** Sends what botbuilder answered, its errors as the catalogue's: never its free text. */
  const answer = (res: Response, recorded: RecordedResponse, turnStarted: boolean) => {
    const status = recorded.statusCode;
    // botbuilder's own failures carry its error text; an invoke response (any status) is the bot's answer.
    if (status < 400 || (turnStarted && typeof recorded.body !== 'string')) {
      if (recorded.body === undefined) res.send(status);
      else res.send(status, recorded.body);
      return;
    }
    // Before the turn, any failure is authentication's: a forged token, or keys that could not be fetched.
    if (status === 401 || !turnStarted) {
      logger.warn({ status, reason: String(recorded.body ?? '').slice(0, 200) }, 'bot framework request not authenticated');
      return sendError(res, status === 400 ? 'INVALID_ACTIVITY' : 'UNAUTHORIZED');
    }
    logger.error({ status, reason: String(recorded.body ?? '').slice(0, 200) }, 'turn failed');
    sendError(res, 'INTERNAL');
  };

  return {
    server,
    inFlight: () => inFlight,
    async shutdown(graceMs: number) {
      stopping = true;
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      const idle = inFlight === 0 ? Promise.resolve() : new Promise<void>((resolve) => idleWaiters.push(resolve));
      await Promise.race([idle, new Promise<void>((resolve) => setTimeout(resolve, graceMs).unref())]);
      // Keep-alive connections would hold close() open: end them once turns in flight are done.
      (server.server as unknown as { closeAllConnections?: () => void }).closeAllConnections?.();
      await closed;
    },
  };
}


function applyTimeouts(httpServer: HttpServer, timeouts: ServerTimeouts): void {
  httpServer.headersTimeout = timeouts.headersMs;
  httpServer.requestTimeout = timeouts.requestMs;
  httpServer.keepAliveTimeout = timeouts.keepAliveMs;
  // Node checks the two timeouts every connectionsCheckingInterval (30 s by default, read when the
  // server starts listening); restify creates the server without options, so it is set here.
  (httpServer as HttpServer & { connectionsCheckingInterval: number }).connectionsCheckingInterval = Math.max(250, Math.min(1000, timeouts.headersMs / 4));
}

function codeOfRestifyError(err: { statusCode?: number; name?: string }): HttpErrorCode | undefined {
  switch (err.name) {
    case 'ResourceNotFoundError':
      return 'NOT_FOUND';
    case 'MethodNotAllowedError':
      return 'METHOD_NOT_ALLOWED';
    default:
      return undefined;
  }
}
