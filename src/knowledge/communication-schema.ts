import { z } from 'zod';
import { isoDate, kebabId, nonEmpty } from './topic-schema';

/**
 * What the city announces that moves demand: letters mailed, a payment deadline, an enrolment
 * window, a rule change, an office closure, a strike, a campaign. The forecast learns each kind's
 * effect from past occurrences; the bot shows the notice while it is active.
 */
export const COMMUNICATION_KINDS = [
  'tax-letters',
  'payment-deadline',
  'enrolment-opens',
  'enrolment-closes',
  'rule-change',
  'office-closure',
  'strike',
  'campaign',
] as const;
export type CommunicationKind = (typeof COMMUNICATION_KINDS)[number];

export const COMMUNICATION_CHANNELS = ['letter', 'portal', 'press', 'social', 'app-io', 'email', 'sms', 'posters'] as const;

/**
 * One communication of `knowledge-base/communications.yaml`.
 * - `published`: when citizens first hear of it (letters arrive, the press release goes out).
 * - `effective`: the day it bites (the deadline, the window opening, the rule applying); the same
 *   as `published` for a one-day event. `until`: the last day it stays active (a window's close,
 *   an office closure's end); `effective` when absent.
 * - `expectedUplift`: the planner's estimate, as a fraction of normal demand on its topics around
 *   `effective` (0.4 is +40 %); where given, it wins over what the forecast learned for the kind.
 */
export const communicationSchema = z
  .object({
    id: kebabId,
    kind: z.enum(COMMUNICATION_KINDS),
    published: isoDate,
    effective: isoDate,
    until: isoDate.optional(),
    /** Knowledge-base topic ids it concerns (at least one). */
    topics: z.array(kebabId).min(1, 'name at least one topic'),
    channels: z.array(z.enum(COMMUNICATION_CHANNELS)).min(1, 'name at least one channel'),
    /** Letters or messages sent, when known. */
    reach: z.number().int().nonnegative().optional(),
    /** Shown with the answers of its topics while it is active: a sentence or two. */
    notice: z.object({ it: nonEmpty.max(280), en: nonEmpty.max(280) }).strict(),
    expectedUplift: z.number().min(-1).max(20).optional(),
    /** Where the facts come from. */
    source: z.string().trim().min(1).optional(),
  })
  .strict()
  .superRefine((c, ctx) => {
    if (c.effective < c.published) ctx.addIssue({ code: 'custom', path: ['effective'], message: `effective ${c.effective} is before published ${c.published}` });
    if (c.until !== undefined && c.until < c.effective) ctx.addIssue({ code: 'custom', path: ['until'], message: `until ${c.until} is before effective ${c.effective}` });
  });

export type Communication = z.infer<typeof communicationSchema>;

/** `knowledge-base/communications.yaml`. */
export const communicationsFileSchema = z
  .object({
    communications: z.array(communicationSchema).superRefine((items, ctx) => {
      const seen = new Set<string>();
      items.forEach((item, i) => {
        if (seen.has(item.id)) ctx.addIssue({ code: 'custom', path: [i, 'id'], message: `communication id "${item.id}" is used twice in this file` });
        seen.add(item.id);
      });
    }),
  })
  .strict();

/** The last day a communication is active. */
export function lastActiveDay(c: Communication): string {
  return c.until ?? c.effective;
}
