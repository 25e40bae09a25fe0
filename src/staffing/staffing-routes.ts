import type { Request, Response, Server } from 'restify';
import { romeDay } from '../analytics/rome-day';
import type { ForecastResult } from '../forecast/forecast-types';
import type { Logger } from '../logger';
import { supervisorOnly } from '../analytics/analytics-request';
import type { OperatorAccounts } from '../operators/operator-accounts';
import type { OperatorTokens } from '../operators/operator-tokens';
import { sendError } from '../server/http-errors';
import { DEFAULT_MAX_CONCURRENT, type RollupStore } from '../storage/ports';
import { measureQueue, serviceLevelWith, staffHours, staffingStatus, type MeasuredQueue, type StaffedHour, type StaffingSettings, type StaffingStatus } from './staffing';
import { plannedOperators, staffingPlanInputSchema, type StaffingPlan, type StaffingPlanStore } from './staffing-plan';

const STAFFING_PATH = '/api/analytics/staffing';
const PLAN_PATH = '/api/analytics/staffing-plan';
/** Days of rollups the handling time and the patience are measured on. */
export const MEASURE_DAYS = 28;
const DAY_MS = 86_400_000;
/** Largest plan body read: a full plan with 100 dated days is about 12 KB. */
const MAX_PLAN_BODY_CHARS = 64 * 1024;

export interface StaffingRouteDependencies {
  /** The demand forecast (the forecast service's cached result). */
  readonly forecast: () => Promise<ForecastResult>;
  readonly rollups: RollupStore;
  readonly plans: StaffingPlanStore;
  readonly accounts: OperatorAccounts;
  readonly tokens: OperatorTokens;
  readonly settings: StaffingInputs;
  readonly logger: Logger;
  readonly now?: () => Date;
}

/** One hour as `GET /api/analytics/staffing` returns it. */
export interface StaffingHourView extends StaffedHour {
  readonly planned: number | null;
  readonly status: StaffingStatus;
  /** The share answered within the target with the planned operators; null without a plan or handoffs. */
  readonly plannedServiceLevel: number | null;
}

/**
 * The staffing API for supervisors (docs/staffing.md): `GET /api/analytics/staffing` (the
 * forecast's handoffs per hour, operators needed, the plan and under/over/well staffed per hour)
 * and `PUT /api/analytics/staffing-plan` (saves the plan; the body is parsed as hostile input).
 *
 * @example
 * mountStaffingApi(server, { forecast: () => forecasts.current(), rollups: backend.rollups, plans: new StaffingPlanStore(storage), accounts, tokens, settings: config.staffing, logger });
 */
export function mountStaffingApi(server: Server, deps: StaffingRouteDependencies): { readonly model: () => Promise<StaffingModel> } {
  const now = deps.now ?? (() => new Date());
  const model = staffingModelSource({ ...deps, now });
  const supervisor = async (req: Request, res: Response): Promise<string | undefined> => (await supervisorOnly(req, res, deps))?.name;

  server.get(STAFFING_PATH, async (req: Request, res: Response) => {
    try {
      if (!(await supervisor(req, res))) return;
      let forecast: ForecastResult;
      try {
        forecast = await deps.forecast();
      } catch (error) {
        deps.logger.warn({ err: error }, 'staffing: no forecast');
        return sendError(res, 'FORECAST_UNAVAILABLE');
      }
      const [{ queue, settings }, plan] = await Promise.all([model(), deps.plans.load()]);
      const { chatsPerOperator } = settings;
      // staffHours keeps the slots of each volume it has seen: a refresh of the dashboard reads them back.
      const hours: StaffingHourView[] = staffHours(forecast.handoffsByHour, queue, settings).map((hour) => {
        const planned = plan ? plannedOperators(plan, hour.day, hour.hour) : null;
        return { ...hour, planned, status: staffingStatus(planned, hour.operatorsNeeded), plannedServiceLevel: planned === null ? null : serviceLevelWith(planned, hour.handoffs, queue, settings) };
      });
      res.send(200, {
        generatedAt: now().toISOString(),
        forecastGeneratedAt: forecast.generatedAt,
        from: forecast.from,
        to: forecast.to,
        target: deps.settings.target,
        shrinkage: deps.settings.shrinkage,
        chatsPerOperator,
        model: queue.patienceSec === null ? 'erlang-c' : 'erlang-a',
        measuredDays: MEASURE_DAYS,
        queue,
        hours,
        plan,
      });
    } catch (error) {
      deps.logger.error({ err: error }, 'staffing failed');
      if (!res.headersSent) sendError(res, 'INTERNAL');
    }
  });

  server.put(PLAN_PATH, async (req: Request, res: Response) => {
    try {
      const who = await supervisor(req, res);
      if (!who) return;
      const body: unknown = req.body;
      // The server's limit is 256 KB for every route; a plan is a few KB, so refuse more before parsing.
      if (JSON.stringify(body ?? null).length > MAX_PLAN_BODY_CHARS) return sendError(res, 'BODY_TOO_LARGE', [`a staffing plan is at most ${MAX_PLAN_BODY_CHARS} characters`]);
      const parsed = staffingPlanInputSchema.safeParse(body);
      if (!parsed.success) return sendError(res, 'INVALID_REQUEST', parsed.error.issues.slice(0, 20).map((i) => `${i.path.join('.') || 'body'}: ${i.message}`));
      const plan: StaffingPlan = await deps.plans.save(parsed.data, who);
      deps.logger.info({ by: who, dates: Object.keys(plan.dates).length }, 'staffing plan saved');
      res.send(200, plan);
    } catch (error) {
      deps.logger.error({ err: error }, 'staffing plan not saved');
      if (!res.headersSent) sendError(res, 'INTERNAL');
    }
  });
  return { model };
}

/**
 * Chats one operator holds at once, for the model: the median `maxConcurrent` of the enabled
 * operator accounts (supervisors mostly supervise), 3 when there is none.
 */
export async function typicalChatsPerOperator(accounts: OperatorAccounts): Promise<number> {
  const limits = (await accounts.list())
    .filter((a) => a.role === 'operator' && !a.disabled)
    .map((a) => a.maxConcurrent)
    .sort((a, b) => a - b);
  if (limits.length === 0) return DEFAULT_MAX_CONCURRENT;
  return Math.max(1, limits[Math.floor((limits.length - 1) / 2)]!);
}

/** The measured queue and the model's settings. */
export interface StaffingModel {
  readonly queue: MeasuredQueue;
  readonly settings: StaffingSettings;
}

/** The staffing settings from the configuration; `openHour` from the contact centre's calendar (`officeHourOpen` in staffing.ts). */
export type StaffingInputs = Omit<StaffingSettings, 'chatsPerOperator'>;

interface StaffingModelDependencies {
  readonly rollups: RollupStore;
  readonly accounts: OperatorAccounts;
  readonly settings: StaffingInputs;
  readonly now: () => Date;
}

/** The queue measured on the `MEASURE_DAYS` days before today (Rome). */
async function measureRecentQueue(rollups: RollupStore, now: Date): Promise<MeasuredQueue> {
  const today = now.getTime();
  return measureQueue(await rollups.range(romeDay(today - MEASURE_DAYS * DAY_MS), romeDay(today - DAY_MS)));
}

/**
 * The measured queue and the model's settings as the staffing API uses them (the last
 * `MEASURE_DAYS` of rollups, the accounts' typical chats per operator), read once: for scripts.
 */
export async function currentStaffingModel(deps: StaffingModelDependencies): Promise<StaffingModel> {
  const [queue, chatsPerOperator] = await Promise.all([measureRecentQueue(deps.rollups, deps.now()), typicalChatsPerOperator(deps.accounts)]);
  return { queue, settings: { ...deps.settings, chatsPerOperator } };
}

/**
 * {@link currentStaffingModel} for a server: the measured queue's days end yesterday, so it is
 * read from the rollups once per Europe/Rome day (as the forecast is), not on every refresh of
 * the dashboard or of the communications check; the accounts, which a supervisor may change at
 * any time, are read on each call. A failed read is not kept.
 */
export function staffingModelSource(deps: StaffingModelDependencies): () => Promise<StaffingModel> {
  let measured: { readonly day: string; readonly queue: Promise<MeasuredQueue> } | undefined;
  return async () => {
    const now = deps.now();
    const day = romeDay(now.getTime());
    if (measured?.day !== day) {
      const queue = measureRecentQueue(deps.rollups, now);
      measured = { day, queue };
      queue.catch(() => {
        if (measured?.queue === queue) measured = undefined;
      });
    }
    const [queue, chatsPerOperator] = await Promise.all([measured.queue, typicalChatsPerOperator(deps.accounts)]);
    return { queue, settings: { ...deps.settings, chatsPerOperator } };
  };
}
