/**
 * e^{−x}, tanh and σ to float32 accuracy, for the activations of a `precision float32` run
 * (activate.ts): their results are rounded to float32 when stored, so the last bits of a float64
 * Math.exp or Math.tanh (10–20 ns an element here, most of what a float32 tanh layer cost) are
 * thrown away. These take a table and a short polynomial instead, about 8 ns, and come within
 * about 1e-9 relative of the true value (tanh beyond 9.1 is ±1, as float32 rounds it): after the rounding to float32 they equal the correctly
 * rounded result but for inputs within about 1e-9 of a rounding boundary, where they are 1 ulp
 * off (test/unit/kernels.test.ts measures both). PyTorch's own float32 tanh (SLEEF's, within
 * 1 ulp) is not correctly rounded either. The float64 engine does not use them.
 *
 * Plain arithmetic on doubles and a table built from exact powers of two, with no Math.exp or
 * Math.pow, so every JavaScript engine gives the same bits. Imports nothing, so a helper thread
 * (pool.ts) can run it alone.
 */

/** 2^{−i/8} for i = 0 … 7, the doubles nearest to them. */
export const EIGHTHS = [1, 0.9170040432046712, 0.8408964152537145, 0.7711054127039704, 0.7071067811865476, 0.6484197773255048, 0.5946035575013605, 0.5452538663326288];
/** 8 / ln 2 and ln 2 / 8. */
export const EIGHTHS_PER_E = 11.541560327111707;
export const LN2_8 = 0.08664339756999316;
/** e^{−x} for x ≥ 104 is below half the least float32 subnormal (2^{−150}): the table ends there. */
const X_MAX = 104;
/** 2^{−j/8} for j = 0 … ⌈8·X_MAX/ln 2⌉: an eighth times an exact power of two, so exact scaling of EIGHTHS. */
const POW2_EIGHTHS = (() => {
  const t = new Float64Array(Math.ceil(X_MAX * EIGHTHS_PER_E) + 1);
  let p = 1;
  for (let j = 0; j < t.length; j++) {
    if (j > 0 && (j & 7) === 0) p /= 2;
    t[j] = p * EIGHTHS[j & 7];
  }
  return t;
})();

/**
 * e^{−x} for x ≥ 0 (NaN for NaN): with u = 8x/ln 2, j = ⌊u⌋ and r = (u − j)·ln 2/8 ∈ [0, 0.087),
 *
 *   e^{−x} = 2^{−j/8} · e^{−r},  e^{−r} ≈ Σ_{n=0}^{6} (−r)ⁿ/n!  (error < r⁷/5040 < 1e-11),
 *
 * 2^{−j/8} from the table. Beyond the table (x ≥ 104) Math.exp, whose result float32 rounds to 0.
 */
export function expNeg32(x: number): number {
  if (!(x < X_MAX)) return Math.exp(-x);
  const u = x * EIGHTHS_PER_E;
  const j = u | 0;
  const r = (u - j) * LN2_8;
  return POW2_EIGHTHS[j] * (1 - r * (1 - r * (0.5 - r * (1 / 6 - r * (1 / 24 - r * (1 / 120 - r / 720))))));
}

/** 1/8: below it tanh is taken from its series. */
export const SERIES_MAX = 0.125;
/** tanh x rounds to 1 in float32 above about 9.01 (1 − tanh x = 2e^{−2x}/(1 + e^{−2x}) < 2^{−25}). */
export const TANH_ONE = 9.1;

/**
 * tanh z to float32 accuracy, odd (−0 stays −0, NaN stays NaN): with x = |z|,
 *
 *   x < 1/8:        tanh x = x (1 − x²/3 + 2x⁴/15 − 17x⁶/315 + 62x⁸/2835)  (the next term, 1382x¹¹/155925, is below 1e-11 x);
 *   1/8 ≤ x < 9.1:  t = e^{−2x} (expNeg32),  tanh x = (1 − t)/(1 + t)  (1 − t ≥ 0.22: no cancellation to speak of);
 *   x ≥ 9.1:        1.
 */
export function tanh32(z: number): number {
  const x = Math.abs(z);
  if (x < SERIES_MAX) {
    const x2 = x * x;
    return z * (1 + x2 * (-1 / 3 + x2 * (2 / 15 + x2 * (-17 / 315 + x2 * (62 / 2835)))));
  }
  let y: number;
  if (x < TANH_ONE) {
    const t = expNeg32(2 * x);
    y = (1 - t) / (1 + t);
  } else y = x === x ? 1 : x;
  return z < 0 ? -y : y;
}

/** σ(z) = 1/(1 + e^{−z}) to float32 accuracy, from one e^{−|z|} (expNeg32): 1/(1 + e) for z ≥ 0, e/(1 + e) below. */
export function sigmoid32(z: number): number {
  const e = expNeg32(Math.abs(z));
  return z >= 0 ? 1 / (1 + e) : e / (1 + e);
}
