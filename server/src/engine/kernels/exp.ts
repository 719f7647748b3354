/**
 * e^x in float64 from plain arithmetic, for σ (activations.ts and the batch kernels, activate.ts):
 * Math.exp is a call out of optimised code into C, about 9 ns an element here, and the sigmoid
 * layers of a small network spent about a third of a training step in it; this is inlined and
 * takes about 4. It is within 1 ulp of the true value (test/oracle/exp.test.ts holds it to that
 * against mpmath, and to Math.exp's value or the double next to it), and, being plain arithmetic
 * on doubles, gives the same bits in every JavaScript engine, which Math.exp does not promise.
 *
 * Tang's method: with n = round(32x/ln 2), j = n mod 32, m = (n − j)/32 and
 * r = x − n·ln 2/32 (|r| ≤ ln 2/64, from two parts of ln 2/32 so that n·L1 is exact),
 *
 *   e^x = 2^m · 2^{j/32} · e^r,  e^r − 1 ≈ r + r²/2 + r³/6 + r⁴/24 + r⁵/120 + r⁶/720  (error < r⁷/5040 < 4e-18),
 *
 * 2^{j/32} as HI[j] + LO[j], its nearest double and the rest (from mpmath at 300 bits), and 2^m
 * exact from a table. Outside |x| < 708, where 2^m or the result leaves the normal doubles, and
 * for NaN, Math.exp. Imports nothing, so a helper thread (pool.ts) can run it alone.
 */

/** 2^{j/32}, j = 0 … 31: the nearest doubles. */
export const HI = new Float64Array([
  1.0, 1.0218971486541166, 1.0442737824274138, 1.0671404006768237, 1.0905077326652577,
  1.1143867425958924, 1.1387886347566916, 1.1637248587775775, 1.189207115002721,
  1.215247359980469, 1.241857812073484, 1.2690509571917332, 1.2968395546510096,
  1.3252366431597413, 1.3542555469368927, 1.383909881963832, 1.4142135623730951,
  1.4451808069770467, 1.4768261459394993, 1.5091644275934228, 1.5422108254079407,
  1.5759808451078865, 1.6104903319492543, 1.645755478153965, 1.681792830507429,
  1.718619298122478, 1.7562521603732995, 1.7947090750031072, 1.8340080864093424,
  1.8741676341103, 1.9152065613971474, 1.9571441241754002,
]);
/** 2^{j/32} − HI[j]. */
export const LO = new Float64Array([
  0.0, 5.109225028973444e-17, 8.551889705537965e-17, -7.899853966841582e-17,
  -3.046782079812471e-17, 1.0410278456845571e-16, 8.912812676025408e-17, 3.8292048369240935e-17,
  3.982015231465646e-17, -7.712630692681488e-17, 4.658027591836937e-17, 2.667932131342186e-18,
  2.5382502794888315e-17, -2.8587312100388614e-17, 7.70094837980299e-17, -6.770511658794786e-17,
  -9.667293313452913e-17, -3.0237581349939873e-17, -3.483994556892796e-17,
  -1.016455327754295e-16, 7.949834809697621e-17, -1.0136916471278304e-17,
  2.4707192569797888e-17, -1.0125679913674773e-16, 8.199010020581497e-17,
  -1.851380418263111e-17, 2.960140695448873e-17, 1.8227458427912087e-17, 3.283107224245627e-17,
  -6.122763413004143e-17, -1.0619946056195963e-16, 8.960767791036668e-17,
]);
/** 32 / ln 2; ln 2/32 as L1 (37 significant bits, so n·L1 is exact for |n| < 2^16) + L2. */
export const INV_L = 46.16624130844683;
export const L1 = 0.021660849392446835;
export const L2 = 5.145609244655338e-14;
/** 1.5·2^52: x + SHIFT − SHIFT rounds x to the nearest integer (ties to even) for |x| < 2^51. */
export const SHIFT = 6755399441055744;
/** The polynomial's coefficients 1/6, 1/24 and 1/120 as doubles (the WebAssembly σ's too, sigmoid-simd.ts). */
export const C3 = 1 / 6;
export const C4 = 1 / 24;
export const C5 = 1 / 120;
/** From this |x| on (and for NaN) `exp` takes Math.exp. */
export const EXP_MAX = 708;
/** 2^m for m = −1022 … 1023, at POW2[m + 1022]: exact, by halving and doubling 1. */
export const POW2 = (() => {
  const t = new Float64Array(2046);
  let p = 1;
  for (let m = 0; m <= 1023; m++, p *= 2) t[1022 + m] = p;
  p = 1;
  for (let m = 0; m <= 1022; m++, p /= 2) t[1022 - m] = p;
  return t;
})();

/** e^x, within 1 ulp (formulas above). */
export function exp(x: number): number {
  if (!(x > -EXP_MAX && x < EXP_MAX)) return Math.exp(x);
  const n = x * INV_L + SHIFT - SHIFT;
  const r = x - n * L1 - n * L2;
  const j = n & 31;
  const m = (n - j) / 32;
  const p = r + r * r * (0.5 + r * (C3 + r * (C4 + r * (C5 + r / 720))));
  const h = HI[j];
  return (h + (LO[j] + h * p)) * POW2[1022 + m];
}
