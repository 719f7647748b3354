/**
 * The WebAssembly SIMD matrix kernels, assembled here from a handful of opcodes (no toolchain:
 * the bytes are written by `gemmModuleBytes` below and compiled once per process and precision).
 *
 * `gemm(a, as, at, b, bs, c, cs, bias, init, rows, cols, T)`, all i32, addresses and strides
 * in bytes into the imported memory `env.memory`:
 *
 *   c[r·cs + k] = s_{r,k} + Σ_{t=0}^{T−1} a[r·as + t·at] · b[t·bs + k]   for r < rows, k < cols,
 *
 * starting from s = 0 (init 0), bias[k] (init 1) or c[r·cs + k] itself (init 2: accumulate),
 * the sum taken in the order t = 0, 1, …, one rounded multiply and one rounded add per term (f64x2.mul, f64x2.add: no fused
 * multiply-add), which is exactly the scalar loop `s = init; for t: s += a·b`. Each pass computes
 * a tile of c of 4 rows and two vectors (32 bytes) per row in eight accumulators, streaming a row
 * of b (two vectors) and four broadcast values of a per step of t. The float64 kernel's tile is
 * 4 × 4 (f64x2); the float32 kernel is the same code over f32x4 (`v128.load32_splat`,
 * f32x4.mul, f32x4.add), a 4 × 8 tile: twice the products per instruction, each rounded to
 * float32 as the scalar loop `s = fround(s + fround(a·b))` would. rows must be a multiple of 4,
 * cols of the tile's width (`tileCols`).
 */

import { Code, I32, name, section, uleb, V128, vec, type Lanes } from './assembler';
import { adamBody, momentumBody, sgdBody, type WasmSteps } from './step-simd';
import { ADAM_EPS } from './update';
import { sigmoidBody } from './sigmoid-simd';
import { colsumsBody, gateBody, transposeBody } from './bands-simd';
import { tanhBody } from './tanh-simd';
import { tanh32Body } from './tanh32-simd';

export type { WasmSteps } from './step-simd';

/** The element type of a kernel's memory: float64 (the engine's) or float32 (`precision float32`). */
export type Precision = 'float64' | 'float32';

const LANES: Record<Precision, Lanes> = {
  float64: { log2Bytes: 3, splat: 0x0a, add: 0xf0, mul: 0xf2 },
  float32: { log2Bytes: 2, splat: 0x09, add: 0xe4, mul: 0xe6 },
};

/** The tile's height (rows of c per pass). */
export const TILE_ROWS = 4;
/** The tile's width in bytes: two v128 accumulators per row. */
const TILE_BYTES = 32;

/** The tile's width in columns (elements of c per row per pass): 4 in float64, 8 in float32. */
export function tileCols(precision: Precision): number {
  return TILE_BYTES >> LANES[precision].log2Bytes;
}

/**
 * Where the kernel finds a's elements: `plain`, a[r·as + t·at]; `rows`, row r of a at the byte
 * address tab[r] (an int32 list), element (r, t) at a + tab[r] + t·at; `cols`, element (r, t) at
 * a + tab[t] + r·e (a's columns listed, each a run of elements: the transpose of rows listed).
 * The lists let a product read a pass's rows where they are staged (batch.ts), in any order,
 * instead of from a copy; the arithmetic is the same. `rowsT` (float64) is `rows` that also
 * copies a into its transpose, aᵀ[t][r] at xt + t·xts + r·e (byte addresses), in the tiles of c's
 * first four columns, from the values it has just loaded for the sums: the transpose the first
 * layer's weight gradient reads (batch.ts `bandedForward`). Reading the rows through their list
 * as Xᵀ's columns instead, a value from each of 64 rows scattered through the staged training
 * set at each step of its sums, which no prefetcher follows, that product had run at about 85 %
 * of the kernel on square products, against about 95 % along the transpose's rows.
 */
export type AOperand = 'plain' | 'rows' | 'cols' | 'rowsT';

function gemmBody(e: Lanes, mode: AOperand = 'plain'): { locals: number[][]; code: number[] } {
  // parameters (tab: the list of a's rows or columns, in the listing modes; in `rowsT`, xt and
  // xts: where the transpose of a's rows goes, and its rows' stride)
  const [a, as, at, b, bs, c, cs, bias, init, rows, cols, T, tab, xt, xts] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14];
  const transposing = mode === 'rowsT';
  // i32 locals
  const L = mode === 'plain' ? 12 : transposing ? 15 : 13;
  const r = L, kb = L + 1, t = L + 2, pb = L + 3, pc = L + 4, colBytes = L + 5;
  const pa = [L + 6, L + 7, L + 8, L + 9];
  // in `cols`: the list's place at t, and a's run at t; in `rowsT`, the transpose's place at t
  const ptab = L + 10, pt = L + 11, px = L + 12;
  const I32S = transposing ? 13 : 12;
  // v128 locals: acc[row][half], then the two vectors of b and the broadcast of a; in `rowsT`, a pair of a's rows' values
  const V = L + I32S;
  const acc = [[V, V + 1], [V + 2, V + 3], [V + 4, V + 5], [V + 6, V + 7]];
  const b0 = V + 8, b1 = V + 9, s = V + 10, pair = V + 11;
  const k = new Code();
  k.get(cols).i32(e.log2Bytes).shl();
  k.set(colBytes);
  k.i32(0).set(r);
  k.block().loop();
  k.get(r).get(rows).geS().brIf(1);
  k.i32(0).set(kb);
  k.block().loop();
  k.get(kb).get(colBytes).geS().brIf(1);
  // accumulators := c's tile (init 2), bias[k .. k+3] (init 1) or 0
  k.get(init).i32(2).eq().if();
  k.get(c).get(r).get(cs).mul().add().get(kb).add().set(pc);
  for (let i = 0; i < 4; i++) {
    if (i > 0) k.get(pc).get(cs).add().set(pc);
    k.get(pc).load(0).set(acc[i][0]);
    k.get(pc).load(16).set(acc[i][1]);
  }
  k.else();
  k.get(init).if();
  k.get(bias).get(kb).add().load(0).set(acc[0][0]);
  k.get(bias).get(kb).add().load(16).set(acc[0][1]);
  k.else();
  k.zero().set(acc[0][0]);
  k.zero().set(acc[0][1]);
  k.end();
  for (let i = 1; i < 4; i++) {
    k.get(acc[0][0]).set(acc[i][0]);
    k.get(acc[0][1]).set(acc[i][1]);
  }
  k.end();
  if (mode === 'plain') {
    // pa_i = a + (r + i)·as
    k.get(a).get(r).get(as).mul().add().tee(pa[0]);
    for (let i = 1; i < 4; i++) k.get(as).add().tee(pa[i]);
    k.drop();
  } else if (mode === 'rows' || transposing) {
    // pa_i = a + tab[r + i]
    for (let i = 0; i < 4; i++) k.get(tab).get(r).i32(2).shl().add().i32Load(4 * i).get(a).add().set(pa[i]);
    if (transposing) k.get(xt).get(r).i32(e.log2Bytes).shl().add().set(px);
  } else {
    // a's run of the tile's rows in each listed column: a + r·e past tab[t]
    k.get(a).get(r).i32(e.log2Bytes).shl().add().set(pa[0]);
    k.get(tab).set(ptab);
  }
  k.get(b).get(kb).add().set(pb);
  k.get(T).set(t);
  /** The sums' loop over t; with `store`, each step also copies the tile's four values of a into the transpose (float64). */
  const sums = (store: boolean) => {
    k.block().loop();
    k.get(t).eqz().brIf(1);
    k.get(pb).load(0).set(b0);
    k.get(pb).load(16).set(b1);
    if (mode === 'cols') k.get(ptab).i32Load(0).get(pa[0]).add().set(pt);
    for (let i = 0; i < 4; i++) {
      if (mode === 'cols') k.get(pt).splat(e, i << e.log2Bytes).set(s);
      else k.get(pa[i]).splat(e, 0).set(s);
      k.get(acc[i][0]).get(s).get(b0).vMul(e).vAdd(e).set(acc[i][0]);
      k.get(acc[i][1]).get(s).get(b1).vMul(e).vAdd(e).set(acc[i][1]);
    }
    if (store) {
      // xᵀ[t][r … r+3] = a[r … r+3][t]: two pairs, each a value of one row beside the next's
      for (let h = 0; h < 2; h++) {
        k.get(pa[2 * h]).load64Zero(0).set(pair);
        k.get(pa[2 * h + 1]).get(pair).load64Lane(0, 1).set(pair);
        k.get(px).get(pair).store(16 * h);
      }
      k.get(px).get(xts).add().set(px);
    }
    if (mode === 'cols') k.get(ptab).i32(4).add().set(ptab);
    else for (let i = 0; i < 4; i++) k.get(pa[i]).get(at).add().set(pa[i]);
    k.get(pb).get(bs).add().set(pb);
    k.get(t).i32(1).sub().set(t);
    k.br(0);
    k.end().end();
  };
  if (transposing) {
    // The transpose is written once, by the tiles of c's first columns.
    k.get(kb).eqz().if();
    sums(true);
    k.else();
    sums(false);
    k.end();
  } else sums(false);
  // store the tile
  k.get(c).get(r).get(cs).mul().add().get(kb).add().set(pc);
  for (let i = 0; i < 4; i++) {
    if (i > 0) k.get(pc).get(cs).add().set(pc);
    k.get(pc).get(acc[i][0]).store(0);
    k.get(pc).get(acc[i][1]).store(16);
  }
  k.get(kb).i32(TILE_BYTES).add().set(kb);
  k.br(0);
  k.end().end();
  k.get(r).i32(TILE_ROWS).add().set(r);
  k.br(0);
  k.end().end();
  k.end();
  return { locals: [[...uleb(I32S), I32], [...uleb(transposing ? 12 : 11), V128]], code: k.bytes };
}

/**
 * The module's bytes: one import (the memory), the functions `gemm` over elements of `precision`
 * and `tanh` (tanh-simd.ts in float64, tanh32-simd.ts in float32), in float64 `sigmoid`
 * (sigmoid-simd.ts, which reads exp.ts's tables where an arena keeps them), `colsums`, `gate`
 * and `transpose` (bands-simd.ts) and `gemmRowsT` (`AOperand`), and the optimisers' steps
 * `sgd`, `momentum` and `adam` over its elements (step-simd.ts). A `shared` module imports a
 * shared memory (limits flag 3: shared, with a maximum of 65536 pages, the whole 32-bit space),
 * which instances on several threads use at once (pool.ts).
 */
export function gemmModuleBytes(precision: Precision = 'float64', shared = false): Uint8Array {
  const functions: { name: string; params: number[]; results: number[]; locals: number[][]; code: number[] }[] = [
    { name: 'gemm', params: new Array(12).fill(I32), results: [], ...gemmBody(LANES[precision]) },
    { name: 'gemmRows', params: new Array(13).fill(I32), results: [], ...gemmBody(LANES[precision], 'rows') },
    { name: 'gemmCols', params: new Array(13).fill(I32), results: [], ...gemmBody(LANES[precision], 'cols') },
    ...(precision === 'float64' ? [{ name: 'gemmRowsT', params: new Array(15).fill(I32), results: [], ...gemmBody(LANES[precision], 'rowsT') }] : []),
    { name: 'tanh', params: new Array(6).fill(I32), results: [I32], ...(precision === 'float64' ? tanhBody() : tanh32Body()) },
    ...(precision === 'float64' ? [{ name: 'sigmoid', params: new Array(6).fill(I32), results: [I32], ...sigmoidBody() }] : []),
    ...(precision === 'float64' ? [{ name: 'colsums', params: new Array(6).fill(I32), results: [], ...colsumsBody() }] : []),
    ...(precision === 'float64' ? [{ name: 'gate', params: new Array(6).fill(I32), results: [], ...gateBody() }] : []),
    ...(precision === 'float64' ? [{ name: 'transpose', params: new Array(6).fill(I32), results: [], ...transposeBody() }] : []),
    ...[{ name: 'sgd', ...sgdBody(precision) }, { name: 'momentum', ...momentumBody(precision) }, { name: 'adam', ...adamBody(precision, ADAM_EPS) }].map((f) => ({ ...f, results: [] })),
  ];
  // One type per function, in order.
  const types = functions.map((f) => [0x60, ...vec(f.params.map((t) => [t])), ...vec(f.results.map((t) => [t]))]);
  const bodies = functions.map(({ locals, code }) => [...vec(locals), ...code]);
  const bytes = [
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, vec(types)),
    ...section(2, vec([[...name('env'), ...name('memory'), 0x02, ...(shared ? [0x03, ...uleb(1), ...uleb(65536)] : [0x00, ...uleb(1)])]])),
    ...section(3, vec(functions.map((_, i) => uleb(i)))),
    ...section(7, vec(functions.map((f, i) => [...name(f.name), 0x00, ...uleb(i)]))),
    ...section(10, vec(bodies.map((f) => [...uleb(f.length), ...f]))),
  ];
  return Uint8Array.from(bytes);
}

/**
 * The module's `tanh(z, y, gp, rows, blocks, stride)` (tanh-simd.ts, tanh32-simd.ts) and the
 * float64 module's `sigmoid` (sigmoid-simd.ts): 1 when some element is left to activate.ts, else 0.
 */
export type WasmRows = (z: number, y: number, gp: number, rows: number, blocks: number, stride: number) => number;

/** The float64 module's `colsums(src, stride, rows, bytes, dst, init)` (bands-simd.ts). */
export type WasmColumnSums = (src: number, stride: number, rows: number, bytes: number, dst: number, init: number) => void;

/** The float64 module's `gate(dx, gp, delta, stride, rows, bytes)` (bands-simd.ts). */
export type WasmGate = (dx: number, gp: number, delta: number, stride: number, rows: number, bytes: number) => void;

/** The float64 module's `transpose(src, ss, dst, ds, rows, cols)` (bands-simd.ts). */
export type WasmTranspose = (src: number, ss: number, dst: number, ds: number, rows: number, cols: number) => void;

/** An instance's routines over rows of a block, where its module has them: the elementwise activations, column sums, the gate and the transpose. */
export interface WasmActivations {
  tanh?: WasmRows;
  sigmoid?: WasmRows;
  colsums?: WasmColumnSums;
  gate?: WasmGate;
  transpose?: WasmTranspose;
}

/** The row routines of an instance's exports. */
export function activationsOf(exports: Record<string, unknown>): WasmActivations {
  return { tanh: exports.tanh as WasmRows | undefined, sigmoid: exports.sigmoid as WasmRows | undefined, colsums: exports.colsums as WasmColumnSums | undefined, gate: exports.gate as WasmGate | undefined, transpose: exports.transpose as WasmTranspose | undefined };
}

/** An instance's steps, or undefined where its module has none. */
export function stepsOf(exports: Record<string, unknown>): WasmSteps | undefined {
  const { sgd, momentum, adam } = exports;
  return typeof sgd === 'function' && typeof momentum === 'function' && typeof adam === 'function' ? (exports as unknown as WasmSteps) : undefined;
}

export type WasmGemm = (a: number, as: number, at: number, b: number, bs: number, c: number, cs: number, bias: number, init: number, rows: number, cols: number, T: number) => void;

/** The kernel with a's rows or columns listed (`AOperand`): the list's byte address last. */
export type WasmGemmListed = (a: number, as: number, at: number, b: number, bs: number, c: number, cs: number, bias: number, init: number, rows: number, cols: number, T: number, tab: number) => void;

/** The float64 kernel with a's rows listed that also writes their transpose (`AOperand` `rowsT`): xt and its rows' stride after the list. */
export type WasmGemmTransposing = (a: number, as: number, at: number, b: number, bs: number, c: number, cs: number, bias: number, init: number, rows: number, cols: number, T: number, tab: number, xt: number, xts: number) => void;

/** An instance's kernels that read a through a list, where its module has them (`rowsT` in float64 only). */
export interface WasmListed {
  rows: WasmGemmListed;
  cols: WasmGemmListed;
  rowsT?: WasmGemmTransposing;
}

/** The listing kernels of an instance's exports. */
export function listedOf(exports: Record<string, unknown>): WasmListed | undefined {
  const { gemmRows, gemmCols, gemmRowsT } = exports;
  return typeof gemmRows === 'function' && typeof gemmCols === 'function' ? { rows: gemmRows as WasmGemmListed, cols: gemmCols as WasmGemmListed, rowsT: gemmRowsT as WasmGemmTransposing | undefined } : undefined;
}

/** The part of the WebAssembly JavaScript API used here (the project's lib has no DOM types). */
export interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: Record<string, unknown> };
  Memory: new (descriptor: { initial: number; maximum?: number; shared?: boolean }) => { buffer: ArrayBuffer };
}

/** The host's WebAssembly, if it has one. */
export function wasmApi(): WasmApi | undefined {
  return (globalThis as { WebAssembly?: WasmApi }).WebAssembly;
}

const compiled = new Map<string, object | null>();

/**
 * The compiled module of a precision, or null where WebAssembly or its SIMD is missing; `shared`:
 * the module over a shared memory, or null where threads or shared memory are missing too.
 */
export function gemmModule(precision: Precision = 'float64', shared = false): object | null {
  const key = shared ? `${precision} shared` : precision;
  const known = compiled.get(key);
  if (known !== undefined) return known;
  const api = wasmApi();
  let module: object | null;
  try {
    module = api ? new api.Module(gemmModuleBytes(precision, shared)) : null;
  } catch {
    module = null; // no SIMD (or no threads): the JavaScript kernels, or one thread, do the work
  }
  compiled.set(key, module);
  return module;
}
