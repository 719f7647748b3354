import { lossAndGradient, LOSS_NAMES, type OutputKind } from '../losses';
import { softmaxBackward } from '../softmax';
import { activateRows, type InlinedCode } from './activate';
import { gateBand } from './bands';
import type { Floats } from './floats';
import { bandOperands, columnBand, NO_BIAS, wasmProduct } from './parallel';
import type { WasmActivations, WasmGemm } from './wasm';

/**
 * A pass's row chain: everything of a training pass that each row of the batch decides alone,
 * once the first layer's forward product is done — the forward pass of the layers above it, the
 * row's loss and output δ, and the backward pass's ΔX = Δ Wᵀ and δ_below = ΔX ⊙ g' down to the
 * first layer's δ. Each value of a row depends on that row only (every sum in it runs over a
 * layer's inputs or units, none over the samples), so the rows can be cut between threads
 * (pool.ts, `CMD_CHAIN`) in bands of whole tiles, each thread taking its rows through every
 * layer without waiting for the other: three tasks of the threads and the run's thread's loss
 * loop, which it took alone while the other thread waited, become one task. Each value is
 * computed with the arithmetic of batch.ts's layer-by-layer code (the same kernel calls on fewer
 * rows, the same loss and gate loops), so the same bits.
 *
 * The plan — where each layer's buffers are in the arena — is written once, as int32 values in
 * the arena's memory (`writeChainPlan`), where a helper thread reads it (`readChainPlan`).
 */

/** A layer above the first, as the chain reads it: offsets and strides in elements of the heap. */
export interface ChainLayer {
  /** Its input rows (the layer below's y) and their stride. */
  x: number;
  xs: number;
  /** W: rows of Kp values, or in `bands` column bands of Mp rows each (batch.ts `LayerSlots.bands`). */
  W: number;
  bands: number;
  Mp: number;
  Kp: number;
  /** The row stride of z, y, gp and δ (batch.ts `rowStride`); ΔX's rows are xs apart, as the layer below's. */
  Ks: number;
  b: number;
  z: number;
  y: number;
  gp: number;
  delta: number;
  /** Wᵀ (Kp × Mp) and ΔX (rows of Mp values, xs apart). */
  WT: number;
  dx: number;
  K: number;
  M: number;
  /** Its activation: an inlined code (activate.ts), or SOFTMAX (the output layer only). */
  act: number;
}

const LAYER_FIELDS = ['x', 'xs', 'W', 'bands', 'Mp', 'Kp', 'Ks', 'b', 'z', 'y', 'gp', 'delta', 'WT', 'dx', 'K', 'M', 'act'] as const;

/** The activation code of softmax in a plan (past activate.ts's inlined codes). */
export const SOFTMAX = 3;

const OUTPUT_KINDS: readonly OutputKind[] = ['softmax', 'sigmoid', 'other'];

export interface ChainPlan {
  /** The loss (losses.ts `LOSS_NAMES` index) and the output layer's kind for it (`OUTPUT_KINDS` index). */
  loss: number;
  out: number;
  /** Targets, row i at targets + i·K (K the output units), and each row's loss at losses + i (float64). */
  targets: number;
  losses: number;
  /** Columns of the SIMD tile (column bands are whole tiles). */
  width: number;
  /** The first layer's g' and δ (rows as far apart as the second layer's ΔX): the chain ends with its δ. */
  first: { gp: number; delta: number };
  /** The layers above the first, in order. */
  layers: ChainLayer[];
}

const HEADER = 8;

/** int32 values a plan of `layers` layers above the first takes. */
export function chainPlanInts(layers: number): number {
  return HEADER + layers * LAYER_FIELDS.length;
}

/** The code of a loss name and output kind in a plan. */
export function lossCodes(loss: (typeof LOSS_NAMES)[number], out: OutputKind): { loss: number; out: number } {
  return { loss: LOSS_NAMES.indexOf(loss), out: OUTPUT_KINDS.indexOf(out) };
}

/** Writes `plan` as int32 values from ints[at] on: a header of HEADER values, then each layer's LAYER_FIELDS. */
export function writeChainPlan(ints: Int32Array, at: number, plan: ChainPlan): void {
  const f = plan.first;
  ints.set([plan.layers.length, plan.loss, plan.out, plan.targets, plan.losses, plan.width, f.gp, f.delta], at);
  plan.layers.forEach((s, l) => ints.set(LAYER_FIELDS.map((k) => s[k]), at + HEADER + l * LAYER_FIELDS.length));
}

/** The plan `writeChainPlan` wrote from ints[at] on. */
export function readChainPlan(ints: Int32Array, at: number): ChainPlan {
  const layers: ChainLayer[] = [];
  for (let l = 0; l < ints[at]; l++) {
    const o = at + HEADER + l * LAYER_FIELDS.length;
    const s = {} as ChainLayer;
    LAYER_FIELDS.forEach((k, j) => (s[k] = ints[o + j]));
    layers.push(s);
  }
  const first = { gp: ints[at + 6], delta: ints[at + 7] };
  return { loss: ints[at + 1], out: ints[at + 2], targets: ints[at + 3], losses: ints[at + 4], width: ints[at + 5], first, layers };
}

/** Views of the output layer's rows (and the targets'), for the loss, which takes arrays: made once per plan and thread. */
export interface RowViews {
  z: Floats[];
  y: Floats[];
  t: Floats[];
  d: Floats[];
  /** dE/dy (or dE/dz) of one row, as the loss leaves it. */
  grad: Floats;
}

/** The views of `rows` rows of the output layer of `plan` over h. */
export function rowViews(h: Floats, plan: ChainPlan, rows: number): RowViews {
  const out = plan.layers[plan.layers.length - 1];
  const K = out.K;
  const at = (o: number, stride: number) => Array.from({ length: rows }, (_, i) => h.subarray(o + i * stride, o + i * stride + K));
  return { z: at(out.z, out.Ks), y: at(out.y, out.Ks), t: at(plan.targets, K), d: at(out.delta, out.Ks), grad: h instanceof Float32Array ? new Float32Array(K) : new Float64Array(K) };
}

/**
 * The loss of row i, E_i, leaving δ = dE/dz of that row at the output layer: dE/dz from the loss
 * where it gives it (the fused softmax and σ pairs), else dE/dy through softmax's Jacobian
 * (softmax.ts `softmaxBackward`) or times g' (gp, rows Ks apart).
 */
export function rowLoss(h: Floats, loss: (typeof LOSS_NAMES)[number], kind: OutputKind, softmaxOut: boolean, gp: number, Ks: number, v: RowViews, i: number): number {
  const grad = v.grad;
  const r = lossAndGradient(loss, kind, v.z[i], v.y[i], v.t[i], grad);
  const d = v.d[i];
  if (r.gradientIs === 'dz') d.set(grad);
  else if (softmaxOut) softmaxBackward(v.y[i], grad, d);
  else {
    const g = gp + i * Ks;
    for (let k = 0; k < d.length; k++) d[k] = grad[k] * h[g + k];
  }
  return r.loss;
}

/**
 * softmax of rows r0 … r1 − 1 of z into y (rows Kp apart, K values): softmax.ts's arithmetic —
 * subtract the row's maximum, divide by the sum taken from 0 in order.
 */
export function softmaxRows(h: Floats, z: number, y: number, r0: number, r1: number, K: number, Kp: number): void {
  for (let i = r0; i < r1; i++) {
    const o = i * Kp;
    let m = -Infinity;
    for (let k = 0; k < K; k++) m = Math.max(m, h[z + o + k]);
    for (let k = 0; k < K; k++) h[y + o + k] = Math.exp(h[z + o + k] - m);
    let sum = 0;
    for (let k = 0; k < K; k++) sum += h[y + o + k];
    for (let k = 0; k < K; k++) h[y + o + k] = h[y + o + k] / sum;
  }
}

/** What a thread runs the chain with: its kernel, its tanh and σ, and the float64 heap. */
export interface ChainThread {
  wasm: WasmGemm;
  simd?: WasmActivations;
  heap: Float64Array;
}

/**
 * Rows r0 … r1 − 1 (whole tiles) of a pass of n rows through the chain of `plan`: per layer
 * above the first Z = XW + b and Y = g(Z), G = g'(Z); each row's loss into the plan's losses
 * (rows below n) and its output δ; then per layer from the top ΔX = Δ Wᵀ and δ_below = ΔX ⊙ g',
 * down to the first layer's δ. The products run over the padded rows below pad4(n), the rest
 * over the rows below n, as batch.ts runs them over all rows.
 */
export function chainRows(w: ChainThread, plan: ChainPlan, views: RowViews, n: number, r0: number, r1: number): void {
  const h = w.heap;
  const e = 8;
  const rows = Math.min(r1, (n + 3) & ~3) - r0;
  if (rows <= 0) return;
  const i1 = Math.min(r1, n);
  const L = plan.layers.length;
  for (const s of plan.layers) {
    if (s.bands > 1) {
      for (let t = 0; t < s.bands; t++) {
        const [k0, k1] = columnBand(s.Kp, s.bands, t, plan.width);
        const [bt, bst, ct, cst, biast] = bandOperands(s.W, 0, s.Mp, s.z + r0 * s.Ks, s.Ks, 0, s.b, k0, k1, 0);
        wasmProduct(w.wasm, e, s.x + r0 * s.xs, s.xs, 1, bt, bst, ct, cst, biast, rows, k1 - k0, s.M);
      }
    } else wasmProduct(w.wasm, e, s.x + r0 * s.xs, s.xs, 1, s.W, s.Kp, s.z + r0 * s.Ks, s.Ks, s.b, rows, s.Kp, s.M);
    if (s.act === SOFTMAX) softmaxRows(h, s.z, s.y, r0, i1, s.K, s.Ks);
    else activateRows(s.act as InlinedCode, h, s.z, s.y, s.gp, r0, i1, s.K, s.Ks, w.simd);
  }
  const out = plan.layers[L - 1];
  const loss = LOSS_NAMES[plan.loss];
  const kind = OUTPUT_KINDS[plan.out];
  for (let i = r0; i < i1; i++) h[plan.losses + i] = rowLoss(h, loss, kind, out.act === SOFTMAX, out.gp, out.Ks, views, i);
  for (let l = L - 1; l >= 0; l--) {
    const s = plan.layers[l];
    wasmProduct(w.wasm, e, s.delta + r0 * s.Ks, s.Ks, 1, s.WT, s.Mp, s.dx + r0 * s.xs, s.xs, NO_BIAS, rows, s.Mp, s.K);
    const below = l > 0 ? plan.layers[l - 1] : plan.first;
    gateBand(h, s.dx, below.gp, below.delta, s.xs, r0, i1, 0, s.M, w.simd?.gate);
  }
}
