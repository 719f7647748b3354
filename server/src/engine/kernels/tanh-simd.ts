import { pow2, rowBlocksFunction } from './simd-rows';
import { EXPM1 } from './expm1';
import { TANH_SIMD_MAX, TINY } from './tanh';

/**
 * tanh and sech² over rows of a float64 block in WebAssembly SIMD, two elements per instruction:
 * the function `tanh(z, y, gp, rows, blocks, stride)` of the kernels' module (wasm.ts; i32
 * arguments, addresses and the rows' stride in bytes) writes y = tanh(z) and gp = sech²(z) for
 * the first TANH_BLOCK · blocks elements of each of `rows` rows, and returns 1 when some element
 * had |z| ≥ TANH_SIMD_MAX or NaN, whose values the caller computes again with tanh.ts
 * (activate.ts does), else 0.
 *
 * The same operations as tanh.ts `tanhWithSech2` over expm1.ts `expm1`, in the same order, with
 * every branch those take for |z| < TANH_SIMD_MAX computed in both lanes and the lane's own
 * chosen (v128.bitselect): so the same bits. There, with x = |z| and u = ∓2x (−2x below 1, 2x
 * from 1 on), expm1's k is 0, −1, −2 or −3 below 1 and 3 … 55 from 1 on; k = −1 and k = 0 are the
 * general reduction r = (u − k·LN2_HI) − k·LN2_LO with those k, bit for bit (u − (−1)·h is u + h
 * exactly; u − 0·h is u), and 2^k, 2^−k are made from k's bits (k + 1023 in a double's last bits,
 * shifted into the exponent). Tanh spent about a tenth of a training step of the 784-128-64-10
 * network in Math.expm1 and its division, one element at a time.
 */

/** The function's locals and instructions (wasm.ts puts them in the float64 module). */
export function tanhBody(): { locals: number[][]; code: number[] } {
  const { LN2_HI, LN2_LO, INV_LN2, Q1, Q2, Q3, Q4, Q5, HALF_LN2, ONE_AND_HALF_LN2 } = EXPM1;
  const names = ['zv', 'x', 'big', 'au', 'u', 'kf', 'hi', 'lo', 'xr', 'c', 'hfx', 'hxs', 'r1', 't', 'e', 'e2', 'd', 'P', 'Pinv', 'E', 'q', 'rr', 'small'] as const;
  return rowBlocksFunction(names, 16, ({ k, z, y, gp, at, bad, step, let_ }) => {
    let_((l) => l.zv, (l) => k.get(z).get(at).add().load(16 * l.g));
    let_((l) => l.x, (l) => k.get(l.zv).f64x2Abs());
    // lanes tanh.ts must compute: |z| ≥ TANH_SIMD_MAX, or NaN
    step((l) => k.get(bad).get(l.x).f64x2(TANH_SIMD_MAX).f64x2Lt().vNot().vOr().set(bad));
    let_((l) => l.big, (l) => k.get(l.x).f64x2(1).f64x2Ge());
    // u = 2x from 1 on, −2x below
    let_((l) => l.au, (l) => k.f64x2(2).get(l.x).f64x2Mul());
    let_((l) => l.u, (l) => k.get(l.au).get(l.au).f64x2Neg().get(l.big).vSelect());
    // k: 0 for |u| < ln 2 / 2, −1 below 1.5 ln 2, else trunc(u / ln 2 ± 1/2)
    let_((l) => l.kf, (l) => {
      k.f64x2(0).f64x2(-1);
      k.f64x2(INV_LN2).get(l.u).f64x2Mul().f64x2(0.5).f64x2(-0.5).get(l.big).vSelect().f64x2Add().f64x2Trunc();
      k.get(l.au).f64x2(ONE_AND_HALF_LN2).f64x2Lt().vSelect();
      k.get(l.au).f64x2(HALF_LN2).f64x2Lt().vSelect();
    });
    let_((l) => l.hi, (l) => k.get(l.u).get(l.kf).f64x2(LN2_HI).f64x2Mul().f64x2Sub());
    let_((l) => l.lo, (l) => k.get(l.kf).f64x2(LN2_LO).f64x2Mul());
    let_((l) => l.xr, (l) => k.get(l.hi).get(l.lo).f64x2Sub());
    let_((l) => l.c, (l) => k.get(l.hi).get(l.xr).f64x2Sub().get(l.lo).f64x2Sub());
    // e^r − 1 on the reduced range (expm1.ts)
    let_((l) => l.hfx, (l) => k.f64x2(0.5).get(l.xr).f64x2Mul());
    let_((l) => l.hxs, (l) => k.get(l.xr).get(l.hfx).f64x2Mul());
    // r1 = 1 + hxs·(Q1 + hxs·(Q2 + hxs·(Q3 + hxs·(Q4 + hxs·Q5)))), from the inside out
    let_((l) => l.r1, (l) => k.f64x2(Q4).get(l.hxs).f64x2(Q5).f64x2Mul().f64x2Add());
    for (const coefficient of [Q3, Q2, Q1, 1]) let_((l) => l.r1, (l) => k.f64x2(coefficient).get(l.hxs).get(l.r1).f64x2Mul().f64x2Add());
    let_((l) => l.t, (l) => k.f64x2(3).get(l.r1).get(l.hfx).f64x2Mul().f64x2Sub());
    let_((l) => l.e, (l) => k.get(l.hxs).get(l.r1).get(l.t).f64x2Sub().f64x2(6).get(l.xr).get(l.t).f64x2Mul().f64x2Sub().f64x2Div().f64x2Mul());
    let_((l) => l.e2, (l) => k.get(l.xr).get(l.e).get(l.c).f64x2Sub().f64x2Mul().get(l.c).f64x2Sub().get(l.hxs).f64x2Sub());
    let_((l) => l.d, (l) => k.get(l.e2).get(l.xr).f64x2Sub());
    let_((l) => l.P, (l) => pow2(k, l.kf, 1));
    let_((l) => l.Pinv, (l) => pow2(k, l.kf, -1));
    // E = e^u − 1 in the form of the lane's k
    let_((l) => l.small, (l) => {
      // k = 0: r − (r·e − hxs)
      k.get(l.xr).get(l.xr).get(l.e).f64x2Mul().get(l.hxs).f64x2Sub().f64x2Sub();
      // k = −1: (r − e2)/2 − 1/2
      k.f64x2(0.5).get(l.xr).get(l.e2).f64x2Sub().f64x2Mul().f64x2(0.5).f64x2Sub();
      // k = −2, −3: (1 − d)·2^k − 1
      k.f64x2(1).get(l.d).f64x2Sub().get(l.P).f64x2Mul().f64x2(1).f64x2Sub();
      k.get(l.kf).f64x2(-1).f64x2Eq().vSelect();
      k.get(l.kf).f64x2(0).f64x2Eq().vSelect();
    });
    let_((l) => l.E, (l) => {
      // 3 ≤ k < 20: ((1 − 2^−k) − d)·2^k
      k.f64x2(1).get(l.Pinv).f64x2Sub().get(l.d).f64x2Sub().get(l.P).f64x2Mul();
      // 20 ≤ k ≤ 55: ((r − (e2 + 2^−k)) + 1)·2^k
      k.get(l.xr).get(l.e2).get(l.Pinv).f64x2Add().f64x2Sub().f64x2(1).f64x2Add().get(l.P).f64x2Mul();
      k.get(l.kf).f64x2(20).f64x2Lt().vSelect();
      k.get(l.small).get(l.big).vSelect();
    });
    // from 1 on a = 2/(E + 2), tanh = 1 − a, sech² = a(2 − a); below, tanh = −E/(E + 2), sech² = (1 − tanh)(1 + tanh)
    let_((l) => l.q, (l) => k.f64x2(2).get(l.E).f64x2Neg().get(l.big).vSelect().get(l.E).f64x2(2).f64x2Add().f64x2Div());
    let_((l) => l.rr, (l) => k.f64x2(1).get(l.q).f64x2Sub().get(l.q).get(l.big).vSelect());
    // below TINY, tanh z = z (x here, its sign put back below)
    let_((l) => l.rr, (l) => k.get(l.x).get(l.rr).get(l.x).f64x2(TINY).f64x2Lt().vSelect());
    step((l) => {
      k.get(y).get(at).add();
      k.get(l.rr).get(l.zv).f64x2(-0).vAnd().vOr();
      k.store(16 * l.g);
    });
    step((l) => {
      k.get(gp).get(at).add();
      k.get(l.q).f64x2(2).get(l.q).f64x2Sub().f64x2Mul();
      k.f64x2(1).get(l.rr).f64x2Sub().f64x2(1).get(l.rr).f64x2Add().f64x2Mul();
      k.get(l.big).vSelect();
      k.store(16 * l.g);
    });
  });
}
