// npm run data:export -- --conversation ID : prints, as JSON lines, every stored event of one
// conversation, for a citizen's access request. ID is the pseudonymous id; with --channel and
// --user the id is computed from the channel's user id with the deployment's secret.
import { parseArgs } from 'node:util';
import { loadConfig } from '../src/config';
import { pseudonymousId } from '../src/privacy/pseudonymize';
import { openStorage, pseudonymSecret } from '../src/storage/open-storage';

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { conversation: { type: 'string' }, channel: { type: 'string' }, user: { type: 'string' } } });
  const config = loadConfig(process.env);
  let id = values.conversation;
  if (!id && values.channel && values.user) id = pseudonymousId(pseudonymSecret(config), values.channel, values.user);
  if (!id) throw new Error('usage: npm run data:export -- --conversation ID  (or --channel CHANNEL --user USER_ID)');
  const backend = await openStorage(config);
  try {
    const events = await backend.events.query({ conversationId: id });
    for (const e of events) process.stdout.write(`${JSON.stringify(e)}\n`);
    process.stderr.write(`${events.length} events of conversation ${id}\n`);
  } finally {
    await backend.close();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`data:export: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 2;
});
