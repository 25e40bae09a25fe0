import type { CallbackRecord, CallbackStore, HandoffNote, HandoffNoteStore } from '../storage/ports';
import { parseCallbackRecord, parseHandoffNote } from '../storage/workspace-schemas';
import { isSealed, type RecordCipher } from './encryption';

/**
 * Sealing of the operator workspace's records: an operator's note may quote what the citizen
 * said, and a callback holds the citizen's phone number, so both are sealed field by field
 * (AES-256-GCM, bound to the record and field, as encrypted-records.ts does for sessions and
 * tickets). What lists filter and sort on (session id, instants, status, operator) stays in clear.
 */

function openField(cipher: RecordCipher, value: string, context: string): string {
  return isSealed(value) ? cipher.open(value, context) : value;
}

const noteContext = (id: string) => `handoff-note/${id}/text`;
const callbackContext = (id: string, field: 'phoneNumber' | 'description' | 'note') => `callback/${id}/${field}`;

function openNote(cipher: RecordCipher, note: HandoffNote): HandoffNote {
  return { ...note, text: openField(cipher, note.text, noteContext(note.id)) };
}

function openCallback(cipher: RecordCipher, c: CallbackRecord): CallbackRecord {
  return {
    ...c,
    phoneNumber: openField(cipher, c.phoneNumber, callbackContext(c.id, 'phoneNumber')),
    description: openField(cipher, c.description, callbackContext(c.id, 'description')),
    note: openField(cipher, c.note, callbackContext(c.id, 'note')),
  };
}

/**
 * Notes with their text sealed.
 *
 * @example
 * const notes = sealedHandoffNoteStore(backend.handoffNotes, cipher);
 */
export function sealedHandoffNoteStore(inner: HandoffNoteStore, cipher: RecordCipher): HandoffNoteStore {
  return {
    async add(note) {
      const n = parseHandoffNote(note, 'handoff note to add');
      await inner.add({ ...n, text: cipher.seal(n.text, noteContext(n.id)) });
    },
    forSession: async (sessionId) => (await inner.forSession(sessionId)).map((n) => openNote(cipher, n)),
    remove: (id) => inner.remove(id),
    purgeBefore: (before) => inner.purgeBefore(before),
  };
}

/**
 * Callbacks with the citizen's number, the description and the note sealed.
 *
 * @example
 * const callbacks = sealedCallbackStore(backend.callbacks, cipher);
 */
export function sealedCallbackStore(inner: CallbackStore, cipher: RecordCipher): CallbackStore {
  const open = (c: CallbackRecord) => openCallback(cipher, c);
  return {
    async create(callback) {
      const c = parseCallbackRecord(callback, 'callback to create');
      await inner.create({
        ...c,
        phoneNumber: cipher.seal(c.phoneNumber, callbackContext(c.id, 'phoneNumber')),
        description: cipher.seal(c.description, callbackContext(c.id, 'description')),
        note: cipher.seal(c.note, callbackContext(c.id, 'note')),
      });
    },
    async get(id) {
      const c = await inner.get(id);
      return c ? open(c) : undefined;
    },
    list: async (status) => (await inner.list(status)).map(open),
    async markDone(id, by, at) {
      const c = await inner.markDone(id, by, at);
      return c ? open(c) : undefined;
    },
    remove: (id) => inner.remove(id),
    purgeDoneBefore: (before) => inner.purgeDoneBefore(before),
  };
}
