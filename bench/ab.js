// `node bench/ab.js <commit> [--case mlp|tiny] [--precision float64|float32] [--optimizer sgd|momentum|adam] [--rounds N] [--ms M]`:
// the training speed of the engine at <commit> (A) against the work tree's (B), both loaded in one
// process and timed in interleaved rounds (A one thread, A all threads, B one thread, B all
// threads, again and again; float32 on one thread only, as the bench times it), so that the machine's slow and fast phases hit both alike. Prints each side's median steps/s
// and the median of the per-round ratios B ÷ A. On the shared 2-core machines here separate runs
// of `npm run bench` differ by ±20 % with the engine unchanged; this differs by about ±3 % between
// two builds of the same commit, so it can tell a 5 % change. A benchmark, not a test.
'use strict';

const esbuild = require('esbuild');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { execFileSync } = require('node:child_process');

const ROOT = path.resolve(__dirname, '..');
const args = process.argv.slice(2);
const option = (/** @type {string} */ name, /** @type {string} */ fallback) => {
  const i = args.indexOf(name);
  return i >= 0 && args[i + 1] !== undefined ? args[i + 1] : fallback;
};
const commit = args.find((a, i) => !a.startsWith('--') && !(i > 0 && args[i - 1].startsWith('--')));
const caseId = option('--case', 'mlp');
const precision = option('--precision', 'float64');
const optimizer = option('--optimizer', 'sgd');
const rounds = Number(option('--rounds', '30'));
const ms = Number(option('--ms', '200'));
if (!commit || (precision !== 'float64' && precision !== 'float32') || !['sgd', 'momentum', 'adam'].includes(optimizer)) {
  console.error('usage: node bench/ab.js <commit> [--case mlp|tiny] [--precision float64|float32] [--optimizer sgd|momentum|adam] [--rounds N] [--ms M]');
  process.exit(2);
}

/**
 * The trainer of a case on n threads, from one side's sources (its engine and bench/cases.ts):
 * the bench's own (sgd), or the same network, data, batch and rate with momentum 0.9 or Adam
 * (0.9, 0.999), which the bench does not time. Those are made here rather than in steps.ts, so
 * that a commit whose steps.ts knows only sgd can be timed with them too.
 */
const ENTRY = `
import * as path from 'node:path';
import { CASES, makeData, makeNetwork } from './bench/cases';
import { trainerSteps, timedSteps } from './bench/steps';
import { Trainer } from './server/src/engine/train';
import { setThreads, threadSettings } from './server/src/engine/kernels/parallel';
import { useNodeThreads } from './server/src/runs/threads-node';
const OPTIMIZERS = { momentum: { kind: 'momentum', momentum: 0.9 }, adam: { kind: 'adam', beta1: 0.9, beta2: 0.999 } } as const;
function otherSteps(c: any, net: any, data: any, precision: 'float64' | 'float32', optimizer: 'momentum' | 'adam') {
  const start = () => new Trainer(net, data, { batch: c.batch, epochs: 1e9, learningRate: c.lr, optimizer: OPTIMIZERS[optimizer], precision });
  let t = start();
  return { epoch() { if (t.done) t = start(); return t.runEpoch().steps; } };
}
export function setup(id: string, precision: 'float64' | 'float32', optimizer: 'sgd' | 'momentum' | 'adam') {
  const threads = useNodeThreads(process.env.NETSPEC_THREADS, path.join(__dirname, 'productWorker.js'));
  const c = CASES.find((x) => x.id === id);
  if (!c) throw new Error('no bench case ' + id);
  const net = makeNetwork(c);
  const data = makeData(c);
  const make = (n: number) => {
    const s = threadSettings();
    setThreads({ ...s, threads: n });
    const t = optimizer === 'sgd' ? trainerSteps(c, net, data, precision) : otherSteps(c, net, data, precision, optimizer);
    setThreads(s);
    return t;
  };
  return { make, threads, timedSteps };
}
`;

/**
 * What a side's bundle exports: its trainer of the case on n threads, its thread count and its timer.
 * @typedef {{ make(n: number): { epoch(): number }, threads: number, timedSteps(ms: number, chunk: () => number): { steps: number, ms: number } }} Side
 */

/**
 * Bundles one side (sources under `src`) into `out`: the entry above and the helper threads' script.
 * @param {string} src
 * @param {string} out
 * @returns {{ setup(id: string, precision: string, optimizer: string): Side }}
 */
function build(src, out) {
  for (const f of ['bench/cases.ts', 'bench/steps.ts', 'server/src/engine/kernels/parallel.ts', 'server/src/runs/threads-node.ts', 'server/src/server/productWorker.ts']) {
    if (!fs.existsSync(path.join(src, f))) throw new Error(`${f} is missing at ${src === ROOT ? 'the work tree' : commit}: this script compares commits that have the bench's shared cases`);
  }
  // The entry is given as text, resolved from `src`; packages, if any, from the work tree's node_modules.
  /** @type {import('esbuild').BuildOptions} */
  const common = { bundle: true, platform: 'node', target: 'node20', format: 'cjs', logLevel: 'warning', nodePaths: [path.join(ROOT, 'node_modules')] };
  esbuild.buildSync({ ...common, stdin: { contents: ENTRY, resolveDir: src, loader: 'ts', sourcefile: 'ab-entry.ts' }, outfile: path.join(out, 'side.js') });
  esbuild.buildSync({ ...common, entryPoints: [path.join(src, 'server/src/server/productWorker.ts')], outfile: path.join(out, 'productWorker.js') });
  return require(path.join(out, 'side.js'));
}

/** @param {number[]} xs */
function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'netspec-ab-'));
const tree = path.join(tmp, 'a');
execFileSync('git', ['worktree', 'add', '--detach', tree, commit], { cwd: ROOT, stdio: 'ignore' });
try {
  const A = build(tree, path.join(tmp, 'out-a')).setup(caseId, precision, optimizer);
  const B = build(ROOT, path.join(tmp, 'out-b')).setup(caseId, precision, optimizer);
  // The tiny network starts no thread (its products are all small), and the bench times float32
  // on one thread: one thread each.
  const threaded = caseId !== 'tiny' && precision === 'float64' && A.threads > 1;
  /** @type {{ name: string, trainer: { epoch(): number }, side: Side }[]} */
  const sides = [];
  for (const [letter, side] of /** @type {const} */ ([['A', A], ['B', B]])) {
    sides.push({ name: `${letter}, one thread`, trainer: side.make(1), side });
    if (threaded) sides.push({ name: `${letter}, ${side.threads} threads`, trainer: side.make(side.threads), side });
  }
  for (const { trainer, side } of sides) side.timedSteps(800, () => trainer.epoch());
  const rates = sides.map(() => /** @type {number[]} */ ([]));
  for (let r = 0; r < rounds; r++) {
    sides.forEach(({ trainer, side }, i) => {
      const x = side.timedSteps(ms, () => trainer.epoch());
      rates[i].push((x.steps / x.ms) * 1000);
    });
  }
  console.log(`${caseId}${precision === 'float32' ? ', float32' : ''}${optimizer === 'sgd' ? '' : `, ${optimizer}`}: A = ${commit}, B = the work tree; ${rounds} interleaved rounds of ${ms} ms each, ${os.availableParallelism?.() ?? os.cpus().length} cores, load average ${os.loadavg().map((x) => x.toFixed(2)).join(' ')} at the end`);
  sides.forEach(({ name }, i) => console.log(`${name.padEnd(18)} ${median(rates[i]).toFixed(0).padStart(9)} steps/s (median)`));
  const half = sides.length / 2;
  for (let i = 0; i < half; i++) {
    const ratio = median(rates[half + i].map((b, r) => b / rates[i][r]));
    console.log(`B ÷ A, ${sides[i].name.slice(3)}: ${ratio.toFixed(3)} (median of the per-round ratios)`);
  }
} finally {
  execFileSync('git', ['worktree', 'remove', '--force', tree], { cwd: ROOT, stdio: 'ignore' });
  fs.rmSync(tmp, { recursive: true, force: true });
}
process.exit(0);
