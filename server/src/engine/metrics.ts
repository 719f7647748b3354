/**
 * What a trained network scores on a set of samples, with its final parameters (`netspec train
 * --json`: "confusion" and "accuracy" for a classifier, "rmse" and "r2" otherwise). The outputs
 * and targets are added one sample at a time, in the set's order, so the sums are reproducible.
 */

/**
 * Which networks are classifiers for these metrics: a softmax output layer of K ≥ 2 units, or one
 * sigmoid unit (K = 2 classes, 0 and 1), trained with a cross-entropy loss (`cross_entropy` or
 * `binary_cross_entropy`).
 */
export type MetricsKind = { kind: 'classes'; classes: number; sigmoid: boolean } | { kind: 'regression'; outputs: number };

export function metricsKind(output: { activation: string; units: number }, loss: string): MetricsKind {
  const crossEntropy = loss === 'cross_entropy' || loss === 'binary_cross_entropy';
  if (crossEntropy && output.activation === 'softmax' && output.units >= 2) return { kind: 'classes', classes: output.units, sigmoid: false };
  if (crossEntropy && output.activation === 'sigmoid' && output.units === 1) return { kind: 'classes', classes: 2, sigmoid: true };
  return { kind: 'regression', outputs: output.units };
}

export type Metrics =
  /** confusion[true class][predicted class] = count; accuracy = trace / n. */
  | { kind: 'classes'; confusion: number[][]; accuracy: number }
  /** rmse over every output of every sample; r2 the mean over outputs of 1 − SS_res/SS_tot. */
  | { kind: 'regression'; rmse: number; r2: number };

/** Index of the first largest element of v[0 … K). */
function argmax(v: ArrayLike<number>, K: number): number {
  let best = 0;
  for (let k = 1; k < K; k++) if (v[k] > v[best]) best = k;
  return best;
}

/** Accumulates outputs y and targets t, sample by sample. */
export class MetricsAccumulator {
  private n = 0;
  private readonly confusion?: number[][];
  /** Regression: per output, Σ(y − t)²; the targets are kept for SS_tot, taken about their mean in a second pass (Σt² − n·t̄² would cancel). */
  private readonly sse?: Float64Array;
  private readonly targets: number[] = [];

  constructor(readonly how: MetricsKind) {
    if (how.kind === 'classes') this.confusion = Array.from({ length: how.classes }, () => new Array<number>(how.classes).fill(0));
    else this.sse = new Float64Array(how.outputs);
  }

  /**
   * One sample. A class: the target's is argmax t (a single sigmoid unit: 1 when t ≥ 0.5), the
   * predicted one argmax y (a single sigmoid unit: 1 when y ≥ 0.5); ties go to the first.
   */
  add(y: ArrayLike<number>, t: ArrayLike<number>): void {
    this.n++;
    const how = this.how;
    if (how.kind === 'classes') {
      const truth = how.sigmoid ? (t[0] >= 0.5 ? 1 : 0) : argmax(t, how.classes);
      const said = how.sigmoid ? (y[0] >= 0.5 ? 1 : 0) : argmax(y, how.classes);
      this.confusion![truth][said]++;
      return;
    }
    for (let k = 0; k < how.outputs; k++) {
      const d = y[k] - t[k];
      this.sse![k] += d * d;
      this.targets.push(t[k]);
    }
  }

  /**
   * The metrics of the samples added:
   * - accuracy = Σ_c confusion[c][c] / n;
   * - rmse = √(Σ_k SS_res,k / (n·K)), SS_res,k = Σ_i (y_ik − t_ik)²;
   * - r2 = (1/K) Σ_k (1 − SS_res,k / SS_tot,k), SS_tot,k = Σ_i (t_ik − t̄_k)², t̄_k = Σ_i t_ik / n
   *   (an output whose targets are all equal has SS_tot = 0: its term is −∞, or NaN when it also fits exactly).
   */
  result(): Metrics {
    const n = this.n;
    if (this.confusion) {
      let hits = 0;
      this.confusion.forEach((row, c) => (hits += row[c]));
      return { kind: 'classes', confusion: this.confusion.map((r) => r.slice()), accuracy: hits / n };
    }
    const K = this.sse!.length;
    let sse = 0;
    let r2 = 0;
    for (let k = 0; k < K; k++) {
      sse += this.sse![k];
      let mean = 0;
      for (let i = 0; i < n; i++) mean += this.targets[i * K + k];
      mean /= n;
      let tot = 0;
      for (let i = 0; i < n; i++) {
        const d = this.targets[i * K + k] - mean;
        tot += d * d;
      }
      r2 += 1 - this.sse![k] / tot;
    }
    return { kind: 'regression', rmse: Math.sqrt(sse / (n * K)), r2: r2 / K };
  }
}
