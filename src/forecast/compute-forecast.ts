import type { Communication } from '../knowledge/communication-schema';
import type { RollupStore } from '../storage/ports';
import { romeDay } from '../analytics/rome-day';
import { addDays } from './calendar-days';
import { runEngine, toForecastResult } from './forecast-engine';
import type { ForecastResult } from './forecast-types';
import { dailySeries, type DailySeries } from './series';

/** Six weeks ahead, as the issue asks. */
export const FORECAST_HORIZON_DAYS = 42;
/** History read: two years and a little, so that the yearly terms see every month twice. */
export const HISTORY_DAYS = 2 * 366;
export const INTERVAL = 0.8;

/**
 * What a forecast is computed from: the daily series (arrays of numbers, cheap to copy to a
 * worker thread, where the rollup rows themselves, tens of thousands of objects, took 276 ms of
 * the event loop to post) and the calendar.
 */
export interface ForecastJob {
  readonly series: DailySeries;
  readonly calendar: readonly Communication[];
  readonly generatedAt: string;
}

/**
 * Reads the history a forecast needs: the rollups of the last {@link HISTORY_DAYS} days up to
 * yesterday in Rome (today is incomplete), from the first day with data, summed into series.
 */
export async function forecastJob(rollups: RollupStore, calendar: readonly Communication[], now: Date): Promise<ForecastJob> {
  const historyTo = addDays(romeDay(now.getTime()), -1);
  const rows = await rollups.range(addDays(historyTo, -(HISTORY_DAYS - 1)), historyTo);
  let first = historyTo;
  for (const row of rows) if (row.key.day < first) first = row.key.day;
  return { series: dailySeries(rows, first, historyTo), calendar, generatedAt: now.toISOString() };
}

/**
 * The six-week forecast of a job. CPU-bound (measured in docs/benchmarks.md): run it off the
 * request path.
 *
 * @example
 * const result = computeForecast(await forecastJob(backend.rollups, calendar, new Date()));
 */
export function computeForecast(job: ForecastJob): ForecastResult {
  const out = runEngine(job.series, job.calendar, { horizon: FORECAST_HORIZON_DAYS, interval: INTERVAL });
  return toForecastResult(job.series, out, job.calendar, { interval: INTERVAL, generatedAt: new Date(job.generatedAt) });
}
