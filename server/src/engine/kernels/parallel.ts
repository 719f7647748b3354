import type { WasmGemm, WasmListed } from './wasm';

/**
 * How one product (gemm.ts) is cut up, without changing any of its sums:
 *
 * - in **slices of t** (`wasmProduct`), so that the rows of b a slice reads stay in cache; each
 *   slice continues the sums where the previous one left them (init 2), so the terms of every
 *   sum are added in the same order t = 0, 1, …;
 * - in **parts between threads** (`productPart`): each thread computes whole elements of c — a
 *   band of its rows or of its columns, in 4 × 4 tiles — with every sum complete in one thread.
 *   A sum is never split (no partial sums over samples added afterwards), so the threaded
 *   product is bit for bit the one-thread product.
 *
 * And how many threads the products of new arenas use (`setThreads`): the engine reads no
 * environment; the entry points (CLI, training worker, bench) decide, from NETSPEC_THREADS.
 */

/** A product's bias argument (`wasmProduct`, gemm.ts `gemm`) for init 0, and for init = c (continuing sums). */
export const NO_BIAS = -1;
export const ACCUMULATE = -2;

/** The bytes of b one slice of a long sum reads (see `wasmProduct`): about half of a core's L2 cache. */
const SLICE_BYTES = 262144;

/**
 * a read through a list of its rows or columns (wasm.ts `AOperand`): the kernels, the mode, and
 * the list's place, int32 byte addresses from element `at` of an int32 view of the memory on.
 * In `rows`, a's row r is at a + list[r] (a an offset in elements, as is at); in `cols`, a's
 * element (r, t) at a + list[t] + r (as and at unused): the listed rows of a pass, read as the
 * columns of Xᵀ. With `transpose` (rows, float64), the kernel also writes a's transpose, its
 * element (t, r) at transpose.at + t·transpose.stride (elements).
 */
export interface AList {
  kernels: WasmListed;
  mode: 'rows' | 'cols';
  at: number;
  transpose?: Pick<TransposedRows, 'at' | 'stride'>;
}

/**
 * Where the parts of a product over column bands write the transpose of a's listed rows
 * (wasm.ts `AOperand` `rowsT`): Xᵀ of band 0 at element `at`, its rows `stride` elements apart, band t's
 * copy `band` elements past band 0's. Each thread's copy is read by the first layer's gradient
 * of its band (batch.ts).
 */
export interface TransposedRows {
  at: number;
  stride: number;
  band: number;
}

/**
 * How a product over column bands reads a through a list (`AList`'s mode and place), and where
 * its parts write the transpose of those rows, if anywhere (rows only).
 */
export interface ListedRows extends Pick<AList, 'mode' | 'at'> {
  transpose?: TransposedRows;
}

/**
 * The WebAssembly kernel on c[r·cs + k] = init + Σ_t a[r·as + t·at] · b[t·bs + k] (offsets and
 * strides in elements of `e` bytes; bias ≥ 0 an offset, −1 init 0, −2 continue c), in slices of
 * t; a through `list` where given (its element (r, t) where the list says).
 */
export function wasmProduct(wasm: WasmGemm, e: number, a: number, as: number, at: number, b: number, bs: number, c: number, cs: number, bias: number, rows: number, cols: number, T: number, list?: AList): void {
  const slice = Math.max(16, Math.floor(SLICE_BYTES / (e * cols)));
  let init = bias === NO_BIAS ? 0 : bias === ACCUMULATE ? 2 : 1;
  for (let t0 = 0; t0 < T || t0 === 0; t0 += slice) {
    const n = Math.min(slice, T - t0);
    const [pb, pc, pbias] = [(b + t0 * bs) * e, c * e, bias < 0 ? 0 : bias * e];
    if (!list) wasm((a + t0 * at) * e, as * e, at * e, pb, bs * e, pc, cs * e, pbias, init, rows, cols, n);
    else if (list.mode === 'rows' && list.transpose) {
      const { at: xt, stride } = list.transpose;
      if (!list.kernels.rowsT) throw new Error('the transpose of listed rows needs the float64 kernels');
      list.kernels.rowsT((a + t0 * at) * e, 0, at * e, pb, bs * e, pc, cs * e, pbias, init, rows, cols, n, 4 * list.at, (xt + t0 * stride) * e, stride * e);
    } else if (list.mode === 'rows') list.kernels.rows((a + t0 * at) * e, 0, at * e, pb, bs * e, pc, cs * e, pbias, init, rows, cols, n, 4 * list.at);
    else list.kernels.cols(a * e, 0, 0, pb, bs * e, pc, cs * e, pbias, init, rows, cols, n, 4 * (list.at + t0));
    init = 2;
  }
}

/** One thread's part of a product: its rows [r0, r1) and columns [k0, k1) of c (whole tiles). */
export interface ProductPart {
  r0: number;
  r1: number;
  k0: number;
  k1: number;
}

/**
 * A rows × cols product cut into `parts` bands of whole tiles (4 rows, `width` columns: 4 in
 * float64, 8 in float32; rows and cols are multiples of them), as even as tiles allow: bands of
 * rows when there are at least as many rows as columns, else bands of columns. Part i has tiles
 * ⌊i·n/parts⌋ … ⌊(i+1)·n/parts⌋ − 1 of the n along that side (some are empty when n < parts).
 */
export function productPart(rows: number, cols: number, parts: number, i: number, width = 4): ProductPart {
  const byRows = rows >= cols;
  const side = byRows ? 4 : width;
  const tiles = (byRows ? rows : cols) / side;
  const from = side * Math.floor((i * tiles) / parts);
  const to = side * Math.floor(((i + 1) * tiles) / parts);
  return byRows ? { r0: from, r1: to, k0: 0, k1: cols } : { r0: 0, r1: rows, k0: from, k1: to };
}

/** Every part of `productPart`, in order. */
export function splitProduct(rows: number, cols: number, parts: number, width = 4): ProductPart[] {
  return Array.from({ length: parts }, (_, i) => productPart(rows, cols, parts, i, width));
}

/**
 * How many parts a product is cut into for `threads` threads: a few per thread, so that a thread
 * the system runs late (a shared machine) leaves parts to the others instead of stalling them,
 * and never more than the tiles along the cut side.
 */
export function partsFor(rows: number, cols: number, threads: number, width = 4): number {
  return Math.min(rows >= cols ? rows / 4 : cols / width, PARTS_PER_THREAD * threads);
}

const PARTS_PER_THREAD = 4;

/** How many bands of rows an elementwise task over n rows is cut into for `threads` threads (as `partsFor`). */
export function rowPartsFor(n: number, threads: number): number {
  return Math.min(n, PARTS_PER_THREAD * threads);
}

/**
 * Column band t of `bands` over cols columns, in whole tiles of `width`: [k0, k1). A layer whose
 * weights are kept in bands (batch.ts) stores band t as its own block, rows of k1 − k0 values, at
 * rows · k0 past the matrix's start, and thread t computes it (pool.ts): a thread writes only
 * memory it alone touches. On this machine two cores writing interleaved parts of the same rows
 * (each 512 bytes of a 1 KB row), or one writing lines the other has read, run three to four times
 * slower than each writing a block of its own.
 */
export function columnBand(cols: number, bands: number, t: number, width: number): [k0: number, k1: number] {
  const tiles = cols / width;
  return [width * Math.floor((t * tiles) / bands), width * Math.floor(((t + 1) * tiles) / bands)];
}

/**
 * Where the part of a product from column k0 + q0 of band [k0, k1) on reads b and writes c (and
 * its bias): b and c each either plain (rows bs or cs apart) or kept in banded blocks of `bRows`
 * or `cRows` rows (the band's block, rows k1 − k0 values wide, at rows · k0). Returns b, bs, c,
 * cs and the bias (an offset, or NO_BIAS/ACCUMULATE as given).
 */
export function bandOperands(b: number, bs: number, bRows: number, c: number, cs: number, cRows: number, bias: number, k0: number, k1: number, q0: number): [b: number, bs: number, c: number, cs: number, bias: number] {
  const w = k1 - k0;
  return [bRows > 0 ? b + bRows * k0 + q0 : b + k0 + q0, bRows > 0 ? w : bs, cRows > 0 ? c + cRows * k0 + q0 : c + k0 + q0, cRows > 0 ? w : cs, bias >= 0 ? bias + k0 + q0 : bias];
}

/** Where column k of a banded rows × cols matrix is: its band's block and the column within it. */
export function bandedIndex(rows: number, cols: number, bands: number, width: number, j: number, k: number): number {
  if (bands === 1) return j * cols + k;
  for (let t = 0; ; t++) {
    const [k0, k1] = columnBand(cols, bands, t, width);
    if (k < k1 || t === bands - 1) return rows * k0 + j * (k1 - k0) + (k - k0);
  }
}

/** Band i of n rows (or elements) cut into `parts`: from ⌊i·n/parts⌋ up to ⌊(i+1)·n/parts⌋. */
export function band(n: number, parts: number, i: number): [from: number, to: number] {
  return [Math.floor((i * n) / parts), Math.floor(((i + 1) * n) / parts)];
}

/**
 * Below this many multiply-adds (rows · cols · T) a product stays on one thread: waking the other
 * threads and waiting for them costs more than their share saves. Measured with `npm run bench`
 * on 2 cores: a 64 × 64 × 64 product (262,144) gains about 1.3×.
 */
export const PARALLEL_MIN_WORK = 65536;

export interface ThreadSettings {
  /** Threads a product may use, the calling thread included (1: no helper thread). */
  threads: number;
  /** Products of fewer multiply-adds stay on one thread (tests set 0, to thread every product). */
  minWork: number;
  /** Starts one helper thread (pool.ts `serveProducts` on the other side); absent: one thread. */
  spawn?: SpawnHelper;
}

/** What the entry point's `spawn` returns: a way to post a helper its messages, and to let the process end without it. */
export interface HelperThread {
  postMessage(message: unknown): void;
  /** Lets the host exit while the helper waits (Node's Worker.unref). */
  unref?(): void;
}

export type SpawnHelper = () => HelperThread;

let settings: ThreadSettings = { threads: 1, minWork: PARALLEL_MIN_WORK };

/**
 * The threads of arenas made from now on: `threads` (the calling one included) with helpers from
 * `spawn`. Without `spawn`, or where shared WebAssembly memory is missing (a browser page that is
 * not cross-origin isolated), products run on one thread.
 */
export function setThreads(next: { threads: number; spawn?: SpawnHelper; minWork?: number }): void {
  settings = { threads: Math.max(1, Math.floor(next.threads)), minWork: next.minWork ?? PARALLEL_MIN_WORK, spawn: next.spawn };
}

export function threadSettings(): Readonly<ThreadSettings> {
  return settings;
}

/**
 * A setting's text (NETSPEC_THREADS: a whole number of threads, 1 for one thread) as a count of
 * threads; anything else, or nothing, is `cores` (every core the machine has).
 */
export function threadsOf(setting: string | undefined, cores: number): number {
  const n = Number(setting);
  return setting !== undefined && setting.trim() !== '' && Number.isInteger(n) && n >= 1 ? Math.min(n, 64) : Math.max(1, cores);
}
