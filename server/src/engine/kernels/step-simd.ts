import { Code, F64, I32, uleb, V128 } from './assembler';

/** The elements a module's steps run over (wasm.ts `Precision`). */
type Elements = 'float64' | 'float32';

/**
 * The optimisers' steps over a run of parameters in WebAssembly SIMD, two elements per
 * instruction: three functions of each kernels' module (wasm.ts); p, g, m, v addresses, `bytes`
 * a multiple of two elements, the scalars as update.ts `StepScalars` names them (`first` 1 or 0):
 *
 *   sgd(p, g, bytes, b, inv, neglr, l2):                      p ← p + (−lr)·d
 *   momentum(p, g, m, bytes, b, inv, neglr, l2, mu, first):    m ← d on the first step, else m·μ + d;  p ← p + (−lr)·m
 *   adam(p, g, m, v, bytes, b, inv, l2, b1, b2, c1, c2, negStep, bc2sqrt):
 *       m ← m·b1 + c1·d;  v ← v·b2 + (c2·d)·d;  p ← p + (negStep·m) / (√v / √bc2 + eps)
 *
 * with d = g/b (as g·inv where inv, 1/b, is not 0: update.ts `exactInverse`), plus λ₂·p where λ₂ ≠ 0: update.ts `updateRange` with λ₁ = 0, operation for
 * operation in its order (f64x2.div, .sqrt, .mul and .add are IEEE's, rounded as the scalar ones
 * are), so the same bits; update.ts `updateRangeWith` calls them. In float32 each pair is
 * promoted to float64 (exact), computed as above in float64 as the scalar code computes a
 * Float32Array's values, and each stored value rounded to float32 (f32x4.demote, to nearest as a
 * Float32Array store rounds) — m and v read back rounded, as the scalar code reads them from
 * the array; and plain sgd with λ₂ = 0 is p + ((−lr)/b)·g, the scalar float32 path's form. The
 * scalar loops are bound by their divisions and square root, one element at a time: on 784 × 64
 * float64 weights alone, Adam about 450 µs there against 160 µs here, sgd 65 against 31.
 */

/** A module's optimiser steps, as its instance exports them (wasm.ts `stepsOf`). */
export interface WasmSteps {
  sgd: (p: number, g: number, bytes: number, b: number, inv: number, neglr: number, l2: number) => void;
  momentum: (p: number, g: number, m: number, bytes: number, b: number, inv: number, neglr: number, l2: number, mu: number, first: number) => void;
  adam: (p: number, g: number, m: number, v: number, bytes: number, b: number, inv: number, l2: number, b1: number, b2: number, c1: number, c2: number, negStep: number, bc2sqrt: number) => void;
}

/** A function's parameter types, locals and instructions, for wasm.ts. */
export interface StepFunction {
  params: number[];
  locals: number[][];
  code: number[];
}

/**
 * What the loop body of a step gets: the loop's byte offset (a local) and the pair's constant
 * offset past it, its v128 locals by name, the elements' precision, and whether d is g·(1/b)
 * (`exact`) or g/b (`gradient`).
 */
interface Loop {
  i: number;
  off: number;
  v: Record<string, number>;
  f32: boolean;
  exact: boolean;
}

/** Pairs of elements a step's loop takes per round (the rest one pair at a time). */
const PAIRS_PER_ROUND = 4;

/**
 * A step over `bytes` (parameter `bytesParam`) in pairs of elements: `setup` fills v128 locals
 * (names → scalars in both lanes, masks), then `pair` runs for each pair of elements, at byte
 * offset i + off. The loop takes PAIRS_PER_ROUND pairs a round, then the rest one at a time, and
 * is written twice: d as g·(1/b) where the parameter `invParam` (1/b or 0) is not 0, else as g/b,
 * chosen once per call. One pair a round, with the choice in it, took about 5.5 cycles a pair
 * on this machine's cores, in L1 as in L2 (784 × 64 weights in 30 µs): the loop's own
 * instructions, not the division or the memory, bounded it.
 */
function stepFunction(precision: Elements, params: number[], bytesParam: number, invParam: number, names: string[], setup: (k: Code, l: Loop) => void, pair: (k: Code, l: Loop) => void): StepFunction {
  const i = params.length;
  const v = Object.fromEntries(names.map((n, j) => [n, i + 1 + j]));
  const l: Loop = { i, off: 0, v, f32: precision === 'float32', exact: false };
  const pairBytes = l.f32 ? 8 : 16;
  const k = new Code();
  setup(k, l);
  const loops = (exact: boolean) => {
    l.exact = exact;
    k.i32(0).set(i);
    // while bytes − i ≥ PAIRS_PER_ROUND pairs: a round of them
    k.block().loop();
    k.get(bytesParam).get(i).sub().i32(PAIRS_PER_ROUND * pairBytes).geS().eqz().brIf(1);
    for (let u = 0; u < PAIRS_PER_ROUND; u++) {
      l.off = u * pairBytes;
      pair(k, l);
    }
    l.off = 0;
    k.get(i).i32(PAIRS_PER_ROUND * pairBytes).add().set(i);
    k.br(0);
    k.end().end();
    // the rest, a pair at a time
    k.block().loop();
    k.get(i).get(bytesParam).geS().brIf(1);
    pair(k, l);
    k.get(i).i32(pairBytes).add().set(i);
    k.br(0);
    k.end().end();
  };
  k.get(invParam).f64(0).f64Ne().if();
  loops(true);
  k.else();
  loops(false);
  k.end();
  k.end();
  return { params, locals: [[...uleb(1), I32], [...uleb(names.length), V128]], code: k.bytes };
}

/** Pushes the address parameter `addr` plus the loop's offset. */
function at(k: Code, l: Loop, addr: number): Code {
  return k.get(addr).get(l.i).add();
}

/** Pushes the pair at `addr` as float64 (float32 elements promoted: exact). */
function load(k: Code, l: Loop, addr: number): Code {
  return l.f32 ? at(k, l, addr).load64Zero(l.off).promote() : at(k, l, addr).load(l.off);
}

/** Stores local `value` at `addr`, rounded to float32 in float32; then, in float32, sets it to the rounded value, as the array holds it. */
function store(k: Code, l: Loop, addr: number, value: number): void {
  if (l.f32) {
    k.get(value).demote().promote().set(value);
    at(k, l, addr).get(value).demote().store64Low(l.off);
  } else at(k, l, addr).get(value).store(l.off);
}

/** Sets each named v128 local to its f64 parameter in both lanes. */
function splat(k: Code, v: Record<string, number>, params: Record<string, number>): void {
  for (const [name, param] of Object.entries(params)) k.get(param).f64x2Splat().set(v[name]);
}

/** Sets v128 local `to` to all ones where the f64 parameter is not 0 (both lanes alike). */
function nonzero(k: Code, param: number, to: number): void {
  k.get(param).f64x2Splat().zero().f64x2Ne().set(to);
}

/** The locals `gradient` reads: b, 1/b (or 0) and λ₂ in both lanes, and where λ₂ ≠ 0. */
function gradientScalars(k: Code, v: Record<string, number>, b: number, inv: number, l2: number): void {
  splat(k, v, { b, inv, l2 });
  nonzero(k, l2, v.l2on);
}

/**
 * The pair's p into `pv` and its d into `d`: g/b — as g·(1/b) in the loop for an exact 1/b
 * (`stepFunction`; b a power of two, so the same bits, a multiply where a division takes about
 * four times its throughput) — then + λ₂·p where λ₂ ≠ 0, else g/b itself, which g/b + 0·p is
 * not where p is infinite or the sum is −0.
 */
function gradient(k: Code, l: Loop, p: number, g: number): void {
  const { pv, d, b, inv, l2, l2on } = l.v;
  load(k, l, p).set(pv);
  load(k, l, g).get(l.exact ? inv : b);
  if (l.exact) k.f64x2Mul();
  else k.f64x2Div();
  k.set(d);
  k.get(d).get(l2).get(pv).f64x2Mul().f64x2Add().get(d).get(l2on).vSelect().set(d);
}

export function sgdBody(precision: Elements): StepFunction {
  const [p, g, bytes, b, inv, neglr, l2] = [0, 1, 2, 3, 4, 5, 6];
  return stepFunction(precision, [I32, I32, I32, F64, F64, F64, F64], bytes, inv, ['pv', 'd', 'out', 'b', 'inv', 'neglr', 'l2', 'l2on', 'rate'], (k, { v }) => {
    gradientScalars(k, v, b, inv, l2);
    splat(k, v, { neglr });
    k.get(neglr).get(b).f64Div().f64x2Splat().set(v.rate);
  }, (k, l) => {
    const { v } = l;
    // λ₂ = 0 in float32: p + ((−lr)/b)·g, as the scalar float32 path folds 1/b into the rate.
    if (l.f32) k.get(l2).f64(0).f64Ne().if();
    gradient(k, l, p, g);
    k.get(v.pv).get(v.neglr).get(v.d).f64x2Mul().f64x2Add().set(v.out);
    if (l.f32) {
      k.else();
      load(k, l, p).get(v.rate);
      load(k, l, g).f64x2Mul().f64x2Add().set(v.out);
      k.end();
    }
    store(k, l, p, v.out);
  });
}

export function momentumBody(precision: Elements): StepFunction {
  const [p, g, m, bytes, b, inv, neglr, l2, mu, first] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
  return stepFunction(precision, [I32, I32, I32, I32, F64, F64, F64, F64, F64, F64], bytes, inv, ['pv', 'd', 'buf', 'out', 'b', 'inv', 'neglr', 'l2', 'l2on', 'mu', 'first'], (k, { v }) => {
    gradientScalars(k, v, b, inv, l2);
    splat(k, v, { neglr, mu });
    nonzero(k, first, v.first);
  }, (k, l) => {
    const { v } = l;
    gradient(k, l, p, g);
    // buf ← d on the first step, else buf·μ + d
    k.get(v.d);
    load(k, l, m).get(v.mu).f64x2Mul().get(v.d).f64x2Add();
    k.get(v.first).vSelect().set(v.buf);
    store(k, l, m, v.buf);
    k.get(v.pv).get(v.neglr).get(v.buf).f64x2Mul().f64x2Add().set(v.out);
    store(k, l, p, v.out);
  });
}

/** Adam's step, with eps (update.ts `ADAM_EPS`) as given. */
export function adamBody(precision: Elements, eps: number): StepFunction {
  const [p, g, m, vv, bytes, b, inv, l2, b1, b2, c1, c2, negStep, bc2sqrt] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13];
  const names = ['pv', 'd', 'mn', 'vn', 'out', 'b', 'inv', 'l2', 'l2on', 'b1', 'b2', 'c1', 'c2', 'negStep', 'bc2sqrt', 'eps'];
  return stepFunction(precision, [I32, I32, I32, I32, I32, F64, F64, F64, F64, F64, F64, F64, F64, F64], bytes, inv, names, (k, { v }) => {
    gradientScalars(k, v, b, inv, l2);
    splat(k, v, { b1, b2, c1, c2, negStep, bc2sqrt });
    k.f64x2(eps).set(v.eps);
  }, (k, l) => {
    const { v } = l;
    gradient(k, l, p, g);
    // m ← m·b1 + c1·d;  v ← v·b2 + (c2·d)·d
    load(k, l, m).get(v.b1).f64x2Mul().get(v.c1).get(v.d).f64x2Mul().f64x2Add().set(v.mn);
    store(k, l, m, v.mn);
    load(k, l, vv).get(v.b2).f64x2Mul().get(v.c2).get(v.d).f64x2Mul().get(v.d).f64x2Mul().f64x2Add().set(v.vn);
    store(k, l, vv, v.vn);
    // p ← p + (negStep·m) / (√v / √bc2 + eps)
    k.get(v.pv);
    k.get(v.negStep).get(v.mn).f64x2Mul();
    k.get(v.vn).f64x2Sqrt().get(v.bc2sqrt).f64x2Div().get(v.eps).f64x2Add();
    k.f64x2Div().f64x2Add().set(v.out);
    store(k, l, p, v.out);
  });
}
