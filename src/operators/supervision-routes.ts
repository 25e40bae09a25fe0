import type { Request, Response, Server } from 'restify';
import { z } from 'zod';
import type { HandoffService, OperatorIdentity } from '../handoff/handoff-service';
import { sendError } from '../server/http-errors';
import type { HandoffSession } from '../storage/ports';
import type { OperatorAccounts } from './operator-accounts';

/** A route handler wrapped by the operator API's `guarded` (token checked, HandoffError mapped). */
type Guarded = (handler: (req: Request, res: Response, who: OperatorIdentity) => Promise<void>) => (req: Request, res: Response) => Promise<void>;

export interface SupervisionRouteDependencies {
  readonly handoff: HandoffService;
  readonly accounts: OperatorAccounts;
  readonly guarded: Guarded;
  readonly sessionView: (session: HandoffSession) => Promise<Record<string, unknown>>;
}

const presenceSchema = z.strictObject({ status: z.enum(['available', 'busy']) });
const targetName = z.string().min(1).max(64);
const reassignSchema = z.strictObject({ to: targetName, force: z.boolean().optional() });
const transferSchema = z.strictObject({ to: targetName, note: z.string().trim().max(500).optional() });

function issues(error: z.ZodError): string[] {
  return error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`);
}

/**
 * Operators' presence and the moves of a conversation between people, under `/api/operator`
 * (docs/operator-api.yaml): `PUT /me/presence` (available or busy), `GET /colleagues` (who could
 * take a transfer), `POST /conversations/{id}/takeover` and `/reassign` (supervisors only, 403
 * `SUPERVISOR_ONLY`), `POST /conversations/{id}/transfer` (the holder). Mounted by the operator
 * API, whose `guarded` checks the token and maps the handoff's refusals to their statuses.
 *
 * @example
 * mountSupervisionApi(server, { handoff, accounts, guarded, sessionView });
 */
export function mountSupervisionApi(server: Server, deps: SupervisionRouteDependencies): void {
  const { handoff, accounts, guarded } = deps;
  const base = '/api/operator';

  /** The account a move names, as the service needs it; undefined for an unknown or disabled one. */
  const targetOf = async (name: string): Promise<OperatorIdentity | undefined> => {
    const account = await accounts.get(name);
    if (!account || account.disabled) return undefined;
    return { name: account.name, role: account.role, maxConcurrent: account.maxConcurrent, ...(account.displayName ? { displayName: account.displayName } : {}) };
  };

  server.put(
    `${base}/me/presence`,
    guarded(async (req, res, who) => {
      const parsed = presenceSchema.safeParse(req.body);
      if (!parsed.success) return sendError(res, 'INVALID_REQUEST', issues(parsed.error));
      const presence = handoff.presence.choose(who.name, parsed.data.status, who.role);
      res.send(200, { presence: { status: presence.status, since: presence.since } });
    }),
  );

  server.get(
    `${base}/colleagues`,
    guarded(async (_req, res, who) => {
      const active = await handoff.queue();
      const colleagues = (await accounts.list())
        .filter((a) => a.name !== who.name && !a.disabled)
        .map((a) => {
          const presence = handoff.presence.get(a.name);
          const held = active.filter((e) => e.session.state === 'connected' && e.session.operator === a.name).length;
          return { name: a.name, displayName: a.displayName ?? null, role: a.role, presence: presence.status, since: presence.since, held, maxConcurrent: a.maxConcurrent, free: Math.max(0, a.maxConcurrent - held) };
        });
      res.send(200, { colleagues });
    }),
  );

  server.post(
    `${base}/conversations/:id/takeover`,
    guarded(async (req, res, who) => {
      if (who.role !== 'supervisor') return sendError(res, 'SUPERVISOR_ONLY');
      const session = await handoff.takeOver(String(req.params.id), who);
      res.send(200, { session: await deps.sessionView(session) });
    }),
  );

  server.post(
    `${base}/conversations/:id/reassign`,
    guarded(async (req, res, who) => {
      if (who.role !== 'supervisor') return sendError(res, 'SUPERVISOR_ONLY');
      const parsed = reassignSchema.safeParse(req.body);
      if (!parsed.success) return sendError(res, 'INVALID_REQUEST', issues(parsed.error));
      const target = await targetOf(parsed.data.to);
      if (!target) return sendError(res, 'OPERATOR_NOT_FOUND', undefined, `Nessun operatore attivo con il nome ${parsed.data.to}.`);
      const session = await handoff.reassign(String(req.params.id), who, target, parsed.data.force === true);
      res.send(200, { session: await deps.sessionView(session) });
    }),
  );

  server.post(
    `${base}/conversations/:id/transfer`,
    guarded(async (req, res, who) => {
      const parsed = transferSchema.safeParse(req.body);
      if (!parsed.success) return sendError(res, 'INVALID_REQUEST', issues(parsed.error));
      const target = await targetOf(parsed.data.to);
      if (!target) return sendError(res, 'OPERATOR_NOT_FOUND', undefined, `Nessun operatore attivo con il nome ${parsed.data.to}.`);
      const session = await handoff.transfer(String(req.params.id), who, target, parsed.data.note ? parsed.data.note : null);
      res.send(200, { session: await deps.sessionView(session) });
    }),
  );
}
