// A module binding, not the global: inside a vm context (jest) every read of the global `Math`
// goes through the context's interceptor, and the fit calls it ten million times.
const exp = Math.exp;

/**
 * Binary logistic regression fitted by batch gradient descent with L2 regularisation.
 * Small on purpose: a handful of features and a few thousand examples, fitted at start-up.
 * Its outputs are probabilities, which is what makes the recognizer's confidence calibrated.
 *
 * @example
 * const model = LogisticRegression.fit([[0.9, 0.8], [0.1, 0.2]], [1, 0]);
 * model.predict([0.85, 0.7]) // close to 1
 */
export class LogisticRegression {
  private constructor(
    readonly weights: readonly number[],
    readonly bias: number,
  ) {}

  static fromParameters(weights: readonly number[], bias: number): LogisticRegression {
    return new LogisticRegression([...weights], bias);
  }

  static fit(
    features: readonly (readonly number[])[],
    labels: readonly number[],
    options: { iterations?: number; learningRate?: number; l2?: number } = {},
  ): LogisticRegression {
    const { iterations = 2000, learningRate = 0.5, l2 = 1e-3 } = options;
    const n = features.length;
    if (n === 0 || n !== labels.length) throw new Error('logistic regression needs as many labels as feature rows, at least one');
    const dims = (features[0] as readonly number[]).length;
    const w = new Array<number>(dims).fill(0);
    let b = 0;
    for (let iter = 0; iter < iterations; iter++) {
      const grad = new Array<number>(dims).fill(0);
      let gradB = 0;
      for (let i = 0; i < n; i++) {
        const x = features[i] as readonly number[];
        const y = labels[i] as number;
        const error = (sigmoid(dot(w, x) + b) - y);
        for (let d = 0; d < dims; d++) grad[d] = (grad[d] as number) + error * (x[d] as number);
        gradB += error;
      }
      for (let d = 0; d < dims; d++) w[d] = (w[d] as number) - learningRate * ((grad[d] as number) / n + l2 * (w[d] as number));
      b -= (learningRate * gradB) / n;
    }
    return new LogisticRegression(w, b);
  }

  predict(x: readonly number[]): number {
    return sigmoid(dot(this.weights, x) + this.bias);
  }
}

function dot(w: readonly number[], x: readonly number[]): number {
  let sum = 0;
  for (let i = 0; i < w.length; i++) sum += (w[i] as number) * (x[i] ?? 0);
  return sum;
}

function sigmoid(z: number): number {
  return 1 / (1 + exp(-z));
}
