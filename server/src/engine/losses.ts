import { softplus } from './activations';
import { logSumExp } from './softmax';

export type LossName = 'squared_error' | 'mse' | 'cross_entropy' | 'binary_cross_entropy';
export const LOSS_NAMES: readonly LossName[] = ['squared_error', 'mse', 'cross_entropy', 'binary_cross_entropy'];

/** Each loss as people read it (hovers, completion): Unicode subscripts, not TeX's `_k`. */
export const LOSS_FORMULAS: Readonly<Record<LossName, string>> = {
  squared_error: 'E = ½ Σₖ (yₖ − tₖ)²',
  mse: 'E = (1/K) Σₖ (yₖ − tₖ)²',
  cross_entropy: 'E = −Σₖ tₖ ln yₖ',
  binary_cross_entropy: 'E = −Σₖ [tₖ ln yₖ + (1 − tₖ) ln(1 − yₖ)]',
};

/** What the output layer's activation is, for the fused, stable forms of the losses. */
export type OutputKind = 'softmax' | 'sigmoid' | 'other';

/**
 * The per-sample loss E and dE/dy for outputs y = g(z) and targets t. For softmax with
 * cross-entropy and sigmoid with binary cross-entropy, ln y is taken from z (ln p_k = z_k -
 * logsumexp(z); ln σ(z) = -softplus(-z)), so the loss stays finite where y rounds to 0 or 1.
 * A target of 0 contributes nothing to -t ln y (0 · ln 0 is taken as 0, its limit).
 * Returns dE/dy in `dy`, except for the two fused pairs, where `dz` is dE/dz directly.
 */
export function lossAndGradient(
  loss: LossName, kind: OutputKind, z: ArrayLike<number>, y: ArrayLike<number>, t: ArrayLike<number>, grad: Float64Array | Float32Array,
): { loss: number; gradientIs: 'dy' | 'dz' } {
  const K = y.length;
  let E = 0;
  switch (loss) {
    case 'squared_error':
      for (let k = 0; k < K; k++) {
        const d = y[k] - t[k];
        E += 0.5 * d * d;
        grad[k] = d; // dE/dy_k = y_k - t_k
      }
      return { loss: E, gradientIs: 'dy' };
    case 'mse':
      for (let k = 0; k < K; k++) {
        const d = y[k] - t[k];
        E += (d * d) / K;
        grad[k] = (2 * d) / K; // dE/dy_k = 2 (y_k - t_k) / K
      }
      return { loss: E, gradientIs: 'dy' };
    case 'cross_entropy': {
      if (kind === 'softmax') {
        const lse = logSumExp(z);
        let tsum = 0;
        for (let k = 0; k < K; k++) {
          if (t[k] !== 0) E -= t[k] * (z[k] - lse);
          tsum += t[k];
        }
        // dE/dz_k = p_k Σ_j t_j - t_k (= p - t for one-hot targets)
        for (let k = 0; k < K; k++) grad[k] = y[k] * tsum - t[k];
        return { loss: E, gradientIs: 'dz' };
      }
      for (let k = 0; k < K; k++) {
        if (t[k] !== 0) E -= t[k] * Math.log(y[k]);
        grad[k] = t[k] === 0 ? 0 : -t[k] / y[k]; // dE/dy_k = -t_k / y_k
      }
      return { loss: E, gradientIs: 'dy' };
    }
    case 'binary_cross_entropy': {
      if (kind === 'sigmoid') {
        for (let k = 0; k < K; k++) {
          // -ln σ(z) = softplus(-z), -ln(1 - σ(z)) = softplus(z)
          if (t[k] !== 0) E += t[k] * softplus(-z[k]);
          if (t[k] !== 1) E += (1 - t[k]) * softplus(z[k]);
          grad[k] = y[k] - t[k]; // dE/dz_k = σ(z_k) - t_k
        }
        return { loss: E, gradientIs: 'dz' };
      }
      for (let k = 0; k < K; k++) {
        if (t[k] !== 0) E -= t[k] * Math.log(y[k]);
        if (t[k] !== 1) E -= (1 - t[k]) * Math.log(1 - y[k]);
        grad[k] = (t[k] === 0 ? 0 : -t[k] / y[k]) + (t[k] === 1 ? 0 : (1 - t[k]) / (1 - y[k]));
      }
      return { loss: E, gradientIs: 'dy' };
    }
  }
}
