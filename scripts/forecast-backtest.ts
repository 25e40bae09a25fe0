// npm run --silent forecast:backtest [-- --origins 6 --horizon 42 --step 28]
// Rolling-origin backtest of the demand forecast on the configured store (DATA_DIR or
// MONGODB_URI) and the calendar knowledge-base/communications.yaml (KB_DIR): from each origin
// the history up to it is forecast and compared with what followed (docs/forecast.md).
// Earlier lines describe the run; the LAST line is one JSON object:
//   {"days", "totalWape", "totalMase", "seasonalNaiveWape", "topics": [{"topicId", "wape", "mase"}]}
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { romeDay } from '../src/analytics/rome-day';
import { loadConfig } from '../src/config';
import { backtest, DEFAULT_BACKTEST } from '../src/forecast/backtest';
import { addDays } from '../src/forecast/calendar-days';
import { HISTORY_DAYS } from '../src/forecast/compute-forecast';
import path from 'node:path';
import { loadKnowledgeBase } from '../src/knowledge/load-knowledge-base';
import { dailySeries } from '../src/forecast/series';
import { openStorage } from '../src/storage/open-storage';

const argsSchema = z
  .object({
    origins: z.coerce.number().int().min(1).max(52).default(DEFAULT_BACKTEST.origins),
    horizon: z.coerce.number().int().min(1).max(42).default(DEFAULT_BACKTEST.horizon),
    step: z.coerce.number().int().min(1).max(365).default(DEFAULT_BACKTEST.step),
  })
  .strict();

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { origins: { type: 'string' }, horizon: { type: 'string' }, step: { type: 'string' } } });
  const parsed = argsSchema.safeParse(values);
  if (!parsed.success) throw new Error(`${parsed.error.issues.map((i) => `--${i.path.join('.')}: ${i.message}`).join('; ')} (usage: npm run --silent forecast:backtest -- [--origins N] [--horizon DAYS] [--step DAYS])`);
  const config = loadConfig(process.env);
  const { communications } = (await loadKnowledgeBase(path.resolve(config.knowledgeBaseDir))).calendar;
  const backend = await openStorage(config);
  try {
    const historyTo = addDays(romeDay(Date.now()), -1);
    const started = Date.now();
    const rows = await backend.rollups.range(addDays(historyTo, -(HISTORY_DAYS - 1)), historyTo);
    let first = historyTo;
    for (const row of rows) if (row.key.day < first) first = row.key.day;
    const series = dailySeries(rows, first, historyTo);
    const readMs = Date.now() - started;
    const options = { ...DEFAULT_BACKTEST, ...parsed.data };
    const needed = options.minHistory + options.horizon;
    if (series.days.length < needed) throw new Error(`the store holds ${series.days.length} days of rollups from ${first} to ${historyTo}; the backtest needs at least ${needed} (npm run demo:seed fills two years)`);
    const modelStarted = Date.now();
    const report = backtest(series, communications, options);
    const modelMs = Date.now() - modelStarted;
    const holtWinters = backtest(series, communications, { ...options, model: 'holt-winters' });
    const volume = series.total.reduce((a, b) => a + b, 0);
    process.stdout.write(
      `${JSON.stringify({
        store: backend.kind,
        history: { from: first, to: historyTo, contacts: volume, perDay: Math.round(volume / series.days.length), topics: series.byTopic.size, communications: communications.length },
        origins: report.origins,
        byOrigin: report.byOrigin,
        horizon: report.horizon,
        regression: { totalWape: report.totalWape, totalMase: report.totalMase, intervalCoverage: report.coverage, nominal: report.interval },
        holtWinters: { totalWape: holtWinters.totalWape, totalMase: holtWinters.totalMase },
        seasonalNaive: { totalWape: report.seasonalNaiveWape, totalMase: report.seasonalNaiveMase },
        ms: { read: readMs, regression: modelMs },
      })}\n`,
    );
    for (const t of report.topics) {
      process.stdout.write(`${t.topicId.padEnd(28)} ${String(t.volume).padStart(7)} contacts  WAPE ${fmt(t.wape)}  MASE ${fmt(t.mase)}  seasonal naive WAPE ${fmt(t.seasonalNaiveWape)}  MASE ${fmt(t.seasonalNaiveMase)}\n`);
    }
    process.stdout.write(
      `${JSON.stringify({
        days: report.days,
        totalWape: report.totalWape,
        totalMase: report.totalMase,
        seasonalNaiveWape: report.seasonalNaiveWape,
        topics: report.topics.map((t) => ({ topicId: t.topicId, wape: t.wape, mase: t.mase })),
      })}\n`,
    );
  } finally {
    await backend.close();
  }
}

function fmt(v: number | null): string {
  return v === null ? '   n/a' : v.toFixed(3).padStart(6);
}

main().catch((error: unknown) => {
  process.stderr.write(`forecast:backtest: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
