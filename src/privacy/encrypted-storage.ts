import type { Storage, StoreItems } from 'botbuilder';
import { ETagConflictError, type StorageBackend } from '../storage/ports';
import { sealedHandoffStore, sealedTicketStore } from './encrypted-records';
import { sealedCallbackStore, sealedHandoffNoteStore } from './encrypted-workspace';
import { isSealed, SEALED_FIELD, SealedRecordError, sealedWrapper, type RecordCipher } from './encryption';

/** What to do with a stored item that does not open (key lost or changed, record altered). */
export type UnreadableHandler = (error: SealedRecordError) => void;

function parseObject(text: string, context: string): Record<string, unknown> {
  const value = JSON.parse(text) as unknown;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new SealedRecordError(context, 'malformed', 'the opened value is not a JSON object');
  return value as Record<string, unknown>;
}

/**
 * botbuilder state (dialog state, Direct Line history, Messenger windows) sealed item by item:
 * the adapter below stores `{ "dialogo:sealed": "enc:1:..." }`, bound to the item's key, and
 * the eTag as before, so concurrency is unchanged. Items stored in clear before the upgrade
 * are read as they are and sealed when next written. An item that does not open is reported to
 * `onUnreadable` and read as missing: the conversation starts again instead of failing every turn.
 *
 * @example
 * const state = new SealedStateStorage(backend.state, cipher, (error) => logger.warn({ err: error }, 'state item unreadable'));
 */
export class SealedStateStorage implements Storage {
  constructor(
    private readonly inner: Storage,
    private readonly cipher: RecordCipher,
    private readonly onUnreadable: UnreadableHandler,
  ) {}

  async read(keys: string[]): Promise<StoreItems> {
    const items = await this.inner.read(keys);
    const opened: StoreItems = {};
    for (const [key, item] of Object.entries(items)) {
      const sealed = sealedWrapper(withoutETag(item));
      if (sealed === undefined) {
        opened[key] = item;
        continue;
      }
      try {
        opened[key] = { ...parseObject(this.cipher.open(sealed, contextOf(key)), contextOf(key)), eTag: (item as { eTag?: unknown }).eTag };
      } catch (error) {
        if (!(error instanceof SealedRecordError)) throw error;
        this.onUnreadable(error);
      }
    }
    return opened;
  }

  async write(changes: StoreItems): Promise<void> {
    const sealed: StoreItems = {};
    for (const [key, item] of Object.entries(changes)) {
      const { eTag, ...rest } = (item ?? {}) as Record<string, unknown>;
      sealed[key] = { [SEALED_FIELD]: this.cipher.seal(JSON.stringify(rest), contextOf(key)), ...(eTag === undefined ? {} : { eTag }) };
    }
    await this.inner.write(sealed);
  }

  async delete(keys: string[]): Promise<void> {
    await this.inner.delete(keys);
  }
}

function withoutETag(item: unknown): unknown {
  if (typeof item !== 'object' || item === null) return item;
  const { eTag: _eTag, ...rest } = item as Record<string, unknown>;
  return rest;
}

function contextOf(key: string): string {
  return `state/${key}`;
}

/** How many records stored in clear a {@link SealedBackend.sealLegacyRecords} pass sealed. */
export interface LegacySealCounts {
  readonly stateItems: number;
  readonly tickets: number;
}

/** A backend whose citizens' words are sealed, and which can seal what an older version stored in clear. */
export interface SealedBackend extends StorageBackend {
  /**
   * Seals the state items and written requests stored in clear before encryption at rest (run
   * once after an upgrade: `npm run data:purge -- --older-than 180d --seal-legacy`). A resealed
   * state item counts as written now for retention. Handoff sessions stored in clear are read
   * as they are and go with the retention once ended.
   */
  sealLegacyRecords(): Promise<LegacySealCounts>;
}

const SEAL_BATCH = 100;

/**
 * `backend` with the records that keep citizens' own words sealed at rest: conversation state,
 * handoff sessions (conversation reference, description, transcript, live messages),
 * written requests (contact and description), operators' notes and callbacks (number,
 * description, note). Events and rollups are already redacted and stay in clear, as do
 * operator accounts (their passwords are scrypt hashes) and canned replies (the city's words).
 *
 * @example
 * const backend = sealBackend(openSqliteBackend('data'), createRecordCipher(key), (error) => logger.warn({ err: error }));
 */
export function sealBackend(backend: StorageBackend, cipher: RecordCipher, onUnreadable: UnreadableHandler): SealedBackend {
  const state = new SealedStateStorage(backend.state, cipher, onUnreadable);
  const tickets = sealedTicketStore(backend.tickets, cipher);
  return {
    ...backend,
    state,
    tickets,
    handoffs: sealedHandoffStore(backend.handoffs, cipher),
    handoffNotes: sealedHandoffNoteStore(backend.handoffNotes, cipher),
    callbacks: sealedCallbackStore(backend.callbacks, cipher),
    async sealLegacyRecords() {
      let stateItems = 0;
      const keys = await backend.stateRetention.keysWithPrefix('');
      for (let i = 0; i < keys.length; i += SEAL_BATCH) {
        for (const [key, item] of Object.entries(await backend.state.read(keys.slice(i, i + SEAL_BATCH)))) {
          if (sealedWrapper(withoutETag(item)) !== undefined) continue;
          try {
            // With the eTag read: an item the bot rewrote meanwhile is already sealed and stays as it is.
            await state.write({ [key]: item });
            stateItems += 1;
          } catch (error) {
            if (!(error instanceof ETagConflictError)) throw error;
          }
        }
      }
      let sealedTickets = 0;
      for (const ticket of await backend.tickets.list()) {
        if (isSealed(ticket.contactEmail) && isSealed(ticket.description)) continue;
        const open = await tickets.get(ticket.reference);
        if (open && (await tickets.replaceText(ticket.reference, open))) sealedTickets += 1;
      }
      return { stateItems, tickets: sealedTickets };
    },
  };
}
