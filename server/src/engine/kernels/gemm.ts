import { activationsOf, gemmModule, listedOf, stepsOf, tileCols, TILE_ROWS, wasmApi, type Precision, type WasmActivations, type WasmGemm, type WasmListed, type WasmSteps } from './wasm';
import { EXP_TABLE_VALUES, EXP_TABLES_AT, expTables } from './exp-simd';
import { ACCUMULATE, bandOperands, columnBand, NO_BIAS, threadSettings, wasmProduct, type ListedRows } from './parallel';
import { productPool, type BandActivation, type BandStep, type ProductGate, type ProductPool, type SharedKernel } from './pool';
import { activateRows, type InlinedCode } from './activate';
import { columnSums, transposeBand } from './bands';
import { updateRangeWith, type StepScalars } from './update';
import type { Floats } from './floats';

export type { Precision } from './wasm';
export type { Floats } from './floats';

/**
 * Float64 (or float32) memory for one network's training buffers, and the matrix product over it:
 *
 *   c[r·cs + k] = init_{r,k} + Σ_{t=0}^{T−1} a[r·as + t·at] · b[t·bs + k]   (r < rows, k < cols),
 *
 * init = 0, bias[k], or c[r·cs + k] itself (`ACCUMULATE`: sums continued across calls),
 * summed in the order t = 0, 1, … with one rounded multiply and one rounded add per term, rounded
 * to the heap's precision (a float32 arena rounds each product and each sum to float32). Offsets
 * and strides count elements of `heap`. Two
 * implementations compute it bit for bit alike — WebAssembly SIMD (wasm.ts; the heap is the
 * module's memory) and plain JavaScript — so which one runs changes speed, never a result.
 * Callers keep rows multiples of 4 and cols multiples of the SIMD tile's width, 4 in float64 and
 * 8 in float32: buffers are padded (`Arena.pad`).
 */

export { ACCUMULATE, NO_BIAS } from './parallel';

/**
 * Which kernels an arena uses: 'auto' is WebAssembly SIMD wherever it loads, else JavaScript;
 * 'wasm' insists on WebAssembly (an error where it is missing), 'js' keeps to JavaScript.
 */
export type KernelMode = 'auto' | 'wasm' | 'js';

/** n rounded up to a multiple of 4. */
export function pad4(n: number): number {
  return (n + 3) & ~3;
}

/**
 * What one element of tanh or σ costs (tanh-simd.ts about 8 ns, sigmoid-simd.ts about 4 ns here) in
 * the kernel's multiply-adds (about 0.1 ns each on large products), for the threshold of threads.
 */
const ACTIVATION_WORK = 64;

/** What one element of an optimiser step costs (a few loads, stores and a division; Adam's square root) in multiply-adds. */
const UPDATE_WORK = 16;
/** Tensors shorter than this are updated on one thread whatever the settings: a bias is a few values. */
const PARALLEL_MIN_UPDATE = 64;

export class Arena {
  readonly heap: Floats;
  /** 'wasm' when the SIMD kernel is available (and not turned off), else 'js'. */
  readonly backend: 'wasm' | 'js';
  private readonly wasm?: WasmGemm;
  /** The module's tanh (tanh-simd.ts, tanh32-simd.ts) and σ (sigmoid-simd.ts). */
  private readonly simd?: WasmActivations;
  /** The module's optimiser steps (step-simd.ts). */
  private readonly simdSteps?: WasmSteps;
  /** The module's kernels that read a through a list of its rows or columns (wasm.ts `AOperand`). */
  private readonly listed?: WasmListed;
  private top = 0;
  /**
   * Products computed so far by each kernel (which one ran, for the bench; the results are the
   * same), those cut between threads (`banded`: by a layer's column bands), the activations
   * and optimiser steps cut between threads, the epochs whose order of staged rows was set
   * (batch.ts `loadEpoch`), the gradients' products that took the optimiser's step on their
   * parts (`gemmBanded`'s `step`), the forward products that took their activation
   * (`gemmBanded`'s `act`), the products that took the backward pass's gate (`gemm`'s `gate`),
   * the passes whose rows went through a row chain on the threads (`chain`), the products
   * that read a pass's staged rows through a list of them (`gemmBanded`'s `list`) and the threaded
   * ones of those that wrote the rows' transpose (its `transpose`).
   */
  readonly products = { wasm: 0, js: 0, threaded: 0, banded: 0, threadedActivations: 0, threadedUpdates: 0, bandedUpdates: 0, epochRows: 0, steppedProducts: 0, fusedActivations: 0, gatedProducts: 0, chainedPasses: 0, listedProducts: 0, transposedPasses: 0, backgroundSteps: 0 };
  /** Set when the memory is shared and products of `minWork` or more are cut between threads (pool.ts). */
  private readonly shared?: SharedKernel & { pool: ProductPool; minWork: number };

  /** Bytes per element: 8, or 4 in float32. */
  private readonly bytes: number;
  /** Columns of the SIMD tile: buffers' widths are multiples of it. */
  readonly width: number;

  /**
   * `size` values of `precision` (float64 unless asked), all zero; size counts padded widths
   * (`pad`). `threaded`: the caller expects products large enough to share between threads, so
   * the memory is shared when the thread settings (parallel.ts) allow.
   */
  constructor(size: number, mode: KernelMode = defaultMode(), readonly precision: Precision = 'float64', threaded = false) {
    const pool = threaded && mode !== 'js' ? productPool() : undefined;
    const sharedModule = pool ? gemmModule(precision, true) : null;
    const module = mode === 'js' ? null : (sharedModule ?? gemmModule(precision));
    if (mode === 'wasm' && !module) throw new Error('WebAssembly SIMD is not available');
    this.width = tileCols(precision);
    this.bytes = precision === 'float32' ? 4 : 8;
    // A float64 memory starts with exp.ts's tables, which the WebAssembly σ reads (sigmoid-simd.ts).
    const tables = precision === 'float64' ? EXP_TABLE_VALUES : 0;
    const bytes = Math.max(32, (size + tables) * this.bytes);
    let memory: { buffer: ArrayBuffer } | undefined;
    if (sharedModule && pool) {
      try {
        const pages = Math.ceil(bytes / 65536);
        memory = new (wasmApi()!.Memory)({ initial: pages, maximum: pages, shared: true });
        this.shared = { memory, module: sharedModule, pool, minWork: threadSettings().minWork, bytes: this.bytes, width: this.width };
      } catch {
        memory = undefined; // no shared memory here: one thread
      }
    }
    if (module && !memory) {
      try {
        memory = new (wasmApi()!.Memory)({ initial: Math.ceil(bytes / 65536) });
      } catch (err) {
        if (mode === 'wasm') throw err;
        memory = undefined; // more than a WebAssembly memory may hold: plain JavaScript memory
      }
    }
    if (module && memory) {
      const instance = new (wasmApi()!.Instance)(this.shared ? this.shared.module : module, { env: { memory } });
      this.wasm = instance.exports.gemm as WasmGemm;
      this.simd = activationsOf(instance.exports);
      this.simdSteps = stepsOf(instance.exports);
      this.listed = listedOf(instance.exports);
      // The run's thread's parts of a pool's steps and listed products take this instance's.
      if (this.shared) {
        this.shared.steps = this.simdSteps;
        this.shared.listed = this.listed;
      }
      this.heap = precision === 'float32' ? new Float32Array(memory.buffer) : new Float64Array(memory.buffer);
      if (tables > 0) {
        this.heap.set(expTables(), EXP_TABLES_AT / 8);
        this.top = tables;
      }
      this.backend = 'wasm';
    } else {
      this.heap = precision === 'float32' ? new Float32Array(bytes / 4) : new Float64Array(bytes / 8);
      this.backend = 'js';
    }
  }

  /** Whether the memory is shared with helper threads that take parts of the large products. */
  get threaded(): boolean {
    return this.shared !== undefined;
  }

  /** n rounded up to the tile's width (4 in float64, 8 in float32): a row of a buffer is 32-byte aligned. */
  pad(n: number): number {
    return padTo(n, this.width);
  }

  /** Reserves n values (aligned to the tile's width, so SIMD rows start on 32 bytes); returns the offset. */
  alloc(n: number): number {
    const at = this.top;
    this.top += this.pad(n);
    if (this.top > this.heap.length) throw new Error('arena overflow');
    return at;
  }

  view(offset: number, n: number): Floats {
    return this.heap.subarray(offset, offset + n);
  }

  /**
   * y = g(z) and gp = g'(z) for an inlined activation (activate.ts) over rows 0 … n−1, the rows cut
   * between threads when the arena is shared and the rows are many: each element is computed
   * alone, so the threads change no bit.
   */
  activate(code: InlinedCode, z: number, y: number, gp: number, n: number, K: number, Kp: number): void {
    const sh = this.shared;
    if (sh && n > 1 && n * K * ACTIVATION_WORK >= sh.minWork) {
      this.products.threadedActivations++;
      sh.pool.activate(sh, this.wasm!, code, z, y, gp, n, K, Kp, this.simd);
    } else activateRows(code, this.heap, z, y, gp, 0, n, K, Kp, this.simd);
  }

  /**
   * dE/db_k = Σ_i δ_{i,k} for k0 ≤ k < k1 over rows i < n of δ at `delta` (bands.ts
   * `columnSums`, `sums` its float64 room), in the module's SIMD where it has them (float64).
   */
  columnSums(sums: Float64Array, delta: number, stride: number, n: number, k0: number, k1: number, gb: number, accumulate: boolean): void {
    columnSums(this.heap, sums, delta, stride, n, k0, k1, gb, accumulate, this.simd?.colsums);
  }

  /** Wᵀ's rows k0 … k1 − 1 from rows j < M of a block of W (bands.ts `transposeBand`), in the module's SIMD where it has it (float64). */
  transposeBand(block: number, width: number, WT: number, Mp: number, k0: number, k1: number, M: number): void {
    transposeBand(this.heap, block, width, WT, Mp, k0, k1, M, 0, this.simd?.transpose);
  }

  /**
   * A pass of n rows through a row chain (chain.ts) whose plan is the int32 values at element
   * offset `plan`, its rows cut between the threads (pool.ts `chain`); `capacity`, the padded rows
   * a pass may have. Only on a shared float64 memory (`chains`).
   */
  chain(plan: number, n: number, capacity: number): void {
    const sh = this.shared;
    if (!sh || !this.wasm || this.precision !== 'float64') throw new Error('a row chain runs on a shared float64 arena only');
    this.products.chainedPasses++;
    sh.pool.chain(sh, this.wasm, plan * 2, n, capacity, this.simd);
  }

  /**
   * A layer kept whole (rows of `cols` values; its gradient c, `cRows` rows, laid out as its
   * weights) has its weight gradient c = init + a·b and its optimiser step (`step`: pool.ts
   * `BandStep`) taken by a helper thread while this one goes on (pool.ts `startLayerStep`), where
   * the arena is shared; returns whether it was, and then `settle` (or the next task) waits for it.
   * The same arithmetic as the gradient's product, `columnSums` and the optimiser's step on this
   * thread, so the same bits.
   */
  stepLayerInBackground(a: number, as: number, at: number, b: number, bs: number, c: number, cRows: number, bias: number, rows: number, cols: number, T: number, step: BandStep): boolean {
    const sh = this.shared;
    if (!sh || !this.wasm) return false;
    this.products.wasm++;
    this.products.threaded++;
    this.products.steppedProducts++;
    this.products.backgroundSteps++;
    sh.pool.startLayerStep(sh, this.wasm, a, as, at, b, bs, c, cRows, bias, rows, cols, T, step, this.simd);
    return true;
  }

  /** Waits for the work `stepLayerInBackground` left to a helper, if any: after this, what it wrote is seen here. */
  settle(): void {
    this.shared?.pool.settle();
  }

  /** Whether `chain` can run here: the memory is shared, of float64 values, with the WebAssembly kernel. */
  get chains(): boolean {
    return this.shared !== undefined && this.wasm !== undefined && this.precision === 'float64';
  }

  /** The n int32 values at element offset `at` (room from `alloc(int32Room(n, precision))`, int32.ts). */
  int32View(at: number, n: number): Int32Array {
    return new Int32Array(this.heap.buffer, this.heap.byteOffset + at * this.bytes, n);
  }

  /**
   * One optimiser step on the n values of a parameter tensor at p (gradient sums at g, state at m
   * and v; update.ts `updateRangeWith`, in the module's SIMD steps where it has them), cut between
   * threads when the arena is shared and the tensor is large — a weight matrix kept in column bands (`bandRows` > 0 rows of `cols`
   * columns, batch.ts) band by band, each to the thread that computed its gradient: each element
   * is updated alone, so the threads change no bit.
   */
  update(s: StepScalars, p: number, g: number, m: number, v: number, n: number, bandRows = 0, cols = 0): void {
    const sh = this.shared;
    if (sh && n * UPDATE_WORK >= sh.minWork && n >= PARALLEL_MIN_UPDATE) {
      this.products.threadedUpdates++;
      if (bandRows > 0) this.products.bandedUpdates++;
      sh.pool.update(sh, this.wasm!, s, p, g, m, v, n, bandRows, cols);
    } else updateRangeWith(this.simdSteps, s, this.heap, p, g, m, v, 0, n);
  }

  /**
   * How many column bands a layer of `cols` padded columns keeps its weights in (parallel.ts
   * `columnBand`): one per thread when the arena is shared, its products are large enough for
   * the threads (`work` multiply-adds) and each thread gets a tile; else 1 (plain rows).
   */
  bandsFor(cols: number, work: number): number {
    const sh = this.shared;
    return sh && work >= sh.minWork && cols / this.width >= sh.pool.threads ? sh.pool.threads : 1;
  }

  /**
   * The product above over `bands` column bands of c (parallel.ts `columnBand`), with b (when
   * `bRows` > 0) or c (`cRows` > 0) kept in banded blocks of that many rows instead of rows bs or
   * cs apart; band t to thread t when the arena is shared and the product is large, else each
   * band in turn here. The same sums as the plain product, so the same bits.
   *
   * With `step` (c a gradient's sums kept in bands of `cRows` rows, the weights and the
   * optimiser's state laid out alike), the thread that computes band t of c then takes the
   * optimiser's step on band t of the weights, writes those units' rows of Wᵀ and sums and steps
   * their biases (pool.ts `BandStep`, `steppedPart`), while the band is in its core's cache
   * rather than in passes of their own. Each value is computed as the one-thread code computes
   * it (update.ts, batch.ts), so the same bits.
   *
   * With `act` (a forward product, c plain: Z), each part then takes the layer's inlined
   * activation of its columns, Y = g(Z) and G = g'(Z) (pool.ts `BandActivation`), in the core
   * whose cache holds them; each element computed alone as activate.ts computes it, so the same
   * bits.
   *
   * With `list`, a is read through a list of its rows or columns (parallel.ts `AList`; `at` its
   * place in the memory's int32 values), where the arena has WebAssembly: a pass's staged rows;
   * with its `transpose` (rows only, float64), the transpose of those rows is written too, a copy
   * for each band (parallel.ts `TransposedRows`). With `aBand`, band t reads a + t·aBand.
   *
   * Returns whether the step or the activation was taken; when the product is not cut between
   * threads neither is, and the caller takes them as usual.
   */
  gemmBanded(bands: number, a: number, as: number, at: number, b: number, bs: number, bRows: number, c: number, cs: number, cRows: number, bias: number, rows: number, cols: number, T: number, step?: BandStep, act?: BandActivation, list?: ListedRows, aBand = 0): boolean {
    const sh = this.shared;
    if (list && !(this.wasm && this.listed)) throw new Error('a listed product needs the WebAssembly kernel');
    if (list?.transpose && !(list.mode === 'rows' && this.listed?.rowsT)) throw new Error('the transpose of listed rows needs the float64 WebAssembly kernels and a list of rows');
    if (sh && this.wasm && bands === sh.pool.threads && rows * cols * T >= sh.minWork) {
      this.products.wasm++;
      this.products.threaded++;
      this.products.banded++;
      if (step) this.products.steppedProducts++;
      else if (act) this.products.fusedActivations++;
      if (list) this.products.listedProducts++;
      if (list?.transpose) this.products.transposedPasses++;
      sh.pool.bandedProduct(sh, this.wasm, a, as, at, b, bs, bRows, c, cs, cRows, bias, rows, cols, T, step, act, this.simd, list, aBand);
      return step !== undefined || act !== undefined;
    }
    for (let t = 0; t < bands; t++) {
      const [k0, k1] = columnBand(cols, bands, t, this.width);
      const [bt, bst, ct, cst, biast] = bandOperands(b, bs, bRows, c, cs, cRows, bias, k0, k1, 0);
      const ta = a + t * aBand;
      if (list) {
        this.products.wasm++;
        this.products.listedProducts++;
        const xt = list.transpose;
        // band t's copy of the transpose, written as its product reads the rows
        const transpose = xt && k1 > k0 ? { at: xt.at + t * xt.band, stride: xt.stride } : undefined;
        wasmProduct(this.wasm!, this.bytes, ta, as, at, bt, bst, ct, cst, biast, rows, k1 - k0, T, { kernels: this.listed!, mode: list.mode, at: list.at, transpose });
      } else this.gemm(ta, as, at, bt, bst, ct, cst, biast, rows, k1 - k0, T);
    }
    return false;
  }

  /**
   * The product above; bias is an offset, NO_BIAS (init 0) or ACCUMULATE. rows multiples of 4,
   * cols of `width`. With `gate` (the backward pass's ΔX), when the product is cut between threads
   * each part then takes δ = c ⊙ gp on its elements (pool.ts `ProductGate`), where its core's
   * cache holds them: one rounded multiply an element, as batch.ts `backward` takes it, so the
   * same bits. Returns whether the gate was taken; if not, the caller takes it.
   */
  gemm(a: number, as: number, at: number, b: number, bs: number, c: number, cs: number, bias: number, rows: number, cols: number, T: number, gate?: ProductGate): boolean {
    // Every product where the kernel loads, however small: a call into WebAssembly costs about
    // 20 ns here, less than the JavaScript product takes even on 4 × 4 × 1 (29 ns, against 21).
    if (this.wasm) {
      this.products.wasm++;
      const sh = this.shared;
      if (sh && rows * cols * T >= sh.minWork && (rows > TILE_ROWS || cols > this.width)) {
        // Bands of c's rows or columns to each thread: every sum whole in one thread (parallel.ts).
        this.products.threaded++;
        if (gate) this.products.gatedProducts++;
        sh.pool.product(sh, this.wasm, a, as, at, b, bs, c, cs, bias, rows, cols, T, gate);
        return gate !== undefined;
      }
      wasmProduct(this.wasm, this.bytes, a, as, at, b, bs, c, cs, bias, rows, cols, T);
    } else {
      this.products.js++;
      if (this.heap instanceof Float32Array) gemmJs32(this.heap, a, as, at, b, bs, c, cs, bias, rows, cols, T);
      else gemmJs(this.heap, a, as, at, b, bs, c, cs, bias, rows, cols, T);
    }
    return false;
  }
}

/**
 * The product in JavaScript, two rows and four columns at a time held in locals, each b value
 * loaded once for both rows (where WebAssembly is missing, or NETSPEC_KERNELS=js): each c element starts from
 * its init and adds a_{r,t} · b_{t,k} for t in order — the SIMD kernel's operations in the SIMD
 * kernel's order.
 */
export function gemmJs(h: Float64Array, a: number, as: number, at: number, b: number, bs: number, c: number, cs: number, bias: number, rows: number, cols: number, T: number): void {
  for (let r = 0; r < rows; r += 2) {
    const cr = c + r * cs;
    const ar = a + r * as;
    for (let k = 0; k < cols; k += 4) {
      let c0 = 0, c1 = 0, c2 = 0, c3 = 0, d0 = 0, d1 = 0, d2 = 0, d3 = 0;
      if (bias === ACCUMULATE) {
        const i = cr + k;
        c0 = h[i];
        c1 = h[i + 1];
        c2 = h[i + 2];
        c3 = h[i + 3];
        d0 = h[i + cs];
        d1 = h[i + cs + 1];
        d2 = h[i + cs + 2];
        d3 = h[i + cs + 3];
      } else if (bias !== NO_BIAS) {
        c0 = d0 = h[bias + k];
        c1 = d1 = h[bias + k + 1];
        c2 = d2 = h[bias + k + 2];
        c3 = d3 = h[bias + k + 3];
      }
      let pa = ar;
      let pb = b + k;
      for (let t = 0; t < T; t++) {
        const x = h[pa];
        const y = h[pa + as];
        const b0 = h[pb];
        const b1 = h[pb + 1];
        const b2 = h[pb + 2];
        const b3 = h[pb + 3];
        c0 += x * b0;
        c1 += x * b1;
        c2 += x * b2;
        c3 += x * b3;
        d0 += y * b0;
        d1 += y * b1;
        d2 += y * b2;
        d3 += y * b3;
        pa += at;
        pb += bs;
      }
      const o = cr + k;
      h[o] = c0;
      h[o + 1] = c1;
      h[o + 2] = c2;
      h[o + 3] = c3;
      h[o + cs] = d0;
      h[o + cs + 1] = d1;
      h[o + cs + 2] = d2;
      h[o + cs + 3] = d3;
    }
  }
}

/**
 * The float32 product in JavaScript, a row and four columns at a time: from its
 * init, each element s ← fround(s + fround(a_{r,t} · b_{t,k})) for t in order. The product of two
 * float32 values is exact in float64 and a sum of two is rounded once more harmlessly
 * (53 ≥ 2·24 + 2 bits), so each fround gives the correctly rounded float32 result: f32x4.mul then
 * f32x4.add, bit for bit.
 */
export function gemmJs32(h: Float32Array, a: number, as: number, at: number, b: number, bs: number, c: number, cs: number, bias: number, rows: number, cols: number, T: number): void {
  const round = Math.fround;
  for (let r = 0; r < rows; r++) {
    const out = c + r * cs;
    for (let k = 0; k < cols; k += 4) {
      const from = bias === ACCUMULATE ? out + k : bias + k;
      const zero = bias === NO_BIAS;
      let s0 = zero ? 0 : h[from], s1 = zero ? 0 : h[from + 1], s2 = zero ? 0 : h[from + 2], s3 = zero ? 0 : h[from + 3];
      for (let t = 0, pa = a + r * as, pb = b + k; t < T; t++, pa += at, pb += bs) {
        const x = h[pa];
        s0 = round(s0 + round(x * h[pb]));
        s1 = round(s1 + round(x * h[pb + 1]));
        s2 = round(s2 + round(x * h[pb + 2]));
        s3 = round(s3 + round(x * h[pb + 3]));
      }
      h[out + k] = s0;
      h[out + k + 1] = s1;
      h[out + k + 2] = s2;
      h[out + k + 3] = s3;
    }
  }
}

/** n rounded up to a multiple of `width`, a power of two. */
function padTo(n: number, width: number): number {
  return (n + width - 1) & -width;
}

/** n rounded up to the SIMD tile's width in `precision` (what `Arena.pad` does, before an arena exists). */
export function padWidth(n: number, precision: Precision): number {
  return padTo(n, tileCols(precision));
}

let chosenMode: KernelMode = 'auto';

/** The kernels of arenas made without an explicit mode. */
function defaultMode(): KernelMode {
  return chosenMode;
}

/**
 * The kernels new arenas use (undefined: back to 'auto'). The engine reads no environment: the
 * entry points (CLI, server, training worker, bench) set this from NETSPEC_KERNELS, tests directly.
 */
export function setKernelMode(mode: KernelMode | undefined): void {
  chosenMode = mode ?? 'auto';
}

/** A setting's text (NETSPEC_KERNELS=js|wasm|auto) as a mode; anything else is 'auto'. */
export function kernelModeOf(setting: string | undefined): KernelMode {
  return setting === 'js' || setting === 'wasm' ? setting : 'auto';
}

/** What new arenas will run on, for people: "WebAssembly SIMD (f64x2, 4×4 tiles)" or "JavaScript". */
export function kernelBackend(precision: Precision = 'float64'): string {
  const mode = defaultMode();
  const lanes = precision === 'float32' ? 'f32x4' : 'f64x2';
  if (mode !== 'js' && gemmModule(precision)) return `WebAssembly SIMD (${lanes}, ${TILE_ROWS}×${tileCols(precision)} tiles)`;
  return 'JavaScript';
}
