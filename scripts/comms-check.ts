// npm run comms:check [-- --kb DIR] [-- --today YYYY-MM-DD] [-- --json]: the pre-flight check of the
// coming communications of knowledge-base/communications.yaml (src/knowledge/communications-check.ts).
// Exit 0 when nothing blocks (warnings may be listed), 1 with the blocking problems listed, 2 on a
// usage error or a knowledge base that does not load (its problems in the editors' Italian).
import path from 'node:path';
import { parseArgs } from 'node:util';
import { calendarDay } from '../src/knowledge/communications';
import { checkCommunications } from '../src/knowledge/communications-check';
import { KnowledgeBaseError, loadKnowledgeBase } from '../src/knowledge/load-knowledge-base';
import { isoDate } from '../src/knowledge/topic-schema';

const USAGE = 'usage: npm run comms:check [-- --kb DIR] [-- --today YYYY-MM-DD] [-- --json]';

async function main(): Promise<number> {
  let values: { kb: string; today?: string; json: boolean };
  try {
    ({ values } = parseArgs({ options: { kb: { type: 'string', default: 'knowledge-base' }, today: { type: 'string' }, json: { type: 'boolean', default: false } }, strict: true }) as { values: typeof values });
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
  const check = checkCommunications(kb.calendar, kb, day);
  if (values.json) {
    process.stdout.write(`${JSON.stringify(check)}\n`);
  } else {
    for (const c of check.coming) {
      process.stdout.write(`${c.effective} ${c.week} ${c.id} (${c.kind}; ${c.topics.join(', ')})\n`);
      for (const f of check.findings.filter((x) => x.communicationId === c.id)) process.stdout.write(`  ${f.level}: ${f.message}\n`);
    }
    const warnings = check.findings.filter((f) => f.level === 'warning').length;
    process.stdout.write(`${check.coming.length} coming communications from ${day}: ${check.blocking} blocking, ${warnings} warnings\n`);
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
