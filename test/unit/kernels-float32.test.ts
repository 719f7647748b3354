/**
 * The float32 kernels (`precision float32`): the f32x4 WebAssembly kernel and the JavaScript
 * fallback against the product written out with a float32 rounding after every multiply and every
 * add, bit for bit; a float32 training run the same on both; and its parameters float32 values
 * that come back as float64 numbers; its activations' tanh, σ and e^{−x} to float32 accuracy.
 * (Agreement with PyTorch's float32 is test/export's business.)
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { activateRows, INLINED } from '../../server/src/engine/kernels/activate';
import { expNeg32, sigmoid32, tanh32, TANH_ONE } from '../../server/src/engine/kernels/float32-math';
import { TANH_BLOCK } from '../../server/src/engine/kernels/simd-rows';
import { ACCUMULATE, Arena, NO_BIAS, setKernelMode, type KernelMode } from '../../server/src/engine/kernels/gemm';
import { gemmModuleBytes, tileCols, wasmApi, type WasmRows } from '../../server/src/engine/kernels/wasm';
import { MAX_ROWS_PER_PASS, Trainer, type Sample, type TrainResult } from '../../server/src/engine/train';
import { kernelNetwork, kernelSamples } from '../support/kernel-case';
import { SeededRandom } from '../support/random';

const MODES: KernelMode[] = ['wasm', 'js'];
const f = Math.fround;

function arena(size: number, mode: KernelMode): Arena {
  try {
    return new Arena(size, mode, 'float32');
  } catch {
    throw new Error('WebAssembly SIMD is missing: these tests need Node 20 or later (V8 with wasm SIMD)');
  }
}

test('the float32 kernel is a valid module of its own, with a 4 × 8 tile over a Float32Array', () => {
  assert.doesNotThrow(() => new (wasmApi()!.Module)(gemmModuleBytes('float32')));
  assert.notDeepEqual(gemmModuleBytes('float32'), gemmModuleBytes('float64'));
  assert.equal(tileCols('float32'), 8);
  assert.equal(tileCols('float64'), 4);
  const A = arena(64, 'wasm');
  assert.equal(A.backend, 'wasm');
  assert.ok(A.heap instanceof Float32Array);
  assert.equal(A.pad(9), 16);
  assert.equal(new Arena(64, 'js', 'float64').pad(9), 12);
});

test('float32 gemm on WebAssembly and JavaScript equals the product rounded to float32 at every step, bit for bit', () => {
  const rng = new SeededRandom(31);
  for (const mode of MODES) {
    for (let trial = 0; trial < 40; trial++) {
      const rows = 4 * rng.int(1, 5);
      const cols = 8 * rng.int(1, 4);
      const T = rng.int(0, 300); // 0 too: the init alone; 300 in slices on WebAssembly
      const transposedA = rng.next() < 0.5;
      const as = transposedA ? 1 : T + 3;
      const at = transposedA ? rows + 1 : 1;
      const bs = cols + 8 * rng.int(0, 1);
      const cs = cols + 8 * rng.int(0, 1);
      const A = arena(1 << 17, mode);
      const h = A.heap;
      const a = A.alloc(rows * as + T * at + 8);
      const b = A.alloc(T * bs + 8);
      const c = A.alloc(rows * cs);
      const bias = A.alloc(cols);
      const fill = (o: number, n: number) => {
        for (let i = 0; i < n; i++) h[o + i] = rng.uniform(-3, 3) * 10 ** Math.floor(rng.uniform(-3, 3));
      };
      fill(a, rows * as + T * at + 8);
      fill(b, T * bs + 8);
      fill(c, rows * cs);
      fill(bias, cols);
      const before = h.slice(c, c + rows * cs);
      const init = [NO_BIAS, bias, ACCUMULATE][trial % 3];
      A.gemm(a, as, at, b, bs, c, cs, init, rows, cols, T);
      let inexact = false;
      for (let r = 0; r < rows; r++) {
        for (let k = 0; k < cols; k++) {
          let s = init === NO_BIAS ? 0 : init === ACCUMULATE ? before[r * cs + k] : h[bias + k];
          let wide = s;
          for (let t = 0; t < T; t++) {
            const x = h[a + r * as + t * at] * h[b + t * bs + k];
            s = f(s + f(x));
            wide += x;
          }
          if (f(wide) !== s) inexact = true;
          assert.equal(h[c + r * cs + k], s, `${mode} rows ${rows} cols ${cols} T ${T} init ${init}: c[${r}][${k}]`);
        }
      }
      // the reference does differ from a float64 sum rounded once at the end: the float32 steps are real
      if (T > 20) assert.ok(inexact, `${mode}: a float32 product of ${T} terms matched a float64 one everywhere`);
    }
  }
});

function run(mode: KernelMode | undefined, precision: 'float32' | 'float64', data: Sample[]): TrainResult {
  setKernelMode(mode);
  try {
    const t = new Trainer(kernelNetwork(), data, { epochs: 3, batch: 100, optimizer: { kind: 'adam', beta1: 0.9, beta2: 0.999 }, learningRate: 0.01, l2: 0.001, precision });
    while (!t.done) t.runEpoch();
    return t.result();
  } finally {
    setKernelMode(undefined);
  }
}

test('float32 training on WebAssembly and on JavaScript gives the same float32 parameters, near the float64 run', () => {
  const data = kernelSamples(MAX_ROWS_PER_PASS + 37, 9); // a batch of 100 and a last one of 193: two passes
  const [wasm, js] = MODES.map((mode) => run(mode, 'float32', data));
  const wide = run(undefined, 'float64', data);
  assert.deepEqual(wasm.loss, js.loss);
  let differs = false;
  wasm.network.layers.forEach((L, l) => {
    assert.deepEqual(L.W, js.network.layers[l].W, `layer ${L.name} W`);
    assert.deepEqual(L.b, js.network.layers[l].b, `layer ${L.name} b`);
    for (const [i, w] of L.W.entries()) {
      assert.equal(f(w), w, `layer ${L.name} W[${i}] is a float32 value`);
      const w64 = wide.network.layers[l].W[i];
      assert.ok(Math.abs(w - w64) <= 1e-4 * Math.max(1, Math.abs(w64)), `layer ${L.name} W[${i}]: float32 ${w}, float64 ${w64}`);
      if (w !== w64) differs = true;
    }
  });
  assert.ok(differs, 'the float32 run gave the float64 run\'s parameters exactly');
  wasm.loss.forEach((v, e) => assert.ok(Math.abs(v - wide.loss[e]) <= 1e-5 * Math.abs(wide.loss[e]), `epoch ${e + 1} loss ${v} vs ${wide.loss[e]}`));
});

test('float32 tanh, σ and e^{−x} come within 1e-9 of the float64 functions (or saturate), and round to their float32 value or 1 ulp from it', () => {
  const rng = new SeededRandom(32);
  const f32 = new Float32Array(1);
  const bits = new Int32Array(f32.buffer);
  const ulps = (a: number, b: number) => {
    f32[0] = a;
    const x = bits[0];
    f32[0] = b;
    return Math.abs(x - bits[0]);
  };
  const sigmoid = (z: number) => (z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z)));
  const cases: [string, (z: number) => number, (z: number) => number, number][] = [
    ['tanh', tanh32, Math.tanh, 12],
    ['σ', sigmoid32, sigmoid, 120],
    ['e^{−x}', (x) => expNeg32(Math.abs(x)), (x) => Math.exp(-Math.abs(x)), 110],
  ];
  for (const [name, fast, exact, range] of cases) {
    let off = 0;
    const n = 200_000;
    for (let i = 0; i < n; i++) {
      // float32 inputs, spread over every scale: the series, the table and its ends, saturation
      const z = f(rng.uniform(-1, 1) * range * 10 ** -rng.int(0, 8));
      const got = fast(z);
      const want = exact(z);
      // tanh beyond 9.1 is taken as ±1, what float32 rounds it to
      const saturated = Math.abs(got) === 1 && f(want) === got;
      assert.ok(Math.abs(got - want) <= 1e-9 * Math.abs(want) || saturated, `${name}(${z}) = ${got}, not ${want}`);
      const d = ulps(got, want);
      assert.ok(d <= 1, `${name}(${z}) rounds ${d} float32 ulps from ${want}`);
      off += d;
    }
    assert.ok(off < n / 200, `${name}: ${off} of ${n} inputs round to another float32 value`);
  }
  for (const [z, want] of [[0, 0], [-0, -0], [Infinity, 1], [-Infinity, -1], [NaN, NaN], [9.2, 1], [-40, -1]] as const) assert.equal(tanh32(z), want, `tanh(${z})`);
  for (const [z, want] of [[0, 0.5], [Infinity, 1], [-Infinity, 0], [NaN, NaN], [-200, Math.exp(-200)]] as const) assert.equal(sigmoid32(z), want, `σ(${z})`);
  assert.equal(expNeg32(0), 1);
  assert.equal(expNeg32(Infinity), 0);
});

test('the float32 WebAssembly SIMD tanh gives activate.ts\'s float32 tanh and derivative bit for bit, and leaves it what it cannot', () => {
  const rng = new SeededRandom(31);
  const specials = [0, -0, NaN, Infinity, -Infinity, 0.125, -0.125, f(0.124999), 9.1, f(9.0999), -f(9.0999), 1e-40, 1e-30, 1, -1, 0.5, 100];
  const api = wasmApi()!;
  const memory = new api.Memory({ initial: 16 });
  const simd = new api.Instance(new api.Module(gemmModuleBytes('float32')), { env: { memory } }).exports.tanh as WasmRows;
  assert.equal(typeof simd, 'function', 'the float32 module exports tanh');
  const h = new Float32Array(memory.buffer);
  const [rows, Kp, blocks] = [48, 40, 4]; // 32 of each 40-wide row in blocks
  const [z, y, gp] = [0, rows * Kp, 2 * rows * Kp];
  const ref = new Float32Array(3 * rows * Kp);
  let left = 0;
  for (let trial = 0; trial < 40; trial++) {
    for (let i = 0; i < rows * Kp; i++) h[z + i] = trial === 0 && i < specials.length ? specials[i] : [rng.uniform(-0.3, 0.3), rng.uniform(-4, 4), rng.uniform(-12, 12)][i % 3];
    h.fill(7, y, 3 * rows * Kp);
    ref.set(h.subarray(0, rows * Kp));
    activateRows(INLINED.tanh, ref, 0, y, gp, 0, rows, Kp, Kp);
    const flagged = simd(4 * z, 4 * y, 4 * gp, rows, blocks, 4 * Kp);
    let outside = false;
    for (let i = 0; i < rows * Kp; i++) {
      if (i % Kp >= blocks * TANH_BLOCK) {
        assert.equal(h[y + i], 7, 'nothing is written past the blocks');
        continue;
      }
      if (!(Math.abs(h[z + i]) < TANH_ONE)) {
        outside = true;
        left++;
        continue;
      }
      if (!Object.is(h[y + i], ref[y + i]) || !Object.is(h[gp + i], ref[gp + i])) assert.fail(`tanh(${h[z + i]}): ${h[y + i]}, ${h[gp + i]}; activate.ts ${ref[y + i]}, ${ref[gp + i]}`);
    }
    assert.equal(flagged, outside ? 1 : 0, 'it says when it left an element to activate.ts');
  }
  assert.ok(left > 1000, 'the draws reach past TANH_ONE');
  // Through a float32 arena, as a training pass computes a tanh layer: odd widths too.
  for (const K of [3, 8, 13, 64, 71]) {
    const A = arena(1 << 14, 'wasm');
    const n = 21;
    const Kpa = A.pad(K);
    const [za, ya, ga] = [A.alloc(n * Kpa), A.alloc(n * Kpa), A.alloc(n * Kpa)];
    for (let i = 0; i < n; i++) for (let k = 0; k < K; k++) A.heap[za + i * Kpa + k] = i === 0 && k < specials.length ? specials[k] : rng.uniform(-12, 12);
    const plain = new Float32Array(A.heap.subarray(0, A.heap.length));
    A.activate(INLINED.tanh, za, ya, ga, n, K, Kpa);
    activateRows(INLINED.tanh, plain, za, ya, ga, 0, n, K, Kpa);
    for (let i = 0; i < n * Kpa; i++) {
      if (!Object.is(A.heap[ya + i], plain[ya + i]) || !Object.is(A.heap[ga + i], plain[ga + i])) assert.fail(`K ${K}: tanh(${A.heap[za + i]}) ${A.heap[ya + i]}, ${A.heap[ga + i]}; activate.ts ${plain[ya + i]}, ${plain[ga + i]}`);
    }
  }
});
