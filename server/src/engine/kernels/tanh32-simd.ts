import { EIGHTHS, EIGHTHS_PER_E, LN2_8, SERIES_MAX, TANH_ONE } from './float32-math';
import { pow2, rowBlocksFunction } from './simd-rows';

/**
 * The float32 module's tanh (wasm.ts): `tanh(z, y, gp, rows, blocks, stride)` over rows of a
 * float32 block, as tanh-simd.ts's over float64 ones, writes y = fround(tanh32(z)) and
 * gp = 1 − fround(y²) (activate.ts `activateRows32`) for the first TANH_BLOCK · blocks elements
 * of each row and returns 1 when it left some to activate.ts (|z| ≥ TANH_ONE, NaN), else 0.
 *
 * Each pair of float32 values is widened to float64 and goes through float32-math.ts `tanh32`'s
 * operations in its order, both of its forms computed and each lane's own chosen, then rounded to
 * float32 where activate.ts rounds: so the same bits. The table of 2^{−j/8} is 2^{−⌊j/8⌋}, made
 * from its bits, times the eighth 2^{−(j mod 8)/8}, chosen among the eight: the table's own
 * entries are exactly those products.
 */

/** The function's locals and instructions. */
export function tanh32Body(): { locals: number[][]; code: number[] } {
  const names = ['zd', 'x', 'x2', 'S', 'u', 'jj', 'jh', 'jl', 'rr', 't', 'E8', 'yb', 'yk'] as const;
  return rowBlocksFunction(names, 8, ({ k, z, y, gp, at, bad, step, let_ }) => {
    let_((l) => l.zd, (l) => k.get(z).get(at).add().load64Zero(8 * l.g).promote());
    let_((l) => l.x, (l) => k.get(l.zd).f64x2Abs());
    step((l) => k.get(bad).get(l.x).f64x2(TANH_ONE).f64x2Lt().vNot().vOr().set(bad));
    // below 1/8: z (1 + x²(−1/3 + x²(2/15 + x²(−17/315 + x²·62/2835))))
    let_((l) => l.x2, (l) => k.get(l.x).get(l.x).f64x2Mul());
    let_((l) => l.S, (l) => k.f64x2(-17 / 315).get(l.x2).f64x2(62 / 2835).f64x2Mul().f64x2Add());
    for (const c of [2 / 15, -1 / 3, 1]) let_((l) => l.S, (l) => k.f64x2(c).get(l.x2).get(l.S).f64x2Mul().f64x2Add());
    let_((l) => l.S, (l) => k.get(l.zd).get(l.S).f64x2Mul());
    // from 1/8 on: t = e^{−2x} = 2^{−j/8} e^{−r}, u = 2x · 8/ln 2, j = ⌊u⌋, r = (u − j) ln 2/8
    let_((l) => l.u, (l) => k.f64x2(2).get(l.x).f64x2Mul().f64x2(EIGHTHS_PER_E).f64x2Mul());
    let_((l) => l.jj, (l) => k.get(l.u).f64x2Trunc());
    let_((l) => l.rr, (l) => k.get(l.u).get(l.jj).f64x2Sub().f64x2(LN2_8).f64x2Mul());
    // e^{−r} ≈ 1 − r(1 − r(1/2 − r(1/6 − r(1/24 − r(1/120 − r/720)))))
    let_((l) => l.t, (l) => k.f64x2(1 / 120).get(l.rr).f64x2(720).f64x2Div().f64x2Sub());
    for (const c of [1 / 24, 1 / 6, 0.5, 1, 1]) let_((l) => l.t, (l) => k.f64x2(c).get(l.rr).get(l.t).f64x2Mul().f64x2Sub());
    // 2^{−j/8} = 2^{−⌊j/8⌋} · EIGHTHS[j mod 8]
    let_((l) => l.jh, (l) => k.get(l.jj).f64x2(0.125).f64x2Mul().f64x2Trunc());
    let_((l) => l.jl, (l) => k.get(l.jj).get(l.jh).f64x2(8).f64x2Mul().f64x2Sub());
    let_((l) => l.E8, (l) => {
      k.f64x2(EIGHTHS[7]);
      for (let i = 6; i >= 0; i--) k.set(l.E8).f64x2(EIGHTHS[i]).get(l.E8).get(l.jl).f64x2(i).f64x2Eq().vSelect();
    });
    let_((l) => l.t, (l) => {
      pow2(k, l.jh, -1);
      k.get(l.E8).f64x2Mul().get(l.t).f64x2Mul();
    });
    // (1 − t)/(1 + t), its sign put back (it is ≥ 0)
    let_((l) => l.yb, (l) => k.f64x2(1).get(l.t).f64x2Sub().f64x2(1).get(l.t).f64x2Add().f64x2Div().get(l.zd).f64x2(-0).vAnd().vOr());
    // y rounded to float32, then gp = 1 − fround(y²), rounded where it is stored
    let_((l) => l.yk, (l) => k.get(l.S).get(l.yb).get(l.x).f64x2(SERIES_MAX).f64x2Lt().vSelect().demote().promote());
    step((l) => k.get(y).get(at).add().get(l.yk).demote().store64Low(8 * l.g));
    step((l) => k.get(gp).get(at).add().f64x2(1).get(l.yk).get(l.yk).f64x2Mul().demote().promote().f64x2Sub().demote().store64Low(8 * l.g));
  });
}
