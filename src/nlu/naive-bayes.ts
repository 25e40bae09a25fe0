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
    private readonly logLikelihood: readonly Map<string, number>[],
    private readonly logUnseen: readonly number[],
    private readonly vocabulary: ReadonlySet<string>,
  ) {}

  static train(examples: readonly { terms: readonly string[]; label: string }[], alpha = 0.5): NaiveBayes {
    const labels = [...new Set(examples.map((e) => e.label))];
    const index = new Map(labels.map((l, i) => [l, i]));
    const counts = labels.map(() => new Map<string, number>());
    const totals = labels.map(() => 0);
    const docs = labels.map(() => 0);
    const vocabulary = new Set<string>();
    for (const { terms, label } of examples) {
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
    const logLikelihood = counts.map((m, c) => {
      const denom = (totals[c] as number) + alpha * v;
      return new Map([...m.entries()].map(([t, n]) => [t, Math.log((n + alpha) / denom)]));
    });
    const logUnseen = totals.map((total) => Math.log(alpha / (total + alpha * v)));
    return new NaiveBayes(labels, logPrior, logLikelihood, logUnseen, vocabulary);
  }

  /** Posterior probability of every class for the terms; terms no class has seen are ignored. */
  posteriors(terms: readonly string[]): Map<string, number> {
    const known = terms.filter((t) => this.vocabulary.has(t));
    const scores = this.labels.map((_, c) => {
      let s = this.logPrior[c] as number;
      const m = this.logLikelihood[c] as Map<string, number>;
      for (const t of known) s += m.get(t) ?? (this.logUnseen[c] as number);
      return s;
    });
    const max = Math.max(...scores);
    const exp = scores.map((s) => Math.exp(s - max));
    const sum = exp.reduce((a, b) => a + b, 0);
    return new Map(this.labels.map((l, c) => [l, (exp[c] as number) / sum]));
  }
}
