// Training speed: NetSpec's engine against TensorFlow.js (cpu and wasm backends) and, when
// Debian's python3-torch is installed, PyTorch (float64 and float32, one thread: torch_peer.py) on
// the same networks, weights and batches. Checks first that all compute the same gradients, then
// times interleaved runs (A B C … A B C …) after a warm-up and reports steps/s and GFLOP/s, and
// the share of the engine's own kernel's large-product GFLOP/s (kernel.ts) each run reaches.
// Bundled and run by bench/run.js; not a test.
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import * as path from 'node:path';
import type { Network } from '../server/src/engine/network';
import { batchGradient, type Sample } from '../server/src/engine/train';
import { CASES, makeData, makeNetwork, stepFlops, type Case } from './cases';
import { timedSteps, trainerSteps } from './steps';
import { kernelBackend, kernelModeOf, setKernelMode, type Precision } from '../server/src/engine/kernels/gemm';
import { kernelGflops } from './kernel';
import { coreKernels, coresAtOnce, pinnableCores, type CoreKernels } from './cores';
import { stepParts, type StepPart } from './parts';
import { torchAvailable, torchEngine } from './torch';
import { setThreads, threadSettings } from '../server/src/engine/kernels/parallel';
import { productPool } from '../server/src/engine/kernels/pool';
import { useNodeThreads } from '../server/src/runs/threads-node';

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
  /**
   * Runs for about `ms` milliseconds; returns the steps taken, the wall time and the CPU time it
   * took, and for the engine on threads each thread's time inside its parts of the threads' tasks.
   */
  run(ms: number): Run | Promise<Run>;
  /** The first batch's gradients (dW per layer, then db), for a peer that checks them itself; `close` ends its process. */
  gradients?(): Promise<Float64Array[]>;
  close?(): void;
}

interface Run {
  steps: number;
  ms: number;
  cpuMs: number;
  busyMs?: number[];
}

/** What `make` returns, made under thread settings of `threads` threads (an arena takes them when it is made). */
function withThreads<T>(threads: number, make: () => T): T {
  const settings = threadSettings();
  setThreads({ ...settings, threads });
  try {
    return make();
  } finally {
    setThreads(settings);
  }
}

/** The engine on `threads` threads in `precision` (the trainer's arena takes the thread settings when it is made). */
function engineOf(c: Case, net: Network, data: Sample[], threads = 1, precision: Precision = 'float64'): Engine {
  const t = withThreads(threads, () => trainerSteps(c, net, data, precision));
  // The threads' pool (pool.ts keeps one for each number of threads), which sums each thread's
  // time inside parts while a run is timed.
  const pool = threads > 1 ? withThreads(threads, () => productPool()) : undefined;
  return {
    name: precision === 'float32' ? 'netspec-f32' : threads > 1 ? `netspec-${threads}t` : 'netspec',
    prepare() {},
    run: (ms) => {
      pool?.timeParts(true);
      const r = timed(ms, () => t.epoch());
      const busyMs = pool?.partTimes();
      pool?.timeParts(false);
      return { ...r, busyMs };
    },
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

/** `timedSteps` (steps.ts, the loop the browser bench times too), with this process's CPU time beside the wall time. */
function timed(ms: number, chunk: () => number): { steps: number; ms: number; cpuMs: number } {
  const cpu0 = process.cpuUsage();
  return { ...timedSteps(ms, chunk), cpuMs: cpuMs(cpu0) };
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
  /** The engine's GFLOP/s (one thread) over the kernel's large-product GFLOP/s. */
  kernelShare?: number;
  /** The engine's float32 run's GFLOP/s over the f32x4 kernel's. */
  kernelShare32?: number;
  /** The engine's GFLOP/s on `threads` threads over threads × the kernel's large-product GFLOP/s. */
  threadedKernelShare?: number;
  /**
   * The parts of a threaded step, each timed alone (parts.ts), their sum in microseconds and the
   * share of threads × the kernel's GFLOP/s a step of that many microseconds would reach: the
   * most the threaded share can be while each part takes what it takes alone.
   */
  threadedParts?: { parts: StepPart[]; us: number; shareBound: number };
  /**
   * The threaded run's repeats, per round and then their median: each thread's time inside its
   * parts over the run's wall time (`busy`, the run's thread first), and the step's FLOP over the
   * threads' time inside parts, over the round's kernel GFLOP/s (`speed`). The threaded share is
   * the mean of `busy` times `speed`, round by round.
   */
  threadedBusy?: { busy: number[]; speed: number };
  /**
   * The threaded run's GFLOP/s over what its cores gave the kernel at once, each on its own
   * product (cores.ts, the better of the samples either side of the round): the median over the
   * rounds. Where the threaded share divides by threads × one core alone, this divides by the
   * cores as they run together, which on a shared machine can be much less.
   */
  threadedCoresShare?: number;
  title: string;
  flopsPerStep: number;
  gradientCheck: Record<string, number>;
  engines: Record<string, { stepsPerSecond: { median: number; min: number; max: number; n: number }; gflops: number; stepsPerCpuSecond: number }>;
  ratios: Record<string, { median: number; min: number; max: number; n: number }>;
}

/** What the training section measured, for its table (and the README's). */
export interface TrainingBench {
  kernels: string;
  /** The kernel's one-core GFLOP/s over its samples (`sampleKernels`): one before the repeats, one after each round and one after each network's parts. */
  kernelGflops: { median: number; min: number; max: number; n: number };
  kernels32?: string;
  kernelGflops32?: number;
  /** The threads of the engine's threaded runs (NETSPEC_THREADS, default one per core); 1: none. */
  threads: number;
  /** The kernel on the same large products, each cut between those threads (when more than one): the median of its samples. */
  threadedKernelGflops?: number;
  /** The median over the samples of that over threads × the one-core sample taken just before it. */
  threadedKernelShare?: number;
  /**
   * The kernel pinned to each core alone and on all at once (cores.ts), at the start of the
   * section and at its end, when there is more than one thread; or why not measured.
   */
  cores?: CoreKernels[] | string;
  torch: string;
  cases: TrainingResult[];
}

export async function benchTraining(opts: { repeats?: number; runMs?: number; warmupMs?: number; log?: (s: string) => void } = {}): Promise<TrainingBench> {
  setKernelMode(kernelModeOf(process.env.NETSPEC_KERNELS));
  // The helper threads' script is bundled beside this one (bench/run.js).
  const threads = useNodeThreads(process.env.NETSPEC_THREADS, path.join(__dirname, 'productWorker.js'));
  const repeats = opts.repeats ?? 7;
  const runMs = opts.runMs ?? 600;
  const warmupMs = opts.warmupMs ?? 1200;
  const log = opts.log ?? (() => {});
  setWasmPaths(path.join(path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm')), path.sep));
  tf.env().set('PROD', true);
  log('kernel: timing the engine\'s product on large squares…');
  // The kernel alone is timed again after each round of repeats, and each round's shares divide
  // by the better of the samples either side of it: the machine's slow and fast phases then hit
  // both alike, as in the ratios. One sample at the start, taken in a slow phase of a machine
  // that had just booted, once put the one-thread share at 117 % (15.8 GFLOP/s where the kernel
  // reaches 26).
  const samples: KernelSample[] = [];
  const sample = (float32: boolean) => {
    const s = sampleKernels(runMs / 2, threads, float32);
    samples.push(s);
    return s;
  };
  let before = sample(false);
  const cores = threads > 1 ? await sampleCores(threads, runMs, log) : undefined;
  // What the cores give at once, for a network whose threaded run uses the threads: sampled before
  // its rounds and after each, like the kernel alone; undefined if a sample fails (the rounds'
  // share of the cores at once is then not given).
  const atOnce = typeof cores === 'object' ? () => coresAtOnce(KERNEL_ALONE, cores.cpus, runMs / 4).then(total, () => undefined) : undefined;
  const torch = torchAvailable();
  if (torch !== true) log(`PyTorch: not measured (${torch})`);
  const cases: TrainingResult[] = [];
  for (const c of CASES) {
    const net = makeNetwork(c);
    const data = makeData(c);
    const model = () => new TfModel(c, net, data);
    const engines: Engine[] = [
      engineOf(c, net, data),
      ...(c.float32 ? [engineOf(c, net, data, 1, 'float32')] : []),
      ...(threads > 1 ? [engineOf(c, net, data, threads)] : []),
      tfEngine('cpu', model),
      tfEngine('wasm', model),
    ];
    if (torch === true) engines.push(torchEngine(c, net, data, 'float64'), torchEngine(c, net, data, 'float32'));

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
    if (c.float32) {
      // The engine's own float32 run (`precision float32`), held to the same bound; the f32x4 kernel alone, once.
      const ours32 = batchGradient(net, data.slice(0, c.batch), 'float32');
      gradientCheck['netspec-f32'] = Math.max(...[...ours32.layers.map((l) => l.dW), ...ours32.layers.map((l) => l.db)].map((g, i) => relativeError(g, ref[i])));
      if (gradientCheck['netspec-f32'] > 1e-4) throw new Error(`${c.id}: netspec's float32 run computes other gradients (relative error ${gradientCheck['netspec-f32']})`);
    }
    for (const e of engines) {
      if (!e.gradients) continue;
      const theirs = await e.gradients();
      gradientCheck[e.name] = Math.max(...theirs.map((g, i) => relativeError(g, ref[i])));
      if (gradientCheck[e.name] > 1e-4) throw new Error(`${c.id}: ${e.name} computes other gradients (relative error ${gradientCheck[e.name]})`);
    }

    // A network whose products are all small starts no thread: its warm-up timed nothing in parts.
    let threaded = false;
    for (const e of engines) {
      await e.prepare();
      const { busyMs } = await e.run(warmupMs);
      if (busyMs?.some((b) => b > 0)) threaded = true;
    }
    let atOnceBefore = threaded ? await atOnce?.() : undefined;
    const rates: Record<string, number[]> = {};
    const ceilings: KernelSample[] = [];
    const atOnceCeilings: number[] = [];
    const cpuRates: Record<string, number[]> = {};
    const busy: Record<string, { steps: number; ms: number; busyMs: number[] }[]> = {};
    for (let r = 0; r < repeats; r++) {
      for (const e of engines) {
        await e.prepare();
        const { steps, ms, cpuMs, busyMs } = await e.run(runMs);
        if (busyMs) (busy[e.name] ??= []).push({ steps, ms, busyMs });
        (rates[e.name] ??= []).push((steps / ms) * 1000);
        (cpuRates[e.name] ??= []).push((steps / cpuMs) * 1000);
      }
      const after = sample(c.float32 === true);
      ceilings.push(better(before, after));
      before = after;
      if (atOnceBefore !== undefined) {
        const at = await atOnce?.();
        if (at !== undefined) atOnceCeilings.push(Math.max(atOnceBefore, at));
        atOnceBefore = at;
      }
      log(`${c.id}: repeat ${r + 1}/${repeats}`);
    }
    const flops = stepFlops(c);
    const result: TrainingResult = { id: c.id, title: c.title, flopsPerStep: flops, gradientCheck, engines: {}, ratios: {} };
    for (const [name, xs] of Object.entries(rates)) {
      const s = summary(xs);
      result.engines[name] = { stepsPerSecond: s, gflops: (s.median * flops) / 1e9, stepsPerCpuSecond: summary(cpuRates[name]).median };
    }
    for (const own of engines.map((e) => e.name).filter((n) => n.startsWith('netspec'))) {
      // each engine of ours against every peer, and the float32 and threaded runs against the
      // one-thread float64 one too (their speed-up), never the reverse
      for (const peer of engines.map((e) => e.name).filter((n) => n !== own && (!n.startsWith('netspec') || (n === 'netspec' && own !== 'netspec')))) {
        // the ratio of each interleaved repeat, then their median and range
        result.ratios[`${own}/${peer}`] = summary(rates[own].map((v, i) => v / rates[peer][i]));
      }
    }
    // GFLOP/s of an engine in round i over that round's ceiling; the median of the rounds.
    const share = (name: string, of: (k: KernelSample) => number | undefined, cores = 1) => {
      const xs = (rates[name] ?? []).flatMap((v, i) => {
        const k = of(ceilings[i]);
        return k ? [(v * flops) / 1e9 / (cores * k)] : [];
      });
      return xs.length ? summary(xs).median : undefined;
    };
    result.kernelShare = share('netspec', (k) => k.f64);
    result.kernelShare32 = share('netspec-f32', (k) => k.f32);
    if (threads > 1) {
      result.threadedKernelShare = share(`netspec-${threads}t`, (k) => k.f64, threads);
      if (atOnceCeilings.length === repeats) result.threadedCoresShare = summary(rates[`netspec-${threads}t`].map((v, i) => (v * flops) / 1e9 / atOnceCeilings[i])).median;
      const runs = busy[`netspec-${threads}t`] ?? [];
      if (runs.length === repeats && runs.every((r) => r.busyMs.some((b) => b > 0))) {
        result.threadedBusy = {
          busy: Array.from({ length: threads }, (_, g) => summary(runs.map((r) => r.busyMs[g] / r.ms)).median),
          speed: summary(runs.map((r, i) => (r.steps * flops) / 1e9 / (total(r.busyMs) / 1000) / ceilings[i].f64)).median,
        };
      }
      log(`${c.id}: timing the parts of a step on ${threads} threads, each alone…`);
      const parts = withThreads(threads, () => stepParts(c, net, data));
      const after = sample(false);
      const kernel = better(before, after).f64;
      before = after;
      if (parts) {
        const us = parts.reduce((sum, p) => sum + p.us, 0);
        result.threadedParts = { parts, us, shareBound: flops / (us / 1e6) / 1e9 / (threads * kernel) };
      }
    }
    for (const e of engines) e.close?.();
    cases.push(result);
  }
  const f32 = samples.flatMap((k) => (k.f32 ? [k.f32] : []));
  const threadedSamples = samples.filter((k) => k.threaded !== undefined);
  return {
    kernels: kernelBackend(),
    kernelGflops: summary(samples.map((k) => k.f64)),
    ...(f32.length && { kernels32: kernelBackend('float32'), kernelGflops32: summary(f32).median }),
    threads,
    ...(threadedSamples.length && {
      threadedKernelGflops: summary(threadedSamples.map((k) => k.threaded!)).median,
      threadedKernelShare: summary(threadedSamples.map((k) => k.threaded! / (threads * k.f64))).median,
    }),
    ...(cores !== undefined && { cores: typeof cores === 'string' ? cores : await coreKernelsAgain(cores, runMs, log) }),
    torch: torch === true ? 'Debian python3-torch, one thread' : torch,
    cases,
  };
}

/** The kernel alone in a process of its own (kernel-alone.ts), bundled beside this one by bench/run.js. */
const KERNEL_ALONE = path.join(__dirname, 'kernelAlone.js');

const total = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0);

/**
 * The kernel on each of the first `threads` cores alone and on them all at once (cores.ts), or
 * why it cannot be.
 */
async function sampleCores(threads: number, ms: number, log: (s: string) => void): Promise<CoreKernels | string> {
  const cpus = pinnableCores();
  if (typeof cpus === 'string') return cpus;
  if (cpus.length < threads) return `${threads} threads but ${cpus.length} core(s) to pin them to`;
  log('kernel: timing it on each core alone, then on all at once…');
  // A machine that will not pin a process (a container's seccomp, say) loses this line, not the section.
  return coreKernels(KERNEL_ALONE, cpus.slice(0, threads), ms / 2).catch((err: Error) => `pinning failed: ${err.message}`);
}

/** The same cores again (the end of the section); the first sample alone if that fails. */
async function coreKernelsAgain(first: CoreKernels, ms: number, log: (s: string) => void): Promise<CoreKernels[]> {
  log('kernel: timing it on each core alone, then on all at once, again…');
  return coreKernels(KERNEL_ALONE, first.cpus, ms / 2).then((again) => [first, again], () => [first]);
}

/** The kernel's GFLOP/s alone (kernel.ts) at one time: float64 on one core, on the threads, and float32 when asked. */
interface KernelSample {
  f64: number;
  threaded?: number;
  f32?: number;
}

/** One sample of each kernel, each size timed for about `ms` milliseconds. */
function sampleKernels(ms: number, threads: number, float32: boolean): KernelSample {
  return {
    f64: kernelGflops(ms),
    ...(threads > 1 && { threaded: withThreads(threads, () => kernelGflops(ms, 'float64', true)) }),
    ...(float32 && { f32: kernelGflops(ms, 'float32') }),
  };
}

/** The higher of two samples, kernel by kernel (the ceiling of the round between them). */
function better(a: KernelSample, b: KernelSample): KernelSample {
  const max = (x?: number, y?: number) => (x === undefined ? y : y === undefined ? x : Math.max(x, y));
  return { f64: Math.max(a.f64, b.f64), threaded: max(a.threaded, b.threaded), f32: max(a.f32, b.f32) };
}

/**
 * The kernel on each core alone and on all at once (`cores`), against threads × the one-core
 * median the shares divide by: the share a threaded run would reach with every product at the
 * kernel's speed on cores that work as they do at once.
 */
function coresLine(r: TrainingBench): string[] {
  if (r.cores === undefined) return [];
  if (typeof r.cores === 'string') return [`The kernel on each core alone and on all at once: not measured (${r.cores}).`];
  const g = (x: number) => x.toFixed(2);
  const samples = r.cores.map((k) => {
    const sum = total(k.together);
    return `${k.cpus.map((c, i) => `core ${c} alone ${g(k.alone[i])}`).join(', ')}, all at once ${k.together.map(g).join(' + ')} = ${g(sum)} GFLOP/s (${((100 * sum) / (r.threads * r.kernelGflops.median)).toFixed(0)} % of ${r.threads} × the one-core median)`;
  });
  return [`The kernel pinned to cores (taskset; large products, each core its own), ${r.cores.length > 1 ? 'before the runs and after them' : 'before the runs'}: ${samples.join('; then ')}. A threaded run's share cannot pass what its cores give at once, whatever its threads do.`];
}

export function trainingTable(r: TrainingBench): string {
  const n = (x: number) => (x >= 1000 ? Math.round(x).toLocaleString('en-US') : x >= 10 ? x.toFixed(0) : x.toFixed(1));
  const g = (x: number) => (x >= 1 ? x.toFixed(2) : x.toPrecision(2));
  const out = [
    `Engine kernels: ${r.kernels}; the kernel alone on large products (64–256): ${g(r.kernelGflops.median)} GFLOP/s on one core (the median of ${r.kernelGflops.n} samples, one before the repeats, one after each round and one after each network's parts; ${g(r.kernelGflops.min)}–${g(r.kernelGflops.max)})${r.threadedKernelGflops !== undefined && r.threadedKernelShare !== undefined ? `, ${g(r.threadedKernelGflops)} GFLOP/s with each product cut between ${r.threads} threads (${(100 * r.threadedKernelShare).toFixed(0)} % of ${r.threads} × one core's)` : ''}. Each share below is the median over the rounds of the engine's GFLOP/s over the better of the kernel's samples either side of that round.`,
    ...(r.kernels32 && r.kernelGflops32 !== undefined ? [`With \`precision float32\` (netspec-f32): ${r.kernels32}; alone on large products: ${g(r.kernelGflops32)} GFLOP/s on one core.`] : []),
    ...coresLine(r),
    `PyTorch: ${r.torch}.`,
    '',
    '| network | engine | steps/s, median (min–max) | GFLOP/s | steps per CPU-second | gradient vs netspec (rel.) |',
    '| --- | --- | ---: | ---: | ---: | ---: |',
  ];
  for (const c of r.cases) {
    for (const [name, e] of Object.entries(c.engines)) {
      const s = e.stepsPerSecond;
      const check = name.startsWith('netspec') ? '—' : c.gradientCheck[name].toExponential(1);
      out.push(`| ${c.title} | ${name} | ${n(s.median)} (${n(s.min)}–${n(s.max)}) | ${g(e.gflops)} | ${n(e.stepsPerCpuSecond)} | ${check} |`);
    }
  }
  // One row per network and engine of ours, one column per peer (the one-thread float64 engine is one for the others).
  const split = (k: string) => k.split('/') as [string, string];
  const peers = [...new Set(r.cases.flatMap((c) => Object.keys(c.ratios).map((k) => split(k)[1])))];
  out.push('', `| network | engine | ${peers.map((p) => `÷ ${p}, median (min–max)`).join(' | ')} | share of the kernel's GFLOP/s (× threads) | FLOP per step |`, `| --- | --- |${' ---: |'.repeat(peers.length + 2)}`);
  const pct = (x: number | undefined) => (x !== undefined ? `${(100 * x).toFixed(0)} %` : '—');
  for (const c of r.cases) {
    const f = (s: { median: number; min: number; max: number } | undefined) => (s ? `${s.median.toFixed(1)}× (${s.min.toFixed(1)}–${s.max.toFixed(1)})` : '—');
    for (const own of Object.keys(c.engines).filter((n) => n.startsWith('netspec'))) {
      const share = own === 'netspec' ? c.kernelShare : own === 'netspec-f32' ? c.kernelShare32 : c.threadedKernelShare;
      out.push(`| ${c.title} | ${own} | ${peers.map((p) => f(c.ratios[`${own}/${p}`])).join(' | ')} | ${pct(share)} | ${c.flopsPerStep.toLocaleString('en-US')} |`);
    }
  }
  for (const c of r.cases) {
    const p = c.threadedParts;
    if (!p) continue;
    out.push('', `The parts of a step of ${c.title} on ${r.threads} threads, each timed alone (bench/parts.ts), µs: ${p.parts.map((x) => `${x.name} ${x.us.toFixed(1)}`).join('; ')}. In all ${p.us.toFixed(0)} µs: a step that took only these would reach ${(100 * p.shareBound).toFixed(0)} % of ${r.threads} × the kernel's GFLOP/s, the most the share can be while each part takes what it takes alone (each waits for the one before).`);
  }
  for (const c of r.cases) {
    if (c.threadedCoresShare !== undefined) out.push('', `netspec-${r.threads}t on ${c.title} reached ${pct(c.threadedCoresShare)} of what its ${r.threads} cores gave the kernel at once (each core its own large product, pinned, sampled after each round; the median over the rounds), where its share above divides by ${r.threads} × one core's alone.`);
    const b = c.threadedBusy;
    if (!b) continue;
    out.push('', `In the repeats of netspec-${r.threads}t on ${c.title}, its threads were inside their parts of the threads' tasks ${b.busy.map(pct).join(', ')} of the time (the run's thread first; the rest is waiting for a task or for another thread's last part, and the run's thread working alone), and computed there at ${pct(b.speed)} of the kernel's one-core GFLOP/s: the share is the mean of the first times the second.`);
  }
  const threaded = r.threads > 1 ? ` netspec-${r.threads}t is the engine on ${r.threads} threads (NETSPEC_THREADS, default one per core): its products of at least ${threadSettings().minWork.toLocaleString('en-US')} multiply-adds cut between the threads, bit for bit the one-thread results; its share is of ${r.threads} × the kernel's one-core GFLOP/s.` : ' The engine ran on one thread only (NETSPEC_THREADS=1, or one core).';
  out.push('', `Steps/s and the ratios are wall-clock, from interleaved repeats (each engine in turn). Steps per CPU-second divide by the time the engine process (for PyTorch, its python process) was on a core, which discounts other load on a shared machine. PyTorch runs one thread; netspec runs one thread.${threaded}`);
  return out.join('\n');
}
