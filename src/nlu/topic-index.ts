import type { RecognitionSource } from '../knowledge/knowledge-base';
import type { Language } from '../knowledge/topic-schema';
import type { Analyzer } from './analyzer';
import { drain, type BuildSteps } from './build-steps';
import { keepBest } from './top-k';

/** One indexed sample question (or title) of a topic. */
interface SampleDoc {
  readonly topic: number;
  readonly weights: ReadonlyMap<string, number>;
  readonly norm: number;
}

interface Posting {
  readonly doc: number;
  readonly tf: number;
}

/** Scores of one topic for one query, the features the calibrator combines. */
export interface TopicScores {
  readonly topicId: string;
  /** BM25 of the topic document (all its samples and its title), divided by the query's best possible score. */
  readonly bm25: number;
  /** Best TF-IDF cosine between the query and one sample question of the topic. */
  readonly nearest: number;
  /** Share of the query's IDF mass (unknown words count as rare) found in the topic. */
  readonly coverage: number;
}

const K1 = 1.2;
const B = 0.5;
const ANSWER_WEIGHT = 0.3;
const TITLE_WEIGHT = 2;
/** Share of all samples above which a term is skipped in the nearest-sample scan. */
const COMMON_SHARE = 0.05;

/**
 * Inverted indexes over the knowledge base, built once per knowledge base: BM25 over topic
 * documents for recall, TF-IDF over single sample questions for the nearest match. A query
 * touches only the postings of its own terms, never every sample.
 *
 * @example
 * const index = new TopicIndex(kb, analyzer);
 * index.score(analyzer.terms('quanto costa la cie', 'it'), 5)
 */
export class TopicIndex {
  readonly topicIds: readonly string[];
  private readonly topicNumber: ReadonlyMap<string, number>;
  /** Normalised words of the sample questions per language, for language detection and spelling. */
  readonly vocabulary: Readonly<Record<Language, ReadonlySet<string>>>;
  private readonly allWords: ReadonlySet<string>;
  private readonly topicPostings: ReadonlyMap<string, readonly Posting[]>;
  private readonly topicLength: readonly number[];
  private readonly topicTerms: readonly ReadonlySet<string>[];
  private readonly avgTopicLength: number;
  private readonly samplePostings: ReadonlyMap<string, readonly Posting[]>;
  private readonly samples: readonly SampleDoc[];
  private readonly sampleIdf: ReadonlyMap<string, number>;
  private readonly topicIdf: ReadonlyMap<string, number>;
  private readonly maxIdf: number;
  private readonly commonPostings: number;
  /**
   * Scratch arrays of {@link score}, one slot per topic or sample, zero between calls; with the list of
   * slots a call touched, in the order it first touched them (as a Map's insertion order, so ties rank
   * as they did with Maps). A query touches a few hundred of thousands of samples: arrays instead of
   * Maps keyed by number made scoring several times cheaper per turn. Safe because scoring is synchronous.
   */
  private readonly topicScratch: Float64Array;
  private readonly topicTouched: Int32Array;
  private readonly nearestScratch: Float64Array;
  private readonly sampleScratch: Float64Array;
  private readonly sampleTouched: Int32Array;

  /** `parts` is for {@link TopicIndex.building}, which computes them in steps; without it they are computed here. */
  constructor(kb: RecognitionSource, analyzer: Analyzer, parts: IndexParts = drain(indexParts(kb, analyzer))) {
    this.topicIds = parts.topicIds;
    this.topicNumber = new Map(parts.topicIds.map((id, i) => [id, i]));
    this.vocabulary = parts.vocabulary;
    this.allWords = parts.allWords;
    this.topicPostings = parts.topicPostings;
    this.topicLength = parts.topicLength;
    this.topicTerms = parts.topicTerms;
    this.avgTopicLength = parts.avgTopicLength;
    this.samplePostings = parts.samplePostings;
    this.samples = parts.samples;
    this.sampleIdf = parts.sampleIdf;
    this.topicIdf = parts.topicIdf;
    this.maxIdf = parts.maxIdf;
    this.commonPostings = parts.commonPostings;
    this.topicScratch = new Float64Array(parts.topicIds.length);
    this.topicTouched = new Int32Array(parts.topicIds.length);
    this.nearestScratch = new Float64Array(parts.topicIds.length);
    this.sampleScratch = new Float64Array(parts.samples.length);
    this.sampleTouched = new Int32Array(parts.samples.length);
  }

  /** The same index, built in steps (see build-steps.ts): a reload builds it in slices on the main thread. */
  static *building(kb: RecognitionSource, analyzer: Analyzer): BuildSteps<TopicIndex> {
    const parts = yield* indexParts(kb, analyzer);
    return new TopicIndex(kb, analyzer, parts);
  }

  /** Every normalised word the knowledge base uses, for the spelling corrector. */
  get words(): ReadonlySet<string> {
    return this.allWords;
  }

  /** Whether any topic contains the term. */
  knows(term: string): boolean {
    return this.topicPostings.has(term);
  }

  /** IDF of a term over sample questions; unknown terms weigh as the rarest. */
  idf(term: string): number {
    return this.sampleIdf.get(term) ?? this.maxIdf;
  }

  /** Scores of the `limit` best topics by BM25 for the query terms, plus the `alsoTopics` (recalled by another model). */
  score(terms: readonly string[], limit: number, alsoTopics: readonly string[] = []): TopicScores[] {
    const unique = [...new Set(terms)];
    if (unique.length === 0) return [];
    const bm25 = this.topicScratch;
    const touchedTopics = this.topicTouched;
    let topicCount = 0;
    let ideal = 0;
    for (const term of unique) {
      const idf = this.topicIdf.get(term);
      if (idf === undefined) {
        ideal += Math.log(1 + (this.topicIds.length + 0.5) / 0.5) * (K1 + 1);
        continue;
      }
      ideal += idf * (K1 + 1);
      for (const { doc, tf } of this.topicPostings.get(term) ?? []) {
        const len = this.topicLength[doc] as number;
        const part = (idf * tf * (K1 + 1)) / (tf + K1 * (1 - B + (B * len) / this.avgTopicLength));
        // A posting's part is always positive, so a zero slot is one not touched yet.
        if (bm25[doc] === 0) touchedTopics[topicCount++] = doc;
        bm25[doc] = (bm25[doc] as number) + part;
      }
    }
    const ranked = topEntries(bm25, touchedTopics, topicCount, limit);
    for (const id of alsoTopics) {
      const doc = this.topicNumber.get(id);
      if (doc !== undefined && !ranked.some(([d]) => d === doc)) ranked.push([doc, bm25[doc] as number]);
    }
    for (let i = 0; i < topicCount; i++) bm25[touchedTopics[i] as number] = 0;
    if (ranked.length === 0) return [];

    const query = this.tfidf(terms);
    const queryNorm = Math.sqrt([...query.values()].reduce((a, w) => a + w * w, 0));
    const dots = this.sampleScratch;
    const touchedSamples = this.sampleTouched;
    let sampleCount = 0;
    for (const [term, qw] of query) {
      const postings = this.samplePostings.get(term) ?? [];
      // Terms in a large share of all samples barely move a cosine but cost a pass over their
      // postings: they count in the query's norm, not in the dot products.
      if (postings.length > this.commonPostings) continue;
      for (const { doc, tf } of postings) {
        if (dots[doc] === 0) touchedSamples[sampleCount++] = doc;
        dots[doc] = (dots[doc] as number) + qw * tf;
      }
    }
    const nearest = this.nearestScratch;
    for (let i = 0; i < sampleCount; i++) {
      const doc = touchedSamples[i] as number;
      const sample = this.samples[doc] as SampleDoc;
      const cosine = (dots[doc] as number) / (queryNorm * sample.norm || 1);
      dots[doc] = 0;
      if (cosine > (nearest[sample.topic] as number)) nearest[sample.topic] = cosine;
    }

    const totalIdf = unique.reduce((a, term) => a + this.idf(term), 0);
    const scores = ranked.map(([topic, score]) => {
      let covered = 0;
      for (const term of unique) {
        if (this.topicTerms[topic]?.has(term)) covered += this.idf(term);
      }
      return {
        topicId: this.topicIds[topic] as string,
        bm25: score / ideal,
        nearest: nearest[topic] as number,
        coverage: totalIdf > 0 ? covered / totalIdf : 0,
      };
    });
    for (let i = 0; i < sampleCount; i++) nearest[(this.samples[touchedSamples[i] as number] as SampleDoc).topic] = 0;
    return scores;
  }

  private tfidf(terms: readonly string[]): Map<string, number> {
    return tfidf(terms, this.sampleIdf, this.maxIdf);
  }
}

/** What the index holds, computed in steps. */
interface IndexParts {
  readonly topicIds: readonly string[];
  readonly vocabulary: Readonly<Record<Language, ReadonlySet<string>>>;
  readonly allWords: ReadonlySet<string>;
  readonly topicPostings: ReadonlyMap<string, readonly Posting[]>;
  readonly topicLength: readonly number[];
  readonly topicTerms: readonly ReadonlySet<string>[];
  readonly avgTopicLength: number;
  readonly samplePostings: ReadonlyMap<string, readonly Posting[]>;
  readonly samples: readonly SampleDoc[];
  readonly sampleIdf: ReadonlyMap<string, number>;
  readonly topicIdf: ReadonlyMap<string, number>;
  readonly maxIdf: number;
  readonly commonPostings: number;
}

/** Samples handled between two yields of the sample-level pass. */
const SAMPLES_PER_STEP = 200;

function* indexParts(kb: RecognitionSource, analyzer: Analyzer): BuildSteps<IndexParts> {
  const topics = kb.entries;
  const topicIds = topics.map((t) => t.id);
  const vocabulary = { it: new Set<string>(), en: new Set<string>() };
  const allWords = new Set<string>();

  const sampleTerms: { topic: number; terms: string[] }[] = [];
  const topicTf: Map<string, number>[] = topics.map(() => new Map());
  for (const [t, topic] of topics.entries()) {
    const tf = topicTf[t] as Map<string, number>;
    const add = (terms: readonly string[], weight: number) => {
      for (const term of terms) tf.set(term, (tf.get(term) ?? 0) + weight);
    };
    for (const language of ['it', 'en'] as const) {
      for (const sample of topic.samples[language]) {
        const words = analyzer.words(sample);
        for (const w of words) {
          vocabulary[language].add(w);
          allWords.add(w);
        }
        const terms = analyzer.termsOfWords(words, language);
        sampleTerms.push({ topic: t, terms });
        add(terms, 1);
      }
      const titleWords = analyzer.words(topic.title[language]);
      for (const w of titleWords) allWords.add(w);
      const titleTerms = analyzer.termsOfWords(titleWords, language);
      sampleTerms.push({ topic: t, terms: titleTerms });
      add(titleTerms, TITLE_WEIGHT);
      const answerWords = analyzer.words(topic.answer[language]);
      for (const w of answerWords) allWords.add(w);
      add(analyzer.termsOfWords(answerWords, language), ANSWER_WEIGHT);
      yield;
    }
  }
  for (const group of kb.synonyms.groups) for (const phrase of group) for (const w of analyzer.words(phrase)) allWords.add(w);

  // Topic-level BM25.
  const topicTerms = topicTf.map((tf) => new Set(tf.keys()));
  const topicLength = topicTf.map((tf) => [...tf.values()].reduce((a, b) => a + b, 0));
  const avgTopicLength = topicLength.reduce((a, b) => a + b, 0) / Math.max(1, topics.length);
  const topicPostings = new Map<string, Posting[]>();
  for (const [t, tf] of topicTf.entries()) {
    for (const [term, count] of tf) {
      const list = topicPostings.get(term);
      if (list) list.push({ doc: t, tf: count });
      else topicPostings.set(term, [{ doc: t, tf: count }]);
    }
    yield;
  }
  const n = topics.length;
  const topicIdf = new Map<string, number>();
  for (const [term, list] of topicPostings) topicIdf.set(term, Math.log(1 + (n - list.length + 0.5) / (list.length + 0.5)));
  yield;

  // Sample-level TF-IDF.
  const df = new Map<string, number>();
  for (const [i, { terms }] of sampleTerms.entries()) {
    for (const term of new Set(terms)) df.set(term, (df.get(term) ?? 0) + 1);
    if (i % SAMPLES_PER_STEP === 0) yield;
  }
  const m = sampleTerms.length;
  const sampleIdf = new Map<string, number>();
  for (const [term, count] of df) sampleIdf.set(term, Math.log((m + 1) / (count + 0.5)));
  const maxIdf = Math.log((m + 1) / 0.5);
  const samples: SampleDoc[] = [];
  const samplePostings = new Map<string, Posting[]>();
  for (const [i, { topic, terms }] of sampleTerms.entries()) {
    if (i % SAMPLES_PER_STEP === 0) yield;
    const weights = tfidf(terms, sampleIdf, maxIdf);
    if (weights.size === 0) continue;
    const doc = samples.length;
    samples.push({ topic, weights, norm: Math.sqrt([...weights.values()].reduce((a, w) => a + w * w, 0)) });
    for (const [term, w] of weights) {
      const list = samplePostings.get(term);
      if (list) list.push({ doc, tf: w });
      else samplePostings.set(term, [{ doc, tf: w }]);
    }
  }
  return {
    topicIds, vocabulary, allWords, topicPostings, topicLength, topicTerms, avgTopicLength, samplePostings, samples, sampleIdf, topicIdf, maxIdf,
    commonPostings: Math.max(200, Math.round(m * COMMON_SHARE)),
  };
}

/** TF-IDF weights of terms; unknown terms weigh as the rarest. */
function tfidf(terms: readonly string[], idf: ReadonlyMap<string, number>, maxIdf: number): Map<string, number> {
  const weights = new Map<string, number>();
  for (const term of terms) weights.set(term, (weights.get(term) ?? 0) + 1);
  for (const [term, tf] of weights) weights.set(term, (1 + Math.log(tf)) * (idf.get(term) ?? maxIdf));
  return weights;
}

/** The `k` best of the `count` slots listed in `touched`, best first; ties keep the order of `touched`. */
function topEntries(scores: Float64Array, touched: Int32Array, count: number, k: number): [number, number][] {
  const best: [number, number][] = [];
  for (let i = 0; i < count; i++) {
    const doc = touched[i] as number;
    const value = scores[doc] as number;
    keepBest(best, [doc, value], value, k, scoreOf);
  }
  return best;
}

function scoreOf(entry: [number, number]): number {
  return entry[1];
}
