// npm run analytics:rebuild : recomputes the analytics rollups and knowledge gaps from the stored
// interaction events of the configured store (MONGODB_URI, or the SQLite file under DATA_DIR).
// Run it with the bot stopped (or its aggregator idle): the rollups are cleared first.
import { loadConfig } from '../src/config';
import { rebuildRollups } from '../src/analytics/rebuild';
import { openStorage } from '../src/storage/open-storage';

async function main(): Promise<void> {
  if (process.argv.length > 2) throw new Error('usage: npm run analytics:rebuild (no arguments)');
  const backend = await openStorage(loadConfig(process.env));
  try {
    const started = Date.now();
    const now = new Date();
    const summary = await rebuildRollups(backend.events, backend.rollups, now);
    process.stdout.write(`${JSON.stringify({ store: backend.kind, at: now.toISOString(), ...summary, ms: Date.now() - started })}\n`);
  } finally {
    await backend.close();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`analytics:rebuild: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 2;
});
