import type { Communication } from './communication-schema';
import { CommunicationsCalendar } from './communications';
import type { Referral } from './referral-schema';
import type { Facet, Language, Synonyms, Topic } from './topic-schema';

type Bilingual<T> = Readonly<Record<Language, T>>;

/**
 * One class a recognizer tells apart: a topic (its own samples and all its facets' samples) or
 * a referral to another administration. Recognizers see only these, never the editors' files.
 */
export interface RecognitionClass {
  readonly id: string;
  readonly kind: 'topic' | 'referral';
  readonly title: Bilingual<string>;
  readonly samples: Bilingual<readonly string[]>;
  /** Every answer text of the class (overview and facets), for the words it uses. */
  readonly answer: Bilingual<string>;
}

/** What a recognizer is built from: its classes and the synonym groups. */
export interface RecognitionSource {
  readonly entries: readonly RecognitionClass[];
  readonly synonyms: Synonyms;
}

/** Where a recognised id leads: a topic of the city's, or another administration's matter. */
export type Entry = { readonly kind: 'topic'; readonly topic: Topic } | { readonly kind: 'referral'; readonly referral: Referral };

/**
 * The validated, immutable content Dialogo answers from. A reload builds a new instance;
 * turns in flight keep the one they started with.
 *
 * @example
 * const kb = new KnowledgeBase(topics, synonyms, { referrals });
 * kb.get('carta-identita')?.answer.it;
 */
export class KnowledgeBase implements RecognitionSource {
  private readonly byId: ReadonlyMap<string, Topic>;
  private readonly referralById: ReadonlyMap<string, Referral>;
  readonly loadedAt: Date;
  /** The recognizer's classes: topics first, in file order, then referrals. */
  readonly entries: readonly RecognitionClass[];
  /** communications.yaml: notices, recognition priors and the greeting's news (empty without the file). */
  readonly calendar: CommunicationsCalendar;

  constructor(
    topics: readonly Topic[],
    readonly synonyms: Synonyms,
    options: { readonly referrals?: readonly Referral[]; readonly communications?: readonly Communication[]; readonly loadedAt?: Date } = {},
  ) {
    const byId = new Map<string, Topic>();
    for (const topic of topics) {
      if (byId.has(topic.id)) throw new Error(`duplicate topic id "${topic.id}"`);
      byId.set(topic.id, topic);
    }
    const referralById = new Map<string, Referral>();
    for (const referral of options.referrals ?? []) {
      if (byId.has(referral.id) || referralById.has(referral.id)) throw new Error(`referral id "${referral.id}" is already used`);
      referralById.set(referral.id, referral);
    }
    this.byId = byId;
    this.referralById = referralById;
    this.loadedAt = options.loadedAt ?? new Date();
    this.entries = [...[...byId.values()].map(topicClass), ...[...referralById.values()].map(referralClass)];
    this.calendar = new CommunicationsCalendar(options.communications);
  }

  get size(): number {
    return this.byId.size;
  }

  get topics(): Topic[] {
    return [...this.byId.values()];
  }

  get referrals(): Referral[] {
    return [...this.referralById.values()];
  }

  get(id: string): Topic | undefined {
    return this.byId.get(id);
  }

  referral(id: string): Referral | undefined {
    return this.referralById.get(id);
  }

  /** The topic or referral a recognised id stands for. */
  entry(id: string): Entry | undefined {
    const topic = this.byId.get(id);
    if (topic) return { kind: 'topic', topic };
    const referral = this.referralById.get(id);
    return referral ? { kind: 'referral', referral } : undefined;
  }

  title(id: string, language: Language): string | undefined {
    return (this.byId.get(id) ?? this.referralById.get(id))?.title[language];
  }

  /** A topic's facet by id, when both exist. */
  facet(topicId: string, facetId: string): Facet | undefined {
    return this.byId.get(topicId)?.facets.find((f) => f.id === facetId);
  }
}

function topicClass(topic: Topic): RecognitionClass {
  const { facets } = topic;
  const of = (language: Language) => ({
    samples: [...topic.samples[language], ...facets.flatMap((f) => f.samples[language])],
    answer: [topic.answer[language], ...facets.map((f) => f.answer[language])].join('\n'),
  });
  const it = of('it');
  const en = of('en');
  return { id: topic.id, kind: 'topic', title: topic.title, samples: { it: it.samples, en: en.samples }, answer: { it: it.answer, en: en.answer } };
}

function referralClass(referral: Referral): RecognitionClass {
  return { id: referral.id, kind: 'referral', title: referral.title, samples: referral.samples, answer: referral.answer };
}
