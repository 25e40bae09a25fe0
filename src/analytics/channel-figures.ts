import type { RollupRow } from '../storage/ports';
import { CLICKS_COUNTER, ESCALATION_COUNTER, ESCALATION_REASONS, facetOfClicksCounter, parseOperatorCounter, type EscalationReason, type OperatorFigure } from './counters';
import { compare } from './rollup-batch';
import { digestDays, emptyCounters, sumDays, sumGroups, type DayDigest } from './rollup-day-cache';

/** Clicks on the links of one topic's answers, per facet (null: the overview). */
export interface TopicClicks {
  topicId: string;
  title: string | null;
  clicks: number;
  facets: { facetId: string | null; title: string | null; clicks: number }[];
}

/** One operator's figures in the period (docs/metrics.md). */
export interface OperatorFigures {
  login: string;
  /** Chats the operator closed (held until the end). */
  chats: number;
  avgHandleSec: number | null;
  requestsAnswered: number;
  requestsClosed: number;
}

/** What `GET /api/analytics/channels` answers: the right channel, measured. */
export interface ChannelFigures {
  from: string;
  to: string;
  clicks: { total: number; byTopic: TopicClicks[]; byChannel: { channel: string; clicks: number }[] };
  /** Why a person was offered or asked for, per reason, and in all. */
  escalations: Record<EscalationReason, number> & { total: number };
  /** Written requests taken (created), answered by e-mail and closed by operators in the period. */
  writtenRequests: { created: number; answered: number; closed: number };
  operators: OperatorFigures[];
}

export interface ChannelFigureOptions {
  readonly from: string;
  readonly to: string;
  readonly topicTitle: (topicId: string) => string | null;
  readonly facetTitle: (topicId: string, facetId: string) => string | null;
}

/**
 * The channel figures of rollup rows (clicks per topic and facet and per channel, escalation
 * reasons, written requests, per-operator figures): arithmetic on the counters, no store, no
 * clock. Rows outside `from`..`to` are ignored.
 *
 * @example
 * channelFigures(await rollups.range('2026-04-01', '2026-04-30'), { from: '2026-04-01', to: '2026-04-30', topicTitle, facetTitle });
 */
export function channelFigures(rows: readonly RollupRow[], options: ChannelFigureOptions): ChannelFigures {
  return channelFiguresOfDays(digestDays(rows, options.from, options.to), options);
}

/**
 * {@link channelFigures} from day digests (src/analytics/rollup-day-cache.ts); days outside
 * `from`..`to` are ignored.
 *
 * @example
 * channelFiguresOfDays(await cache.days('2026-04-01', '2026-04-30'), { from: '2026-04-01', to: '2026-04-30', topicTitle, facetTitle });
 */
export function channelFiguresOfDays(days: readonly DayDigest[], options: ChannelFigureOptions): ChannelFigures {
  const topics = new Map<string, Map<string | null, number>>();
  const channels = new Map<string, number>();
  const totals: Record<string, number> = emptyCounters();
  const operators = new Map<string, Record<OperatorFigure, number>>();
  let clicks = 0;
  const counted = (value: number | undefined): value is number => value !== undefined && Number.isFinite(value) && value !== 0;
  // Summed over the days first: the names are then parsed once per topic, not once per day.
  const inRange = days.filter((d) => d.day >= options.from && d.day <= options.to);
  for (const [channel, c] of sumGroups(inRange, (d) => d.byChannel)) {
    const value = c[CLICKS_COUNTER];
    if (counted(value)) channels.set(channel, value);
  }
  for (const [topicId, c] of sumGroups(inRange, (d) => d.byTopic)) {
    if (topicId === '') continue;
    for (const name in c) {
      const value = c[name];
      const facet = facetOfClicksCounter(name);
      if (facet === undefined || !counted(value)) continue;
      const perFacet = topics.get(topicId) ?? new Map<string | null, number>();
      perFacet.set(facet, (perFacet.get(facet) ?? 0) + value);
      topics.set(topicId, perFacet);
    }
  }
  const total = sumDays(inRange);
  for (const name in total) {
    const value = total[name];
    if (!counted(value) || facetOfClicksCounter(name) !== undefined) continue;
    if (name === CLICKS_COUNTER) {
      clicks += value;
      continue;
    }
    const operator = parseOperatorCounter(name);
    if (operator) {
      const figures = operators.get(operator.login) ?? { chats: 0, handleSecSum: 0, handleCount: 0, requestsAnswered: 0, requestsClosed: 0 };
      figures[operator.figure] += value;
      operators.set(operator.login, figures);
      continue;
    }
    totals[name] = (totals[name] ?? 0) + value;
  }
  const byTopic = [...topics].map(([topicId, perFacet]): TopicClicks => {
    const facets = [...perFacet]
      .map(([facetId, n]) => ({ facetId, title: facetId === null ? null : options.facetTitle(topicId, facetId), clicks: n }))
      .sort((a, b) => b.clicks - a.clicks || compare(a.facetId ?? '', b.facetId ?? ''));
    return { topicId, title: options.topicTitle(topicId), clicks: facets.reduce((acc, f) => acc + f.clicks, 0), facets };
  });
  byTopic.sort((a, b) => b.clicks - a.clicks || compare(a.topicId, b.topicId));
  const escalations = Object.fromEntries(ESCALATION_REASONS.map((r) => [r, totals[ESCALATION_COUNTER[r]] ?? 0])) as Record<EscalationReason, number>;
  return {
    from: options.from,
    to: options.to,
    clicks: {
      total: clicks,
      byTopic,
      byChannel: [...channels].map(([channel, n]) => ({ channel, clicks: n })).sort((a, b) => b.clicks - a.clicks || compare(a.channel, b.channel)),
    },
    escalations: { ...escalations, total: ESCALATION_REASONS.reduce((acc, r) => acc + escalations[r], 0) },
    writtenRequests: { created: totals.ticketsCreated ?? 0, answered: totals.requestsAnswered ?? 0, closed: totals.requestsClosed ?? 0 },
    operators: [...operators]
      .map(([login, f]) => ({
        login,
        chats: f.chats,
        avgHandleSec: f.handleCount > 0 ? Math.round((f.handleSecSum / f.handleCount) * 10) / 10 : null,
        requestsAnswered: f.requestsAnswered,
        requestsClosed: f.requestsClosed,
      }))
      .sort((a, b) => b.chats - a.chats || b.requestsAnswered - a.requestsAnswered || compare(a.login, b.login)),
  };
}
