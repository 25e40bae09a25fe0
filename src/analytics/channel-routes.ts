import type { Request, Response, Server } from 'restify';
import { z } from 'zod';
import type { KnowledgeRuntime } from '../bot/runtime';
import type { Logger } from '../logger';
import { bearerIdentity } from '../operators/operator-auth';
import type { OperatorAccounts } from '../operators/operator-accounts';
import type { OperatorTokens } from '../operators/operator-tokens';
import { sendError } from '../server/http-errors';
import type { RollupStore } from '../storage/ports';
import { channelFigures, type ChannelFigures } from './channel-figures';

/** The route of the channel figures. */
export const CHANNELS_API = '/api/analytics/channels';
/** Longest period one request covers, as for the summary. */
const MAX_DAYS = 3 * 366;
const day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date YYYY-MM-DD').refine((d) => {
    // Date.parse rolls 30 February over to 2 March: a real date formats back to itself.
    const ms = Date.parse(`${d}T00:00:00Z`);
    return !Number.isNaN(ms) && new Date(ms).toISOString().slice(0, 10) === d;
  }, 'is not a real date');
const periodSchema = z
  .object({ from: day, to: day })
  .refine((p) => p.from <= p.to, 'from must not be after to')
  .refine((p) => (Date.parse(`${p.to}T00:00:00Z`) - Date.parse(`${p.from}T00:00:00Z`)) / 86_400_000 < MAX_DAYS, `the period may cover at most ${MAX_DAYS} days`);

export interface ChannelRouteDependencies {
  readonly rollups: RollupStore;
  readonly accounts: OperatorAccounts;
  readonly tokens: OperatorTokens;
  readonly runtime: () => KnowledgeRuntime;
  readonly logger: Logger;
  /** Makes the rollups current before they are read (as for the summary). */
  readonly refresh: () => Promise<void>;
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
  server.get(CHANNELS_API, async (req: Request, res: Response) => {
    try {
      const who = await bearerIdentity(req, deps.tokens, deps.accounts);
      if (!who) return sendError(res, 'OPERATOR_TOKEN_INVALID');
      if (who.role !== 'supervisor') return sendError(res, 'FORBIDDEN', ['analytics are for supervisors']);
      const query = new URL(req.url ?? '/', 'http://localhost').searchParams;
      const parsed = periodSchema.safeParse({ from: query.get('from') ?? '', to: query.get('to') ?? '' });
      if (!parsed.success) return sendError(res, 'INVALID_REQUEST', parsed.error.issues.map((i) => `${i.path.join('.') || 'period'}: ${i.message}`));
      const { from, to } = parsed.data;
      await deps.refresh();
      const kb = deps.runtime().kb;
      const figures = channelFigures(await deps.rollups.range(from, to), {
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
