// The parts of a threaded training step, each timed alone: how fast a step could be were its
// threads never to wait for each other or for the memory another core has just written. A bench
// network's step on the threads is a chain of parts, each needing the one before: the pass's
// list of its input rows, the first layer's product with its activation, the row chain (the
// layers above, each row's loss, the products by Wᵀ; batch.ts `forwardChain`) — or, where a
// pass goes layer by layer, per layer its product and activation, each row's loss and the
// products by Wᵀ — then the weights' gradient with the optimiser's step. Each is timed here
// through the trainer's own workspace (batch.ts) and arena, in a loop of its own, so with its
// data in cache; the small loops of the trainer (δ through g', targets, progress) are left out.
// Their sum is less than a step can take; the bench prints the share of the kernel's GFLOP/s that
// it allows beside the share the step reaches. Bundled into bench/training.ts; not a test.
import { BatchWorkspace } from '../server/src/engine/kernels/batch';
import { NO_BIAS, pad4 } from '../server/src/engine/kernels/gemm';
import { transposeBand } from '../server/src/engine/kernels/bands';
import { newStepScalars } from '../server/src/engine/kernels/update';
import type { Network } from '../server/src/engine/network';
import { sampleRows, type Sample } from '../server/src/engine/train';
import type { Case } from './cases';
import { timedSteps } from './steps';

/** One part of a step and its median time alone, in microseconds per step. */
export interface StepPart {
  name: string;
  us: number;
}

/**
 * The parts of a step of case `c` (sgd, its batch, float64) on the threads the settings give
 * (parallel.ts `setThreads`), each timed alone over `ms` milliseconds, `repeats` times; undefined
 * when the workspace is not shared between threads (a network too small for them).
 */
export function stepParts(c: Case, net: Network, data: Sample[], ms = 150, repeats = 5): StepPart[] | undefined {
  const B = c.batch;
  const ws = new BatchWorkspace(net, B, undefined, 'float64', 0, data.length);
  const A = ws.arena;
  if (!A.threaded || !ws.holdsEpoch) return undefined;
  const M = net.inputs;
  const K = net.layers[net.layers.length - 1].units;
  const { X, T } = sampleRows(data, M, K);
  const indices = data.map((_, i) => i);
  ws.stageInputs(X, indices);
  ws.loadEpoch(indices);
  ws.usePass(0, B);
  for (let i = 0; i < B; i++) ws.loadTarget(i, T, i);
  ws.forward(B);
  for (let i = 0; i < B; i++) ws.loss(i);
  ws.backward(B);

  const h = A.heap;
  const scalars = newStepScalars();
  scalars.b = B;
  scalars.neglr = -c.lr; // λ₁ and λ₂ stay 0: no part below sets them
  const parts: StepPart[] = [];
  const time = (name: string, part: () => void, per = 1) => {
    const run = () => {
      part();
      return 1;
    };
    timedSteps(ms / 2, run);
    const us: number[] = [];
    for (let r = 0; r < repeats; r++) {
      const t = timedSteps(ms, run);
      us.push((t.ms * 1000) / t.steps / per);
    }
    us.sort((a, b) => a - b);
    parts.push({ name, us: us[repeats >> 1] });
  };

  const rows = pad4(B);
  time('a pass\'s list of its input rows', () => ws.usePass(0, B));
  if (ws.chains) {
    // The first layer's forward product with its activation, then the rest of the pass through
    // the row chain (batch.ts `forwardChain`: the layers above, the losses, ΔX and δ), each on
    // the threads, as a run takes them.
    time(`layer 1 (${ws.layers[0].M} → ${ws.layers[0].K}): Z = XW + b with ${ws.layers[0].act.name}`, () => ws.forwardFirst(B));
    time('the row chain: the layers above, the losses, ΔX = Δ Wᵀ and δ', () => ws.forwardChain(B));
  } else {
    ws.layers.forEach((s, l) => {
      const label = `layer ${l + 1} (${s.M} → ${s.K})`;
      time(`${label}: Z = XW + b`, () => {
        if (s.bands > 1) A.gemmBanded(s.bands, s.x, s.xs, 1, s.W, 0, s.Mp, s.z, s.Ks, 0, s.b, rows, s.Kp, s.M);
        else A.gemm(s.x, s.xs, 1, s.W, s.Kp, s.z, s.Ks, s.b, rows, s.Kp, s.M);
      });
      time(`${label}: ${s.act.name}`, () => ws.activateLayer(l, B));
    });
    time('losses and output δ', () => {
      for (let i = 0; i < B; i++) ws.loss(i);
    });
    for (let l = ws.layers.length - 1; l > 0; l--) {
      const s = ws.layers[l];
      time(`layer ${l + 1}: ΔX = Δ Wᵀ`, () => A.gemm(s.delta, s.Ks, 1, s.WT, s.Mp, s.dx, s.xs, NO_BIAS, rows, s.Mp, s.K));
    }
  }
  ws.layers.forEach((s, l) => {
    const label = `layer ${l + 1}: dE/dW, dE/db and the sgd step`;
    if (s.bands > 1) {
      // As a batch's last pass takes it (batch.ts `layerGradient`): the step, Wᵀ and the biases
      // by the threads in the product, the first layer reading the pass's listed rows.
      const step = { scalars, l1: 0, stepped: new Set<number>() };
      time(label, () => ws.layerGradient(l, B, false, step));
    } else {
      time(label, () => {
        ws.layerGradient(l, B);
        A.update(scalars, s.W, s.gW, -1, -1, s.Mp * s.Kp);
        A.update(scalars, s.b, s.gb, -1, -1, s.Kp);
        if (l > 0) transposeBand(h, s.W, s.Kp, s.WT, s.Mp, 0, s.K, s.M);
      });
    }
  });
  return parts;
}
