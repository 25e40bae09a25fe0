import type { KnowledgeBase } from '../knowledge/knowledge-base';
import type { Facet, Language, Topic } from '../knowledge/topic-schema';
import { PLACEHOLDER_PATTERN, redact } from '../privacy/redact';
import { Analyzer } from './analyzer';
import { drain, type BuildSteps } from './build-steps';
import type { Recognition } from './recognizer';
import { stem } from './stemmer';

/** The facet of a topic a message asks about, with how strongly its words point there (0-1). */
export interface FacetChoice {
  readonly facet: Facet;
  readonly score: number;
}

/**
 * Below this score no facet is named by the message: the topic's overview answers. A message
 * that shares one discriminating word with a facet's samples ("moto", "costa") scores about
 * 0.3-0.6 against it; words every facet of the topic shares weigh nothing.
 */
export const FACET_THRESHOLD = 0.2;

/** Numbers tell no facet apart: the "2" of a child's age and of "2 foto" share only the digit. */
const NUMBER = /^\d+$/;

/**
 * "Cosa" asks "what" of anything: unlike "quanto", "dove", "quando" or "chi", it names no kind of
 * facet, and the recognizer keeps it (a question word) only for the topic. The words with it decide
 * ("cosa devo portare"); on "mi hanno rubato la carta d'identità, cosa devo fare?" it alone picked
 * the documents facet over the overview, which says to report the theft first.
 */
const NO_FACET_TERMS = new Set([stem('cosa', 'it')]);

interface FacetVectors {
  readonly facet: Facet;
  /** One TF-IDF vector per sample question and one for the short title. */
  readonly samples: readonly Vector[];
  /** All samples together: what the facet is about overall. */
  readonly centroid: Vector;
}

interface Vector {
  readonly weights: ReadonlyMap<string, number>;
  readonly norm: number;
}

interface TopicFacets {
  readonly idf: ReadonlyMap<string, number>;
  /** Weight of a query word the topic's facets never use: as rare as a word only one facet uses. */
  readonly unknownWeight: number;
  readonly facets: readonly FacetVectors[];
}

/**
 * Picks the facet of a topic that a message asks about. Compares the message with each facet's
 * sample questions under an IDF computed within the topic, so the words that name the topic
 * ("area c", "carta d'identità") count for nothing and the words that tell its facets apart
 * ("costa", "moto", "minorenne") decide. Built once per knowledge base; a pick touches only the
 * topic's own facets.
 *
 * @example
 * const picker = FacetPicker.of(kb);
 * picker.pick('e per le moto?', 'it', kb.get('area-c')!)?.facet.id // 'chi-paga'
 */
export class FacetPicker {
  private static readonly built = new WeakMap<KnowledgeBase, FacetPicker>();
  private readonly byTopic = new Map<string, TopicFacets>();

  /** How specific a term is across the whole knowledge base (0-1): "va" or "bene" are not, "moto" is. */
  private readonly specificity = new Map<string, number>();

  /** Each recognised message's words (see {@link pickFor}), for as long as the recognition lives. */
  private readonly analysed = new WeakMap<object, string[]>();

  private constructor(private readonly analyzer: Analyzer) {}

  /** The picker of a knowledge base, built on first use and kept as long as the knowledge base lives. */
  static of(kb: KnowledgeBase): FacetPicker {
    return FacetPicker.built.get(kb) ?? drain(FacetPicker.building(kb));
  }

  /** Builds (in steps, see build-steps.ts) and keeps the picker that {@link of} then returns. */
  static *building(kb: KnowledgeBase): BuildSteps<FacetPicker> {
    const kept = FacetPicker.built.get(kb);
    if (kept) return kept;
    const picker = new FacetPicker(new Analyzer(kb.synonyms));
    const { analyzer } = picker;
    const classes = kb.entries;
    const df = new Map<string, number>();
    for (const entry of classes) {
      const terms = new Set<string>();
      for (const language of ['it', 'en'] as const) for (const sample of entry.samples[language]) for (const term of analyzer.terms(sample, language)) terms.add(term);
      for (const term of terms) df.set(term, (df.get(term) ?? 0) + 1);
      yield;
    }
    const maxIdf = Math.log(classes.length + 1);
    for (const [term, count] of df) picker.specificity.set(term, Math.log((classes.length + 1) / count) / maxIdf);
    for (const topic of kb.topics) {
      picker.byTopic.set(topic.id, picker.index(topic));
      yield;
    }
    FacetPicker.built.set(kb, picker);
    return picker;
  }

  /** Every facet of the topic scored against the message, best first; empty when the topic has none. */
  rank(text: string, language: Language, topic: Topic): FacetChoice[] {
    const indexed = this.byTopic.get(topic.id);
    return indexed ? rankFacets(queryVector(this.termsOf(text, language), indexed, this.specificity), indexed) : [];
  }

  /** The facet the message asks about, or undefined when none stands out (the overview answers). */
  pick(text: string, language: Language, topic: Topic): FacetChoice | undefined {
    return bestOf(this.rank(text, language, topic));
  }

  /**
   * {@link pick} for a recognised message: its words are redacted and analysed once, however many
   * topics a turn tries (the last topic for a follow-up, then the answered one). They are kept
   * only as long as the recognition itself, which holds the message anyway.
   */
  pickFor(recognition: Pick<Recognition, 'text' | 'language'>, topic: Topic): FacetChoice | undefined {
    const indexed = this.byTopic.get(topic.id);
    if (!indexed) return undefined;
    let terms = this.analysed.get(recognition);
    if (!terms) {
      terms = this.termsOf(recognition.text, recognition.language);
      this.analysed.set(recognition, terms);
    }
    return bestOf(rankFacets(queryVector(terms, indexed, this.specificity), indexed));
  }

  /**
   * The message's words as the facets are indexed. Personal data (an e-mail address, a phone
   * number) is never evidence of what is asked: "mario.rossi@example.it" must not read as "marito".
   */
  private termsOf(text: string, language: Language): string[] {
    return this.analyzer.terms(redact(text).text.replace(PLACEHOLDER_PATTERN, ' '), language);
  }

  private index(topic: Topic): TopicFacets {
    const facets = topic.facets;
    const termsOf = (facet: Facet): string[][] => [
      ...facet.samples.it.map((s) => this.analyzer.terms(s, 'it')),
      ...facet.samples.en.map((s) => this.analyzer.terms(s, 'en')),
      this.analyzer.terms(facet.shortTitle.it, 'it'),
      this.analyzer.terms(facet.shortTitle.en, 'en'),
    ];
    const perFacet = facets.map(termsOf);
    // Document frequency over facets, not samples: a word in every facet tells none apart.
    const df = new Map<string, number>();
    for (const docs of perFacet) for (const term of new Set(docs.flat())) df.set(term, (df.get(term) ?? 0) + 1);
    // Within the topic, a word is worth what it tells facets apart, and nothing else. It is not
    // weighed down by how common it is in the whole knowledge base: the words that name a kind of
    // facet ("quanto costa", "documenti", "prenotare") are common across topics precisely because
    // every topic has such a facet, and they are what decides within one. (Weighing them down that
    // way picked the cost facet of the nursery for 0.35 against 0.46 for "who can enrol" on "quanto
    // costa iscrivere il bambino al nido": docs/benchmarks.md, "Facets on fresh questions".)
    const idf = new Map<string, number>();
    for (const [term, count] of df) idf.set(term, Math.log(facets.length / count));
    return {
      idf,
      unknownWeight: Math.log(facets.length),
      facets: facets.map((facet, i) => {
        const docs = perFacet[i] as string[][];
        return { facet, samples: docs.map((terms) => vector(terms, idf)), centroid: vector(docs.flat(), idf) };
      }),
    };
  }
}

/** Every facet of the topic scored against the message's vector, best first. */
function rankFacets(query: Vector, indexed: TopicFacets): FacetChoice[] {
  if (query.weights.size === 0) return [];
  return indexed.facets
    .map(({ facet, samples, centroid }) => {
      let nearest = 0;
      for (const sample of samples) nearest = Math.max(nearest, cosine(query, sample));
      // The nearest sample rewards a close paraphrase; the centroid, a word the facet uses often.
      return { facet, score: 0.6 * nearest + 0.4 * cosine(query, centroid) };
    })
    .sort((a, b) => b.score - a.score);
}

/** The best facet, when it stands out (its score reaches the threshold). */
function bestOf(ranked: readonly FacetChoice[]): FacetChoice | undefined {
  const [best] = ranked;
  return best && best.score >= FACET_THRESHOLD ? best : undefined;
}

/**
 * The message's vector: words the facets use, weighted by IDF; words they never use but other
 * subjects do ("passaporto" after the Area C answer) count in the norm only, so a message about
 * something else scores low.
 */
function queryVector(terms: readonly string[], topic: TopicFacets, specificity: ReadonlyMap<string, number>): Vector {
  const known = vector(terms, topic.idf);
  let unknown = 0;
  // A word the whole knowledge base never uses (a name, a typo) speaks of no other subject
  // either: it does not dilute the message.
  for (const term of new Set(terms)) if (!topic.idf.has(term) && !NUMBER.test(term) && !NO_FACET_TERMS.has(term)) unknown += (topic.unknownWeight * (specificity.get(term) ?? 0)) ** 2;
  return { weights: known.weights, norm: Math.sqrt(known.norm ** 2 + unknown) };
}

/** TF-IDF vector of terms; terms the topic's facets never use are left out (they tell no facet apart). */
function vector(terms: readonly string[], idf: ReadonlyMap<string, number>): Vector {
  const weights = new Map<string, number>();
  for (const term of terms) {
    if (NUMBER.test(term) || NO_FACET_TERMS.has(term)) continue;
    const w = idf.get(term);
    if (w !== undefined && w > 0) weights.set(term, (weights.get(term) ?? 0) + w);
  }
  let sum = 0;
  for (const w of weights.values()) sum += w * w;
  return { weights, norm: Math.sqrt(sum) };
}

function cosine(a: Vector, b: Vector): number {
  if (a.norm === 0 || b.norm === 0) return 0;
  const small = a.weights.size <= b.weights.size ? a.weights : b.weights;
  const large = small === a.weights ? b.weights : a.weights;
  let dot = 0;
  // Over the keys, not the entries: for-of over the entries allocates a [term, weight] pair for each.
  for (const term of small.keys()) dot += (small.get(term) as number) * (large.get(term) ?? 0);
  return dot / (a.norm * b.norm);
}
