import { C3, C4, C5, HI, INV_L, L1, L2, LO, SHIFT } from './exp';
import { pow2, type Frame, type Group } from './simd-rows';

/**
 * exp.ts `exp` two elements at a time, for the float64 module's elementwise functions (σ,
 * sigmoid-simd.ts; tanh, tanh-simd.ts): the same operations in their order, so the same bits for
 * −EXP_MAX < x < EXP_MAX (the functions leave the rest to their JavaScript, which takes Math.exp
 * there). n = round(32x/ln 2) is read from the bits of x·32/ln 2 + 1.5·2^52 (its last five are
 * j = n mod 32, as n & 31 gives them), m = (n − j)/32 = ⌊n/32⌋ exactly, 2^m comes from m's bits
 * (simd-rows.ts `pow2`) and 2^{j/32} from exp.ts's tables, HI and LO, which an arena keeps at the
 * start of its memory (gemm.ts `Arena`, EXP_TABLES_AT), one lane at a time.
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

/** The v128 locals of each group `expLanes` takes for itself. */
export const EXP_LOCALS = ['et', 'en', 'er', 'ejb', 'em', 'eP', 'ep', 'eh', 'elo'] as const;
export type ExpLocal = (typeof EXP_LOCALS)[number];

/** Sets each group's local `out` to e^x of its local `x` (exp.ts's operations; see above). */
export function expLanes<N extends string>(f: Frame<N | ExpLocal>, x: (l: Group<N | ExpLocal>) => number, out: (l: Group<N | ExpLocal>) => number): void {
  const { k, let_ } = f;
  const HI_AT = EXP_TABLES_AT;
  const LO_AT = EXP_TABLES_AT + 8 * 32;
  let_((l) => l.et, (l) => k.get(x(l)).f64x2(INV_L).f64x2Mul().f64x2(SHIFT).f64x2Add());
  let_((l) => l.en, (l) => k.get(l.et).f64x2(SHIFT).f64x2Sub());
  let_((l) => l.er, (l) => k.get(x(l)).get(l.en).f64x2(L1).f64x2Mul().f64x2Sub().get(l.en).f64x2(L2).f64x2Mul().f64x2Sub());
  // j·8, the byte offset of 2^{j/32} in a table, in each 64-bit lane
  let_((l) => l.ejb, (l) => k.get(l.et).i64x2(31).vAnd().i32(3).i64x2Shl());
  let_((l) => l.em, (l) => k.get(l.en).f64x2(1 / 32).f64x2Mul().f64x2Floor());
  let_((l) => l.eP, (l) => pow2(k, l.em, 1));
  // p = r + r²·(1/2 + r·(1/6 + r·(1/24 + r·(1/120 + r/720))))
  let_((l) => l.ep, (l) => k.f64x2(C5).get(l.er).f64x2(720).f64x2Div().f64x2Add());
  for (const c of [C4, C3, 0.5]) let_((l) => l.ep, (l) => k.f64x2(c).get(l.er).get(l.ep).f64x2Mul().f64x2Add());
  let_((l) => l.ep, (l) => k.get(l.er).get(l.er).get(l.er).f64x2Mul().get(l.ep).f64x2Mul().f64x2Add());
  for (const [local, offset] of [['eh', HI_AT], ['elo', LO_AT]] as const) {
    let_((l) => l[local], (l) => {
      k.get(l.ejb).i64x2LaneI32(0).f64Load(offset).f64x2Splat();
      k.get(l.ejb).i64x2LaneI32(1).f64Load(offset).f64x2ReplaceLane(1);
    });
  }
  let_(out, (l) => k.get(l.eh).get(l.elo).get(l.eh).get(l.ep).f64x2Mul().f64x2Add().f64x2Add().get(l.eP).f64x2Mul());
}
