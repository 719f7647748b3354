/**
 * The PyTorch export against `netspec train --json`. Forty-eight random networks — every
 * optimiser (sgd, momentum, adam) × every loss × l2 on and off × full batch and seeded
 * mini-batches (some with a split), and across them l1, every schedule and early stopping — with built-in activations and user fns (through tanh,
 * softplus, max, abs, powers, lets, other fns), initialised every way, plus classification runs
 * on generated and CSV data, runs that standardize their inputs (function data of one and two
 * inputs, a CSV file) and a run that diverges, are written as one spec, trained by the CLI, exported one by one,
 * and run by Debian's python with torch (one interpreter for all). Every per-epoch loss, test
 * loss, learning rate, rmse, r2 and every trained weight must agree to 1e-9 relative; counts,
 * confusion matrices, accuracies and where early stopping ended exactly.
 * Then: --epochs, the checkpoint loads back, and every exported file passes py_compile.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { analyze } from '../../server/src/analysis/analyze';
import type { LossName } from '../../server/src/engine/losses';
import { Trainer } from '../../server/src/engine/train';
import { prepareJob } from '../../server/src/runs/jobs';
import { diskFiles } from '../../server/src/runs/files-node';
import { Discrepancies, PYTHON, randomTarget, requireTorch, runCli } from '../oracle/oracle';
import { seededRandom, SeededRandom } from '../support/random';
import { LAYER_ACTIVATIONS, ownOrderThenRest } from '../support/builtins';
import { drawNetwork, drawParameters, networkSource, outputForLoss, parseActivation, vectorSource, type LayerChoice } from '../support/networks';
import { compareRuns, exportAll, runPrograms } from './support';

const OPTIMIZERS = ['sgd', 'momentum', 'adam'] as const;
const LOSSES: readonly LossName[] = ['squared_error', 'mse', 'cross_entropy', 'binary_cross_entropy'];
/** Hidden activations: every layer activation of the engine's list and the user fns below, these first. */
const HIDDEN = ownOrderThenRest(['tanh', 'mish', 'relu', 'hinge', 'leaky_relu(0.2)', 'elu(0.7)', 'softplus', 'ratio', 'gelu', 'swish', 'half_mish', 'sigmoid', 'linear'], LAYER_ACTIVATIONS);
const INITS = ['', 'init xavier seed 11', 'init he seed 4', 'init uniform(-0.7, 0.7) seed 9'];

const FNS = `
let k = 0.25
fn mish(z) = z * tanh(softplus(z))
fn hinge(z) = max(z, 0.1 * z)
fn ratio(u) = u / (1 + abs(u)) + k * u ^ 2 - exp(-u ^ 2)
fn half_mish(z) = 0.5 * mish(z) + min(z, 0)
`;

interface Case {
  name: string;
  text: string;
  note: string;
}

/** A layer's activation and units: the output layer's by the loss, hidden ones from the cycle. */
function layerChoice(loss: LossName, output: boolean, hidden: () => string, rng: SeededRandom): LayerChoice {
  return output ? outputForLoss(loss, 3, rng) : parseActivation(hidden());
}

function generate(): Case[] {
  const rng = new SeededRandom(6060);
  const r4 = (x: number) => Math.round(x * 1e4) / 1e4;
  const cases: Case[] = [];
  let hiddenCycle = 0;
  const hidden = () => HIDDEN[hiddenCycle++ % HIDDEN.length];
  let n = 0;
  for (const opt of OPTIMIZERS) {
    for (const loss of LOSSES) {
      for (const l2 of [false, true]) {
        for (const mini of [false, true]) {
          const name = `n${n}`;
          const shape = drawNetwork(rng, {
            name,
            loss,
            inputs: [1, 3],
            depth: [1, 3],
            units: [1, 4],
            nobias: { hidden: 0.25, output: 0 },
            layer: ({ output }) => layerChoice(loss, output, hidden, rng),
          });
          // Every fourth network has explicit weights (uniform in ±1.2/√fan-in, biases in ±0.5),
          // the others an init line instead.
          const lines =
            n % 4 === 0
              ? networkSource(drawParameters(rng, shape, { W: (fanIn) => 1.2 / Math.sqrt(fanIn), b: 0.5 }))
              : networkSource(shape, n === 7 ? 'init zeros' : INITS[n % 4]);
          lines.push(`data d${name} {`);
          const K = shape.layers[shape.layers.length - 1].units;
          const count = rng.int(6, 13);
          for (let i = 0; i < count; i++) {
            const x = Array.from({ length: shape.inputs }, () => rng.uniform(-2, 2));
            lines.push(`  ${vectorSource(x)} -> ${vectorSource(randomTarget(loss, K, i, () => rng.next()))}`);
          }
          lines.push('}', `train ${name} on d${name} {`);
          const optimizer =
            opt === 'sgd' ? 'sgd'
            : opt === 'momentum' ? (n % 4 === 1 ? 'momentum' : `momentum(${r4(rng.uniform(0.5, 0.95))})`)
            : n % 4 === 2 ? 'adam' : `adam(${r4(rng.uniform(0.8, 0.95))}, ${r4(rng.uniform(0.99, 0.9999))})`;
          const lr = r4(opt === 'sgd' ? rng.uniform(0.05, 0.3) : opt === 'momentum' ? rng.uniform(0.02, 0.1) : rng.uniform(0.005, 0.03));
          lines.push(`  optimizer ${optimizer}`, `  learning_rate ${lr}`, `  epochs ${rng.int(12, 22)}`);
          if (mini) lines.push(`  batch ${rng.int(2, Math.floor(count / 2))}`, `  seed ${rng.int(0, 100000)}`);
          else if (n % 3 === 0) lines.push(`  batch ${count + 2}`);
          if (mini && n % 3 === 0) lines.push('  split 0.75');
          if (l2) lines.push(`  l2 ${r4(rng.uniform(0.001, 0.02))}`);
          // l1, the schedules and early stopping, chosen by n so that the draws above stay the same.
          const extra = [
            ...(n % 3 === 2 ? [`l1 ${[0.002, 0.02][n % 2]}`] : []),
            ...[[], ['schedule step(3, 0.5)'], ['schedule exponential(0.9)'], [`schedule cosine(${4 + (n % 5)})`]][n % 4],
            ...(n % 5 === 3 ? [`patience ${1 + (n % 2)}`] : []),
          ];
          lines.push(...extra.map((x) => `  ${x}`));
          lines.push('}', '');
          cases.push({ name, text: lines.join('\n'), note: `${optimizer} ${loss}${l2 ? ' l2' : ''} ${mini ? 'mini-batches' : 'full batch'}${extra.length ? ` ${extra.join(', ')}` : ''}` });
          n++;
        }
      }
    }
  }
  // Classification, so accuracies are reported: generated two-class data, and a CSV file.
  cases.push({
    name: 'moons_net',
    note: 'moons, bce, accuracy, split',
    text: `network moons_net {\n  input p[2]\n  dense h[5] tanh\n  dense y[1] sigmoid\n  loss binary_cross_entropy\n  init xavier seed 3\n}\ndata moons_data = moons(n: 30, noise: 0.1, seed: 4)\ntrain moons_net on moons_data {\n  optimizer adam\n  learning_rate 0.05\n  epochs 15\n  batch 7\n  seed 5\n  split 0.8\n}\n`,
  });
  cases.push({
    name: 'csv_net',
    note: 'CSV, softmax, argmax accuracy',
    text: `network csv_net {\n  input p[2]\n  dense h[4] mish\n  dense y[3] softmax\n  loss cross_entropy\n  init he seed 8\n}\ndata csv_data from "points.csv"\ntrain csv_net on csv_data {\n  optimizer momentum(0.8)\n  learning_rate 0.1\n  epochs 10\n  batch 4\n  seed 12\n}\n`,
  });
  // Input standardization (a fixed normalisation before the first layer): function data of one and
  // two inputs (statistics of the training part after a split), and a CSV file (read by the run).
  cases.push({
    name: 'std_fn',
    note: 'function(…) data, standardize, split',
    text: `network std_fn {\n  input x[1]\n  dense h[6] tanh\n  dense y[1] linear\n  init xavier seed 6\n}\ndata std_fn_data = function(exp(-x * x / 40) + k * x, n: 40, from: 5, to: 25, noise: 0.1, seed: 3) standardize\ntrain std_fn on std_fn_data {\n  optimizer adam\n  learning_rate 0.02\n  epochs 15\n  batch 8\n  seed 4\n  split 0.75\n}\n`,
  });
  cases.push({
    name: 'std_grid',
    note: 'two-input function(…) grid, standardize',
    text: `network std_grid {\n  input p[2]\n  dense h[4] softplus\n  dense y[1] linear\n  loss mse\n  init he seed 2\n}\ndata std_grid_data = function(tanh(x1 - x2 / 100), n: 30, from: -50, to: 250, noise: 0.02, seed: 8) standardize\ntrain std_grid on std_grid_data {\n  optimizer momentum(0.9)\n  learning_rate 0.05\n  epochs 12\n  batch 6\n  seed 9\n}\n`,
  });
  cases.push({
    name: 'std_csv',
    note: 'CSV, standardize',
    text: `network std_csv {\n  input p[2]\n  dense h[3] tanh\n  dense y[3] softmax\n  loss cross_entropy\n  init xavier seed 8\n}\ndata std_csv_data from "points.csv" standardize\ntrain std_csv on std_csv_data {\n  learning_rate 0.2\n  epochs 10\n  batch 5\n  seed 3\n  split 0.7\n}\n`,
  });
  // Layer names Python or torch.nn.Module would not take as attributes, and a softmax hidden layer.
  cases.push({
    name: 'names',
    note: 'awkward layer names, softmax hidden layer',
    text: `network names {\n  input x[2]\n  dense forward[3] softmax\n  dense lambda[2] elu nobias\n  dense layer_forward[2] hinge\n  dense dense_layers[1] tanh\n  init xavier seed 21\n}\ndata dnames { [1, 0] -> [0.5]  [0, 1] -> [-0.5]  [1, 1] -> [0.2]  [-1, 0.5] -> [0.1]  [0.3, -2] -> [-0.7] }\ntrain names on dnames {\n  optimizer adam\n  learning_rate 0.05\n  epochs 15\n  batch 2\n  seed 8\n}\n`,
  });
  // A run that diverges: it stops at the same step, with the same (infinite) loss.
  cases.push({
    name: 'diverging',
    note: 'divergence',
    text: `network diverging {\n  input x[1]\n  dense h[3] relu\n  dense y[1] linear\n  loss mse\n  init uniform(-1, 1) seed 2\n}\ndata ddiverging { [1] -> [2]  [2] -> [3]  [3] -> [-1]  [-2] -> [4] }\ntrain diverging on ddiverging {\n  learning_rate 3\n  epochs 50\n  batch 3\n  seed 1\n}\n`,
  });
  // Derived input features (x1 * x2, sin, a let, a user fn), standardized first, with a split and a schedule.
  cases.push({
    name: 'featured',
    note: 'derived input features, standardize, l1, cosine schedule',
    text: `network featured {\n  input x[2] features [x1, x2, x1 * x2, sin(x1), k * x2 ^ 2, mish(x1 - x2), 1]\n  dense h[4] tanh\n  dense y[1] sigmoid\n  loss binary_cross_entropy\n  init xavier seed 13\n}\ndata featured_data = circle(n: 40, noise: 0.1, seed: 6) standardize\ntrain featured on featured_data {\n  optimizer adam\n  learning_rate 0.05\n  epochs 14\n  batch 6\n  seed 2\n  split 0.8\n  l1 0.001\n  schedule cosine(10)\n}\n`,
  });
  return cases;
}


function csv(): string {
  const rand = seededRandom(99);
  const rows = ['x1,x2,a,b,c'];
  for (let i = 0; i < 11; i++) {
    const c = i % 3;
    rows.push([(c - 1) + (rand() - 0.5), (c === 1 ? 1 : -1) + (rand() - 0.5), c === 0 ? 1 : 0, c === 1 ? 1 : 0, c === 2 ? 1 : 0].join(','));
  }
  return rows.join('\n') + '\n';
}

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'netspec-export-'));
const CASES = generate();
const spec = path.join(tmp, 'random.netspec');
fs.writeFileSync(spec, FNS + '\n' + CASES.map((c) => `# ${c.note}\n${c.text}`).join('\n'));
fs.writeFileSync(path.join(tmp, 'points.csv'), csv());

test('exported programs reproduce netspec train --json to 1e-9: every optimiser, loss, l2, batching, init, user fns', () => {
  requireTorch();
  assert.equal(CASES.length, 56);
  for (const act of HIDDEN) assert.ok(CASES.some((c) => c.text.split('\n').some((l) => l.startsWith('  dense h') && l.split(' ').includes(act))), `no network has a hidden ${act} layer`);
  const cli = runCli(['train', spec, '--json']);
  assert.equal(cli.status, 0, cli.stderr);
  const want = cli.json.runs;
  assert.equal(want.length, CASES.length);

  const exported = exportAll(spec, fs.readFileSync(spec, 'utf8'));
  const scripts = exported.map((e, i) => {
    assert.equal(e.network, CASES[i].name);
    // A standardizing run normalises before its first layer, and only such a run.
    assert.equal(e.source.includes('x = (x - self.input_mean) / self.input_std'), CASES[i].name.startsWith('std_') || CASES[i].name === 'featured', CASES[i].name);
    // Derived features are computed in torch from the input's columns, and only where the network has them.
    assert.equal(e.source.includes('inputs[:, 0] * inputs[:, 1],  # x1 * x2'), CASES[i].name === 'featured', CASES[i].name);
    const script = path.join(tmp, `${e.network}.py`);
    fs.writeFileSync(script, e.source);
    return script;
  });
  const checkpoints = new Set([3, 44]);
  const results = runPrograms(scripts.map((script, i) => {
    const checkpoint = checkpoints.has(i) ? path.join(tmp, `${CASES[i].name}.pt`) : '';
    return { script, args: ['--json', '--checkpoint', checkpoint], checkpoint: checkpoint || undefined };
  }));

  const found = new Discrepancies();
  let mini = 0;
  let split = 0;
  let classified = 0;
  let diverged = 0;
  let stopped = 0;
  const metrics = { classes: 0, regression: 0, test: 0 };
  results.forEach((r, i) => {
    const what = `${CASES[i].name} (${CASES[i].note})`;
    assert.equal(r.json.file, spec);
    assert.equal(r.json.runs.length, 1);
    const run = r.json.runs[0];
    compareRuns(found, what, run, want[i]);
    if (want[i].steps > want[i].epochs) mini++;
    if (want[i].test_samples > 0) split++;
    if (want[i].epoch_accuracy) classified++;
    if (want[i].diverged) diverged++;
    if (want[i].stopped_early) stopped++;
    if (want[i].confusion) metrics.classes++;
    if (want[i].rmse !== undefined) metrics.regression++;
    if (want[i].test) metrics.test++;
    if (r.checkpoint) {
      // Loaded back into a fresh Model: the trained parameters, exactly.
      assert.equal(r.checkpoint.epochs, run.epochs);
      for (const [name, layer] of Object.entries(run.layers)) {
        assert.deepEqual(r.checkpoint.layers[name], layer, `${what}: checkpoint layer ${name}`);
      }
    }
  });
  // The cases cover what they claim: mini-batches, splits, classification, learning.
  assert.ok(mini >= 24 && split >= 4 && classified >= 2 && diverged === 1, `mini ${mini}, split ${split}, classified ${classified}, diverged ${diverged}`);
  assert.ok(stopped >= 1 && metrics.classes >= 5 && metrics.regression >= 5 && metrics.test >= 4, `stopped early ${stopped}, metrics ${JSON.stringify(metrics)}`);
  found.assertNone('exported PyTorch programs against netspec train');
});

test('--epochs overrides the spec and still matches the engine (the shuffles are reimplemented, not recorded)', () => {
  const text = fs.readFileSync(spec, 'utf8');
  const a = analyze(text);
  const picked = [5, 41, ...['moons_net', 'std_csv'].map((name) => CASES.findIndex((c) => c.name === name))];
  const exported = exportAll(spec, text);
  const runs = picked.map((i) => {
    const script = path.join(tmp, `epochs-${i}.py`);
    fs.writeFileSync(script, exported[i].source);
    return { script, args: ['--json', '--epochs', '29', '--checkpoint', ''] };
  });
  const results = runPrograms(runs);
  const found = new Discrepancies();
  picked.forEach((i, n) => {
    const info = a.program.trains[i];
    assert.notEqual(info.epochs, 29);
    const job = prepareJob(spec, a, info, new Map(), diskFiles);
    const trainer = new Trainer(job.network, job.data, { ...info, epochs: 29 });
    while (!trainer.done) trainer.runEpoch();
    const r = trainer.result();
    const run = results[n].json.runs[0];
    assert.equal(run.epochs, 29);
    found.check(`${CASES[i].name}: loss`, run.loss, r.loss);
    found.check(`${CASES[i].name}: final_loss`, run.final_loss, r.finalLoss);
    r.network.layers.forEach((L) => found.check(`${CASES[i].name}: ${L.name}.W`, run.layers[L.name].W.flat(), Array.from(L.W)));
  });
  found.assertNone('--epochs');
});

test('every exported program passes py_compile', () => {
  requireTorch();
  const files = fs.readdirSync(tmp).filter((f) => f.endsWith('.py')).map((f) => path.join(tmp, f));
  assert.ok(files.length >= CASES.length);
  const r = spawnSync(PYTHON, ['-m', 'py_compile', ...files], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
});
