import { drain, type BuildSteps } from './build-steps';
import { keepBest } from './top-k';

/** Training examples counted between two yields of a build in steps. */
const EXAMPLES_PER_STEP = 500;

/**
 * Multinomial naive Bayes over terms, with Laplace smoothing. Trained at start-up from the
 * sample questions (one class per topic) and the out-of-scope examples (one more class), it
 * learns which words speak against every topic ("meteo", "lockdown", "ristorante"), which
 * the retrieval scores alone cannot see. Scoring costs classes x query terms, not samples.
 *
 * @example
 * const nb = NaiveBayes.train([{ terms: ['tari'], label: 'tari' }, { terms: ['meteo'], label: 'none' }]);
 * nb.posteriors(['tari']).get('tari') // > 0.5
 */
export class NaiveBayes {
  private constructor(
    private readonly labels: readonly string[],
    private readonly logPrior: readonly number[],
    logLikelihood: readonly Map<string, number>[],
    logUnseen: readonly number[],
    vocabulary: ReadonlySet<string>,
  ) {
    this.labelIndex = new Map(labels.map((l, i) => [l, i]));
    // One row per known term, one slot per class (its log-likelihood, or the class's unseen-term
    // value): a query adds a row per term instead of looking each term up in every class's map.
    // 64 classes and 2,650 terms today: 1.4 MB.
    const rows = new Map<string, Float64Array>();
    for (const term of vocabulary) {
      const row = Float64Array.from(logUnseen);
      logLikelihood.forEach((m, c) => {
        const value = m.get(term);
        if (value !== undefined) row[c] = value;
      });
      rows.set(term, row);
    }
    this.rows = rows;
  }

  private readonly labelIndex: ReadonlyMap<string, number>;
  private readonly rows: ReadonlyMap<string, Float64Array>;

  static train(examples: readonly { terms: readonly string[]; label: string }[], alpha = 0.5): NaiveBayes {
    return drain(NaiveBayes.training(examples, alpha));
  }

  /** {@link train} in steps (see build-steps.ts), for a build in slices. */
  static *training(examples: readonly { terms: readonly string[]; label: string }[], alpha = 0.5): BuildSteps<NaiveBayes> {
    const labels = [...new Set(examples.map((e) => e.label))];
    const index = new Map(labels.map((l, i) => [l, i]));
    const counts = labels.map(() => new Map<string, number>());
    const totals = labels.map(() => 0);
    const docs = labels.map(() => 0);
    const vocabulary = new Set<string>();
    for (const [i, { terms, label }] of examples.entries()) {
      if (i % EXAMPLES_PER_STEP === 0) yield;
      const c = index.get(label) as number;
      docs[c] = (docs[c] as number) + 1;
      for (const term of terms) {
        vocabulary.add(term);
        const m = counts[c] as Map<string, number>;
        m.set(term, (m.get(term) ?? 0) + 1);
        totals[c] = (totals[c] as number) + 1;
      }
    }
    const v = vocabulary.size + 1;
    // A uniform prior: how many samples editors wrote for a topic says nothing about how often citizens ask it.
    const logPrior = labels.map(() => -Math.log(labels.length));
    const logLikelihood: Map<string, number>[] = [];
    for (const [c, m] of counts.entries()) {
      const denom = (totals[c] as number) + alpha * v;
      logLikelihood.push(new Map([...m.entries()].map(([t, n]) => [t, Math.log((n + alpha) / denom)])));
      yield;
    }
    const logUnseen = totals.map((total) => Math.log(alpha / (total + alpha * v)));
    return new NaiveBayes(labels, logPrior, logLikelihood, logUnseen, vocabulary);
  }

  /** Posterior probability of every class for the terms; terms no class has seen are ignored. */
  posteriors(terms: readonly string[]): Posteriors {
    // Each class's sum in the same order as term by term (prior first, then the terms as given), so
    // the floating-point result is the one a per-class loop gives.
    const scores = Float64Array.from(this.logPrior);
    for (const term of terms) {
      const row = this.rows.get(term);
      if (!row) continue;
      for (let c = 0; c < scores.length; c++) scores[c] = (scores[c] as number) + (row[c] as number);
    }
    let max = -Infinity;
    for (const s of scores) if (s > max) max = s;
    const probabilities = Array.from(scores, (s) => Math.exp(s - max));
    const sum = probabilities.reduce((a, b) => a + b, 0);
    for (let c = 0; c < probabilities.length; c++) probabilities[c] = (probabilities[c] as number) / sum;
    return new Posteriors(this.labels, this.labelIndex, probabilities);
  }
}

/** Posterior probabilities of one query, with look-up by label and top-k without sorting every class. */
export class Posteriors {
  constructor(
    private readonly labels: readonly string[],
    private readonly index: ReadonlyMap<string, number>,
    private readonly probabilities: readonly number[],
  ) {}

  static empty(): Posteriors {
    return new Posteriors([], new Map(), []);
  }

  get(label: string): number | undefined {
    const i = this.index.get(label);
    return i === undefined ? undefined : this.probabilities[i];
  }

  /** The `k` most probable labels, best first, leaving out `exclude`. */
  top(k: number, exclude: string): string[] {
    const best: number[] = [];
    const probabilities = this.probabilities;
    const probabilityOf = (i: number) => probabilities[i] as number;
    for (let i = 0; i < probabilities.length; i++) if (this.labels[i] !== exclude) keepBest(best, i, probabilities[i] as number, k, probabilityOf);
    return best.map((i) => this.labels[i] as string);
  }
}
