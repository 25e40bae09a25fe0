import type { KnowledgeBase } from '../knowledge/knowledge-base';
import type { Language } from '../knowledge/topic-schema';
import { Analyzer } from './analyzer';
import { bayesExamples, CANDIDATES, charExamples, contentWords, featuresOf, fitCalibrator, NONE, topByPosterior, trainCharModel, unknownShare } from './calibration';
import type { CharNgramModel } from './char-ngram-model';
import { builtInIntent, HANDOFF_WORDS, stripGreeting } from './intents';
import { LanguageDetector } from './language';
import { wordLexicon } from './lexicon';
import type { LogisticRegression } from './logistic-regression';
import { NaiveBayes, Posteriors } from './naive-bayes';
import { normalize } from './normalize';
import type { OutOfScopeExamples } from './out-of-scope';
import { bandOf, DEFAULT_BANDS, type BandThresholds, type Recognition, type RecognizeOptions, type Recognizer, type TopicCandidate } from './recognizer';
import { SpellingCorrector } from './spelling';
import { TopicIndex, type TopicScores } from './topic-index';

const RETURNED = 5;
const WARM_UP_TOPICS = 40;

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
    private readonly chars: CharNgramModel,
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
    const charTraining = charExamples(kb, analyzer, outOfScope, index, bayes);
    const chars = trainCharModel(charTraining);
    const calibrator = fitCalibrator(kb, analyzer, outOfScope, useBayes, charTraining);
    // Out-of-scope words are known words too: "ristoranti" must not be "corrected" into a topic's word.
    const words = new Set([...index.words, ...[...outOfScope.it, ...outOfScope.en].flatMap((q) => analyzer.words(q)), ...HANDOFF_WORDS]);
    const recognizer = new LocalRecognizer(analyzer, index, bayes, chars, new SpellingCorrector(words, wordLexicon()), new LanguageDetector(index.vocabulary), calibrator, bands);
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
    const candidates = this.rank(analysis, posteriors);
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

  private rank(analysis: LocalAnalysis, posteriors: Posteriors): TopicCandidate[] {
    const scores = this.index.score(analysis.terms, CANDIDATES, topByPosterior(posteriors));
    const evidence = {
      posteriors,
      chars: this.chars.probabilities(contentWords(this.analyzer, analysis.corrected), scores.map((s) => s.topicId)),
      unknownShare: unknownShare(this.index, analysis.terms),
    };
    return scores
      .map((_, i) => ({ topicId: (scores[i] as TopicScores).topicId, confidence: this.calibrator.predict(featuresOf(scores, i, evidence)) }))
      .sort((a, b) => b.confidence - a.confidence)
      .slice(0, RETURNED);
  }
}
