import type { Floats } from './floats';
import type { WasmColumnSums, WasmGate, WasmTranspose } from './wasm';

/**
 * Pieces of a layer's backward pass that a band of its units decides alone, shared by the run's
 * thread (batch.ts) and the thread that has just computed the band (pool.ts `steppedPart`, and
 * a part of ΔX for `gateBand`). Offsets and strides count elements of h; imports nothing of the
 * engine, so a helper thread runs them alone.
 */

/**
 * δ[r, k] = ΔX[r, k] · g'[r, k] for rows r0 … r1 − 1 and columns k0 … k1 − 1 (all three rows
 * `stride` apart): the backward pass's Δ_below = G_below ⊙ ΔX, one rounded multiply an element;
 * in float64 through `simd` (bands-simd.ts) where given.
 */
export function gateBand(h: Floats, dx: number, gp: number, delta: number, stride: number, r0: number, r1: number, k0: number, k1: number, simd?: WasmGate): void {
  if (simd && h instanceof Float64Array && r1 > r0) {
    // two columns at a time (bands-simd.ts), the same multiplies; this loop takes an odd last one
    const pairs = (k1 - k0) & ~1;
    const o = 8 * (r0 * stride + k0);
    simd(8 * dx + o, 8 * gp + o, 8 * delta + o, 8 * stride, r1 - r0, 8 * pairs);
    k0 += pairs;
  }
  for (let r = r0; r < r1; r++) {
    const o = r * stride;
    for (let k = k0; k < k1; k++) h[delta + o + k] = h[dx + o + k] * h[gp + o + k];
  }
}

/**
 * Wᵀ's rows k0 … k1 − 1 for rows j0 ≤ j < M of W: Wᵀ[k·Mp + j] = w_{j,k}, from the block of W at
 * `block` whose rows are `width` values long and start at column k0 (a band's own block, or the
 * whole matrix with k0 = 0); in float64 through `simd` (bands-simd.ts) where given.
 */
export function transposeBand(h: Floats, block: number, width: number, WT: number, Mp: number, k0: number, k1: number, M: number, j0 = 0, simd?: WasmTranspose): void {
  if (simd && h instanceof Float64Array && M > j0) {
    // the even rows and columns two by two (bands-simd.ts); this loop takes an odd last row or column
    const rows = (M - j0) & ~1;
    const cols = (k1 - k0) & ~1;
    if (rows > 0 && cols > 0) simd(8 * (block + j0 * width), 8 * width, 8 * (WT + k0 * Mp + j0), 8 * Mp, rows, cols);
    for (let j = j0; j < j0 + rows; j++) {
      const from = block + j * width - k0;
      for (let k = k0 + cols; k < k1; k++) h[WT + k * Mp + j] = h[from + k];
    }
    j0 += rows;
  }
  for (let j = j0; j < M; j++) {
    const from = block + j * width - k0;
    for (let k = k0; k < k1; k++) h[WT + k * Mp + j] = h[from + k];
  }
}

/**
 * dE/db_k = Σ_i δ_{i,k} for k0 ≤ k < k1, over rows i < n of δ (at `delta`, rows `stride`
 * apart), i in order, row by row (each row read once, not a column at a time): each sum taken in
 * float64 in `sums` (from 0, or from the sum at gb with `accumulate`) and stored at gb once — in
 * float32 too, as the sum of a local variable was. In float64, `simd` (bands-simd.ts, the same
 * adds in the same order) takes the columns two at a time, and this loop only an odd last one.
 */
export function columnSums(h: Floats, sums: Float64Array, delta: number, stride: number, n: number, k0: number, k1: number, gb: number, accumulate: boolean, simd?: WasmColumnSums): void {
  if (simd && h instanceof Float64Array) {
    const pairs = (k1 - k0) & ~1;
    simd(8 * (delta + k0), 8 * stride, n, 8 * pairs, 8 * (gb + k0), accumulate ? 1 : 0);
    k0 += pairs;
  }
  const w = k1 - k0;
  for (let k = 0; k < w; k++) sums[k] = accumulate ? h[gb + k0 + k] : 0;
  for (let i = 0; i < n; i++) {
    const row = delta + i * stride + k0;
    for (let k = 0; k < w; k++) sums[k] += h[row + k];
  }
  for (let k = 0; k < w; k++) h[gb + k0 + k] = sums[k];
}
