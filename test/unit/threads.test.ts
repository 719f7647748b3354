/**
 * The engine's products on several threads (server/src/engine/kernels/parallel.ts, pool.ts):
 * helper worker threads (dist/productWorker.js, real worker_threads over a shared WebAssembly
 * memory) compute bands of each product, and the results are bit for bit those of one thread —
 * every product, then whole training runs of random networks over every layer activation, with
 * batches that do and do not divide between the threads. The threshold is set to 0 here, so
 * every product that has two tiles to share is threaded, however small.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, test } from 'node:test';
import { Worker } from 'node:worker_threads';
import { ACCUMULATE, Arena, NO_BIAS } from '../../server/src/engine/kernels/gemm';
import { bandedIndex, columnBand, partsFor, setThreads, splitProduct, threadsOf } from '../../server/src/engine/kernels/parallel';
import { int32Room } from '../../server/src/engine/kernels/int32';
import { claimedPart, openCounter, productPool } from '../../server/src/engine/kernels/pool';
import { builtinActivation, buildNetwork, standardization, type LayerSpec, type Network } from '../../server/src/engine/network';
import type { LossName } from '../../server/src/engine/losses';
import type { Optimizer } from '../../server/src/engine/optimizers';
import { Trainer, type Sample, type TrainOptions } from '../../server/src/engine/train';
import { analyzeText } from '../../server/src/semantics/checker';
import { LAYER_ACTIVATIONS } from '../support/builtins';
import { repoRoot } from '../support/paths';
import { SeededRandom } from '../support/random';

/** The helper's script, as the CLI and the training worker start it. */
function helperScript(): string {
  const p = path.join(repoRoot(), 'dist', 'productWorker.js');
  if (!fs.existsSync(p)) throw new Error(`${p} is missing: run \`node esbuild.js\` (npm test does it first)`);
  return p;
}

const workers: Worker[] = [];

/** `threads` threads for every product of two tiles or more (of `minWork` multiply-adds), helpers from dist/productWorker.js. */
function useThreads(threads: number, minWork = 0): void {
  const script = helperScript();
  setThreads({
    threads,
    minWork,
    spawn: () => {
      const w = new Worker(script);
      workers.push(w);
      return w;
    },
  });
}

function oneThread(): void {
  setThreads({ threads: 1 });
}

after(async () => {
  oneThread();
  await Promise.all(workers.map((w) => w.terminate()));
});

test('a product is cut into bands of whole tiles that cover it once', () => {
  for (const [rows, cols] of [[4, 4], [8, 4], [4, 12], [64, 128], [784, 128], [12, 200], [20, 20]]) {
    for (const parts of [1, 2, 3, 5]) {
      const cut = splitProduct(rows, cols, parts);
      assert.equal(cut.length, parts);
      const covered = new Int32Array(rows * cols);
      for (const p of cut) {
        for (const v of [p.r0, p.r1, p.k0, p.k1]) assert.equal(v % 4, 0, `${rows}×${cols}/${parts}: ${JSON.stringify(p)}`);
        for (let r = p.r0; r < p.r1; r++) for (let k = p.k0; k < p.k1; k++) covered[r * cols + k]++;
      }
      assert.ok(covered.every((n) => n === 1), `${rows}×${cols} in ${parts}: every element once`);
    }
    assert.ok(partsFor(rows, cols, 2) <= Math.max(rows, cols) / 4, 'no more parts than tiles');
    if (cols % 8 === 0 && cols > rows) for (const p of splitProduct(rows, cols, 3, 8)) assert.equal(p.k0 % 8, 0, 'float32 tiles are 8 columns wide');
  }
});

test('a claim on a task\'s counter gives each part once, and a claim made on a task that has ended gives nothing of the next', () => {
  for (const [parts, threads] of [[8, 2], [2, 2], [5, 3], [1, 2]]) {
    for (const task of [1, 77, (1 << 14) - 1]) {
      const seen = new Set<number>();
      for (let g = 0; g < threads; g++) {
        for (let j = 0; ; j++) {
          const i = claimedPart(openCounter(task) + j, task, parts, threads, g);
          if (i < 0) {
            assert.equal(claimedPart(openCounter(task) + j + 1, task, parts, threads, g), -1, 'and none after');
            break;
          }
          assert.ok(!seen.has(i), `part ${i} once`);
          seen.add(i);
        }
      }
      assert.equal(seen.size, parts, `${parts} parts, ${threads} threads, task ${task}: every part`);
      assert.ok(openCounter(task) > 0, 'a counter stays a positive int32');
    }
  }
  // Task 5 of 2 parts on 2 threads: group 1's one part claimed, then one more claim just as it
  // ended; the caller then opened task 6 of 8 parts, where claim 1 of group 1 is part 5.
  const late = openCounter(5) + 1;
  assert.equal(claimedPart(late, 5, 2, 2, 1), -1, 'past its group\'s part in its own task');
  assert.equal(claimedPart(late, 6, 8, 2, 1), -1, 'and nothing of the next task, whose parts it reads');
  assert.equal(claimedPart(openCounter(6) + 1, 6, 8, 2, 1), 5, 'the same claim on the next task\'s counter is its part 5');
  assert.equal(claimedPart(1 << 30, 0, 8, 2, 0), -1, 'before the first task no claim gives a part');
});

test('the pool keeps count under tasks of 4 and 8 parts in turn, as fast as they go: no part computed twice, no wait for ever', async () => {
  // A worker drives the pool, so that a pool stopped for good (its thread inside Atomics.wait)
  // stops the worker, not this test, which watches its heartbeat.
  const script = path.join(repoRoot(), 'out', 'test', 'support', 'pool-stress.js');
  if (!fs.existsSync(script)) throw new Error(`${script} is missing: run \`node esbuild.js\` (npm test does it first)`);
  const beat = new Int32Array(new SharedArrayBuffer(4));
  const tasks = 200_000;
  const stress = new Worker(script, { workerData: { beat, tasks, helper: helperScript() } });
  try {
    const result = await new Promise<{ done: number; threadedActivations: number }>((resolve, reject) => {
      let last = -1;
      let still = 0;
      const watch = setInterval(() => {
        const now = Atomics.load(beat, 0);
        still = now === last ? still + 1 : 0;
        last = now;
        if (still >= 20) {
          clearInterval(watch);
          reject(new Error(`the pool stopped after ${now} of ${tasks} tasks and has not moved for 10 s: a part counted twice, or one never counted`));
        }
      }, 500);
      stress.once('message', (m: { done: number; threadedActivations: number }) => (clearInterval(watch), resolve(m)));
      stress.once('error', (e) => (clearInterval(watch), reject(e)));
    });
    assert.equal(result.done, tasks);
    assert.equal(result.threadedActivations, tasks, 'every activation went through the threads');
  } finally {
    await stress.terminate();
  }
});

test('the pool sums each thread\'s time inside its parts while asked, from zero, and nothing while not (the bench\'s busy threads)', () => {
  useThreads(2);
  try {
    const pool = productPool();
    assert.ok(pool, 'two threads make a pool');
    const n = 128;
    const A = new Arena(3 * n * n, 'wasm', 'float64', true);
    const [a, b, c] = [A.alloc(n * n), A.alloc(n * n), A.alloc(n * n)];
    for (let i = 0; i < n * n; i++) [A.heap[a + i], A.heap[b + i]] = [Math.sin(i), Math.cos(i)];
    const products = (times: number) => {
      for (let i = 0; i < times; i++) A.gemm(a, n, 1, b, n, c, n, NO_BIAS, n, n, n);
    };
    products(5); // the helper started and bound
    // The products are almost all parts: at least one thread was inside them for most of the time.
    // A shared machine can hold the calling thread off its core between parts (another test file
    // runs beside this one), which no timing inside parts sees; so up to three tries, each held to
    // the same bound, of which one must meet it (a pool that summed nothing, or only some parts,
    // fails all three).
    let busy: number[] = [];
    const tries: string[] = [];
    for (let attempt = 0; attempt < 3; attempt++) {
      pool.timeParts(true);
      const t0 = performance.now();
      products(50);
      const wall = performance.now() - t0;
      busy = pool.partTimes();
      assert.equal(busy.length, 2);
      assert.ok(busy[0] > 0, `the calling thread computed parts: ${busy[0]} ms`);
      for (const ms of busy) assert.ok(ms >= 0 && ms <= wall, `a thread's time in parts (${ms} ms) is within the ${wall} ms the products took`);
      tries.push(`${busy.map((ms) => ms.toFixed(2)).join(' and ')} ms of ${wall.toFixed(2)}`);
      if (Math.max(...busy) > 0.5 * wall) break;
      assert.ok(attempt < 2, `inside parts for over half the products' time in none of three tries: ${tries.join('; ')}`);
    }
    pool.timeParts(false);
    products(5);
    assert.deepEqual(pool.partTimes(), busy, 'nothing is added while off');
    pool.timeParts(true);
    assert.deepEqual(pool.partTimes(), [0, 0], 'on again, from zero');
    pool.timeParts(false);
  } finally {
    oneThread();
  }
});

test('NETSPEC_THREADS: a whole number of threads, else one per core', () => {
  assert.equal(threadsOf('1', 8), 1);
  assert.equal(threadsOf('3', 2), 3);
  assert.equal(threadsOf(undefined, 2), 2);
  assert.equal(threadsOf('', 4), 4);
  assert.equal(threadsOf('0', 2), 2);
  assert.equal(threadsOf('two', 2), 2);
  assert.equal(threadsOf('1.5', 2), 2);
});

test('a threaded product equals the one-thread product bit for bit, for each init, shape and precision', () => {
  const rng = new SeededRandom(31);
  for (const [threads, precision] of [[2, 'float64'], [3, 'float64'], [2, 'float32']] as const) {
    const width = precision === 'float32' ? 8 : 4;
    for (let trial = 0; trial < 30; trial++) {
      const rows = 4 * (1 + Math.floor(rng.next() * 9));
      const cols = width * (1 + Math.floor(rng.next() * 9));
      const T = Math.floor(rng.next() * 300); // long sums too: the slices of t (parallel.ts)
      const transposedA = rng.next() < 0.5;
      const as = transposedA ? 1 : T + 3;
      const at = transposedA ? rows + 1 : 1;
      const bs = cols + width * Math.floor(rng.next() * 2);
      const cs = cols + width * Math.floor(rng.next() * 2);
      const init = [NO_BIAS, ACCUMULATE, 0][trial % 3];
      const size = rows * as + T * at + T * bs + rows * cs + cols + 64;
      const fill = (h: Float64Array | Float32Array, seed: number) => {
        const r = new SeededRandom(seed);
        for (let i = 0; i < h.length; i++) h[i] = r.uniform(-3, 3) * 10 ** Math.floor(r.uniform(-3, 3));
      };
      const run = (threaded: boolean): Float64Array | Float32Array => {
        if (threaded) useThreads(threads);
        else oneThread();
        const A = new Arena(size, 'wasm', precision, threaded);
        const a = A.alloc(rows * as + T * at + 4);
        const b = A.alloc(T * bs + 4);
        const c = A.alloc(rows * cs);
        const bias = A.alloc(cols);
        fill(A.heap.subarray(0, bias + cols), trial);
        A.gemm(a, as, at, b, bs, c, cs, init === 0 ? bias : init, rows, cols, T);
        if (threaded && (rows > 4 || cols > width)) assert.equal(A.products.threaded, 1, 'the product went to the threads');
        return A.heap.slice(c, c + rows * cs);
      };
      const one = run(false);
      const many = run(true);
      oneThread();
      assert.deepEqual(many, one, `${threads} threads, ${precision}, ${rows}×${cols}, T ${T}, init ${init}`);
    }
  }
});

/** A random network whose hidden layers take the activations in turn, from `first`; odd widths (padding). */
function randomNetwork(rng: SeededRandom, first: number, loss: LossName): Network {
  const depth = 1 + Math.floor(rng.next() * 3);
  const layers: LayerSpec[] = [];
  for (let l = 0; l < depth; l++) {
    const name = LAYER_ACTIVATIONS[(first + l) % LAYER_ACTIVATIONS.length];
    layers.push({ name: `h${l}`, units: 3 + Math.floor(rng.next() * 30), activation: builtinActivation(name)!, hasBias: rng.next() < 0.8 });
  }
  const out = loss === 'cross_entropy' ? 'softmax' : 'sigmoid';
  layers.push({ name: 'out', units: loss === 'cross_entropy' ? 2 + Math.floor(rng.next() * 5) : 1 + Math.floor(rng.next() * 3), activation: builtinActivation(out)!, hasBias: true });
  return buildNetwork('r', 1 + Math.floor(rng.next() * 40), layers, loss, { scheme: 'xavier', seed: first });
}

function randomData(rng: SeededRandom, net: Network, n: number): Sample[] {
  const K = net.layers[net.layers.length - 1].units;
  const softmax = net.layers[net.layers.length - 1].activation.kind === 'softmax';
  return Array.from({ length: n }, () => {
    const target = Array.from({ length: K }, () => (softmax ? 0 : rng.next() < 0.5 ? 0 : 1));
    if (softmax) target[Math.floor(rng.next() * K)] = 1;
    return { input: Array.from({ length: net.inputs }, () => rng.uniform(-2, 2)), target };
  });
}

const OPTIMIZERS: Optimizer[] = [{ kind: 'sgd' }, { kind: 'momentum', momentum: 0.9 }, { kind: 'adam', beta1: 0.9, beta2: 0.999 }];

/** What a run's arena counted (gemm.ts `Arena.products`: products, threaded tasks, listed products, steps and activations taken in products). */
type Counts = Arena['products'];

function trainWith(threads: number, net: Network, data: Sample[], options: Partial<TrainOptions>, minWork = 0): Counts & { result: ReturnType<Trainer['result']> } {
  if (threads > 1) useThreads(threads, minWork);
  else oneThread();
  try {
    const t = new Trainer(net, data, options);
    while (!t.done) t.runEpoch();
    return { ...(t.kernelProducts as Counts), result: t.result() };
  } finally {
    oneThread();
  }
}

/** Asserts that run `many` ended as run `one` did, bit for bit: its epoch and test losses and every weight and bias. */
function assertSameRun(many: { result: ReturnType<Trainer['result']> }, one: { result: ReturnType<Trainer['result']> }, what: string): void {
  assert.deepEqual(many.result.loss, one.result.loss, `${what}: epoch losses`);
  assert.deepEqual(many.result.testLoss, one.result.testLoss, `${what}: test losses`);
  many.result.network.layers.forEach((L, l) => {
    assert.deepEqual(L.W, one.result.network.layers[l].W, `${what}: ${L.name} W`);
    assert.deepEqual(L.b, one.result.network.layers[l].b, `${what}: ${L.name} b`);
  });
}

test('training on 2 and 3 threads equals one thread bit for bit: every activation, random networks, batches that do and do not divide', () => {
  const rng = new SeededRandom(77);
  let threadedRuns = 0;
  /** Runs whose tanh or σ layers were cut between threads, by precision. */
  const threadedActivations = { float32: 0, float64: 0 };
  /** The optimisers whose steps were cut between threads, and those on weights kept in column bands. */
  const threadedUpdates = new Set<string>();
  /** The optimisers whose step on banded weights was taken by the threads in the gradient's product (gemm.ts `gemmBanded`'s step). */
  const steppedProducts = new Set<string>();
  /** The optimisers whose step on the output layer a helper took while the run's thread went on (gemm.ts `stepLayerInBackground`). */
  const backgroundSteps = new Set<string>();
  let bandedRuns = 0;
  /** Threaded runs that read each pass's input rows where they are staged, through a list of them (batch.ts `usePass`), by precision. */
  const epochRows = { float32: 0, float64: 0 };
  /** Threaded runs whose passes went through the row chain (batch.ts `forwardChain`). */
  let chainedRuns = 0;
  for (let first = 0; first < LAYER_ACTIVATIONS.length; first += 2) {
    const loss: LossName = first % 4 === 0 ? 'cross_entropy' : 'binary_cross_entropy';
    const net = randomNetwork(rng, first, loss);
    const n = 30 + Math.floor(rng.next() * 60);
    const data = randomData(rng, net, n);
    // batch 4·k (whole tiles), an odd batch (a padded last tile), and the whole set
    const batch = [8, 13, undefined][first % 3];
    // float32 too (its f32x4 kernel, 8-column tiles) every third network
    const precision = first % 3 === 1 ? 'float32' : 'float64';
    // each optimiser in turn, with l2 or l1 now and then: every kind of step (update.ts) on the threads
    const optimizer = OPTIMIZERS[(first / 2) % OPTIMIZERS.length];
    const options: Partial<TrainOptions> = { epochs: 3, batch, precision, split: 0.8, seed: first, learningRate: 0.05, optimizer, l2: first % 10 === 2 ? 0.01 : 0, l1: first % 10 === 6 ? 0.001 : 0 };
    const one = trainWith(1, net, data, options);
    assert.equal(one.threaded, 0);
    assert.equal(one.epochRows, 0, 'one thread copies its input rows per batch');
    for (const threads of [2, 3]) {
      const many = trainWith(threads, net, data, options);
      const what = `${LAYER_ACTIVATIONS[first]}…, ${threads} threads, batch ${batch ?? 'all'}, ${precision}`;
      if (many.threaded > 0) threadedRuns++;
      if (many.threadedActivations > 0) threadedActivations[precision]++;
      if (many.threadedUpdates > 0) threadedUpdates.add(optimizer.kind);
      if (many.steppedProducts > 0) steppedProducts.add(optimizer.kind);
      if (many.backgroundSteps > 0) backgroundSteps.add(optimizer.kind);
      if (many.banded > 0) bandedRuns++;
      if (many.epochRows > 0) epochRows[precision]++;
      if (many.chainedPasses > 0) chainedRuns++;
      // Each pass's rows read where they are staged, through a list, by the first layer's products.
      if (many.epochRows > 0) assert.ok(many.listedProducts > 0, `${what}: the first layer's products read the pass's rows through a list`);
      assertSameRun(many, one, what);
      assert.equal(many.result.finalLoss, one.result.finalLoss, `${what}: final loss`);
      assert.deepEqual(many.result.accuracy, one.result.accuracy, `${what}: accuracy`);
    }
  }
  assert.ok(threadedRuns > 0, 'some runs went through the threads');
  assert.ok(threadedActivations.float64 > 0 && threadedActivations.float32 > 0, `tanh and σ went through the threads in both precisions: ${JSON.stringify(threadedActivations)}`);
  assert.deepEqual([...new Set([...threadedUpdates, ...backgroundSteps])].sort(), ['adam', 'momentum', 'sgd'], 'every optimiser\'s step went through the threads (cut between them, or the output layer\'s on a helper)');
  assert.deepEqual([...backgroundSteps].sort(), ['adam', 'momentum', 'sgd'], 'every optimiser\'s step on the output layer was taken by a helper while the run\'s thread went on');
  assert.ok(bandedRuns > 0, 'some runs kept layers in column bands, one per thread');
  assert.deepEqual([...steppedProducts].sort(), ['adam', 'momentum', 'sgd'], 'every optimiser\'s step on weights kept in column bands was taken in their gradient\'s product, on the threads');
  assert.ok(epochRows.float64 > 0 && epochRows.float32 > 0, `threaded runs read their passes' inputs where they are staged in both precisions: ${JSON.stringify(epochRows)}`);
  assert.ok(chainedRuns > 0, 'some runs took their passes through the row chain');
});

test('a pass through the row chain (every layer above the first, the losses and the δ, rows cut between threads) equals one thread bit for bit: each loss, output and hidden activation, batches that do and do not divide', () => {
  const rng = new SeededRandom(5);
  const cases: [LossName, string, string][] = [
    ['cross_entropy', 'softmax', 'tanh'],
    ['cross_entropy', 'sigmoid', 'sigmoid'],
    ['binary_cross_entropy', 'sigmoid', 'tanh'],
    ['squared_error', 'sigmoid', 'sigmoid'],
    ['squared_error', 'tanh', 'tanh'],
    ['mse', 'sigmoid', 'tanh'],
    ['mse', 'softmax', 'sigmoid'],
  ];
  cases.forEach(([loss, out, hidden], c) => {
    const layers: LayerSpec[] = [
      // the first layer's activation inlined in its product's parts, or (relu) taken after it by the run's thread
      { name: 'h0', units: 24 + c, activation: builtinActivation(c === 5 ? 'relu' : c % 2 ? 'sigmoid' : 'tanh')!, hasBias: true },
      ...Array.from({ length: 1 + (c % 2) }, (_, l) => ({ name: `h${l + 1}`, units: 9 + 3 * l + c, activation: builtinActivation(hidden)!, hasBias: l % 2 === 0 })),
      { name: 'out', units: 3, activation: builtinActivation(out)!, hasBias: true },
    ];
    const net = buildNetwork('chain', 20 + c, layers, loss, { scheme: 'xavier', seed: c });
    const K = 3;
    const data: Sample[] = Array.from({ length: 40 }, () => {
      const target = Array.from({ length: K }, () => (rng.next() < 0.5 ? 0 : 1));
      if (out === 'softmax') {
        target.fill(0);
        target[Math.floor(rng.next() * K)] = 1;
      }
      return { input: Array.from({ length: net.inputs }, () => rng.uniform(-2, 2)), target };
    });
    // sgd with λ₂ once: the step the gradient's kernel takes itself (wasm.ts `gemmBody`'s sgd) with its λ₂·p
    const options: Partial<TrainOptions> = { epochs: 3, batch: c % 2 ? 13 : 8, split: 0.75, seed: c, learningRate: 0.05, optimizer: OPTIMIZERS[c % OPTIMIZERS.length], l2: c === 3 ? 0.01 : 0 };
    const one = trainWith(1, net, data, options);
    const two = trainWith(2, net, data, options);
    const what = `${loss}, ${hidden} hidden, ${out} out`;
    assert.ok(two.chainedPasses > 0, `${what}: the passes went through the row chain`);
    assert.ok(two.transposedPasses > 0, `${what}: the first layer's forward products wrote the transposes of their rows, which its gradients read`);
    assert.ok(two.steppedProducts > 0 && one.result.loss.every(Number.isFinite), `${what}: a run that trains, its steps taken in the gradient's products`);
    assertSameRun(two, one, what);
  });
});

test('rows of a multiple of 512 bytes, a cache line further apart (batch.ts rowStride), on 2 threads equal one thread bit for bit: through the row chain (float64) and layer by layer (float32)', () => {
  // 128 units: padded rows in both precisions; 64: in float64 only. Both above the first layer
  // too, so the chain's products, its gate and the loss read padded rows.
  const rng = new SeededRandom(41);
  const layers: LayerSpec[] = [
    { name: 'h0', units: 128, activation: builtinActivation('tanh')!, hasBias: true },
    { name: 'h1', units: 64, activation: builtinActivation('sigmoid')!, hasBias: true },
    { name: 'h2', units: 128, activation: builtinActivation('tanh')!, hasBias: false },
    { name: 'out', units: 4, activation: builtinActivation('softmax')!, hasBias: true },
  ];
  const net = buildNetwork('padded', 30, layers, 'cross_entropy', { scheme: 'xavier', seed: 3 });
  const data = randomData(rng, net, 40);
  for (const precision of ['float64', 'float32'] as const) {
    const options: Partial<TrainOptions> = { epochs: 2, batch: 13, precision, split: 0.8, seed: 1, learningRate: 0.05, optimizer: { kind: 'momentum', momentum: 0.9 } };
    const one = trainWith(1, net, data, options);
    const two = trainWith(2, net, data, options);
    const what = precision;
    if (precision === 'float64') assert.ok(two.chainedPasses > 0, `${what}: the passes went through the row chain`);
    else assert.ok(two.fusedActivations > 0 && two.gatedProducts > 0, `${what}: the layers' products took their activation and δ in their parts`);
    assert.ok(one.result.loss.every(Number.isFinite), `${what}: a run that trains`);
    assertSameRun(two, one, what);
  }
});

test('a layer kept in column bands: every weight has one place, and a pass too small for the threads computes the bands in turn, bit for bit', () => {
  for (const [rows, cols, bands, width] of [[20, 16, 2, 4], [784, 128, 2, 4], [12, 40, 3, 8], [4, 8, 2, 4]]) {
    const seen = new Int32Array(rows * cols);
    for (let j = 0; j < rows; j++) for (let k = 0; k < cols; k++) seen[bandedIndex(rows, cols, bands, width, j, k)]++;
    assert.ok(seen.every((n) => n === 1), `${rows}×${cols} in ${bands} bands: each place once`);
    let k = 0;
    for (let t = 0; t < bands; t++) {
      const [k0, k1] = columnBand(cols, bands, t, width);
      assert.equal(k0, k, 'bands follow each other');
      assert.equal(k0 % width, 0, 'bands of whole tiles');
      k = k1;
    }
    assert.equal(k, cols, 'the bands cover the columns');
  }
  // The layout is chosen for a full batch (16 rows: 16 · 20 · 16 = 5,120 multiply-adds ≥ 4,000);
  // the last batch of 3 rows is under the threshold, so its products run band by band here.
  const rng = new SeededRandom(9);
  const net = buildNetwork('b', 20, [{ name: 'h', units: 16, activation: builtinActivation('tanh')!, hasBias: true }, { name: 'out', units: 3, activation: builtinActivation('softmax')!, hasBias: true }], 'cross_entropy', { scheme: 'xavier', seed: 3 });
  const data = randomData(rng, net, 35);
  const options: Partial<TrainOptions> = { epochs: 3, batch: 16, learningRate: 0.1, split: 1, optimizer: { kind: 'momentum', momentum: 0.9 } };
  const one = trainWith(1, net, data, options);
  const two = trainWith(2, net, data, options, 4000);
  assert.ok(two.banded > 0, 'the full batches\' products went to the threads by bands');
  assert.ok(two.steppedProducts > 0, 'the full batches\' steps on the banded weights were taken in their gradient\'s product');
  assert.ok(two.bandedUpdates > 0, 'the last, small batch\'s step on them was taken apart, band by band');
  assert.deepEqual(two.result.loss, one.result.loss);
  two.result.network.layers.forEach((L, l) => {
    assert.deepEqual(L.W, one.result.network.layers[l].W, `${L.name} W`);
    assert.deepEqual(L.b, one.result.network.layers[l].b, `${L.name} b`);
  });
});

test('tanh and σ taken in the forward product\'s parts, and δ = ΔX ⊙ g\' in ΔX\'s product\'s parts, bit for bit one thread\'s: padded bands, both precisions', () => {
  // 21 and 19 units: the last band ends in padding columns, which the activation must leave; a
  // batch of 13: padded rows, which the gate must leave. ReLU below softmax: a gate through an
  // activation the kernels do not inline; σ without biases.
  const rng = new SeededRandom(31);
  const layers: LayerSpec[] = [
    { name: 'h1', units: 21, activation: builtinActivation('tanh')!, hasBias: true },
    { name: 'h2', units: 19, activation: builtinActivation('sigmoid')!, hasBias: false },
    { name: 'h3', units: 17, activation: builtinActivation('relu')!, hasBias: true },
    { name: 'out', units: 3, activation: builtinActivation('softmax')!, hasBias: true },
  ];
  const net = buildNetwork('f', 11, layers, 'cross_entropy', { scheme: 'xavier', seed: 8 });
  const data = randomData(rng, net, 45);
  for (const precision of ['float64', 'float32'] as const) {
    const options: Partial<TrainOptions> = { epochs: 3, batch: 13, precision, split: 0.8, seed: 2, learningRate: 0.05, optimizer: { kind: 'adam', beta1: 0.9, beta2: 0.999 } };
    const one = trainWith(1, net, data, options);
    assert.equal(one.fusedActivations + one.gatedProducts, 0, 'one thread takes them apart');
    for (const threads of [2, 3]) {
      const many = trainWith(threads, net, data, options);
      const what = `${threads} threads, ${precision}`;
      assert.ok(many.fusedActivations > 0, `${what}: the tanh and σ layers' products took their activation`);
      assert.ok(many.gatedProducts > 0, `${what}: the backward products took δ`);
      assertSameRun(many, one, what);
    }
  }
});

test('a run that diverges on threads stops where one thread does: the diverged batch\'s step is not taken, in the gradient\'s product or after', () => {
  const rng = new SeededRandom(21);
  const net = buildNetwork('d', 24, [{ name: 'h', units: 16, activation: builtinActivation('relu')!, hasBias: true }, { name: 'out', units: 2, activation: builtinActivation('linear')!, hasBias: true }], 'mse', { scheme: 'xavier', seed: 4 });
  const data = randomData(rng, net, 40);
  const options: Partial<TrainOptions> = { epochs: 6, batch: 8, learningRate: 40, split: 1 };
  const one = trainWith(1, net, data, options);
  const two = trainWith(2, net, data, options);
  assert.ok(one.result.diverged, 'the run diverges');
  assert.ok(one.result.diverged.epoch > 1 || one.result.diverged.step > 1, `some steps before it: ${JSON.stringify(one.result.diverged)}`);
  assert.ok(two.steppedProducts > 0, 'the steps before it were taken in the gradient\'s product');
  assert.deepEqual(two.result.diverged, one.result.diverged);
  assert.deepEqual(two.result.loss, one.result.loss);
  two.result.network.layers.forEach((L, l) => {
    assert.ok(L.W.every(Number.isFinite), `${L.name}: the parameters before the diverged step`);
    assert.deepEqual(L.W, one.result.network.layers[l].W, `${L.name} W`);
    assert.deepEqual(L.b, one.result.network.layers[l].b, `${L.name} b`);
  });
});

test('the output layer\'s gradient and step taken by a helper while the run\'s thread goes on: watched gradients, a paused run\'s parameters and the next steps are one thread\'s, bit for bit', () => {
  // A first layer the threads share (so the output layer's step goes to a helper) under a watch:
  // the trainer reads every gradient right after each backward pass, and the network between
  // batches, both of which must wait for the helper's part.
  const rng = new SeededRandom(23);
  // 16 · 200 · 64 multiply-adds in the first layer's products, over the 100,000 that share them;
  // 16 · 64 · 40 in the output layer's, under it: a few microseconds of the helper's.
  const net = buildNetwork('w', 200, [{ name: 'h', units: 64, activation: builtinActivation('tanh')!, hasBias: true }, { name: 'out', units: 40, activation: builtinActivation('softmax')!, hasBias: true }], 'cross_entropy', { scheme: 'xavier', seed: 5 });
  const data = randomData(rng, net, 40);
  const options: Partial<TrainOptions> = { epochs: 2, batch: 16, learningRate: 0.1, split: 1, optimizer: { kind: 'adam', beta1: 0.9, beta2: 0.999 } };
  const run = (threads: number, minWork = 0) => {
    if (threads > 1) useThreads(threads, minWork);
    else oneThread();
    try {
      const t = new Trainer(net, data, options);
      t.watchGradients();
      const networks: Network[] = [];
      while (!t.done) {
        if (t.runBatch()) t.watchGradients();
        networks.push(t.network());
      }
      return { networks, means: t.takeGradientMeans(), counts: t.kernelProducts as Counts };
    } finally {
      oneThread();
    }
  };
  const one = run(1);
  const two = run(2, 100000);
  assert.ok(two.counts.backgroundSteps > 0, 'the output layer\'s steps went to a helper');
  assert.equal(two.networks.length, one.networks.length);
  two.networks.forEach((n, i) =>
    n.layers.forEach((L, l) => {
      assert.deepEqual(L.W, one.networks[i].layers[l].W, `after batch ${i + 1}: ${L.name} W`);
      assert.deepEqual(L.b, one.networks[i].layers[l].b, `after batch ${i + 1}: ${L.name} b`);
    }),
  );
  assert.ok(two.means && one.means);
  two.means!.forEach((m, l) => assert.deepEqual(m, one.means![l], `layer ${l + 1}'s watched mean |dE/dw|`));
});

test('a larger batch in several passes (MAX_ROWS_PER_PASS) on threads, each pass read where its rows are staged, equals one thread', () => {
  const rng = new SeededRandom(5);
  const net = randomNetwork(rng, 1, 'cross_entropy');
  const data = randomData(rng, net, 300);
  const options: Partial<TrainOptions> = { epochs: 2, batch: 290, learningRate: 0.1 };
  const one = trainWith(1, net, data, options);
  const two = trainWith(2, net, data, options);
  assert.ok(two.threaded > 0);
  assert.equal(two.epochRows, 2, 'each epoch\'s order set once');
  // 300 rows in batches of 290: passes of 256 and 34 rows, then one of 10; each pass's forward and gradient products read its listed rows
  assert.ok(two.listedProducts >= 2 * 6, `three passes an epoch, each read through its list: ${two.listedProducts} listed products`);
  assert.deepEqual(two.result.loss, one.result.loss);
  two.result.network.layers.forEach((L, l) => assert.deepEqual(L.W, one.result.network.layers[l].W));
});

test('a product that reads a\'s rows or columns through a list of their addresses equals the product of the rows copied in order, bit for bit: both precisions, one thread and two, long sums in slices', () => {
  for (const threads of [1, 2]) {
    if (threads > 1) useThreads(2);
    try {
      for (const precision of ['float64', 'float32'] as const) {
        // n rows of M values staged, listed in a scrambled order (the copy X holds them in that
        // order), K columns; a sum over more than 2,048 (float64) or 4,096 (float32) terms of 16
        // columns is taken in slices (parallel.ts `wasmProduct`): M long for XW, n for Xᵀ D.
        for (const [n, M, K] of [[12, 40, 16], [4, 4100, 16], [4100, 8, 16]]) {
          const staged = n + 3;
          const A = new Arena(staged * M + n * M + 3 * M * K + 3 * n * K + 2 * n + 256, 'wasm', precision, true);
          const e = A.heap.BYTES_PER_ELEMENT;
          const S = A.alloc(staged * M), X = A.alloc(n * M), W = A.alloc(M * K), D = A.alloc(n * K), bias = A.alloc(K);
          const Z = [A.alloc(n * K), A.alloc(n * K)], G = [A.alloc(M * K), A.alloc(M * K)];
          const list = A.alloc(int32Room(n, precision));
          for (let i = 0; i < A.heap.length; i++) A.heap[i] = Math.sin(0.37 * i) * 2 - 0.1;
          const at = (list * e) / 4;
          const ints = A.int32View(list, n);
          for (let i = 0; i < n; i++) {
            const r = (7 * i + 3) % staged;
            ints[i] = e * (S + r * M);
            A.heap.copyWithin(X + i * M, S + r * M, S + (r + 1) * M);
          }
          const what = `${precision}, ${threads} thread(s), ${n} × ${M} × ${K}`;
          // Z = XW + b: the copy's rows, then the listed rows
          A.gemmBanded(threads, X, M, 1, W, 0, M, Z[0], K, 0, bias, n, K, M);
          A.gemmBanded(threads, 0, 0, 1, W, 0, M, Z[1], K, 0, bias, n, K, M, undefined, undefined, { mode: 'rows', at });
          assert.deepEqual(Array.from(A.view(Z[1], n * K)), Array.from(A.view(Z[0], n * K)), `${what}: XW + b, rows listed`);
          // Xᵀ D: Xᵀ's columns are the listed rows
          A.gemmBanded(threads, X, 1, M, D, K, 0, G[0], 0, M, NO_BIAS, M, K, n);
          A.gemmBanded(threads, 0, 1, 0, D, K, 0, G[1], 0, M, NO_BIAS, M, K, n, undefined, undefined, { mode: 'cols', at });
          assert.deepEqual(Array.from(A.view(G[1], M * K)), Array.from(A.view(G[0], M * K)), `${what}: Xᵀ D, columns listed`);
          assert.equal(A.products.listedProducts, 2, `${what}: the listed kernels ran`);
          if (threads > 1) assert.equal(A.products.banded, 4, `${what}: the products were cut between the threads`);
        }
      }
    } finally {
      oneThread();
    }
  }
});

test('standardized inputs and derived features, staged once and listed per pass on threads, train as on one thread', () => {
  const spec = 'network f {\n  input x[3] features [x1, x2 * x3, sin(x1), x3]\n  dense h[24] tanh\n  dense y[2] softmax\n  loss cross_entropy\n  init xavier seed 4\n}\n';
  const { program } = analyzeText(spec);
  const base = program.networks.get('f')!.network!;
  const rng = new SeededRandom(31);
  const data: Sample[] = Array.from({ length: 70 }, () => {
    const input = [rng.uniform(-3, 5), rng.uniform(0, 10), rng.uniform(-1, 1)];
    return { input, target: input[0] * input[2] > 0 ? [1, 0] : [0, 1] };
  });
  const net: Network = { ...base, standardize: standardization(data.map((s) => s.input)) };
  const options: Partial<TrainOptions> = { epochs: 3, batch: 16, learningRate: 0.1, split: 0.8, seed: 2, optimizer: { kind: 'adam', beta1: 0.9, beta2: 0.999 } };
  const one = trainWith(1, net, data, options);
  const two = trainWith(2, net, data, options);
  assert.equal(two.epochRows, 3, 'each epoch\'s order set once');
  // 56 training rows in batches of 16: 4 passes an epoch, each read where its rows are staged
  assert.ok(two.listedProducts >= 12, `each pass read through its list: ${two.listedProducts} listed products`);
  assert.ok(two.transposedPasses >= 12, `each pass's gradient read the transpose of its rows its forward product wrote: ${two.transposedPasses}`);
  assert.deepEqual(two.result.loss, one.result.loss);
  assert.deepEqual(two.result.testLoss, one.result.testLoss);
  two.result.network.layers.forEach((L, l) => {
    assert.deepEqual(L.W, one.result.network.layers[l].W, `${L.name} W`);
    assert.deepEqual(L.b, one.result.network.layers[l].b, `${L.name} b`);
  });
});
