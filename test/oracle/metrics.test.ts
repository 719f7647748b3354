/**
 * The metrics of `netspec train --json` ("confusion" and "accuracy", or "rmse" and "r2", over the
 * training set and under "test" over the test set, with the final parameters) against torch's own
 * reductions in torch_oracle.py (`metrics`: bincount, argmax, mean), computed from the trained
 * parameters the CLI printed: a three-class softmax classifier, one sigmoid unit with binary
 * cross-entropy, a two-output regression, a sigmoid unit trained with squared error (not a
 * classifier by the rule), and an output whose targets are all equal (R² of −∞).
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { splitIndices } from '../../server/src/engine/train';
import { seededRandom } from '../support/random';
import { vectorSource } from '../support/networks';
import { Discrepancies, oracle, runCli, type OracleRequest, type TrainRunJson } from './oracle';

interface Case {
  name: string;
  /** The network's lines between `network NAME {` and `}`. */
  body: string[];
  /** Per dense layer, as the oracle names activations. */
  activations: string[];
  loss: string;
  inputs: number;
  samples: { x: number[]; t: number[] }[];
  options: string;
  split: number;
  seed: number;
  classifier: boolean;
}

const rand = seededRandom(4242);
const uniform = (a: number, b: number) => a + (b - a) * rand();
const r6 = (x: number) => Math.round(x * 1e6) / 1e6;

/** Three clusters in the plane, one-hot targets. */
const threeClasses = Array.from({ length: 45 }, (_, i) => {
  const c = i % 3;
  const centre = [[-1, 0], [1, 1], [0.5, -1.2]][c];
  return { x: centre.map((v) => r6(v + uniform(-0.9, 0.9))), t: [0, 1, 2].map((k) => (k === c ? 1 : 0)) };
});
const twoClasses = Array.from({ length: 40 }, (_, i) => {
  const c = i % 2;
  return { x: [r6(uniform(-1, 1) + (c ? 0.6 : -0.6)), r6(uniform(-1, 1))], t: [c] };
});
const regression = Array.from({ length: 36 }, () => {
  const x = [r6(uniform(-2, 2)), r6(uniform(-2, 2))];
  return { x, t: [r6(Math.sin(x[0]) + 0.1 * uniform(-1, 1)), r6(x[0] * x[1] / 2)] };
});
const constant = Array.from({ length: 12 }, () => ({ x: [r6(uniform(-1, 1))], t: [0.25] }));

const CASES: Case[] = [
  { name: 'three', body: ['input x[2]', 'dense h[6] tanh', 'dense y[3] softmax', 'loss cross_entropy', 'init xavier seed 2'], activations: ['tanh', 'softmax'], loss: 'cross_entropy', inputs: 2, samples: threeClasses, options: 'optimizer adam learning_rate 0.03 epochs 25 batch 8 seed 5 split 0.7', split: 0.7, seed: 5, classifier: true },
  { name: 'binary', body: ['input x[2]', 'dense h[4] tanh', 'dense y[1] sigmoid', 'loss binary_cross_entropy', 'init xavier seed 3'], activations: ['tanh', 'sigmoid'], loss: 'binary_cross_entropy', inputs: 2, samples: twoClasses, options: 'learning_rate 0.5 epochs 30 split 0.75 seed 2', split: 0.75, seed: 2, classifier: true },
  { name: 'fit', body: ['input x[2]', 'dense h[8] tanh', 'dense y[2] linear', 'loss mse', 'init xavier seed 4'], activations: ['tanh', 'linear'], loss: 'mse', inputs: 2, samples: regression, options: 'optimizer adam learning_rate 0.02 epochs 40 batch 6 seed 1 split 0.8 schedule exponential(0.97)', split: 0.8, seed: 1, classifier: false },
  { name: 'squared', body: ['input x[2]', 'dense h[4] tanh', 'dense y[1] sigmoid', 'loss squared_error', 'init xavier seed 5'], activations: ['tanh', 'sigmoid'], loss: 'squared_error', inputs: 2, samples: twoClasses, options: 'learning_rate 0.5 epochs 20', split: 1, seed: 0, classifier: false },
  { name: 'flat', body: ['input x[1]', 'dense y[1] linear', 'loss mse', 'init xavier seed 6'], activations: ['linear'], loss: 'mse', inputs: 1, samples: constant, options: 'learning_rate 0.1 epochs 5', split: 1, seed: 0, classifier: false },
];

function source(): string {
  const lines: string[] = [];
  for (const c of CASES) {
    lines.push(`network ${c.name} {`, ...c.body.map((l) => `  ${l}`), '}', `data d${c.name} {`);
    for (const s of c.samples) lines.push(`  ${vectorSource(s.x)} -> ${vectorSource(s.t)}`);
    lines.push('}', `train ${c.name} on d${c.name} { ${c.options} }`, '');
  }
  return lines.join('\n');
}

test('confusion, accuracy, rmse and r2 over the training and the test set equal torch\'s computation from the trained parameters', () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'netspec-metrics-'));
  const file = path.join(tmp, 'metrics.netspec');
  fs.writeFileSync(file, source());
  const cli = runCli(['train', file, '--json']);
  assert.equal(cli.status, 0, cli.stderr);
  const runs = cli.json.runs;
  assert.equal(runs.length, CASES.length);

  const requests: OracleRequest[] = [];
  CASES.forEach((c, i) => {
    const run = runs[i];
    const layers = Object.values(run.layers).map((L, l) => ({ units: L.W[0].length, activation: c.activations[l], params: [], bias: L.b !== null, W: L.W, b: L.b ?? [] }));
    const { train, test: held } = splitIndices(c.samples.length, c.split, c.seed);
    assert.equal(run.train_samples, train.length);
    for (const indices of held.length ? [train, held] : [train]) {
      requests.push({ kind: 'metrics', inputs: c.inputs, loss: c.loss, layers, x: c.samples.map((s) => s.x), t: c.samples.map((s) => s.t), indices } as unknown as OracleRequest);
    }
  });
  const torch = oracle(requests) as { confusion?: number[][]; accuracy?: number; rmse?: number; r2?: number }[];

  const found = new Discrepancies();
  let at = 0;
  CASES.forEach((c, i) => {
    const run: TrainRunJson = runs[i];
    const sets: [string, TrainRunJson['test']][] = [['training set', run]];
    if (c.split < 1) sets.push(['test set', run.test]);
    else assert.equal(run.test, undefined, `${c.name}: no test set, no "test"`);
    for (const [what, got] of sets) {
      const want = torch[at++];
      assert.ok(got, `${c.name}: ${what} metrics`);
      if (c.classifier) {
        assert.deepEqual(got.confusion, want.confusion, `${c.name}: ${what} confusion`);
        assert.equal(got.accuracy, want.accuracy, `${c.name}: ${what} accuracy`);
        assert.equal(got.rmse, undefined);
        // Learnt, so the matrix is not trivially one column.
        assert.ok(got.accuracy! > 0.6, `${c.name}: ${what} accuracy ${got.accuracy}`);
      } else {
        assert.equal(got.confusion, undefined, `${c.name}: a regression has no confusion matrix`);
        found.check(`${c.name}: ${what} rmse`, got.rmse, want.rmse);
        found.check(`${c.name}: ${what} r2`, got.r2, want.r2);
      }
    }
  });
  assert.equal(at, torch.length);
  found.assertNone('metrics against torch');
  // The classifier's confusion is K×K with every sample counted once; a single sigmoid unit has two classes.
  assert.equal(runs[0].confusion!.length, 3);
  assert.equal(runs[1].confusion!.length, 2);
  assert.equal(runs[0].confusion!.flat().reduce((a, b) => a + b, 0), runs[0].train_samples);
  // Accuracy by the confusion matrix agrees with final_accuracy where both rules apply (argmax, one sigmoid unit).
  assert.equal(runs[0].accuracy, runs[0].final_accuracy);
  assert.equal(runs[1].accuracy, runs[1].final_accuracy);
  // All targets equal: SS_tot = 0, so R² is −∞ (as 1 − SS_res/SS_tot gives it), written "-Infinity".
  assert.equal(runs[4].r2, -Infinity);
});
