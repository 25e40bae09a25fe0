import type { ConversationStore } from '../channels/directline/conversation-store';
import type { StorageBackend } from './ports';

/** Who an access request is about; at least one of the ids. */
export interface ExportQuery {
  /** Pseudonymous id of the interaction events (as `data:export -- --conversation` takes it). */
  readonly pseudonymousId?: string;
  /** The channel (`directline`, `facebook`...), needed with `userId` and `channelConversationId`. */
  readonly channel?: string;
  /** The channel's user id: user state, Messenger windows. */
  readonly userId?: string;
  /** The channel's conversation id: dialog state, Direct Line history, handoff sessions, written requests. */
  readonly channelConversationId?: string;
}

/** One stored record of the citizen, opened (sealed records are decrypted) and labelled with its store. */
export type ExportedRecord =
  | { readonly store: 'events'; readonly record: unknown }
  | { readonly store: 'state'; readonly key: string; readonly record: unknown }
  | { readonly store: 'handoff_sessions'; readonly record: unknown }
  | { readonly store: 'tickets'; readonly record: unknown }
  | { readonly store: 'directline_conversations'; readonly record: unknown };

/**
 * Everything the stores hold about one citizen, for an access request: interaction events by
 * pseudonymous id; state items (dialog state, Direct Line history, user state, Messenger
 * windows), handoff sessions and written requests by the channel's ids. `npm run data:export`
 * prints it.
 *
 * @example
 * const records = await exportCitizenData(backend, { channel: 'directline', channelConversationId: 'Kx9...', userId: 'dl_42' });
 */
export async function exportCitizenData(
  backend: StorageBackend,
  query: ExportQuery,
  /** Cluster mode keeps Direct Line history in its own collections (`backend.directLine`), opened with the data key. */
  options: { readonly directLine?: ConversationStore } = {},
): Promise<ExportedRecord[]> {
  const { pseudonymousId, channel, userId, channelConversationId } = query;
  if (!pseudonymousId && !(channel && (userId || channelConversationId))) {
    throw new Error('an export needs a pseudonymous id, or a channel with a user id or a channel conversation id');
  }
  const records: ExportedRecord[] = [];
  if (pseudonymousId) {
    for (const event of await backend.events.query({ conversationId: pseudonymousId })) records.push({ store: 'events', record: event });
  }
  if (!channel) return records;

  const keys = new Set<string>();
  if (channelConversationId) {
    // botbuilder's ConversationState keys: `<channel>/conversations/<id>/<namespace>`.
    for (const key of await backend.stateRetention.keysWithPrefix(`${channel}/conversations/${channelConversationId}/`)) keys.add(key);
    if (channel === 'directline') keys.add(`directline/conversation/${channelConversationId}`);
  }
  if (userId) {
    for (const key of await backend.stateRetention.keysWithPrefix(`${channel}/users/${userId}/`)) keys.add(key);
    for (const key of await backend.stateRetention.keysWithPrefix('messenger/thread/')) if (key.endsWith(`/${userId}`)) keys.add(key);
  }
  const items = keys.size > 0 ? await backend.state.read([...keys]) : {};
  for (const key of [...keys].sort()) {
    const item = items[key];
    if (!item) continue;
    const { eTag: _eTag, ...record } = item as Record<string, unknown>;
    records.push({ store: 'state', key, record });
  }

  if (channelConversationId && channel === 'directline' && options.directLine) {
    const conversation = await options.directLine.get(channelConversationId);
    if (conversation) {
      const activities = (await options.directLine.activitiesAfter(channelConversationId, 0)).map((stored) => stored.activity);
      records.push({ store: 'directline_conversations', record: { conversation, activities } });
    }
  }
  if (channelConversationId) {
    for (const session of await backend.handoffs.forConversation(channel, channelConversationId)) records.push({ store: 'handoff_sessions', record: session });
    for (const ticket of await backend.tickets.forConversation(channelConversationId)) {
      if (ticket.channel === channel) records.push({ store: 'tickets', record: ticket });
    }
  }
  return records;
}
