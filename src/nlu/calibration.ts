import type { RecognitionClass, RecognitionSource } from '../knowledge/knowledge-base';
import type { Language } from '../knowledge/topic-schema';
import { isConcept, type Analyzer } from './analyzer';
import { drain, type BuildSteps } from './build-steps';
import { CharNgramModel, type CharTrainingExample } from './char-ngram-model';
import { LogisticRegression } from './logistic-regression';
import { NaiveBayes, Posteriors } from './naive-bayes';
import type { OutOfScopeExamples } from './out-of-scope';
import { TopicIndex, type TopicScores } from './topic-index';

/** The label of the out-of-scope class of naive Bayes and of the character model. */
export const NONE = 'none';
/** Topics BM25 recalls for a query. */
export const CANDIDATES = 8;
const BAYES_RECALL = 3;
const MAX_CALIBRATION_ROWS = 6000;
const MAX_CALIBRATION_QUESTIONS = 2500;
/**
 * Share of the calibrator's questions that are out of scope, whatever the size of the knowledge
 * base: without it, every sample question editors add (the facets added about 3,000) tilts the
 * calibrator towards answering. Out-of-scope questions are counted several times to keep it.
 */
const OUT_OF_SCOPE_SHARE = 0.25;
/** Past this many questions the character model trains on an even sample: its cost grows with them. */
const MAX_CHAR_QUESTIONS = 6000;
const FOLDS = 5;
/** Candidates per training question that the calibrator learns from (the right one and its closest rivals). */
const TRAINING_DEPTH = 3;

/** What a query's candidates are judged by, besides their retrieval scores. */
export interface QueryEvidence {
  readonly posteriors: Posteriors;
  /** The character model's probabilities of the candidates and of `none`, among themselves. */
  readonly chars: ReadonlyMap<string, number>;
  /** Share of the query's terms that no topic contains (see `unknownShare`). */
  readonly unknownShare: number;
}

/**
 * Share of the query's terms (after spelling correction, stemming and synonyms) that no topic of
 * the index contains. A word counts as unknown whether or not it is a real word of the lexicon:
 * "smaltimento" is good Italian, but if no topic speaks of it, it is no evidence for any topic, and
 * a message made mostly of such words should not be answered confidently whatever its one
 * familiar word says. Words of the out-of-scope examples count as unknown too (they speak
 * against every topic, which naive Bayes's `none` class already says).
 */
export function unknownShare(index: TopicIndex, terms: readonly string[]): number {
  if (terms.length === 0) return 0;
  let unknown = 0;
  for (const term of terms) if (!index.knows(term)) unknown++;
  return unknown / terms.length;
}

/** Features of one candidate among the query's ranked candidates. */
export function featuresOf(scores: readonly TopicScores[], i: number, evidence: QueryEvidence): number[] {
  const c = scores[i] as TopicScores;
  let rivalBm25 = 0;
  let rivalNearest = 0;
  let rivalChar = 0;
  scores.forEach((other, j) => {
    if (j === i) return;
    rivalBm25 = Math.max(rivalBm25, other.bm25);
    rivalNearest = Math.max(rivalNearest, other.nearest);
    rivalChar = Math.max(rivalChar, evidence.chars.get(other.topicId) ?? 0);
  });
  const nb = evidence.posteriors.get(c.topicId) ?? 0;
  const none = evidence.posteriors.get(NONE) ?? 0;
  const char = evidence.chars.get(c.topicId) ?? 0;
  return [
    c.bm25,
    c.nearest,
    c.coverage,
    c.bm25 - rivalBm25,
    c.nearest - rivalNearest,
    c.coverage * c.nearest,
    nb,
    none,
    nb * c.nearest,
    char,
    char - rivalChar,
    evidence.chars.get(NONE) ?? 0,
    evidence.unknownShare,
  ];
}

/** The topics naive Bayes ranks highest: recalled even when BM25 ranks them low. */
export function topByPosterior(posteriors: Posteriors): string[] {
  return posteriors.top(BAYES_RECALL, NONE);
}

/** Training examples for the naive Bayes model: every sample under its topic, out-of-scope questions under "none". */
export function bayesExamples(kb: RecognitionSource, analyzer: Analyzer, outOfScope: OutOfScopeExamples): { terms: string[]; label: string }[] {
  return drain(bayesExamplesInSteps(kb, analyzer, outOfScope));
}

/** {@link bayesExamples} in steps (see build-steps.ts): one step per class. */
export function* bayesExamplesInSteps(kb: RecognitionSource, analyzer: Analyzer, outOfScope: OutOfScopeExamples): BuildSteps<{ terms: string[]; label: string }[]> {
  const examples: { terms: string[]; label: string }[] = [];
  for (const topic of kb.entries) {
    for (const language of ['it', 'en'] as const) {
      for (const sample of [...topic.samples[language], topic.title[language]]) examples.push({ terms: analyzer.terms(sample, language), label: topic.id });
    }
    yield;
  }
  for (const language of ['it', 'en'] as const) {
    for (const question of outOfScope[language]) examples.push({ terms: analyzer.terms(question, language), label: NONE });
  }
  return examples;
}

/**
 * What the character model reads: the words, normalised, stopwords left out, not stemmed, plus
 * the synonym concepts the analyzer found among the terms. A concept is an editor's statement
 * that a phrase is one thing ("area c"): as a token of its own it gets n-grams no other phrase
 * shares, where the words alone differ from "area b" by one n-gram among dozens.
 */
export function charInput(analyzer: Analyzer, words: readonly string[], terms: readonly string[]): string[] {
  return [...words.filter((w) => !analyzer.isStopword(w)), ...terms.filter(isConcept)];
}

/** A character-model training question, with the cross-validation fold that holds it out (none for titles). */
export type FoldedCharExample = CharTrainingExample & { readonly fold?: number };

/**
 * The character model's training questions: sample questions under their topic, titles, and
 * out-of-scope examples under `none`, each with the topics that BM25 and naive Bayes recall for
 * it (its rivals). `fold` follows the same rule as the calibrator's cross-validation.
 */
export function charExamples(kb: RecognitionSource, analyzer: Analyzer, outOfScope: OutOfScopeExamples, index: TopicIndex, bayes: NaiveBayes | undefined): FoldedCharExample[] {
  const questions: { text: string; language: Language; label: string; fold?: number }[] = [];
  for (const topic of kb.entries) {
    for (const language of ['it', 'en'] as const) {
      topic.samples[language].forEach((text, i) => questions.push({ text, language, label: topic.id, fold: i % FOLDS }));
      questions.push({ text: topic.title[language], language, label: topic.id });
    }
  }
  for (const language of ['it', 'en'] as const) {
    outOfScope[language].forEach((text, i) => questions.push({ text, language, label: NONE, fold: i % FOLDS }));
  }
  const step = Math.max(1, Math.ceil(questions.length / MAX_CHAR_QUESTIONS));
  return questions
    .filter((_, i) => i % step === 0)
    .map(({ text, language, label, fold }) => {
      const words = analyzer.words(text);
      const terms = analyzer.termsOfWords(words, language);
      const rivals = index.score(terms, CANDIDATES, topByPosterior(bayes?.posteriors(terms) ?? Posteriors.empty())).map((s) => s.topicId);
      return { words: charInput(analyzer, words, terms), label, rivals, ...(fold === undefined ? {} : { fold }) };
    });
}

/** The character model over the given questions, `none` in every softmax. */
export function trainCharModel(examples: readonly CharTrainingExample[]): CharNgramModel {
  return CharNgramModel.train(examples, { always: NONE });
}

/**
 * Fits the calibrator: each sample question is recognised by an index built without it
 * (k-fold), each of its top candidates labelled right or wrong; out-of-scope questions label
 * all their candidates wrong. The model therefore learns how scores look on unseen words.
 */
export function fitCalibrator(
  kb: RecognitionSource,
  analyzer: Analyzer,
  outOfScope: OutOfScopeExamples,
  useBayes: boolean,
  chars: readonly FoldedCharExample[],
): LogisticRegression {
  const rows: number[][] = [];
  const labels: number[] = [];
  const addExample = (index: TopicIndex, bayes: NaiveBayes | undefined, charModel: CharNgramModel, text: string, language: Language, truth: string | undefined) => {
    const words = analyzer.words(text);
    const terms = analyzer.termsOfWords(words, language);
    const posteriors = bayes?.posteriors(terms) ?? Posteriors.empty();
    const scores = index.score(terms, CANDIDATES, topByPosterior(posteriors));
    const evidence: QueryEvidence = {
      posteriors,
      chars: charModel.probabilities(charInput(analyzer, words, terms), scores.map((s) => s.topicId)),
      unknownShare: unknownShare(index, terms),
    };
    const depth = Math.min(TRAINING_DEPTH, scores.length);
    for (let i = 0; i < depth; i++) {
      rows.push(featuresOf(scores, i, evidence));
      labels.push((scores[i] as TopicScores).topicId === truth ? 1 : 0);
    }
  };
  const totalSamples = kb.entries.reduce((n, t) => n + t.samples.it.length + t.samples.en.length, 0);
  const sampleStep = Math.max(1, Math.ceil(totalSamples / MAX_CALIBRATION_QUESTIONS));
  const outOfScopeQuestions = outOfScope.it.length + outOfScope.en.length;
  const repeat = outOfScopeQuestions === 0 ? 1 : Math.max(1, Math.round(((OUT_OF_SCOPE_SHARE / (1 - OUT_OF_SCOPE_SHARE)) * (totalSamples / sampleStep)) / outOfScopeQuestions));
  for (let fold = 0; fold < FOLDS; fold++) {
    const keep = (_: string, i: number) => i % FOLDS !== fold;
    const held = (_: string, i: number) => i % FOLDS === fold;
    const trainingKb: RecognitionSource = {
      entries: kb.entries.map((t): RecognitionClass => ({ ...t, samples: { it: t.samples.it.filter(keep), en: t.samples.en.filter(keep) } })),
      synonyms: kb.synonyms,
    };
    const trainingOutOfScope = { it: outOfScope.it.filter(keep), en: outOfScope.en.filter(keep) };
    const index = new TopicIndex(trainingKb, analyzer);
    const bayes = useBayes ? NaiveBayes.train(bayesExamples(trainingKb, analyzer, trainingOutOfScope)) : undefined;
    const charModel = trainCharModel(chars.filter((e) => e.fold !== fold));
    let seen = 0;
    for (const topic of kb.entries) {
      for (const language of ['it', 'en'] as const) {
        for (const sample of topic.samples[language].filter(held)) {
          // A large knowledge base calibrates on an even sample of its questions: the fit needs a few thousand.
          if (seen++ % sampleStep === 0) addExample(index, bayes, charModel, sample, language, topic.id);
        }
      }
    }
    for (const language of ['it', 'en'] as const) {
      for (const question of outOfScope[language].filter(held)) for (let r = 0; r < repeat; r++) addExample(index, bayes, charModel, question, language, undefined);
    }
  }
  // Past a few thousand rows the fit gains nothing but start-up time: keep an even sample.
  const step = Math.max(1, Math.ceil(rows.length / MAX_CALIBRATION_ROWS));
  return LogisticRegression.fit(
    rows.filter((_, i) => i % step === 0),
    labels.filter((_, i) => i % step === 0),
  );
}
