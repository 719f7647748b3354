/**
 * Derived input features (`input x[2] features [x1, x2, x1 * x2, sin(x1), …]`) against PyTorch:
 * the features are computed here, from the raw samples, with JavaScript's own Math (not the
 * engine's expressions), and handed to torch as the network's inputs; `netspec train --json`
 * and `netspec grad --json` on the raw samples must agree with torch's training and gradients to
 * 1e-9. Then the probe's JSON shows the features beside the raw input, standardization comes
 * before the features, and a network with features is the same function in predict and in a batch.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { predict } from '../../server/src/engine/network';
import { batchGradient, Trainer } from '../../server/src/engine/train';
import { analyzeText } from '../../server/src/semantics/checker';
import { seededRandom } from '../support/random';
import { vectorSource } from '../support/networks';
import { Discrepancies, oracle, runCli, type OracleRequest } from './oracle';

const K = 0.5;
/** The features of the spec below, written again from their text. */
const features = ([x1, x2]: number[]) => [x1, x2, x1 * x2, Math.sin(x1), x2 ** 2 - K, Math.tanh(x1 - x2)];
const FEATURES = 'features [x1, x2, x1 * x2, sin(x1), x2 ^ 2 - k, tanh(x1 - x2)]';

const rand = seededRandom(1717);
const r6 = (x: number) => Math.round(x * 1e6) / 1e6;
const samples = Array.from({ length: 24 }, () => {
  const x = [r6(-2 + 4 * rand()), r6(-2 + 4 * rand())];
  return { x, t: [x[0] * x[1] > 0 ? 1 : 0] };
});
const PROBE = [0.7, -1.3];

const spec = [
  `let k = ${K}`,
  'network f {',
  `  input x[2] ${FEATURES}`,
  '  dense h[5] tanh',
  '  dense y[1] sigmoid',
  '  loss binary_cross_entropy',
  '  init xavier seed 8',
  '}',
  'data d {',
  ...samples.map((s) => `  ${vectorSource(s.x)} -> ${vectorSource(s.t)}`),
  '}',
  'train f on d { optimizer adam learning_rate 0.05 epochs 30 batch 5 seed 3 split 0.75 l1 0.001 }',
  `probe f ${vectorSource(PROBE)} -> [1]`,
  '',
].join('\n');

test('a network with derived features trains and backpropagates as torch does on the features computed by hand (1e-9)', () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'netspec-features-'));
  const file = path.join(tmp, 'features.netspec');
  fs.writeFileSync(file, spec);
  const { program } = analyzeText(spec);
  assert.deepEqual(program.diagnostics.filter((d) => d.severity === 'error').map((d) => d.message), []);
  const net = program.networks.get('f')!.network!;
  assert.equal(net.inputs, 2, 'the data has two inputs');
  assert.equal(net.layers[0].inputs, 6, 'the first layer takes six features');
  const layers = net.layers.map((L) => ({
    units: L.units, activation: L.activation.name, params: [], bias: L.hasBias,
    W: Array.from({ length: L.inputs }, (_, j) => Array.from(L.W.subarray(j * L.units, (j + 1) * L.units))), b: Array.from(L.b),
  }));
  const info = program.trains[0];
  const trainer = new Trainer(net, samples.map((s) => ({ input: s.x, target: s.t })), info);
  const epochs = Array.from({ length: info.epochs }, (_, e) => trainer.epochBatches(e));

  const [trained, probed] = oracle([
    { kind: 'train', inputs: 6, loss: 'binary_cross_entropy', layers, optimizer: info.optimizer, learning_rate: info.learningRate, l2: 0, l1: 0.001, x: samples.map((s) => features(s.x)), t: samples.map((s) => s.t), epochs, train: [...trainer.trainIndices], test: [...trainer.testIndices] },
    { kind: 'probe', inputs: 6, loss: 'binary_cross_entropy', layers, x: features(PROBE), t: [1] },
  ] as unknown as OracleRequest[]) as [{ loss: number[]; test_loss: number[]; final_loss: number; layers: { W: number[][]; b: number[] }[] }, { output: number[]; loss: number; layers: { dW: number[][]; db: number[] }[] }];

  const train = runCli(['train', file, '--json']);
  assert.equal(train.status, 0, train.stderr);
  const run = train.json.runs[0];
  const found = new Discrepancies();
  found.check('loss per epoch', run.loss, trained.loss);
  found.check('test loss per epoch', run.test_loss, trained.test_loss);
  found.check('final loss', run.final_loss, trained.final_loss);
  found.check('h.W', run.layers.h.W, trained.layers[0].W);
  found.check('y.W', run.layers.y.W, trained.layers[1].W);
  found.check('h.b', run.layers.h.b, trained.layers[0].b);
  assert.equal(run.layers.h.W.length, 6);

  const grad = runCli(['grad', file, '--json']);
  assert.equal(grad.status, 0, grad.stderr);
  const p = grad.json.probes[0] as { output: number[]; loss: number; features: number[]; layers: Record<string, { dW: number[][]; db: number[] }> };
  found.check('probe output', p.output, probed.output);
  found.check('probe loss', p.loss, probed.loss);
  found.check('probe h dE/dW', p.layers.h.dW, probed.layers[0].dW);
  found.check('probe y dE/dW', p.layers.y.dW, probed.layers[1].dW);
  found.check('the probe\'s features', p.features, features(PROBE));
  found.assertNone('derived features against torch');
});

test('features read the standardized inputs, and a batch (the kernels) computes them as predict does', () => {
  const text = spec.replace(/\n}\ntrain/, '\n} standardize\ntrain');
  const { program } = analyzeText(text);
  assert.deepEqual(program.diagnostics.filter((d) => d.severity === 'error').map((d) => d.message), []);
  const net = program.networks.get('f')!.network!;
  const st = net.standardize!;
  assert.ok(st, 'standardized');
  const x = [0.3, -0.9];
  const z = x.map((v, j) => (v - st.mean[j]) / st.std[j]);
  // predict's first layer sees the features of the standardized input.
  const { program: plain } = analyzeText(spec);
  const bare = plain.networks.get('f')!.network!;
  assert.notDeepEqual(predict(net, x), predict(bare, x));
  assert.deepEqual(predict(net, x), predict(bare, z), 'standardize, then the features');
  // One batch's loss through the kernels (loadRow computes the features) equals the mean loss of predict's outputs.
  const batch = samples.slice(0, 6).map((s) => ({ input: s.x, target: s.t }));
  const g = batchGradient(net, batch);
  const bce = (y: number, t: number) => -(t * Math.log(y) + (1 - t) * Math.log(1 - y));
  const mean = batch.reduce((acc, s) => acc + bce(predict(net, s.input)[0], s.target[0]), 0) / batch.length;
  assert.ok(Math.abs(g.loss - mean) < 1e-12, `${g.loss} vs ${mean}`);
  assert.equal(g.layers[0].dW.length, 6 * 5);
});
