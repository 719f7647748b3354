/**
 * The tests' one random-network generator, and the one way they write a network as NetSpec
 * source and as the oracle's request. A network is drawn in two steps: its shape (input width,
 * depth, and per layer its activation, units and bias) by `drawNetwork`, then its parameters by
 * `drawParameters`, so a test can redraw the parameters of one shape until they suit it. What
 * each test means to cover stays in the test: the activations it cycles through and its output
 * layer per loss (the `layer` chooser), the scale of the weights, its plans, targets and samples.
 */
import type { LossName } from '../../server/src/engine/losses';
import { literal, type OracleLayer } from '../oracle/oracle';
import type { SeededRandom } from './random';

/** A layer's activation: a built-in, an alias, `softmax` or a user fn, with explicit parameters (none: the defaults). */
export interface ActivationChoice {
  activation: string;
  params: number[];
}

export interface LayerShape extends ActivationChoice {
  /** `out` for the output layer, `h1`, `h2`, … before it. */
  name: string;
  units: number;
  bias: boolean;
}

export interface Layer extends LayerShape {
  /** [fan-in][units] */
  W: number[][];
  /** One per unit; zeros in a nobias layer (what it adds), which the source does not write. */
  b: number[];
}

export interface NetworkShape<L extends LayerShape = LayerShape> {
  name: string;
  inputs: number;
  layers: L[];
  loss: LossName;
}

/** A network with its parameters. */
export type RandomNetwork = NetworkShape<Layer>;

/** Where a layer stands, for the caller's chooser. */
export interface LayerPosition {
  /** From 0. */
  index: number;
  depth: number;
  output: boolean;
}

/** What a test says of one layer: its activation, and the range of its units when not the network's. */
export interface LayerChoice {
  activation: string;
  params?: number[];
  units?: readonly [number, number];
}

/**
 * An output layer that fits the loss: softmax for cross_entropy, sigmoid for binary_cross_entropy,
 * otherwise one of linear, tanh, sigmoid, softplus. Its units: 2 to `max` for softmax (one unit
 * would be constant), 1 to `max` − 1 for the others.
 */
export function outputForLoss(loss: LossName, max: number, rng: SeededRandom): LayerChoice {
  if (loss === 'cross_entropy') return { activation: 'softmax', units: [2, max] };
  if (loss === 'binary_cross_entropy') return { activation: 'sigmoid', units: [1, max - 1] };
  return { activation: rng.pick(['linear', 'tanh', 'sigmoid', 'softplus']), units: [1, max - 1] };
}

export interface NetworkPlan {
  name: string;
  loss: LossName;
  /** Ranges, both ends included. */
  inputs: readonly [number, number];
  depth: readonly [number, number];
  /** The units of a layer whose choice has no range of its own. */
  units: readonly [number, number];
  /** Each layer's activation, in order from the first; it may draw from `rng`. */
  layer(at: LayerPosition, rng: SeededRandom): LayerChoice;
  /** The chance that a layer has no bias, for hidden layers and for the output layer. */
  nobias: { hidden: number; output: number };
}

/**
 * A random shape: the input width, the depth, then layer by layer its activation (the plan's
 * chooser), its units and whether it has a bias.
 */
export function drawNetwork(rng: SeededRandom, plan: NetworkPlan): NetworkShape {
  const inputs = rng.int(...plan.inputs);
  const depth = rng.int(...plan.depth);
  const layers: LayerShape[] = [];
  for (let index = 0; index < depth; index++) {
    const output = index === depth - 1;
    const choice = plan.layer({ index, depth, output }, rng);
    const units = rng.int(...(choice.units ?? plan.units));
    const bias = rng.next() >= (output ? plan.nobias.output : plan.nobias.hidden);
    layers.push({ name: output ? 'out' : `h${index + 1}`, units, activation: choice.activation, params: choice.params ?? [], bias });
  }
  return { name: plan.name, inputs, layers, loss: plan.loss };
}

/** How large the parameters are: W uniform in ±W (a number, or one per fan-in), b uniform in ±b. */
export interface ParameterScale {
  W: number | ((fanIn: number) => number);
  b: number;
}

/** The shape with parameters drawn for every layer, first to last (W row by row, then b). */
export function drawParameters(rng: SeededRandom, shape: NetworkShape, scale: ParameterScale): RandomNetwork {
  let fanIn = shape.inputs;
  const layers = shape.layers.map((L): Layer => {
    const s = typeof scale.W === 'number' ? scale.W : scale.W(fanIn);
    const W = Array.from({ length: fanIn }, () => Array.from({ length: L.units }, () => rng.uniform(-s, s)));
    const b = L.bias ? Array.from({ length: L.units }, () => rng.uniform(-scale.b, scale.b)) : new Array<number>(L.units).fill(0);
    fanIn = L.units;
    return { ...L, W, b };
  });
  return { ...shape, layers };
}

// ---- as NetSpec source ----------------------------------------------------------------------------

/** A vector as NetSpec source, every number to the last bit. */
export const vectorSource = (v: readonly number[]): string => `[${v.map(literal).join(', ')}]`;

/** A matrix as NetSpec source, on one line. */
export const matrixSource = (m: readonly (readonly number[])[]): string => `[${m.map(vectorSource).join(', ')}]`;

/** An activation as a layer line writes it: `tanh`, `leaky_relu(0.2)`. */
export const activationSource = (a: ActivationChoice): string => (a.params.length ? `${a.activation}(${a.params.map(literal).join(', ')})` : a.activation);

/** An activation as written (`elu`, `leaky_relu(0.2)`), read back. */
export function parseActivation(text: string): ActivationChoice {
  const m = /^(\w+)\((.*)\)$/.exec(text);
  return m ? { activation: m[1], params: m[2].split(',').map(Number) } : { activation: text, params: [] };
}

/** A layer as its `dense` line writes it, without the indent: `h1[3] tanh nobias`. */
export const layerSource = (L: LayerShape): string => `${L.name}[${L.units}] ${activationSource(L)}${L.bias ? '' : ' nobias'}`;

/** Whether every layer of the network has its parameters (it was drawn by `drawParameters`). */
export function hasParameters(net: NetworkShape | RandomNetwork): net is RandomNetwork {
  return net.layers.every((L) => 'W' in L && 'b' in L);
}

/**
 * A network block, line by line: `network NAME {`, its input, its dense layers, its loss, then
 * `weights` and `bias` for every layer when it has parameters (a `RandomNetwork`), the `init`
 * line when one is given (a shape alone is initialised by it, or by the default), and `}`.
 */
export function networkSource(net: NetworkShape | RandomNetwork, init?: string): string[] {
  const lines = [`network ${net.name} {`, `  input x[${net.inputs}]`, ...net.layers.map((L) => `  dense ${layerSource(L)}`), `  loss ${net.loss}`];
  if (hasParameters(net)) {
    for (const L of net.layers) {
      lines.push(`  weights ${L.name} = ${matrixSource(L.W)}`);
      if (L.bias) lines.push(`  bias ${L.name} = ${vectorSource(L.b)}`);
    }
  }
  if (init) lines.push(`  ${init}`);
  lines.push('}');
  return lines;
}

// ---- as the oracle's request --------------------------------------------------------------------

/** The layers as torch_oracle.py takes them. */
export function oracleLayers(net: RandomNetwork): OracleLayer[] {
  return net.layers.map((L) => ({ units: L.units, activation: L.activation, params: L.params, bias: L.bias, W: L.W, b: L.b }));
}
