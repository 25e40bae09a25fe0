// npm run analytics:rebuild [-- --dry-run] : recomputes the analytics rollups and knowledge gaps of
// the days whose interaction events are all still stored (the configured store: MONGODB_URI, or the
// SQLite file under DATA_DIR). Older days, whose events retention (RETENTION_DAYS) has deleted, keep
// their rollups as they are. It says which days it recomputes and which it keeps before it starts;
// --dry-run says only that. Run it with the bot stopped (or its aggregator idle).
import { loadConfig } from '../src/config';
import { planRebuild, rebuildRollups, type RebuildPlan } from '../src/analytics/rebuild';
import { openStorage } from '../src/storage/open-storage';

function describePlan(plan: RebuildPlan, retentionDays: number): string {
  if (plan.firstDay === null) return 'analytics:rebuild: no interaction event is stored; every rollup is kept as it is, nothing to recompute';
  return (
    `analytics:rebuild: recomputing the rollups of ${plan.firstDay} and after (oldest stored event ${plan.oldestEvent}; ` +
    `retention ${retentionDays} days, cutoff ${plan.retentionCutoff}); the rollups before ${plan.firstDay} are kept as they are`
  );
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const dryRun = args.length === 1 && args[0] === '--dry-run';
  if (args.length > 0 && !dryRun) throw new Error(`usage: npm run analytics:rebuild [-- --dry-run]; got ${JSON.stringify(args)}`);
  const config = loadConfig(process.env);
  const backend = await openStorage(config);
  try {
    const started = Date.now();
    const now = new Date();
    const plan = await planRebuild(backend.events, now, config.storage.retentionDays);
    process.stdout.write(`${describePlan(plan, config.storage.retentionDays)}\n`);
    if (dryRun) return;
    const summary = await rebuildRollups(backend.events, backend.rollups, now, { plan });
    process.stdout.write(`${JSON.stringify({ store: backend.kind, at: now.toISOString(), ...summary, ms: Date.now() - started })}\n`);
  } finally {
    await backend.close();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`analytics:rebuild: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 2;
});
