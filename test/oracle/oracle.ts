/**
 * Helpers for the oracle tests: the PyTorch/mpmath oracle (`torch_oracle.py`, run by the system
 * python), the NetSpec CLI as a real process, and a tolerance rule for comparing their numbers.
 */
import type { LossName } from '../../server/src/engine/losses';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { cliPath, repoRoot } from '../support/paths';

/** The python that has torch: Debian's, unless NETSPEC_PYTHON names another. */
export const PYTHON = process.env.NETSPEC_PYTHON ?? '/usr/bin/python3';

export const TORCH_MISSING = "PyTorch is missing: install Debian's python3-torch (apt-get install python3-torch)";

let torchChecked = false;

/**
 * Throws (so the calling test FAILS, never skips) when the python cannot import torch. Checked
 * once per process with find_spec, which locates torch without paying for importing it.
 */
export function requireTorch(): void {
  if (torchChecked) return;
  const r = spawnSync(PYTHON, ['-c', 'import importlib.util, sys; sys.exit(0 if importlib.util.find_spec("torch") else 3)'], { encoding: 'utf8' });
  if (r.error) throw new Error(`${TORCH_MISSING} (cannot run ${PYTHON}: ${r.error.message}; set NETSPEC_PYTHON to a python with torch)`);
  if (r.status !== 0) throw new Error(`${TORCH_MISSING} (${PYTHON} cannot import torch${r.stderr ? `: ${r.stderr.trim()}` : ''})`);
  torchChecked = true;
}

// ---- requests and results (see the docstring of torch_oracle.py) -----------------------------

export interface OracleLayer {
  units: number;
  /** A built-in activation, `softmax`, or a user fn the oracle knows (mish, s2, softsign_fn, ...). */
  activation: string;
  params: number[];
  bias: boolean;
  /** [fan-in][units] */
  W: number[][];
  b: number[];
}

export type OracleRequest =
  | { kind: 'probe'; inputs: number; layers: OracleLayer[]; loss: string; x: number[]; t: number[] }
  | { kind: 'scalar'; fn: string; params: number[]; order: 0 | 1 | 2; points: number[] }
  | { kind: 'nth'; fn: string; orders: number[]; points: number[] }
  | { kind: 'softmax'; order: 0 | 1; z: number[] }
  | { kind: 'expr'; expr: string }
  | { kind: 'functions' };

export interface OracleProbe {
  output: number[];
  loss: number;
  /** dE/dy: the loss's plain formula differentiated in the outputs. */
  dy: number[];
  layers: { x: number[]; z: number[]; y: number[]; gprime: number[] | null; jacobian: number[][] | null; dW: number[][]; db: number[] | null; delta: number[] }[];
}
export interface OracleScalar {
  /** torch autograd */
  torch: number[];
  /** mpmath at 60 digits, rounded to float64 */
  mp: number[];
}
/** What torch_oracle.py knows: its scalar functions in torch and in mpmath, their default parameters, its user fns. */
export interface OracleFunctions {
  torch: string[];
  mp: string[];
  defaults: Record<string, number>;
  user: string[];
}
export interface OracleSoftmax {
  torch: number[] | number[][];
  mp: number[] | number[][];
}

/** Runs the oracle once for all requests (torch's start-up costs a second; pay it once). */
export function oracle(requests: OracleRequest[]): unknown[] {
  requireTorch();
  const script = path.join(repoRoot(), 'test', 'oracle', 'torch_oracle.py');
  // JSON has no NaN or Infinity; they travel as the strings the CLI uses, which the oracle reads.
  const input = JSON.stringify({ requests }, (_k, v) => (typeof v === 'number' && !Number.isFinite(v) ? String(v) : v));
  const r = spawnSync(PYTHON, [script], { input, encoding: 'utf8', maxBuffer: 1 << 28 });
  if (r.error) throw new Error(`cannot run ${PYTHON} ${script}: ${r.error.message}`);
  if (r.status === 3) throw new Error(`${TORCH_MISSING}\n${r.stderr}`);
  if (r.status !== 0) throw new Error(`the oracle failed (exit ${r.status}):\n${r.stderr}`);
  const results = decodeNumbers(JSON.parse(r.stdout).results) as unknown[];
  if (results.length !== requests.length) throw new Error(`the oracle answered ${results.length} of ${requests.length} requests`);
  return results;
}

// ---- the CLI -----------------------------------------------------------------------------------

/** One run of `netspec train --json` (docs/LANGUAGE.md, *Command line*), as the tests read it. */
export interface TrainRunJson {
  network: string;
  data: string;
  line: number;
  epochs: number;
  loss: number[];
  final_loss: number;
  layers: Record<string, { W: number[][]; b: number[] | null }>;
  train_samples: number;
  test_samples: number;
  batch: number;
  steps: number;
  test_loss?: number[];
  final_test_loss?: number;
  stopped_early: boolean;
  /** The learning rate of each epoch. */
  lr: number[];
  /** Per epoch, as each epoch fed the training samples forward. */
  epoch_accuracy?: number[];
  final_accuracy?: number;
  /** A classifier's, over the training set with the final parameters: confusion[true][predicted], and its accuracy. */
  confusion?: number[][];
  accuracy?: number;
  /** Any other network's, over the training set with the final parameters. */
  rmse?: number;
  r2?: number;
  /** The same metrics over the test set. */
  test?: { confusion?: number[][]; accuracy?: number; rmse?: number; r2?: number };
  test_accuracy?: number[];
  final_test_accuracy?: number;
  diverged?: { epoch: number; step: number; loss: number };
  /** Compared key by key (export/support.ts compareRuns). */
  [key: string]: unknown;
}

/** What the CLI's `--json` prints, by command: `eval` has results, `grad` probes, `train` runs. */
export interface CliJson {
  file: string;
  results: { line: number; expr: string; value: unknown }[];
  probes: unknown[];
  runs: TrainRunJson[];
}

export interface CliRun {
  status: number | null;
  stdout: string;
  stderr: string;
  /** The JSON on stdout, "NaN"/"Infinity" turned into numbers; reading it throws (with stderr) when there is none. */
  readonly json: CliJson;
}

/** `node dist/cli.js ARGS`, with its exit status, output and JSON. */
export function runCli(args: string[]): CliRun {
  const r = spawnSync(process.execPath, [cliPath(), ...args], { cwd: repoRoot(), encoding: 'utf8', maxBuffer: 1 << 28 });
  if (r.error) throw r.error;
  let json: CliJson | undefined;
  try {
    json = args.includes('--json') && r.stdout ? (decodeNumbers(JSON.parse(r.stdout)) as CliJson) : undefined;
  } catch {
    json = undefined; // reported when a test reads it
  }
  return {
    status: r.status, stdout: r.stdout, stderr: r.stderr,
    get json(): CliJson {
      if (!json) throw new Error(`netspec ${args.join(' ')} printed no JSON (exit ${r.status}):\n${r.stderr}`);
      return json;
    },
  };
}

/** The strings "NaN", "Infinity", "-Infinity" (JSON has no such numbers) as numbers, anywhere. */
export function decodeNumbers(v: unknown): unknown {
  if (v === 'NaN') return NaN;
  if (v === 'Infinity') return Infinity;
  if (v === '-Infinity') return -Infinity;
  if (Array.isArray(v)) return v.map(decodeNumbers);
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, decodeNumbers(x)]));
  return v;
}

// ---- comparison ----------------------------------------------------------------------------------

export interface Tolerance {
  /** Relative tolerance. Default 1e-9. */
  rel?: number;
  /**
   * Elements smaller than `cutoff` times the tensor's scale are held to the absolute accuracy of
   * an element of that size. Default 1e-5.
   */
  cutoff?: number;
  /** An absolute allowance added to every element: 1e-300 where true values underflow. Default 0. */
  floor?: number;
}

/**
 * Whether `actual` matches `expected` (numbers, vectors or matrices of the same shape). The rule,
 * element by element, with S = the largest finite |expected_i| over the whole tensor (its scale):
 *
 *   |a_i - e_i| <= rel * max(|a_i|, |e_i|, cutoff * S) + floor
 *
 * An ordinary element is compared relatively. An element that is tiny next to the rest of its
 * tensor usually came out of cancellation (a hidden delta Σ_k w_jk δ_k whose terms nearly cancel,
 * p_i(δ_ij - p_j) with p_j near 1), and carries a rounding error of order ε·S, not ε·|e_i|; it
 * is held to rel·cutoff·S (1e-14·S by default, 45 to 90 ulps of S) instead of a relative bound
 * it cannot meet. A single number is its own scale, so for it the rule is purely relative.
 * `floor` admits values that underflow: a true 1e-348 is 0 in float64.
 * NaN matches only NaN, and an infinity only the same infinity.
 * Returns undefined when close, else a description of the worst element.
 */
export function mismatch(actual: unknown, expected: unknown, tol: Tolerance = {}): string | undefined {
  const rel = tol.rel ?? 1e-9;
  const cutoff = tol.cutoff ?? 1e-5;
  const floor = tol.floor ?? 0;
  const a = flat(actual);
  const e = flat(expected);
  if (!a || !e) return `not numbers: got ${JSON.stringify(actual)}, expected ${JSON.stringify(expected)}`;
  if (a.shape !== e.shape) return `shape ${a.shape} instead of ${e.shape}: got ${JSON.stringify(actual)}, expected ${JSON.stringify(expected)}`;
  let S = 0;
  for (const x of e.values) if (Number.isFinite(x)) S = Math.max(S, Math.abs(x));
  let worst: { i: number; ratio: number } | undefined;
  for (let i = 0; i < a.values.length; i++) {
    const x = a.values[i];
    const y = e.values[i];
    if (!Number.isFinite(x) || !Number.isFinite(y)) {
      if (x === y || (Number.isNaN(x) && Number.isNaN(y))) continue;
      return `element ${a.index(i)}: got ${x}, expected ${y}`;
    }
    if (x === y) continue;
    const allowed = rel * Math.max(Math.abs(x), Math.abs(y), cutoff * S) + floor;
    const ratio = Math.abs(x - y) / allowed;
    if (!(ratio <= 1)) {
      if (!worst || ratio > worst.ratio) worst = { i, ratio };
    }
  }
  if (!worst) return undefined;
  const x = a.values[worst.i];
  const y = e.values[worst.i];
  const relErr = Math.abs(x - y) / Math.max(Math.abs(y), Number.MIN_VALUE);
  return `element ${a.index(worst.i)}: got ${x}, expected ${y} (relative difference ${relErr.toExponential(2)}, ${worst.ratio.toExponential(2)} times the tolerance; tensor scale ${S})`;
}

/** Like mismatch, as a boolean. */
export function close(actual: unknown, expected: unknown, rel = 1e-9, tol: Omit<Tolerance, 'rel'> = {}): boolean {
  return mismatch(actual, expected, { ...tol, rel }) === undefined;
}

/** Collects mismatches, so one test reports every wrong number, not only the first. */
export class Discrepancies {
  readonly found: string[] = [];

  check(what: string, actual: unknown, expected: unknown, tol: Tolerance = {}): boolean {
    const m = mismatch(actual, expected, tol);
    if (m) this.found.push(`${what}: ${m}`);
    return m === undefined;
  }

  add(message: string): void {
    this.found.push(message);
  }

  /** Fails with all of them (the first 60) when there are any. */
  assertNone(title: string): void {
    if (this.found.length === 0) return;
    const shown = this.found.slice(0, 60).join('\n  ');
    const more = this.found.length > 60 ? `\n  ... and ${this.found.length - 60} more` : '';
    throw new Error(`${title}: ${this.found.length} discrepanc${this.found.length === 1 ? 'y' : 'ies'}\n  ${shown}${more}`);
  }
}

function flat(v: unknown): { values: number[]; shape: string; index(i: number): string } | undefined {
  if (typeof v === 'number') return { values: [v], shape: 'scalar', index: () => '' };
  if (!Array.isArray(v)) return undefined;
  if (v.every((x) => typeof x === 'number')) return { values: v, shape: `[${v.length}]`, index: (i) => `[${i}]` };
  if (v.length > 0 && v.every((r) => Array.isArray(r) && r.length === v[0].length && r.every((x: unknown) => typeof x === 'number'))) {
    const cols = v[0].length;
    return { values: v.flat(), shape: `[${v.length}][${cols}]`, index: (i) => `[${Math.floor(i / cols)}][${i % cols}]` };
  }
  return undefined;
}

// ---- small things the tests share -------------------------------------------------------------

/**
 * A number as NetSpec source, to the last bit. JavaScript's String(x) is the shortest decimal
 * that reads back as exactly x (as toPrecision(17) would be, with fewer digits), e.g. `1e+308`.
 */
export function literal(x: number): string {
  const s = String(x);
  if (!Number.isFinite(x) || Number(s) !== x) throw new Error(`${x} has no exact NetSpec literal`);
  return s;
}

/** A target for sample i of a random data set: one-hot or soft for cross-entropy, 0/1 or a probability for binary cross-entropy, in [-1, 1] otherwise. */
export function randomTarget(loss: LossName, K: number, i: number, rand: () => number): number[] {
  switch (loss) {
    case 'cross_entropy': {
      if (i % 2 === 0) {
        const hot = Math.floor(rand() * K);
        return Array.from({ length: K }, (_, k) => (k === hot ? 1 : 0));
      }
      const w = Array.from({ length: K }, () => 0.05 + rand());
      const s = w.reduce((a, b) => a + b, 0);
      return w.map((v) => v / s);
    }
    case 'binary_cross_entropy':
      return Array.from({ length: K }, () => (i % 3 === 2 ? rand() : rand() < 0.5 ? 0 : 1));
    default:
      return Array.from({ length: K }, () => -1 + 2 * rand());
  }
}

/**
 * The central finite difference of `loss` in one parameter, (E(p + h) − E(p − h)) / (up + down)
 * with h = 1e-6 relative (absolute below |p| = 1), where up and down are the steps actually taken
 * after rounding. The parameter is restored.
 */
export function centralDifference(params: Float64Array, k: number, loss: () => number): number {
  const p0 = params[k];
  const h = 1e-6 * Math.max(Math.abs(p0), 1);
  params[k] = p0 + h;
  const up = params[k] - p0;
  const Ep = loss();
  params[k] = p0 - h;
  const down = p0 - params[k];
  const Em = loss();
  params[k] = p0;
  return (Ep - Em) / (up + down);
}
