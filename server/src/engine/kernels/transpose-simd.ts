import { Code, I32, uleb, V128 } from './assembler';

/**
 * A pass's listed rows copied into their transpose, in WebAssembly SIMD: the function
 * `transposeRows(tab, a, rows, c0, c1, dst, ds)` of the float64 kernels' module (wasm.ts; i32
 * arguments, `tab` the byte address of the list of `rows` rows, row r at a + tab[r], and
 * addresses and the transpose's row stride `ds` in bytes) sets, for columns c0 ≤ j < c1 (c0 and
 * c1 even, rows a multiple of 4),
 *
 *   dst[j·ds + 8r] = x_{r,j}   (x_{r,j} the float64 at a + tab[r] + 8j),
 *
 * four rows and two columns a round: two values of each row, then two shuffles to a column of
 * four and two stores for each column. A copy, so the same bits.
 *
 * Why: the first layer's weight gradient Xᵀ Δ read the pass's rows through their list as Xᵀ's
 * columns (wasm.ts `cols`), a value from each of 64 rows scattered through the staged training
 * set at every step of its sums, which no prefetcher follows: on one core that product ran at
 * about 85 % of the kernel on square products, and at about 95 % on a transpose, whose rows it
 * reads straight through. The forward product's parts write the transpose (pool.ts), right after
 * reading the rows, each core its own copy.
 */
export function transposeRowsBody(): { locals: number[][]; code: number[] } {
  const [tab, a, rows, c0, c1, dst, ds] = [0, 1, 2, 3, 4, 5, 6];
  const [r, t, q] = [7, 8, 9];
  const p = [10, 11, 12, 13];
  const v = [14, 15, 16, 17];
  // the low (high) float64 of a beside the low (high) float64 of b
  const LOW = [0, 1, 2, 3, 4, 5, 6, 7, 16, 17, 18, 19, 20, 21, 22, 23];
  const HIGH = [8, 9, 10, 11, 12, 13, 14, 15, 24, 25, 26, 27, 28, 29, 30, 31];
  const k = new Code();
  k.i32(0).set(r);
  k.block().loop();
  k.get(r).get(rows).geS().brIf(1);
  p.forEach((pi, i) => k.get(tab).get(r).i32(2).shl().add().i32Load(4 * i).get(a).add().set(pi));
  // t: column c0's byte offset in a row; q: its place in the transpose, at this tile's rows
  k.get(c0).i32(3).shl().set(t);
  k.get(dst).get(r).i32(3).shl().add().get(c0).get(ds).mul().add().set(q);
  k.block().loop();
  k.get(t).get(c1).i32(3).shl().geS().brIf(1);
  p.forEach((pi, i) => k.get(pi).get(t).add().load(0).set(v[i]));
  k.get(q).get(v[0]).get(v[1]).shuffle(LOW).store(0);
  k.get(q).get(v[2]).get(v[3]).shuffle(LOW).store(16);
  k.get(q).get(ds).add().get(v[0]).get(v[1]).shuffle(HIGH).store(0);
  k.get(q).get(ds).add().get(v[2]).get(v[3]).shuffle(HIGH).store(16);
  k.get(q).get(ds).get(ds).add().add().set(q);
  k.get(t).i32(16).add().set(t);
  k.br(0);
  k.end().end();
  k.get(r).i32(4).add().set(r);
  k.br(0);
  k.end().end();
  k.end();
  return { locals: [[...uleb(7), I32], [...uleb(4), V128]], code: k.bytes };
}
