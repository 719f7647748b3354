import { Code, I32, uleb, V128 } from './assembler';

/**
 * Plain sgd's step over a run of float64 parameters in WebAssembly SIMD, two elements per
 * instruction: the function `sgd(p, g, bytes, neglr, b)` of the float64 kernels' module (wasm.ts;
 * p and g addresses, `bytes` a multiple of 32) computes
 *
 *   p_i ← p_i + (−lr) · (g_i / b)
 *
 * for each element, with f64x2.div, f64x2.mul and f64x2.add: IEEE operations, each rounded as the
 * scalar one is, in update.ts `updateRange`'s order, so the same bits. The scalar loop is bound by
 * its division, one element at a time: on a band of 784 × 64 weights, about 66 µs against 31 µs
 * here.
 */
export function sgdBody(): { locals: number[][]; code: number[] } {
  const [p, g, bytes, neglr, b] = [0, 1, 2, 3, 4];
  const i = 5;
  const [rate, size] = [6, 7];
  const k = new Code();
  k.get(neglr).f64x2Splat().set(rate);
  k.get(b).f64x2Splat().set(size);
  k.i32(0).set(i);
  k.block().loop();
  k.get(i).get(bytes).geS().brIf(1);
  for (const offset of [0, 16]) {
    k.get(p).get(i).add();
    k.get(p).get(i).add().load(offset);
    k.get(rate).get(g).get(i).add().load(offset).get(size).f64x2Div().f64x2Mul().f64x2Add();
    k.store(offset);
  }
  k.get(i).i32(32).add().set(i);
  k.br(0);
  k.end().end();
  k.end();
  return { locals: [[...uleb(1), I32], [...uleb(2), V128]], code: k.bytes };
}
