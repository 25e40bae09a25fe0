import { z } from 'zod';

/** Languages Dialogo answers in. Italian is the default. */
export const LANGUAGES = ['it', 'en'] as const;
export type Language = (typeof LANGUAGES)[number];

/** Channels a topic can send the citizen to next. */
export const NEXT_CHANNELS = ['online', 'appointment', 'written-request', 'contact-centre', 'counter', 'external'] as const;
export type NextChannel = (typeof NEXT_CHANNELS)[number];

const isoDate = z
  .union([z.string(), z.date()])
  .transform((value, ctx) => {
    // YAML turns an unquoted 2026-11-29 into a Date; a quoted one stays a string.
    const text = value instanceof Date ? value.toISOString().slice(0, 10) : value;
    if (!/^\d{4}-\d{2}-\d{2}$/.test(text) || Number.isNaN(Date.parse(`${text}T00:00:00Z`))) {
      ctx.addIssue({ code: 'custom', message: `expected a date as YYYY-MM-DD, got "${text}"` });
      return z.NEVER;
    }
    return text;
  });

const nonEmpty = z.string().trim().min(1, 'must not be empty');
const sampleList = (min: number) =>
  z.array(nonEmpty.max(300, 'a sample question is at most 300 characters')).min(min, `needs at least ${min} sample questions`);

export const MAX_ANSWER_CHARS = 700;

/**
 * One knowledge-base topic as editors write it in `knowledge-base/topics/<id>.yaml`.
 * See docs/knowledge-base.md for the format with an example.
 */
export const topicSchema = z
  .object({
    id: z.string().regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, 'must be kebab-case (a-z, 0-9, dashes)'),
    title: z.object({ it: nonEmpty, en: nonEmpty }).strict(),
    samples: z.object({ it: sampleList(12), en: sampleList(4) }).strict(),
    answer: z
      .object({
        it: nonEmpty.max(MAX_ANSWER_CHARS, `at most ${MAX_ANSWER_CHARS} characters`),
        en: nonEmpty.max(MAX_ANSWER_CHARS, `at most ${MAX_ANSWER_CHARS} characters`),
      })
      .strict(),
    link: z.url({ protocol: /^https$/, error: 'must be an https URL' }),
    next: z
      .object({
        channel: z.enum(NEXT_CHANNELS),
        url: z.url({ protocol: /^https?$/ }).optional(),
        label: z.object({ it: nonEmpty.max(40), en: nonEmpty.max(40) }).strict(),
      })
      .strict(),
    escalate: z.boolean(),
    owner: nonEmpty,
    sources: z.array(z.object({ url: z.url(), date: isoDate.optional() }).strict()).min(1, 'name at least one source'),
    lastReviewed: isoDate,
    reviewBy: isoDate.optional(),
    editorNote: z.string().optional(),
    // Set by editors when no deeper official page is known, so that kb:lint lists the topic for them.
    homePageOnly: z.object({ reason: nonEmpty }).strict().optional(),
  })
  .strict();

export type Topic = z.infer<typeof topicSchema>;

/** `knowledge-base/synonyms.yaml`: groups of words and phrases meaning the same thing. */
export const synonymsSchema = z
  .object({
    groups: z.array(z.array(nonEmpty).min(2, 'a group needs at least two members')).min(1),
  })
  .strict();

export type Synonyms = z.infer<typeof synonymsSchema>;
