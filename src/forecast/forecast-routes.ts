import type { Request, Response, Server } from 'restify';
import { z } from 'zod';
import type { Logger } from '../logger';
import { supervisorOnly } from '../analytics/analytics-request';
import type { OperatorAccounts } from '../operators/operator-accounts';
import type { OperatorTokens } from '../operators/operator-tokens';
import { sendError } from '../server/http-errors';
import { addDays } from './calendar-days';
import { FORECAST_HORIZON_DAYS } from './compute-forecast';
import type { ForecastResult } from './forecast-types';

export const FORECAST_ROUTE = '/api/analytics/forecast';

const querySchema = z
  .object({
    /** Only the first N days of the forecast, written in decimal digits (Number() would also take `0x10`, `1e1` and blanks). */
    days: z
      .string()
      .regex(/^\d{1,3}$/, 'must be a whole number of days')
      .transform(Number)
      .pipe(z.number().min(1).max(FORECAST_HORIZON_DAYS))
      .optional(),
    /** Only this topic in `byTopic`. */
    topic: z.string().regex(/^[a-z0-9]+(-[a-z0-9]+)*$/, 'must be a topic id (lower case, digits and hyphens)').optional(),
  })
  .strict();

export interface ForecastRouteDependencies {
  readonly forecast: { current(): Promise<ForecastResult> };
  readonly accounts: OperatorAccounts;
  readonly tokens: OperatorTokens;
  readonly logger: Logger;
}

/**
 * `GET /api/analytics/forecast[?days=N][&topic=ID]`: the six-week demand forecast
 * (docs/forecast.md), supervisors only, as the rest of the analytics API.
 *
 * @example
 * mountForecastApi(server.server, { forecast, accounts: operators, tokens: operatorTokens, logger });
 */
export function mountForecastApi(server: Server, deps: ForecastRouteDependencies): void {
  server.get(FORECAST_ROUTE, async (req: Request, res: Response) => {
    try {
      if (!(await supervisorOnly(req, res, deps))) return;
      const params = new URL(req.url ?? '/', 'http://localhost').searchParams;
      // A parameter given twice has no one meaning: refused rather than one of its values picked.
      const repeated = [...new Set([...params.keys()].filter((key) => params.getAll(key).length > 1))];
      if (repeated.length > 0) return sendError(res, 'INVALID_REQUEST', repeated.map((key) => `${key}: given more than once`));
      const parsed = querySchema.safeParse(Object.fromEntries(params));
      if (!parsed.success) return sendError(res, 'INVALID_REQUEST', parsed.error.issues.map((i) => `${i.path.join('.') || 'query'}: ${i.message}`));
      let result: ForecastResult;
      try {
        result = await deps.forecast.current();
      } catch (error) {
        deps.logger.error({ err: error }, 'forecast not computed');
        // The reason (a store that does not answer names its hosts) stays in the logs.
        return sendError(res, 'FORECAST_UNAVAILABLE');
      }
      res.send(200, narrow(result, parsed.data));
    } catch (error) {
      deps.logger.error({ err: error }, 'forecast route failed');
      if (!res.headersSent) sendError(res, 'INTERNAL');
    }
  });
}

function narrow(result: ForecastResult, query: z.infer<typeof querySchema>): ForecastResult {
  const days = query.days;
  if (days === undefined && query.topic === undefined) return result;
  const last = days === undefined ? result.to : (result.total[days - 1]?.day ?? result.to);
  const within = <T extends { day: string }>(points: readonly T[]) => points.filter((p) => p.day <= last);
  return {
    ...result,
    to: last,
    total: within(result.total),
    byTopic: result.byTopic.filter((t) => query.topic === undefined || t.topicId === query.topic).map((t) => ({ topicId: t.topicId, points: within(t.points) })),
    byChannel: result.byChannel.map((c) => ({ channel: c.channel, points: within(c.points) })),
    handoffsByHour: within(result.handoffsByHour),
    // A communication's windows start two weeks before it bites (src/forecast/communication-effects.ts).
    communications: result.communications.filter((c) => c.published <= last || addDays(c.effective, -14) <= last),
  };
}
