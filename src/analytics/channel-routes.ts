import type { Request, Response, Server } from 'restify';
import type { KnowledgeRuntime } from '../bot/runtime';
import type { Logger } from '../logger';
import type { OperatorAccounts } from '../operators/operator-accounts';
import type { OperatorTokens } from '../operators/operator-tokens';
import { sendError } from '../server/http-errors';
import type { RollupStore } from '../storage/ports';
import { periodOf, supervisorOnly } from './analytics-request';
import { channelFiguresOfDays, type ChannelFigures } from './channel-figures';
import { RollupDayCache } from './rollup-day-cache';

/** The route of the channel figures. */
export const CHANNELS_API = '/api/analytics/channels';
export interface ChannelRouteDependencies {
  readonly rollups: RollupStore;
  readonly accounts: OperatorAccounts;
  readonly tokens: OperatorTokens;
  readonly runtime: () => KnowledgeRuntime;
  readonly logger: Logger;
  /** Makes the rollups current before they are read (as for the summary). */
  readonly refresh: () => Promise<void>;
  /** The days' rollups kept between requests (shared with the summary); one of its own unless given. */
  readonly dayCache?: RollupDayCache;
}

/** One operator's figures with the name citizens read (null for an account since removed or without one). */
export type ChannelFiguresView = Omit<ChannelFigures, 'operators'> & { operators: (ChannelFigures['operators'][number] & { displayName: string | null })[] };

/**
 * `GET /api/analytics/channels?from=YYYY-MM-DD&to=YYYY-MM-DD`, supervisors only: clicks on the
 * links of answers per topic, facet and channel, why a person was offered, written requests
 * created, answered and closed, and per operator the chats handled, their average handling
 * time and the requests answered and closed. From the rollups, never from raw events
 * (docs/metrics.md).
 *
 * @example
 * mountChannelFigures(server, { rollups: backend.rollups, accounts, tokens, runtime, logger, refresh });
 */
export function mountChannelFigures(server: Server, deps: ChannelRouteDependencies): void {
  const cache = deps.dayCache ?? new RollupDayCache(deps.rollups);
  server.get(CHANNELS_API, async (req: Request, res: Response) => {
    try {
      if (!(await supervisorOnly(req, res, deps))) return;
      const period = periodOf(req, res);
      if (!period) return;
      const { from, to } = period;
      await deps.refresh();
      const kb = deps.runtime().kb;
      const figures = channelFiguresOfDays(await cache.days(from, to), {
        from,
        to,
        topicTitle: (id) => kb.title(id, 'it') ?? null,
        facetTitle: (topicId, facetId) => kb.facet(topicId, facetId)?.shortTitle.it ?? null,
      });
      const names = new Map((await deps.accounts.list()).map((a) => [a.name, a.displayName ?? null]));
      const view: ChannelFiguresView = { ...figures, operators: figures.operators.map((o) => ({ ...o, displayName: names.get(o.login) ?? null })) };
      res.send(200, view);
    } catch (error) {
      deps.logger.error({ err: error }, 'channel figures failed');
      if (!res.headersSent) sendError(res, 'INTERNAL');
    }
  });
}
