import type { Floats } from './floats';
import { sigmoid32, tanh32, TANH_ONE } from './float32-math';
import { TANH_SIMD_MAX, tanhWithSech2 } from './tanh';
import { TANH_BLOCK } from './simd-rows';
import { exp, EXP_MAX } from './exp';
import type { WasmActivations, WasmRows } from './wasm';

/**
 * The built-in activations the batch kernels inline, over rows of a Bp × Kp block: y = g(z) and
 * g'(z), with activations.ts's arithmetic, bit for bit. σ(z) and σ(−z) (its derivative is
 * σ(z)·σ(−z)) share one e^{∓z}; tanh and tanh' = 1 − tanh² share one polynomial or e^{−2|z|} (tanh.ts). In float32 the
 * derivatives are PyTorch's backward formulas over the stored float32 y instead, tanh' = 1 − y²
 * and σ' = (1 − y)·y, as torch's tanh_backward and sigmoid_backward compute them.
 *
 * Each element depends on its own z only, so any cut of the rows between threads (pool.ts) gives
 * the same bits; the module imports nothing of the engine, so a helper thread can run it alone.
 */

/** The inlined activations, by the number the thread pool's control block carries. */
export const INLINED = { tanh: 1, sigmoid: 2 } as const;
export type InlinedCode = (typeof INLINED)[keyof typeof INLINED];

/** The code of a built-in activation the kernels inline, or undefined for one they call. */
export function inlinedCode(builtin: string | undefined): InlinedCode | undefined {
  return builtin === 'tanh' || builtin === 'sigmoid' ? INLINED[builtin] : undefined;
}

/** Rows r0 … r1−1 of z into y = g(z) and gp = g'(z) (offsets into h; rows Kp apart, K values each). */
export function activateRows(code: InlinedCode, h: Floats, z: number, y: number, gp: number, r0: number, r1: number, K: number, Kp: number, simd?: WasmActivations): void {
  if (h instanceof Float32Array) {
    if (simd?.tanh && code === INLINED.tanh) simdRows(simd.tanh, h, TANH_ONE, (...a) => activateRows32(code, h, ...a), z, y, gp, r0, r1, K, Kp);
    else activateRows32(code, h, z, y, gp, r0, r1, K, Kp);
  } else if (code === INLINED.sigmoid) {
    if (simd?.sigmoid) simdRows(simd.sigmoid, h, EXP_MAX, (...a) => sigmoidRows(h, ...a), z, y, gp, r0, r1, K, Kp);
    else sigmoidRows(h, z, y, gp, r0, r1, K, Kp);
  } else if (simd?.tanh) simdRows(simd.tanh, h, TANH_SIMD_MAX, (...a) => tanhRows(h, ...a), z, y, gp, r0, r1, K, Kp);
  else tanhRows(h, z, y, gp, r0, r1, K, Kp);
}

/** Rows of an activation computed here, with activateRows' arguments after h. */
type RowsHere = (z: number, y: number, gp: number, r0: number, r1: number, K: number, Kp: number) => void;

/**
 * tanh or σ through the module's WebAssembly function (tanh-simd.ts in float64, tanh32-simd.ts in
 * float32; sigmoid-simd.ts), whose bits are those of the code here (`here`): each row's blocks of
 * TANH_BLOCK elements there, then here the rest of the row and, when it says it left some
 * (|z| ≥ `max`, NaN), those.
 */
function simdRows(simd: WasmRows, h: Floats, max: number, here: RowsHere, z: number, y: number, gp: number, r0: number, r1: number, K: number, Kp: number): void {
  const blocks = Math.floor(K / TANH_BLOCK);
  const done = blocks * TANH_BLOCK;
  const e = h.BYTES_PER_ELEMENT;
  const left = blocks > 0 && simd(e * (z + r0 * Kp), e * (y + r0 * Kp), e * (gp + r0 * Kp), r1 - r0, blocks, e * Kp) !== 0;
  for (let i = r0; i < r1; i++) {
    const o = i * Kp;
    if (left) for (let k = 0; k < done; k++) if (!(Math.abs(h[z + o + k]) < max)) here(z + o + k, y + o + k, gp + o + k, 0, 1, 1, 1);
    if (done < K) here(z + o + done, y + o + done, gp + o + done, 0, 1, K - done, Kp);
  }
}

/** σ(z) = 1 / (1 + e^{−z}) and σ'(z) = σ(z)·σ(−z), from one e^{−|z|} (exp.ts). */
function sigmoidRows(h: Float64Array, z: number, y: number, gp: number, r0: number, r1: number, K: number, Kp: number): void {
  for (let i = r0; i < r1; i++) {
    const o = i * Kp;
    for (let k = 0; k < K; k++) {
      const zk = h[z + o + k];
      let p: number;
      let q: number;
      if (zk >= 0) {
        const e = exp(-zk);
        p = 1 / (1 + e);
        q = e / (1 + e);
      } else {
        const e = exp(zk);
        p = e / (1 + e);
        q = 1 / (1 + e);
      }
      h[y + o + k] = p;
      h[gp + o + k] = p * q;
    }
  }
}

/** tanh(z), and tanh'(z) = 1 − tanh² (tanh.ts: from one polynomial or one e^{−2|z|}), exact where 1 − tanh² would round to 0. */
function tanhRows(h: Float64Array, z: number, y: number, gp: number, r0: number, r1: number, K: number, Kp: number): void {
  for (let i = r0; i < r1; i++) {
    const o = i * Kp;
    for (let k = 0; k < K; k++) h[y + o + k] = tanhWithSech2(h[z + o + k], h, gp + o + k);
  }
}

/**
 * tanh or σ into a float32 block, to float32 accuracy (float32-math.ts) and rounded to it, each
 * derivative from the rounded y: 1 − y² and (1 − y)·y.
 */
function activateRows32(code: InlinedCode, h: Float32Array, z: number, y: number, gp: number, r0: number, r1: number, K: number, Kp: number): void {
  const round = Math.fround;
  for (let i = r0; i < r1; i++) {
    const o = i * Kp;
    for (let k = 0; k < K; k++) {
      const zk = h[z + o + k];
      let yk: number;
      if (code === INLINED.tanh) {
        yk = round(tanh32(zk));
        h[gp + o + k] = 1 - round(yk * yk);
      } else {
        yk = round(sigmoid32(zk));
        h[gp + o + k] = round(1 - yk) * yk;
      }
      h[y + o + k] = yk;
    }
  }
}
