import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Request, Response, Server } from 'restify';
import { WebSocketServer, type WebSocket } from 'ws';
import { z } from 'zod';
import type { KnowledgeRuntime } from '../bot/runtime';
import { FacetPicker } from '../nlu/facet-picker';
import { HandoffError, type HandoffService, type HandoverEvent, type OperatorIdentity, type QueueEntry } from '../handoff/handoff-service';
import type { Logger } from '../logger';
import { clientAddress } from '../server/client-address';
import { httpError, sendError, type HttpErrorCode } from '../server/http-errors';
import { upgradeDispatcher } from '../server/upgrade-dispatcher';
import type { HandoffNote, HandoffSession, TranscriptEntry } from '../storage/ports';
import { conversationAccess, forbiddenReason } from './conversation-access';
import type { LoginLimiter } from './login-rate-limiter';
import type { OperatorAccounts, OperatorView } from './operator-accounts';
import { bearerIdentity, bearerToken, identityOf } from './operator-auth';
import { issuedAt, type OperatorClaims, type OperatorTokens } from './operator-tokens';
import { mountRequestRoutes } from './request-routes';
import type { WrittenRequests } from '../handoff/written-requests';
import { mountSupervisionApi } from './supervision-routes';
import { mountWorkspaceApi, parseWrapUp, type WorkspaceStores } from './workspace-routes';

export const OPERATOR_API = '/api/operator';
export const OPERATOR_WS_PATH = '/api/operator/ws';
/** Close code of a console socket whose token expired or whose account was removed or disabled: sign in again. */
export const CONSOLE_TOKEN_INVALID_CLOSE = 4401;
/** How often open console sockets are checked against the accounts (a removal made by the CLI is seen within this). */
const CONSOLE_RECHECK_MS = 15_000;

export interface OperatorRouteDependencies {
  readonly handoff: HandoffService;
  readonly accounts: OperatorAccounts;
  readonly tokens: OperatorTokens;
  /** In cluster mode, the one every instance shares. */
  readonly limiter: LoginLimiter;
  /** Reverse proxies in front of Dialogo whose `X-Forwarded-For` entry is believed (config.edge.trustProxyHops). */
  readonly trustProxyHops: number;
  readonly runtime: () => KnowledgeRuntime;
  readonly logger: Logger;
  /** Canned replies, notes, callbacks and history (src/operators/workspace-routes.ts). */
  readonly workspace: WorkspaceStores;
  /** Written requests: search, answer by e-mail, close (src/operators/request-routes.ts). */
  readonly requests: WrittenRequests;
}

const loginSchema = z.object({ username: z.string().min(1).max(64), password: z.string().min(1).max(1024) });
const messageSchema = z.object({ text: z.string().trim().min(1, 'text must not be empty').max(2000) });
const closeSchema = z.object({ outcome: z.enum(['resolved', 'written-request', 'callback']) });
const HANDOFF_STATUS: Record<HandoffError['code'], HttpErrorCode> = {
  NOT_FOUND: 'NOT_FOUND',
  ALREADY_CLAIMED: 'ALREADY_CLAIMED',
  OPERATOR_AT_CAPACITY: 'OPERATOR_AT_CAPACITY',
  NOT_YOUR_CONVERSATION: 'NOT_YOUR_CONVERSATION',
  NOT_CONNECTED: 'NOT_CONNECTED',
  MESSAGING_WINDOW_CLOSED: 'MESSAGING_WINDOW_CLOSED',
  OPERATOR_UNAVAILABLE: 'OPERATOR_UNAVAILABLE',
  COLLEAGUE_AT_CAPACITY: 'COLLEAGUE_AT_CAPACITY',
  ALREADY_HOLDER: 'ALREADY_HOLDER',
  HOLDER_CHANGED: 'HOLDER_CHANGED',
};

/**
 * The operator console's API under `/api/operator` (documented in docs/operator-api.yaml) and
 * its WebSocket of live updates at `/api/operator/ws?token=`. Every route but login needs a
 * console token; the account is looked up on each call, so a removed or disabled operator is
 * out at once. Citizen text goes out as JSON strings; the page renders it as text.
 *
 * @example
 * const console = mountOperatorApi(server, { handoff, accounts, tokens, limiter, runtime: () => holder.current(), logger });
 * await console.shutdown();
 */
export function mountOperatorApi(server: Server, deps: OperatorRouteDependencies): { shutdown(): Promise<void> } {
  const { handoff, accounts, tokens, limiter, logger } = deps;

  const identify = async (req: Request, res: Response, role?: 'supervisor'): Promise<OperatorIdentity | undefined> => {
    const identity = await bearerIdentity(req, tokens, accounts);
    if (!identity) {
      sendError(res, 'OPERATOR_TOKEN_INVALID');
      return undefined;
    }
    if (role === 'supervisor' && identity.role !== 'supervisor') {
      sendError(res, 'FORBIDDEN');
      return undefined;
    }
    return identity;
  };

  const guarded = (handler: (req: Request, res: Response, who: OperatorIdentity) => Promise<void>, role?: 'supervisor') => async (req: Request, res: Response) => {
    try {
      const who = await identify(req, res, role);
      if (who) await handler(req, res, who);
    } catch (error) {
      if (error instanceof HandoffError) return sendError(res, HANDOFF_STATUS[error.code], undefined, error.message);
      logger.error({ err: error, url: req.url }, 'operator API failed');
      if (!res.headersSent) sendError(res, 'INTERNAL');
    }
  };

  server.post(`${OPERATOR_API}/login`, async (req: Request, res: Response) => {
    const parsed = loginSchema.safeParse(req.body);
    if (!parsed.success) return sendError(res, 'INVALID_REQUEST', parsed.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`));
    const { username, password } = parsed.data;
    const address = clientAddress(req, deps.trustProxyHops);
    const decision = await limiter.attempt(username, address);
    if (!decision.allowed) {
      // Debug only: refusals are as many as an attacker sends; the failures logged below are bounded by the limits.
      logger.debug({ username: username.slice(0, 64), address, limitedBy: decision.limitedBy }, 'operator sign-in refused: too many failures');
      res.header('retry-after', String(Math.ceil(decision.retryAfterMs / 1000)));
      return sendError(res, 'LOGIN_RATE_LIMITED');
    }
    let account: OperatorView | undefined;
    try {
      account = await accounts.authenticate(username, password);
    } catch (error) {
      // The store failed, no password was judged: the attempt does not count against anyone.
      await decision.attempt.cancel();
      logger.error({ err: error }, 'operator sign-in could not be checked');
      return sendError(res, 'INTERNAL');
    }
    if (!account) {
      await decision.attempt.fail();
      logger.warn({ username: username.slice(0, 64), address }, 'operator sign-in failed');
      return sendError(res, 'LOGIN_FAILED');
    }
    await decision.attempt.succeed();
    res.send(200, {
      token: tokens.issue(account.name, account.role),
      operator: { name: account.name, displayName: account.displayName ?? null, role: account.role, maxConcurrent: account.maxConcurrent },
    });
  });

  server.get(`${OPERATOR_API}/me`, guarded(async (_req, res, who) => void res.send(200, { ...who, displayName: who.displayName ?? null })));

  // "Esci": the token stops working on the server too, not only in the browser that forgot it.
  server.post(
    `${OPERATOR_API}/logout`,
    guarded(async (req, res, who) => {
      const claims = tokens.verify(bearerToken(req));
      if (claims) await accounts.signOut(who.name, issuedAt(claims));
      logger.info({ operator: who.name }, 'operator signed out');
      res.send(204);
    }),
  );

  server.get(
    `${OPERATOR_API}/queue`,
    guarded(async (_req, res, who) => {
      res.send(200, await queueView(who));
    }),
  );

  server.get(
    `${OPERATOR_API}/operators`,
    guarded(async (_req, res, who) => {
      res.send(200, { operators: (await queueView(who)).operators ?? [] });
    }, 'supervisor'),
  );

  server.post(
    `${OPERATOR_API}/conversations/:id/claim`,
    guarded(async (req, res, who) => {
      const session = await handoff.claim(String(req.params.id), who);
      res.send(200, { session: await sessionView(session) });
    }),
  );

  server.get(
    `${OPERATOR_API}/conversations/:id`,
    guarded(async (req, res, who) => {
      const session = await handoff.get(String(req.params.id));
      if (!session) return sendError(res, 'NOT_FOUND');
      const access = conversationAccess(session, who);
      if (access === 'none') return sendError(res, 'CONVERSATION_FORBIDDEN', undefined, forbiddenReason(session));
      if (access === 'summary') return void res.send(200, { session: await sessionView(session) });
      res.send(200, { session: await sessionView(session), transcript: session.transcript.map(withTitle), messages: session.messages.map(withTitle) });
    }),
  );

  server.post(
    `${OPERATOR_API}/conversations/:id/messages`,
    guarded(async (req, res, who) => {
      const parsed = messageSchema.safeParse(req.body);
      if (!parsed.success) return sendError(res, 'INVALID_REQUEST', parsed.error.issues.map((i) => i.message));
      const message = await handoff.operatorMessage(String(req.params.id), who, parsed.data.text);
      res.send(201, { message });
    }),
  );

  server.post(
    `${OPERATOR_API}/conversations/:id/close`,
    guarded(async (req, res, who) => {
      const parsed = closeSchema.safeParse(req.body);
      if (!parsed.success) return sendError(res, 'INVALID_REQUEST', ['outcome must be resolved, written-request or callback']);
      const wrapUp = parseWrapUp(req.body, parsed.data.outcome);
      if (!wrapUp.ok) return sendError(res, wrapUp.code, wrapUp.details);
      const session = await handoff.close(String(req.params.id), who, parsed.data.outcome, wrapUp.value);
      res.send(200, { session: await sessionView(session) });
    }),
  );

  server.get(
    `${OPERATOR_API}/suggestions`,
    guarded(async (req, res) => {
      const text = new URL(req.url ?? '/', 'http://localhost').searchParams.get('text')?.trim() ?? '';
      if (text.length === 0 || text.length > 1000) return void res.send(200, { suggestions: [] });
      const runtime = deps.runtime();
      const recognition = await runtime.recognizer.recognize(text);
      const picker = FacetPicker.of(runtime.kb);
      const suggestions = recognition.candidates.slice(0, 3).flatMap((c) => {
        const topic = runtime.kb.get(c.topicId);
        if (!topic) return [];
        // The facet the citizen's words ask about, so the operator pastes the short answer, not the whole topic.
        const facet = picker.pick(text, recognition.language, topic)?.facet;
        const answer = (facet ?? topic).answer[recognition.language];
        return [{ topicId: topic.id, facetId: facet?.id ?? null, title: topic.title[recognition.language], answer, link: facet?.link ?? topic.link, confidence: Math.round(c.confidence * 1000) / 1000 }];
      });
      res.send(200, { suggestions });
    }),
  );

  server.get(
    `${OPERATOR_API}/phone-codes/:code`,
    guarded(async (req, res, who) => {
      const session = await handoff.byPhoneCode(String(req.params.code));
      if (!session) return sendError(res, 'NOT_FOUND', undefined, 'Nessuna conversazione attiva con questo codice.');
      if (conversationAccess(session, who) === 'none') return sendError(res, 'CONVERSATION_FORBIDDEN', undefined, forbiddenReason(session));
      res.send(200, { session: await sessionView(session) });
    }),
  );

  mountSupervisionApi(server, { handoff, accounts, guarded, sessionView });
  mountWorkspaceApi(server, {
    guarded,
    stores: deps.workspace,
    runtime: deps.runtime,
    // A colleague's note reaches the holder and the supervisors reading the conversation at once.
    // Through the handoff service's events, so that in cluster mode the consoles on other instances hear it too.
    onNote: (session, note) => handoff.emit('note', session, note),
  });

  // ------------------------------------------------------------ live updates

  const wss = new WebSocketServer({ noServer: true, maxPayload: 4096 });
  const clients = new Map<WebSocket, OperatorIdentity>();
  /** Each console socket's verified token claims and the timer that closes it when the token expires. */
  const sessions = new Map<WebSocket, { claims: OperatorClaims; expiry: NodeJS.Timeout }>();

  /**
   * Ends a console socket whose token expired or whose account was removed or disabled: the
   * socket was the only way such a console still heard the queue and the citizens' words, and
   * it kept its operator present (counted in the estimates and offered transfers). Close code
   * 4401 tells the console to sign in again; the operator is away at once, as on "Esci".
   */
  const revoke = (ws: WebSocket, who: OperatorIdentity) => {
    if (!clients.has(ws)) return;
    clients.delete(ws);
    const session = sessions.get(ws);
    if (session) clearTimeout(session.expiry);
    sessions.delete(ws);
    handoff.operatorOnline(who, false, true);
    ws.close(CONSOLE_TOKEN_INVALID_CLOSE, 'token invalid');
  };

  /** The socket's operator as the accounts say now; revoked (and undefined) when the token or the account no longer holds. */
  const current = async (ws: WebSocket, who: OperatorIdentity): Promise<OperatorIdentity | undefined> => {
    const session = sessions.get(ws);
    const fresh = session && !tokens.expired(session.claims) ? await identityOf(accounts, session.claims) : undefined;
    if (!fresh) {
      revoke(ws, who);
      return undefined;
    }
    if (clients.has(ws)) clients.set(ws, fresh);
    return fresh;
  };

  const onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname !== OPERATOR_WS_PATH) return;
    socket.on('error', () => socket.destroy());
    const claims = tokens.verify(url.searchParams.get('token'));
    const refuse = (status: number, code: HttpErrorCode) => {
      const body = JSON.stringify(httpError(code).body);
      socket.end(`HTTP/1.1 ${status} ${status === 401 ? 'Unauthorized' : 'Error'}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`);
    };
    if (!claims) return refuse(401, 'OPERATOR_TOKEN_INVALID');
    identityOf(accounts, claims).then(
      (who) => {
        if (!who) return refuse(401, 'OPERATOR_TOKEN_INVALID');
        wss.handleUpgrade(req, socket, head, (ws) => {
          clients.set(ws, who);
          // The token's end is the socket's end: 10 hours after sign-in, well within a timer's range.
          const expiry = setTimeout(() => void current(ws, clients.get(ws) ?? who), tokens.remainingMs(claims) + 1);
          expiry.unref();
          sessions.set(ws, { claims, expiry });
          handoff.operatorOnline(who, true);
          ws.on('message', () => undefined);
          ws.on('error', (error) => logger.debug({ err: error }, 'operator socket error'));
          ws.on('close', (_code, reason) => {
            clearTimeout(sessions.get(ws)?.expiry);
            sessions.delete(ws);
            const last = clients.get(ws);
            // Revoked sockets were taken out (and their operator made away) already.
            if (!last) return;
            clients.delete(ws);
            // The console says "logout" when the operator signs out: away at once, not after the delay.
            handoff.operatorOnline(last, false, reason.toString() === 'logout');
          });
          void queueView(who).then((view) => send(ws, { type: 'queue', ...view }));
        });
      },
      () => refuse(500, 'INTERNAL'),
    );
  };
  const unregisterUpgrade = upgradeDispatcher(server.server).register((path) => path === OPERATOR_WS_PATH, onUpgrade);

  const broadcastQueue = () => {
    for (const [ws, who] of clients) {
      void current(ws, who)
        .then((fresh) => (fresh ? queueView(fresh).then((view) => send(ws, { type: 'queue', ...view })) : undefined))
        .catch((error: unknown) => logger.warn({ err: error }, 'queue not pushed'));
    }
  };
  // An account removed or disabled while its console is quiet: no queue change may come for a while.
  const recheck = setInterval(() => {
    for (const [ws, who] of clients) void current(ws, who).catch((error: unknown) => logger.warn({ err: error }, 'console socket not checked'));
  }, CONSOLE_RECHECK_MS);
  recheck.unref();
  // A live message is never part of a queued card's summary: only its holder and supervisors get it.
  const onMessage = (event: { sessionId: string; operator: string | null; entry: TranscriptEntry }) => {
    const held = { state: 'connected', operator: event.operator ?? undefined } as const;
    for (const [ws, who] of clients) if (conversationAccess(held, who) === 'full') send(ws, { type: 'message', sessionId: event.sessionId, entry: withTitle(event.entry) });
  };
  const onSession = (session: HandoffSession) => {
    void sessionView(session).then((view) => {
      for (const [ws, who] of clients) if (conversationAccess(session, who) === 'full') send(ws, { type: 'session', session: view });
    });
  };
  const requestRoutes = mountRequestRoutes(server, {
    requests: deps.requests,
    guarded,
    onNewRequest: (listener) => {
      handoff.on('tickets', listener);
      return () => handoff.off('tickets', listener);
    },
    push: (message) => clients.forEach((_who, ws) => send(ws, message)),
    runtime: deps.runtime,
    logger,
  });
  // The old holder no longer sees the conversation: they are told it left them, the new holder that it came.
  const onHandover = (event: HandoverEvent) => {
    const push = { type: 'handover', sessionId: event.session.id, kind: event.kind, from: event.from, to: event.to, by: event.by, note: event.note };
    for (const [ws, who] of clients) if (who.name === event.from || who.name === event.to) send(ws, push);
  };
  handoff.on('queue', broadcastQueue);
  handoff.on('operators', broadcastQueue);
  handoff.on('handover', onHandover);
  handoff.on('message', onMessage);
  handoff.on('session', onSession);
  const onNote = (session: HandoffSession, note: HandoffNote) => {
    for (const [ws, who] of clients) if (conversationAccess(session, who) === 'full') send(ws, { type: 'note', sessionId: session.id, note });
  };
  handoff.on('note', onNote);

  // ------------------------------------------------------------ views

  async function queueView(who: OperatorIdentity): Promise<{ sessions: unknown[]; presence: unknown; operators?: unknown[] }> {
    const entries = await handoff.queue();
    const visible = entries.filter((e) => conversationAccess(e.session, who) !== 'none');
    const sessions = visible.map(entryView);
    const mine = handoff.presence.get(who.name);
    const presence = { status: mine.status, since: mine.since };
    if (who.role !== 'supervisor') return { sessions, presence };
    const operators = (await accounts.list()).map((account) => {
      const p = handoff.presence.get(account.name);
      return {
        name: account.name,
        displayName: account.displayName ?? null,
        role: account.role,
        online: p.connections > 0,
        presence: p.status,
        presenceSince: p.since,
        active: entries.filter((e) => e.session.state === 'connected' && e.session.operator === account.name).length,
        maxConcurrent: account.maxConcurrent,
      };
    });
    return { sessions, presence, operators };
  }

  function entryView(entry: QueueEntry): Record<string, unknown> {
    const { session } = entry;
    return {
      id: session.id,
      channel: session.channel,
      language: session.language,
      state: session.state,
      queuedAt: session.queuedAt,
      waitingSec: entry.waitingSec,
      position: entry.position,
      etaSeconds: entry.etaSeconds,
      topicId: session.topicId,
      topicTitle: titleOf(session.topicId),
      description: session.description,
      operator: session.operator ?? null,
      connectedAt: session.connectedAt ?? null,
      phoneCode: session.phoneCode,
      handover: lastHandover(session),
      ...handoff.presenceOf(session),
      ...(session.endedAt ? { endedAt: session.endedAt, outcome: session.outcome ?? null } : {}),
    };
  }

  async function sessionView(session: HandoffSession): Promise<Record<string, unknown>> {
    return entryView(await handoff.entryOf(session));
  }

  function titleOf(topicId: string | null | undefined): string | null {
    return topicId ? (deps.runtime().kb.get(topicId)?.title.it ?? null) : null;
  }

  function withTitle(entry: TranscriptEntry): TranscriptEntry & { topicTitle?: string | null } {
    return entry.topicId ? { ...entry, topicTitle: titleOf(entry.topicId) } : entry;
  }

  return {
    async shutdown() {
      unregisterUpgrade();
      requestRoutes.shutdown();
      handoff.off('queue', broadcastQueue);
      handoff.off('operators', broadcastQueue);
      handoff.off('handover', onHandover);
      handoff.off('message', onMessage);
      handoff.off('session', onSession);
      handoff.off('note', onNote);
      clearInterval(recheck);
      for (const { expiry } of sessions.values()) clearTimeout(expiry);
      sessions.clear();
      for (const ws of wss.clients) ws.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}

/** The line of the conversation's last change of hands, for the new holder's card (null if none). */
function lastHandover(session: HandoffSession): { kind: string; text: string; at: string } | null {
  for (let i = session.messages.length - 1; i >= 0; i -= 1) {
    const entry = session.messages[i];
    if (entry?.handover) return { kind: entry.handover, text: entry.text, at: entry.at };
  }
  return null;
}

function send(ws: WebSocket, message: unknown): void {
  if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(message));
}
