import type { Collection, Db, WithId } from 'mongodb';
import { AlreadyExistsError, type CallbackRecord, type CallbackStore, type CannedReply, type CannedReplyStore, type HandoffNote, type HandoffNoteStore } from '../ports';
import { parseCallbackRecord, parseCannedReply, parseHandoffNote } from '../workspace-schemas';

const DUPLICATE_KEY = 11000;

type CannedDoc = Omit<CannedReply, 'id' | 'createdAt' | 'updatedAt'> & { _id: string; createdAt: Date; updatedAt: Date };
type NoteDoc = Omit<HandoffNote, 'id' | 'at'> & { _id: string; at: Date };
type CallbackDoc = Omit<CallbackRecord, 'id' | 'createdAt' | 'doneAt'> & { _id: string; createdAt: Date; doneAt?: Date };

function isDuplicate(error: unknown): boolean {
  return (error as { code?: unknown } | null)?.code === DUPLICATE_KEY;
}

const cannedOf = ({ _id, createdAt, updatedAt, ...rest }: WithId<CannedDoc>) =>
  parseCannedReply({ ...rest, id: _id, createdAt: createdAt.toISOString(), updatedAt: updatedAt.toISOString() }, `mongodb canned_replies document "${_id}"`);

const noteOf = ({ _id, at, ...rest }: WithId<NoteDoc>) => parseHandoffNote({ ...rest, id: _id, at: at.toISOString() }, `mongodb handoff_notes document "${_id}"`);

const callbackOf = ({ _id, createdAt, doneAt, ...rest }: WithId<CallbackDoc>) =>
  parseCallbackRecord({ ...rest, id: _id, createdAt: createdAt.toISOString(), doneAt: doneAt?.toISOString() }, `mongodb callbacks document "${_id}"`);

/**
 * Canned replies in the `canned_replies` collection, `_id` = the reply's id.
 *
 * @example
 * const replies = await mongoCannedReplyStore(db);
 */
export async function mongoCannedReplyStore(db: Db): Promise<CannedReplyStore> {
  const replies: Collection<CannedDoc> = db.collection<CannedDoc>('canned_replies');
  await replies.createIndex({ title: 1, _id: 1 }, { name: 'title' });
  return {
    async list() {
      return (await replies.find({}).sort({ title: 1, _id: 1 }).toArray()).map(cannedOf);
    },
    async get(id) {
      const doc = await replies.findOne({ _id: id });
      return doc ? cannedOf(doc) : undefined;
    },
    async create(reply) {
      const { id, createdAt, updatedAt, ...rest } = parseCannedReply(reply, 'canned reply to create');
      try {
        await replies.insertOne({ ...rest, _id: id, createdAt: new Date(createdAt), updatedAt: new Date(updatedAt) });
      } catch (error) {
        if (isDuplicate(error)) throw new AlreadyExistsError('canned-reply', id);
        throw error;
      }
    },
    async update(id, change) {
      const current = await replies.findOne({ _id: id });
      if (!current) return undefined;
      const next = parseCannedReply({ ...cannedOf(current), ...change, id }, `canned reply "${id}" to update`);
      const doc = await replies.findOneAndUpdate(
        { _id: id },
        { $set: { title: next.title, text: next.text, updatedAt: new Date(next.updatedAt), updatedBy: next.updatedBy } },
        { returnDocument: 'after' },
      );
      return doc ? cannedOf(doc) : undefined;
    },
    async remove(id) {
      return (await replies.deleteOne({ _id: id })).deletedCount === 1;
    },
  };
}

/**
 * Notes on handoff conversations in the `handoff_notes` collection.
 *
 * @example
 * const notes = await mongoHandoffNoteStore(db);
 */
export async function mongoHandoffNoteStore(db: Db): Promise<HandoffNoteStore> {
  const notes: Collection<NoteDoc> = db.collection<NoteDoc>('handoff_notes');
  await notes.createIndex({ sessionId: 1, at: 1 }, { name: 'session_at' });
  await notes.createIndex({ at: 1 }, { name: 'at' });
  return {
    async add(note) {
      const { id, at, ...rest } = parseHandoffNote(note, 'handoff note to add');
      try {
        await notes.insertOne({ ...rest, _id: id, at: new Date(at) });
      } catch (error) {
        if (isDuplicate(error)) throw new AlreadyExistsError('handoff-note', id);
        throw error;
      }
    },
    async forSession(sessionId) {
      return (await notes.find({ sessionId }).sort({ at: 1, _id: 1 }).toArray()).map(noteOf);
    },
    async remove(id) {
      return (await notes.deleteOne({ _id: id })).deletedCount === 1;
    },
    async purgeBefore(before) {
      return (await notes.deleteMany({ at: { $lt: before } })).deletedCount;
    },
  };
}

/**
 * Callbacks in the `callbacks` collection, `_id` = the handoff session's id; marking one done
 * is one `findOneAndUpdate` whose filter holds `status: 'pending'`.
 *
 * @example
 * const callbacks = await mongoCallbackStore(db);
 */
export async function mongoCallbackStore(db: Db): Promise<CallbackStore> {
  const callbacks: Collection<CallbackDoc> = db.collection<CallbackDoc>('callbacks');
  await callbacks.createIndex({ status: 1, createdAt: 1 }, { name: 'status_created' });
  return {
    async create(callback) {
      const { id, createdAt, doneAt, ...rest } = parseCallbackRecord(callback, 'callback to create');
      try {
        await callbacks.insertOne({ ...rest, _id: id, createdAt: new Date(createdAt), ...(doneAt ? { doneAt: new Date(doneAt) } : {}) });
      } catch (error) {
        if (isDuplicate(error)) throw new AlreadyExistsError('callback', id);
        throw error;
      }
    },
    async get(id) {
      const doc = await callbacks.findOne({ _id: id });
      return doc ? callbackOf(doc) : undefined;
    },
    async list(status) {
      return (await callbacks.find(status ? { status } : {}).sort({ createdAt: 1, _id: 1 }).toArray()).map(callbackOf);
    },
    async markDone(id, by, at) {
      const doc = await callbacks.findOneAndUpdate({ _id: id, status: 'pending' }, { $set: { status: 'done', doneAt: new Date(at), doneBy: by } }, { returnDocument: 'after' });
      return doc ? callbackOf(doc) : undefined;
    },
    async remove(id) {
      return (await callbacks.deleteOne({ _id: id })).deletedCount === 1;
    },
    async purgeDoneBefore(before) {
      return (await callbacks.deleteMany({ status: 'done', doneAt: { $lt: before } })).deletedCount;
    },
  };
}
