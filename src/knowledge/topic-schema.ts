import { z } from 'zod';
import { isRealDay } from '../forecast/calendar-days';

/** Languages Dialogo answers in. Italian is the default. */
export const LANGUAGES = ['it', 'en'] as const;
export type Language = (typeof LANGUAGES)[number];

/** Channels a topic can send the citizen to next. */
export const NEXT_CHANNELS = ['online', 'appointment', 'written-request', 'contact-centre', 'counter', 'external'] as const;
export type NextChannel = (typeof NEXT_CHANNELS)[number];

/** A date as editors write it (YYYY-MM-DD), quoted or not. */
export const isoDate = z
  .union([z.string(), z.date()])
  .transform((value, ctx) => {
    // YAML turns an unquoted 2026-11-29 into a Date; a quoted one stays a string.
    const text = value instanceof Date ? value.toISOString().slice(0, 10) : value;
    if (!isRealDay(text)) {
      ctx.addIssue({ code: 'custom', message: `expected a date as YYYY-MM-DD, got "${text}"` });
      return z.NEVER;
    }
    return text;
  });

export const nonEmpty = z.string().trim().min(1, 'must not be empty');
/** Sample questions, at least `min`, each at most 300 characters. */
export const sampleList = (min: number) =>
  z.array(nonEmpty.max(300, 'a sample question is at most 300 characters')).min(min, `needs at least ${min} sample questions`);

/** The overview: what the topic is and its most asked fact; the facets carry the rest. */
export const MAX_ANSWER_CHARS = 400;
/** A facet's answer: its first sentence answers the question, the rest fits a phone's screen. */
export const MAX_FACET_ANSWER_CHARS = 300;
/** Buttons and Messenger quick replies show at most 20 characters. */
export const SHORT_TITLE_CHARS = 20;

export const kebabId = z.string().regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, 'must be kebab-case (a-z, 0-9, dashes)');
export const httpsUrl = z.url({ protocol: /^https$/, error: 'must be an https URL' });

/** A title short enough for a button: authored, never cut. */
export const shortTitleSchema = z
  .object({
    it: nonEmpty.max(SHORT_TITLE_CHARS, `at most ${SHORT_TITLE_CHARS} characters`),
    en: nonEmpty.max(SHORT_TITLE_CHARS, `at most ${SHORT_TITLE_CHARS} characters`),
  })
  .strict();

/** A short answer in both languages, its first sentence carrying the fact asked. */
export const shortAnswerSchema = z
  .object({
    it: nonEmpty.max(MAX_FACET_ANSWER_CHARS, `at most ${MAX_FACET_ANSWER_CHARS} characters`),
    en: nonEmpty.max(MAX_FACET_ANSWER_CHARS, `at most ${MAX_FACET_ANSWER_CHARS} characters`),
  })
  .strict();

/** Set by editors when no deeper official page is known, so that kb:lint lists the answer for them. */
const homePageOnlySchema = z.object({ reason: nonEmpty }).strict();

/**
 * One answer within a topic: what a citizen asks about it (cost, documents, booking, minors...).
 * The bot answers the facet asked and offers the topic's other facets.
 */
/** The facet segment of a topic's overview in a `/go` link: reserved, so that no facet's clicks land on the overview. */
export const OVERVIEW_SEGMENT = 'overview';

export const facetSchema = z
  .object({
    id: kebabId.refine((id) => id !== OVERVIEW_SEGMENT, `"${OVERVIEW_SEGMENT}" is reserved for the topic's overview: name the facet otherwise`),
    shortTitle: shortTitleSchema,
    samples: z.object({ it: sampleList(3), en: sampleList(2) }).strict(),
    answer: shortAnswerSchema,
    /** The page that does the thing; the topic's `link` when absent. */
    link: httpsUrl.optional(),
    /** What the citizen does on the link's page ("Prenota l'appuntamento"); "Più informazioni" when absent. */
    linkLabel: z.object({ it: nonEmpty.max(40), en: nonEmpty.max(40) }).strict().optional(),
    homePageOnly: homePageOnlySchema.optional(),
    lastReviewed: isoDate,
  })
  .strict();

export type Facet = z.infer<typeof facetSchema>;

/** Fewest facets a topic offers: the questions citizens actually ask about it. */
export const MIN_FACETS = 4;

/**
 * One knowledge-base topic as editors write it in `knowledge-base/topics/<id>.yaml`.
 * See docs/knowledge-base.md for the format with an example.
 */
export const topicSchema = z
  .object({
    id: kebabId,
    title: z.object({ it: nonEmpty, en: nonEmpty }).strict(),
    shortTitle: shortTitleSchema,
    samples: z.object({ it: sampleList(12), en: sampleList(4) }).strict(),
    answer: z
      .object({
        it: nonEmpty.max(MAX_ANSWER_CHARS, `at most ${MAX_ANSWER_CHARS} characters`),
        en: nonEmpty.max(MAX_ANSWER_CHARS, `at most ${MAX_ANSWER_CHARS} characters`),
      })
      .strict(),
    link: httpsUrl,
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
    homePageOnly: homePageOnlySchema.optional(),
    facets: z
      .array(facetSchema)
      .min(MIN_FACETS, `needs at least ${MIN_FACETS} facets`)
      .superRefine((facets, ctx) => {
        const seen = new Set<string>();
        facets.forEach((facet, i) => {
          if (seen.has(facet.id)) ctx.addIssue({ code: 'custom', path: [i, 'id'], message: `facet id "${facet.id}" is used twice in this topic` });
          seen.add(facet.id);
        });
      }),
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
