// npm run data:export -- ... : prints, as JSON lines `{ "store": ..., "record": ... }`, everything
// the configured store holds about one citizen, for an access request (sealed records decrypted):
//   --conversation ID                  interaction events by pseudonymous id
//   --channel CHANNEL --user USER_ID   the same events (the id is computed with the deployment's
//                                      secret), user state and Messenger windows
//   --channel CHANNEL --channel-conversation ID
//                                      dialog state, Direct Line history, handoff sessions and
//                                      written requests of that channel conversation
import { parseArgs } from 'node:util';
import { loadConfig } from '../src/config';
import { pseudonymousId } from '../src/privacy/pseudonymize';
import { exportCitizenData } from '../src/storage/data-export';
import { createRecordCipher } from '../src/privacy/encryption';
import { dataEncryptionKey, openStorage, pseudonymSecret } from '../src/storage/open-storage';

const USAGE = 'usage: npm run data:export -- --conversation ID | --channel CHANNEL (--user USER_ID | --channel-conversation ID)';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { conversation: { type: 'string' }, channel: { type: 'string' }, user: { type: 'string' }, 'channel-conversation': { type: 'string' } },
  });
  const config = loadConfig(process.env);
  const { channel, user } = values;
  const id = values.conversation ?? (channel && user ? pseudonymousId(pseudonymSecret(config), channel, user) : undefined);
  if (!id && !(channel && values['channel-conversation'])) throw new Error(USAGE);
  const backend = await openStorage(config);
  try {
    // Cluster mode's Direct Line history, however long idle (the retention decides what is still there), and all of it.
    const directLine = backend.directLine?.open({
      limits: { idleMs: Number.MAX_SAFE_INTEGER, maxConversationBytes: Number.MAX_SAFE_INTEGER },
      cipher: createRecordCipher(dataEncryptionKey(config)),
      onUnreadable: (error) => process.stderr.write(`data:export: an activity does not open, left out: ${error.message}\n`),
    });
    const records = await exportCitizenData(backend, { pseudonymousId: id, channel, userId: user, channelConversationId: values['channel-conversation'] }, { directLine });
    for (const r of records) process.stdout.write(`${JSON.stringify(r)}\n`);
    const perStore: Record<string, number> = {};
    for (const r of records) perStore[r.store] = (perStore[r.store] ?? 0) + 1;
    process.stderr.write(`${records.length} records ${JSON.stringify(perStore)}\n`);
  } finally {
    await backend.close();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`data:export: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 2;
});
