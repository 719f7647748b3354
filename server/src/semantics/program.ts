import type * as E from '../engine/expr';
import type { LossName } from '../engine/losses';
import type { FunctionParams, GeneratorName } from '../engine/datasets';
import type { Network, Standardization } from '../engine/network';
import type { Optimizer, TrainOptions } from '../engine/train';
import type { Value } from '../engine/value';
import type * as ast from '../syntax/ast';
import type { Span } from '../syntax/text';
import type { Diagnostic } from './diagnostic';

/**
 * The meaning of one file: every name resolved, every shape checked, every constant (widths,
 * explicit weights, samples, `let` values) computed, and expressions lowered to the engine's
 * symbolic form. Built by `check` (checker.ts), which never throws: a mistake becomes a
 * diagnostic and the part it spoils is left out, so one mistake does not cascade into others.
 *
 * A Program is inert: plain data (maps, arrays, lowered expressions, built networks) that holds
 * no reference to the checker that made it, so reading it never throws and never reports. The
 * one exception is on purpose: a network's parameters are overwritten in place by a training
 * run's (analysis/analyze.ts), and `env.network` then evaluates the trained network; so is its
 * input standardization when only the run knew it (a CSV file's statistics).
 */
export interface Program {
  file: ast.SourceFile;
  diagnostics: Diagnostic[];
  /** Everything declared at the top level, by name: the first declaration of each. */
  declarations: ReadonlyMap<string, Declaration>;
  networks: ReadonlyMap<string, NetworkInfo>;
  fns: ReadonlyMap<string, FnInfo>;
  data: ReadonlyMap<string, DataInfo>;
  lets: LetInfo[];
  evals: EvalInfo[];
  probes: ProbeInfo[];
  trains: TrainInfo[];
  /**
   * What expressions of this file evaluate in: the values of the lets that have one, the fns
   * that lowered, and the networks that built. A let in error has no value here, so an
   * expression that reads it fails with the engine's EvalError, never anything else.
   */
  env: E.Environment;
  /** The source span each engine expression was lowered from, for reporting its errors. */
  spans: { get(node: E.Expr): Span | undefined };
}

export type Declaration =
  | { kind: 'network'; name: ast.Name; stmt: ast.NetworkStmt }
  | { kind: 'data'; name: ast.Name; stmt: ast.DataStmt }
  | { kind: 'let'; name: ast.Name; stmt: ast.LetStmt }
  | { kind: 'fn'; name: ast.Name; stmt: ast.FnStmt };

export interface LayerInfo {
  name: ast.Name;
  kind: 'input' | 'dense';
  units: number;
  item: ast.InputItem | ast.DenseItem;
  /** The activation's resolved name: a built-in (aliases resolved) or a user fn. */
  activation?: string;
}

export interface NetworkInfo {
  stmt: ast.NetworkStmt;
  layers: LayerInfo[];
  loss: LossName;
  /** The network with its initial (or explicit) parameters; undefined when it has errors. */
  network?: Network;
  /**
   * How the network standardizes its inputs, when its first `train` statement's data set says
   * `standardize`: that data set's name and the statistics of its training part (`stats`, also
   * in `network.standardize`). `stats` is absent for a CSV file until a run reads it.
   */
  standardization?: { data: string; stats?: Standardization };
}

export interface FnInfo {
  stmt: ast.FnStmt;
  fn?: E.UserFunction;
}

export interface DataInfo {
  stmt: ast.DataStmt;
  /** Inline samples, when every one of them is valid. */
  samples?: { input: number[]; target: number[] }[];
  inputWidth?: number;
  targetWidth?: number;
  /** A generator whose name and arguments are all valid, with the defaults filled in (GENERATOR_DEFAULTS). */
  generator?: { name: GeneratorName; n: number; noise: number; seed: number };
  /**
   * `function(EXPR, …)` when EXPR and every argument are valid (FUNCTION_DEFAULTS filled in):
   * EXPR lowered with its inputs (`x`, or `x1` and `x2`) as free variables.
   */
  function?: { expr: E.Expr; variables: readonly string[]; params: FunctionParams };
}

export interface LetInfo {
  stmt: ast.LetStmt;
  /** The let's value; undefined when it is in error. A duplicate declaration has its own. */
  value?: Value;
}

export interface EvalInfo {
  stmt: ast.EvalStmt;
  expr?: E.Expr;
}

export interface ProbeInfo {
  stmt: ast.ProbeStmt;
  input?: number[];
  target?: number[];
}

export type OptimizerSpec = Optimizer;

/** A checked `train` statement: the engine's options, with its defaults where the file sets none. */
export interface TrainInfo extends TrainOptions {
  stmt: ast.TrainStmt;
}

export const LOSS_DEFAULT: LossName = 'squared_error';
export const INIT_SCHEMES = ['xavier', 'he', 'zeros', 'uniform'] as const;
export const TRAIN_OPTIONS = ['optimizer', 'learning_rate', 'epochs', 'batch', 'seed', 'split', 'l2', 'l1', 'schedule', 'patience', 'precision'] as const;
/** A run's arithmetic: float64 (the default, the engine's own) or float32 (PyTorch's dtype=torch.float32). */
export const PRECISIONS = ['float64', 'float32'] as const;
export const OPTIMIZERS = ['sgd', 'momentum', 'adam'] as const;
/** The learning-rate schedules: torch.optim.lr_scheduler's StepLR, ExponentialLR and CosineAnnealingLR. */
export const SCHEDULES = ['step', 'exponential', 'cosine'] as const;
export const GENERATORS = ['xor', 'circle', 'spiral', 'gauss', 'moons'] as const;
export const GENERATOR_ARGS = ['n', 'noise', 'seed'] as const;
export const FUNCTION_ARGS = ['n', 'from', 'to', 'noise', 'seed'] as const;
/** The inputs of `function(EXPR, …)`: x for one input, x1 and x2 for two. */
export const FUNCTION_VARIABLES = { one: ['x'], two: ['x1', 'x2'] } as const;
