import type { Request, Response, Server } from 'restify';
import { z } from 'zod';
import type { KnowledgeRuntime } from '../bot/runtime';
import type { OperatorIdentity } from '../handoff/handoff-service';
import type { Logger } from '../logger';
import { RequestError, type RequestErrorCode, type WrittenRequests } from '../handoff/written-requests';
import { httpError, sendError, type HttpErrorCode } from '../server/http-errors';
import { TICKET_OUTCOMES, TICKET_STATES } from '../storage/record-schemas';
import type { TicketRecord } from '../storage/ports';

type Guarded = (handler: (req: Request, res: Response, who: OperatorIdentity) => Promise<void>) => (req: Request, res: Response) => Promise<void>;

/** What {@link mountRequestRoutes} needs from the operator API and the composition root. */
export interface RequestRouteDependencies {
  readonly requests: WrittenRequests;
  /** The operator API's wrapper: a console token, the account looked up, errors caught. */
  readonly guarded: Guarded;
  /** Fires when a citizen leaves a new written request (HandoffService's `tickets` event). */
  readonly onNewRequest: (listener: () => void) => () => void;
  /** Sends a message to every open console. */
  readonly push: (message: unknown) => void;
  readonly runtime: () => KnowledgeRuntime;
  readonly logger: Logger;
}

const REQUESTS = '/api/operator/requests';
const DEFAULT_LIMIT = 100;

const STATUS_OF: Record<RequestErrorCode, HttpErrorCode> = {
  REQUEST_NOT_FOUND: 'NOT_FOUND',
  REQUEST_NOT_OPEN: 'REQUEST_NOT_OPEN',
  REQUEST_BEING_ANSWERED: 'REQUEST_BEING_ANSWERED',
  REQUEST_CLOSED: 'REQUEST_CLOSED',
  CLOSE_REASON_REQUIRED: 'CLOSE_REASON_REQUIRED',
  MAIL_NOT_CONFIGURED: 'MAIL_NOT_CONFIGURED',
  MAIL_FAILED: 'MAIL_FAILED',
};

/** A reference as citizens copy it: any case, spaces around; stored upper case. */
const referenceSchema = z
  .string()
  .trim()
  .toUpperCase()
  .regex(/^DLG-\d{4}-\d{6,9}$/, 'reference must look like DLG-2026-000123');

/** The list's query string: every parameter once, nothing else (see docs/operator-api.yaml). */
const listQuerySchema = z
  .object({
    reference: referenceSchema.optional(),
    state: z.enum(TICKET_STATES, 'state must be open, answered or closed').optional(),
    topic: z.string().regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, 'topic must be a topic id (kebab-case)').max(80).optional(),
    olderThanHours: z.string().regex(/^\d{1,4}$/, 'olderThanHours must be a whole number of hours').transform(Number).pipe(z.number().int().min(1).max(8760, 'olderThanHours must be at most 8760 (a year)')).optional(),
    limit: z.string().regex(/^\d{1,3}$/, 'limit must be a whole number').transform(Number).pipe(z.number().int().min(1).max(500, 'limit must be at most 500')).optional(),
  })
  .strict();

const replySchema = z.object({ text: z.string().trim().min(1, 'text must not be empty').max(5000, 'text must be at most 5,000 characters') }).strict();

const closeSchema = z
  .object({
    outcome: z.enum(TICKET_OUTCOMES, `outcome must be one of ${TICKET_OUTCOMES.join(', ')}`),
    note: z.string().trim().max(1000, 'note must be at most 1,000 characters').optional(),
  })
  .strict();

function problems(error: z.ZodError): string[] {
  return error.issues.map((i) => (i.code === 'unrecognized_keys' ? `unknown parameter(s): ${i.keys.join(', ')}` : `${i.path.join('.') || 'body'}: ${i.message}`));
}

/** The query string as one value per name; undefined when a name repeats (`?state=open&state=closed`). */
function queryEntries(url: string | undefined): Record<string, string> | undefined {
  const params = new URL(url ?? '/', 'http://localhost').searchParams;
  const entries = new Map<string, string>();
  for (const [name, value] of params) {
    if (entries.has(name)) return undefined;
    entries.set(name, value);
  }
  // fromEntries defines own properties: `__proto__` stays a parameter name (refused as unknown).
  return Object.fromEntries(entries);
}

/**
 * The written-request routes of the operator API (docs/operator-api.yaml, "Written requests"):
 * search, detail with the conversation that led to the request, answer by e-mail, close. Any
 * operator may use them; every refusal is a catalogued error and changes nothing. Consoles get
 * `{ type: 'requests', totals }` on their WebSocket when a request arrives, is answered or closed.
 *
 * @example
 * const routes = mountRequestRoutes(server, { requests, guarded, onNewRequest, push, runtime });
 * routes.shutdown();
 */
export function mountRequestRoutes(server: Server, deps: RequestRouteDependencies): { shutdown(): void } {
  const { requests, guarded } = deps;

  const handled = (handler: (req: Request, res: Response, who: OperatorIdentity) => Promise<void>) =>
    guarded(async (req, res, who) => {
      try {
        await handler(req, res, who);
      } catch (error) {
        if (!(error instanceof RequestError)) throw error;
        sendError(res, STATUS_OF[error.code], undefined, error.message);
      }
    });

  const referenceOf = (req: Request, res: Response): string | undefined => {
    const parsed = referenceSchema.safeParse(String(req.params.reference ?? ''));
    if (parsed.success) return parsed.data;
    sendError(res, 'INVALID_REQUEST', problems(parsed.error));
    return undefined;
  };

  server.get(
    REQUESTS,
    handled(async (req, res) => {
      const entries = queryEntries(req.url);
      if (!entries) return sendError(res, 'INVALID_REQUEST', ['each query parameter may be given once']);
      const parsed = listQuerySchema.safeParse(entries);
      if (!parsed.success) return sendError(res, 'INVALID_REQUEST', problems(parsed.error));
      const { reference, state, topic, olderThanHours, limit } = parsed.data;
      const found = await requests.search({
        limit: limit ?? DEFAULT_LIMIT,
        ...(reference ? { reference } : {}),
        ...(state ? { state } : {}),
        ...(topic ? { topicId: topic } : {}),
        ...(olderThanHours ? { olderThanHours } : {}),
      });
      res.send(200, { requests: found.requests.map(view), count: found.count, totals: found.totals, mailConfigured: requests.mailConfigured });
    }),
  );

  server.get(
    `${REQUESTS}/:reference`,
    handled(async (req, res, who) => {
      const reference = referenceOf(req, res);
      if (!reference) return;
      const detail = await requests.detail(reference, who);
      res.send(200, { request: view(detail.request), transcript: detail.transcript, transcriptWithheld: detail.transcriptWithheld, mailConfigured: requests.mailConfigured });
    }),
  );

  server.post(
    `${REQUESTS}/:reference/reply`,
    handled(async (req, res, who) => {
      const reference = referenceOf(req, res);
      if (!reference) return;
      const parsed = replySchema.safeParse(req.body);
      if (!parsed.success) return sendError(res, 'INVALID_REQUEST', problems(parsed.error));
      try {
        res.send(200, { request: view(await requests.reply(reference, who, parsed.data.text)) });
      } catch (error) {
        if (!(error instanceof RequestError) || error.code !== 'MAIL_FAILED') throw error;
        // The operator's text comes back with the refusal, so that nothing they wrote is lost.
        const { status, body } = httpError('MAIL_FAILED', undefined, error.message);
        res.send(status, { error: { ...body.error, text: parsed.data.text } });
      }
    }),
  );

  server.post(
    `${REQUESTS}/:reference/close`,
    handled(async (req, res, who) => {
      const reference = referenceOf(req, res);
      if (!reference) return;
      const parsed = closeSchema.safeParse(req.body);
      if (!parsed.success) return sendError(res, 'INVALID_REQUEST', problems(parsed.error));
      const note = parsed.data.note ? parsed.data.note : undefined;
      res.send(200, { request: view(await requests.close(reference, who, parsed.data.outcome, note)) });
    }),
  );

  /** The request as the console gets it; its kept conversation goes in the detail's `transcript`. */
  function view({ transcript: _kept, ...request }: TicketRecord): Omit<TicketRecord, 'transcript'> & { topicTitle: string | null } {
    return { ...request, topicTitle: request.topicId ? (deps.runtime().kb.get(request.topicId)?.title.it ?? null) : null };
  }

  const pushTotals = () => {
    requests.totals().then(
      (totals) => deps.push({ type: 'requests', totals }),
      (error: unknown) => deps.logger.warn({ err: error }, 'written-request counts not pushed'),
    );
  };
  const stopNew = deps.onNewRequest(pushTotals);
  requests.on('changed', pushTotals);
  return {
    shutdown() {
      stopNew();
      requests.off('changed', pushTotals);
    },
  };
}
