/** Bits of the hashed weight space: 2^20 weights, 4 MB, whatever the number of topics. */
const BITS = 20;
const MIN_N = 3;
const MAX_N = 5;
const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;
// A module binding, not a global: inside a vm context (jest) every read of the global `Math` in
// a hot loop goes through the context's interceptor and the build took 25 times longer.
const { imul, exp, sqrt } = Math;

/** One training question: its words, its label, and the rival labels it must be told apart from. */
export interface CharTrainingExample {
  readonly words: readonly string[];
  readonly label: string;
  /** Labels recalled for this question by the other models; the softmax is taken over these, the label and `always`. */
  readonly rivals: readonly string[];
}

export interface CharTrainingOptions {
  /** A label in every softmax, at training and at prediction time (the out-of-scope class). */
  readonly always?: string;
  readonly epochs?: number;
  readonly learningRate?: number;
  /** Seed of the shuffling, so that a build is reproducible. */
  readonly seed?: number;
}

/**
 * Hashes of the character 3- to 5-grams of each word, padded with its boundaries ("<rifiuti>"
 * gives "<ri", "rif", ..., "uti>"), without repeats. Sub-word pieces let "rifiuto", "rifiuti"
 * and "rifuti" share most of their features, where whole words or stems share none.
 *
 * @example
 * charGrams(['tari']).length // 9: "<ta" "tar" "ari" "ri>" "<tar" "tari" "ari>" "<tari" "tari>"
 */
export function charGrams(words: readonly string[]): number[] {
  const grams = new Set<number>();
  for (const word of words) {
    const padded = `<${word}>`;
    for (let n = MIN_N; n <= MAX_N; n++) {
      for (let start = 0; start + n <= padded.length; start++) {
        let h = FNV_OFFSET;
        for (let k = start; k < start + n; k++) h = imul(h ^ padded.charCodeAt(k), FNV_PRIME);
        grams.add(h >>> 0);
      }
    }
  }
  return [...grams];
}

/** Slot of a (gram, class) pair in the shared hashed weight space. */
function slot(gram: number, label: number): number {
  return imul(gram ^ imul(label + 1, 0x9e3779b1), 0x85ebca6b) >>> (32 - BITS);
}

/** A trained model's data: its labels in index order, the `always` label, the hashed weights. */
export interface CharModelSnapshot {
  readonly labels: readonly string[];
  readonly always: string | null;
  readonly weights: Float32Array;
}

/**
 * A linear model over hashed character n-grams (multinomial logistic regression, fitted by
 * stochastic gradient descent at build time). Each question is told apart only from the labels
 * the retrieval models recalled for it (plus the out-of-scope class): the same set it is scored
 * against at recognition time, so training and prediction see the same task, and the cost of
 * both grows with the number of n-grams, not of topics. The weights of every (n-gram, label)
 * pair share one hashed array of fixed size.
 *
 * @example
 * const model = CharNgramModel.train([{ words: ['tari'], label: 'tari', rivals: ['imu'] }, ...], { always: 'none' });
 * model.probabilities(['tarii'], ['tari', 'imu']) // [p(tari), p(imu), p(none)]
 */
export class CharNgramModel {
  private constructor(
    private readonly labelIndex: ReadonlyMap<string, number>,
    private readonly weights: Float32Array,
    private readonly always: string | undefined,
  ) {}

  static train(examples: readonly CharTrainingExample[], options: CharTrainingOptions = {}): CharNgramModel {
    const { always, epochs = 4, learningRate = 1, seed = 1 } = options;
    const labelIndex = new Map<string, number>();
    const number = (label: string): number => {
      let i = labelIndex.get(label);
      if (i === undefined) {
        i = labelIndex.size;
        labelIndex.set(label, i);
      }
      return i;
    };
    const prepared = examples.map((e) => ({
      grams: charGrams(e.words),
      truth: number(e.label),
      labels: uniqueLabels([e.label, ...e.rivals], always).map(number),
    }));
    const weights = new Float32Array(1 << BITS);
    const order = prepared.map((_, i) => i);
    let random = seed >>> 0 || 1;
    for (let epoch = 0; epoch < epochs; epoch++) {
      // Fisher-Yates with a small deterministic generator (xorshift32).
      for (let i = order.length - 1; i > 0; i--) {
        random ^= random << 13;
        random ^= random >>> 17;
        random ^= random << 5;
        const j = (random >>> 0) % (i + 1);
        [order[i], order[j]] = [order[j] as number, order[i] as number];
      }
      const rate = learningRate / (1 + epoch);
      for (const index of order) {
        const { grams, truth, labels } = prepared[index] as (typeof prepared)[number];
        if (grams.length === 0) continue;
        const x = 1 / sqrt(grams.length);
        const p = softmax(labels.map((label) => score(weights, grams, label) * x));
        labels.forEach((label, k) => {
          const step = rate * ((p[k] as number) - (label === truth ? 1 : 0)) * x;
          if (step === 0) return;
          for (const gram of grams) {
            const s = slot(gram, label);
            weights[s] = (weights[s] as number) - step;
          }
        });
      }
    }
    return new CharNgramModel(labelIndex, weights, always);
  }

  /** The trained model as data, to keep it between processes (model-cache.ts). */
  toSnapshot(): CharModelSnapshot {
    return { labels: [...this.labelIndex.keys()], always: this.always ?? null, weights: this.weights };
  }

  /** A model from {@link toSnapshot}'s data; throws when the weights are not of this build's size. */
  static fromSnapshot(snapshot: CharModelSnapshot): CharNgramModel {
    if (snapshot.weights.length !== 1 << BITS) throw new Error(`character model snapshot has ${snapshot.weights.length} weights, expected ${1 << BITS}`);
    return new CharNgramModel(new Map(snapshot.labels.map((label, i) => [label, i])), snapshot.weights, snapshot.always ?? undefined);
  }

  /**
   * Probability of each of `labels` (and of the `always` label, appended last unless already
   * there) among themselves. A label never seen in training scores zero before the softmax.
   */
  probabilities(words: readonly string[], labels: readonly string[]): Map<string, number> {
    const all = uniqueLabels(labels, this.always);
    const grams = charGrams(words);
    const x = grams.length === 0 ? 0 : 1 / sqrt(grams.length);
    const p = softmax(
      all.map((label) => {
        const i = this.labelIndex.get(label);
        return i === undefined ? 0 : score(this.weights, grams, i) * x;
      }),
    );
    return new Map(all.map((label, k) => [label, p[k] as number]));
  }
}

function uniqueLabels(labels: readonly string[], always: string | undefined): string[] {
  return [...new Set(always === undefined ? labels : [...labels, always])];
}

function score(weights: Float32Array, grams: readonly number[], label: number): number {
  let sum = 0;
  for (const gram of grams) sum += weights[slot(gram, label)] as number;
  return sum;
}

function softmax(scores: readonly number[]): number[] {
  let max = -Infinity;
  for (const s of scores) if (s > max) max = s;
  const e = scores.map((s) => exp(s - max));
  const sum = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / sum);
}
