// The forecast's worker thread: receives a ForecastJob, answers with { result } or { error }.
// Kept apart so that a year of rollups is modelled without blocking the event loop.
import { parentPort } from 'node:worker_threads';
import { computeForecast, type ForecastJob } from './compute-forecast';

parentPort?.on('message', (job: ForecastJob) => {
  try {
    parentPort?.postMessage({ result: computeForecast(job) });
  } catch (error) {
    parentPort?.postMessage({ error: error instanceof Error ? error.message : String(error) });
  }
});
