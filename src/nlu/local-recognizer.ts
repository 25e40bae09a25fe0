import type { RecognitionSource } from '../knowledge/knowledge-base';
import type { Language } from '../knowledge/topic-schema';
import { Analyzer } from './analyzer';
import { drain, type BuildSteps } from './build-steps';
import { bayesExamples, bayesExamplesInSteps, CANDIDATES, charExamples, charInput, featuresOf, fitCalibrator, NONE, topByPosterior, trainCharModel, unknownShare } from './calibration';
import type { CharNgramModel } from './char-ngram-model';
import { builtInIntent, HANDOFF_WORDS, stripGreeting } from './intents';
import { LanguageDetector } from './language';
import { wordLexicon } from './lexicon';
import type { LogisticRegression } from './logistic-regression';
import type { ModelCache, TrainedModels } from './model-cache';
import { NaiveBayes, Posteriors } from './naive-bayes';
import { normalize } from './normalize';
import type { OutOfScopeExamples } from './out-of-scope';
import { bandOf, DEFAULT_BANDS, type BandThresholds, type Recognition, type RecognizeOptions, type Recognizer, type TopicCandidate } from './recognizer';
import { MAX_SENTENCES, splitSentences, strongestReading } from './sentences';
import { SpellingCorrector } from './spelling';
import { TopicIndex, type TopicScores } from './topic-index';

const RETURNED = 5;
/** Topics of other sentences offered beside the answer, at most. */
const MAX_ALSO_ASKED = 2;
/** Words from which a message of several sentences is also read one sentence at a time. */
const LONG_MESSAGE_WORDS = 15;
const WARM_UP_TOPICS = 40;

/** One reading of a message (the whole, or one sentence): ranked candidates and the out-of-scope probability. */
interface Reading {
  readonly candidates: TopicCandidate[];
  readonly outOfScope: number | undefined;
}

/** How a recognizer is built (see {@link LocalRecognizer.build}). */
export interface BuildOptions {
  readonly bands?: BandThresholds;
  readonly bayes?: boolean;
  readonly modelCache?: ModelCache;
}

/**
 * Trains the character model and the calibrator (most of a build: the calibrator is fitted by
 * 5-fold cross-validation) without the rest of a recognizer: what the build worker does.
 *
 * @example
 * const models = trainModels(kb, outOfScope, { modelCache: modelCacheFromEnv() });
 */
export function trainModels(kb: RecognitionSource, outOfScope: OutOfScopeExamples, options: Pick<BuildOptions, 'modelCache'> = {}): TrainedModels {
  // The indexes the training reads are built only when it trains: a cache hit needs none of them.
  const train = (): TrainedModels => {
    const analyzer = new Analyzer(kb.synonyms);
    const index = new TopicIndex(kb, analyzer);
    const bayes = NaiveBayes.train(bayesExamples(kb, analyzer, outOfScope));
    const charTraining = charExamples(kb, analyzer, outOfScope, index, bayes);
    return { chars: trainCharModel(charTraining), calibrator: fitCalibrator(kb, analyzer, outOfScope, true, charTraining) };
  };
  const { modelCache } = options;
  return modelCache ? modelCache.withStems(() => modelCache.trained(kb, outOfScope, true, train)) : train();
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
   * `modelCache` reuses the character model, the calibrator and the stems worked out on the same
   * inputs (test runs only).
   */
  static build(kb: RecognitionSource, outOfScope: OutOfScopeExamples, options: BuildOptions = {}): LocalRecognizer {
    const build = () => drain(LocalRecognizer.building(kb, outOfScope, options));
    return options.modelCache ? options.modelCache.withStems(build) : build();
  }

  /**
   * {@link build} in steps (see build-steps.ts). With `models` (trained elsewhere: a worker
   * thread) nothing is trained, and what is left (indexes, naive Bayes, warm-up) runs in steps
   * short enough to leave the event loop to turns between them.
   */
  static *building(kb: RecognitionSource, outOfScope: OutOfScopeExamples, options: BuildOptions & { readonly models?: TrainedModels } = {}): BuildSteps<LocalRecognizer> {
    const { bands = DEFAULT_BANDS, bayes: useBayes = true, modelCache, models } = options;
    const analyzer = new Analyzer(kb.synonyms);
    const index = yield* TopicIndex.building(kb, analyzer);
    const bayes = useBayes ? yield* NaiveBayes.training(yield* bayesExamplesInSteps(kb, analyzer, outOfScope)) : undefined;
    const train = (): TrainedModels => {
      const charTraining = charExamples(kb, analyzer, outOfScope, index, bayes);
      return { chars: trainCharModel(charTraining), calibrator: fitCalibrator(kb, analyzer, outOfScope, useBayes, charTraining) };
    };
    const { chars, calibrator } = models ?? (modelCache ? modelCache.trained(kb, outOfScope, useBayes, train) : train());
    yield;
    // Out-of-scope words are known words too: "ristoranti" must not be "corrected" into a topic's word.
    const words = new Set([...index.words, ...[...outOfScope.it, ...outOfScope.en].flatMap((q) => analyzer.words(q)), ...HANDOFF_WORDS]);
    const recognizer = new LocalRecognizer(analyzer, index, bayes, chars, new SpellingCorrector(words, wordLexicon()), new LanguageDetector(index.vocabulary), calibrator, bands);
    yield* recognizer.warmingUp(kb);
    return recognizer;
  }

  /** The models this recognizer was built with, as the worker hands them to the main thread. */
  get trainedModels(): TrainedModels {
    return { chars: this.chars, calibrator: this.calibrator };
  }

  async recognize(text: string, options: RecognizeOptions = {}): Promise<Recognition> {
    return this.recognizeText(text, options);
  }

  /**
   * Runs a few recognitions (one sample per topic, and a misspelt copy of it) so that the first
   * citizens do not pay for the JIT compiler: readiness is reported after this.
   */
  private *warmingUp(kb: RecognitionSource): BuildSteps<void> {
    for (const topic of kb.entries.slice(0, WARM_UP_TOPICS)) {
      const sample = topic.samples.it[0] ?? topic.title.it;
      this.recognizeText(sample);
      yield;
      this.recognizeText(`${sample.slice(1)} ${sample.split('').reverse().join('')}`);
      yield;
    }
  }

  /** Ids of the topics this recognizer knows. */
  get topicIds(): readonly string[] {
    return this.index.topicIds;
  }

  /**
   * Synchronous recognition: a few hash look-ups and at most a handful of small fuzzy searches
   * per sentence. A message of several sentences is also read one sentence at a time: the
   * strongest reading is answered (a clear question no longer drowns in the story around it),
   * and the topics other sentences clearly ask about come back as `alsoAsked`.
   */
  recognizeText(text: string, options: RecognizeOptions = {}): Recognition {
    const normalized = normalize(text);
    const analysis = this.analyze(stripGreeting(normalized), options);
    // Intents are matched on the text as written and as spell-corrected ("voglo parlare con un umnao").
    const intent = builtInIntent(normalized) ?? builtInIntent(analysis.corrected.join(' '));
    if (intent) return { text, language: analysis.language, intent, candidates: [], band: 'fallback', recognizer: this.name };
    const whole = this.readingOf(analysis);
    const { best, alsoAsked } = strongestReading(whole, this.sentenceReadings(text, analysis, whole), this.bands.answer);
    const band = bandOf(best.candidates, this.bands);
    return {
      text,
      language: analysis.language,
      intent: 'faq',
      candidates: best.candidates,
      band,
      ...(best.outOfScope === undefined ? {} : { outOfScope: best.outOfScope }),
      ...(band === 'answer' && alsoAsked.length > 0 ? { alsoAsked: alsoAsked.slice(0, MAX_ALSO_ASKED) } : {}),
      recognizer: this.name,
    };
  }

  /**
   * The readings of a long message's sentences that may compete with the whole: only for long
   * messages (the best of several readings is biased upward, each one a chance to match
   * something, which short lines, often out of scope, do not need), and only sentences that
   * name a topic confidently enough to answer it, a topic the whole message also ranks (one
   * sentence alone matching what the rest of the message does not support is chance).
   */
  private sentenceReadings(text: string, analysis: LocalAnalysis, whole: Reading): Reading[] {
    const sentences = splitSentences(text).slice(0, MAX_SENTENCES);
    if (sentences.length < 2 || analysis.corrected.length < LONG_MESSAGE_WORDS) return [];
    const readings: Reading[] = [];
    for (const sentence of sentences) {
      const part = stripGreeting(normalize(sentence));
      // Greetings, thanks and the like are no question: they have no topic to offer.
      if (part.length === 0 || builtInIntent(part)) continue;
      const reading = this.readingOf(this.analyze(part, { languageHint: analysis.language }));
      const top = reading.candidates[0];
      if (top && top.confidence >= this.bands.answer && whole.candidates.some((c) => c.topicId === top.topicId)) readings.push(reading);
    }
    return readings;
  }

  /** Ranked candidates and the out-of-scope probability of one analysed text. */
  private readingOf(analysis: LocalAnalysis): Reading {
    const posteriors = this.bayes?.posteriors(analysis.terms) ?? Posteriors.empty();
    return { candidates: this.rank(analysis, posteriors), outOfScope: posteriors.get(NONE) };
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
      chars: this.chars.probabilities(charInput(this.analyzer, analysis.corrected, analysis.terms), scores.map((s) => s.topicId)),
      unknownShare: unknownShare(this.index, analysis.terms),
    };
    return scores
      .map((_, i) => ({ topicId: (scores[i] as TopicScores).topicId, confidence: this.calibrator.predict(featuresOf(scores, i, evidence)) }))
      .sort((a, b) => b.confidence - a.confidence)
      .slice(0, RETURNED);
  }
}
