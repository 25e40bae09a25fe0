import { KnowledgeBase } from '../knowledge/knowledge-base';
import type { Language, Topic } from '../knowledge/topic-schema';
import { Analyzer } from './analyzer';
import { builtInIntent, HANDOFF_WORDS, stripGreeting } from './intents';
import { LanguageDetector } from './language';
import { wordLexicon } from './lexicon';
import { LogisticRegression } from './logistic-regression';
import { NaiveBayes, Posteriors } from './naive-bayes';
import { normalize } from './normalize';
import type { OutOfScopeExamples } from './out-of-scope';
import { bandOf, DEFAULT_BANDS, type BandThresholds, type Recognition, type RecognizeOptions, type Recognizer, type TopicCandidate } from './recognizer';
import { SpellingCorrector } from './spelling';
import { TopicIndex, type TopicScores } from './topic-index';

const CANDIDATES = 8;
const RETURNED = 5;
const BAYES_RECALL = 3;
const MAX_CALIBRATION_ROWS = 6000;
const MAX_CALIBRATION_QUESTIONS = 2500;
const WARM_UP_TOPICS = 40;
const FOLDS = 5;
/** Candidates per training question that the calibrator learns from (the right one and its closest rivals). */
const TRAINING_DEPTH = 3;

const NONE = 'none';

/** Features of one candidate among the query's ranked candidates. */
function featuresOf(scores: readonly TopicScores[], i: number, posteriors: Posteriors): number[] {
  const c = scores[i] as TopicScores;
  let rivalBm25 = 0;
  let rivalNearest = 0;
  scores.forEach((other, j) => {
    if (j === i) return;
    rivalBm25 = Math.max(rivalBm25, other.bm25);
    rivalNearest = Math.max(rivalNearest, other.nearest);
  });
  const nb = posteriors.get(c.topicId) ?? 0;
  const none = posteriors.get(NONE) ?? 0;
  return [c.bm25, c.nearest, c.coverage, c.bm25 - rivalBm25, c.nearest - rivalNearest, c.coverage * c.nearest, nb, none, nb * c.nearest];
}

/** The topics naive Bayes ranks highest: recalled even when BM25 ranks them low. */
function topByPosterior(posteriors: Posteriors): string[] {
  return posteriors.top(BAYES_RECALL, NONE);
}

/** Training examples for the naive Bayes model: every sample under its topic, out-of-scope questions under "none". */
function bayesExamples(kb: KnowledgeBase, analyzer: Analyzer, outOfScope: OutOfScopeExamples): { terms: string[]; label: string }[] {
  const examples: { terms: string[]; label: string }[] = [];
  for (const topic of kb.topics) {
    for (const language of ['it', 'en'] as const) {
      for (const sample of [...topic.samples[language], topic.title[language]]) examples.push({ terms: analyzer.terms(sample, language), label: topic.id });
    }
  }
  for (const language of ['it', 'en'] as const) {
    for (const question of outOfScope[language]) examples.push({ terms: analyzer.terms(question, language), label: NONE });
  }
  return examples;
}

/** What the recognizer did with a text, for evaluation and diagnostics. */
export interface LocalAnalysis {
  readonly language: Language;
  readonly terms: readonly string[];
  readonly corrected: readonly string[];
}

/**
 * The default recognizer: no network, built once per knowledge base.
 *
 * Normalises, detects the language, corrects misspellings against the knowledge base's
 * vocabulary, stems, maps synonyms, recalls topics from a BM25 index, finds the nearest
 * sample question, and turns those scores into a calibrated probability with a logistic
 * model fitted at build time by cross-validation over the sample questions (positives)
 * and `out-of-scope.yaml` (negatives).
 *
 * @example
 * const recognizer = LocalRecognizer.build(kb, outOfScope);
 * const r = recognizer.recognizeText('quanto costa la carta d identita');
 * r.candidates[0]; // { topicId: 'carta-identita', confidence: 0.9... }
 */
export class LocalRecognizer implements Recognizer {
  readonly name: string;

  private constructor(
    private readonly analyzer: Analyzer,
    private readonly index: TopicIndex,
    private readonly bayes: NaiveBayes | undefined,
    private readonly speller: SpellingCorrector,
    private readonly detector: LanguageDetector,
    readonly calibrator: LogisticRegression,
    private readonly bands: BandThresholds,
  ) {
    this.name = bayes ? 'local' : 'local-without-bayes';
  }

  /**
   * Builds every index and model over the knowledge base. `bayes: false` leaves the naive
   * Bayes model out (retrieval scores only): the ablation that shows what it adds.
   */
  static build(kb: KnowledgeBase, outOfScope: OutOfScopeExamples, options: { bands?: BandThresholds; bayes?: boolean } = {}): LocalRecognizer {
    const { bands = DEFAULT_BANDS, bayes: useBayes = true } = options;
    const analyzer = new Analyzer(kb.synonyms);
    const index = new TopicIndex(kb, analyzer);
    const bayes = useBayes ? NaiveBayes.train(bayesExamples(kb, analyzer, outOfScope)) : undefined;
    const calibrator = fitCalibrator(kb, analyzer, outOfScope, useBayes);
    // Out-of-scope words are known words too: "ristoranti" must not be "corrected" into a topic's word.
    const words = new Set([...index.words, ...[...outOfScope.it, ...outOfScope.en].flatMap((q) => analyzer.words(q)), ...HANDOFF_WORDS]);
    const recognizer = new LocalRecognizer(analyzer, index, bayes, new SpellingCorrector(words, wordLexicon()), new LanguageDetector(index.vocabulary), calibrator, bands);
    recognizer.warmUp(kb);
    return recognizer;
  }

  async recognize(text: string, options: RecognizeOptions = {}): Promise<Recognition> {
    return this.recognizeText(text, options);
  }

  /**
   * Runs a few recognitions (one sample per topic, and a misspelt copy of it) so that the first
   * citizens do not pay for the JIT compiler: readiness is reported after this.
   */
  private warmUp(kb: KnowledgeBase): void {
    for (const topic of kb.topics.slice(0, WARM_UP_TOPICS)) {
      const sample = topic.samples.it[0] ?? topic.title.it;
      this.recognizeText(sample);
      this.recognizeText(`${sample.slice(1)} ${sample.split('').reverse().join('')}`);
    }
  }

  /** Ids of the topics this recognizer knows. */
  get topicIds(): readonly string[] {
    return this.index.topicIds;
  }

  /** Synchronous recognition: a few hash look-ups and at most a handful of small fuzzy searches. */
  recognizeText(text: string, options: RecognizeOptions = {}): Recognition {
    const normalized = normalize(text);
    const analysis = this.analyze(stripGreeting(normalized), options);
    // Intents are matched on the text as written and as spell-corrected ("voglo parlare con un umnao").
    const intent = builtInIntent(normalized) ?? builtInIntent(analysis.corrected.join(' '));
    if (intent) return { text, language: analysis.language, intent, candidates: [], band: 'fallback', recognizer: this.name };
    const posteriors = this.bayes?.posteriors(analysis.terms) ?? Posteriors.empty();
    const candidates = this.rank(analysis.terms, posteriors);
    const outOfScope = posteriors.get(NONE);
    return { text, language: analysis.language, intent: 'faq', candidates, band: bandOf(candidates, this.bands), ...(outOfScope === undefined ? {} : { outOfScope }), recognizer: this.name };
  }

  /** Language, corrected words and terms of a normalised text. */
  analyze(normalized: string, options: RecognizeOptions = {}): LocalAnalysis {
    const words = this.analyzer.words(normalized);
    const corrected = words.map((w) => (this.analyzer.isStopword(w) ? w : (this.speller.correct(w) ?? w)));
    const guess = this.detector.detect(corrected);
    const language = guess.confidence > 0 ? guess.language : (options.languageHint ?? guess.language);
    return { language, corrected, terms: this.analyzer.termsOfWords(corrected, language) };
  }

  private rank(terms: readonly string[], posteriors: Posteriors): TopicCandidate[] {
    const scores = this.index.score(terms, CANDIDATES, topByPosterior(posteriors));
    return scores
      .map((_, i) => ({ topicId: (scores[i] as TopicScores).topicId, confidence: this.calibrator.predict(featuresOf(scores, i, posteriors)) }))
      .sort((a, b) => b.confidence - a.confidence)
      .slice(0, RETURNED);
  }
}

/**
 * Fits the calibrator: each sample question is recognised by an index built without it
 * (k-fold), each of its top candidates labelled right or wrong; out-of-scope questions label
 * all their candidates wrong. The model therefore learns how scores look on unseen words.
 */
function fitCalibrator(kb: KnowledgeBase, analyzer: Analyzer, outOfScope: OutOfScopeExamples, useBayes: boolean): LogisticRegression {
  const rows: number[][] = [];
  const labels: number[] = [];
  const addExample = (index: TopicIndex, bayes: NaiveBayes | undefined, text: string, language: Language, truth: string | undefined) => {
    const terms = analyzer.terms(text, language);
    const posteriors = bayes?.posteriors(terms) ?? Posteriors.empty();
    const scores = index.score(terms, CANDIDATES, topByPosterior(posteriors));
    const depth = Math.min(TRAINING_DEPTH, scores.length);
    for (let i = 0; i < depth; i++) {
      rows.push(featuresOf(scores, i, posteriors));
      labels.push((scores[i] as TopicScores).topicId === truth ? 1 : 0);
    }
  };
  const totalSamples = kb.topics.reduce((n, t) => n + t.samples.it.length + t.samples.en.length, 0);
  const sampleStep = Math.max(1, Math.ceil(totalSamples / MAX_CALIBRATION_QUESTIONS));
  for (let fold = 0; fold < FOLDS; fold++) {
    const keep = (_: string, i: number) => i % FOLDS !== fold;
    const held = (_: string, i: number) => i % FOLDS === fold;
    const trainingKb = new KnowledgeBase(
      kb.topics.map((t): Topic => ({ ...t, samples: { it: t.samples.it.filter(keep), en: t.samples.en.filter(keep) } })),
      kb.synonyms,
    );
    const trainingOutOfScope = { it: outOfScope.it.filter(keep), en: outOfScope.en.filter(keep) };
    const index = new TopicIndex(trainingKb, analyzer);
    const bayes = useBayes ? NaiveBayes.train(bayesExamples(trainingKb, analyzer, trainingOutOfScope)) : undefined;
    let seen = 0;
    for (const topic of kb.topics) {
      for (const language of ['it', 'en'] as const) {
        for (const sample of topic.samples[language].filter(held)) {
          // A large knowledge base calibrates on an even sample of its questions: the fit needs a few thousand.
          if (seen++ % sampleStep === 0) addExample(index, bayes, sample, language, topic.id);
        }
      }
    }
    for (const language of ['it', 'en'] as const) {
      for (const question of outOfScope[language].filter(held)) addExample(index, bayes, question, language, undefined);
    }
  }
  // Past a few thousand rows the fit gains nothing but start-up time: keep an even sample.
  const step = Math.max(1, Math.ceil(rows.length / MAX_CALIBRATION_ROWS));
  return LogisticRegression.fit(
    rows.filter((_, i) => i % step === 0),
    labels.filter((_, i) => i % step === 0),
  );
}
