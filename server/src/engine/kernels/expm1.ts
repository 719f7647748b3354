import { POW2 } from './exp';

/**
 * e^x − 1 in float64 from plain arithmetic: the algorithm of fdlibm's expm1 (Sun, 1993), the one
 * V8's Math.expm1 runs, so that in Node it is Math.expm1 bit for bit (test/unit/kernels.test.ts
 * holds it to that on millions of inputs) and, being plain arithmetic on doubles, gives those bits
 * in every JavaScript engine and in the WebAssembly SIMD tanh (tanh-simd.ts), which repeats its
 * operations lane by lane. With k = round(x / ln 2) (0 for |x| ≤ ln 2 / 2; ±1 up to 1.5 ln 2; else
 * x / ln 2 ± 1/2 truncated) and r = x − k ln 2 (ln 2 in two parts, hi − lo, with c what r's
 * rounding lost):
 *
 *   e^r − 1 = r + r²/2 + r³/6 · R(r²/2),  R a rational function of degree 5 (Q1 … Q5 below),
 *   e^x − 1 = 2^k (e^r − 1) + (2^k − 1), each k in the form that keeps its roundings small.
 *
 * Past 709.78 it is +Infinity; below −56 ln 2, −1; NaN stays NaN. Imports only exp.ts's table of
 * powers of two, so a helper thread (pool.ts) can run it alone.
 */

/** A double from its bits, high word first (the constants are fdlibm's, given by their bits). */
function fromBits(hi: number, lo = 0): number {
  return new Float64Array(new BigUint64Array([(BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0)]).buffer)[0];
}

export const EXPM1 = {
  /** ln 2 = LN2_HI + LN2_LO, LN2_HI with its last 32 bits zero, so that k·LN2_HI is exact. */
  LN2_HI: fromBits(0x3fe62e42, 0xfee00000),
  LN2_LO: fromBits(0x3dea39ef, 0x35793c76),
  INV_LN2: fromBits(0x3ff71547, 0x652b82fe),
  Q1: fromBits(0xbfa11111, 0x111110f4),
  Q2: fromBits(0x3f5a01a0, 0x19fe5585),
  Q3: fromBits(0xbf14ce19, 0x9eaadbb7),
  Q4: fromBits(0x3ed0cfca, 0x86e65239),
  Q5: fromBits(0xbe8afdb7, 0x6e09c32d),
  /** The thresholds on |x|, as the doubles whose high words fdlibm compares with. */
  HALF_LN2: fromBits(0x3fd62e43), // |x| ≥ this: k ≠ 0 (fdlibm: high word > 0x3fd62e42)
  ONE_AND_HALF_LN2: fromBits(0x3ff0a2b2), // |x| < this: k = ±1
  TINY: fromBits(0x3c900000), // 2^-54: below it e^x − 1 rounds to x
  SATURATES: fromBits(0x4043687a), // 56 ln 2: below −this, −1
  LARGE: fromBits(0x40862e42), // from here on, compare with OVERFLOWS
  OVERFLOWS: fromBits(0x40862e42, 0xfefa39ef), // ln(DBL_MAX): above it, +Infinity
};

const { LN2_HI, LN2_LO, INV_LN2, Q1, Q2, Q3, Q4, Q5, HALF_LN2, ONE_AND_HALF_LN2, TINY, SATURATES, LARGE, OVERFLOWS } = EXPM1;

/** e^x − 1, Math.expm1's bits (formulas above). */
export function expm1(x: number): number {
  const ax = Math.abs(x);
  if (!(ax < SATURATES)) {
    if (x !== x) return x + x; // NaN
    if (ax >= LARGE && x > OVERFLOWS) return Infinity;
    if (x < 0) return -1;
  }
  if (ax < HALF_LN2) {
    if (ax < TINY) return x;
    return reduced(x, 0, 0);
  }
  if (ax < ONE_AND_HALF_LN2) {
    const hi = x > 0 ? x - LN2_HI : x + LN2_HI;
    const lo = x > 0 ? LN2_LO : -LN2_LO;
    const r = hi - lo;
    return reduced(r, hi - r - lo, x > 0 ? 1 : -1);
  }
  // |k| ≤ 1025 here: | 0 truncates as fdlibm's conversion to int does
  const k = (INV_LN2 * x + (x > 0 ? 0.5 : -0.5)) | 0;
  const hi = x - k * LN2_HI; // exact: k has few bits and LN2_HI's last 32 are zero
  const lo = k * LN2_LO;
  const r = hi - lo;
  return reduced(r, hi - r - lo, k);
}

/** e^x − 1 = 2^k (e^r − 1) + (2^k − 1) from the reduced r = x − k ln 2 (|r| ≤ ln 2 / 2) and c, what r's rounding lost. */
function reduced(r: number, c: number, k: number): number {
  const hfx = 0.5 * r;
  const hxs = r * hfx;
  const r1 = 1 + hxs * (Q1 + hxs * (Q2 + hxs * (Q3 + hxs * (Q4 + hxs * Q5))));
  const t = 3 - r1 * hfx;
  const e = hxs * ((r1 - t) / (6 - r * t));
  if (k === 0) return r - (r * e - hxs);
  const f = r * (e - c) - c - hxs;
  if (k === -1) return 0.5 * (r - f) - 0.5;
  if (k === 1) return r < -0.25 ? -2 * (f - (r + 0.5)) : 1 + 2 * (r - f);
  if (k <= -2 || k > 56) {
    const y = 1 - (f - r);
    return (k === 1024 ? y * 2 * POW2[1023 + 1022] : y * POW2[k + 1022]) - 1;
  }
  // 1 − 2^−k (k < 20) and 2^−k are exact doubles
  if (k < 20) return (1 - POW2[1022 - k] - (f - r)) * POW2[k + 1022];
  return (r - (f + POW2[1022 - k]) + 1) * POW2[k + 1022];
}
