// The options of a `train` statement: their shape, their defaults and their checks (train.ts
// trains with them and re-exports all three).
import type { Precision } from './kernels/gemm';
import type { Optimizer } from './optimizers';
import type { Schedule } from './schedules';

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
  /** λ of λ·Σ|w| over the weights (not the biases), added to each step's loss. */
  l1: number;
  /** Undefined: a constant learning rate. */
  schedule?: Schedule;
  /** Early stopping after this many epochs without a new lowest monitored loss; undefined: never. */
  patience?: number;
  /** The training buffers' precision; default float64. */
  precision: Precision;
}

export const TRAIN_DEFAULTS: Readonly<TrainOptions> = {
  optimizer: { kind: 'sgd' },
  learningRate: 0.1,
  epochs: 100,
  batch: undefined,
  seed: 0,
  split: 1,
  l2: 0,
  l1: 0,
  schedule: undefined,
  patience: undefined,
  precision: 'float64',
};

/** A problem with the network, the data or the options that makes training impossible. */
export class TrainError extends Error {}

/**
 * A `train` statement's options checked before a run starts (train.ts `Trainer`): each bad
 * value throws a TrainError that names it and says what is allowed.
 */
export function validateOptions(o: TrainOptions): void {
  const fail = (m: string) => {
    throw new TrainError(m);
  };
  if (!(o.learningRate > 0) || !Number.isFinite(o.learningRate)) fail(`the learning rate must be a finite number above 0, not ${o.learningRate}`);
  if (!Number.isInteger(o.epochs) || o.epochs < 1) fail(`epochs must be a whole number of at least 1, not ${o.epochs}`);
  if (o.batch !== undefined && (!Number.isInteger(o.batch) || o.batch < 1)) fail(`the batch size must be a whole number of at least 1, not ${o.batch}`);
  if (!Number.isInteger(o.seed) || o.seed < 0 || o.seed > Number.MAX_SAFE_INTEGER) fail(`the seed must be a whole number from 0 to 2^53 − 1, not ${o.seed}`);
  if (!(o.split > 0 && o.split <= 1)) fail(`the split must be above 0 and at most 1, not ${o.split}`);
  if (!(o.l2 >= 0) || !Number.isFinite(o.l2)) fail(`l2 must be a finite number of 0 or more, not ${o.l2}`);
  if (!(o.l1 >= 0) || !Number.isFinite(o.l1)) fail(`l1 must be a finite number of 0 or more, not ${o.l1}`);
  if (o.patience !== undefined && (!Number.isInteger(o.patience) || o.patience < 1)) fail(`the patience must be a whole number of at least 1, not ${o.patience}`);
  if (o.precision !== 'float64' && o.precision !== 'float32') fail(`the precision must be float64 or float32, not ${String(o.precision)}`);
  const s = o.schedule;
  const whole = (v: number, what: string) => {
    if (!Number.isInteger(v) || v < 1) fail(`${what} must be a whole number of at least 1, not ${v}`);
  };
  const factor = (v: number) => {
    if (!(v > 0) || !Number.isFinite(v)) fail(`the schedule's gamma must be a finite number above 0, not ${v}`);
  };
  if (s?.kind === 'step') {
    whole(s.stepSize, "the schedule's step size");
    factor(s.gamma);
  } else if (s?.kind === 'exponential') factor(s.gamma);
  else if (s?.kind === 'cosine') whole(s.tMax, "the schedule's period T");
  else if (s !== undefined) fail(`unknown schedule ${(s as { kind: string }).kind}`);
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
