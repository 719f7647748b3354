import { Code, I32, uleb, V128 } from './assembler';

/**
 * The frame the WebAssembly SIMD elementwise functions share (tanh-simd.ts, tanh32-simd.ts):
 * `f(z, y, gp, rows, blocks, stride)`, i32 arguments, addresses and the rows' stride in bytes,
 * over the first TANH_BLOCK · blocks elements of each of `rows` rows, returning 1 when the body
 * marked some element (`bad`: all ones in its lane) as left to the caller, else 0.
 *
 * A pass of the loop takes GROUPS groups of two elements side by side, each with locals of its
 * own, the body's every step emitted for each group in turn (`step`): a group's operations form
 * one long chain (two divisions among them, in tanh), which four independent chains keep the
 * processor busy through. On a 128-wide tanh layer here 1 group a pass took 13.5 ns an element,
 * 2 took 11, 4 took 8, 8 no fewer than 4.
 */

const GROUPS = 4;

/** The bytes of a double shifted 52 bits left give 2^n when the double is 2^52 + 1023 + n. */
const EXPONENT_BIAS = 2 ** 52 + 1023;

/** Pushes 2^(±n) for the whole-number doubles n of the local `n` (|n| ≤ 1022): EXPONENT_BIAS ± n holds 1023 ± n in its last bits, shifted into the exponent. */
export function pow2(k: Code, n: number, sign: 1 | -1): void {
  k.f64x2(EXPONENT_BIAS).get(n);
  if (sign > 0) k.f64x2Add();
  else k.f64x2Sub();
  k.i32(52).i64x2Shl();
}

/** Elements of a row a function computes in each pass (TANH_BLOCK · blocks of them; activate.ts computes the rest). */
export const TANH_BLOCK = 2 * GROUPS;

/** One group's v128 locals, by name, and its number g (its elements are the g-th pair of the pass). */
export type Group<N extends string> = Record<N, number> & { g: number };

/** What a body emits with: the emitter, the arguments and `at` (the pass's byte offset in each block), `bad`, and the groups. */
export interface Frame<N extends string> {
  k: Code;
  z: number;
  y: number;
  gp: number;
  at: number;
  bad: number;
  /** Each group's turn at the same step. */
  step(emit: (l: Group<N>) => void): void;
  /** A step that sets a local of each group. */
  let_(local: (l: Group<N>) => number, emit: (l: Group<N>) => void): void;
}

/**
 * The function's locals and instructions: the loops over rows and passes around `body`, each
 * group with the v128 locals `names`; `pairBytes`, the bytes of a group's two elements (16 in
 * float64, 8 in float32).
 */
export function rowBlocksFunction<N extends string>(names: readonly N[], pairBytes: number, body: (f: Frame<N>) => void): { locals: number[][]; code: number[] } {
  const [z, y, gp, rows, blocks, stride] = [0, 1, 2, 3, 4, 5];
  const r = 6, j = 7, at = 8;
  let next = 9;
  const bad = next++;
  const groups = Array.from({ length: GROUPS }, (_, g) => {
    const l = { g } as Group<N>;
    for (const n of names) (l as Record<string, number>)[n] = next++;
    return l;
  });
  const k = new Code();
  const step = (emit: (l: Group<N>) => void) => groups.forEach(emit);
  const frame: Frame<N> = {
    k, z, y, gp, at, bad, step,
    let_: (local, emit) =>
      step((l) => {
        emit(l);
        k.set(local(l));
      }),
  };
  k.zero().set(bad);
  k.i32(0).set(r);
  k.block().loop();
  k.get(r).get(rows).geS().brIf(1);
  k.get(r).get(stride).mul().set(at);
  k.i32(0).set(j);
  k.block().loop();
  k.get(j).get(blocks).geS().brIf(1);
  body(frame);
  k.get(at).i32(pairBytes * GROUPS).add().set(at);
  k.get(j).i32(1).add().set(j);
  k.br(0);
  k.end().end();
  k.get(r).i32(1).add().set(r);
  k.br(0);
  k.end().end();
  k.get(bad).anyTrue();
  k.end();
  return { locals: [[...uleb(3), I32], [...uleb(next - 9), V128]], code: k.bytes };
}
