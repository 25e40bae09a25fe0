// npm run data:purge -- --older-than 180d : deletes, from the configured store (MONGODB_URI, or
// the SQLite file under DATA_DIR), everything the daily retention job deletes: interaction events,
// ended handoff sessions, closed written requests and state items (dialog state, Direct Line
// history) not written within the limit. Prints the counts per store as one JSON line.
// With --seal-legacy it then seals the state items and written requests an older version stored
// in clear (once, after the upgrade to encryption at rest).
import { parseArgs } from 'node:util';
import { loadConfig } from '../src/config';
import { openStorage } from '../src/storage/open-storage';
import { purgeOlderThan } from '../src/storage/retention';

const DAY_MS = 24 * 60 * 60 * 1000;

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { 'older-than': { type: 'string' }, 'seal-legacy': { type: 'boolean' } } });
  const match = /^(\d+)d$/.exec(values['older-than'] ?? '');
  if (!match) throw new Error('usage: npm run data:purge -- --older-than 180d [--seal-legacy] (a number of days followed by d)');
  const days = Number(match[1]);
  if (days < 1) throw new Error('--older-than must be at least 1d');
  const backend = await openStorage(loadConfig(process.env));
  try {
    const before = new Date(Date.now() - days * DAY_MS);
    const purged = await purgeOlderThan(backend, before);
    // After the purge: what is about to go is not worth sealing.
    const sealed = values['seal-legacy'] ? await backend.sealLegacyRecords() : undefined;
    process.stdout.write(`${JSON.stringify({ store: backend.kind, olderThan: before.toISOString(), ...purged, ...(sealed ? { sealed } : {}) })}\n`);
  } finally {
    await backend.close();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`data:purge: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 2;
});
