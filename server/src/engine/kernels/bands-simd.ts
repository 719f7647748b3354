import { Code, I32, uleb, V128 } from './assembler';

/*
 * Three of bands.ts's loops in WebAssembly SIMD for the float64 kernels' module (wasm.ts): the
 * bias gradient's column sums, the backward pass's gate and Wᵀ, each the same operations in the
 * same order as the JavaScript loop, so the same bits. In JavaScript each took about 2.5 ns an
 * element inside a training step.
 */

/**
 * Column sums of a float64 block in WebAssembly SIMD, two columns per instruction: the function
 * `colsums(src, stride, rows, bytes, dst, init)` of the float64 kernels' module (wasm.ts; i32
 * arguments, addresses, the rows' stride and the run of columns in bytes, a multiple of 16) sets
 *
 *   dst[k] = s_k + Σ_{i=0}^{rows−1} src[i·stride + k]   for each column k of the run,
 *
 * s_k = dst[k] itself (init 1) or 0 (init 0), the terms added in the order i = 0, 1, … with one
 * rounded add each: bands.ts `columnSums`'s loop, so the same bits. Four columns at a time in two
 * accumulators, then the last two: each sum is a chain of adds, and two chains side by side
 * keep the adder busier than one. The JavaScript loop took about 2.5 ns an element in a training
 * step, where the dE/db of a band of 64 units over a batch of 64 rows is 4,096 of them.
 */
export function colsumsBody(): { locals: number[][]; code: number[] } {
  const [src, stride, rows, bytes, dst, init] = [0, 1, 2, 3, 4, 5];
  const [j, i, p] = [6, 7, 8];
  const [a0, a1] = [9, 10];
  const k = new Code();
  /** Columns j … j + 2·vectors − 1: the accumulators from dst (init 1) or 0, the rows added in order, stored. */
  const run = (vectors: number) => {
    const acc = [a0, a1].slice(0, vectors);
    k.get(init).if();
    acc.forEach((a, v) => k.get(dst).get(j).add().load(16 * v).set(a));
    k.else();
    acc.forEach((a) => k.zero().set(a));
    k.end();
    k.get(src).get(j).add().set(p);
    k.get(rows).set(i);
    k.block().loop();
    k.get(i).eqz().brIf(1);
    acc.forEach((a, v) => k.get(a).get(p).load(16 * v).f64x2Add().set(a));
    k.get(p).get(stride).add().set(p);
    k.get(i).i32(1).sub().set(i);
    k.br(0);
    k.end().end();
    acc.forEach((a, v) => k.get(dst).get(j).add().get(a).store(16 * v));
  };
  k.i32(0).set(j);
  k.block().loop();
  k.get(bytes).get(j).sub().i32(32).geS().eqz().brIf(1);
  run(2);
  k.get(j).i32(32).add().set(j);
  k.br(0);
  k.end().end();
  k.get(bytes).get(j).sub().i32(16).geS().if();
  run(1);
  k.end();
  k.end();
  return { locals: [[...uleb(3), I32], [...uleb(2), V128]], code: k.bytes };
}

/**
 * The backward pass's gate over rows of a float64 block: the function `gate(dx, gp, delta, stride,
 * rows, bytes)` (i32 arguments; addresses, the rows' stride and the run of each row in bytes, a
 * multiple of 16) sets delta[r·stride + k] = dx[r·stride + k] · gp[r·stride + k] for each of
 * `rows` rows: one rounded multiply an element, bands.ts `gateBand`'s, two at a time. The row
 * chain (chain.ts) takes δ = ΔX ⊙ g' of each layer of its rows so: 6,144 elements a step on
 * each thread in the 784-128-64-10 network.
 */
export function gateBody(): { locals: number[][]; code: number[] } {
  const [dx, gp, delta, stride, rows, bytes] = [0, 1, 2, 3, 4, 5];
  const [r, j, o] = [6, 7, 8];
  const k = new Code();
  k.i32(0).set(r);
  k.i32(0).set(o);
  k.block().loop();
  k.get(r).get(rows).geS().brIf(1);
  k.i32(0).set(j);
  k.block().loop();
  k.get(j).get(bytes).geS().brIf(1);
  k.get(delta).get(o).add().get(j).add();
  k.get(dx).get(o).add().get(j).add().load(0);
  k.get(gp).get(o).add().get(j).add().load(0);
  k.f64x2Mul().store(0);
  k.get(j).i32(16).add().set(j);
  k.br(0);
  k.end().end();
  k.get(o).get(stride).add().set(o);
  k.get(r).i32(1).add().set(r);
  k.br(0);
  k.end().end();
  k.end();
  return { locals: [[...uleb(3), I32]], code: k.bytes };
}

/**
 * A block's transpose, two rows and two columns a round: the function `transpose(src, ss, dst,
 * ds, rows, cols)` (i32 arguments; addresses and strides in bytes, rows and cols even) sets
 * dst[k·ds + 8j] = src[j·ss + 8k] for j < rows, k < cols — two values of each of two rows, then
 * two shuffles to two columns of two. bands.ts `transposeBand` (Wᵀ of a band's rows, written by
 * the thread that has just stepped them) takes the even part of its block so: 4,096 values a
 * step on each thread for the 784-128-64-10 network's second layer.
 */
export function transposeBody(): { locals: number[][]; code: number[] } {
  const [src, ss, dst, ds, rows, cols] = [0, 1, 2, 3, 4, 5];
  const [j, kk, ps, pd] = [6, 7, 8, 9];
  const [v0, v1] = [10, 11];
  const LOW = [0, 1, 2, 3, 4, 5, 6, 7, 16, 17, 18, 19, 20, 21, 22, 23];
  const HIGH = [8, 9, 10, 11, 12, 13, 14, 15, 24, 25, 26, 27, 28, 29, 30, 31];
  const k = new Code();
  k.i32(0).set(j);
  k.block().loop();
  k.get(j).get(rows).geS().brIf(1);
  // ps: row j of src; pd: column j of dst (row 0)
  k.get(src).get(j).get(ss).mul().add().set(ps);
  k.get(dst).get(j).i32(3).shl().add().set(pd);
  k.i32(0).set(kk);
  k.block().loop();
  k.get(kk).get(cols).geS().brIf(1);
  k.get(ps).load(0).set(v0);
  k.get(ps).get(ss).add().load(0).set(v1);
  k.get(pd).get(v0).get(v1).shuffle(LOW).store(0);
  k.get(pd).get(ds).add().get(v0).get(v1).shuffle(HIGH).store(0);
  k.get(ps).i32(16).add().set(ps);
  k.get(pd).get(ds).get(ds).add().add().set(pd);
  k.get(kk).i32(2).add().set(kk);
  k.br(0);
  k.end().end();
  k.get(j).i32(2).add().set(j);
  k.br(0);
  k.end().end();
  k.end();
  return { locals: [[...uleb(4), I32], [...uleb(2), V128]], code: k.bytes };
}
