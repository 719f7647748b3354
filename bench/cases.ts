// The bench's training networks, weights and data, shared by every side that trains them: the
// engine against TensorFlow.js in Node (training.ts), and the engine in Node against the engine
// in a browser worker (steps.ts, web.js). Imports only the engine, so it bundles for the browser.
import { builtinActivation, buildNetwork, type Network } from '../server/src/engine/network';
import type { Sample } from '../server/src/engine/train';

export interface Case {
  id: string;
  title: string;
  widths: number[];
  hidden: 'sigmoid' | 'tanh';
  output: 'sigmoid' | 'softmax';
  loss: 'squared_error' | 'cross_entropy';
  batch: number;
  samples: number;
  lr: number;
  /** Whether the Node bench also times the engine's `precision float32` run (after float64's, so float64's code is timed alone first). */
  float32?: boolean;
}

export const CASES: Case[] = [
  { id: 'tiny', title: '2-8-8-1 sigmoid, squared error, batch 4, sgd', widths: [2, 8, 8, 1], hidden: 'sigmoid', output: 'sigmoid', loss: 'squared_error', batch: 4, samples: 256, lr: 0.1 },
  { id: 'mlp', title: '784-128-64-10 tanh/softmax, cross-entropy, batch 64, sgd', widths: [784, 128, 64, 10], hidden: 'tanh', output: 'softmax', loss: 'cross_entropy', batch: 64, samples: 1024, lr: 0.01, float32: true },
];

/** FLOPs of one training step: the matrix products only (forward xW, backward δWᵀ above the first layer, xᵀδ), 2 per multiply-add. */
export function stepFlops(c: Case): number {
  let f = 0;
  for (let l = 1; l < c.widths.length; l++) {
    const mk = c.widths[l - 1] * c.widths[l];
    f += 2 * c.batch * mk * (l > 1 ? 3 : 2);
  }
  return f;
}

/** A small deterministic generator, so every engine sees the same numbers. */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
}

export function makeData(c: Case): Sample[] {
  const r = lcg(7);
  const M = c.widths[0];
  const K = c.widths[c.widths.length - 1];
  const out: Sample[] = [];
  for (let i = 0; i < c.samples; i++) {
    // float32-rounded inputs, so tfjs sees exactly what the engine sees
    const input = Array.from({ length: M }, () => Math.fround(r() * 2 - 1));
    const target = new Array(K).fill(0);
    if (K === 1) target[0] = input[0] * input[1] > 0 ? 1 : 0;
    else target[Math.floor(r() * K)] = 1;
    out.push({ input, target });
  }
  return out;
}

export function makeNetwork(c: Case): Network {
  const specs = c.widths.slice(1).map((units, i, a) => ({
    name: `l${i + 1}`,
    units,
    activation: builtinActivation(i === a.length - 1 ? c.output : c.hidden)!,
    hasBias: true,
  }));
  const net = buildNetwork(c.id, c.widths[0], specs, c.loss, { scheme: 'xavier', seed: 1 });
  // float32-representable weights, so both engines start from the same parameters
  for (const l of net.layers) for (let i = 0; i < l.W.length; i++) l.W[i] = Math.fround(l.W[i]);
  return net;
}
