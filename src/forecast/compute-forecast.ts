import type { Communication } from '../knowledge/communication-schema';
import type { RollupRow, RollupStore } from '../storage/ports';
import { romeDay } from '../analytics/rome-day';
import { addDays } from './calendar-days';
import { runEngine, toForecastResult } from './forecast-engine';
import type { ForecastResult } from './forecast-types';
import { dailySeries } from './series';

/** Six weeks ahead, as the issue asks. */
export const FORECAST_HORIZON_DAYS = 42;
/** History read: two years and a little, so that the yearly terms see every month twice. */
export const HISTORY_DAYS = 2 * 366;
export const INTERVAL = 0.8;

/** What a forecast is computed from: plain data, so that it can cross to a worker thread. */
export interface ForecastJob {
  readonly rows: readonly RollupRow[];
  readonly calendar: readonly Communication[];
  /** Yesterday (Rome): the last day of history. */
  readonly historyTo: string;
  readonly generatedAt: string;
}

/**
 * Reads the history a forecast needs: the rollups of the last {@link HISTORY_DAYS} days up to
 * yesterday in Rome (today is incomplete).
 */
export async function forecastJob(rollups: RollupStore, calendar: readonly Communication[], now: Date): Promise<ForecastJob> {
  const historyTo = addDays(romeDay(now.getTime()), -1);
  const rows = await rollups.range(addDays(historyTo, -(HISTORY_DAYS - 1)), historyTo);
  return { rows, calendar, historyTo, generatedAt: now.toISOString() };
}

/**
 * The forecast of a job: history from the first day with data (at least a day) to `historyTo`,
 * six weeks ahead. CPU-bound (measured in docs/benchmarks.md): run it off the request path.
 *
 * @example
 * const result = computeForecast(await forecastJob(backend.rollups, calendar, new Date()));
 */
export function computeForecast(job: ForecastJob): ForecastResult {
  let first = job.historyTo;
  for (const row of job.rows) if (row.key.day < first) first = row.key.day;
  const series = dailySeries(job.rows, first, job.historyTo);
  const out = runEngine(series, job.calendar, { horizon: FORECAST_HORIZON_DAYS, interval: INTERVAL });
  return toForecastResult(series, out, job.calendar, { interval: INTERVAL, generatedAt: new Date(job.generatedAt) });
}
