import type { Request, Response, Server } from 'restify';
import type { KnowledgeRuntime } from '../bot/runtime';
import type { Logger } from '../logger';
import { supervisorOnly } from '../analytics/analytics-request';
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
  /**
   * The forecast's extra operators around each communication (null for one it has none for),
   * read once per request; when it fails (no forecast yet) the check says so instead.
   */
  readonly extraOperators?: () => Promise<(c: Communication) => number | null>;
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
      if (!(await supervisorOnly(req, res, deps))) return;
      const { kb } = deps.runtime();
      const today = calendarDay(now());
      const calendar = [...kb.calendar.communications].sort((a, b) => a.effective.localeCompare(b.effective) || a.id.localeCompare(b.id));
      const extra = deps.extraOperators
        ? await deps.extraOperators().catch((error: unknown) => {
            deps.logger.warn({ err: error }, 'communications check: no forecast for the extra operators');
            return undefined;
          })
        : undefined;
      const body: CommunicationsResponse = { today, calendar, check: checkCommunications(kb.calendar, kb, today, extra) };
      res.send(200, body);
    } catch (error) {
      deps.logger.error({ err: error }, 'communications check failed');
      if (!res.headersSent) sendError(res, 'INTERNAL');
    }
  });
}
