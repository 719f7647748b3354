/**
 * The engine's matrix kernels (server/src/engine/kernels): the WebAssembly SIMD kernel and the
 * JavaScript fallback against the definition of the product written out naively, and the
 * batched training pass on each against the per-sample backward pass (`probe`). The invariant is
 * bit for bit: the kernels sum in the per-sample code's order with its roundings, so the
 * comparisons are exact, not within a tolerance. (Speed is the benchmark's business: `npm run bench`.)
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { sigmoid, tanhNth } from '../../server/src/engine/activations';
import { activate, BatchWorkspace, rowStride } from '../../server/src/engine/kernels/batch';
import { exp, EXP_MAX } from '../../server/src/engine/kernels/exp';
import { activateRows, INLINED } from '../../server/src/engine/kernels/activate';
import { EXP_TABLE_VALUES, EXP_TABLES_AT, expTables } from '../../server/src/engine/kernels/exp-simd';
import { TANH_BLOCK } from '../../server/src/engine/kernels/simd-rows';
import { activationsOf, gemmModuleBytes, listedOf, stepsOf, wasmApi, type WasmRows } from '../../server/src/engine/kernels/wasm';
import { columnSums, gateBand, transposeBand } from '../../server/src/engine/kernels/bands';
import { newStepScalars, OPT_ADAM, OPT_MOMENTUM, OPT_SGD, updateRange, updateRangeWith, type StepScalars } from '../../server/src/engine/kernels/update';
import { sech2, tanh, TANH_POLY_MAX, TANH_SIMD_MAX, tanhWithSech2 } from '../../server/src/engine/kernels/tanh';
import { ACCUMULATE, Arena, NO_BIAS, setKernelMode, type KernelMode } from '../../server/src/engine/kernels/gemm';
import { builtinActivation, buildNetwork, probe, type LayerSpec, type Network } from '../../server/src/engine/network';
import { kernelNetwork, kernelSamples } from '../support/kernel-case';
import { SeededRandom } from '../support/random';
import { ulps } from '../support/ulps';
import { batchGradient, MAX_ROWS_PER_PASS, Trainer, type Sample } from '../../server/src/engine/train';

const MODES: KernelMode[] = ['wasm', 'js'];

function wasmArena(size: number): Arena {
  try {
    return new Arena(size, 'wasm');
  } catch {
    throw new Error('WebAssembly SIMD is missing: these tests need Node 20 or later (V8 with wasm SIMD)');
  }
}

test('both kernel paths exist: WebAssembly SIMD where forced or large, JavaScript where forced', () => {
  assert.equal(wasmArena(16).backend, 'wasm');
  assert.equal(new Arena(16, 'js').backend, 'js');
});

test('gemm on WebAssembly and JavaScript equals the naive product, bit for bit, for each init', () => {
  const rng = new SeededRandom(11);
  for (const mode of MODES) {
    for (let trial = 0; trial < 40; trial++) {
      const rows = 4 * (1 + Math.floor(rng.next() * 5));
      const cols = 4 * (1 + Math.floor(rng.next() * 6));
      const T = Math.floor(rng.next() * 37); // 0 too: the init alone
      const transposedA = rng.next() < 0.5;
      const as = transposedA ? 1 : T + 3;
      const at = transposedA ? rows + 1 : 1;
      const bs = cols + 4 * Math.floor(rng.next() * 2);
      const cs = cols + 4 * Math.floor(rng.next() * 2);
      const A = mode === 'wasm' ? wasmArena(1 << 16) : new Arena(1 << 16, 'js');
      const h = A.heap;
      const a = A.alloc(rows * as + T * at + 4);
      const b = A.alloc(T * bs + 4);
      const c = A.alloc(rows * cs);
      const bias = A.alloc(cols);
      const fill = (o: number, n: number) => {
        for (let i = 0; i < n; i++) h[o + i] = rng.uniform(-3, 3) * 10 ** Math.floor(rng.uniform(-3, 3));
      };
      fill(a, rows * as + T * at + 4);
      fill(b, T * bs + 4);
      fill(c, rows * cs);
      fill(bias, cols);
      const before = h.slice(c, c + rows * cs);
      const init = [NO_BIAS, bias, ACCUMULATE][trial % 3];
      A.gemm(a, as, at, b, bs, c, cs, init, rows, cols, T);
      for (let r = 0; r < rows; r++) {
        for (let k = 0; k < cols; k++) {
          let s = init === NO_BIAS ? 0 : init === ACCUMULATE ? before[r * cs + k] : h[bias + k];
          for (let t = 0; t < T; t++) s += h[a + r * as + t * at] * h[b + t * bs + k];
          assert.equal(h[c + r * cs + k], s, `${mode} rows ${rows} cols ${cols} T ${T} init ${init}: c[${r}][${k}]`);
        }
      }
    }
  }
});

test('a long sum, done in slices that each continue the last, equals the naive product bit for bit', () => {
  const rng = new SeededRandom(12);
  const rows = 8, cols = 128, T = 700; // 128 columns: slices of 256 terms
  for (const mode of MODES) {
    const A = mode === 'wasm' ? wasmArena(1 << 18) : new Arena(1 << 18, 'js');
    const h = A.heap;
    const a = A.alloc(rows * T), b = A.alloc(T * cols), c = A.alloc(rows * cols), bias = A.alloc(cols);
    for (let i = 0; i < rows * T; i++) h[a + i] = rng.uniform(-1, 1);
    for (let i = 0; i < T * cols; i++) h[b + i] = rng.uniform(-1, 1);
    for (let i = 0; i < cols; i++) h[bias + i] = rng.uniform(-1, 1);
    A.gemm(a, T, 1, b, cols, c, cols, bias, rows, cols, T);
    for (let r = 0; r < rows; r++) {
      for (let k = 0; k < cols; k++) {
        let s = h[bias + k];
        for (let t = 0; t < T; t++) s += h[a + r * T + t] * h[b + t * cols + k];
        assert.equal(h[c + r * cols + k], s, `${mode} c[${r}][${k}]`);
      }
    }
  }
});

test('the inlined sigmoid and tanh give the activation functions\' values and derivatives bit for bit', () => {
  const zs = [-Infinity, -1e308, -800, -710, -40, -20, -1.5, -1, -1e-300, -0, 0, 1e-300, 0.3, 1, 2.5, 20, 40, 710, 800, 1e308, Infinity, NaN];
  const rng = new SeededRandom(5);
  for (let i = 0; i < 500; i++) zs.push(rng.uniform(-30, 30));
  for (const name of ['sigmoid', 'tanh']) {
    const act = builtinActivation(name)!;
    assert.equal(act.kind === 'scalar' && act.builtin, name);
    if (act.kind !== 'scalar') continue;
    const h = new Float64Array(3 * zs.length);
    h.set(zs);
    activate(act, h, 0, zs.length, 2 * zs.length, 1, zs.length, zs.length);
    zs.forEach((z, k) => {
      const y = name === 'sigmoid' ? sigmoid(z) : tanh(z);
      const d = name === 'sigmoid' ? y * sigmoid(-z) : tanhNth(1, z);
      assert.ok(Object.is(h[zs.length + k], y), `${name}(${z})`);
      assert.ok(Object.is(h[2 * zs.length + k], d), `${name}'(${z})`);
    });
  }
});

test('tanh is within 3 ulps of Math.tanh (each within 1 and 2 of the true value), odd, and its derivative keeps full relative precision where tanh saturates', () => {
  const rng = new SeededRandom(17);
  const out = new Float64Array(1);
  const specials = [0, -0, 1, -1, 22, -22, 2 ** -28, -(2 ** -28), 2 ** -29, 1 - 2 ** -53, 1 + 2 ** -52, 5e-324, -5e-324, 1e-310, 19, 354, -354, 400, 1e308, Infinity, -Infinity, NaN];
  for (const t of [TANH_POLY_MAX, TANH_SIMD_MAX]) for (const x of [t, ...neighbours(t)]) specials.push(x, -x);
  const zs: number[] = [...specials];
  for (let i = 0; i < 500000; i++) {
    zs.push(rng.uniform(-1, 1), rng.uniform(-4, 4), rng.uniform(-40, 40), (rng.next() < 0.5 ? -1 : 1) * 2 ** rng.uniform(-60, 10));
  }
  let worst = 0;
  let apart = 0;
  for (const z of zs) {
    const t = tanhWithSech2(z, out, 0);
    const m = Math.tanh(z);
    if (Number.isNaN(z)) assert.ok(Number.isNaN(t) && Number.isNaN(out[0]), 'NaN stays NaN');
    else if (!Object.is(t, m)) {
      assert.ok(Math.sign(t) === Math.sign(m) && !Object.is(t, -m), `tanh(${z}): ${t}, Math.tanh ${m}: the same sign`);
      apart = Math.max(apart, ulps(t, m));
    }
    assert.ok(Object.is(tanh(-z), -t), `tanh(−${z}) is −tanh(${z})`);
    assert.ok(Object.is(sech2(z), out[0]), `sech²(${z}) is the same number both ways`);
    // An independent reference: 1 / cosh², itself up to about 3 roundings off, with no
    // cancellation anywhere (1 − tanh² is 0 from |z| ≈ 19 on, and loses digits well before).
    const ref = 1 / (Math.cosh(z) * Math.cosh(z));
    if (Number.isNaN(z)) continue;
    if (ref >= 2.2250738585072014e-308) worst = Math.max(worst, Math.abs(out[0] - ref) / ref);
    else assert.ok(out[0] >= 0 && out[0] < 1e-300, `sech²(${z}) ≈ 0: ${out[0]}`);
  }
  assert.ok(apart <= 3, `tanh within 3 ulps of Math.tanh: ${apart} at worst`);
  assert.ok(apart >= 1, 'not Math.tanh itself');
  // 1 − tanh² would be off by 100 % at |z| = 19.
  // within 2 ulps of the true value (test/oracle/tanh.test.ts), 1/cosh² within about 3 roundings
  assert.ok(worst < 10 * 2 ** -53, `sech² within a few roundings of 1/cosh² everywhere: worst ${worst}`);
  assert.equal(sech2(1e-20), 1);
  assert.equal(sech2(30) > 0, true, 'no underflow to 0 where tanh has rounded to 1');
  assert.ok(Object.is(tanh(-0), -0) && Object.is(tanh(0), 0) && tanh(Infinity) === 1 && tanh(-Infinity) === -1);
});

/** The double just below and just above x (x finite and nonzero). */
function neighbours(x: number): number[] {
  const f = new Float64Array([x]);
  const bits = new BigInt64Array(f.buffer);
  const out: number[] = [];
  for (const step of [-1n, 1n]) {
    bits[0] += step;
    out.push(f[0]);
    bits[0] -= step;
  }
  return out;
}

test('the WebAssembly SIMD tanh gives tanh.ts\'s values and derivatives bit for bit, and leaves it what it cannot', () => {
  const rng = new SeededRandom(29);
  const specials = [0, -0, NaN, Infinity, -Infinity, 5e-324, -1e-310, 2 ** -28, -(2 ** -28), 2 ** -29, 1, -1, 0.25, 19, -19, 40, 353.9, 400, 1e308];
  // the two forms' border, e^{−2|z|}'s range, and where its n = round(−64|z|/ln 2) crosses a multiple of 32 (m changes) or rounds at a half
  for (const t of [TANH_POLY_MAX, TANH_SIMD_MAX, Math.LN2 / 2, Math.LN2, (0.5 * Math.LN2) / 64, (1.5 * Math.LN2) / 64, 16 * Math.LN2]) {
    for (const x of [t, ...neighbours(t)]) specials.push(x, -x);
  }
  const draw = (i: number) => [rng.uniform(-3, 3), rng.uniform(-25, 25), rng.uniform(-400, 400), (rng.next() < 0.5 ? -1 : 1) * 2 ** rng.uniform(-40, 5)][i % 4];
  // Directly: the module's function over rows of a memory, every element in its blocks.
  const api = wasmApi()!;
  const memory = new api.Memory({ initial: 32 });
  const simd = new api.Instance(new api.Module(gemmModuleBytes('float64')), { env: { memory } }).exports.tanh as WasmRows;
  assert.equal(typeof simd, 'function', 'the float64 module exports tanh');
  const h = new Float64Array(memory.buffer);
  // e^{−2|z|} reads exp.ts's tables where an arena keeps them, at the start of the memory
  h.set(expTables(), EXP_TABLES_AT);
  const [rows, Kp, blocks] = [64, 40, 4]; // 32 of each 40-wide row in blocks
  const [z, y, gp] = [EXP_TABLE_VALUES, EXP_TABLE_VALUES + rows * Kp, EXP_TABLE_VALUES + 2 * rows * Kp];
  const ref = new Float64Array(1);
  let left = 0;
  for (let trial = 0; trial < 40; trial++) {
    for (let i = 0; i < rows * Kp; i++) h[z + i] = trial === 0 && i < specials.length ? specials[i] : draw(i);
    h.fill(7, y, 3 * rows * Kp);
    const flagged = simd(8 * z, 8 * y, 8 * gp, rows, blocks, 8 * Kp);
    let outside = false;
    for (let r = 0; r < rows; r++) {
      for (let k = 0; k < Kp; k++) {
        const i = r * Kp + k;
        if (k >= blocks * TANH_BLOCK) {
          assert.equal(h[y + i], 7, 'nothing is written past the blocks');
          continue;
        }
        const x = h[z + i];
        if (!(Math.abs(x) < TANH_SIMD_MAX)) {
          outside = true;
          left++;
          continue;
        }
        const t = tanhWithSech2(x, ref, 0);
        if (!Object.is(h[y + i], t) || !Object.is(h[gp + i], ref[0])) assert.fail(`tanh(${x}): ${h[y + i]}, ${h[gp + i]}; tanh.ts ${t}, ${ref[0]}`);
      }
    }
    assert.equal(flagged, outside ? 1 : 0, 'it says when it left an element to tanh.ts');
  }
  assert.ok(left > 1000, 'the draws reach past TANH_SIMD_MAX');
  // Through an arena, as a training pass computes a tanh layer: rows of odd widths too, the
  // elements past the blocks and past TANH_SIMD_MAX from tanh.ts.
  const act = builtinActivation('tanh')!;
  assert.ok(act.kind === 'scalar');
  for (const K of [3, 8, 13, 64, 71]) {
    const A = wasmArena(1 << 14);
    const n = 21;
    const Kp = A.pad(K);
    const [za, ya, ga] = [A.alloc(n * Kp), A.alloc(n * Kp), A.alloc(n * Kp)];
    for (let i = 0; i < n; i++) for (let k = 0; k < K; k++) A.heap[za + i * Kp + k] = i === 0 && k < specials.length ? specials[k] : draw(k);
    activate(act, A.heap as Float64Array, za, ya, ga, n, K, Kp, A);
    for (let i = 0; i < n; i++) {
      for (let k = 0; k < K; k++) {
        const x = A.heap[za + i * Kp + k];
        const t = tanhWithSech2(x, ref, 0);
        if (!Object.is(A.heap[ya + i * Kp + k], t) || !Object.is(A.heap[ga + i * Kp + k], ref[0])) assert.fail(`K ${K}, tanh(${x}): ${A.heap[ya + i * Kp + k]}, ${A.heap[ga + i * Kp + k]}; tanh.ts ${t}, ${ref[0]}`);
      }
    }
  }
});

test('the WebAssembly SIMD σ gives the JavaScript σ\'s values and derivatives bit for bit, and leaves it what it cannot', () => {
  const rng = new SeededRandom(37);
  const specials = [0, -0, NaN, Infinity, -Infinity, 5e-324, -5e-324, 1e-310, 2 ** -60, -(2 ** -60), 1, -1, 0.5, -0.5, 36, -36, 40, -40, 700, -700, 1e308, -1e308];
  // where exp's n crosses a multiple of 32 (m changes), where it rounds at a half, its range's end
  for (const t of [EXP_MAX, (32 * Math.LN2) / 32, Math.LN2, (0.5 * Math.LN2) / 32, (1.5 * Math.LN2) / 32, 64 * Math.LN2, 745, 709.78]) {
    for (const x of [t, ...neighbours(t)]) specials.push(x, -x);
  }
  const draw = (i: number) => [rng.uniform(-4, 4), rng.uniform(-40, 40), rng.uniform(-760, 760), (rng.next() < 0.5 ? -1 : 1) * 2 ** rng.uniform(-60, 10)][i % 4];
  let left = 0;
  let compared = 0;
  for (const K of [8, 13, 40, 71]) {
    const A = wasmArena(1 << 16);
    const n = 37;
    const Kp = A.pad(K);
    const [za, ya, ga] = [A.alloc(n * Kp), A.alloc(n * Kp), A.alloc(n * Kp)];
    for (let trial = 0; trial < 12; trial++) {
      for (let i = 0; i < n; i++) for (let k = 0; k < K; k++) A.heap[za + i * Kp + k] = trial === 0 && i * K + k < specials.length ? specials[i * K + k] : draw(i * K + k);
      // the JavaScript σ on a copy, then the arena's (its module's σ, sigmoid-simd.ts)
      const plain = new Float64Array(A.heap.subarray(0, A.heap.length));
      activateRows(INLINED.sigmoid, plain, za, ya, ga, 0, n, K, Kp);
      A.activate(INLINED.sigmoid, za, ya, ga, n, K, Kp);
      for (let i = 0; i < n; i++) {
        for (let k = 0; k < K; k++) {
          const at = i * Kp + k;
          const x = A.heap[za + at];
          if (!(Math.abs(x) < EXP_MAX)) left++;
          compared++;
          if (!Object.is(A.heap[ya + at], plain[ya + at]) || !Object.is(A.heap[ga + at], plain[ga + at])) assert.fail(`K ${K}, σ(${x}): ${A.heap[ya + at]}, ${A.heap[ga + at]}; activate.ts ${plain[ya + at]}, ${plain[ga + at]}`);
        }
      }
    }
  }
  assert.ok(left > 100, 'the draws reach past EXP_MAX');
  assert.ok(compared > 10000);
  // The arena's σ is the module's: it reads exp.ts's tables where the arena keeps them.
  const A = wasmArena(1 << 10);
  const [za, ya, ga] = [A.alloc(8), A.alloc(8), A.alloc(8)];
  A.heap.fill(0.3, za, za + 8);
  A.activate(INLINED.sigmoid, za, ya, ga, 1, 8, 8);
  assert.equal(A.heap[ya], sigmoid(0.3));
  A.heap.fill(0, EXP_TABLES_AT / 8, EXP_TABLES_AT / 8 + EXP_TABLE_VALUES);
  A.activate(INLINED.sigmoid, za, ya, ga, 1, 8, 8);
  assert.notEqual(A.heap[ya], sigmoid(0.3), 'with the tables cleared, the σ the arena computes changes');
  // Directly: the module exports σ, and says when it left an element to the caller.
  const api = wasmApi()!;
  const memory = new api.Memory({ initial: 1 });
  const simd = new api.Instance(new api.Module(gemmModuleBytes('float64')), { env: { memory } }).exports.sigmoid as WasmRows;
  assert.equal(typeof simd, 'function', 'the float64 module exports sigmoid');
  const h = new Float64Array(memory.buffer);
  h.set(expTables(), EXP_TABLES_AT / 8);
  const z = EXP_TABLE_VALUES;
  h.fill(0.5, z, z + TANH_BLOCK);
  assert.equal(simd(8 * z, 8 * (z + 64), 8 * (z + 128), 1, 1, 8 * TANH_BLOCK), 0, 'nothing left inside EXP_MAX');
  assert.equal(h[z + 64], 1 / (1 + exp(-0.5)), 'σ(1/2)');
  h[z + 3] = -EXP_MAX;
  assert.equal(simd(8 * z, 8 * (z + 64), 8 * (z + 128), 1, 1, 8 * TANH_BLOCK), 1, 'an element at EXP_MAX is left to the caller');
});

test('the WebAssembly SIMD optimiser steps give updateRange\'s bits, in float64 and float32, for any run of elements, batch size and penalty', () => {
  const api = wasmApi()!;
  const rng = new SeededRandom(31);
  const n = 64;
  const [p, g, m, v] = [8, 80, 152, 224];
  // Values whose quotient by b, product by the rate or square is subnormal, overflows or rounds at a tie.
  const specials = [0, -0, 5e-324, -5e-324, 2.2250738585072014e-308, 1e-300, 1e-40, 1.7976931348623157e308, 3.4e38, -1e308, 1, 3, 0.1, NaN, Infinity, -Infinity];
  const draw = (i: number) => (i < specials.length ? specials[i] : (rng.next() < 0.5 ? -1 : 1) * 2 ** rng.uniform(-60, 20));
  const kinds: Partial<StepScalars>[] = [
    { kind: OPT_SGD },
    { kind: OPT_MOMENTUM, mu: 0 },
    { kind: OPT_MOMENTUM, mu: 0.9, first: 1 },
    { kind: OPT_MOMENTUM, mu: 0.9, first: 0 },
    { kind: OPT_ADAM, b1: 0.9, b2: 0.999, c1: 0.1, c2: 1 - 0.999, negStep: -0.01 / (1 - 0.9 ** 3), bc2sqrt: Math.sqrt(1 - 0.999 ** 3) },
  ];
  for (const precision of ['float64', 'float32'] as const) {
    const memory = new api.Memory({ initial: 4 });
    const steps = stepsOf(new api.Instance(new api.Module(gemmModuleBytes(precision)), { env: { memory } }).exports);
    assert.ok(steps, `the ${precision} module exports sgd, momentum and adam`);
    const h = precision === 'float32' ? new Float32Array(memory.buffer) : new Float64Array(memory.buffer);
    for (const kind of kinds) {
      for (const [b, neglr, l2] of [[64, -0.01, 0], [0.125, -0.01, 0.001], [37, -0.3, 0.001], [1, -1e300, -0], [3, -0.01, NaN], [1e-310, -0.5, 2]]) {
        for (const [i0, i1] of [[0, n], [1, n - 2], [5, 6], [3, 10], [7, 7]]) {
          for (let i = 0; i < n; i++) {
            h[p + i] = draw(i);
            h[g + i] = draw(n - 1 - i);
            h[m + i] = draw((i + 5) % n);
            h[v + i] = Math.abs(draw((i + 9) % n));
          }
          const s: StepScalars = { ...newStepScalars(), ...kind, b, neglr, l2 };
          const expected = h.slice();
          updateRange(s, expected, p, g, m, v, i0, i1);
          updateRangeWith(steps, s, h, p, g, m, v, i0, i1);
          for (let i = 0; i < v + n; i++) {
            assert.ok(Object.is(h[i], expected[i]), `${precision}, optimiser ${s.kind} (μ ${s.mu}, first ${s.first}), b ${b}, rate ${neglr}, λ₂ ${l2}, elements ${i0}–${i1}: element ${i} is ${h[i]}, updateRange gives ${expected[i]}`);
          }
        }
      }
    }
  }
});

/** A fresh instance of the float64 module on a memory of `pages` pages: its exports, and the memory as float64 and int32 values. */
function float64Module(pages: number): { exports: Record<string, unknown>; h: Float64Array; ints: Int32Array } {
  const api = wasmApi()!;
  const memory = new api.Memory({ initial: pages });
  const { exports } = new api.Instance(new api.Module(gemmModuleBytes('float64')), { env: { memory } });
  return { exports, h: new Float64Array(memory.buffer), ints: new Int32Array(memory.buffer) };
}

/** Each of the first expected.length values of h is the expected one, bit for bit (NaN and −0 too). */
function assertSameBits(h: Float64Array, expected: Float64Array, what: string, loop: string): void {
  for (let i = 0; i < expected.length; i++) assert.ok(Object.is(h[i], expected[i]), `${what}: element ${i} is ${h[i]}, ${loop} gives ${expected[i]}`);
}

test('the WebAssembly column sums give columnSums\' bits, from 0 and continued, for any run of columns and rows', () => {
  const { exports, h } = float64Module(2);
  const { colsums } = activationsOf(exports);
  assert.ok(colsums, 'the float64 module exports colsums');
  const rng = new SeededRandom(7);
  const specials = [0, -0, 5e-324, -5e-324, 1.7976931348623157e308, 1.7976931348623157e308, -1e308, 1, 1e-16, NaN, Infinity, -Infinity];
  const [stride, delta, gb] = [13, 40, 8];
  const sums = new Float64Array(stride);
  for (const n of [0, 1, 2, 5, 64]) {
    for (const [k0, k1] of [[0, 13], [0, 12], [1, 11], [4, 8], [3, 4], [6, 6]]) {
      for (const accumulate of [false, true]) {
        for (let i = 0; i < n * stride; i++) h[delta + i] = i < specials.length && n < 64 ? specials[(i * 5) % specials.length] : (rng.next() - 0.5) * 2 ** rng.uniform(-30, 30);
        for (let k = 0; k < stride; k++) h[gb + k] = k % 3 === 0 ? -0 : rng.next();
        const expected = h.slice(0, delta + n * stride);
        columnSums(expected, sums, delta, stride, n, k0, k1, gb, accumulate);
        columnSums(h, sums, delta, stride, n, k0, k1, gb, accumulate, colsums);
        assertSameBits(h, expected, `${n} rows, columns ${k0}–${k1}, ${accumulate ? 'continued' : 'from 0'}`, 'the JavaScript loop');
      }
    }
  }
});

test('the WebAssembly gate gives gateBand\'s bits: runs of columns odd and even, rows from the middle, NaN, infinities, subnormals and −0', () => {
  const { exports, h } = float64Module(2);
  const { gate } = activationsOf(exports);
  assert.ok(gate, 'the float64 module exports gate');
  const rng = new SeededRandom(8);
  const specials = [0, -0, 5e-324, -2.2250738585072014e-308, 1e300, 1e-300, NaN, Infinity, -Infinity, 1, -3];
  const [stride, dx, gp, delta] = [11, 0, 200, 400];
  for (const [r0, r1] of [[0, 6], [2, 5], [3, 3]]) {
    for (const [k0, k1] of [[0, 11], [0, 10], [1, 8], [5, 6]]) {
      for (let i = 0; i < 6 * stride; i++) {
        h[dx + i] = i < 40 ? specials[i % specials.length] : rng.uniform(-3, 3);
        h[gp + i] = i < 40 ? specials[(i * 3) % specials.length] : rng.uniform(0, 1);
        h[delta + i] = -7;
      }
      const expected = h.slice(0, delta + 6 * stride);
      gateBand(expected, dx, gp, delta, stride, r0, r1, k0, k1);
      gateBand(h, dx, gp, delta, stride, r0, r1, k0, k1, gate);
      assertSameBits(h, expected, `rows ${r0}–${r1}, columns ${k0}–${k1}`, "gateBand's loop");
    }
  }
});

test('the WebAssembly transpose gives transposeBand\'s values and touches nothing else: odd and even rows and columns, a band from the middle', () => {
  const { exports, h } = float64Module(2);
  const { transpose } = activationsOf(exports);
  assert.ok(transpose, 'the float64 module exports transpose');
  const [block, width, WT, Mp] = [0, 7, 200, 13];
  for (const [k0, k1] of [[0, 7], [2, 6], [3, 4], [1, 8]]) {
    for (const [j0, M] of [[0, 13], [0, 12], [3, 10], [4, 5], [6, 6]]) {
      for (let i = 0; i < 200; i++) h[block + i] = i + 0.25;
      h.fill(-1, WT, WT + 8 * Mp + 8);
      const expected = h.slice(0, WT + 8 * Mp + 8);
      transposeBand(expected, block, width, WT, Mp, k0, k1, M, j0);
      transposeBand(h, block, width, WT, Mp, k0, k1, M, j0, transpose);
      assertSameBits(h, expected, `columns ${k0}–${k1}, rows ${j0}–${M}`, "transposeBand's loop");
    }
  }
});

test('the kernel that reads listed rows and writes their transpose gives the listed product\'s bits, and each value of the transpose in its place, nothing else', () => {
  const { exports, h, ints } = float64Module(4);
  const listed = listedOf(exports);
  assert.ok(listed?.rowsT, 'the float64 module exports gemmRowsT');
  const rng = new SeededRandom(12);
  // the list at int32 0; 30 staged rows of 12 values at 64; b at 512; c and c again at 1024 and 1280; the transpose at 2048, rows 16 apart
  const [tab, staged, width, b, c1, c2, xt, stride] = [0, 64, 12, 512, 1024, 1280, 2048, 16];
  for (const rows of [4, 8, 12]) {
    for (const T of [12, 7, 1]) {
      for (const cols of [4, 8]) {
        for (const init of [0, 2]) {
          for (let i = 0; i < 30 * width; i++) h[staged + i] = rng.uniform(-2, 2);
          for (let i = 0; i < T * cols; i++) h[b + i] = rng.uniform(-2, 2);
          for (let i = 0; i < rows * cols; i++) h[c1 + i] = h[c2 + i] = rng.uniform(-1, 1);
          h.fill(-1, xt, xt + width * stride + 8);
          const order = Array.from({ length: rows }, (_, r) => (r * 7 + 3) % 30);
          order.forEach((row, r) => (ints[tab + r] = 8 * (staged + row * width)));
          listed.rows(0, 0, 8, 8 * b, 8 * cols, 8 * c1, 8 * cols, 0, init, rows, cols, T, 4 * tab);
          listed.rowsT!(0, 0, 8, 8 * b, 8 * cols, 8 * c2, 8 * cols, 0, init, rows, cols, T, 4 * tab, 8 * xt, 8 * stride);
          const what = `${rows} rows, ${T} terms, ${cols} columns, init ${init}`;
          for (let i = 0; i < rows * cols; i++) assert.ok(Object.is(h[c2 + i], h[c1 + i]), `${what}: c[${i}] is ${h[c2 + i]}, the listed product's ${h[c1 + i]}`);
          for (let t = 0; t < width; t++) {
            for (let r = 0; r < stride; r++) {
              const inside = t < T && r < rows;
              assert.equal(h[xt + t * stride + r], inside ? h[staged + order[r] * width + t] : -1, `${what}: the transpose's (${t}, ${r})`);
            }
          }
          assert.equal(h[xt + width * stride], -1, `${what}: nothing past the transpose`);
        }
      }
    }
  }
});

/**
 * Asserts that the batch gradient of `data` on each kernel path is the mean of per-sample probes
 * (network.ts's forward and backward, one sample at a time), bit for bit: the loss, dW and db.
 */
function assertProbeSums(net: Network, data: Sample[]): void {
  const probes = data.map((s) => probe(net, s.input, s.target));
  try {
    for (const mode of MODES) {
      setKernelMode(mode);
      const g = batchGradient(net, data);
      let loss = 0;
      for (const p of probes) loss += p.loss;
      assert.equal(g.loss, loss / data.length, `${mode} loss`);
      net.layers.forEach((L, l) => {
        const dW = new Float64Array(L.inputs * L.units);
        const db = new Float64Array(L.units);
        for (const p of probes) {
          p.layers[l].dW.forEach((row, j) => row.forEach((v, k) => (dW[j * L.units + k] += v)));
          p.layers[l].delta.forEach((v, k) => (db[k] += v));
        }
        assert.deepEqual(g.layers[l].dW, dW.map((v) => v / data.length), `${mode} layer ${L.name} dW`);
        assert.deepEqual(g.layers[l].db, db.map((v) => v / data.length), `${mode} layer ${L.name} db`);
      });
    }
  } finally {
    setKernelMode(undefined);
  }
}

test('a batch gradient on WebAssembly and on JavaScript is the sum of per-sample probes, bit for bit', () => {
  assertProbeSums(kernelNetwork(), kernelSamples(11, 8));
});

test('rows of a multiple of 512 bytes, a cache line further apart (batch.ts rowStride): the batch gradient is still the sum of per-sample probes, bit for bit', () => {
  assert.deepEqual([rowStride(64, 'float64'), rowStride(128, 'float64'), rowStride(128, 'float32'), rowStride(60, 'float64'), rowStride(64, 'float32')], [72, 136, 144, 60, 64]);
  // 64 and 128 units: z, y, g' and δ in padded rows, and ΔX of the layers above them too
  const layers: LayerSpec[] = [
    { name: 'a', units: 64, activation: builtinActivation('tanh')!, hasBias: true },
    { name: 'b', units: 128, activation: builtinActivation('sigmoid')!, hasBias: false },
    { name: 'c', units: 3, activation: builtinActivation('softmax')!, hasBias: true },
  ];
  const net = buildNetwork('p', 21, layers, 'cross_entropy', { scheme: 'xavier', seed: 6 });
  const data = kernelSamples(9, 3);
  const ws = new BatchWorkspace(net, 9);
  assert.deepEqual(ws.layers.map((s) => [s.Kp, s.Ks]), [[64, 72], [128, 136], [4, 4]], 'the rows of the two wide layers are padded');
  assertProbeSums(net, data);
});

test('training on WebAssembly and on JavaScript gives the same parameters, also for batches split into passes', () => {
  const n = MAX_ROWS_PER_PASS + 37; // one batch, two passes
  const data = kernelSamples(n, 9);
  const results = MODES.map((mode) => {
    setKernelMode(mode);
    try {
      const t = new Trainer(kernelNetwork(), data, { epochs: 3, optimizer: { kind: 'adam', beta1: 0.9, beta2: 0.999 }, learningRate: 0.01, l2: 0.001 });
      while (!t.done) t.runEpoch();
      return t.result();
    } finally {
      setKernelMode(undefined);
    }
  });
  assert.deepEqual(results[0].loss, results[1].loss);
  results[0].network.layers.forEach((L, l) => {
    assert.deepEqual(L.W, results[1].network.layers[l].W, `layer ${L.name} W`);
    assert.deepEqual(L.b, results[1].network.layers[l].b, `layer ${L.name} b`);
  });
  // one full-batch sgd step is p + (−lr)·g with g the batch gradient taken in one pass
  const net = kernelNetwork();
  const g = batchGradient(net, data);
  const t = new Trainer(net, data, { epochs: 1, learningRate: 0.5 });
  t.runEpoch();
  const after = t.network();
  net.layers.forEach((L, l) => {
    assert.deepEqual(after.layers[l].W, L.W.map((w, i) => w + -0.5 * g.layers[l].dW[i]), `layer ${L.name} W`);
    if (L.hasBias) assert.deepEqual(after.layers[l].b, L.b.map((b, i) => b + -0.5 * g.layers[l].db[i]), `layer ${L.name} b`);
  });
});

test('exp from a table and a polynomial is Math.exp or the double next to it, and Math.exp\'s at the ends', () => {
  const f64 = new Float64Array(1);
  const bits = new BigInt64Array(f64.buffer);
  const at = (x: number) => {
    f64[0] = x;
    return bits[0];
  };
  const rng = new SeededRandom(21);
  for (let i = 0; i < 1_000_000; i++) {
    const x = rng.uniform(-1, 1) * [1e-12, 0.01, 1, 40, 708][i % 5];
    const d = at(exp(x)) - at(Math.exp(x));
    assert.ok(d >= -1n && d <= 1n, `exp(${x}) = ${exp(x)}, Math.exp ${Math.exp(x)}`);
  }
  for (const x of [NaN, Infinity, -Infinity, 708, -708, 709.7, -745, -746, 1000]) assert.equal(exp(x), Math.exp(x), `exp(${x})`);
  assert.equal(exp(0), 1);
  assert.equal(exp(-0), 1);
});
