// Training speed: NetSpec's engine against TensorFlow.js (cpu and wasm backends) on the same
// networks, weights and batches. Checks first that all three compute the same gradients, then
// times interleaved runs (A B C A B C …) after a warm-up and reports steps/s and GFLOP/s.
// Bundled and run by bench/run.js; not a test.
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { builtinActivation, buildNetwork, type Network } from '../server/src/engine/network';
import { batchGradient, Trainer, type Sample } from '../server/src/engine/train';
import { kernelBackend, kernelModeOf, setKernelMode } from '../server/src/engine/kernels/gemm';

interface Case {
  id: string;
  title: string;
  widths: number[];
  hidden: 'sigmoid' | 'tanh';
  output: 'sigmoid' | 'softmax';
  loss: 'squared_error' | 'cross_entropy';
  batch: number;
  samples: number;
  lr: number;
}

export const CASES: Case[] = [
  { id: 'tiny', title: '2-8-8-1 sigmoid, squared error, batch 4, sgd', widths: [2, 8, 8, 1], hidden: 'sigmoid', output: 'sigmoid', loss: 'squared_error', batch: 4, samples: 256, lr: 0.1 },
  { id: 'mlp', title: '784-128-64-10 tanh/softmax, cross-entropy, batch 64, sgd', widths: [784, 128, 64, 10], hidden: 'tanh', output: 'softmax', loss: 'cross_entropy', batch: 64, samples: 1024, lr: 0.01 },
];

/** FLOPs of one training step: the matrix products only (forward xW, backward δWᵀ above the first layer, xᵀδ), 2 per multiply-add. */
export function stepFlops(c: Case): number {
  let f = 0;
  for (let l = 1; l < c.widths.length; l++) {
    const mk = c.widths[l - 1] * c.widths[l];
    f += 2 * c.batch * mk * (l > 1 ? 3 : 2);
  }
  return f;
}

/** A small deterministic generator, so every engine sees the same numbers. */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
}

function makeData(c: Case): Sample[] {
  const r = lcg(7);
  const M = c.widths[0];
  const K = c.widths[c.widths.length - 1];
  const out: Sample[] = [];
  for (let i = 0; i < c.samples; i++) {
    // float32-rounded inputs, so tfjs sees exactly what the engine sees
    const input = Array.from({ length: M }, () => Math.fround(r() * 2 - 1));
    const target = new Array(K).fill(0);
    if (K === 1) target[0] = input[0] * input[1] > 0 ? 1 : 0;
    else target[Math.floor(r() * K)] = 1;
    out.push({ input, target });
  }
  return out;
}

function makeNetwork(c: Case): Network {
  const specs = c.widths.slice(1).map((units, i, a) => ({
    name: `l${i + 1}`,
    units,
    activation: builtinActivation(i === a.length - 1 ? c.output : c.hidden)!,
    hasBias: true,
  }));
  const net = buildNetwork(c.id, c.widths[0], specs, c.loss, { scheme: 'xavier', seed: 1 });
  // float32-representable weights, so both engines start from the same parameters
  for (const l of net.layers) for (let i = 0; i < l.W.length; i++) l.W[i] = Math.fround(l.W[i]);
  return net;
}

/** The same network in TensorFlow.js: variables, a loss function and an sgd optimiser. */
class TfModel {
  readonly W: tf.Variable[];
  readonly b: tf.Variable[];
  private readonly opt: tf.SGDOptimizer;
  private readonly batches: { x: tf.Tensor2D; t: tf.Tensor2D }[];
  private next = 0;

  constructor(private readonly c: Case, net: Network, data: Sample[]) {
    this.W = net.layers.map((l) => tf.variable(tf.tensor2d(Array.from(l.W), [l.inputs, l.units])));
    this.b = net.layers.map((l) => tf.variable(tf.tensor1d(Array.from(l.b))));
    this.opt = tf.train.sgd(c.lr);
    this.batches = [];
    for (let s = 0; s < data.length; s += c.batch) {
      const part = data.slice(s, s + c.batch);
      this.batches.push({
        x: tf.tensor2d(part.map((p) => Array.from(p.input))),
        t: tf.tensor2d(part.map((p) => Array.from(p.target))),
      });
    }
  }

  /** The mean per-sample loss, written with tfjs's fused ops where it has them. */
  loss(x: tf.Tensor2D, t: tf.Tensor2D): tf.Scalar {
    let h: tf.Tensor2D = x;
    const L = this.W.length;
    for (let l = 0; l < L; l++) {
      const z = tf.add(tf.matMul(h, this.W[l]), this.b[l]) as tf.Tensor2D;
      if (l < L - 1) h = this.c.hidden === 'tanh' ? tf.tanh(z) : tf.sigmoid(z);
      else if (this.c.loss === 'cross_entropy') return tf.losses.softmaxCrossEntropy(t, z) as tf.Scalar; // mean over the batch of −Σ t ln softmax(z)
      else h = tf.sigmoid(z);
    }
    // (1/B) Σ_i ½ Σ_k (y − t)²
    return tf.mul(tf.sum(tf.squaredDifference(h, t)), 0.5 / x.shape[0]);
  }

  gradients(): Float64Array[] {
    const { x, t } = this.batches[0];
    const vars = [...this.W, ...this.b];
    const { grads } = tf.variableGrads(() => this.loss(x, t), vars);
    const out = vars.map((v) => Float64Array.from(grads[v.name].dataSync()));
    for (const g of Object.values(grads)) g.dispose();
    return out;
  }

  step(): void {
    const { x, t } = this.batches[this.next];
    this.next = (this.next + 1) % this.batches.length;
    this.opt.minimize(() => this.loss(x, t));
  }
}

/** Largest |a − b| over largest |b|, of each tensor, the worst. */
function relativeError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let d = 0;
  let m = 0;
  for (let i = 0; i < b.length; i++) {
    d = Math.max(d, Math.abs(a[i] - b[i]));
    m = Math.max(m, Math.abs(b[i]));
  }
  return m ? d / m : d;
}

interface Engine {
  name: string;
  prepare(): Promise<void> | void;
  /** Runs for about `ms` milliseconds; returns the steps taken, the wall time and this process's CPU time. */
  run(ms: number): { steps: number; ms: number; cpuMs: number };
}

function engineOf(c: Case, net: Network, data: Sample[]): Engine {
  const trainer = () => new Trainer(net, data, { batch: c.batch, epochs: 1e9, learningRate: c.lr, optimizer: { kind: 'sgd' } });
  let t = trainer();
  const stepsPerEpoch = Math.ceil(data.length / c.batch);
  return {
    name: 'netspec',
    prepare() {},
    run: (ms) => timed(ms, () => {
      if (t.done) t = trainer();
      t.runEpoch();
      return stepsPerEpoch;
    }),
  };
}

function tfEngine(backend: 'cpu' | 'wasm', model: () => TfModel): Engine {
  let m: TfModel | undefined;
  return {
    name: `tfjs-${backend}`,
    async prepare() {
      await tf.setBackend(backend);
      m ??= model();
      for (let i = 0; i < 3; i++) m.step(); // move the variables to this backend
    },
    run: (ms) => timed(ms, () => {
      for (let i = 0; i < 8; i++) m!.step();
      return 8;
    }),
  };
}

/** Calls `chunk` (which returns the steps it took) until `ms` milliseconds have passed. */
function timed(ms: number, chunk: () => number): { steps: number; ms: number; cpuMs: number } {
  let steps = 0;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  let now = t0;
  while (now - t0 < ms) {
    steps += chunk();
    now = performance.now();
  }
  return { steps, ms: now - t0, cpuMs: cpuMs(cpu0) };
}

/** CPU milliseconds (user + system) of this process since `from`. */
function cpuMs(from: NodeJS.CpuUsage): number {
  const d = process.cpuUsage(from);
  return (d.user + d.system) / 1000;
}

function summary(xs: number[]): { median: number; min: number; max: number; n: number } {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return { median: s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2, min: s[0], max: s[s.length - 1], n: s.length };
}

export interface TrainingResult {
  id: string;
  title: string;
  flopsPerStep: number;
  gradientCheck: Record<string, number>;
  engines: Record<string, { stepsPerSecond: { median: number; min: number; max: number; n: number }; gflops: number; stepsPerCpuSecond: number }>;
  ratios: Record<string, { median: number; min: number; max: number; n: number }>;
}

export async function benchTraining(opts: { repeats?: number; runMs?: number; warmupMs?: number; log?: (s: string) => void } = {}): Promise<{ kernels: string; cases: TrainingResult[] }> {
  setKernelMode(kernelModeOf(process.env.NETSPEC_KERNELS));
  const repeats = opts.repeats ?? 7;
  const runMs = opts.runMs ?? 600;
  const warmupMs = opts.warmupMs ?? 1200;
  const log = opts.log ?? (() => {});
  setWasmPaths(path.join(path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm')), path.sep));
  tf.env().set('PROD', true);
  const cases: TrainingResult[] = [];
  for (const c of CASES) {
    const net = makeNetwork(c);
    const data = makeData(c);
    const model = () => new TfModel(c, net, data);
    const engines = [engineOf(c, net, data), tfEngine('cpu', model), tfEngine('wasm', model)];

    // Same gradients first: the engine's float64 batch gradient against each backend's float32 one.
    const ours = batchGradient(net, data.slice(0, c.batch));
    const ref = [...ours.layers.map((l) => l.dW), ...ours.layers.map((l) => l.db)];
    const gradientCheck: Record<string, number> = {};
    for (const backend of ['cpu', 'wasm'] as const) {
      await tf.setBackend(backend);
      const theirs = model().gradients();
      gradientCheck[`tfjs-${backend}`] = Math.max(...theirs.map((g, i) => relativeError(g, ref[i])));
      if (gradientCheck[`tfjs-${backend}`] > 1e-4) throw new Error(`${c.id}: tfjs-${backend} computes other gradients (relative error ${gradientCheck[`tfjs-${backend}`]})`);
    }

    for (const e of engines) {
      await e.prepare();
      e.run(warmupMs);
    }
    const rates: Record<string, number[]> = {};
    const cpuRates: Record<string, number[]> = {};
    for (let r = 0; r < repeats; r++) {
      for (const e of engines) {
        await e.prepare();
        const { steps, ms, cpuMs } = e.run(runMs);
        (rates[e.name] ??= []).push((steps / ms) * 1000);
        (cpuRates[e.name] ??= []).push((steps / cpuMs) * 1000);
      }
      log(`${c.id}: repeat ${r + 1}/${repeats}`);
    }
    const flops = stepFlops(c);
    const result: TrainingResult = { id: c.id, title: c.title, flopsPerStep: flops, gradientCheck, engines: {}, ratios: {} };
    for (const [name, xs] of Object.entries(rates)) {
      const s = summary(xs);
      result.engines[name] = { stepsPerSecond: s, gflops: (s.median * flops) / 1e9, stepsPerCpuSecond: summary(cpuRates[name]).median };
    }
    for (const peer of ['tfjs-cpu', 'tfjs-wasm']) {
      // the ratio of each interleaved repeat, then their median and range
      result.ratios[`netspec/${peer}`] = summary(rates.netspec.map((v, i) => v / rates[peer][i]));
    }
    cases.push(result);
  }
  return { kernels: kernelBackend(), cases };
}

export function trainingTable(r: { kernels: string; cases: TrainingResult[] }): string {
  const n = (x: number) => (x >= 1000 ? Math.round(x).toLocaleString('en-US') : x >= 10 ? x.toFixed(0) : x.toFixed(1));
  const g = (x: number) => (x >= 1 ? x.toFixed(2) : x.toPrecision(2));
  const out = [
    `Engine kernels: ${r.kernels}`,
    '',
    '| network | engine | steps/s, median (min–max) | GFLOP/s | steps per CPU-second | gradient vs netspec (rel.) |',
    '| --- | --- | ---: | ---: | ---: | ---: |',
  ];
  for (const c of r.cases) {
    for (const [name, e] of Object.entries(c.engines)) {
      const s = e.stepsPerSecond;
      const check = name === 'netspec' ? '—' : c.gradientCheck[name].toExponential(1);
      out.push(`| ${c.title} | ${name} | ${n(s.median)} (${n(s.min)}–${n(s.max)}) | ${g(e.gflops)} | ${n(e.stepsPerCpuSecond)} | ${check} |`);
    }
  }
  out.push('', '| network | netspec ÷ tfjs-cpu, median (min–max) | netspec ÷ tfjs-wasm, median (min–max) | FLOP per step |', '| --- | ---: | ---: | ---: |');
  for (const c of r.cases) {
    const f = (s: { median: number; min: number; max: number }) => `${s.median.toFixed(1)}× (${s.min.toFixed(1)}–${s.max.toFixed(1)})`;
    out.push(`| ${c.title} | ${f(c.ratios['netspec/tfjs-cpu'])} | ${f(c.ratios['netspec/tfjs-wasm'])} | ${c.flopsPerStep.toLocaleString('en-US')} |`);
  }
  out.push('', 'Steps/s and the ratios are wall-clock, from interleaved repeats (each engine in turn). Steps per CPU-second divide by the time this single-threaded process was on a core, which discounts other load on a shared machine.');
  return out.join('\n');
}
