import { randomUUID } from 'node:crypto';
import type { Request, Response, Server } from 'restify';
import { z } from 'zod';
import type { KnowledgeRuntime } from '../bot/runtime';
import type { OperatorIdentity } from '../handoff/handoff-service';
import { normalisePhoneNumber } from '../handoff/phone-number';
import type { WrapUpInput } from '../handoff/wrap-up';
import { zonedInstant } from '../handoff/zoned-time';
import { sendError, type HttpErrorCode } from '../server/http-errors';
import type { CallbackRecord, CallbackStore, CannedReplyStore, HandoffNote, HandoffNoteStore, HandoffSession, HandoffStore, TicketRecord, TicketStore } from '../storage/ports';
import { MAX_CANNED_TITLE, MAX_WORKSPACE_TEXT } from '../storage/workspace-schemas';
import { PLACEHOLDERS, placeholderProblems } from './canned-replies';
import { conversationAccess, forbiddenReason } from './conversation-access';

/** The operator API's guard (from operator-routes.ts): the caller's identity, the role check and the error mapping. */
export type Guard = (handler: (req: Request, res: Response, who: OperatorIdentity) => Promise<void>, role?: 'supervisor') => (req: Request, res: Response) => Promise<void>;

/** The stores the operator workspace reads and writes. */
export interface WorkspaceStores {
  readonly cannedReplies: CannedReplyStore;
  readonly notes: HandoffNoteStore;
  readonly callbacks: CallbackStore;
  /** Handoff sessions, for the access rule of notes and the history. */
  readonly sessions: HandoffStore;
  /** Written requests, found in the history by reference. */
  readonly tickets: TicketStore;
}

export interface WorkspaceRouteDependencies {
  readonly guarded: Guard;
  readonly stores: WorkspaceStores;
  readonly runtime: () => KnowledgeRuntime;
  readonly now?: () => Date;
  /** A note was added: the consoles that may read the conversation are told (the operator WebSocket). */
  readonly onNote?: (session: HandoffSession, note: HandoffNote) => void;
}

const API = '/api/operator';
const TIME_ZONE = 'Europe/Rome';

const cannedSchema = z
  .object({
    title: z.string().trim().min(1, 'title must not be empty').max(MAX_CANNED_TITLE, `title has at most ${MAX_CANNED_TITLE} characters`),
    text: z.string().trim().min(1, 'text must not be empty').max(MAX_WORKSPACE_TEXT, `text has at most ${MAX_WORKSPACE_TEXT} characters`),
  })
  .strict();
const noteSchema = z.object({ text: z.string().trim().min(1, 'text must not be empty').max(MAX_WORKSPACE_TEXT, `text has at most ${MAX_WORKSPACE_TEXT} characters`) }).strict();
const day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a day as YYYY-MM-DD').refine((d) => !Number.isNaN(Date.parse(`${d}T00:00:00Z`)), 'is not a calendar day');
const historySchema = z
  .object({
    code: z.string().regex(/^\d{6}$/, 'code is the 6-digit phone code').optional(),
    reference: z.string().trim().toUpperCase().pipe(z.string().regex(/^DLG-\d{4}-\d{6,}$/, 'reference looks like DLG-2026-000123')).optional(),
    topic: z.string().min(1).max(100).optional(),
    operator: z.string().min(1).max(64).optional(),
    from: day.optional(),
    to: day.optional(),
    limit: z.coerce.number().int().min(1).max(200).default(50),
  })
  .strict();
const callbackListSchema = z.object({ status: z.enum(['pending', 'done', 'all']).default('pending') }).strict();
const wrapUpSchema = z.object({
  note: z.string().max(MAX_WORKSPACE_TEXT, `note has at most ${MAX_WORKSPACE_TEXT} characters`).optional(),
  callbackNumber: z.string().max(32, 'callbackNumber has at most 32 characters').optional(),
});

type Refusal = { readonly ok: false; readonly code: HttpErrorCode; readonly details: string[] };

function issues(error: z.ZodError): string[] {
  return error.issues.map((i) => (i.path.length > 0 && !i.message.startsWith(String(i.path[0])) ? `${i.path.join('.')}: ${i.message}` : i.message));
}

/**
 * The wrap-up fields of a close request (`note`, and `callbackNumber` with the outcome
 * `callback`), checked: the close route of operator-routes.ts calls this before closing.
 *
 * @example
 * const wrapUp = parseWrapUp(req.body, 'callback');
 * if (!wrapUp.ok) return sendError(res, wrapUp.code, wrapUp.details);
 */
export function parseWrapUp(body: unknown, outcome: 'resolved' | 'written-request' | 'callback'): { readonly ok: true; readonly value: WrapUpInput } | Refusal {
  const parsed = wrapUpSchema.safeParse(body);
  if (!parsed.success) return { ok: false, code: 'INVALID_REQUEST', details: issues(parsed.error) };
  const note = parsed.data.note?.trim() || undefined;
  if (outcome !== 'callback') {
    if (parsed.data.callbackNumber !== undefined) return { ok: false, code: 'INVALID_REQUEST', details: ['callbackNumber goes only with the outcome callback'] };
    return { ok: true, value: { note } };
  }
  if (!parsed.data.callbackNumber?.trim()) return { ok: false, code: 'INVALID_PHONE_NUMBER', details: ['callbackNumber: the number the citizen gave is required with the outcome callback'] };
  const number = normalisePhoneNumber(parsed.data.callbackNumber);
  if (!number) return { ok: false, code: 'INVALID_PHONE_NUMBER', details: ['callbackNumber: not an Italian or international phone number (e.g. 02 1234 5678, 333 123 4567, +41 44 123 45 67)'] };
  return { ok: true, value: { note, callbackNumber: number } };
}

function query(req: Request): Record<string, string> {
  return Object.fromEntries(new URL(req.url ?? '/', 'http://localhost').searchParams);
}

/**
 * The operator's workspace under `/api/operator` (docs/operator-api.yaml): canned replies
 * (every operator reads, supervisors manage), internal notes on a conversation (its holder and
 * supervisors, as for the transcript), pending callbacks and the history of ended
 * conversations (supervisors see all, an operator those they held) and written requests.
 * Mounted by `mountOperatorApi`, which lends its guard.
 *
 * @example
 * mountWorkspaceApi(server, { guarded, stores, runtime: () => holder.current() });
 */
export function mountWorkspaceApi(server: Server, deps: WorkspaceRouteDependencies): void {
  const { guarded, stores } = deps;
  const now = deps.now ?? (() => new Date());
  const titleOf = (topicId: string | null | undefined): string | null => (topicId ? (deps.runtime().kb.get(topicId)?.title.it ?? null) : null);

  // ------------------------------------------------------------ canned replies

  server.get(
    `${API}/canned-replies`,
    guarded(async (_req, res) => void res.send(200, { replies: await stores.cannedReplies.list(), placeholders: PLACEHOLDERS })),
  );

  const parseCanned = (body: unknown): { ok: true; value: { title: string; text: string } } | Refusal => {
    const parsed = cannedSchema.safeParse(body);
    if (!parsed.success) return { ok: false, code: 'INVALID_REQUEST', details: issues(parsed.error) };
    const problems = placeholderProblems(parsed.data.text);
    if (problems.length > 0) return { ok: false, code: 'UNKNOWN_PLACEHOLDER', details: problems };
    return { ok: true, value: parsed.data };
  };

  server.post(
    `${API}/canned-replies`,
    guarded(async (req, res, who) => {
      const parsed = parseCanned(req.body);
      if (!parsed.ok) return sendError(res, parsed.code, parsed.details);
      const at = now().toISOString();
      const reply = { id: randomUUID(), ...parsed.value, createdAt: at, updatedAt: at, updatedBy: who.name };
      await stores.cannedReplies.create(reply);
      res.send(201, { reply });
    }, 'supervisor'),
  );

  server.put(
    `${API}/canned-replies/:id`,
    guarded(async (req, res, who) => {
      const parsed = parseCanned(req.body);
      if (!parsed.ok) return sendError(res, parsed.code, parsed.details);
      const reply = await stores.cannedReplies.update(String(req.params.id), { ...parsed.value, updatedAt: now().toISOString(), updatedBy: who.name });
      if (!reply) return sendError(res, 'NOT_FOUND');
      res.send(200, { reply });
    }, 'supervisor'),
  );

  server.del(
    `${API}/canned-replies/:id`,
    guarded(async (req, res) => {
      if (!(await stores.cannedReplies.remove(String(req.params.id)))) return sendError(res, 'NOT_FOUND');
      res.send(204);
    }, 'supervisor'),
  );

  // ------------------------------------------------------------ internal notes

  /** The session when `who` may see its transcript; otherwise the refusal has been sent. */
  const readable = async (req: Request, res: Response, who: OperatorIdentity): Promise<HandoffSession | undefined> => {
    const session = await stores.sessions.get(String(req.params.id));
    if (!session) return void sendError(res, 'NOT_FOUND');
    if (conversationAccess(session, who) !== 'full') return void sendError(res, 'CONVERSATION_FORBIDDEN', undefined, forbiddenReason(session));
    return session;
  };

  server.get(
    `${API}/conversations/:id/notes`,
    guarded(async (req, res, who) => {
      const session = await readable(req, res, who);
      if (session) res.send(200, { notes: await stores.notes.forSession(session.id) });
    }),
  );

  server.post(
    `${API}/conversations/:id/notes`,
    guarded(async (req, res, who) => {
      const parsed = noteSchema.safeParse(req.body);
      if (!parsed.success) return sendError(res, 'INVALID_REQUEST', issues(parsed.error));
      const session = await readable(req, res, who);
      if (!session) return;
      const note = { id: randomUUID(), sessionId: session.id, at: now().toISOString(), operator: who.name, kind: 'internal' as const, text: parsed.data.text };
      await stores.notes.add(note);
      deps.onNote?.(session, note);
      res.send(201, { note });
    }),
  );

  // ------------------------------------------------------------ callbacks

  const callbackView = (c: CallbackRecord) => ({ ...c, topicTitle: titleOf(c.topicId), doneAt: c.doneAt ?? null, doneBy: c.doneBy ?? null });

  server.get(
    `${API}/callbacks`,
    guarded(async (req, res) => {
      const parsed = callbackListSchema.safeParse(query(req));
      if (!parsed.success) return sendError(res, 'INVALID_REQUEST', issues(parsed.error));
      const { status } = parsed.data;
      const callbacks = await stores.callbacks.list(status === 'all' ? undefined : status);
      res.send(200, { callbacks: callbacks.map(callbackView) });
    }),
  );

  server.post(
    `${API}/callbacks/:id/done`,
    guarded(async (req, res, who) => {
      const id = String(req.params.id);
      const done = await stores.callbacks.markDone(id, who.name, now().toISOString());
      if (done) return void res.send(200, { callback: callbackView(done) });
      const existing = await stores.callbacks.get(id);
      sendError(res, existing ? 'CALLBACK_ALREADY_DONE' : 'NOT_FOUND', undefined, existing ? `Richiamata già fatta da ${existing.doneBy ?? 'un collega'}.` : undefined);
    }),
  );

  // ------------------------------------------------------------ history

  server.get(
    `${API}/history`,
    guarded(async (req, res, who) => {
      const parsed = historySchema.safeParse(query(req));
      if (!parsed.success) return sendError(res, 'INVALID_REQUEST', issues(parsed.error));
      const q = parsed.data;
      if (who.role !== 'supervisor' && q.operator !== undefined && q.operator !== who.name) {
        return sendError(res, 'FORBIDDEN', undefined, 'Puoi cercare solo le conversazioni che hai gestito.');
      }
      const endedFrom = q.from ? romeMidnight(q.from, 0) : undefined;
      const endedTo = q.to ? romeMidnight(q.to, 1) : undefined;
      if (endedFrom && endedTo && endedFrom >= endedTo) return sendError(res, 'INVALID_REQUEST', ['from must not be after to']);
      // A reference names a written request: the conversations are not searched by it.
      const sessions = q.reference
        ? []
        : await stores.sessions.history({
            phoneCode: q.code,
            topicId: q.topic,
            // An operator sees only what they held.
            operator: who.role === 'supervisor' ? q.operator : who.name,
            endedFrom,
            endedTo,
            limit: q.limit,
          });
      const requests = await historyRequests(stores.tickets, q, endedFrom, endedTo);
      res.send(200, {
        conversations: sessions.map((s) => ({
          id: s.id,
          channel: s.channel,
          language: s.language,
          state: s.state,
          outcome: s.outcome ?? null,
          topicId: s.topicId,
          topicTitle: titleOf(s.topicId),
          description: s.description,
          phoneCode: s.phoneCode,
          operator: s.operator ?? null,
          queuedAt: s.queuedAt,
          connectedAt: s.connectedAt ?? null,
          endedAt: s.endedAt ?? null,
        })),
        requests: requests.map((t) => ({ ...t, topicTitle: titleOf(t.topicId) })),
      });
    }),
  );
}

/**
 * The written requests of a history search: the one a reference names, or the answered and
 * closed ones (the open ones are the requests tab's) of the topic, created within the days, that
 * the operator answered or closed when one is named. Requests are the whole team's, so an
 * operator finds any of them. None for a phone code, which belongs to conversations.
 */
async function historyRequests(tickets: TicketStore, q: z.infer<typeof historySchema>, from: Date | undefined, before: Date | undefined): Promise<TicketRecord[]> {
  if (q.reference) {
    const ticket = await tickets.get(q.reference);
    return ticket ? [ticket] : [];
  }
  if (q.code) return [];
  const found = await Promise.all(
    (['answered', 'closed'] as const).map((state) => tickets.search({ state, topicId: q.topic, createdFrom: from, createdBefore: before, limit: q.limit })),
  );
  return found
    .flatMap((r) => r.tickets)
    .filter((t) => q.operator === undefined || t.answeredBy === q.operator || t.closedBy === q.operator)
    .sort((a, b) => b.createdAt.localeCompare(a.createdAt))
    .slice(0, q.limit);
}

/** Midnight in Milan at the start of `day` plus `plusDays`. */
function romeMidnight(day: string, plusDays: number): Date {
  const [year, month, date] = day.split('-').map(Number) as [number, number, number];
  return zonedInstant(year, month, date + plusDays, 0, TIME_ZONE);
}
