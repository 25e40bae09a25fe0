import { z } from 'zod';
import {
  DEFAULT_MAX_CONCURRENT,
  type HandoffChange,
  type HandoffOutcome,
  type HandoffSession,
  type HandoffState,
  type OperatorAccount,
  type TicketOutcome,
  type TicketRecord,
  type TicketState,
  type TranscriptEntry,
} from './ports';

/**
 * The shape of tickets, operator accounts and handoff sessions, checked when they are written (so a bad record
 * never reaches the store) and when they are read back (database rows are outside input).
 */

const isoInstant = z.string().refine((s) => !Number.isNaN(Date.parse(s)), 'must be an ISO 8601 date and time');

const transcriptEntrySchema = z.object({
  at: isoInstant,
  from: z.enum(['citizen', 'bot', 'operator', 'system']),
  text: z.string(),
  topicId: z.string().min(1).nullable().optional(),
  operator: z.string().min(1).optional(),
  handover: z.enum(['takeover', 'reassign', 'transfer']).optional(),
});

/** The states and closing outcomes of written requests, in the order the console lists them. */
export const TICKET_STATES = ['open', 'answered', 'closed'] as const satisfies readonly TicketState[];
export const TICKET_OUTCOMES = ['answered', 'duplicate', 'not-competent', 'no-reply-needed', 'spam'] as const satisfies readonly TicketOutcome[];

const ticketSchema = z.object({
  reference: z.string().regex(/^DLG-\d{4}-\d{6,}$/, 'must look like DLG-2026-000123'),
  createdAt: isoInstant,
  conversationId: z.string().min(1),
  channel: z.string().min(1),
  language: z.enum(['it', 'en']),
  topicId: z.string().min(1).nullable(),
  contactEmail: z.string(),
  description: z.string(),
  state: z.enum(TICKET_STATES),
  answer: z.string().optional(),
  answeredBy: z.string().min(1).optional(),
  answeredAt: isoInstant.optional(),
  closedAt: isoInstant.optional(),
  closedBy: z.string().min(1).optional(),
  outcome: z.enum(TICKET_OUTCOMES).optional(),
  closeNote: z.string().optional(),
  transcript: z.array(transcriptEntrySchema).optional(),
});

/** Sessions ended with "Esci" kept per account (a shift's worth many times over; the oldest go first). */
export const MAX_SIGNED_OUT_SESSIONS = 200;

const operatorSchema = z.object({
  name: z.string().min(1),
  role: z.enum(['operator', 'supervisor']),
  passwordHash: z.string().min(1),
  createdAt: isoInstant,
  maxConcurrent: z.number().int().min(1).max(100).default(DEFAULT_MAX_CONCURRENT),
  disabled: z.boolean().optional(),
  displayName: z.string().min(1).max(40).nullish(),
  signedOutAt: isoInstant.nullish(),
  signedOutSessions: z.array(z.number().int()).max(MAX_SIGNED_OUT_SESSIONS).nullish(),
});

const handoffStates = ['queued', 'connected', 'closed', 'abandoned', 'ticket'] as const satisfies readonly HandoffState[];
const handoffOutcomes = ['resolved', 'written-request', 'callback', 'left', 'timeout', 'ticket', 'away', 'no-answer', 'citizen-ended', 'idle'] as const satisfies readonly HandoffOutcome[];

const handoffChangeSchema = z.object({
  state: z.enum(handoffStates).optional(),
  operator: z.string().min(1).optional(),
  connectedAt: isoInstant.optional(),
  endedAt: isoInstant.optional(),
  outcome: z.enum(handoffOutcomes).optional(),
});

const handoffSessionSchema = handoffChangeSchema.extend({
  id: z.string().min(1),
  channel: z.string().min(1),
  conversationId: z.string().min(1),
  reference: z.record(z.string(), z.unknown()),
  language: z.enum(['it', 'en']),
  topicId: z.string().min(1).nullable(),
  description: z.string(),
  phoneCode: z.string().regex(/^\d{6}$/, 'must be 6 digits'),
  state: z.enum(handoffStates),
  queuedAt: isoInstant,
  transcript: z.array(transcriptEntrySchema),
  messages: z.array(transcriptEntrySchema),
});

const handoffStatesSchema = z.array(z.enum(handoffStates));

/** Drops keys whose value is undefined, so records compare equal whichever adapter returned them. */
function compact<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

function describeIssues(error: z.ZodError): string {
  return error.issues.map((i) => `${i.path.join('.') || '(record)'}: ${i.message}`).join('; ');
}

/**
 * A valid {@link TicketRecord} from `value`, with its instants normalised to `toISOString`;
 * throws an Error naming every bad field and `where` the value came from.
 *
 * @example
 * const ticket = parseTicketRecord(row, 'sqlite tickets row');
 */
export function parseTicketRecord(value: unknown, where: string): TicketRecord {
  const parsed = ticketSchema.safeParse(value);
  if (!parsed.success) throw new Error(`invalid ticket (${where}): ${describeIssues(parsed.error)}`);
  const t = parsed.data;
  return compact({
    ...t,
    createdAt: new Date(t.createdAt).toISOString(),
    answeredAt: t.answeredAt === undefined ? undefined : new Date(t.answeredAt).toISOString(),
    closedAt: t.closedAt === undefined ? undefined : new Date(t.closedAt).toISOString(),
  });
}

/**
 * A valid {@link OperatorAccount} from `value` (`maxConcurrent` defaults to 3, `disabled: false`
 * is dropped); throws an Error naming every bad field and `where` the value came from.
 *
 * @example
 * const account = parseOperatorAccount(doc, 'mongodb operators document');
 */
export function parseOperatorAccount(value: unknown, where: string): OperatorAccount {
  const parsed = operatorSchema.safeParse(value);
  if (!parsed.success) throw new Error(`invalid operator account (${where}): ${describeIssues(parsed.error)}`);
  const a = parsed.data;
  return compact({
    ...a,
    createdAt: new Date(a.createdAt).toISOString(),
    disabled: a.disabled ? true : undefined,
    displayName: a.displayName ?? undefined,
    signedOutAt: a.signedOutAt ? new Date(a.signedOutAt).toISOString() : undefined,
    signedOutSessions: a.signedOutSessions && a.signedOutSessions.length > 0 ? a.signedOutSessions : undefined,
  });
}

/** `value` as `toISOString`, or undefined when absent (the value has passed {@link isoInstant}). */
function normaliseInstant(value: string | undefined): string | undefined {
  return value === undefined ? undefined : new Date(value).toISOString();
}

function normaliseEntry(entry: z.infer<typeof transcriptEntrySchema>): TranscriptEntry {
  return compact({ ...entry, at: new Date(entry.at).toISOString() });
}

/**
 * A valid {@link TranscriptEntry} from `value`, its instant normalised to `toISOString`;
 * throws an Error naming every bad field and `where` the value came from.
 *
 * @example
 * const entry = parseTranscriptEntry(JSON.parse(row.body), 'sqlite handoff_messages row');
 */
export function parseTranscriptEntry(value: unknown, where: string): TranscriptEntry {
  const parsed = transcriptEntrySchema.safeParse(value);
  if (!parsed.success) throw new Error(`invalid transcript entry (${where}): ${describeIssues(parsed.error)}`);
  return normaliseEntry(parsed.data);
}

/**
 * A valid {@link HandoffSession} from `value`, with every instant (its own and its transcript's
 * and messages') normalised to `toISOString` and absent optional fields dropped; throws an
 * Error naming every bad field and `where` the value came from.
 *
 * @example
 * const session = parseHandoffSession(doc, 'mongodb handoff_sessions document "5f0c..."');
 */
export function parseHandoffSession(value: unknown, where: string): HandoffSession {
  const parsed = handoffSessionSchema.safeParse(value);
  if (!parsed.success) throw new Error(`invalid handoff session (${where}): ${describeIssues(parsed.error)}`);
  const s = parsed.data;
  return compact({
    ...s,
    queuedAt: new Date(s.queuedAt).toISOString(),
    connectedAt: normaliseInstant(s.connectedAt),
    endedAt: normaliseInstant(s.endedAt),
    transcript: s.transcript.map(normaliseEntry),
    messages: s.messages.map(normaliseEntry),
  });
}

/**
 * A valid {@link HandoffChange} from `value` (instants normalised, absent fields dropped) and
 * the `from` states it applies in; throws an Error naming every bad field and `where`.
 *
 * @example
 * const { change, from } = parseHandoffTransition({ state: 'connected', operator: 'giulia.rossi' }, ['queued'], 'transition of "5f0c..."');
 */
export function parseHandoffTransition(change: unknown, from: unknown, where: string): { change: HandoffChange; from: HandoffState[] } {
  const parsedChange = handoffChangeSchema.strict().safeParse(change);
  if (!parsedChange.success) throw new Error(`invalid handoff change (${where}): ${describeIssues(parsedChange.error)}`);
  const parsedFrom = handoffStatesSchema.safeParse(from);
  if (!parsedFrom.success) throw new Error(`invalid handoff "from" states (${where}): ${describeIssues(parsedFrom.error)}`);
  const c = parsedChange.data;
  return {
    change: compact({ ...c, connectedAt: normaliseInstant(c.connectedAt), endedAt: normaliseInstant(c.endedAt) }),
    from: parsedFrom.data,
  };
}
