import { z } from 'zod';
import { DEFAULT_MAX_CONCURRENT, type OperatorAccount, type TicketRecord } from './ports';

/**
 * The shape of tickets and operator accounts, checked when they are written (so a bad record
 * never reaches the store) and when they are read back (database rows are outside input).
 */

const isoInstant = z.string().refine((s) => !Number.isNaN(Date.parse(s)), 'must be an ISO 8601 date and time');

const ticketSchema = z.object({
  reference: z.string().regex(/^DLG-\d{4}-\d{6,}$/, 'must look like DLG-2026-000123'),
  createdAt: isoInstant,
  conversationId: z.string().min(1),
  channel: z.string().min(1),
  language: z.enum(['it', 'en']),
  topicId: z.string().min(1).nullable(),
  contactEmail: z.string(),
  description: z.string(),
  status: z.enum(['open', 'closed']),
  closedAt: isoInstant.optional(),
  closedBy: z.string().min(1).optional(),
});

const operatorSchema = z.object({
  name: z.string().min(1),
  role: z.enum(['operator', 'supervisor']),
  passwordHash: z.string().min(1),
  createdAt: isoInstant,
  maxConcurrent: z.number().int().min(1).max(100).default(DEFAULT_MAX_CONCURRENT),
  disabled: z.boolean().optional(),
});

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
  return compact({ ...a, createdAt: new Date(a.createdAt).toISOString(), disabled: a.disabled ? true : undefined });
}
