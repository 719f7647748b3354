import { gemmModule, TILE_COLS, TILE_ROWS, wasmApi, type WasmGemm } from './wasm';

/**
 * Float64 memory for one network's training buffers, and the matrix product over it:
 *
 *   c[r·cs + k] = init_{r,k} + Σ_{t=0}^{T−1} a[r·as + t·at] · b[t·bs + k]   (r < rows, k < cols),
 *
 * init = 0, bias[k], or c[r·cs + k] itself (`ACCUMULATE`: sums continued across calls),
 * summed in the order t = 0, 1, … with one rounded multiply and one rounded add per term. Offsets and strides count float64 elements of `heap`. Two
 * implementations compute it bit for bit alike — WebAssembly SIMD (wasm.ts; the heap is the
 * module's memory) and plain JavaScript — so which one runs changes speed, never a result.
 * Callers keep rows and cols multiples of 4 (the SIMD tile): buffers are padded (`pad4`).
 */

/** `gemm`'s bias argument for init 0, and for init = c (continuing sums). */
export const NO_BIAS = -1;
export const ACCUMULATE = -2;

/** Which kernels an arena uses: 'auto' is WebAssembly for large products, JavaScript for small ones. */
export type KernelMode = 'auto' | 'wasm' | 'js';

/** n rounded up to a multiple of 4. */
export function pad4(n: number): number {
  return (n + 3) & ~3;
}

/** The bytes of b one slice of a long sum reads (see `gemm`): about half of a core's L2 cache. */
const SLICE_BYTES = 262144;

/** Below this many multiply-adds a call into WebAssembly costs more than it saves. */
const WASM_MIN_WORK = 2048;

export class Arena {
  readonly heap: Float64Array;
  /** 'wasm' when the SIMD kernel is available (and not turned off), else 'js'. */
  readonly backend: 'wasm' | 'js';
  private readonly wasm?: WasmGemm;
  private readonly mode: KernelMode;
  private top = 0;
  /** Products computed so far by each kernel (which one ran, for the bench; the results are the same). */
  readonly products = { wasm: 0, js: 0 };

  /** `size` float64 values, all zero. */
  constructor(size: number, mode: KernelMode = defaultMode()) {
    const module = mode === 'js' ? null : gemmModule();
    if (mode === 'wasm' && !module) throw new Error('WebAssembly SIMD is not available');
    const bytes = Math.max(8, size * 8);
    let memory: { buffer: ArrayBuffer } | undefined;
    if (module) {
      try {
        memory = new (wasmApi()!.Memory)({ initial: Math.ceil(bytes / 65536) });
      } catch (err) {
        if (mode === 'wasm') throw err;
        memory = undefined; // more than a WebAssembly memory may hold: plain JavaScript memory
      }
    }
    if (module && memory) {
      const instance = new (wasmApi()!.Instance)(module, { env: { memory } });
      this.wasm = instance.exports.gemm as WasmGemm;
      this.heap = new Float64Array(memory.buffer);
      this.backend = 'wasm';
    } else {
      this.heap = new Float64Array(bytes / 8);
      this.backend = 'js';
    }
    this.mode = this.wasm ? mode : 'js';
  }

  /** Reserves n values (aligned to 4, so SIMD rows start on 32 bytes); returns the offset. */
  alloc(n: number): number {
    const at = this.top;
    this.top += pad4(n);
    if (this.top > this.heap.length) throw new Error('arena overflow');
    return at;
  }

  view(offset: number, n: number): Float64Array {
    return this.heap.subarray(offset, offset + n);
  }

  /** The product above; bias is an offset, NO_BIAS (init 0) or ACCUMULATE. rows and cols multiples of 4. */
  gemm(a: number, as: number, at: number, b: number, bs: number, c: number, cs: number, bias: number, rows: number, cols: number, T: number): void {
    if (this.wasm && (this.mode === 'wasm' || rows * cols * T >= WASM_MIN_WORK)) {
      this.products.wasm++;
      // Long sums in slices of t whose rows of b stay in cache; each slice continues the sums
      // where the previous one left them, so the order of the terms is unchanged.
      const slice = Math.max(16, Math.floor(SLICE_BYTES / (8 * cols)));
      let init = bias === NO_BIAS ? 0 : bias === ACCUMULATE ? 2 : 1;
      for (let t0 = 0; t0 < T || t0 === 0; t0 += slice) {
        const n = Math.min(slice, T - t0);
        this.wasm((a + t0 * at) * 8, as * 8, at * 8, (b + t0 * bs) * 8, bs * 8, c * 8, cs * 8, bias < 0 ? 0 : bias * 8, init, rows, cols, n);
        init = 2;
      }
    } else {
      this.products.js++;
      gemmJs(this.heap, a, as, at, b, bs, c, cs, bias, rows, cols, T);
    }
  }
}

/**
 * The product in JavaScript, a row and four columns at a time held in locals: each c element
 * starts from its init and adds a_{r,t} · b_{t,k} for t in order — the SIMD kernel's operations
 * in the SIMD kernel's order.
 */
export function gemmJs(h: Float64Array, a: number, as: number, at: number, b: number, bs: number, c: number, cs: number, bias: number, rows: number, cols: number, T: number): void {
  for (let r = 0; r < rows; r++) {
    const cr = c + r * cs;
    const ar = a + r * as;
    for (let k = 0; k < cols; k += 4) {
      let c0 = 0, c1 = 0, c2 = 0, c3 = 0;
      const init = bias === ACCUMULATE ? cr + k : bias === NO_BIAS ? -1 : bias + k;
      if (init >= 0) {
        c0 = h[init];
        c1 = h[init + 1];
        c2 = h[init + 2];
        c3 = h[init + 3];
      }
      let pa = ar;
      let pb = b + k;
      for (let t = 0; t < T; t++) {
        const x = h[pa];
        c0 += x * h[pb];
        c1 += x * h[pb + 1];
        c2 += x * h[pb + 2];
        c3 += x * h[pb + 3];
        pa += at;
        pb += bs;
      }
      h[cr + k] = c0;
      h[cr + k + 1] = c1;
      h[cr + k + 2] = c2;
      h[cr + k + 3] = c3;
    }
  }
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

/** What new arenas will run on, for people: "WebAssembly SIMD (f64x2, 4×4 tiles) …" or "JavaScript". */
export function kernelBackend(): string {
  const mode = defaultMode();
  if (mode !== 'js' && gemmModule()) return `WebAssembly SIMD (f64x2, ${TILE_ROWS}×${TILE_COLS} tiles) for large products, JavaScript for small ones`;
  return 'JavaScript';
}
