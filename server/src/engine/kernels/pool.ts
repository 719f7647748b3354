import { activateRows, type InlinedCode } from './activate';
import { chainRows, readChainPlan, rowViews, type ChainPlan, type RowViews } from './chain';
import { columnSums, gateBand, transposeBand } from './bands';
import { intsOf } from './int32';
import { newStepScalars, STEP_SCALARS, updateRangeWith, type StepScalars } from './update';
import type { Floats } from './floats';
import { ACCUMULATE, band, bandOperands, columnBand, partsFor, productPart, rowPartsFor, threadSettings, wasmProduct, type AList, type HelperThread, type ListedRows } from './parallel';
import { activationsOf, listedOf, stepsOf, TILE_ROWS, wasmApi, type WasmActivations, type WasmGemm, type WasmListed, type WasmSteps } from './wasm';

/**
 * The helper threads that compute parts of an arena's tasks, each thread over the arena's shared
 * memory: bands of a product (parallel.ts `productPart`, or a layer's column bands,
 * `columnBand`) with its own instance of the WebAssembly kernel, bands of rows of an inlined
 * activation (activate.ts `activateRows`), bands of a parameter tensor's optimiser step
 * (update.ts `updateRange`), and bands of the rows of a pass's row chain (chain.ts). A
 * gradient's product over a layer's column bands may carry the optimiser's step with it
 * (`steppedPart`): thread t then steps band t of the weights, writes their transpose and sums
 * and steps the band's biases right after computing the band's gradient, in the same task. In
 * the same way a forward product over column bands may carry the layer's inlined activation
 * (`BandActivation`: each part takes tanh or σ of the columns it has just computed), and a plain
 * product the gate of the backward pass (`ProductGate`: δ = ΔX ⊙ g' on the elements of ΔX each
 * part has just computed), while those values are in the core's cache.
 *
 * One task may be left open while the calling thread goes on (`startLayerStep`): the output
 * layer's gradient with its step, whole, in one part that a helper takes while the run's thread
 * does the trainer's bookkeeping and lists the next pass's rows; every later task, and
 * `settle`, first waits for it (taking the part itself if no helper has).
 *
 * The calling thread and the helpers talk through a control block over a SharedArrayBuffer: int32
 * values, then float64 ones (a step's scalars; each thread's time in parts, `timeParts`). The
 * caller writes the task (CMD: a product, an activation, a step or a row chain; its arguments at
 * ARGS …) and its number of parts, opens it (its number at TASK, each thread's claim counter at
 * GROUPS + g set to that number and no claim), adds 1 to GEN and wakes the helpers
 * (Atomics.notify). The parts fall to the threads in runs (`band` of the parts): thread g — the
 * caller is 0, the helpers 1, 2, … in the order they bound — claims parts of its own run first
 * (Atomics.add on its counter), then of the others', and computes them until none is left, counting
 * each in DONE; the caller waits until DONE is the number of parts. Each task has a number (TASK),
 * and each counter holds it beside its claims (`claimedPart`): a helper that wakes late, or claims
 * once more just as a task ends, claims nothing of the next. So a layer kept in column bands
 * (batch.ts) has its band t computed by thread t in each of its products and steps, and a thread
 * writes what it alone reads (parallel.ts `columnBand` says why that matters here), while a helper
 * the system runs late (a shared machine) still just leaves its parts to the others. Which thread
 * computes a part changes nothing in it, so the result is the one-thread result whoever takes part
 * in it. A helper spins briefly on GEN before sleeping on it (Atomics.wait). The Atomics operations
 * order the plain stores: what the caller wrote before opening a task is seen by a helper that
 * claims a part of it, and what a thread wrote before counting its part in DONE is seen by the
 * caller after.
 *
 * An arena's memory reaches the helpers once, by a message (`bind`): between products they wait
 * in the loop above, not in their event loop, so the caller first sends them the memory, then
 * tells them (CMD = RELEASE) to go back to their event loop, where they take it, instantiate
 * the kernel on it and come back (READY, whose count gives each its number). The pool starts its
 * helpers at its first product, so a run whose products are all small starts none.
 */

const GEN = 0;
const DONE = 1;
const READY = 2;
const FAILED = 3;
const CMD = 4;
const PARTS = 5;
const THREADS = 6;
/** The open task's number, 1 … TASK_MAX in turn (`claimedPart`). */
const TASK = 7;
/**
 * The task's arguments. A product: a, as, at, b, bs, c, cs, bias, rows, cols, T (parallel.ts
 * `wasmProduct`), the element's bytes, the tile's width, then, for a product over a layer's
 * column bands, the rows of b's and of c's banded blocks (0: not banded) and 1, then the
 * weights', m's and v's offsets and 1 (STEP_FLAG) for a gradient's product that takes the
 * optimiser's step, followed by Wᵀ, dE/db, b, mb and vb (`steppedPart`; the scalars as an
 * optimiser step's), or −1, −1, −1 and 0 for any other, then, at ACT_CODE, the inlined
 * activation each part takes on its columns (`BandActivation`: code, y, gp, rows, units; code 0
 * for none). A plain product has 0, 0, 0 after the tile's width, then at GATE its gate
 * (`ProductGate`: gp, δ, rows, columns; gp −1 for none). An activation:
 * its code, z, y, gp, n, K, Kp (activate.ts `activateRows`). An optimiser step: p, g, m, v, n
 * (update.ts `updateRange`), the rows of the tensor's banded blocks (0: not banded), its columns
 * and the tile's width, with its scalars in the block's float64 part, in STEP_SCALARS' order. A
 * row chain: its plan's place in int32 values, the pass's rows and the rows of the views to make
 * (`chainBand`). A product over column bands has at LIST how it reads a.
 */
const ARGS = 8;
/** Past ARGS, in a product over column bands: 1 when each band is followed by the optimiser's step on it (`steppedPart`). */
const STEP_FLAG = 19;
/** Past ARGS, in a product over column bands without a step: the activation its parts take (`BandActivation`), its code 0 for none. */
const ACT_CODE = 20;
/** Past ARGS, in a plain product: the gate its parts take (`ProductGate`), its gp −1 for none. */
const GATE = 16;
/**
 * Past ARGS, in a product over column bands: how a is read (0 plain, 1 through a list of its
 * rows, 2 of its columns: parallel.ts `AList`), then the list's place in int32 values.
 */
const LIST = 25;
const LIST_MODES = [undefined, 'rows', 'cols'] as const;
/**
 * Past ARGS, in a product over column bands: where each band's parts write the transpose of a's
 * listed rows (`TransposedRows`: Xᵀ of band 0, elements between Xᵀ's rows and between the
 * bands' copies; −1: nowhere), then the elements between the bands' a (band t reads a + t·that).
 */
const XT = 27;
const A_BAND = 30;
/** Each thread's claim counter: thread g's at GROUPS + g (parallel.ts `threadsOf` allows 64 threads). */
const GROUPS = 40;
/** 1 while the threads sum their time inside parts (`ProductPool.timeParts`, between tasks: read once a task); one more int32 puts the floats on 8 bytes. */
const TIMING = GROUPS + 64;
const CONTROL_INTS = TIMING + 2;
/** The control block's float64 values, after its CONTROL_INTS int32 ones: a step's scalars, then thread g's milliseconds inside parts at BUSY + g. */
const BUSY = 16;
const CONTROL_FLOATS = BUSY + 64;

/** Parts per band in a task over a layer's column bands: a few, so that a late thread's band can be shared out. */
const PARTS_PER_BAND = 4;

const CMD_PRODUCT = 1;
const CMD_RELEASE = 2;
const CMD_ACTIVATE = 3;
const CMD_UPDATE = 4;
const CMD_CHAIN = 5;
/**
 * A layer's weight gradient with its optimiser step, Wᵀ and its biases, the whole layer one part
 * (`steppedPart` over one band of all its columns): the output layer's, which the run's thread
 * leaves to a helper while it goes on with the step's bookkeeping and the next pass's rows
 * (`ProductPool.startLayerStep`).
 */
const CMD_LAYER = 6;
/** Parts per thread of a pass's row chain (chain.ts): bands of a few tiles of rows, so that a late thread's rows can be shared out. */
const CHAIN_PARTS_PER_THREAD = 2;
/** A claim counter holds its task's number above these bits and the claims made on it below (`claimedPart`). */
const CLAIM_BITS = 16;
const CLAIM_MASK = (1 << CLAIM_BITS) - 1;
/** Task numbers wrap after this: a claim is stale by microseconds, never by 16,383 tasks. */
const TASK_MAX = (1 << 14) - 1;
/** A claim counter before the first task: its number, 16,384, is never a task's. */
const CLOSED = 1 << 30;

/** Loads of GEN (or DONE) before sleeping on it: some tens of microseconds, about one small product. */
const SPIN = 20000;

/**
 * A shared WebAssembly memory and the module compiled for it: elements of `bytes`, tiles `width`
 * columns wide; `steps`, the calling thread's instance's optimiser steps (step-simd.ts), for the
 * parts that thread takes (each helper takes its own instance's).
 */
export interface SharedKernel {
  memory: object;
  module: object;
  bytes: number;
  width: number;
  steps?: WasmSteps;
  /** The calling thread's instance's kernels that read a through a list. */
  listed?: WasmListed;
}

/** What a helper is sent: the control block and the kernel to bind. */
interface BindMessage {
  control: SharedArrayBuffer;
  memory: object;
  module: object;
  /** The element's bytes: 8, or 4 in float32. */
  bytes: number;
}

/** A WebAssembly memory's elements (8 bytes: float64; 4: float32). */
function viewOf(memory: object, bytes: number): Floats {
  const { buffer } = memory as { buffer: ArrayBuffer };
  return bytes === 4 ? new Float32Array(buffer) : new Float64Array(buffer);
}

/** What a thread computes its parts with: its instance of the kernel, and views of the shared memory and of the control block's floats. */
interface Worker {
  wasm: WasmGemm;
  /** Its instance's tanh (tanh-simd.ts, tanh32-simd.ts) and σ (sigmoid-simd.ts). */
  simd?: WasmActivations;
  /** Its instance's optimiser steps (step-simd.ts). */
  steps?: WasmSteps;
  /** Its instance's kernels that read a through a list (wasm.ts `listedOf`). */
  listed?: WasmListed;
  heap: Floats;
  /** The same memory as int32 values (a row chain's plan). */
  ints: Int32Array;
  floats: Float64Array;
  /** Where a helper unpacks a step's scalars (the calling thread passes its own to `update`). */
  scalars: StepScalars;
  /** Room for a band's bias sums (`steppedPart`). */
  sums: Float64Array;
  /** The row chains' plans this thread has read (chain.ts), by their offset in the memory's int32 values, with its views of their rows. */
  chains?: Map<number, { plan: ChainPlan; views: RowViews }>;
}

/**
 * Claims and computes parts of the open task until none is left, each counted in DONE: the parts
 * of thread `self`'s own group first (`band` of the parts: thread g's are the g-th of `threads`
 * runs of them), then the other groups' in turn.
 */
function computeParts(ctl: Int32Array, w: Worker, self: number): void {
  const threads = ctl[THREADS];
  const timed = Atomics.load(ctl, TIMING) === 1;
  for (let k = 0; k < threads; k++) {
    const g = (self + k) % threads;
    for (;;) {
      const claim = Atomics.add(ctl, GROUPS + g, 1);
      // Read after the claim: a helper that woke for one task may have claimed a part of the
      // next, whose kind and arguments were all written before it was opened. PARTS before
      // TASK: the caller writes TASK first, so a claim still of the open task reads its parts.
      const parts = Atomics.load(ctl, PARTS);
      const i = claimedPart(claim, Atomics.load(ctl, TASK), parts, threads, g);
      if (i < 0) break;
      const cmd = Atomics.load(ctl, CMD);
      const t0 = timed ? performance.now() : 0;
      try {
        if (cmd === CMD_ACTIVATE) activationBand(ctl, w, parts, i);
        else if (cmd === CMD_UPDATE) updateBand(ctl, w, parts, i);
        else if (cmd === CMD_CHAIN) chainBand(ctl, w, parts, i);
        else if (cmd === CMD_LAYER) steppedPart(ctl, w, ctl[ARGS], 0, ctl[ARGS + 9], 0, 1);
        else productBand(ctl, w, parts, i);
      } catch {
        Atomics.store(ctl, FAILED, 1);
      }
      if (timed) w.floats[BUSY + self] += performance.now() - t0;
      Atomics.add(ctl, DONE, 1);
      Atomics.notify(ctl, DONE);
    }
  }
}

/**
 * The part a claim on group g's counter gives (`computeParts`), or −1 for none: the counter holds
 * its task's number above CLAIM_BITS and the claims made on it below, so a claim made on a task
 * that has since ended counts for nothing, even once the next task is open. (Without the number, a
 * claim past the end of a task of 2 parts, made just before the caller opened one of 8, read the
 * new task's parts and computed one of them, which its own claimer computed again: DONE passed
 * the number of parts and the caller waited for ever.)
 */
export function claimedPart(claim: number, task: number, parts: number, threads: number, g: number): number {
  if (claim >>> CLAIM_BITS !== task) return -1;
  const [from, to] = band(parts, threads, g);
  const i = from + (claim & CLAIM_MASK);
  return i < to ? i : -1;
}

/** The claim counter of group g for task `task` when it opens: no claim made yet. */
export function openCounter(task: number): number {
  return task << CLAIM_BITS;
}

/**
 * Part i of a task over a layer's column bands, `parts` of them for `threads` bands: band t (the
 * part's group, so thread t's own) and sub-band s of the parts per band.
 */
function bandPart(parts: number, threads: number, i: number): { t: number; s: number; per: number } {
  const per = parts / threads;
  return { t: Math.floor(i / per), s: i % per, per };
}

/**
 * Part i of the open product: a band of c (parallel.ts `productPart`), or, over a layer's column
 * bands, a sub-band of the columns of band t, with b and c read in their banded blocks where they are kept so.
 */
function productBand(ctl: Int32Array, w: Worker, parts: number, i: number): void {
  const o = ARGS;
  const wasm = w.wasm;
  const [as, at, b, bs, c, cs, bias, rows, cols, T, e, width] = [ctl[o + 1], ctl[o + 2], ctl[o + 3], ctl[o + 4], ctl[o + 5], ctl[o + 6], ctl[o + 7], ctl[o + 8], ctl[o + 9], ctl[o + 10], ctl[o + 11], ctl[o + 12]];
  let a = ctl[o];
  if (ctl[o + 15] === 1) {
    const { t, s, per } = bandPart(parts, ctl[THREADS], i);
    const [k0, k1] = columnBand(cols, ctl[THREADS], t, width);
    a += t * ctl[o + A_BAND];
    if (ctl[o + STEP_FLAG] === 1) return steppedPart(ctl, w, a, k0, k1, s, per);
    const [q0, q1] = columnBand(k1 - k0, per, s, width);
    if (q1 <= q0) return;
    // The band's first part (the one with its first columns: a narrow band's first sub-bands may
    // have none) writes band t's copy of the transpose of a's listed rows, as it reads them.
    const xt = ctl[o + XT];
    const transpose = xt >= 0 && q0 === 0 ? { at: xt + t * ctl[o + XT + 2], stride: ctl[o + XT + 1] } : undefined;
    bandedProduct(wasm, e, a, as, at, b, bs, ctl[o + 13], c, cs, ctl[o + 14], bias, rows, k0, k1, q0, q1, T, listOf(ctl, w, transpose));
    const code = ctl[o + ACT_CODE];
    if (code !== 0) {
      // This part's columns of c (plain, rows cs apart, as y's and gp's) into y = g(z), gp = g'(z).
      const from = k0 + q0;
      const units = Math.min(k0 + q1, ctl[o + ACT_CODE + 4]) - from;
      if (units > 0) activateRows(code as InlinedCode, w.heap, c + from, ctl[o + ACT_CODE + 1] + from, ctl[o + ACT_CODE + 2] + from, 0, ctl[o + ACT_CODE + 3], units, cs, w.simd);
    }
    return;
  }
  const { r0, r1, k0, k1 } = productPart(rows, cols, parts, i, width);
  if (r1 <= r0 || k1 <= k0) return;
  wasmProduct(wasm, e, a + r0 * as, as, at, b + k0, bs, c + r0 * cs + k0, cs, bias >= 0 ? bias + k0 : bias, r1 - r0, k1 - k0, T);
  const gp = ctl[o + GATE];
  // δ = ΔX ⊙ g' on the part of ΔX just computed: bands.ts's loop, as batch.ts's, so the same bits.
  if (gp >= 0) gateBand(w.heap, c, gp, ctl[o + GATE + 1], cs, r0, Math.min(r1, ctl[o + GATE + 2]), k0, Math.min(k1, ctl[o + GATE + 3]), w.simd?.gate);
}

/**
 * Sub-band s of `per` of band [k0, k1) of a gradient's product with its step
 * (`ProductPool.bandedProduct`): the band's rows j0 … j1 − 1 of c (whole tiles: the s-th of `per`
 * runs of them), then, while they are in this core's cache, what those rows alone decide:
 *
 * - the optimiser's step on those rows of the band's block of the weights (update.ts
 *   `updateRangeWith`: in the module's SIMD steps, step-simd.ts; the weights and their state laid
 *   out as the gradient sums c, kept in banded blocks of `cRows` rows);
 * - columns j0 … j1 − 1 of Wᵀ's rows k0 … k1 − 1 (Kp × cRows, row k the weights into unit k) from
 *   the stepped weights, for the next backward pass (batch.ts `backward`), where a layer has one;
 *
 * and in sub-band 0, what the band's units decide: dE/db_k = Σ_i δ_{i,k} over the product's T
 * rows of δ (its b operand), i in order, summed in float64 and stored once, as batch.ts sums a
 * layer's in one thread — continuing the sums there when the product accumulates — and the
 * optimiser's step on b_k, λ₁ 0, where the layer has b.
 *
 * Offsets past ARGS: 16 the weights, 17 and 18 their state, 20 Wᵀ, 21 dE/db, 22 b, 23 and 24
 * its state (−1: none); the step's scalars are in the control block. Each value is computed as
 * the one-thread code computes it, so the same bits.
 */
function steppedPart(ctl: Int32Array, w: Worker, a: number, k0: number, k1: number, s: number, per: number): void {
  const o = ARGS;
  const [as, at, b, bs, c, cs, bias, rows, , T, e] = [ctl[o + 1], ctl[o + 2], ctl[o + 3], ctl[o + 4], ctl[o + 5], ctl[o + 6], ctl[o + 7], ctl[o + 8], ctl[o + 9], ctl[o + 10], ctl[o + 11]];
  if (k1 <= k0) return;
  const cRows = ctl[o + 14];
  const h = w.heap;
  const [q0, q1] = band(rows / TILE_ROWS, per, s);
  const j0 = q0 * TILE_ROWS;
  const j1 = q1 * TILE_ROWS;
  const sc = scalarsOf(w);
  const p = ctl[o + 16];
  const base = cRows * k0;
  const width = k1 - k0;
  if (j1 > j0) {
    bandedProduct(w.wasm, e, a + j0 * as, as, at, b, bs, ctl[o + 13], c + j0 * width, cs, cRows, bias, j1 - j0, k0, k1, 0, width, T, listOf(ctl, w));
    updateRangeWith(w.steps, sc, h, p, c, ctl[o + 17], ctl[o + 18], base + j0 * width, base + j1 * width);
    // The padding's rows and columns too: zeros in W and δ, so zeros in Wᵀ and dE/db, as they were.
    const WT = ctl[o + 20];
    if (WT >= 0) transposeBand(h, p + base, width, WT, cRows, k0, k1, j1, j0, w.simd?.transpose);
  }
  if (s !== 0) return;
  const gb = ctl[o + 21];
  w.sums = w.sums.length >= width ? w.sums : new Float64Array(width);
  columnSums(h, w.sums, b, bs, T, k0, k1, gb, bias === ACCUMULATE, w.simd?.colsums);
  const pb = ctl[o + 22];
  if (pb >= 0) {
    sc.l1 = 0;
    updateRangeWith(w.steps, sc, h, pb, gb, ctl[o + 23], ctl[o + 24], k0, k1);
  }
}

/** Columns k0 + q0 … k0 + q1 − 1 of a product whose columns are cut into bands, band [k0, k1) here (parallel.ts `bandOperands`). */
function bandedProduct(wasm: WasmGemm, e: number, a: number, as: number, at: number, b: number, bs: number, bRows: number, c: number, cs: number, cRows: number, bias: number, rows: number, k0: number, k1: number, q0: number, q1: number, T: number, list?: AList): void {
  const [bt, bst, ct, cst, biast] = bandOperands(b, bs, bRows, c, cs, cRows, bias, k0, k1, q0);
  wasmProduct(wasm, e, a, as, at, bt, bst, ct, cst, biast, rows, q1 - q0, T, list);
}

/** The open product's list of a's rows or columns (`LIST`), for thread `w`'s kernels, with where to write their transpose if anywhere; undefined when a is plain. */
function listOf(ctl: Int32Array, w: Worker, transpose?: AList['transpose']): AList | undefined {
  const mode = LIST_MODES[ctl[ARGS + LIST]];
  if (!mode) return undefined;
  if (!w.listed) throw new Error('the kernel has no listed form');
  return { kernels: w.listed, mode, at: ctl[ARGS + LIST + 1], transpose };
}

/** Part i of the open activation: a band of its rows (parallel.ts `band`). */
function activationBand(ctl: Int32Array, w: Worker, parts: number, i: number): void {
  const o = ARGS;
  const [r0, r1] = band(ctl[o + 4], parts, i);
  activateRows(ctl[o] as InlinedCode, w.heap, ctl[o + 1], ctl[o + 2], ctl[o + 3], r0, r1, ctl[o + 5], ctl[o + 6], w.simd);
}

/**
 * Part i of the open row chain (chain.ts `chainRows`): a band of whole tiles of the pass's rows.
 * Arguments: the plan's offset in int32 values, the pass's rows n, and the rows of the views to
 * make (the workspace's capacity, padded).
 */
function chainBand(ctl: Int32Array, w: Worker, parts: number, i: number): void {
  const o = ARGS;
  const at = ctl[o];
  const chains = (w.chains ??= new Map());
  let known = chains.get(at);
  if (!known) {
    const plan = readChainPlan(w.ints, at);
    known = { plan, views: rowViews(w.heap, plan, ctl[o + 2]) };
    chains.set(at, known);
  }
  const n = ctl[o + 1];
  const [q0, q1] = band(((n + 3) & ~3) / TILE_ROWS, parts, i);
  chainRows({ wasm: w.wasm, simd: w.simd, heap: w.heap as Float64Array }, known.plan, known.views, n, q0 * TILE_ROWS, q1 * TILE_ROWS);
}

/**
 * Part i of the open optimiser step: a band of the tensor's elements, or, for a tensor kept in
 * column bands, a run of band t's block (contiguous); the step's scalars read from the control block.
 */
function updateBand(ctl: Int32Array, w: Worker, parts: number, i: number): void {
  const o = ARGS;
  const s = scalarsOf(w);
  let i0: number;
  let i1: number;
  const bandRows = ctl[o + 5];
  if (bandRows > 0) {
    const { t, s: sub, per } = bandPart(parts, ctl[THREADS], i);
    const [k0, k1] = columnBand(ctl[o + 6], ctl[THREADS], t, ctl[o + 7]);
    const [j0, j1] = band(bandRows * (k1 - k0), per, sub);
    [i0, i1] = [bandRows * k0 + j0, bandRows * k0 + j1];
  } else [i0, i1] = band(ctl[o + 4], parts, i);
  updateRangeWith(w.steps, s, w.heap, ctl[o], ctl[o + 1], ctl[o + 2], ctl[o + 3], i0, i1);
}

/** A step's scalars into the control block's floats, in STEP_SCALARS' order, for the threads. */
function packScalars(floats: Float64Array, s: StepScalars): void {
  STEP_SCALARS.forEach((key, j) => (floats[j] = s[key]));
}

/** The open task's step scalars, unpacked from the control block into thread `w`'s own object. */
function scalarsOf(w: Worker): StepScalars {
  const s = w.scalars;
  STEP_SCALARS.forEach((key, j) => (s[key] = w.floats[j]));
  return s;
}

/** The control block over `buffer`: its int32 values and its float64 ones. */
function controlViews(buffer: SharedArrayBuffer): { ctl: Int32Array; floats: Float64Array } {
  return { ctl: new Int32Array(buffer, 0, CONTROL_INTS), floats: new Float64Array(buffer, 4 * CONTROL_INTS, CONTROL_FLOATS) };
}

/**
 * The optimiser's step to take on each part of a gradient's product over column bands as soon as
 * it is computed (update.ts `updateRange` on the parameters at p, state at m and v, the product's
 * c the gradient sums): the tensor's bands laid out as the gradient's.
 */
export interface BandStep {
  scalars: StepScalars;
  p: number;
  m: number;
  v: number;
  /** Wᵀ to write from the stepped weights (−1: none); dE/db to sum from δ (the product's b); b and its state to step (−1: none). */
  WT: number;
  gb: number;
  b: number;
  mb: number;
  vb: number;
}

/**
 * The inlined activation (activate.ts `activateRows`) each part of a forward product over column
 * bands takes on the columns it has computed: y = g(z), gp = g'(z) for rows 0 … n − 1 and the
 * part's columns below K, z the product's c and y, gp rows as far apart as c's.
 */
export interface BandActivation {
  code: InlinedCode;
  y: number;
  gp: number;
  n: number;
  K: number;
}

/**
 * The gate each part of a plain product takes on the elements of c it has computed (bands.ts
 * `gateBand`): δ = c ⊙ gp for rows below n and columns below K, gp and δ rows as far apart as c's.
 */
export interface ProductGate {
  gp: number;
  delta: number;
  n: number;
  K: number;
}

export class ProductPool {
  private readonly control: Int32Array;
  private readonly helpers: HelperThread[] = [];
  private bound?: SharedKernel;
  private view?: { kernel: SharedKernel; worker: Worker };

  private readonly floats: Float64Array;
  /** The last task's number (`claimedPart`). */
  private task = 0;
  /** A task opened and not yet waited for (`startLayerStep`): its parts, and this thread's worker for them. */
  private pending?: { parts: number; self: Worker };

  constructor(
    readonly threads: number,
    private readonly spawn: () => HelperThread,
  ) {
    ({ ctl: this.control, floats: this.floats } = controlViews(new SharedArrayBuffer(4 * CONTROL_INTS + 8 * CONTROL_FLOATS)));
    this.control[THREADS] = threads;
    for (let g = 0; g < threads; g++) this.control[GROUPS + g] = CLOSED;
  }

  /**
   * c = init + a·b (parallel.ts `wasmProduct`'s arguments) on `kernel`'s memory, in parts
   * computed by this thread (through `wasm`) and the helpers; with `gate`, each part then takes
   * δ = c ⊙ gp on its elements (`ProductGate`).
   */
  product(kernel: SharedKernel, wasm: WasmGemm, a: number, as: number, at: number, b: number, bs: number, c: number, cs: number, bias: number, rows: number, cols: number, T: number, gate?: ProductGate): void {
    const args = [a, as, at, b, bs, c, cs, bias, rows, cols, T, kernel.bytes, kernel.width, 0, 0, 0];
    if (gate) args.push(gate.gp, gate.delta, gate.n, gate.K);
    else args.push(-1);
    this.run(kernel, CMD_PRODUCT, args, partsFor(rows, cols, this.threads, kernel.width), this.self(kernel, wasm));
  }

  /**
   * The same product over a layer's column bands, one per thread (parallel.ts `columnBand`),
   * band t first to thread t, with b or c kept in banded blocks of `bRows` or `cRows` rows (0:
   * plain, rows bs or cs apart): each thread reads and writes its own blocks. With `step`, each
   * part of a gradient's product takes the optimiser's step on it (`steppedPart`); with `act`
   * (c plain; with no step, which takes the place of its arguments), each part takes the
   * activation of its columns (`BandActivation`), through `simd`, this thread's WebAssembly tanh
   * and σ, where it has them.
   */
  bandedProduct(kernel: SharedKernel, wasm: WasmGemm, a: number, as: number, at: number, b: number, bs: number, bRows: number, c: number, cs: number, cRows: number, bias: number, rows: number, cols: number, T: number, step?: BandStep, act?: BandActivation, simd?: WasmActivations, list?: ListedRows, aBand = 0): void {
    const args = [a, as, at, b, bs, c, cs, bias, rows, cols, T, kernel.bytes, kernel.width, bRows, cRows, 1];
    if (step) args.push(step.p, step.m, step.v, 1, step.WT, step.gb, step.b, step.mb, step.vb);
    else if (act) args.push(-1, -1, -1, 0, act.code, act.y, act.gp, act.n, act.K);
    else args.push(-1, -1, -1, 0, 0, 0, 0, 0, 0);
    const xt = list?.transpose;
    args.push(list ? LIST_MODES.indexOf(list.mode) : 0, list?.at ?? 0, xt?.at ?? -1, xt?.stride ?? 0, xt?.band ?? 0, aBand);
    if (step) this.packScalars(step.scalars);
    // A gradient's product with its step in PARTS_PER_BAND parts per band too (`steppedPart`: a
    // run of the band's rows each), not one: with one, a thread on a core that runs slower (a
    // shared machine's busy core, a hybrid processor's efficiency core) held the step up, and the
    // other could not take any of its part. Here, in a phase where one core ran the kernel at
    // 17 GFLOP/s and the other at 24, the run's thread waited about 100 µs a step for its helper
    // in that product; four parts per band made the 784-128-64-10 network's step on 2 threads
    // 1.11× faster (bench/ab.js, 20 rounds), and 0.99× when both cores ran alike.
    this.run(kernel, CMD_PRODUCT, args, this.threads * PARTS_PER_BAND, this.self(kernel, wasm, simd));
  }

  /** y = g(z), gp = g'(z) over rows 0 … n−1 (activate.ts `activateRows`'s arguments), in bands of rows. */
  activate(kernel: SharedKernel, wasm: WasmGemm, code: InlinedCode, z: number, y: number, gp: number, n: number, K: number, Kp: number, simd?: WasmActivations): void {
    this.run(kernel, CMD_ACTIVATE, [code, z, y, gp, n, K, Kp], rowPartsFor(n, this.threads), this.self(kernel, wasm, simd));
  }

  /**
   * One optimiser step on the n values at p (update.ts `updateRange`'s arguments), in bands of
   * elements; a tensor kept in column bands (`bandRows` > 0 rows, `cols` columns) in runs of each
   * band's block, band t first to thread t.
   */
  update(kernel: SharedKernel, wasm: WasmGemm, s: StepScalars, p: number, g: number, m: number, v: number, n: number, bandRows = 0, cols = 0): void {
    this.packScalars(s);
    const parts = bandRows > 0 ? this.threads * PARTS_PER_BAND : rowPartsFor(n, this.threads);
    this.run(kernel, CMD_UPDATE, [p, g, m, v, n, bandRows, cols, kernel.width], parts, this.self(kernel, wasm));
  }

  /**
   * A pass of n rows through the row chain whose plan is at int32 offset `plan` of `kernel`'s
   * float64 memory (chain.ts `chainRows`), in bands of whole tiles of rows; `capacity`, the
   * padded rows a pass may have, for each thread's views of them.
   */
  chain(kernel: SharedKernel, wasm: WasmGemm, plan: number, n: number, capacity: number, simd?: WasmActivations): void {
    const tiles = ((n + 3) & ~3) / TILE_ROWS;
    this.run(kernel, CMD_CHAIN, [plan, n, capacity], Math.min(tiles, CHAIN_PARTS_PER_THREAD * this.threads), this.self(kernel, wasm, simd));
  }

  /**
   * A layer kept whole (one band of all its columns, rows of `cols` values) has its weight
   * gradient c = init + a·b computed and its optimiser step taken (`BandStep`: the weights and
   * biases stepped, Wᵀ written, dE/db summed) in one part, which a helper takes (`CMD_LAYER`),
   * while this thread goes on: the task stays open until `settle`, which the next task does first.
   * The arguments are `bandedProduct`'s, with c's rows as its block's.
   */
  startLayerStep(kernel: SharedKernel, wasm: WasmGemm, a: number, as: number, at: number, b: number, bs: number, c: number, cRows: number, bias: number, rows: number, cols: number, T: number, step: BandStep, simd?: WasmActivations): void {
    const args = [a, as, at, b, bs, c, cols, bias, rows, cols, T, kernel.bytes, kernel.width, 0, cRows, 1, step.p, step.m, step.v, 1, step.WT, step.gb, step.b, step.mb, step.vb, 0, 0, -1, 0, 0, 0];
    this.packScalars(step.scalars);
    this.open(kernel, CMD_LAYER, args, 1);
    this.pending = { parts: 1, self: this.self(kernel, wasm, simd) };
  }

  /** Starts (from zero) or stops summing each thread's time inside its parts (`partTimes`, for the bench): two clock reads a part while on. */
  timeParts(on: boolean): void {
    this.settle();
    if (on) this.floats.fill(0, BUSY, BUSY + this.threads);
    Atomics.store(this.control, TIMING, on ? 1 : 0);
  }

  /** Each thread's milliseconds inside parts since `timeParts(true)`, this thread's first (each adds its own before counting the part done). */
  partTimes(): number[] {
    this.settle();
    return Array.from(this.floats.subarray(BUSY, BUSY + this.threads));
  }

  /** A step's scalars into the control block, once the task left open (which may be reading them) is done. */
  private packScalars(s: StepScalars): void {
    this.settle();
    packScalars(this.floats, s);
  }

  /**
   * Waits for the task `startLayerStep` left open, taking its part here if no helper has: after
   * this, what it wrote is seen here. Every other task first does this.
   */
  settle(): void {
    const p = this.pending;
    if (!p) return;
    this.pending = undefined;
    this.finish(p.parts, p.self);
  }

  /** Opens a task of `parts` parts to the helpers, computes parts of it here too, and waits until all are done. */
  private run(kernel: SharedKernel, cmd: number, args: readonly number[], parts: number, self: Worker): void {
    this.open(kernel, cmd, args, parts);
    this.finish(parts, self);
  }

  /** Computes parts of the open task here until none is left to claim, then waits until all `parts` are done. */
  private finish(parts: number, self: Worker): void {
    computeParts(this.control, self, 0);
    this.waitFor(DONE, parts);
    if (Atomics.load(this.control, FAILED)) throw new Error('a helper thread failed on its part of a task');
  }

  /** Writes a task into the control block and wakes the helpers to it (after the task left open, if any). */
  private open(kernel: SharedKernel, cmd: number, args: readonly number[], parts: number): void {
    this.settle();
    if (this.bound !== kernel) this.bind(kernel);
    const ctl = this.control;
    // The task's number first: from here, a late claim on the last task's counters is stale.
    this.task = (this.task % TASK_MAX) + 1;
    Atomics.store(ctl, TASK, this.task);
    for (let j = 0; j < args.length; j++) ctl[ARGS + j] = args[j];
    Atomics.store(ctl, PARTS, parts);
    Atomics.store(ctl, DONE, 0);
    Atomics.store(ctl, CMD, cmd);
    for (let g = 0; g < this.threads; g++) Atomics.store(ctl, GROUPS + g, openCounter(this.task));
    Atomics.add(ctl, GEN, 1);
    Atomics.notify(ctl, GEN);
  }

  /** This thread's kernel and views for `kernel`'s memory. */
  private self(kernel: SharedKernel, wasm: WasmGemm, simd?: WasmActivations): Worker {
    if (this.view?.kernel !== kernel) {
      const heap = viewOf(kernel.memory, kernel.bytes);
      this.view = { kernel, worker: { wasm, steps: kernel.steps, listed: kernel.listed, heap, ints: intsOf(heap), floats: this.floats, scalars: newStepScalars(), sums: new Float64Array(0) } };
    }
    if (simd) this.view.worker.simd = simd;
    return this.view.worker;
  }

  /** Starts the helpers (the first time) and gives them `kernel`'s memory. */
  private bind(kernel: SharedKernel): void {
    const ctl = this.control;
    while (this.helpers.length < this.threads - 1) {
      const h = this.spawn();
      h.unref?.();
      this.helpers.push(h);
    }
    Atomics.store(ctl, READY, 0);
    for (const h of this.helpers) h.postMessage({ control: ctl.buffer as SharedArrayBuffer, memory: kernel.memory, module: kernel.module, bytes: kernel.bytes } satisfies BindMessage);
    if (this.bound) {
      Atomics.store(ctl, CMD, CMD_RELEASE);
      Atomics.add(ctl, GEN, 1);
      Atomics.notify(ctl, GEN);
    }
    this.waitFor(READY, this.helpers.length);
    this.bound = kernel;
  }

  /** Spins, then sleeps, until control[at] is `count`. */
  private waitFor(at: number, count: number): void {
    const ctl = this.control;
    for (let i = 0; i < SPIN; i++) if (Atomics.load(ctl, at) === count) return;
    for (;;) {
      const now = Atomics.load(ctl, at);
      if (now === count) return;
      Atomics.wait(ctl, at, now);
    }
  }
}

let pool: ProductPool | undefined;

/** The pool of this thread under the current settings (parallel.ts `setThreads`), or undefined for one thread. */
export function productPool(): ProductPool | undefined {
  const s = threadSettings();
  if (s.threads < 2 || !s.spawn) return undefined;
  if (pool?.threads !== s.threads) pool = new ProductPool(s.threads, s.spawn);
  return pool;
}

/**
 * A helper thread's side: `onMessage` is how its host delivers messages (Node: parentPort.on). For
 * each kernel it is sent, it instantiates the module on the memory and computes its parts of
 * products until it is told to take the next message.
 */
export function serveProducts(onMessage: (handler: (message: unknown) => void) => void): void {
  onMessage((message) => {
    const { control, memory, module, bytes } = message as BindMessage;
    const api = wasmApi()!;
    const { ctl, floats } = controlViews(control);
    const { exports } = new api.Instance(module, { env: { memory } });
    const heap = viewOf(memory, bytes);
    const self: Worker = { wasm: exports.gemm as WasmGemm, simd: activationsOf(exports), steps: stepsOf(exports), listed: listedOf(exports), heap, ints: intsOf(heap), floats, scalars: newStepScalars(), sums: new Float64Array(0) };
    let seen = Atomics.load(ctl, GEN);
    // Its number among the threads (the caller is 0): which group of a task's parts it takes first.
    const id = Atomics.add(ctl, READY, 1) + 1;
    Atomics.notify(ctl, READY);
    for (;;) {
      let spins = 0;
      while (Atomics.load(ctl, GEN) === seen) {
        if (++spins > SPIN) Atomics.wait(ctl, GEN, seen);
      }
      seen = Atomics.load(ctl, GEN);
      if (Atomics.load(ctl, CMD) === CMD_RELEASE) return;
      computeParts(ctl, self, id);
    }
  });
}
