import { C3, C4, C5, EXP_MAX, HI, INV_L, L1, L2, LO, SHIFT } from './exp';
import { pow2, rowBlocksFunction } from './simd-rows';

/**
 * σ and σ' over rows of a float64 block in WebAssembly SIMD, two elements per instruction: the
 * function `sigmoid(z, y, gp, rows, blocks, stride)` of the float64 kernels' module (wasm.ts;
 * i32 arguments, addresses and the rows' stride in bytes) writes y = σ(z) and gp = σ(z)·σ(−z)
 * for the first TANH_BLOCK · blocks elements of each of `rows` rows, and returns 1 when some
 * element had |z| ≥ EXP_MAX or NaN, whose values the caller computes again (activate.ts does),
 * else 0.
 *
 * The operations of activate.ts `sigmoidRows` over exp.ts `exp`, in their order, so the same
 * bits: both of sigmoidRows' branches take e = e^{−|z|} (e^{−z} from 0 up, e^{z} below it), then
 * 1/(1 + e) and e/(1 + e) are σ(z) and σ(−z) in the order the sign of z picks (v128.bitselect).
 * In exp, n = round(32x/ln 2) is read from the bits of x·32/ln 2 + 1.5·2^52 (its last five are
 * j = n mod 32, as n & 31 gives them), m = (n − j)/32 = ⌊n/32⌋ exactly, 2^m comes from m's bits
 * (simd-rows.ts `pow2`) and 2^{j/32} from exp.ts's tables, HI and LO, which an arena keeps at the
 * start of its memory (gemm.ts `Arena`, EXP_TABLES_AT), one lane at a time. σ took about a third
 * of a training step of the 2-8-8-1 network in JavaScript, about 11 ns an element.
 */

/** Where the tables of 2^{j/32} (exp.ts HI, then LO: 32 doubles each) are in a float64 module's memory. */
export const EXP_TABLES_AT = 0;
/** Doubles the tables take. */
export const EXP_TABLE_VALUES = 64;

/** exp.ts's tables as they are laid out at EXP_TABLES_AT. */
export function expTables(): Float64Array {
  const t = new Float64Array(EXP_TABLE_VALUES);
  t.set(HI, 0);
  t.set(LO, 32);
  return t;
}

/** The function's locals and instructions (wasm.ts puts them in the float64 module). */
export function sigmoidBody(): { locals: number[][]; code: number[] } {
  const names = ['zv', 'x', 'a', 't', 'n', 'r', 'jb', 'm', 'P', 'p', 'h', 'lo', 'e', 'd', 'u', 'v', 'pos'] as const;
  const HI_AT = EXP_TABLES_AT;
  const LO_AT = EXP_TABLES_AT + 8 * 32;
  return rowBlocksFunction(names, 16, ({ k, z, y, gp, at, bad, step, let_ }) => {
    let_((l) => l.zv, (l) => k.get(z).get(at).add().load(16 * l.g));
    let_((l) => l.x, (l) => k.get(l.zv).f64x2Abs());
    // lanes sigmoidRows must compute: e^{−|z|} outside exp's own range, or NaN
    step((l) => k.get(bad).get(l.x).f64x2(EXP_MAX).f64x2Lt().vNot().vOr().set(bad));
    // exp(a), a = −|z|
    let_((l) => l.a, (l) => k.get(l.x).f64x2Neg());
    let_((l) => l.t, (l) => k.get(l.a).f64x2(INV_L).f64x2Mul().f64x2(SHIFT).f64x2Add());
    let_((l) => l.n, (l) => k.get(l.t).f64x2(SHIFT).f64x2Sub());
    let_((l) => l.r, (l) => k.get(l.a).get(l.n).f64x2(L1).f64x2Mul().f64x2Sub().get(l.n).f64x2(L2).f64x2Mul().f64x2Sub());
    // j·8, the byte offset of 2^{j/32} in a table, in each 64-bit lane
    let_((l) => l.jb, (l) => k.get(l.t).i64x2(31).vAnd().i32(3).i64x2Shl());
    let_((l) => l.m, (l) => k.get(l.n).f64x2(1 / 32).f64x2Mul().f64x2Floor());
    let_((l) => l.P, (l) => pow2(k, l.m, 1));
    // p = r + r²·(1/2 + r·(1/6 + r·(1/24 + r·(1/120 + r/720))))
    let_((l) => l.p, (l) => k.f64x2(C5).get(l.r).f64x2(720).f64x2Div().f64x2Add());
    for (const c of [C4, C3, 0.5]) let_((l) => l.p, (l) => k.f64x2(c).get(l.r).get(l.p).f64x2Mul().f64x2Add());
    let_((l) => l.p, (l) => k.get(l.r).get(l.r).get(l.r).f64x2Mul().get(l.p).f64x2Mul().f64x2Add());
    for (const [local, offset] of [['h', HI_AT], ['lo', LO_AT]] as const) {
      let_((l) => l[local], (l) => {
        k.get(l.jb).i64x2LaneI32(0).f64Load(offset).f64x2Splat();
        k.get(l.jb).i64x2LaneI32(1).f64Load(offset).f64x2ReplaceLane(1);
      });
    }
    let_((l) => l.e, (l) => k.get(l.h).get(l.lo).get(l.h).get(l.p).f64x2Mul().f64x2Add().f64x2Add().get(l.P).f64x2Mul());
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
