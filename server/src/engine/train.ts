import { lossAndGradient, type OutputKind } from './losses';
import type { Activation, DenseLayer, Network } from './network';
import { Random } from './random';
import { softmaxBackward } from './softmax';

/**
 * Mini-batch training, float64, after PyTorch's definitions so that a run can be reproduced
 * there (LANGUAGE.md 3.3). Conventions, all part of the contract the PyTorch export reimplements:
 *
 * - **Loss and gradient of a step.** A step's loss is the mean of the per-sample losses of its
 *   batch, Σ_i E_i / B, summed in batch order; its gradient is the mean of the per-sample
 *   gradients (each exactly what `probe` computes), summed in batch order and divided by B.
 *
 * - **Split** (`split s`, default 1). With s = 1 every sample trains and there is no test set.
 *   Otherwise n_train = max(1, ⌊s·n⌋) (s·n as a float64 product), a permutation π of 0…n−1 is
 *   drawn by the Fisher–Yates shuffle below from `new Random(seed, SPLIT_STREAM)` (999 999),
 *   starting from the identity; the training set is π[0 … n_train) and the test set
 *   π[n_train … n), each then sorted into ascending data order.
 *
 * - **Batches.** B = `batch`, or the whole training set when it is not given or not smaller.
 *   An epoch cuts its order into consecutive batches of B; the last may be smaller (PyTorch's
 *   DataLoader with drop_last=False). One batch is one optimiser step.
 *
 * - **Shuffling.** With B equal to the training set there is one step per epoch over the training
 *   set in ascending data order, never shuffled. Otherwise epoch e (0-based: the first epoch is
 *   e = 0) visits the training set (ascending data order) shuffled in place by Fisher–Yates with
 *   `new Random(seed, SHUFFLE_STREAM_BASE + e)` (1 000 000 + e), a fresh stream per epoch,
 *   always starting again from ascending order.
 *
 * - **Fisher–Yates**, the variant used for both: for i = len−1 down to 1,
 *   j = ⌊rng.next() · (i + 1)⌋, swap a[i] and a[j]. (`next()` is the 53-bit double of
 *   random.ts; the product and floor are exact in float64, so Python reproduces them.)
 *
 * - **Optimisers** (one step, for every parameter p with mean gradient g; λ = `l2`):
 *   - all: g ← g + λ·p when λ ≠ 0, for weights AND biases (torch's weight_decay applies to every
 *     parameter of the group); a `nobias` layer has no bias parameter at all.
 *   - `sgd` (torch.optim.SGD): p ← p + (−lr)·g.
 *   - `momentum(m)` (SGD, dampening 0, not Nesterov): buf ← g on the first step, else
 *     buf ← buf·m + g; p ← p + (−lr)·buf. With m = 0 it is plain SGD, as in torch.
 *   - `adam(b1, b2)` (torch.optim.Adam, eps = 1e-8, torch 1.13's single-tensor arithmetic):
 *     t ← t + 1; m ← m·b1 + (1 − b1)·g; v ← v·b2 + ((1 − b2)·g)·g;
 *     bc1 = 1 − b1^t, bc2 = 1 − b2^t, step = lr / bc1, denom = √v / √bc2 + eps,
 *     p ← p + ((−step)·m) / denom.
 *
 * - **What is reported per epoch**: `loss`, the mean of that epoch's batch losses (each taken with
 *   the parameters before its step); `testLoss`, the mean per-sample loss on the test set with the
 *   parameters at the end of the epoch (when there is a test set); `accuracy` (training samples,
 *   counted as they are fed forward during the epoch, like `loss`) and `testAccuracy` (at the end
 *   of the epoch), for classification only:
 *   - `argmax`: a softmax output layer of two or more units and one-hot targets (every target
 *     has one 1 and otherwise 0s, in the whole data set): correct when the first largest output
 *     is the unit whose target is 1;
 *   - `threshold`: a sigmoid output layer and targets of 0s and 1s only: correct when every
 *     output unit k has (y_k > 0.5) equal to (t_k = 1);
 *   - otherwise there is no accuracy.
 *
 * - **Result**: the trained parameters (a copy: the network given is never changed),
 *   `finalLoss` = the mean per-sample loss over the training set (ascending order) with the
 *   trained parameters, and final accuracy and test loss likewise.
 *
 * - **Divergence**: when a batch loss is NaN or ±Infinity, training stops before that step is
 *   applied and `diverged` names it: the epoch (1-based), the step within the epoch (1-based) and
 *   the loss. That epoch's `loss` is the mean of its batch losses so far (so it is not finite).
 */

export type Optimizer =
  | { kind: 'sgd' }
  | { kind: 'momentum'; momentum: number }
  | { kind: 'adam'; beta1: number; beta2: number };

/** The options of a `train` statement (semantics' TrainInfo fits this shape). */
export interface TrainOptions {
  optimizer: Optimizer;
  learningRate: number;
  epochs: number;
  /** Undefined: the whole training set. */
  batch?: number;
  seed: number;
  split: number;
  l2: number;
}

export const TRAIN_DEFAULTS: Readonly<TrainOptions> = {
  optimizer: { kind: 'sgd' },
  learningRate: 0.1,
  epochs: 100,
  batch: undefined,
  seed: 0,
  split: 1,
  l2: 0,
};

/** Adam's eps, as torch.optim.Adam's default. */
export const ADAM_EPS = 1e-8;
/** The Random stream (with the train seed) of the train/test split permutation. */
export const SPLIT_STREAM = 999_999;
/** Epoch e (0-based) shuffles with Random stream SHUFFLE_STREAM_BASE + e (with the train seed). */
export const SHUFFLE_STREAM_BASE = 1_000_000;

export interface Sample {
  input: ArrayLike<number>;
  target: ArrayLike<number>;
}

export type Classification = 'argmax' | 'threshold';

export interface Divergence {
  /** 1-based epoch. */
  epoch: number;
  /** 1-based step within that epoch. */
  step: number;
  /** The batch loss that was not finite. */
  loss: number;
}

export interface EpochStats {
  /** 1-based. */
  epoch: number;
  /** The mean of this epoch's batch losses. */
  loss: number;
  /** Mean per-sample loss on the test set after this epoch (when there is a test set). */
  testLoss?: number;
  /** Fraction of training samples classified correctly as the epoch fed them forward. */
  accuracy?: number;
  /** Fraction of test samples classified correctly after this epoch. */
  testAccuracy?: number;
  /** Optimiser steps taken in this epoch (batches). */
  steps: number;
  /** Set when this epoch stopped on a loss that is not finite. */
  diverged?: Divergence;
}

export interface TrainResult {
  /** The trained network: a copy with its own parameters. */
  network: Network;
  /** Epochs run (fewer than asked when diverged or cancelled). */
  epochs: number;
  /** Optimiser steps taken in all. */
  steps: number;
  /** Per epoch: the mean of the epoch's batch losses. */
  loss: number[];
  /** Per epoch, when there is a test set. */
  testLoss?: number[];
  /** Per epoch, for classification. */
  accuracy?: number[];
  testAccuracy?: number[];
  /** Mean per-sample loss over the training set with the trained parameters. */
  finalLoss: number;
  finalAccuracy?: number;
  finalTestLoss?: number;
  finalTestAccuracy?: number;
  classification?: Classification;
  /** Data indices of the training and test sets, ascending. */
  trainIndices: number[];
  testIndices: number[];
  /** The effective batch size. */
  batch: number;
  diverged?: Divergence;
  cancelled: boolean;
}

/** A problem with the network, the data or the options that makes training impossible. */
export class TrainError extends Error {}

/** A copy of a network with its own parameter arrays (activations are shared: they are pure). */
export function cloneNetwork(net: Network): Network {
  return {
    name: net.name,
    inputs: net.inputs,
    loss: net.loss,
    layers: net.layers.map((l) => ({ ...l, W: l.W.slice(), b: l.b.slice() })),
  };
}

/** Fisher–Yates in place, as documented above: i from len−1 down to 1, j = ⌊next()·(i+1)⌋. */
export function fisherYates<T>(a: T[], rng: Random): T[] {
  for (let i = a.length - 1; i >= 1; i--) {
    const j = Math.floor(rng.next() * (i + 1));
    const t = a[i];
    a[i] = a[j];
    a[j] = t;
  }
  return a;
}

/** The training and test sets (data indices, ascending) for n samples, split s and a seed. */
export function splitIndices(n: number, split: number, seed: number): { train: number[]; test: number[] } {
  const all = Array.from({ length: n }, (_, i) => i);
  if (split >= 1) return { train: all, test: [] };
  const nTrain = Math.max(1, Math.floor(split * n));
  fisherYates(all, new Random(seed, SPLIT_STREAM));
  const asc = (a: number, b: number) => a - b;
  return { train: all.slice(0, nTrain).sort(asc), test: all.slice(nTrain).sort(asc) };
}

// ---- one sample forward and backward, without allocating ------------------------------------

export interface LayerBuffers {
  layer: DenseLayer;
  kind: 'scalar' | 'softmax';
  act: Activation;
  /** This layer's input: the previous layer's y, or the workspace's input. */
  x: Float64Array;
  z: Float64Array;
  y: Float64Array;
  /** g'(z) for elementwise activations. */
  gp: Float64Array;
  delta: Float64Array;
  /** dE/dy of the layer below (length = inputs), for layers above the first. */
  dx: Float64Array;
  /** Gradient accumulators. */
  gW: Float64Array;
  gb: Float64Array;
}

function outputKind(a: Activation): OutputKind {
  if (a.kind === 'softmax') return 'softmax';
  return a.name === 'sigmoid' ? 'sigmoid' : 'other';
}

/**
 * Buffers for one network: a forward pass, the loss, and a backward pass that adds the
 * sample's dE/dW and dE/db to accumulators. The arithmetic is `probe`'s, operation for
 * operation, so each sample's loss and gradient are bit-identical to probe's.
 */
export class Workspace {
  readonly input: Float64Array;
  readonly target: Float64Array;
  readonly buffers: LayerBuffers[];
  private readonly grad: Float64Array;
  private readonly kind: OutputKind;
  /** Whether the last `loss()` left dE/dy or (for the fused pairs) dE/dz in `grad`. */
  private lastGradientIs: 'dy' | 'dz' = 'dy';

  constructor(readonly net: Network) {
    this.input = new Float64Array(net.inputs);
    let x = this.input;
    this.buffers = net.layers.map((layer) => {
      const K = layer.units;
      const b: LayerBuffers = {
        layer,
        kind: layer.activation.kind,
        act: layer.activation,
        x,
        z: new Float64Array(K),
        y: new Float64Array(K),
        gp: new Float64Array(K),
        delta: new Float64Array(K),
        dx: new Float64Array(layer.inputs),
        gW: new Float64Array(layer.inputs * K),
        gb: new Float64Array(K),
      };
      x = b.y;
      return b;
    });
    const out = net.layers[net.layers.length - 1];
    this.target = new Float64Array(out.units);
    this.grad = new Float64Array(out.units);
    this.kind = outputKind(out.activation);
  }

  /** The output layer's y after `forward`. */
  get output(): Float64Array {
    return this.buffers[this.buffers.length - 1].y;
  }

  /** z = xW + b, y = g(z) through every layer, from `input`. */
  forward(): void {
    for (const buf of this.buffers) {
      const { x, z, y, gp, layer } = buf;
      const { units: K, inputs: M, W, b } = layer;
      for (let k = 0; k < K; k++) z[k] = b[k];
      for (let j = 0; j < M; j++) {
        const xj = x[j];
        const row = j * K;
        for (let k = 0; k < K; k++) z[k] += xj * W[row + k];
      }
      const act = buf.act;
      if (act.kind === 'softmax') {
        // softmax.ts's arithmetic: subtract the maximum, divide by the sum taken from 0 in order.
        let m = -Infinity;
        for (let k = 0; k < K; k++) m = Math.max(m, z[k]);
        for (let k = 0; k < K; k++) y[k] = Math.exp(z[k] - m);
        let s = 0;
        for (let k = 0; k < K; k++) s += y[k];
        for (let k = 0; k < K; k++) y[k] = y[k] / s;
      } else {
        for (let k = 0; k < K; k++) {
          y[k] = act.value(z[k]);
          gp[k] = act.derivative(z[k], y[k]);
        }
      }
    }
  }

  /** The per-sample loss of the last forward pass against `target`; keeps what backward needs. */
  loss(): number {
    const out = this.buffers[this.buffers.length - 1];
    const r = lossAndGradient(this.net.loss, this.kind, out.z, out.y, this.target, this.grad);
    this.lastGradientIs = r.gradientIs;
    return r.loss;
  }

  /** Backward from the last `loss()`; adds x_j δ_k to gW and δ_k to gb of every layer. */
  backward(): void {
    const L = this.buffers.length;
    const out = this.buffers[L - 1];
    if (this.lastGradientIs === 'dz') out.delta.set(this.grad);
    else activationBackward(out, this.grad, out.delta);
    for (let l = L - 1; l > 0; l--) {
      const buf = this.buffers[l];
      const { inputs: M, units: K, W } = buf.layer;
      const delta = buf.delta;
      const dy = buf.dx;
      for (let j = 0; j < M; j++) {
        let s = 0;
        const row = j * K;
        for (let k = 0; k < K; k++) s += W[row + k] * delta[k];
        dy[j] = s;
      }
      const below = this.buffers[l - 1];
      activationBackward(below, dy, below.delta);
    }
    for (const buf of this.buffers) {
      const { inputs: M, units: K } = buf.layer;
      const { x, delta, gW, gb } = buf;
      for (let j = 0; j < M; j++) {
        const xj = x[j];
        const row = j * K;
        for (let k = 0; k < K; k++) gW[row + k] += xj * delta[k];
      }
      for (let k = 0; k < K; k++) gb[k] += delta[k];
    }
  }

  zeroGradients(): void {
    for (const buf of this.buffers) {
      buf.gW.fill(0);
      buf.gb.fill(0);
    }
  }
}

/** δ = dE/dz from dE/dy: g'(z) ⊙ dE/dy, or Jᵀ dE/dy for softmax (network.ts's arithmetic). */
function activationBackward(buf: LayerBuffers, dy: Float64Array, out: Float64Array): void {
  if (buf.kind === 'softmax') {
    softmaxBackward(buf.y, dy, out);
    return;
  }
  const g = buf.gp;
  for (let k = 0; k < out.length; k++) out[k] = dy[k] * g[k];
}

/**
 * The mean loss and mean gradient over `samples` (in their order) with the network's current
 * parameters: what one training step on that batch uses. dW is row-major [inputs][units].
 */
export function batchGradient(net: Network, samples: readonly Sample[]): { loss: number; layers: { dW: Float64Array; db: Float64Array }[] } {
  const ws = new Workspace(net);
  ws.zeroGradients();
  let loss = 0;
  for (const s of samples) {
    ws.input.set(Array.from(s.input));
    ws.target.set(Array.from(s.target));
    ws.forward();
    loss += ws.loss();
    ws.backward();
  }
  const B = samples.length;
  return {
    loss: loss / B,
    layers: ws.buffers.map((b) => ({ dW: b.gW.map((v) => v / B), db: b.gb.map((v) => v / B) })),
  };
}

// ---- optimisers --------------------------------------------------------------------------------

/** One parameter tensor with its gradient and optimiser state. */
interface Param {
  p: Float64Array;
  g: Float64Array;
  /** momentum buffer, or Adam's first moment */
  m?: Float64Array;
  /** Adam's second moment */
  v?: Float64Array;
}

class OptimizerState {
  private t = 0;
  private readonly params: Param[];

  constructor(private readonly opt: Optimizer, private readonly lr: number, private readonly l2: number, ws: Workspace) {
    this.params = [];
    for (const buf of ws.buffers) {
      this.params.push({ p: buf.layer.W, g: buf.gW });
      if (buf.layer.hasBias) this.params.push({ p: buf.layer.b, g: buf.gb });
    }
  }

  /** Applies one step; the gradients hold the batch's mean gradient. */
  step(): void {
    this.t++;
    const { lr, l2, opt } = this;
    const neglr = -lr;
    switch (opt.kind) {
      case 'sgd':
        for (const { p, g } of this.params) {
          for (let i = 0; i < p.length; i++) {
            const d = l2 !== 0 ? g[i] + l2 * p[i] : g[i];
            p[i] = p[i] + neglr * d;
          }
        }
        return;
      case 'momentum': {
        const mu = opt.momentum;
        for (const par of this.params) {
          const { p, g } = par;
          if (mu === 0) {
            for (let i = 0; i < p.length; i++) p[i] = p[i] + neglr * (l2 !== 0 ? g[i] + l2 * p[i] : g[i]);
            continue;
          }
          const first = par.m === undefined;
          const buf = (par.m ??= new Float64Array(p.length));
          for (let i = 0; i < p.length; i++) {
            const d = l2 !== 0 ? g[i] + l2 * p[i] : g[i];
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
          const { p, g } = par;
          const m = (par.m ??= new Float64Array(p.length));
          const v = (par.v ??= new Float64Array(p.length));
          for (let i = 0; i < p.length; i++) {
            const d = l2 !== 0 ? g[i] + l2 * p[i] : g[i];
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

// ---- the trainer ---------------------------------------------------------------------------------

/**
 * One training run, an epoch at a time (for a worker thread that reports progress and may be
 * cancelled between epochs): `while (!t.done) t.runEpoch(); t.result()`.
 */
export class Trainer {
  readonly options: TrainOptions;
  /** Data indices of the training set and the test set, ascending. */
  readonly trainIndices: readonly number[];
  readonly testIndices: readonly number[];
  readonly classification?: Classification;
  /** The effective batch size (at most the training set's size). */
  readonly batch: number;

  private readonly net: Network;
  private readonly ws: Workspace;
  private readonly opt: OptimizerState;
  private readonly X: Float64Array;
  private readonly T: Float64Array;
  private readonly M: number;
  private readonly K: number;
  private epochIndex = 0;
  private steps = 0;
  private divergence?: Divergence;
  private cancelled = false;
  private readonly losses: number[] = [];
  private readonly testLosses: number[] = [];
  private readonly accuracies: number[] = [];
  private readonly testAccuracies: number[] = [];

  constructor(net: Network, data: readonly Sample[], options: Partial<TrainOptions> = {}) {
    // Only the known keys: a TrainInfo (with its syntax tree) may be passed as the options.
    const o: TrainOptions = {
      optimizer: options.optimizer ?? TRAIN_DEFAULTS.optimizer,
      learningRate: options.learningRate ?? TRAIN_DEFAULTS.learningRate,
      epochs: options.epochs ?? TRAIN_DEFAULTS.epochs,
      batch: options.batch,
      seed: options.seed ?? TRAIN_DEFAULTS.seed,
      split: options.split ?? TRAIN_DEFAULTS.split,
      l2: options.l2 ?? TRAIN_DEFAULTS.l2,
    };
    validateOptions(o);
    this.options = o;
    if (net.layers.length === 0) throw new TrainError('the network has no dense layer');
    const M = net.inputs;
    const K = net.layers[net.layers.length - 1].units;
    if (data.length === 0) throw new TrainError('the data set has no samples');
    this.X = new Float64Array(data.length * M);
    this.T = new Float64Array(data.length * K);
    data.forEach((s, i) => {
      if (s.input.length !== M) throw new TrainError(`sample ${i + 1} has ${s.input.length} inputs; the network takes ${M}`);
      if (s.target.length !== K) throw new TrainError(`sample ${i + 1} has ${s.target.length} targets; the network has ${K} outputs`);
      for (let j = 0; j < M; j++) this.X[i * M + j] = s.input[j];
      for (let k = 0; k < K; k++) this.T[i * K + k] = s.target[k];
    });
    this.M = M;
    this.K = K;
    this.net = cloneNetwork(net);
    this.ws = new Workspace(this.net);
    this.opt = new OptimizerState(o.optimizer, o.learningRate, o.l2, this.ws);
    const { train, test } = splitIndices(data.length, o.split, o.seed);
    this.trainIndices = train;
    this.testIndices = test;
    this.batch = o.batch === undefined ? train.length : Math.min(o.batch, train.length);
    this.classification = classify(net, this.T, K);
  }

  /** Epochs completed. */
  get epoch(): number {
    return this.epochIndex;
  }

  get done(): boolean {
    return this.epochIndex >= this.options.epochs || this.divergence !== undefined || this.cancelled;
  }

  get diverged(): Divergence | undefined {
    return this.divergence;
  }

  /** Stops the run: `done` becomes true and `result()` reports it as cancelled. */
  cancel(): void {
    if (!this.done) this.cancelled = true;
  }

  /** The order (data indices) in which epoch e (0-based) visits the training set. */
  epochOrder(e: number): number[] {
    const order = this.trainIndices.slice();
    if (this.batch >= order.length) return order;
    return fisherYates(order, new Random(this.options.seed, SHUFFLE_STREAM_BASE + e));
  }

  /** The batches (data indices) of epoch e (0-based). */
  epochBatches(e: number): number[][] {
    const order = this.epochOrder(e);
    const out: number[][] = [];
    for (let s = 0; s < order.length; s += this.batch) out.push(order.slice(s, s + this.batch));
    return out;
  }

  /** Runs the next epoch. */
  runEpoch(): EpochStats {
    if (this.done) throw new TrainError('the run is over');
    const e = this.epochIndex;
    const order = this.epochOrder(e);
    const n = order.length;
    const B = this.batch;
    const ws = this.ws;
    let lossSum = 0;
    let steps = 0;
    let correct = 0;
    let seen = 0;
    for (let start = 0; start < n; start += B) {
      const end = Math.min(start + B, n);
      ws.zeroGradients();
      let batchLoss = 0;
      for (let i = start; i < end; i++) {
        const s = order[i];
        this.load(s);
        ws.forward();
        batchLoss += ws.loss();
        ws.backward();
        if (this.classification) {
          seen++;
          if (this.correct(s)) correct++;
        }
      }
      const b = end - start;
      batchLoss /= b;
      steps++;
      lossSum += batchLoss;
      if (!Number.isFinite(batchLoss)) {
        this.divergence = { epoch: e + 1, step: steps, loss: batchLoss };
        break;
      }
      for (const buf of ws.buffers) {
        const { gW, gb } = buf;
        for (let i = 0; i < gW.length; i++) gW[i] /= b;
        for (let i = 0; i < gb.length; i++) gb[i] /= b;
      }
      this.opt.step();
      this.steps++;
    }
    this.epochIndex++;
    const stats: EpochStats = { epoch: e + 1, loss: lossSum / steps, steps };
    this.losses.push(stats.loss);
    if (this.classification) {
      stats.accuracy = seen ? correct / seen : NaN;
      this.accuracies.push(stats.accuracy);
    }
    if (this.testIndices.length) {
      const t = this.evaluate(this.testIndices);
      stats.testLoss = t.loss;
      this.testLosses.push(t.loss);
      if (this.classification) {
        stats.testAccuracy = t.accuracy;
        this.testAccuracies.push(t.accuracy!);
      }
    }
    if (this.divergence) stats.diverged = this.divergence;
    return stats;
  }

  /** The network with its current parameters (a copy). */
  network(): Network {
    return cloneNetwork(this.net);
  }

  /** The outcome so far: trained parameters, histories and final metrics. */
  result(): TrainResult {
    const train = this.evaluate(this.trainIndices);
    const r: TrainResult = {
      network: cloneNetwork(this.net),
      epochs: this.epochIndex,
      steps: this.steps,
      loss: this.losses.slice(),
      finalLoss: train.loss,
      trainIndices: this.trainIndices.slice(),
      testIndices: this.testIndices.slice(),
      batch: this.batch,
      cancelled: this.cancelled,
    };
    if (this.classification) {
      r.classification = this.classification;
      r.accuracy = this.accuracies.slice();
      r.finalAccuracy = train.accuracy;
    }
    if (this.testIndices.length) {
      const test = this.evaluate(this.testIndices);
      r.testLoss = this.testLosses.slice();
      r.finalTestLoss = test.loss;
      if (this.classification) {
        r.testAccuracy = this.testAccuracies.slice();
        r.finalTestAccuracy = test.accuracy;
      }
    }
    if (this.divergence) r.diverged = this.divergence;
    return r;
  }

  /** Mean per-sample loss (summed in the given order) and accuracy over some samples. */
  private evaluate(indices: readonly number[]): { loss: number; accuracy?: number } {
    let s = 0;
    let correct = 0;
    for (const i of indices) {
      this.load(i);
      this.ws.forward();
      s += this.ws.loss();
      if (this.classification && this.correct(i)) correct++;
    }
    return { loss: s / indices.length, accuracy: this.classification ? correct / indices.length : undefined };
  }

  private load(i: number): void {
    const { M, K, X, T, ws } = this;
    for (let j = 0; j < M; j++) ws.input[j] = X[i * M + j];
    for (let k = 0; k < K; k++) ws.target[k] = T[i * K + k];
  }

  /** Whether the last forward pass classified sample i correctly. */
  private correct(i: number): boolean {
    const y = this.ws.output;
    const K = this.K;
    const o = i * K;
    if (this.classification === 'argmax') {
      let best = 0;
      for (let k = 1; k < K; k++) if (y[k] > y[best]) best = k;
      return this.T[o + best] === 1;
    }
    for (let k = 0; k < K; k++) if ((y[k] > 0.5) !== (this.T[o + k] === 1)) return false;
    return true;
  }
}

/** Trains to the end (or until `shouldStop` says so, checked before each epoch). */
export function train(
  net: Network,
  data: readonly Sample[],
  options: Partial<TrainOptions> = {},
  hooks: { onEpoch?(stats: EpochStats, trainer: Trainer): void; shouldStop?(): boolean } = {},
): TrainResult {
  const t = new Trainer(net, data, options);
  while (!t.done) {
    if (hooks.shouldStop?.()) {
      t.cancel();
      break;
    }
    const stats = t.runEpoch();
    hooks.onEpoch?.(stats, t);
  }
  return t.result();
}

/** Which accuracy rule applies, if any (see the module comment). */
function classify(net: Network, T: Float64Array, K: number): Classification | undefined {
  const act = net.layers[net.layers.length - 1].activation;
  if (act.kind === 'softmax') {
    if (K < 2) return undefined;
    for (let o = 0; o < T.length; o += K) {
      let ones = 0;
      for (let k = 0; k < K; k++) {
        const t = T[o + k];
        if (t === 1) ones++;
        else if (t !== 0) return undefined;
      }
      if (ones !== 1) return undefined;
    }
    return 'argmax';
  }
  if (act.name === 'sigmoid') {
    for (let i = 0; i < T.length; i++) if (T[i] !== 0 && T[i] !== 1) return undefined;
    return 'threshold';
  }
  return undefined;
}

function validateOptions(o: TrainOptions): void {
  const fail = (m: string) => {
    throw new TrainError(m);
  };
  if (!(o.learningRate > 0) || !Number.isFinite(o.learningRate)) fail(`the learning rate must be a finite number above 0, not ${o.learningRate}`);
  if (!Number.isInteger(o.epochs) || o.epochs < 1) fail(`epochs must be a whole number of at least 1, not ${o.epochs}`);
  if (o.batch !== undefined && (!Number.isInteger(o.batch) || o.batch < 1)) fail(`the batch size must be a whole number of at least 1, not ${o.batch}`);
  if (!Number.isInteger(o.seed) || o.seed < 0 || o.seed > Number.MAX_SAFE_INTEGER) fail(`the seed must be a whole number from 0 to 2^53 − 1, not ${o.seed}`);
  if (!(o.split > 0 && o.split <= 1)) fail(`the split must be above 0 and at most 1, not ${o.split}`);
  if (!(o.l2 >= 0) || !Number.isFinite(o.l2)) fail(`l2 must be a finite number of 0 or more, not ${o.l2}`);
  const opt = o.optimizer;
  const fraction = (v: number, what: string) => {
    if (!(v >= 0 && v < 1)) fail(`${what} must be at least 0 and below 1, not ${v}`);
  };
  if (opt.kind === 'momentum') fraction(opt.momentum, 'the momentum');
  else if (opt.kind === 'adam') {
    fraction(opt.beta1, 'beta1');
    fraction(opt.beta2, 'beta2');
  } else if (opt.kind !== 'sgd') fail(`unknown optimizer ${(opt as { kind: string }).kind}`);
}
