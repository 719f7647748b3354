import { expm1 } from './expm1';

/**
 * tanh(z) and its derivative sech²(z) = 1 − tanh²(z) from one e^{∓2|z|} − 1 (expm1.ts), where
 * Math.tanh and a separate Math.exp for the derivative took two calls: the tanh layers of a
 * training step spent most of their time in them. With x = |z|:
 *
 *   x ≥ 1:         a = 2 / (expm1(2x) + 2) = 1 − |tanh z|,  |tanh z| = 1 − a,  sech² = a(2 − a);
 *   2⁻²⁸ ≤ x < 1:  t = expm1(−2x),  |tanh z| = −t / (t + 2),  sech² = (1 − |tanh z|)(1 + |tanh z|);
 *   x < 2⁻²⁸:      tanh z = z,  sech² = (1 − x)(1 + x)  (which is 1).
 *
 * Where tanh saturates, a keeps its relative precision (it is computed, not taken from 1 − |t|,
 * which rounds to 0 at x ≈ 19), so sech² does too until it underflows; below 1, |tanh| < 0.77 and
 * 1 − |tanh| ≥ 0.24 loses at most two bits: sech² is within about 6 roundings everywhere. These
 * are the formulas Math.tanh itself uses in Node (V8's fdlibm tanh), and expm1.ts is V8's
 * Math.expm1 bit for bit, so the value is Math.tanh's bit for bit there — test/unit/kernels.test.ts
 * holds it to that on a million and a half inputs. The engine takes tanh from here everywhere
 * (activations.ts too), not from Math.tanh, so that a batch equals a probe bit for bit also where
 * a browser's Math rounds otherwise; the batch kernels' WebAssembly tanh (tanh-simd.ts) repeats
 * these operations two elements at a time. Imports only expm1.ts, so a helper thread (pool.ts)
 * can run it alone.
 */

/** 2⁻²⁸: below it tanh z rounds to z. */
export const TINY = 3.725290298461914e-9;

/** From this |z| on (and for NaN) the WebAssembly tanh (tanh-simd.ts) leaves an element to `tanhWithSech2`: below it, e^{2|z|} − 1 takes one of expm1's common forms. */
export const TANH_SIMD_MAX = 19;

/** tanh(z), with sech²(z) written to out[at]: one expm1 for both (formulas above). */
export function tanhWithSech2(z: number, out: Float64Array, at: number): number {
  const x = Math.abs(z);
  let r: number;
  if (x >= 1) {
    const a = 2 / (expm1(2 * x) + 2);
    r = 1 - a;
    out[at] = a * (2 - a);
  } else if (x >= TINY) {
    const t = expm1(-2 * x);
    r = -t / (t + 2);
    out[at] = (1 - r) * (1 + r);
  } else {
    out[at] = (1 - x) * (1 + x);
    return z; // −0 stays −0; NaN stays NaN
  }
  return z < 0 ? -r : r;
}

const scratch = new Float64Array(1);

/** tanh(z), as `tanhWithSech2` computes it. */
export function tanh(z: number): number {
  return tanhWithSech2(z, scratch, 0);
}

/** sech²(z) = 1 − tanh²(z) = tanh'(z), as `tanhWithSech2` computes it. */
export function sech2(z: number): number {
  tanhWithSech2(z, scratch, 0);
  return scratch[0];
}
