/**
 * `standardize`: the engine's input transform (forward, probe, the batch kernels, the Trainer),
 * the statistics the checker gives a network trained on a standardizing data set, what a CSV file
 * changes, the hovers, and the incremental analysis after edits that change the statistics.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { analyze } from '../../server/src/analysis/analyze';
import { fingerprint } from '../../server/src/analysis/fingerprint';
import { formatNumber } from '../../server/src/analysis/format';
import { hoverAt } from '../../server/src/analysis/hover';
import { IncrementalAnalyzer } from '../../server/src/analysis/incremental';
import { rename } from '../../server/src/analysis/rename';
import { buildNetwork, builtinActivation, forward, predict, probe, standardization, type Network } from '../../server/src/engine/network';
import { batchGradient, splitIndices, train } from '../../server/src/engine/train';
import { prepareJob, RunProblem } from '../../server/src/runs/jobs';
import { diskFiles } from '../../server/src/runs/files-node';
import { SeededRandom } from '../support/random';

/** A small network with fixed weights, and an input standardization when `s` is given. */
function network(s?: { mean: number[]; std: number[] }): Network {
  const net = buildNetwork('n', 2, [
    { name: 'h', units: 3, activation: builtinActivation('tanh')!, hasBias: true },
    { name: 'y', units: 1, activation: builtinActivation('linear')!, hasBias: true },
  ], 'squared_error', { scheme: 'xavier', seed: 5 });
  if (s) net.standardize = s;
  return net;
}

const S = { mean: [120, -0.5], std: [35, 0.01] };
const scaled = (x: readonly number[]) => x.map((v, j) => (v - S.mean[j]) / S.std[j]);

test('standardization: the mean and population std of each input over the given rows; a std of 0 is 1', () => {
  const rows = [[1, 5], [3, 5], [8, 5], [100, 5]];
  const s = standardization(rows, [0, 1, 2]);
  assert.deepEqual(s.mean, [4, 5]);
  assert.equal(s.std[0], Math.sqrt(((1 - 4) ** 2 + (3 - 4) ** 2 + (8 - 4) ** 2) / 3));
  assert.equal(s.std[1], 1, 'a constant input is centred, not divided by 0');
  assert.deepEqual(standardization(rows).mean, [28, 5], 'all rows by default');
  assert.throws(() => standardization(rows, []), RangeError);
});

test('a standardizing network is the plain network of (x − mean) / std: forward, predict and probe, bit for bit', () => {
  const rng = new SeededRandom(3);
  const withS = network(S);
  const plain = network();
  for (let i = 0; i < 20; i++) {
    const x = [120 + 50 * rng.uniform(-1, 1), -0.5 + 0.02 * rng.uniform(-1, 1)];
    assert.deepEqual(predict(withS, x), predict(plain, scaled(x)));
    assert.deepEqual(probe(withS, x, [0.3]), probe(plain, scaled(x), [0.3]));
    assert.deepEqual(Array.from(forward(withS, x)[0].x), scaled(x), 'the first layer sees the standardized input');
  }
});

test('the batch kernels and the Trainer standardize exactly as probe does', () => {
  const rng = new SeededRandom(8);
  const samples = Array.from({ length: 13 }, () => {
    const input = [120 + 50 * rng.uniform(-1, 1), -0.5 + 0.02 * rng.uniform(-1, 1)];
    return { input, target: [Math.sin(input[0] / 30) + 100 * input[1]] };
  });
  const pre = samples.map((s) => ({ input: scaled(s.input), target: s.target }));
  assert.deepEqual(batchGradient(network(S), samples), batchGradient(network(), pre));
  const options = { optimizer: { kind: 'adam' as const, beta1: 0.9, beta2: 0.999 }, learningRate: 0.02, epochs: 30, batch: 4, seed: 2, split: 0.7 };
  const a = train(network(S), samples, options);
  const b = train(network(), pre, options);
  assert.deepEqual(a.loss, b.loss);
  assert.deepEqual(a.network.layers.map((l) => Array.from(l.W)), b.network.layers.map((l) => Array.from(l.W)));
  assert.deepEqual(a.network.standardize, S, 'the trained network keeps its standardization');
});

const SPEC = (data: string, trainOptions = 'split 0.6\n  seed 2') => `${data}
network net {
  input x[2]
  dense h[3] tanh
  dense y[1] linear
  init xavier seed 1
}
train net on d {
  ${trainOptions}
}
probe net [150, -0.49] -> [1]
eval net([150, -0.49])
`;
const INLINE = 'data d {\n  [100, -0.5] -> [1]\n  [140, -0.48] -> [2]\n  [90, -0.52] -> [0]\n  [170, -0.51] -> [1]\n  [130, -0.5] -> [3]\n} standardize';
const INLINE_INPUTS = [[100, -0.5], [140, -0.48], [90, -0.52], [170, -0.51], [130, -0.5]];

test('a network trained first on a standardizing data set carries the statistics of the training part, at check time', () => {
  const a = analyze(SPEC(INLINE));
  assert.deepEqual(a.diagnostics.filter((d) => d.severity === 'error'), []);
  const info = a.program.networks.get('net')!;
  const rows = splitIndices(5, 0.6, 2).train;
  assert.equal(rows.length, 3);
  const mean = [0, 1].map((j) => rows.reduce((s, i) => s + INLINE_INPUTS[i][j], 0) / rows.length);
  const std = [0, 1].map((j) => Math.sqrt(rows.reduce((s, i) => s + (INLINE_INPUTS[i][j] - mean[j]) ** 2, 0) / rows.length));
  assert.deepEqual(info.standardization, { data: 'd', stats: { mean, std } });
  assert.deepEqual(info.network!.standardize, { mean, std });
  // Probes and evals of the network use them.
  const plain = analyze(SPEC(INLINE.replace('standardize', '')));
  const x = [150, -0.49].map((v, j) => (v - mean[j]) / std[j]);
  assert.deepEqual(a.probes[0].result, probe(plain.program.networks.get('net')!.network!, x, [1]));
  assert.deepEqual(a.evals[0].value, predict(plain.program.networks.get('net')!.network!, x));
  assert.equal(plain.program.networks.get('net')!.standardization, undefined);
  // Generated and function data: the same rule.
  const gen = analyze(SPEC('data d = function(x1 + x2, n: 16, from: 10, to: 20) standardize', 'seed 2'));
  const grid = [10, 10 + 10 / 3, 10 + 20 / 3, 20];
  const gmean = grid.reduce((s, v) => s + v, 0) / 4;
  const got = gen.program.networks.get('net')!.network!.standardize!;
  assert.ok(Math.abs(got.mean[0] - gmean) < 1e-12 && Math.abs(got.mean[1] - gmean) < 1e-12, JSON.stringify(got));
});

test('the hovers show the standardization: the data set (per input: mean, std) and the network', () => {
  const text = SPEC(INLINE);
  const a = analyze(text);
  const data = hoverAt(a, text.indexOf('d {'))!.markdown;
  assert.match(data, /\*\*data d\*\* · 5 samples · 2 inputs → 1 target/);
  assert.match(data, /`standardize`: each input becomes \(x − mean\) \/ std/);
  const s = a.program.networks.get('net')!.network!.standardize!;
  assert.ok(data.includes(`| x₁ | ${formatNumber(s.mean[0])} | ${formatNumber(s.std[0])} |`), data);
  assert.ok(data.includes(`| x₂ | ${formatNumber(s.mean[1])} | ${formatNumber(s.std[1])} |`), data);
  assert.match(hoverAt(a, text.indexOf('net {'))!.markdown, /`net` standardizes its inputs \(statistics of `d`\)/);
  assert.match(hoverAt(a, text.indexOf('on d') + 3)!.markdown, /\*\*data d\*\*/, 'the data set in a train statement');
  const fn = 'data d = function(tanh(x), n: 50, from: -3, to: 3, noise: 0.05, seed: 1)';
  const f = analyze(fn);
  assert.equal(hoverAt(f, 5)!.markdown, '**data d** · 50 samples · 1 input → 1 target\n\nx: 50 evenly spaced points from -3 to 3 · target = `tanh(x)` + 0.05·N(0, 1) (seed 1)');
});

test('a second train statement on another data set is told that the first one decides the standardization', () => {
  const text = `${SPEC(INLINE)}data e { [1, 2] -> [3] }\ntrain net on e {}\n`;
  const a = analyze(text);
  const w = a.diagnostics.filter((d) => d.code === 'standardize');
  assert.equal(w.length, 1, JSON.stringify(a.diagnostics));
  assert.equal(w[0].severity, 'warning');
  assert.equal(text.slice(w[0].span.start, w[0].span.end), 'e');
  assert.match(w[0].message, /first `train` statement says \(on `d`\): with the mean and std of `d`/);
  assert.ok(a.program.networks.get('net')!.network!.standardize, 'still standardized by d');
  // Not for two runs on the same data set, nor when neither standardizes.
  assert.equal(analyze(`${SPEC(INLINE)}train net on d {}\n`).diagnostics.filter((d) => d.code === 'standardize').length, 0);
  assert.equal(analyze(`${SPEC(INLINE.replace('standardize', ''))}data e { [1, 2] -> [3] }\ntrain net on e {}\n`).diagnostics.filter((d) => d.code === 'standardize').length, 0);
});

test('a CSV file: no statistics until a run reads it; the run computes them over its training part, and analyze applies a run\'s', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'netspec-standardize-'));
  try {
    const spec = path.join(dir, 's.netspec');
    const text = SPEC('data d from "p.csv" standardize');
    fs.writeFileSync(spec, text);
    fs.writeFileSync(path.join(dir, 'p.csv'), 'a,b,t\n' + INLINE_INPUTS.map((r, i) => `${r.join(',')},${i}`).join('\n') + '\n');
    const a = analyze(text);
    const info = a.program.networks.get('net')!;
    assert.deepEqual(info.standardization, { data: 'd', stats: undefined });
    assert.equal(info.network!.standardize, undefined, 'probes use the raw inputs until then');
    assert.match(hoverAt(a, text.indexOf('net {'))!.markdown, /a CSV file: its statistics are computed when a run reads it; until then probes and evals use the raw inputs/);
    const job = prepareJob(spec, a, a.program.trains[0], new Map(), diskFiles);
    const inline = analyze(SPEC(INLINE));
    assert.deepEqual(job.network.standardize, inline.program.networks.get('net')!.network!.standardize, 'the same statistics as the same samples inline');
    assert.equal(a.program.networks.get('net')!.network!.standardize, undefined, 'the checked program is left as it was');
    const trained = { definition: fingerprint(a.program.networks.get('net')!.network!), layers: job.network.layers.map((l) => ({ W: l.W, b: l.b })), standardize: job.network.standardize };
    const after = analyze(text, { trained: new Map([['net', trained]]) });
    assert.deepEqual(after.probes[0].result, inline.probes[0].result, 'after a run, probes use the run\'s statistics');
    // A second train statement on another data set needs the CSV's statistics: it says which run gives them.
    const two = `${text}data e { [1, 2] -> [3] }\ntrain net on e {}\n`;
    const b = analyze(two);
    assert.throws(() => prepareJob(spec, b, b.program.trains[1], new Map(), diskFiles), (err: Error) => err instanceof RunProblem && /standardizes its inputs with the statistics of `d`, a CSV file read only by its own `train` statement; run that one first/.test(err.message));
    const trainedB = analyze(two, { trained: new Map([['net', trained]]) });
    assert.deepEqual(prepareJob(spec, trainedB, trainedB.program.trains[1], new Map(), diskFiles).network.standardize, trained.standardize, 'after that run, the second one uses its statistics');
    // The CLI prepares every run in file order with one cache: the second run gets the first's statistics.
    const cache = new Map();
    prepareJob(spec, b, b.program.trains[0], cache, diskFiles);
    assert.deepEqual(prepareJob(spec, b, b.program.trains[1], cache, diskFiles).network.standardize, trained.standardize);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('the incremental analysis equals a fresh one through edits that change, add and remove the statistics', () => {
  const steps = [
    SPEC(INLINE),
    SPEC(INLINE.replace('[170, -0.51]', '[190, -0.51]')),
    SPEC(INLINE.replace('[170, -0.51]', '[190, -0.51]'), 'split 0.8\n  seed 2'),
    SPEC(INLINE.replace('standardize', '')),
    SPEC(INLINE),
    SPEC('data d = function(x1 * x2, n: 9, from: 0, to: 4) standardize'),
    SPEC('data d = function(x1 * x2, n: 9, from: 0, to: 5) standardize'),
    SPEC('data d = function(x1 * x2, n: 9, from: 0, to: 5) standardize') + 'let unrelated = 1\n',
  ];
  const inc = new IncrementalAnalyzer();
  for (const [i, text] of steps.entries()) {
    const got = inc.analyze(text);
    const want = analyze(text);
    assert.deepEqual(got.probes.map((p) => p.result), want.probes.map((p) => p.result), `step ${i}: probes`);
    assert.deepEqual(got.evals.map((e) => e.value), want.evals.map((e) => e.value), `step ${i}: evals`);
    assert.deepEqual(got.program.networks.get('net')!.standardization, want.program.networks.get('net')!.standardization, `step ${i}`);
    assert.deepEqual(got.diagnostics, want.diagnostics, `step ${i}: diagnostics`);
  }
  // An edit elsewhere keeps the network (and what depends on it) as it was.
  const last = steps[steps.length - 1];
  const again = new IncrementalAnalyzer();
  const a = again.analyze(last);
  const b = again.analyze(last + 'let another = 2\n');
  assert.equal(b.program.networks.get('net'), a.program.networks.get('net'));
});

test('the hover on x (or x1, x2) in function(…) names the input it stands for, even where a let has its name', () => {
  const text = 'let x = 5\ndata d = function(x * 2, from: 0, to: 4)\ndata e = function(x1 - x2)\n';
  const a = analyze(text);
  assert.equal(hoverAt(a, text.indexOf('x * 2'))!.markdown, '`x`: the input of the data set `d`, from 0 to 4');
  assert.equal(hoverAt(a, text.indexOf('x2'))!.markdown, '`x2`: input 2 of 2 of the data set `e`, from -1 to 1');
  assert.match(hoverAt(a, text.indexOf('x ='))!.markdown, /let x/, 'the let itself is still the let');
});

test('renaming a let named like function(…)\'s input leaves the input alone', () => {
  const text = 'let x = 5\neval x + 1\ndata d = function(x * 2)\n';
  const p = analyze(text).program;
  const edits = rename(p, text.indexOf('x'), 'y');
  assert.ok(Array.isArray(edits));
  assert.deepEqual(edits.map((e) => e.span.start), [text.indexOf('x'), text.indexOf('x + 1')]);
});
