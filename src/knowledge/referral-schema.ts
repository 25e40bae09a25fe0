import { z } from 'zod';
import { httpsUrl, isoDate, kebabId, nonEmpty, sampleList, shortAnswerSchema, shortTitleSchema } from './topic-schema';

/**
 * A matter another administration handles (passport: Questura; codice fiscale: Agenzia delle
 * Entrate): the bot names who handles it and links their official page. Answering one is a
 * correct redirection (outcome `referral`), not a miss.
 */
export const referralSchema = z
  .object({
    id: kebabId,
    /** Who handles the matter, as the citizen will look for it ("Questura di Milano"). */
    who: z.object({ it: nonEmpty.max(80), en: nonEmpty.max(80) }).strict(),
    title: z.object({ it: nonEmpty, en: nonEmpty }).strict(),
    shortTitle: shortTitleSchema,
    samples: z.object({ it: sampleList(8), en: sampleList(4) }).strict(),
    answer: shortAnswerSchema,
    link: httpsUrl,
    sources: z.array(z.object({ url: z.url(), date: isoDate.optional() }).strict()).min(1, 'name at least one source'),
    lastReviewed: isoDate,
  })
  .strict();

export type Referral = z.infer<typeof referralSchema>;

/** `knowledge-base/referrals.yaml`. */
export const referralsFileSchema = z
  .object({
    referrals: z.array(referralSchema).min(1).superRefine((referrals, ctx) => {
      const seen = new Set<string>();
      referrals.forEach((referral, i) => {
        if (seen.has(referral.id)) ctx.addIssue({ code: 'custom', path: [i, 'id'], message: `referral id "${referral.id}" is used twice in this file` });
        seen.add(referral.id);
      });
    }),
  })
  .strict();
