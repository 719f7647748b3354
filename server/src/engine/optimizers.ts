import type { BatchWorkspace } from './kernels/batch';
import type { Floats } from './kernels/gemm';

/**
 * torch.optim's arithmetic, one step at a time, on the trainer's (padded) parameter buffers.
 * For every parameter p with the batch's mean gradient g (λ₁ = `l1`, λ₂ = `l2`, lr the epoch's
 * learning rate):
 * - l1 (weights only): g ← g + λ₁·sign(p), sign(0) = 0: the gradient of λ₁·Σ|w| as torch.abs
 *   gives it, added by autograd to the loss's gradient before the optimiser sees it;
 * - l2 (weights and biases, torch's weight_decay): g ← g + λ₂·p;
 * - `sgd` (torch.optim.SGD): p ← p + (−lr)·g;
 * - `momentum(m)` (SGD, dampening 0, not Nesterov): buf ← g on the first step, else
 *   buf ← buf·m + g; p ← p + (−lr)·buf. With m = 0 it is plain SGD, as in torch;
 * - `adam(b1, b2)` (torch.optim.Adam, eps = 1e-8, torch 1.13's single-tensor arithmetic):
 *   t ← t + 1; m ← m·b1 + (1 − b1)·g; v ← v·b2 + ((1 − b2)·g)·g;
 *   bc1 = 1 − b1^t, bc2 = 1 − b2^t, step = lr / bc1, denom = √v / √bc2 + eps,
 *   p ← p + ((−step)·m) / denom.
 * Under `precision float32` the parameters, gradients and the optimiser's state are float32
 * buffers: each update is computed in float64 and rounded where it is stored.
 */

export type Optimizer =
  | { kind: 'sgd' }
  | { kind: 'momentum'; momentum: number }
  | { kind: 'adam'; beta1: number; beta2: number };

/** Adam's eps, as torch.optim.Adam's default. */
export const ADAM_EPS = 1e-8;

/** One parameter tensor with its gradient and optimiser state. */
interface Param {
  p: Floats;
  g: Floats;
  /** λ₁ for a weight matrix, 0 for a bias: l1 leaves biases alone. */
  l1: number;
  /** momentum buffer, or Adam's first moment */
  m?: Floats;
  /** Adam's second moment */
  v?: Floats;
}

/** Zeros of p's length and precision. */
const zerosLike = (p: Floats): Floats => (p instanceof Float32Array ? new Float32Array(p.length) : new Float64Array(p.length));

/** sign(x) with sign(0) = 0 (and NaN for NaN), as torch.sgn. */
const sign = (x: number) => (x > 0 ? 1 : x < 0 ? -1 : x);

export class OptimizerState {
  private t = 0;
  private readonly params: Param[];
  /** The learning rate of the coming steps: a schedule changes it between epochs. */
  lr: number;

  /** The parameters are the workspace's (padded: the padding is 0, its gradient is 0 and stays unread). */
  constructor(private readonly opt: Optimizer, lr: number, private readonly l2: number, l1: number, ws: BatchWorkspace) {
    this.lr = lr;
    this.params = [];
    for (const s of ws.layers) {
      this.params.push({ p: s.Wv, g: s.gWv, l1 });
      if (s.layer.hasBias) this.params.push({ p: s.bv, g: s.gbv, l1: 0 });
    }
  }

  /**
   * Applies one step; the gradients hold the sums over a batch of `b` samples, and g = sum / b
   * (the batch's mean gradient) is taken as each value is used.
   */
  step(b: number): void {
    this.t++;
    const { lr, l2, opt } = this;
    const neglr = -lr;
    switch (opt.kind) {
      case 'sgd':
        for (const { p, g, l1 } of this.params) {
          if (l1 === 0 && l2 === 0) {
            // The same arithmetic without the penalties' tests: the common case, kept tight. In
            // float32, 1/b is folded into the rate, one multiply instead of a division: a float64
            // rounding apart, below what the float32 store keeps (torch folds 1/B in earlier still).
            if (p instanceof Float32Array) {
              const rate = neglr / b;
              for (let i = 0; i < p.length; i++) p[i] = p[i] + rate * g[i];
            } else for (let i = 0; i < p.length; i++) p[i] = p[i] + neglr * (g[i] / b);
            continue;
          }
          for (let i = 0; i < p.length; i++) {
            const gi = l1 !== 0 ? g[i] / b + l1 * sign(p[i]) : g[i] / b;
            const d = l2 !== 0 ? gi + l2 * p[i] : gi;
            p[i] = p[i] + neglr * d;
          }
        }
        return;
      case 'momentum': {
        const mu = opt.momentum;
        for (const par of this.params) {
          const { p, g, l1 } = par;
          if (mu === 0) {
            for (let i = 0; i < p.length; i++) {
              const gi = l1 !== 0 ? g[i] / b + l1 * sign(p[i]) : g[i] / b;
              p[i] = p[i] + neglr * (l2 !== 0 ? gi + l2 * p[i] : gi);
            }
            continue;
          }
          const first = par.m === undefined;
          const buf = (par.m ??= zerosLike(p));
          for (let i = 0; i < p.length; i++) {
            const gi = l1 !== 0 ? g[i] / b + l1 * sign(p[i]) : g[i] / b;
            const d = l2 !== 0 ? gi + l2 * p[i] : gi;
            buf[i] = first ? d : buf[i] * mu + d;
            p[i] = p[i] + neglr * buf[i];
          }
        }
        return;
      }
      case 'adam': {
        const { beta1: b1, beta2: b2 } = opt;
        const bc1 = 1 - Math.pow(b1, this.t);
        const bc2 = 1 - Math.pow(b2, this.t);
        const negStep = -(lr / bc1);
        const bc2sqrt = Math.sqrt(bc2);
        const c1 = 1 - b1;
        const c2 = 1 - b2;
        for (const par of this.params) {
          const { p, g, l1 } = par;
          const m = (par.m ??= zerosLike(p));
          const v = (par.v ??= zerosLike(p));
          for (let i = 0; i < p.length; i++) {
            const gi = l1 !== 0 ? g[i] / b + l1 * sign(p[i]) : g[i] / b;
            const d = l2 !== 0 ? gi + l2 * p[i] : gi;
            m[i] = m[i] * b1 + c1 * d;
            v[i] = v[i] * b2 + c2 * d * d;
            const denom = Math.sqrt(v[i]) / bc2sqrt + ADAM_EPS;
            p[i] = p[i] + (negStep * m[i]) / denom;
          }
        }
        return;
      }
    }
  }
}
