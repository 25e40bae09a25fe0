import { randomUUID } from 'node:crypto';
import { AlreadyExistsError, type CallbackStore, type HandoffNoteStore, type HandoffSession } from '../storage/ports';
import { HandoffError } from './handoff-service';
import { normalisePhoneNumber } from './phone-number';

/** What an operator adds when closing a conversation: an optional note, and the number for a callback. */
export interface WrapUpInput {
  /** At most 1,000 characters; blank means none. */
  readonly note?: string;
  /** Required with the outcome `callback`: the number the citizen gave. */
  readonly callbackNumber?: string;
}

/**
 * Stores the wrap-up of a conversation being closed: the note among the session's notes (kind
 * `wrap-up`), and with the outcome `callback` a pending callback with the number. Written
 * before the session's state changes, and taken back if the close then loses a race, so a
 * closed conversation never lacks its callback and an open one never has one.
 *
 * @example
 * const wrapUp = new WrapUpRecorder({ notes: backend.handoffNotes, callbacks: backend.callbacks });
 * const undo = await wrapUp.record(session, 'giulia', 'callback', { note: 'dopo le 15', callbackNumber: '333 1234567' });
 */
export class WrapUpRecorder {
  constructor(
    private readonly stores: { readonly notes: HandoffNoteStore; readonly callbacks: CallbackStore },
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** Stores the wrap-up; resolves to a function that removes it again. Throws on a callback without a valid number. */
  async record(session: HandoffSession, operator: string, outcome: 'resolved' | 'written-request' | 'callback', input: WrapUpInput): Promise<() => Promise<void>> {
    const note = input.note?.trim() ?? '';
    if (note.length > 1000) throw new Error('a wrap-up note has at most 1000 characters');
    const phoneNumber = outcome === 'callback' ? normalisePhoneNumber(input.callbackNumber ?? '') : undefined;
    if (outcome === 'callback' && !phoneNumber) throw new Error('a callback needs the number the citizen gave');
    const at = this.now().toISOString();
    const noteId = randomUUID();
    if (note) await this.stores.notes.add({ id: noteId, sessionId: session.id, at, operator, kind: 'wrap-up', text: note });
    if (phoneNumber) {
      try {
        await this.stores.callbacks.create({
          id: session.id,
          createdAt: at,
          operator,
          channel: session.channel,
          language: session.language,
          topicId: session.topicId,
          description: session.description,
          phoneNumber,
          note,
          status: 'pending',
        });
      } catch (error) {
        if (note) await this.stores.notes.remove(noteId);
        // A colleague closing the same conversation as a callback at this very moment got there first.
        if (error instanceof AlreadyExistsError) throw new HandoffError('NOT_CONNECTED', 'La conversazione è già stata chiusa da un collega.');
        throw error;
      }
    }
    return async () => {
      if (note) await this.stores.notes.remove(noteId);
      if (phoneNumber) await this.stores.callbacks.remove(session.id);
    };
  }
}
