import { EXP_MAX } from './exp';
import { EXP_LOCALS, expLanes } from './exp-simd';
import { rowBlocksFunction } from './simd-rows';

/**
 * σ and σ' over rows of a float64 block in WebAssembly SIMD, two elements per instruction: the
 * function `sigmoid(z, y, gp, rows, blocks, stride)` of the float64 kernels' module (wasm.ts;
 * i32 arguments, addresses and the rows' stride in bytes) writes y = σ(z) and gp = σ(z)·σ(−z)
 * for the first TANH_BLOCK · blocks elements of each of `rows` rows, and returns 1 when some
 * element had |z| ≥ EXP_MAX or NaN, whose values the caller computes again (activate.ts does),
 * else 0.
 *
 * The operations of activate.ts `sigmoidRows` over exp.ts `exp` (exp-simd.ts), in their order,
 * so the same bits: both of sigmoidRows' branches take e = e^{−|z|} (e^{−z} from 0 up, e^{z}
 * below it), then 1/(1 + e) and e/(1 + e) are σ(z) and σ(−z) in the order the sign of z picks
 * (v128.bitselect). σ took about a third of a training step of the 2-8-8-1 network in
 * JavaScript, about 11 ns an element.
 */

/** The function's locals and instructions (wasm.ts puts them in the float64 module). */
export function sigmoidBody(): { locals: number[][]; code: number[] } {
  const names = ['zv', 'x', 'a', 'e', 'd', 'u', 'v', 'pos', 'p', ...EXP_LOCALS] as const;
  return rowBlocksFunction(names, 16, (f) => {
    const { k, z, y, gp, at, bad, step, let_ } = f;
    let_((l) => l.zv, (l) => k.get(z).get(at).add().load(16 * l.g));
    let_((l) => l.x, (l) => k.get(l.zv).f64x2Abs());
    // lanes sigmoidRows must compute: e^{−|z|} outside exp's own range, or NaN
    step((l) => k.get(bad).get(l.x).f64x2(EXP_MAX).f64x2Lt().vNot().vOr().set(bad));
    // e = exp(a), a = −|z|
    let_((l) => l.a, (l) => k.get(l.x).f64x2Neg());
    expLanes(f, (l) => l.a, (l) => l.e);
    // σ(z) and σ(−z): 1/(1 + e) and e/(1 + e), the first σ(z) from 0 up
    let_((l) => l.d, (l) => k.f64x2(1).get(l.e).f64x2Add());
    let_((l) => l.u, (l) => k.f64x2(1).get(l.d).f64x2Div());
    let_((l) => l.v, (l) => k.get(l.e).get(l.d).f64x2Div());
    let_((l) => l.pos, (l) => k.get(l.zv).f64x2(0).f64x2Ge());
    let_((l) => l.p, (l) => k.get(l.u).get(l.v).get(l.pos).vSelect());
    step((l) => {
      k.get(y).get(at).add();
      k.get(l.p);
      k.store(16 * l.g);
    });
    step((l) => {
      k.get(gp).get(at).add();
      k.get(l.p).get(l.v).get(l.u).get(l.pos).vSelect().f64x2Mul();
      k.store(16 * l.g);
    });
  });
}
