import { BatchWorkspace, weightIndex, type StepInBackward } from './kernels/batch';
import type { Precision } from './kernels/gemm';
import { MetricsAccumulator, metricsKind, type Metrics } from './metrics';
import type { Network } from './network';
import { OptimizerState, stateBuffers } from './optimizers';
import { Random } from './random';
import { nextLearningRate } from './schedules';
import { TRAIN_DEFAULTS, TrainError, validateOptions, type TrainOptions } from './train-options';

/**
 * Mini-batch training, float64, after PyTorch's definitions so that a run can be reproduced
 * there (docs/LANGUAGE.md, *train*). Conventions, all part of the contract the PyTorch export reimplements:
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
 * - **Optimisers**: torch.optim's arithmetic, with `l1` and `l2` (optimizers.ts). The data loss
 *   of a step is what is reported; `l1 λ` adds λ·Σ|w| (weights, not biases) to the loss the
 *   gradient is taken of, so only the gradient sees it.
 *
 * - **Learning rate**: `learningRate` for the first epoch; with a schedule, the rate of epoch e ≥ 1
 *   is computed from epoch e − 1's when epoch e − 1 ends, as torch.optim.lr_scheduler's `step()`
 *   after each epoch (schedules.ts). `lr` reports each epoch's rate.
 *
 * - **Early stopping** (`patience N`): after each epoch the monitored loss — that epoch's test
 *   loss when there is a test set, else its train loss — is compared with the lowest so far; when
 *   N epochs in a row have not gone below it, the run stops (`stoppedEarly`), with the parameters
 *   of its last epoch.
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
 * - **Precision** (`precision float32`; default float64): the training buffers — inputs, targets,
 *   parameters, activations, gradients, the optimiser's state — are float32, rounded where PyTorch
 *   stores a float32 tensor, and the products run on f32x4 kernels (kernels/batch.ts). The
 *   initial parameters are rounded to float32; the trained ones come back as float64 numbers
 *   holding float32 values exactly. Losses and metrics are reported as float64 numbers.
 *
 * - **Divergence**: when a batch loss is NaN or ±Infinity, training stops before that step is
 *   applied and `diverged` names it: the epoch (1-based), the step within the epoch (1-based) and
 *   the loss. That epoch's `loss` is the mean of its batch losses so far (so it is not finite).
 */

export type { Optimizer } from './optimizers';
export { TRAIN_DEFAULTS, TrainError, type TrainOptions } from './train-options';
export type { Precision } from './kernels/gemm';
export { ADAM_EPS } from './optimizers';

/** The Random stream (with the train seed) of the train/test split permutation. */
export const SPLIT_STREAM = 999_999;
/** Epoch e (0-based) shuffles with Random stream SHUFFLE_STREAM_BASE + e (with the train seed). */
export const SHUFFLE_STREAM_BASE = 1_000_000;
/** The most samples one pass of the batched forward and backward holds (larger batches go in parts). */
export const MAX_ROWS_PER_PASS = 256;

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
  /** The learning rate of this epoch's steps. */
  lr: number;
  /** Set when this epoch stopped on a loss that is not finite. */
  diverged?: Divergence;
  /** Set when early stopping ended the run after this epoch. */
  stoppedEarly?: true;
}

export interface TrainResult {
  /** The trained network: a copy with its own parameters. */
  network: Network;
  /** Epochs run (fewer than asked when diverged, stopped early or cancelled). */
  epochs: number;
  /** Optimiser steps taken in all. */
  steps: number;
  /** Per epoch: the mean of the epoch's batch losses. */
  loss: number[];
  /** Per epoch: the learning rate of its steps. */
  lr: number[];
  /** Whether early stopping (`patience`) ended the run. */
  stoppedEarly: boolean;
  /** Over the training set with the trained parameters: a confusion matrix and accuracy, or rmse and r2 (metrics.ts). */
  metrics: Metrics;
  /** The same over the test set, when there is one. */
  testMetrics?: Metrics;
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


/** A copy of a network with its own parameter arrays (activations are shared: they are pure). */
export function cloneNetwork(net: Network): Network {
  return {
    name: net.name,
    inputs: net.inputs,
    loss: net.loss,
    layers: net.layers.map((l) => ({ ...l, W: l.W.slice(), b: l.b.slice() })),
    ...(net.standardize && { standardize: net.standardize }),
    ...(net.features && { features: net.features }),
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

// ---- a batch's gradient ----------------------------------------------------------------------

/**
 * The mean loss and mean gradient over `samples` (in their order) with the network's current
 * parameters: what one training step on that batch uses, in float64 unless asked. dW is
 * row-major [inputs][units].
 */
/**
 * The samples' inputs and targets as rows: X (sample i's M inputs at i·M) and T (its K targets at
 * i·K), as the workspace loads them (batch.ts `loadRow`, `stageInputs`).
 */
export function sampleRows(samples: readonly Sample[], M: number, K: number): { X: Float64Array; T: Float64Array } {
  const X = new Float64Array(samples.length * M);
  const T = new Float64Array(samples.length * K);
  samples.forEach((s, i) => {
    for (let j = 0; j < M; j++) X[i * M + j] = s.input[j];
    for (let k = 0; k < K; k++) T[i * K + k] = s.target[k];
  });
  return { X, T };
}

export function batchGradient(net: Network, samples: readonly Sample[], precision: Precision = 'float64'): { loss: number; layers: { dW: Float64Array; db: Float64Array }[] } {
  const B = samples.length;
  const ws = new BatchWorkspace(net, B, undefined, precision);
  const M = net.inputs;
  const K = net.layers[net.layers.length - 1].units;
  const { X, T } = sampleRows(samples, M, K);
  for (let i = 0; i < B; i++) ws.loadRow(i, X, T, i);
  ws.forward(B);
  let loss = 0;
  for (let i = 0; i < B; i++) loss += ws.loss(i);
  ws.backward(B);
  return {
    loss: loss / B,
    layers: ws.layers.map((s) => {
      const dW = new Float64Array(s.M * s.K);
      for (let j = 0; j < s.M; j++) for (let k = 0; k < s.K; k++) dW[j * s.K + k] = s.gWv[weightIndex(s, ws.arena.width, j, k)] / B;
      return { dW, db: Float64Array.from(s.gbv.subarray(0, s.K), (v) => v / B) };
    }),
  };
}

// ---- the trainer ---------------------------------------------------------------------------------

/**
 * One training run, an epoch at a time (for a worker thread that reports progress and may be
 * cancelled between epochs): `while (!t.done) t.runEpoch(); t.result()`.
 */
/** An epoch part-way through: its order, the next batch's start in it, and its sums so far. */
interface EpochInProgress {
  order: number[];
  start: number;
  lossSum: number;
  steps: number;
  correct: number;
  seen: number;
}

export class Trainer {
  readonly options: TrainOptions;
  /** Data indices of the training set and the test set, ascending. */
  readonly trainIndices: readonly number[];
  readonly testIndices: readonly number[];
  readonly classification?: Classification;
  /** The effective batch size (at most the training set's size). */
  readonly batch: number;

  private readonly net: Network;
  private readonly ws: BatchWorkspace;
  private readonly opt: OptimizerState;
  private readonly X: Float64Array;
  private readonly T: Float64Array;
  private readonly K: number;
  private epochIndex = 0;
  private steps = 0;
  private divergence?: Divergence;
  private cancelled = false;
  private stoppedEarly = false;
  /** The learning rate of the next epoch. */
  private lr: number;
  /** Early stopping: the lowest monitored loss so far, and the epochs since it. */
  private best = Infinity;
  private sinceBest = 0;
  private readonly lrs: number[] = [];
  private readonly losses: number[] = [];
  private readonly testLosses: number[] = [];
  private readonly accuracies: number[] = [];
  private readonly testAccuracies: number[] = [];
  /** The epoch whose batches have begun to run (runBatch), until its last one. */
  private current?: EpochInProgress;
  /** Sums of |dE/dw| per weight over the steps of the epoch being watched (watchGradients). */
  private watch?: { sums: Float64Array[]; steps: number };

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
      l1: options.l1 ?? TRAIN_DEFAULTS.l1,
      schedule: options.schedule,
      patience: options.patience,
      precision: options.precision ?? TRAIN_DEFAULTS.precision,
    };
    validateOptions(o);
    this.options = o;
    if (net.layers.length === 0) throw new TrainError('the network has no dense layer');
    const M = net.inputs;
    const K = net.layers[net.layers.length - 1].units;
    if (data.length === 0) throw new TrainError('the data set has no samples');
    data.forEach((s, i) => {
      if (s.input.length !== M) throw new TrainError(`sample ${i + 1} has ${s.input.length} inputs; the network takes ${M}`);
      if (s.target.length !== K) throw new TrainError(`sample ${i + 1} has ${s.target.length} targets; the network has ${K} outputs`);
    });
    ({ X: this.X, T: this.T } = sampleRows(data, M, K));
    this.K = K;
    this.net = cloneNetwork(net);
    const { train, test } = splitIndices(data.length, o.split, o.seed);
    this.trainIndices = train;
    this.testIndices = test;
    this.batch = o.batch === undefined ? train.length : Math.min(o.batch, train.length);
    // A batch larger than this goes through in parts, so memory stays bounded.
    // Room for the training set's rows, staged once and gathered per pass, which the workspace takes where it pays (batch.ts `usePass`).
    this.ws = new BatchWorkspace(this.net, Math.min(this.batch, MAX_ROWS_PER_PASS), undefined, o.precision, stateBuffers(o.optimizer), train.length);
    if (this.ws.holdsEpoch) this.ws.stageInputs(this.X, train);
    this.lr = o.learningRate;
    this.opt = new OptimizerState(o.optimizer, o.learningRate, o.l2, o.l1, this.ws);
    this.classification = classify(net, this.T, K);
  }

  /**
   * How many of this run's matrix products each kernel computed so far: the WebAssembly SIMD
   * kernel takes those large enough to pay for a call where it loaded (gemm.ts).
   */
  get kernelProducts(): { readonly wasm: number; readonly js: number } {
    return { ...this.ws.arena.products };
  }

  /** Epochs completed. */
  get epoch(): number {
    return this.epochIndex;
  }

  get done(): boolean {
    return this.epochIndex >= this.options.epochs || this.divergence !== undefined || this.cancelled || this.stoppedEarly;
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

  /** Runs the next epoch (the rest of it, when some of its batches have run: `runBatch`). */
  runEpoch(): EpochStats {
    if (this.done) throw new TrainError('the run is over');
    for (;;) {
      const stats = this.runBatch();
      if (stats) return stats;
    }
  }

  /** Batches run of the epoch in progress (0 between epochs), and the batches of an epoch. */
  get batchInEpoch(): { batch: number; batches: number } {
    return { batch: this.current?.steps ?? 0, batches: Math.ceil(this.trainIndices.length / this.batch) };
  }

  /**
   * Runs one batch: one optimiser step (none when its loss is not finite: the run diverged). The
   * batch that ends an epoch also ends the epoch and returns its figures; the others return
   * undefined. Batch by batch or epoch by epoch, the arithmetic is the same, in the same order,
   * so a run's parameters do not depend on how it was stepped.
   */
  runBatch(): EpochStats | undefined {
    if (this.done) throw new TrainError('the run is over');
    const e = this.epochIndex;
    const cur = (this.current ??= this.startEpoch(e));
    const { order } = cur;
    const n = order.length;
    const ws = this.ws;
    const C = ws.capacity;
    const start = cur.start;
    const end = Math.min(start + this.batch, n);
    let batchLoss = 0;
    let begun: StepInBackward | undefined;
    // the batch in passes of at most C rows; the gradient sums continue from one to the next
    for (let p = start; p < end; p += C) {
      const rows = Math.min(C, end - p);
      if (ws.holdsEpoch) {
        ws.usePass(p, rows);
        for (let i = 0; i < rows; i++) ws.loadTarget(i, this.T, order[p + i]);
      } else for (let i = 0; i < rows; i++) ws.loadRow(i, this.X, this.T, order[p + i]);
      ws.forward(rows);
      for (let i = 0; i < rows; i++) {
        batchLoss += ws.loss(i);
        if (this.classification) {
          cur.seen++;
          if (this.correct(i, order[p + i])) cur.correct++;
        }
      }
      // The batch's last pass takes the weights' step with their gradient's product (batch.ts
      // `backward`) when the step is to be taken: the loss is finite.
      if (ws.stepsInBackward && p + rows >= end && Number.isFinite(batchLoss)) begun = this.opt.begin(end - start);
      ws.backward(rows, p > start, begun);
    }
    const b = end - start;
    batchLoss /= b;
    cur.steps++;
    cur.lossSum += batchLoss;
    cur.start = end;
    if (!Number.isFinite(batchLoss)) this.divergence = { epoch: e + 1, step: cur.steps, loss: batchLoss };
    else {
      if (this.watch) this.addGradients(this.watch, b);
      this.opt.step(b, begun);
      this.steps++;
    }
    return this.divergence || cur.start >= n ? this.finishEpoch(cur) : undefined;
  }

  /** Epoch e (0-based) begins: its order, and its input rows in that order where the workspace holds them. */
  private startEpoch(e: number): EpochInProgress {
    const order = this.epochOrder(e);
    if (this.ws.holdsEpoch) this.ws.loadEpoch(order);
    return { order, start: 0, lossSum: 0, steps: 0, correct: 0, seen: 0 };
  }

  /** Ends the epoch in progress: its figures, the test set's, the schedule and early stopping. */
  private finishEpoch(cur: EpochInProgress): EpochStats {
    this.current = undefined;
    const e = this.epochIndex;
    this.epochIndex++;
    const stats: EpochStats = { epoch: e + 1, loss: cur.lossSum / cur.steps, steps: cur.steps, lr: this.lr };
    this.losses.push(stats.loss);
    this.lrs.push(this.lr);
    if (this.classification) {
      stats.accuracy = cur.seen ? cur.correct / cur.seen : NaN;
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
    else this.endEpoch(stats);
    return stats;
  }

  /** After epoch `stats.epoch`: the schedule's step, and early stopping's count. */
  private endEpoch(stats: EpochStats): void {
    const { schedule, patience, learningRate } = this.options;
    if (schedule) {
      // torch's scheduler.step() after the epoch: last_epoch becomes the number of epochs run.
      this.lr = nextLearningRate(schedule, learningRate, this.lr, stats.epoch);
      this.opt.lr = this.lr;
    }
    if (patience === undefined) return;
    const monitored = stats.testLoss ?? stats.loss;
    if (monitored < this.best) {
      this.best = monitored;
      this.sinceBest = 0;
    } else if (++this.sinceBest >= patience && stats.epoch < this.options.epochs) {
      this.stoppedEarly = true;
      stats.stoppedEarly = true;
    }
  }

  /**
   * Watch the next epoch's gradients: `takeGradientMeans` then returns, per dense layer and weight
   * ([fan-in][units], row-major), the mean over the epoch's steps of |dE/dw| — each step's batch-mean
   * gradient of the loss (the l2 term not included). Off by default: a watched epoch costs one more
   * pass over the weights per step, which a view asks for only a few times a second.
   */
  watchGradients(): void {
    this.watch = { sums: this.ws.layers.map((s) => new Float64Array(s.gWv.length)), steps: 0 };
  }

  /** The watched epoch's mean |dE/dw| per layer (see watchGradients), and the watch ends; undefined when none. */
  takeGradientMeans(): Float64Array[] | undefined {
    const w = this.watch;
    this.watch = undefined;
    if (!w) return undefined;
    const n = Math.max(1, w.steps);
    return this.ws.layers.map((s, l) => {
      const mean = new Float64Array(s.M * s.K);
      for (let j = 0; j < s.M; j++) for (let k = 0; k < s.K; k++) mean[j * s.K + k] = w.sums[l][weightIndex(s, this.ws.arena.width, j, k)] / n;
      return mean;
    });
  }

  /**
   * Σ |g / b| into the watch's sums, g the gradient sums of a batch of b samples: one flat pass
   * over the padded buffers (the padding's gradient is 0), unpadded once when the epoch is taken.
   */
  private addGradients(w: { sums: Float64Array[]; steps: number }, b: number): void {
    this.ws.settle();
    const inv = 1 / b;
    this.ws.layers.forEach((s, l) => {
      const sum = w.sums[l];
      const g = s.gWv;
      for (let i = 0; i < g.length; i++) sum[i] += Math.abs(g[i]) * inv;
    });
    w.steps++;
  }

  /** The network with its current parameters (a copy). */
  network(): Network {
    this.ws.writeParameters();
    return cloneNetwork(this.net);
  }

  /** The outcome so far: trained parameters, histories and final metrics. */
  result(): TrainResult {
    const train = this.evaluate(this.trainIndices, this.metricsAccumulator());
    this.ws.writeParameters();
    const r: TrainResult = {
      network: cloneNetwork(this.net),
      epochs: this.epochIndex,
      steps: this.steps,
      loss: this.losses.slice(),
      lr: this.lrs.slice(),
      stoppedEarly: this.stoppedEarly,
      metrics: train.metrics!,
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
      const test = this.evaluate(this.testIndices, this.metricsAccumulator());
      r.testLoss = this.testLosses.slice();
      r.finalTestLoss = test.loss;
      r.testMetrics = test.metrics;
      if (this.classification) {
        r.testAccuracy = this.testAccuracies.slice();
        r.finalTestAccuracy = test.accuracy;
      }
    }
    if (this.divergence) r.diverged = this.divergence;
    return r;
  }

  /** What metrics.ts scores this network by. */
  private metricsAccumulator(): MetricsAccumulator {
    const out = this.net.layers[this.net.layers.length - 1];
    const activation = out.activation.kind === 'softmax' ? 'softmax' : (out.activation.builtin ?? out.activation.name);
    return new MetricsAccumulator(metricsKind({ activation, units: out.units }, this.net.loss));
  }

  /** Mean per-sample loss (summed in the given order) and accuracy over some samples, and their metrics when asked. */
  private evaluate(indices: readonly number[], metrics?: MetricsAccumulator): { loss: number; accuracy?: number; metrics?: Metrics } {
    let s = 0;
    let correct = 0;
    const ws = this.ws;
    for (let p = 0; p < indices.length; p += ws.capacity) {
      const rows = Math.min(ws.capacity, indices.length - p);
      for (let i = 0; i < rows; i++) ws.loadRow(i, this.X, this.T, indices[p + i]);
      ws.forward(rows);
      for (let i = 0; i < rows; i++) {
        s += ws.loss(i);
        if (this.classification && this.correct(i, indices[p + i])) correct++;
        if (metrics) metrics.add(ws.output(i), this.T.subarray(indices[p + i] * this.K, (indices[p + i] + 1) * this.K));
      }
    }
    return { loss: s / indices.length, accuracy: this.classification ? correct / indices.length : undefined, ...(metrics && { metrics: metrics.result() }) };
  }

  /** Whether row `row` of the last forward pass, sample i, is classified correctly. */
  private correct(row: number, i: number): boolean {
    const y = this.ws.output(row);
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
