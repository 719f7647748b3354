import { EXP_LOCALS, expLanes } from './exp-simd';
import { rowBlocksFunction } from './simd-rows';
import { TANH_POLY, TANH_POLY_MAX, TANH_SIMD_MAX } from './tanh';

/**
 * tanh and sech² over rows of a float64 block in WebAssembly SIMD, two elements per instruction:
 * the function `tanh(z, y, gp, rows, blocks, stride)` of the kernels' module (wasm.ts; i32
 * arguments, addresses and the rows' stride in bytes) writes y = tanh(z) and gp = sech²(z) for
 * the first TANH_BLOCK · blocks elements of each of `rows` rows, and returns 1 when some element
 * had |z| ≥ TANH_SIMD_MAX or NaN, whose values the caller computes again with tanh.ts
 * (activate.ts does), else 0.
 *
 * The operations of tanh.ts `tanhWithSech2` in their order, e^{−2|z|} those of exp.ts `exp`
 * (exp-simd.ts), so the same bits: each lane computes both of its forms, the polynomial and the
 * one from e^{−2|z|}, and keeps the one its |z| picks (v128.bitselect); from 0.55 on, tanh's
 * sign is z's, put in with an or, where the scalar code negates (1 − a is positive there).
 */

/** The function's locals and instructions (wasm.ts puts them in the float64 module). */
export function tanhBody(): { locals: number[][]; code: number[] } {
  const names = ['zv', 'x', 's', 'q', 'rp', 'dp', 'a', 'e', 'ae', 're', 'de', 'small', ...EXP_LOCALS] as const;
  const [first, ...rest] = TANH_POLY;
  return rowBlocksFunction(names, 16, (f) => {
    const { k, z, y, gp, at, bad, step, let_ } = f;
    let_((l) => l.zv, (l) => k.get(z).get(at).add().load(16 * l.g));
    let_((l) => l.x, (l) => k.get(l.zv).f64x2Abs());
    // lanes tanh.ts must compute: e^{−2|z|} outside exp's own range, or NaN
    step((l) => k.get(bad).get(l.x).f64x2(TANH_SIMD_MAX).f64x2Lt().vNot().vOr().set(bad));
    // below 0.55: s = z², tanh = z + z·s·P(s), sech² = (1 − tanh)(1 + tanh)
    let_((l) => l.s, (l) => k.get(l.zv).get(l.zv).f64x2Mul());
    let_((l) => l.q, (l) => k.f64x2(first).get(l.s).f64x2Mul().f64x2(rest[0]).f64x2Add());
    for (const c of rest.slice(1)) let_((l) => l.q, (l) => k.get(l.q).get(l.s).f64x2Mul().f64x2(c).f64x2Add());
    let_((l) => l.rp, (l) => k.get(l.zv).get(l.zv).get(l.s).f64x2Mul().get(l.q).f64x2Mul().f64x2Add());
    // ±0 itself (tanh.ts says why)
    let_((l) => l.rp, (l) => k.get(l.zv).get(l.rp).get(l.x).f64x2(0).f64x2Eq().vSelect());
    let_((l) => l.dp, (l) => k.f64x2(1).get(l.rp).f64x2Sub().f64x2(1).get(l.rp).f64x2Add().f64x2Mul());
    // from 0.55 on: e = e^{−2|z|}, a = 2e/(1 + e), |tanh| = 1 − a, sech² = a(2 − a)
    let_((l) => l.a, (l) => k.f64x2(-2).get(l.x).f64x2Mul());
    expLanes(f, (l) => l.a, (l) => l.e);
    let_((l) => l.ae, (l) => k.get(l.e).get(l.e).f64x2Add().f64x2(1).get(l.e).f64x2Add().f64x2Div());
    let_((l) => l.re, (l) => k.f64x2(1).get(l.ae).f64x2Sub().get(l.zv).f64x2(-0).vAnd().vOr());
    let_((l) => l.de, (l) => k.get(l.ae).f64x2(2).get(l.ae).f64x2Sub().f64x2Mul());
    let_((l) => l.small, (l) => k.get(l.x).f64x2(TANH_POLY_MAX).f64x2Lt());
    step((l) => {
      k.get(y).get(at).add();
      k.get(l.rp).get(l.re).get(l.small).vSelect();
      k.store(16 * l.g);
    });
    step((l) => {
      k.get(gp).get(at).add();
      k.get(l.dp).get(l.de).get(l.small).vSelect();
      k.store(16 * l.g);
    });
  });
}
