// npm run comms:check [-- --kb DIR] [-- --today YYYY-MM-DD] [-- --json] [-- --no-forecast]: the
// pre-flight check of the coming communications of knowledge-base/communications.yaml
// (src/knowledge/communications-check.ts). The extra operators each one asks for come from the
// demand forecast of the configured store (DATA_DIR or MONGODB_URI, as `npm start` uses; read
// only) when it holds rollups; --no-forecast skips it.
// Exit 0 when nothing blocks (warnings may be listed), 1 with the blocking problems listed, 2 on a
// usage error or a knowledge base that does not load (its problems in the editors' Italian).
import path from 'node:path';
import { parseArgs } from 'node:util';
import { calendarDay } from '../src/knowledge/communications';
import { checkCommunications } from '../src/knowledge/communications-check';
import { KnowledgeBaseError, loadKnowledgeBase } from '../src/knowledge/load-knowledge-base';
import { isoDate } from '../src/knowledge/topic-schema';
import { loadConfig } from '../src/config';
import type { Communication } from '../src/knowledge/communication-schema';
import { createLogger } from '../src/logger';
import { addDays } from '../src/forecast/calendar-days';
import { ForecastService } from '../src/forecast/forecast-service';
import { OperatorAccounts } from '../src/operators/operator-accounts';
import { extraOperatorsFor } from '../src/staffing/communication-staffing';
import { currentStaffingModel } from '../src/staffing/staffing-routes';
import { officeHourOpen } from '../src/staffing/staffing';
import { openStorage } from '../src/storage/open-storage';

/**
 * The extra operators from the forecast of the configured store, or undefined (said on stderr)
 * when the store has no rollups or cannot be read: the check still runs without them.
 */
async function forecastExtraOperators(communications: readonly Communication[]): Promise<((c: Communication) => number | null) | undefined> {
  const config = loadConfig(process.env);
  const backend = await openStorage(config);
  try {
    const now = () => new Date();
    const today = calendarDay(new Date());
    const recent = await backend.rollups.range(addDays(today, -90), today);
    if (recent.length === 0) {
      process.stderr.write('comms:check: l\'archivio non ha nessun dato degli ultimi 90 giorni: nessuna previsione, quindi nessun operatore in più\n');
      return undefined;
    }
    const forecast = new ForecastService({ rollups: backend.rollups, calendar: () => ({ communications, version: 'file' }), logger: createLogger('silent'), now, compute: 'inline' });
    const [result, model] = await Promise.all([forecast.current(), currentStaffingModel({ rollups: backend.rollups, accounts: new OperatorAccounts(backend.operators), settings: { ...config.staffing, openHour: officeHourOpen(config.handoff.officeHours) }, now })]);
    return (c) => extraOperatorsFor(c, result, model.queue, model.settings);
  } finally {
    await backend.close();
  }
}

/** The finding levels as the planners read them (the JSON keeps `block`, `warning`, `info`). */
const LEVELS = { block: 'BLOCCA', warning: 'attenzione', info: 'info' } as const;

const USAGE = 'usage: npm run comms:check [-- --kb DIR] [-- --today YYYY-MM-DD] [-- --json] [-- --no-forecast]';

async function main(): Promise<number> {
  let values: { kb: string; today?: string; json: boolean; 'no-forecast': boolean };
  try {
    ({ values } = parseArgs({ options: { kb: { type: 'string', default: 'knowledge-base' }, today: { type: 'string' }, json: { type: 'boolean', default: false }, 'no-forecast': { type: 'boolean', default: false } }, strict: true }) as { values: typeof values });
  } catch (error) {
    process.stderr.write(`comms:check: ${(error as Error).message}\n${USAGE}\n`);
    return 2;
  }
  const today = values.today === undefined ? calendarDay(new Date()) : isoDate.safeParse(values.today);
  if (typeof today !== 'string' && !today.success) {
    process.stderr.write(`comms:check: --today ${values.today}: expected a date as YYYY-MM-DD\n${USAGE}\n`);
    return 2;
  }
  const day = typeof today === 'string' ? today : today.data;
  let kb;
  try {
    kb = await loadKnowledgeBase(path.resolve(values.kb));
  } catch (error) {
    process.stderr.write(`comms:check: ${error instanceof KnowledgeBaseError ? error.message : (error as Error).message}\n`);
    return 2;
  }
  const extra = values['no-forecast']
    ? undefined
    : await forecastExtraOperators(kb.calendar.communications).catch((error: unknown) => {
        process.stderr.write(`comms:check: previsione non disponibile (${error instanceof Error ? error.message : String(error)}): nessun operatore in più\n`);
        return undefined;
      });
  const check = checkCommunications(kb.calendar, kb, day, extra);
  if (values.json) {
    process.stdout.write(`${JSON.stringify(check)}\n`);
  } else {
    for (const c of check.coming) {
      process.stdout.write(`${c.effective} ${c.week} ${c.id} (${c.kind}; ${c.topics.join(', ')})\n`);
      for (const f of check.findings.filter((x) => x.communicationId === c.id)) process.stdout.write(`  ${LEVELS[f.level]}: ${f.message}\n`);
    }
    const warnings = check.findings.filter((f) => f.level === 'warning').length;
    process.stdout.write(`${check.coming.length} comunicazioni in arrivo dal ${day}: ${check.blocking} bloccanti, ${warnings} da valutare\n`);
  }
  return check.blocking > 0 ? 1 : 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`comms:check: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 2;
  },
);
