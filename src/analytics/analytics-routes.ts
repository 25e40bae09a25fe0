import path from 'node:path';
import type { Request, Response, Server } from 'restify';
import { z } from 'zod';
import type { KnowledgeRuntime } from '../bot/runtime';
import type { Logger } from '../logger';
import type { OperatorAccounts } from '../operators/operator-accounts';
import type { OperatorTokens } from '../operators/operator-tokens';
import { sendError } from '../server/http-errors';
import type { RollupStore } from '../storage/ports';
import { TOO_LONG, WHEN_DAYS_VALID, daySchema, periodOf, supervisorOnly, withinMaxPeriod } from './analytics-request';
import { summaryCsv } from './csv';
import { romeDay } from './rome-day';
import { writeDraftFaq, type DraftGap } from './draft-faq';
import { groupGaps } from './gap-groups';
import { liveFigures, type LiveHandoffView } from './live';
import { monthlyCsv, monthlyXlsx } from './monthly-export';
import { monthlyTableOfDays } from './monthly-table';
import { RollupDayCache } from './rollup-day-cache';
import { dayFigures, summarizeDays, type AnalyticsSummary } from './summary';

export const ANALYTICS_API = '/api/analytics';
const draftSchema = z
  .object({
    key: z.string().trim().min(1).max(200),
    language: z.enum(['it', 'en']),
    examples: z.array(z.string().max(300)).max(5).optional(),
    /** The dashboard's period: the draft then records the gap's count and variants in it, from the rollups. */
    from: daySchema.optional(),
    to: daySchema.optional(),
  })
  .refine((d) => (d.from === undefined) === (d.to === undefined), 'from and to go together')
  .refine((d) => d.from === undefined || d.to === undefined || d.from <= d.to, { message: 'from must not be after to', ...WHEN_DAYS_VALID })
  .refine((d) => d.from === undefined || d.to === undefined || withinMaxPeriod(d.from, d.to), { message: TOO_LONG, ...WHEN_DAYS_VALID })
  .refine((d) => d.from !== undefined || (d.examples?.length ?? 0) > 0, 'without a period, give at least one example');

/** What the monthly exports print: the period and its table. */
type MonthlyTableExport = Pick<AnalyticsSummary, 'from' | 'to' | 'monthly' | 'monthlyTotal' | 'yearToDate'>;

export interface AnalyticsRouteDependencies {
  readonly rollups: RollupStore;
  readonly accounts: OperatorAccounts;
  readonly tokens: OperatorTokens;
  readonly runtime: () => KnowledgeRuntime;
  readonly knowledgeBaseDir: string;
  readonly logger: Logger;
  /** Makes the rollups current (writes what the aggregator holds) before a summary is read. */
  readonly refresh: () => Promise<void>;
  readonly now?: () => Date;
  /** The queue and the operators for `GET /api/analytics/live`; without it they read null. */
  readonly handoff?: LiveHandoffView;
  /** Open conversations begun on a day, from this process's aggregator (absent in cluster mode: see liveFigures). */
  readonly openBeganOn?: (day: string) => number;
  /** The days' rollups kept between requests (shared with the channel figures); one of its own unless given. */
  readonly dayCache?: RollupDayCache;
}

/**
 * The supervisors' analytics API (documented in docs/metrics.md): `GET /api/analytics/summary`,
 * `GET /api/analytics/export.csv` (the same figures per day), `GET /api/analytics/monthly.csv` and
 * `monthly.xlsx` (the monthly 020202 table), `GET /api/analytics/live` (today so far, the queue,
 * the operators) and `POST /api/analytics/gaps/draft` (a draft FAQ for the editors from a
 * knowledge gap: 201 when created, 200 when the same gap's draft was updated; the body carries
 * the file's text for the download). Only supervisors; figures come from the
 * rollups, never from a scan of raw events.
 *
 * @example
 * mountAnalyticsApi(server, { rollups: backend.rollups, accounts, tokens, runtime, knowledgeBaseDir, logger, refresh });
 */
export function mountAnalyticsApi(server: Server, deps: AnalyticsRouteDependencies): void {
  const supervisor = (req: Request, res: Response) => supervisorOnly(req, res, deps);

  const today = () => romeDay((deps.now ?? (() => new Date()))().getTime());
  const cache = deps.dayCache ?? new RollupDayCache(deps.rollups);
  // The monthly table's year to date starts on 1 January, maybe before the period: the days from
  // the earlier of the two serve both, and the same days of last year the comparison. The cache
  // reads only the days that changed since it last read them.
  const tableDays = async ({ from, to }: { from: string; to: string }) => {
    const yearStart = `${to.slice(0, 4)}-01-01`;
    const earliest = yearStart < from ? yearStart : from;
    const previous = await cache.days(yearBefore(earliest), yearBefore(to));
    const days = await cache.days(earliest, to);
    return { days, previousYear: new Map(previous.map((d) => [d.day, d.total])) };
  };

  const summaryFor = async (req: Request, res: Response): Promise<AnalyticsSummary | undefined> => {
    const period = periodOf(req, res);
    if (!period) return undefined;
    const { from, to } = period;
    await deps.refresh();
    const [{ days, previousYear }, gaps] = await Promise.all([tableDays(period), cache.gaps(from, to)]);
    const kb = deps.runtime().kb;
    return summarizeDays(days, previousYear, gaps, { from, to, today: today(), topicTitle: (id) => kb.title(id, 'it') ?? null });
  };

  server.get(`${ANALYTICS_API}/summary`, async (req: Request, res: Response) => {
    try {
      if (!(await supervisor(req, res))) return;
      const summary = await summaryFor(req, res);
      if (summary) res.send(200, summary);
    } catch (error) {
      deps.logger.error({ err: error }, 'analytics summary failed');
      if (!res.headersSent) sendError(res, 'INTERNAL');
    }
  });

  server.get(`${ANALYTICS_API}/export.csv`, async (req: Request, res: Response) => {
    try {
      if (!(await supervisor(req, res))) return;
      const period = periodOf(req, res);
      if (!period) return;
      const { from, to } = period;
      // The daily CSV needs the period's rows only: not the year to date, last year or the gaps.
      await deps.refresh();
      const byDay = (await cache.days(from, to)).map(dayFigures);
      res.header('content-type', 'text/csv; charset=utf-8');
      res.header('content-disposition', `attachment; filename="dialogo-${from}-${to}.csv"`);
      res.sendRaw(200, summaryCsv({ byDay }));
    } catch (error) {
      deps.logger.error({ err: error }, 'analytics export failed');
      if (!res.headersSent) sendError(res, 'INTERNAL');
    }
  });

  // The monthly 020202 table as the dashboard shows it, for Excel (Italian dialect) and as a
  // workbook: the table only (no gaps, topics or days to read or sum).
  const monthlyExport = (extension: 'csv' | 'xlsx', type: string, body: (table: MonthlyTableExport, today: string) => Buffer | Promise<Buffer>) =>
    server.get(`${ANALYTICS_API}/monthly.${extension}`, async (req: Request, res: Response) => {
      try {
        if (!(await supervisor(req, res))) return;
        const period = periodOf(req, res);
        if (!period) return;
        await deps.refresh();
        const { days, previousYear } = await tableDays(period);
        const day = today();
        const file = await body({ ...period, ...monthlyTableOfDays(new Map(days.map((d) => [d.day, d.total])), previousYear, { ...period, today: day }) }, day);
        res.header('content-type', type);
        res.header('content-disposition', `attachment; filename="dialogo-riepilogo-mensile-${period.from}-${period.to}.${extension}"`);
        res.sendRaw(200, file);
      } catch (error) {
        deps.logger.error({ err: error }, 'monthly table export failed');
        if (!res.headersSent) sendError(res, 'INTERNAL');
      }
    });
  monthlyExport('csv', 'text/csv; charset=utf-8', (table, day) => monthlyCsv(table, day));
  monthlyExport('xlsx', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', (table, day) => monthlyXlsx(table, day));

  // What is happening now, polled by the dashboard's live section.
  server.get(`${ANALYTICS_API}/live`, async (req: Request, res: Response) => {
    try {
      if (!(await supervisor(req, res))) return;
      await deps.refresh();
      res.header('cache-control', 'no-store');
      res.send(200, await liveFigures({ rollups: deps.rollups, handoff: deps.handoff, openBeganOn: deps.openBeganOn, now: deps.now ?? (() => new Date()) }));
    } catch (error) {
      deps.logger.error({ err: error }, 'live analytics failed');
      if (!res.headersSent) sendError(res, 'INTERNAL');
    }
  });

  server.post(`${ANALYTICS_API}/gaps/draft`, async (req: Request, res: Response) => {
    try {
      if (!(await supervisor(req, res))) return;
      const parsed = draftSchema.safeParse(req.body);
      if (!parsed.success) return sendError(res, 'INVALID_REQUEST', parsed.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`));
      const { key, language, examples = [], from, to } = parsed.data;
      let gap: DraftGap = { key, language, count: null, period: null, variants: examples };
      if (from !== undefined && to !== undefined) {
        await deps.refresh();
        const stored = await deps.rollups.gaps(from, to);
        const found = groupGaps(stored).find((g) => g.key === key && g.language === language) ?? stored.find((g) => g.key === key && g.language === language);
        if (!found) return sendError(res, 'GAP_NOT_FOUND', [`no gap "${key}" (${language}) from ${from} to ${to}`]);
        gap = { key, language, count: found.count, period: { from, to }, variants: [...found.examples, ...examples] };
      }
      const draft = writeDraftFaq(deps.knowledgeBaseDir, gap, (deps.now ?? (() => new Date()))());
      deps.logger.info({ file: draft.file, created: draft.created }, draft.created ? 'draft FAQ written for the editors' : 'draft FAQ of the same gap updated');
      res.send(draft.created ? 201 : 200, { file: draft.file, fileName: path.basename(draft.file), created: draft.created, content: draft.content });
    } catch (error) {
      deps.logger.error({ err: error }, 'draft FAQ not written');
      if (!res.headersSent) sendError(res, 'INTERNAL');
    }
  });
}

/** The same calendar day one year earlier (29 February becomes 28 February). */
export function yearBefore(day: string): string {
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  const date = new Date(Date.UTC(y - 1, m - 1, d));
  if (date.getUTCMonth() !== m - 1) date.setUTCDate(0);
  return date.toISOString().slice(0, 10);
}
