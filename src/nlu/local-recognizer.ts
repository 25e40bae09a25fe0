import { KnowledgeBase } from '../knowledge/knowledge-base';
import type { Language, Topic } from '../knowledge/topic-schema';
import { Analyzer } from './analyzer';
import { builtInIntent, stripGreeting } from './intents';
import { LanguageDetector } from './language';
import { LogisticRegression } from './logistic-regression';
import { normalize } from './normalize';
import type { OutOfScopeExamples } from './out-of-scope';
import { bandOf, DEFAULT_BANDS, type BandThresholds, type Recognition, type RecognizeOptions, type Recognizer, type TopicCandidate } from './recognizer';
import { SpellingCorrector } from './spelling';
import { TopicIndex, type TopicScores } from './topic-index';

const CANDIDATES = 8;
const RETURNED = 5;
const FOLDS = 5;
/** Candidates per training question that the calibrator learns from (the right one and its closest rivals). */
const TRAINING_DEPTH = 3;

/** Features of one candidate among the query's ranked candidates. */
function featuresOf(scores: readonly TopicScores[], i: number): number[] {
  const c = scores[i] as TopicScores;
  let rivalBm25 = 0;
  let rivalNearest = 0;
  scores.forEach((other, j) => {
    if (j === i) return;
    rivalBm25 = Math.max(rivalBm25, other.bm25);
    rivalNearest = Math.max(rivalNearest, other.nearest);
  });
  return [c.bm25, c.nearest, c.coverage, c.bm25 - rivalBm25, c.nearest - rivalNearest, c.coverage * c.nearest];
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
  readonly name = 'local';

  private constructor(
    private readonly analyzer: Analyzer,
    private readonly index: TopicIndex,
    private readonly speller: SpellingCorrector,
    private readonly detector: LanguageDetector,
    readonly calibrator: LogisticRegression,
    private readonly bands: BandThresholds,
  ) {}

  static build(kb: KnowledgeBase, outOfScope: OutOfScopeExamples, bands: BandThresholds = DEFAULT_BANDS): LocalRecognizer {
    const analyzer = new Analyzer(kb.synonyms);
    const index = new TopicIndex(kb, analyzer);
    const calibrator = fitCalibrator(kb, analyzer, outOfScope);
    return new LocalRecognizer(analyzer, index, new SpellingCorrector(index.words), new LanguageDetector(index.vocabulary), calibrator, bands);
  }

  async recognize(text: string, options: RecognizeOptions = {}): Promise<Recognition> {
    return this.recognizeText(text, options);
  }

  /** Synchronous recognition: a few hash look-ups and at most a handful of small fuzzy searches. */
  recognizeText(text: string, options: RecognizeOptions = {}): Recognition {
    const normalized = normalize(text);
    const intent = builtInIntent(normalized);
    const analysis = this.analyze(stripGreeting(normalized), options);
    if (intent) return { text, language: analysis.language, intent, candidates: [], band: 'fallback', recognizer: this.name };
    const candidates = this.rank(analysis.terms);
    return { text, language: analysis.language, intent: 'faq', candidates, band: bandOf(candidates, this.bands), recognizer: this.name };
  }

  /** Language, corrected words and terms of a normalised text. */
  analyze(normalized: string, options: RecognizeOptions = {}): LocalAnalysis {
    const words = this.analyzer.words(normalized);
    const corrected = words.map((w) => (this.analyzer.isStopword(w) ? w : (this.speller.correct(w) ?? w)));
    const guess = this.detector.detect(corrected);
    const language = guess.confidence > 0 ? guess.language : (options.languageHint ?? guess.language);
    return { language, corrected, terms: this.analyzer.termsOfWords(corrected, language) };
  }

  private rank(terms: readonly string[]): TopicCandidate[] {
    const scores = this.index.score(terms, CANDIDATES);
    return scores
      .map((_, i) => ({ topicId: (scores[i] as TopicScores).topicId, confidence: this.calibrator.predict(featuresOf(scores, i)) }))
      .sort((a, b) => b.confidence - a.confidence)
      .slice(0, RETURNED);
  }
}

/**
 * Fits the calibrator: each sample question is recognised by an index built without it
 * (k-fold), each of its top candidates labelled right or wrong; out-of-scope questions label
 * all their candidates wrong. The model therefore learns how scores look on unseen words.
 */
function fitCalibrator(kb: KnowledgeBase, analyzer: Analyzer, outOfScope: OutOfScopeExamples): LogisticRegression {
  const rows: number[][] = [];
  const labels: number[] = [];
  const addExample = (index: TopicIndex, text: string, language: Language, truth: string | undefined) => {
    const scores = index.score(analyzer.terms(text, language), CANDIDATES);
    const depth = Math.min(TRAINING_DEPTH, scores.length);
    for (let i = 0; i < depth; i++) {
      rows.push(featuresOf(scores, i));
      labels.push((scores[i] as TopicScores).topicId === truth ? 1 : 0);
    }
  };
  for (let fold = 0; fold < FOLDS; fold++) {
    const keep = (_: string, i: number) => i % FOLDS !== fold;
    const held = (_: string, i: number) => i % FOLDS === fold;
    const trainingKb = new KnowledgeBase(
      kb.topics.map((t): Topic => ({ ...t, samples: { it: t.samples.it.filter(keep), en: t.samples.en.filter(keep) } })),
      kb.synonyms,
    );
    const index = new TopicIndex(trainingKb, analyzer);
    for (const topic of kb.topics) {
      for (const language of ['it', 'en'] as const) {
        for (const sample of topic.samples[language].filter(held)) addExample(index, sample, language, topic.id);
      }
    }
    for (const language of ['it', 'en'] as const) {
      for (const question of outOfScope[language].filter(held)) addExample(index, question, language, undefined);
    }
  }
  return LogisticRegression.fit(rows, labels);
}
