import { z } from 'zod';
import type { CallbackRecord, CannedReply, HandoffNote } from './ports';

/**
 * The shape of the console's workspace records (canned replies, notes, callbacks), checked
 * when they are written and when they are read back (database rows are outside input), as
 * src/storage/record-schemas.ts does for sessions and tickets.
 */

const isoInstant = z.string().refine((s) => !Number.isNaN(Date.parse(s)), 'must be an ISO 8601 date and time');

/** Longest canned reply title. */
export const MAX_CANNED_TITLE = 60;
/** Longest canned reply text, note and wrap-up note. */
export const MAX_WORKSPACE_TEXT = 1000;

const cannedReplySchema = z.object({
  id: z.string().min(1),
  title: z.string().min(1).max(MAX_CANNED_TITLE),
  text: z.string().min(1).max(MAX_WORKSPACE_TEXT),
  createdAt: isoInstant,
  updatedAt: isoInstant,
  updatedBy: z.string().min(1),
});

const handoffNoteSchema = z.object({
  id: z.string().min(1),
  sessionId: z.string().min(1),
  at: isoInstant,
  operator: z.string().min(1),
  kind: z.enum(['internal', 'wrap-up']),
  // Sealed at rest, so the stored form is longer than the limit: the limit is the API's.
  text: z.string().min(1),
});

const callbackSchema = z.object({
  id: z.string().min(1),
  createdAt: isoInstant,
  operator: z.string().min(1),
  channel: z.string().min(1),
  language: z.enum(['it', 'en']),
  topicId: z.string().min(1).nullable(),
  description: z.string(),
  phoneNumber: z.string().min(1),
  note: z.string(),
  status: z.enum(['pending', 'done']),
  doneAt: isoInstant.optional(),
  doneBy: z.string().min(1).optional(),
});

function compact<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

function fail(kind: string, where: string, error: z.ZodError): never {
  throw new Error(`invalid ${kind} (${where}): ${error.issues.map((i) => `${i.path.join('.') || '(record)'}: ${i.message}`).join('; ')}`);
}

const iso = (value: string) => new Date(value).toISOString();

/**
 * A valid {@link CannedReply} from `value`, instants normalised; throws naming every bad field and `where`.
 *
 * @example
 * const reply = parseCannedReply(row, 'sqlite canned_replies row');
 */
export function parseCannedReply(value: unknown, where: string): CannedReply {
  const parsed = cannedReplySchema.safeParse(value);
  if (!parsed.success) fail('canned reply', where, parsed.error);
  return { ...parsed.data, createdAt: iso(parsed.data.createdAt), updatedAt: iso(parsed.data.updatedAt) };
}

/**
 * A valid {@link HandoffNote} from `value`, its instant normalised; throws naming every bad field and `where`.
 *
 * @example
 * const note = parseHandoffNote(doc, 'mongodb handoff_notes document');
 */
export function parseHandoffNote(value: unknown, where: string): HandoffNote {
  const parsed = handoffNoteSchema.safeParse(value);
  if (!parsed.success) fail('handoff note', where, parsed.error);
  return { ...parsed.data, at: iso(parsed.data.at) };
}

/**
 * A valid {@link CallbackRecord} from `value`, instants normalised and absent fields dropped;
 * throws naming every bad field and `where`.
 *
 * @example
 * const callback = parseCallbackRecord(row, 'sqlite callbacks row');
 */
export function parseCallbackRecord(value: unknown, where: string): CallbackRecord {
  const parsed = callbackSchema.safeParse(value);
  if (!parsed.success) fail('callback', where, parsed.error);
  const c = parsed.data;
  return compact({ ...c, createdAt: iso(c.createdAt), doneAt: c.doneAt === undefined ? undefined : iso(c.doneAt) });
}
