import type { Request, Response, Server } from 'restify';
import type { KnowledgeRuntime } from '../bot/runtime';
import type { Logger } from '../logger';
import { bearerIdentity } from '../operators/operator-auth';
import type { OperatorAccounts } from '../operators/operator-accounts';
import type { OperatorTokens } from '../operators/operator-tokens';
import { sendError } from '../server/http-errors';
import type { Communication } from './communication-schema';
import { calendarDay } from './communications';
import { checkCommunications, type CommunicationsCheck } from './communications-check';

export const COMMUNICATIONS_API = '/api/analytics/communications';

/** What the communications route needs. */
export interface CommunicationsRouteDependencies {
  readonly accounts: OperatorAccounts;
  readonly tokens: OperatorTokens;
  readonly runtime: () => KnowledgeRuntime;
  readonly logger: Logger;
  readonly now?: () => Date;
  /** The forecast's extra operators around a communication (null when it has none); absent until the forecast is wired. */
  readonly extraOperators?: (c: Communication) => number | null;
}

/** The body of `GET /api/analytics/communications`. */
export interface CommunicationsResponse {
  readonly today: string;
  /** Every communication of the calendar, by effective day. */
  readonly calendar: readonly Communication[];
  readonly check: CommunicationsCheck;
}

/**
 * `GET /api/analytics/communications` for supervisors: the calendar being served (the current
 * knowledge base's, so a reload shows at once) and the pre-flight check's findings on the
 * Europe/Rome day, the same as `npm run comms:check`.
 *
 * @example
 * mountCommunicationsApi(server, { accounts, tokens, runtime: () => holder.current(), logger, now });
 */
export function mountCommunicationsApi(server: Server, deps: CommunicationsRouteDependencies): void {
  const now = deps.now ?? (() => new Date());
  server.get(COMMUNICATIONS_API, async (req: Request, res: Response) => {
    try {
      const who = await bearerIdentity(req, deps.tokens, deps.accounts);
      if (!who) return sendError(res, 'OPERATOR_TOKEN_INVALID');
      if (who.role !== 'supervisor') return sendError(res, 'FORBIDDEN', ['analytics are for supervisors']);
      const { kb } = deps.runtime();
      const today = calendarDay(now());
      const calendar = [...kb.calendar.communications].sort((a, b) => a.effective.localeCompare(b.effective) || a.id.localeCompare(b.id));
      const body: CommunicationsResponse = { today, calendar, check: checkCommunications(kb.calendar, kb, today, deps.extraOperators) };
      res.send(200, body);
    } catch (error) {
      deps.logger.error({ err: error }, 'communications check failed');
      if (!res.headersSent) sendError(res, 'INTERNAL');
    }
  });
}
