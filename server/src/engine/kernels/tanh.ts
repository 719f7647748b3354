import { exp, EXP_MAX } from './exp';

/**
 * tanh(z) and its derivative sech²(z) = 1 − tanh²(z) together, from plain arithmetic, with x = |z|:
 *
 *   x < 0.55:  s = z²,  tanh z = z + z·s·P(s),  sech² = (1 − tanh z)(1 + tanh z);
 *   x ≥ 0.55:  e = e^{−2x} (exp.ts),  a = 2e / (1 + e) = 1 − |tanh z|,  |tanh z| = 1 − a,  sech² = a(2 − a),
 *
 * P of degree 10 fitted to (tanh x − x)/x³ on [0, 0.55²] (Chebyshev, in mpmath at 60 digits;
 * TANH_POLY says how far off it is). Below 0.55, z·s·P(s) is at most a tenth of z, so its few
 * roundings reach tanh z at a tenth of their size; from 0.55 on, a ≤ 1/2 and 1 − a loses no
 * more than the bit a's roundings put in it. Where tanh saturates, a keeps its relative precision
 * (it is computed, not taken from 1 − |tanh|, which rounds to 0 at x ≈ 19), so sech² does too,
 * until e^{−2x} underflows. Both are within 1 ulp of the true tanh (test/oracle/exp.test.ts holds
 * them to that against mpmath; V8's Math.tanh is up to 2 off), sech² within 2.
 *
 * One e^{−2x} and one division, or a polynomial and none, where the fdlibm formulas Math.tanh
 * runs take an e^x − 1 whose rational approximation divides once more and branches three ways:
 * the tanh layers of a training step spent twice as long in those, the WebAssembly tanh too
 * (tanh-simd.ts repeats the operations here two elements at a time, each lane computing both
 * forms). The engine takes tanh from here everywhere (activations.ts too), not from Math.tanh,
 * so that a batch equals a probe bit for bit in every JavaScript engine. Imports only exp.ts, so
 * a helper thread (pool.ts) can run it alone.
 */

/**
 * P's coefficients, highest degree first: P(s) = ((c₀·s + c₁)·s + …)·s + c₁₀, fitted to
 * (tanh x − x)/x³ (−1/3 at 0) within 8·10⁻¹⁸ on s ∈ [0, 0.55²].
 */
export const TANH_POLY = [
  -2.060276537636634e-5, 8.511313685577672e-5, -0.0002346347410887237, 0.0005889360520074057, -0.001455661830100716,
  0.003592110378689024, -0.008863234397814355, 0.021869488493666944, -0.053968253967434016, 0.13333333333332714,
  -0.3333333333333333,
];

/** Below this |z| the polynomial, from it on e^{−2|z|}. */
export const TANH_POLY_MAX = 0.55;

/** From this |z| on (and for NaN) exp.ts takes e^{−2|z|} from Math.exp, which the WebAssembly tanh (tanh-simd.ts) leaves to `tanhWithSech2`. */
export const TANH_SIMD_MAX = EXP_MAX / 2;

const [P0, P1, P2, P3, P4, P5, P6, P7, P8, P9, P10] = TANH_POLY;

/** tanh(z), with sech²(z) written to out[at] (formulas above). */
export function tanhWithSech2(z: number, out: Float64Array, at: number): number {
  const x = Math.abs(z);
  if (x < TANH_POLY_MAX) {
    const s = z * z;
    const p = (((((((((P0 * s + P1) * s + P2) * s + P3) * s + P4) * s + P5) * s + P6) * s + P7) * s + P8) * s + P9) * s + P10;
    // ±0 itself: z + z·s·P(s) would be +0 for both (P(0) < 0, so the two zeros differ in sign)
    const r = z === 0 ? z : z + z * s * p;
    out[at] = (1 - r) * (1 + r);
    return r;
  }
  const e = exp(-2 * x);
  const a = (e + e) / (1 + e);
  const r = 1 - a;
  out[at] = a * (2 - a);
  return z < 0 ? -r : r; // NaN stays NaN
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
