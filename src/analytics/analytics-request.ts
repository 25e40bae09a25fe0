import type { Request, Response } from 'restify';
import { z } from 'zod';
import type { OperatorIdentity } from '../handoff/handoff-service';
import { bearerIdentity } from '../operators/operator-auth';
import type { OperatorAccounts } from '../operators/operator-accounts';
import type { OperatorTokens } from '../operators/operator-tokens';
import { sendError } from '../server/http-errors';
import { isRealDay } from '../forecast/calendar-days';
import { DAY_PATTERN } from './rollup-batch';

/** Longest period one analytics request covers. */
const MAX_PERIOD_DAYS = 3 * 366;

/**
 * A real calendar day `YYYY-MM-DD` (30 February is refused, not rolled over). A text that is not
 * shaped as a date gets that one message, not also "is not a real date".
 */
export const daySchema = z.string().regex(DAY_PATTERN, { message: 'must be a date YYYY-MM-DD', abort: true }).refine(isRealDay, 'is not a real date');

/**
 * Checks between the two days run only when both are real days: "garbage" as `from` is one
 * problem, not also a reversed or an over-long period.
 */
export const WHEN_DAYS_VALID = { when: (payload: { readonly issues: readonly unknown[] }) => payload.issues.length === 0 } as const;

/** Whether the days `from` to `to` (real days, from not after to) are at most {@link MAX_PERIOD_DAYS}. */
export const withinMaxPeriod = (from: string, to: string): boolean => (Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000 < MAX_PERIOD_DAYS;
/** The message of a period over {@link MAX_PERIOD_DAYS}. */
export const TOO_LONG = `the period may cover at most ${MAX_PERIOD_DAYS} days`;

const periodSchema = z
  .object({ from: daySchema, to: daySchema })
  .refine((p) => p.from <= p.to, { message: 'from must not be after to', ...WHEN_DAYS_VALID })
  .refine((p) => withinMaxPeriod(p.from, p.to), { message: TOO_LONG, ...WHEN_DAYS_VALID });

/**
 * The operator behind the request when a supervisor; otherwise the catalogued error is sent
 * (401 without a valid token, 403 for another role) and undefined returned.
 *
 * @example
 * if (!(await supervisorOnly(req, res, deps))) return;
 */
export async function supervisorOnly(
  req: Request,
  res: Response,
  auth: { readonly tokens: OperatorTokens; readonly accounts: OperatorAccounts },
): Promise<OperatorIdentity | undefined> {
  const who = await bearerIdentity(req, auth.tokens, auth.accounts);
  if (!who) {
    sendError(res, 'OPERATOR_TOKEN_INVALID');
    return undefined;
  }
  if (who.role !== 'supervisor') {
    sendError(res, 'FORBIDDEN', ['analytics are for supervisors']);
    return undefined;
  }
  return who;
}

/**
 * The period `?from=YYYY-MM-DD&to=YYYY-MM-DD` of a request: real days, from not after to, at
 * most {@link MAX_PERIOD_DAYS}, each given once (a repeated parameter is refused rather than one
 * copy silently chosen). Otherwise INVALID_REQUEST is sent and undefined returned.
 *
 * @example
 * const period = periodOf(req, res);
 * if (!period) return;
 */
export function periodOf(req: Request, res: Response): { from: string; to: string } | undefined {
  const query = new URL(req.url ?? '/', 'http://localhost').searchParams;
  const repeated = ['from', 'to'].filter((name) => query.getAll(name).length > 1);
  if (repeated.length > 0) {
    sendError(res, 'INVALID_REQUEST', repeated.map((name) => `${name}: must be given once`));
    return undefined;
  }
  const parsed = periodSchema.safeParse({ from: query.get('from') ?? '', to: query.get('to') ?? '' });
  if (!parsed.success) {
    sendError(res, 'INVALID_REQUEST', parsed.error.issues.map((i) => `${i.path.join('.') || 'period'}: ${i.message}`));
    return undefined;
  }
  return parsed.data;
}
