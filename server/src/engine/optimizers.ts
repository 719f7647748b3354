import type { BatchWorkspace, LayerSlots, StepInBackward } from './kernels/batch';
import { newStepScalars, OPT_ADAM, OPT_MOMENTUM, type StepScalars } from './kernels/update';

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

export { ADAM_EPS } from './kernels/update';

/** How many state buffers (each the size of the parameters) an optimiser keeps: momentum's buf, Adam's m and v. */
export function stateBuffers(opt: Optimizer): 0 | 1 | 2 {
  return opt.kind === 'adam' ? 2 : opt.kind === 'momentum' && opt.momentum !== 0 ? 1 : 0;
}

/** One parameter tensor: offsets in the arena of its values, gradient sums and state (−1: none), its length and λ₁. */
interface Param {
  p: number;
  g: number;
  m: number;
  v: number;
  n: number;
  /** A weight matrix kept in column bands (batch.ts `bands`): its rows and columns; else 0. */
  bandRows: number;
  cols: number;
  /** λ₁ for a weight matrix, 0 for a bias: l1 leaves biases alone. */
  l1: number;
  /** The layer whose W this is; absent for a bias. */
  weightsOf?: LayerSlots;
}

export class OptimizerState {
  private t = 0;
  private readonly params: Param[];
  /** The step's scalars (kernels/update.ts), one object for every step. */
  private readonly scalars: StepScalars = newStepScalars();
  /** λ₁ of the weight matrices. */
  private readonly l1: number;
  /** The object `begin` hands out, one for every step. */
  private begun?: StepInBackward;
  /** The learning rate of the coming steps: a schedule changes it between epochs. */
  lr: number;

  /**
   * The parameters are the workspace's (padded: the padding is 0, its gradient is 0 and stays
   * unread), and so is the state: the workspace was made with `stateBuffers(opt)` buffers.
   */
  constructor(
    private readonly opt: Optimizer,
    lr: number,
    l2: number,
    l1: number,
    private readonly ws: BatchWorkspace,
  ) {
    this.lr = lr;
    this.l1 = l1;
    // What does not change between steps, set once; `step` sets the rest.
    const s = this.scalars;
    s.l2 = l2;
    if (opt.kind === 'momentum') {
      s.kind = OPT_MOMENTUM;
      s.mu = opt.momentum;
    } else if (opt.kind === 'adam') {
      s.kind = OPT_ADAM;
      s.b1 = opt.beta1;
      s.b2 = opt.beta2;
      s.c1 = 1 - opt.beta1;
      s.c2 = 1 - opt.beta2;
    }
    this.params = [];
    for (const s of ws.layers) {
      this.params.push({ p: s.W, g: s.gW, m: s.mW, v: s.vW, n: s.Mp * s.Kp, bandRows: s.bands > 1 ? s.Mp : 0, cols: s.Kp, l1, weightsOf: s });
      if (s.layer.hasBias) this.params.push({ p: s.b, g: s.gb, m: s.mb, v: s.vb, n: s.Kp, bandRows: 0, cols: s.Kp, l1: 0 });
    }
  }

  /**
   * Begins the next step over a batch of `b` samples, for the batch's last backward pass to take
   * on the weights it can (batch.ts `backward`); `step(b, begun)` then takes the rest. Only once
   * the step is sure to be taken: its count moves on.
   */
  begin(b: number): StepInBackward {
    this.prepare(b);
    const begun = (this.begun ??= { scalars: this.scalars, l1: this.l1, stepped: new Set() });
    begun.stepped.clear();
    return begun;
  }

  /**
   * Applies one step; the gradients hold the sums over a batch of `b` samples, and g = sum / b
   * (the batch's mean gradient) is taken as each value is used. Large tensors are cut between
   * the arena's threads (gemm.ts `update`). `begun`: the step `begin` began, without the tensors
   * the backward pass stepped.
   */
  step(b: number, begun?: StepInBackward): void {
    if (!begun) this.prepare(b);
    const { scalars: s } = this;
    for (const par of this.params) {
      if (begun?.stepped.has(par.p)) continue;
      s.l1 = par.l1;
      this.ws.arena.update(s, par.p, par.g, par.m, par.v, par.n, par.bandRows, par.cols);
      // W moved on here, not where its transpose is written with it (batch.ts `transposed`).
      if (par.weightsOf) par.weightsOf.transposed = false;
    }
  }

  /** The step's count and its scalars. */
  private prepare(b: number): void {
    this.t++;
    const { lr, opt, scalars: s } = this;
    s.b = b;
    s.neglr = -lr;
    s.first = this.t === 1 ? 1 : 0;
    if (opt.kind === 'adam') {
      s.negStep = -(lr / (1 - Math.pow(opt.beta1, this.t)));
      s.bc2sqrt = Math.sqrt(1 - Math.pow(opt.beta2, this.t));
    }
  }
}
