import type { FileAnalysis, ProbeOutcome } from '../analysis/analyze';
import { lossAndGradient } from '../engine/losses';
import type { DenseLayer, LayerGradient, Network } from '../engine/network';
import { softmaxJacobian } from '../engine/softmax';
import type { Value } from '../engine/value';
import type { NetworkInfo } from '../semantics/program';

/**
 * Backpropagation one step at a time: a probe as the sequence of stages a debugger stops at —
 * the probe itself (entry), `forward L` for each dense layer, `loss`, then `backward L` from the
 * output layer down — each with the numbers it computes and the line it stands for. Every number
 * is the engine's: the probe's own forward and backward pass (network.ts `probe`), so the
 * debugger, `netspec grad` and the hovers show the same values. Plain data, no UI.
 */

export type StageKind = 'entry' | 'forward' | 'loss' | 'backward' | 'epoch';

export interface StageVariable {
  /** As the Variables view shows it: `g(z)`, `dE/dW`. */
  name: string;
  /** The name an expression reads it by (`y`, `dEdW`): a NetSpec name. */
  id: string;
  value: Value;
}

export interface Stage {
  kind: StageKind;
  /** The stack frame's name: `probe NET` at entry, `forward L`, `loss`, `backward L`; `epoch N` in a training run. */
  name: string;
  /** The dense layer's index (from 0) of a forward or backward stage. */
  layer?: number;
  /** 1-based line the stage stops on: the probe's, the layer's `dense` line, the `loss` line. */
  line: number;
  variables: StageVariable[];
}

/** A probe laid out as stages, with what `explain` needs to write the chain rule. */
export interface ProbeStages {
  /** The probe's network. */
  network: Network;
  probe: ProbeOutcome & { result: NonNullable<ProbeOutcome['result']> };
  /** 1-based line of the `probe` keyword. */
  probeLine: number;
  /** 1-based line of each dense layer's `dense` item, in order. */
  layerLines: number[];
  /** 1-based line of the `loss` item, or of the `network` keyword when the loss is the default. */
  lossLine: number;
  /** Entry first, then forward stages, the loss, and backward stages from the output layer down. */
  stages: Stage[];
  /** dE/dy at the output (not fused with the output's activation: the plain derivative of the loss). */
  dEdy: number[];
}

/** Why a probe cannot be stepped through. */
export class StageError extends Error {}

/**
 * The stages of the probe on 1-based line `line` (the first probe of the file when undefined).
 * Throws a StageError naming the probes that exist when there is no probe there, and one with
 * the probe's error when it could not run.
 */
export function probeStages(a: FileAnalysis, line?: number): ProbeStages {
  const probe = line === undefined ? a.probes[0] : a.probes.find((p) => p.line === line);
  if (!probe) {
    const listed = a.probes.map((p) => `${p.line} (probe ${p.network})`);
    if (line === undefined) throw new StageError('This file has no probe: write one, as in `probe NET [inputs] -> [targets]`.');
    throw new StageError(`Line ${line} is not a probe. ${listed.length === 0 ? 'This file has no probe.' : `The probes are on line${listed.length === 1 ? '' : 's'} ${listed.join(', ')}.`}`);
  }
  const info = a.program.networks.get(probe.network);
  const net = info?.network;
  if (!probe.result || !net || !info) throw new StageError(`The probe on line ${probe.line} cannot run: ${probe.error ?? 'its network has errors'}.`);
  const result = probe.result;
  const lineOf = (offset: number) => a.lines.position(offset).line + 1;
  const layerLines = denseItems(info).map((item) => lineOf(item.start));
  const lossItem = info.stmt.items.find((i) => i.kind === 'loss');
  const lossLine = lineOf((lossItem ?? info.stmt).start);
  const L = net.layers.length;
  const out = result.layers[L - 1].trace;
  const dEdy = new Float64Array(out.y.length);
  // The loss's own derivative in y, whatever the output's activation: what `loss` shows beside E.
  lossAndGradient(net.loss, 'other', out.z, out.y, probe.target!, dEdy);

  const stages: Stage[] = [{
    kind: 'entry', name: `probe ${probe.network}`, line: probe.line,
    variables: [v('input', 'input', probe.input!), v('target', 'target', probe.target!)],
  }];
  net.layers.forEach((layer, l) => stages.push(forwardStage(layer, l, result.layers[l], layerLines[l])));
  stages.push({
    kind: 'loss', name: 'loss', line: lossLine,
    variables: [v('E', 'E', result.loss), v('output', 'output', result.output), v('target', 'target', probe.target!), v('dE/dy', 'dEdy', Array.from(dEdy))],
  });
  for (let l = L - 1; l >= 0; l--) {
    stages.push(backwardStage(net, l, result.layers, layerLines[l], l === L - 1 ? Array.from(dEdy) : undefined));
  }
  return { network: net, probe: { ...probe, result }, probeLine: probe.line, layerLines, lossLine, stages, dEdy: Array.from(dEdy) };
}

/** The `dense` items of a network statement, in order: one per layer of the engine's network. */
function denseItems(info: NetworkInfo) {
  return info.layers.filter((l) => l.kind === 'dense').map((l) => l.item);
}

const v = (name: string, id: string, value: Value): StageVariable => ({ name, id, value });

/** W as rows [inputs][units]: W[j][k] = w_{j,k}. */
export function weightRows(layer: DenseLayer): number[][] {
  return Array.from({ length: layer.inputs }, (_, j) => Array.from(layer.W.subarray(j * layer.units, (j + 1) * layer.units)));
}

/** `forward L`: z = xW + b, then g(z). */
function forwardStage(layer: DenseLayer, l: number, g: LayerGradient, line: number): Stage {
  const variables = [v('x', 'x', Array.from(g.trace.x)), v('W', 'W', weightRows(layer))];
  if (layer.hasBias) variables.push(v('b', 'b', Array.from(layer.b)));
  variables.push(v('z', 'z', Array.from(g.trace.z)), v('g(z)', 'y', Array.from(g.trace.y)));
  return { kind: 'forward', name: `forward ${layer.name}`, layer: l, line, variables };
}

/**
 * `backward L`: g'(z) (softmax: its Jacobian J_ij = p_i(δ_ij − p_j)), δ, dE/dW = xᵀδ, dE/db = δ;
 * at the output layer dE/dy (δ = dE/dy ⊙ g'(z)), below it the next layer's W and δ
 * (δ_j = g'(z_j) Σ_k w_{j,k} δ_k).
 */
function backwardStage(net: Network, l: number, grads: readonly LayerGradient[], line: number, dEdy: number[] | undefined): Stage {
  const layer = net.layers[l];
  const g = grads[l];
  const gprime: Value = layer.activation.kind === 'softmax' ? softmaxJacobian(Array.from(g.trace.y)) : Array.from(g.trace.gprime!);
  const variables = [v('x', 'x', Array.from(g.trace.x)), v('z', 'z', Array.from(g.trace.z)), v("g'(z)", 'gprime', gprime)];
  if (dEdy) variables.push(v('dE/dy', 'dEdy', dEdy));
  else {
    variables.push(v('W_next', 'W_next', weightRows(net.layers[l + 1])), v('delta_next', 'delta_next', grads[l + 1].delta));
  }
  variables.push(v('delta', 'delta', g.delta), v('dE/dW', 'dEdW', g.dW));
  if (g.db) variables.push(v('dE/db', 'dEdb', g.db));
  return { kind: 'backward', name: `backward ${layer.name}`, layer: l, line, variables };
}
