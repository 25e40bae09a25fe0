import type { Config } from '../../config';
import type { Logger } from '../../logger';
import { createRecordCipher } from '../../privacy/encryption';
import { dataEncryptionKey } from '../../storage/open-storage';
import type { StorageBackend } from '../../storage/ports';
import type { ConversationStore } from './conversation-store';
import { DurableConversationStore } from './durable-conversation-store';

/**
 * Where Direct Line conversations live: one instance keeps them in memory, written behind to the
 * state store (DurableConversationStore is its own cache, bounded in bytes; docs/directline.md);
 * several instances share them in MongoDB, each activity sealed.
 */
export function openConversations(config: Config, backend: StorageBackend, clustered: boolean, logger: Logger): ConversationStore & { flush?(): Promise<void> } {
  const limits = { maxActivitiesPerConversation: config.directLineLimits.maxActivitiesPerConversation, maxConversationBytes: config.directLineLimits.maxConversationBytes };
  if (!clustered) return new DurableConversationStore(backend.state, { ...limits, maxMemoryBytes: config.directLineLimits.maxMemoryBytes });
  if (!backend.directLine) throw new Error('cluster mode needs a store shared by the instances (MongoDB); this one keeps Direct Line conversations per process');
  return backend.directLine.open({
    limits,
    cipher: createRecordCipher(dataEncryptionKey(config)),
    onUnreadable: (error) => logger.warn({ err: error }, 'a stored Direct Line activity does not open: skipped'),
  });
}
