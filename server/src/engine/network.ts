import { scalarFunction, type ScalarName } from './activations';
import { lossAndGradient, type LossName, type OutputKind } from './losses';
import type { Expr } from './expr-nodes';
import { Random } from './random';
import { softmax, softmaxBackward } from './softmax';

/**
 * Dense feed-forward networks: the forward pass, and the backward pass (the chain rule, layer by layer).
 * A dense layer with M inputs and K units has W of shape [M][K] (w_{j,k}: from input j to unit
 * k) and b of K values; unit k computes z_k = Σ_j x_j w_{j,k} + b_k and outputs g(z_k).
 */

/** An activation as a layer uses it: elementwise with its derivative, or softmax over the layer. */
export type Activation =
  | {
      kind: 'scalar';
      name: string;
      /** g(z) */
      value(z: number): number;
      /** g'(z), given y = g(z) from the forward pass */
      derivative(z: number, y: number): number;
      /** The built-in function this is (with its default parameters), for kernels that inline it. */
      builtin?: ScalarName;
    }
  | { kind: 'softmax'; name: 'softmax' };

/** A built-in activation by name (aliases included) with its parameters, or undefined. */
export function builtinActivation(name: string, params: readonly number[] = []): Activation | undefined {
  if (name === 'softmax') return { kind: 'softmax', name: 'softmax' };
  const f = scalarFunction(name);
  if (!f || !f.activation) return undefined;
  const p = f.params.map((q, i) => params[i] ?? q.default);
  const builtin = f.params.every((q, i) => p[i] === q.default) ? f.name : undefined;
  return { kind: 'scalar', name: f.name, value: (z) => f.value(z, p), derivative: (z, y) => f.derivative(z, y, p), builtin };
}

export interface DenseLayer {
  name: string;
  inputs: number;
  units: number;
  activation: Activation;
  hasBias: boolean;
  /** Row-major [inputs][units]: W[j * units + k] = w_{j,k}. */
  W: Float64Array;
  /** K biases; all zero and never updated when the layer has no bias. */
  b: Float64Array;
}

export interface Network {
  name: string;
  /** The raw inputs a sample has (the data's width); the first layer's fan-in unless `features` says otherwise. */
  inputs: number;
  layers: DenseLayer[];
  loss: LossName;
  /**
   * Input standardization (`data … standardize`): every forward pass first replaces input j by
   * (x_j − mean_j) / std_j, so the network stays a function of the raw inputs. Absent: none.
   */
  standardize?: Standardization;
  /**
   * Derived input features (`input x[2] features [x1, x2, x1 * x2]`): after standardization, the
   * first layer takes these functions of the inputs instead of the inputs themselves, so the
   * network stays a function of the raw inputs. Absent: the inputs as they are.
   */
  features?: InputFeatures;
}

/** Functions of the (standardized) raw inputs that the first dense layer takes as its inputs. */
export interface InputFeatures {
  /** Each feature as the file writes it (`x1 * x2`), for people and for fingerprints. */
  texts: readonly string[];
  /** Each feature as an expression of `variables` (input j is variables[j]), for the export. */
  exprs: readonly Expr[];
  variables: readonly string[];
  /** out[f] = feature f of the raw inputs x (already standardized), f < texts.length. */
  compute(x: ArrayLike<number>, out: Float64Array): void;
}

/** What the first dense layer takes for one raw input: the standardized input, then its features when the network has them. */
export function firstLayerInput(net: Network, input: ArrayLike<number>): Float64Array {
  const x = standardizeInput(net.standardize, input);
  if (!net.features) return x;
  const out = new Float64Array(net.features.texts.length);
  net.features.compute(x, out);
  return out;
}

/** Per input j: the mean and the (population) standard deviation the inputs are rescaled by. */
export interface Standardization {
  mean: readonly number[];
  /** Never 0: an input that does not vary has std 1 (it is only centred). */
  std: readonly number[];
}

/**
 * The statistics of `standardize` over the rows `rows` of `inputs` (all rows when omitted):
 * mean_j = Σ_i x_ij / n and std_j = √(Σ_i (x_ij − mean_j)² / n), the population standard
 * deviation (numpy's std, torch's std(unbiased=False)), summed in row order; a std of 0 becomes 1,
 * so a constant input is centred, not divided by zero. Throws a RangeError for no rows.
 */
export function standardization(inputs: readonly (ArrayLike<number>)[], rows?: readonly number[]): Standardization {
  const index = rows ?? inputs.map((_, i) => i);
  if (index.length === 0) throw new RangeError('standardization needs at least one sample');
  const M = inputs[index[0]].length;
  const mean: number[] = new Array(M).fill(0);
  const std: number[] = new Array(M).fill(0);
  for (const i of index) for (let j = 0; j < M; j++) mean[j] += inputs[i][j];
  for (let j = 0; j < M; j++) mean[j] /= index.length;
  for (const i of index) {
    for (let j = 0; j < M; j++) {
      const d = inputs[i][j] - mean[j];
      std[j] += d * d;
    }
  }
  for (let j = 0; j < M; j++) {
    const s = Math.sqrt(std[j] / index.length);
    std[j] = s > 0 && Number.isFinite(s) ? s : 1;
  }
  return { mean, std };
}

/** (x_j − mean_j) / std_j for every input j, or the input itself (copied) when `s` is absent. */
export function standardizeInput(s: Standardization | undefined, input: ArrayLike<number>): Float64Array {
  const x = Float64Array.from(input);
  if (s) for (let j = 0; j < x.length; j++) x[j] = (x[j] - s.mean[j]) / s.std[j];
  return x;
}

export type InitScheme =
  | { scheme: 'xavier' | 'he' | 'zeros'; seed: number }
  | { scheme: 'uniform'; lo: number; hi: number; seed: number };

export interface LayerSpec {
  name: string;
  units: number;
  activation: Activation;
  hasBias: boolean;
  /** Explicit parameters override the initialisation for this layer. */
  W?: readonly (readonly number[])[];
  b?: readonly number[];
}

/**
 * Builds a network with parameters from `init`. Weights: xavier ~ U(±√(6/(M+K))) (Glorot,
 * torch's xavier_uniform_), he ~ U(±√(6/M)) (torch's kaiming_uniform_ for relu), uniform(lo, hi),
 * or zeros; biases start at zero. Layer i draws from stream i of `Random(seed)`, row by row.
 */
export function buildNetwork(name: string, inputs: number, specs: readonly LayerSpec[], loss: LossName, init: InitScheme): Network {
  let M = inputs;
  const layers = specs.map((spec, index): DenseLayer => {
    const K = spec.units;
    const W = new Float64Array(M * K);
    const b = new Float64Array(K);
    if (spec.W) {
      for (let j = 0; j < M; j++) for (let k = 0; k < K; k++) W[j * K + k] = spec.W[j][k];
    } else {
      initialWeights(init, index, M, K, W);
    }
    if (spec.b && spec.hasBias) b.set(spec.b);
    const layer: DenseLayer = { name: spec.name, inputs: M, units: K, activation: spec.activation, hasBias: spec.hasBias, W, b };
    M = K;
    return layer;
  });
  return { name, inputs, layers, loss };
}

/**
 * The initial weights of dense layer `index` (M inputs, K units), row-major: xavier ~
 * U(±√(6/(M+K))), he ~ U(±√(6/M)), uniform(lo, hi), or zeros; drawn from stream `index` of
 * `Random(seed)`, so they depend on nothing but the seed, the layer's position and its shape.
 */
export function initialWeights(init: InitScheme, index: number, M: number, K: number, out = new Float64Array(M * K)): Float64Array {
  if (init.scheme === 'zeros') return out.fill(0);
  const rng = new Random(init.seed, index);
  const [lo, hi] =
    init.scheme === 'uniform' ? [init.lo, init.hi]
    : init.scheme === 'xavier' ? [-Math.sqrt(6 / (M + K)), Math.sqrt(6 / (M + K))]
    : [-Math.sqrt(6 / M), Math.sqrt(6 / M)];
  for (let i = 0; i < M * K; i++) out[i] = rng.uniform(lo, hi);
  return out;
}

export function parameterCount(inputs: number, layers: readonly { units: number; hasBias: boolean }[]): number {
  let M = inputs;
  let n = 0;
  for (const l of layers) {
    n += M * l.units + (l.hasBias ? l.units : 0);
    M = l.units;
  }
  return n;
}

/** What one layer computed in the forward pass, and g'(z) where the activation is elementwise. */
export interface LayerTrace {
  x: Float64Array;
  z: Float64Array;
  y: Float64Array;
  /** g'(z_k) from y_k, for elementwise activations; undefined for softmax (see its Jacobian). */
  gprime?: Float64Array;
}

/**
 * z = xW + b, y = g(z), layer by layer, where the first layer's x is the input standardized
 * ((x_j − mean_j) / std_j) when the network standardizes its inputs, and then its derived
 * features when it has them (firstLayerInput).
 */
export function forward(net: Network, input: ArrayLike<number>): LayerTrace[] {
  let x: Float64Array = firstLayerInput(net, input);
  return net.layers.map((layer) => {
    const { units: K, inputs: M, W, b, activation } = layer;
    const z = new Float64Array(K);
    for (let k = 0; k < K; k++) z[k] = b[k];
    for (let j = 0; j < M; j++) {
      const xj = x[j];
      const row = j * K;
      for (let k = 0; k < K; k++) z[k] += xj * W[row + k];
    }
    let y: Float64Array;
    let gprime: Float64Array | undefined;
    if (activation.kind === 'softmax') {
      y = Float64Array.from(softmax(z));
    } else {
      y = new Float64Array(K);
      gprime = new Float64Array(K);
      for (let k = 0; k < K; k++) {
        y[k] = activation.value(z[k]);
        gprime[k] = activation.derivative(z[k], y[k]);
      }
    }
    const trace: LayerTrace = { x, z, y, gprime };
    x = y;
    return trace;
  });
}

/** The network's output for one input. */
export function predict(net: Network, input: ArrayLike<number>): number[] {
  const traces = forward(net, input);
  return Array.from(traces[traces.length - 1].y);
}

export interface LayerGradient {
  name: string;
  trace: LayerTrace;
  /** dE/dW, [M][K]: dE/dw_{j,k} = x_j δ_k. */
  dW: number[][];
  /** dE/db = δ; undefined when the layer has no bias. */
  db?: number[];
  /** δ_k = dE/dz_k. */
  delta: number[];
}

export interface ProbeResult {
  output: number[];
  loss: number;
  layers: LayerGradient[];
}

function outputKind(a: Activation): OutputKind {
  if (a.kind === 'softmax') return 'softmax';
  return a.name === 'sigmoid' ? 'sigmoid' : 'other';
}

/**
 * One forward and one backward pass on one sample (x, t). At the output layer
 * δ_k = dE/dy_k · g'(z_k) — for squared error (g(z_k) - t_k) g'(z_k), so that
 * dE/dw_{j,k} = (g(z_k) - t_k) g'(z_k) x_j (the output layer's gradient factors); below it,
 * δ_j = g'(z_j) Σ_k w_{j,k} δ_k (for softmax, Jᵀ applied to the sum instead of g').
 */
export function probe(net: Network, x: ArrayLike<number>, t: ArrayLike<number>): ProbeResult {
  const traces = forward(net, x);
  const L = net.layers.length;
  const out = net.layers[L - 1];
  const last = traces[L - 1];
  const grad = new Float64Array(out.units);
  const { loss, gradientIs } = lossAndGradient(net.loss, outputKind(out.activation), last.z, last.y, t, grad);

  const deltas: Float64Array[] = new Array(L);
  let delta = new Float64Array(out.units);
  if (gradientIs === 'dz') delta.set(grad);
  else applyActivationBackward(out.activation, last, grad, delta);
  deltas[L - 1] = delta;

  for (let l = L - 1; l > 0; l--) {
    const layer = net.layers[l];
    const below = traces[l - 1];
    const { inputs: M, units: K, W } = layer;
    // dE/dy_j of the layer below = Σ_k w_{j,k} δ_k
    const dy = new Float64Array(M);
    for (let j = 0; j < M; j++) {
      let s = 0;
      const row = j * K;
      for (let k = 0; k < K; k++) s += W[row + k] * delta[k];
      dy[j] = s;
    }
    const next = new Float64Array(M);
    applyActivationBackward(net.layers[l - 1].activation, below, dy, next);
    deltas[l - 1] = next;
    delta = next;
  }

  const layers = net.layers.map((layer, l): LayerGradient => {
    const { x: xin } = traces[l];
    const d = deltas[l];
    const dW: number[][] = [];
    for (let j = 0; j < layer.inputs; j++) dW.push(Array.from(d, (dk) => xin[j] * dk));
    return { name: layer.name, trace: traces[l], dW, db: layer.hasBias ? Array.from(d) : undefined, delta: Array.from(d) };
  });
  return { output: Array.from(last.y), loss, layers };
}

/** δ = dE/dz from dE/dy: g'(z) ⊙ dE/dy elementwise, or Jᵀ dE/dy for softmax. */
function applyActivationBackward(a: Activation, trace: LayerTrace, dy: Float64Array, out: Float64Array): void {
  if (a.kind === 'softmax') {
    softmaxBackward(trace.y, dy, out);
    return;
  }
  const g = trace.gprime!;
  for (let k = 0; k < out.length; k++) out[k] = dy[k] * g[k];
}

/** The mean per-sample loss over a data set. */
export function meanLoss(net: Network, samples: readonly { input: ArrayLike<number>; target: ArrayLike<number> }[]): number {
  let s = 0;
  for (const sample of samples) s += probe(net, sample.input, sample.target).loss;
  return samples.length ? s / samples.length : 0;
}
