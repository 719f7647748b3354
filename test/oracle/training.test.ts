/**
 * Training against torch.optim. Forty-eight small networks drawn from a fixed seed — every
 * optimiser (sgd, momentum, adam) × every loss × l2 on and off × full batch and mini-batches
 * (some with a train/test split), and across them l1, each learning-rate schedule
 * (torch.optim.lr_scheduler's StepLR, ExponentialLR, CosineAnnealingLR) and early stopping — are
 * written as one .netspec file with explicit weights and inline data, trained by `netspec train
 * --json`, and trained again by PyTorch (float64) on the same batches in the same order (the
 * engine's own epoch orders, passed to torch). The epochs run, where early stopping ended a run,
 * the learning rate of every epoch, the per-epoch losses, the test losses, final_loss and every
 * trained weight and bias must agree (the numbers to 1e-9 relative). Then: the run is bit-identical in-process and through the CLI, the documented
 * shuffle and split conventions are reimplemented here from their description and must give the
 * engine's orders, one step's gradient is exactly the mean of probe's, and XOR learns.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import type { LossName } from '../../server/src/engine/losses';
import { buildNetwork, builtinActivation, predict, probe, type Network } from '../../server/src/engine/network';
import { Random } from '../../server/src/engine/random';
import { batchGradient, SHUFFLE_STREAM_BASE, SPLIT_STREAM, train, Trainer, TrainError, type Optimizer, type Sample } from '../../server/src/engine/train';
import { analyzeText } from '../../server/src/semantics/checker';
import type { Program } from '../../server/src/semantics/program';
import { LAYER_ACTIVATIONS, ownOrderThenRest } from '../support/builtins';
import { drawNetwork, drawParameters, networkSource, oracleLayers, outputForLoss, vectorSource, type LayerChoice, type RandomNetwork } from '../support/networks';
import { repoRoot } from '../support/paths';
import { seededRandom, SeededRandom } from '../support/random';
import { Discrepancies, literal, oracle, randomTarget, runCli, type OracleRequest } from './oracle';

// ---- the cases ------------------------------------------------------------------------------------

type OptimizerCase = Optimizer;

/** A network of test/support/networks.ts (explicit W and b), its data and its training. */
interface Case extends RandomNetwork {
  optimizer: OptimizerCase;
  learningRate: number;
  l2: number;
  l1: number;
  /** As the language writes it (`step(3, 0.5)`), with the oracle's request for it. */
  schedule?: { text: string; request: Record<string, unknown> };
  patience?: number;
  /** undefined: the whole training set (written out or not, see `source`). */
  batch?: number;
  seed: number;
  split: number;
  epochs: number;
  samples: { x: number[]; t: number[] }[];
  note: string;
}

const OPTIMIZERS = ['sgd', 'momentum', 'adam'] as const;
const LOSSES: readonly LossName[] = ['squared_error', 'mse', 'cross_entropy', 'binary_cross_entropy'];
/**
 * Hidden activations: every layer activation of the engine's list (torch differentiates them
 * accurately for the moderate z these networks reach) and a user fn, in this order first.
 */
const HIDDEN = ownOrderThenRest(['tanh', 'sigmoid', 'relu', 'leaky_relu', 'elu', 'softplus', 'gelu', 'swish', 'linear', 'mish'], LAYER_ACTIVATIONS);

const r4 = (x: number) => Math.round(x * 1e4) / 1e4;

/** A layer's activation and units: the output layer's by the loss, hidden ones from the cycle. */
function layerChoice(loss: LossName, output: boolean, hidden: () => string, rng: SeededRandom): LayerChoice {
  if (output) return outputForLoss(loss, 4, rng);
  const activation = hidden();
  const params = activation === 'leaky_relu' ? [r4(rng.uniform(0.05, 0.3))] : activation === 'elu' ? [r4(rng.uniform(0.5, 1.5))] : [];
  return { activation, params };
}

function generate(): Case[] {
  const rng = new SeededRandom(20250301);
  const cases: Case[] = [];
  let hiddenCycle = 0;
  const hidden = () => HIDDEN[hiddenCycle++ % HIDDEN.length];
  let n = 0;
  for (const opt of OPTIMIZERS) {
    for (const loss of LOSSES) {
      for (const l2on of [false, true]) {
        for (const mini of [false, true]) {
          // Weights uniform in ±1.2/√fan-in, biases in ±0.5; every output layer has a bias.
          const net = drawParameters(rng, drawNetwork(rng, {
            name: `n${n}`,
            loss,
            inputs: [1, 4],
            depth: [1, 3],
            units: [1, 5],
            nobias: { hidden: 0.25, output: 0 },
            layer: ({ output }) => layerChoice(loss, output, hidden, rng),
          }), { W: (fanIn) => 1.2 / Math.sqrt(fanIn), b: 0.5 });
          const K = net.layers[net.layers.length - 1].units;
          const count = rng.int(6, 14);
          const samples = Array.from({ length: count }, (_, i) => ({ x: Array.from({ length: net.inputs }, () => rng.uniform(-2, 2)), t: randomTarget(loss, K, i, () => rng.next()) }));
          const optimizer: OptimizerCase =
            opt === 'sgd' ? { kind: 'sgd' }
            : opt === 'momentum' ? { kind: 'momentum', momentum: n % 4 === 1 ? 0 : r4(rng.uniform(0.5, 0.95)) }
            : { kind: 'adam', beta1: r4(rng.uniform(0.8, 0.95)), beta2: r4(rng.uniform(0.99, 0.9999)) };
          const learningRate = r4(opt === 'sgd' ? rng.uniform(0.05, 0.3) : opt === 'momentum' ? rng.uniform(0.02, 0.1) : rng.uniform(0.005, 0.03));
          const split = mini && n % 3 === 0 ? 0.75 : 1;
          // l1, the schedules and early stopping across the cases, chosen by n so the draws above stay the same.
          const gamma = [0.5, 0.7, 0.9, 0.95][n % 4];
          const schedule = [
            undefined,
            { text: `step(${2 + (n % 5)}, ${gamma})`, request: { kind: 'step', step_size: 2 + (n % 5), gamma } },
            { text: `exponential(${gamma})`, request: { kind: 'exponential', gamma } },
            { text: `cosine(${3 + (n % 7)})`, request: { kind: 'cosine', t_max: 3 + (n % 7) } },
          ][n % 4];
          const batch = mini ? rng.int(2, Math.max(2, Math.floor(count / 2))) : n % 2 === 0 ? undefined : count + rng.int(0, 3);
          cases.push({
            ...net,
            optimizer,
            learningRate,
            l2: l2on ? r4(rng.uniform(0.001, 0.02)) : 0,
            l1: n % 3 === 1 ? [0.001, 0.01, 0.03][n % 9 === 1 ? 0 : n % 9 === 4 ? 1 : 2] : 0,
            schedule,
            patience: n % 5 === 2 ? 1 + (n % 3) : undefined,
            batch,
            seed: rng.int(0, 1000),
            split,
            epochs: rng.int(20, 35),
            samples,
            note: `${opt} ${loss}${l2on ? ' l2' : ''} ${mini ? `batch ${batch}` : 'full batch'}${split < 1 ? ` split ${split}` : ''}${n % 3 === 1 ? ' l1' : ''}${schedule ? ` ${schedule.text}` : ''}${n % 5 === 2 ? ' patience' : ''}`,
          });
          n++;
        }
      }
    }
  }
  return cases;
}


// ---- as NetSpec source, as oracle requests -----------------------------------------------------------

function optimizerSource(o: OptimizerCase): string {
  return o.kind === 'sgd' ? 'sgd' : o.kind === 'momentum' ? `momentum(${literal(o.momentum)})` : `adam(${literal(o.beta1)}, ${literal(o.beta2)})`;
}

function source(cases: Case[]): string {
  const lines = ['fn mish(z) = z * tanh(softplus(z))', ''];
  for (const c of cases) {
    lines.push(`# ${c.note}`, ...networkSource(c), `data d${c.name} {`);
    for (const s of c.samples) lines.push(`  ${vectorSource(s.x)} -> ${vectorSource(s.t)}`);
    lines.push('}', `train ${c.name} on d${c.name} {`);
    lines.push(`  optimizer ${optimizerSource(c.optimizer)}`, `  learning_rate ${literal(c.learningRate)}`, `  epochs ${c.epochs}`);
    if (c.batch !== undefined) lines.push(`  batch ${c.batch}`);
    if (c.seed !== 0 || c.batch !== undefined) lines.push(`  seed ${c.seed}`);
    if (c.split !== 1) lines.push(`  split ${literal(c.split)}`);
    if (c.l2 !== 0) lines.push(`  l2 ${literal(c.l2)}`);
    if (c.l1 !== 0) lines.push(`  l1 ${literal(c.l1)}`);
    if (c.schedule) lines.push(`  schedule ${c.schedule.text}`);
    if (c.patience !== undefined) lines.push(`  patience ${c.patience}`);
    lines.push('}', '');
  }
  return lines.join('\n');
}

interface TorchRun {
  lr: number[];
  epochs: number;
  stopped_early: boolean;
  loss: number[];
  test_loss: number[];
  final_loss: number;
  layers: { W: number[][]; b: number[] | null }[];
}

/** The engine's own trainer for a train statement of a checked file, as the CLI builds it. */
function trainerFor(program: Program, index: number): Trainer {
  const info = program.trains[index];
  const net = program.networks.get(info.stmt.network.text)!.network!;
  const data = program.data.get(info.stmt.data.text)!.samples!;
  return new Trainer(net, data, info);
}

// ---- the tests -------------------------------------------------------------------------------------

const CASES = generate();
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'netspec-train-'));

test('netspec train --json agrees with torch.optim and lr_scheduler (SGD, momentum, Adam; every loss; l2, l1; mini-batches; split; schedules; early stopping) to 1e-9', () => {
  assert.equal(CASES.length, 48);
  const hidden = new Set(CASES.flatMap((c) => c.layers.slice(0, -1).map((L) => L.activation)));
  for (const a of HIDDEN) assert.ok(hidden.has(a), `no network trains a hidden ${a} layer`);
  const text = source(CASES);
  const file = path.join(tmp, 'training.netspec');
  fs.writeFileSync(file, text);
  const { program } = analyzeText(text);
  const errors = program.diagnostics.filter((d) => d.severity === 'error');
  assert.deepEqual(errors.map((d) => d.message), [], 'the generated file has errors');
  assert.equal(program.trains.length, CASES.length);

  const cli = runCli(['train', file, '--json']);
  assert.equal(cli.status, 0, cli.stderr);
  const runs = cli.json.runs;
  assert.equal(runs.length, CASES.length);

  const requests: OracleRequest[] = [];
  CASES.forEach((c, i) => {
    const trainer = trainerFor(program, i);
    const epochs = Array.from({ length: c.epochs }, (_, e) => trainer.epochBatches(e));
    if (c.batch !== undefined && c.batch < trainer.trainIndices.length) {
      assert.ok(epochs.every((bs) => bs.length > 1), `${c.name}: mini-batches`);
      assert.notDeepEqual(epochs[0].flat(), epochs[1].flat(), `${c.name}: epochs 1 and 2 are shuffled differently`);
    } else {
      assert.ok(epochs.every((bs) => bs.length === 1), `${c.name}: one batch per epoch`);
    }
    requests.push({
      kind: 'train',
      inputs: c.inputs,
      loss: c.loss,
      layers: oracleLayers(c),
      optimizer: c.optimizer,
      learning_rate: c.learningRate,
      l2: c.l2,
      l1: c.l1,
      schedule: c.schedule?.request ?? null,
      patience: c.patience ?? null,
      x: c.samples.map((s) => s.x),
      t: c.samples.map((s) => s.t),
      epochs,
      train: [...trainer.trainIndices],
      test: [...trainer.testIndices],
    } as unknown as OracleRequest);
  });
  const torch = oracle(requests) as TorchRun[];

  const found = new Discrepancies();
  let splitCases = 0;
  let stopped = 0;
  CASES.forEach((c, i) => {
    const run = runs[i];
    const want = torch[i];
    const what = `${c.name} (${c.note})`;
    assert.equal(run.network, c.name);
    assert.equal(run.data, `d${c.name}`);
    assert.equal(run.epochs, want.epochs, `${what}: epochs run`);
    assert.equal(run.stopped_early, want.stopped_early, `${what}: stopped early`);
    assert.equal(run.epochs, want.stopped_early ? run.loss.length : c.epochs, `${what}: epochs`);
    if (run.stopped_early) stopped++;
    found.check(`${what}: learning rate per epoch`, run.lr, want.lr);
    if (!c.schedule) assert.ok(run.lr.every((v: number) => v === c.learningRate), `${what}: a constant learning rate`);
    found.check(`${what}: loss per epoch`, run.loss, want.loss);
    found.check(`${what}: final_loss`, run.final_loss, want.final_loss);
    if (c.split < 1) {
      splitCases++;
      found.check(`${what}: test_loss per epoch`, run.test_loss, want.test_loss);
      assert.equal(run.train_samples + run.test_samples, c.samples.length);
      assert.equal(run.train_samples, Math.max(1, Math.floor(c.split * c.samples.length)));
    } else {
      assert.equal(run.test_loss, undefined);
    }
    c.layers.forEach((L, l) => {
      const got = run.layers[L.name];
      found.check(`${what}: layer ${L.name} W`, got.W, want.layers[l].W);
      if (L.bias) found.check(`${what}: layer ${L.name} b`, got.b, want.layers[l].b);
      else assert.equal(got.b, null);
    });
    // It learnt something, so the comparison is not between two untouched networks.
    assert.ok(run.loss[run.loss.length - 1] < run.loss[0] || c.split < 1, `${what}: the training loss did not fall: ${run.loss[0]} -> ${run.loss.at(-1)}`);
  });
  assert.ok(splitCases >= 3);
  // The features are exercised: runs that stopped early, and every schedule's rate changed.
  assert.ok(stopped >= 2 && stopped < CASES.filter((c) => c.patience !== undefined).length + 1, `${stopped} runs stopped early`);
  for (const kind of ['step', 'exponential', 'cosine']) {
    assert.ok(CASES.some((c, i) => c.schedule?.request.kind === kind && new Set(runs[i].lr).size > 2), `no ${kind} schedule changed the rate twice`);
  }
  assert.ok(CASES.filter((c) => c.l1 !== 0).length >= 10);
  found.assertNone('netspec train against torch.optim');
});

test('the same run twice is bit-identical, in-process and through the CLI', () => {
  const picked = CASES.filter((_, i) => i % 6 === 5).slice(0, 8);
  const text = source(picked);
  const file = path.join(tmp, 'twice.netspec');
  fs.writeFileSync(file, text);
  const { program } = analyzeText(text);
  const a = picked.map((_, i) => trainerFor(program, i));
  const b = picked.map((_, i) => trainerFor(program, i));
  for (const t of [...a, ...b]) while (!t.done) t.runEpoch();
  const cli1 = runCli(['train', file, '--json']);
  const cli2 = runCli(['train', file, '--json']);
  assert.equal(cli1.status, 0, cli1.stderr);
  assert.equal(cli1.stdout, cli2.stdout);
  picked.forEach((c, i) => {
    const ra = a[i].result();
    const rb = b[i].result();
    assert.deepEqual(ra.loss, rb.loss);
    assert.equal(ra.finalLoss, rb.finalLoss);
    ra.network.layers.forEach((L, l) => {
      assert.deepEqual(L.W, rb.network.layers[l].W, `${c.name} ${L.name} W`);
      assert.deepEqual(L.b, rb.network.layers[l].b, `${c.name} ${L.name} b`);
    });
    // The CLI (another process) prints exactly these numbers (JSON round-trips float64).
    const run = cli1.json.runs[i];
    assert.deepEqual(run.loss, ra.loss);
    assert.equal(run.final_loss, ra.finalLoss);
    for (const L of ra.network.layers) assert.deepEqual(run.layers[L.name].W.flat(), Array.from(L.W), `${c.name} ${L.name} W via the CLI`);
  });
});

test('the documented split and shuffle conventions, reimplemented from their description', () => {
  const fisherYates = (a: number[], rng: Random) => {
    for (let i = a.length - 1; i >= 1; i--) {
      const j = Math.floor(rng.next() * (i + 1));
      [a[i], a[j]] = [a[j], a[i]];
    }
    return a;
  };
  assert.equal(SPLIT_STREAM, 999_999);
  assert.equal(SHUFFLE_STREAM_BASE, 1_000_000);
  const net = tinyNetwork();
  const data: Sample[] = Array.from({ length: 23 }, (_, i) => ({ input: [i / 10], target: [i % 2] }));
  for (const [split, batch, seed] of [[0.7, 4, 5], [1, 5, 0], [0.5, 3, 123456789], [0.29, 2, 42]] as const) {
    const t = new Trainer(net, data, { split, batch, seed, epochs: 4 });
    // split: Fisher–Yates of 0…n−1 from Random(seed, 999999); first ⌊s·n⌋ (≥ 1) train, both sorted.
    let trainSet = data.map((_, i) => i);
    let testSet: number[] = [];
    if (split < 1) {
      const perm = fisherYates(data.map((_, i) => i), new Random(seed, 999_999));
      const nTrain = Math.max(1, Math.floor(split * data.length));
      trainSet = perm.slice(0, nTrain).sort((x, y) => x - y);
      testSet = perm.slice(nTrain).sort((x, y) => x - y);
    }
    assert.deepEqual(t.trainIndices, trainSet, `split ${split}`);
    assert.deepEqual(t.testIndices, testSet, `split ${split}`);
    for (let e = 0; e < 4; e++) {
      const order = fisherYates(trainSet.slice(), new Random(seed, 1_000_000 + e));
      assert.deepEqual(t.epochOrder(e), order, `split ${split}, epoch ${e}`);
      const batches = t.epochBatches(e);
      assert.deepEqual(batches.flat(), order);
      assert.ok(batches.slice(0, -1).every((b) => b.length === batch));
    }
  }
  // The whole training set as one batch: never shuffled, ascending order.
  const full = new Trainer(net, data, { seed: 9, split: 0.6 });
  assert.deepEqual(full.epochBatches(3), [[...full.trainIndices]]);
  const big = new Trainer(net, data, { seed: 9, batch: 1000 });
  assert.deepEqual(big.epochOrder(7), data.map((_, i) => i));
  assert.equal(big.batch, data.length);
});

test("one step's loss and gradient are exactly the mean of probe's, and sgd applies p + (−lr)·g", () => {
  const rand = seededRandom(77);
  const tanh = builtinActivation('tanh')!;
  const soft = builtinActivation('softmax')!;
  const net = buildNetwork('g', 3, [
    { name: 'h', units: 4, activation: tanh, hasBias: true },
    { name: 'y', units: 3, activation: soft, hasBias: true },
  ], 'cross_entropy', { scheme: 'xavier', seed: 3 });
  const samples: Sample[] = Array.from({ length: 7 }, () => {
    const t = [rand(), rand(), rand()];
    const s = t[0] + t[1] + t[2];
    return { input: [rand() * 4 - 2, rand() * 4 - 2, rand() * 4 - 2], target: t.map((v) => v / s) };
  });
  const g = batchGradient(net, samples);
  const probes = samples.map((s) => probe(net, s.input, s.target));
  let loss = 0;
  for (const p of probes) loss += p.loss;
  assert.equal(g.loss, loss / samples.length);
  net.layers.forEach((L, l) => {
    const dW = new Float64Array(L.inputs * L.units);
    const db = new Float64Array(L.units);
    for (const p of probes) {
      p.layers[l].dW.forEach((row, j) => row.forEach((v, k) => (dW[j * L.units + k] += v)));
      p.layers[l].db!.forEach((v, k) => (db[k] += v));
    }
    assert.deepEqual(g.layers[l].dW, dW.map((v) => v / samples.length), `layer ${L.name} dW`);
    assert.deepEqual(g.layers[l].db, db.map((v) => v / samples.length), `layer ${L.name} db`);
  });
  // One epoch of full-batch sgd is one step: p + (−lr)·g exactly; the given network is untouched.
  const before = net.layers.map((L) => L.W.slice());
  const r = train(net, samples, { learningRate: 0.3, epochs: 1 });
  assert.equal(r.loss[0], g.loss);
  net.layers.forEach((L, l) => {
    assert.deepEqual(L.W, before[l], 'the network given to train is not changed');
    assert.deepEqual(r.network.layers[l].W, L.W.map((p, i) => p + -0.3 * g.layers[l].dW[i]));
  });
});

test('accuracy rules, divergence, cancellation and refused input', () => {
  const data: Sample[] = [{ input: [0], target: [0] }, { input: [1], target: [1] }, { input: [2], target: [1] }];
  assert.equal(new Trainer(tinyNetwork('sigmoid'), data).classification, 'threshold');
  assert.equal(new Trainer(tinyNetwork('tanh'), data).classification, undefined);
  assert.equal(new Trainer(tinyNetwork('sigmoid'), [...data, { input: [3], target: [0.5] }]).classification, undefined);
  const soft = buildNetwork('s', 1, [{ name: 'y', units: 2, activation: builtinActivation('softmax')!, hasBias: true }], 'cross_entropy', { scheme: 'xavier', seed: 1 });
  const oneHot = data.map((s) => ({ input: s.input, target: s.target[0] ? [0, 1] : [1, 0] }));
  assert.equal(new Trainer(soft, oneHot).classification, 'argmax');
  assert.equal(new Trainer(soft, [...oneHot, { input: [4], target: [0.3, 0.7] }]).classification, undefined);
  const r = train(soft, oneHot, { epochs: 300, learningRate: 1 });
  assert.equal(r.finalAccuracy, 1);
  assert.equal(r.accuracy!.length, 300);

  // A learning rate that overflows: stopped at the first loss that is not finite, and said where.
  const lin = buildNetwork('l', 1, [{ name: 'y', units: 1, activation: builtinActivation('linear')!, hasBias: true, W: [[1]], b: [0] }], 'squared_error', { scheme: 'zeros', seed: 0 });
  const big: Sample[] = Array.from({ length: 8 }, (_, i) => ({ input: [i + 1], target: [-(i + 1)] }));
  const d = train(lin, big, { learningRate: 1e200, epochs: 50, batch: 2, seed: 1 });
  assert.ok(d.diverged, 'diverged');
  assert.ok(d.epochs <= 2 && d.diverged.epoch === d.epochs, JSON.stringify(d.diverged));
  assert.ok(d.diverged.step >= 1 && d.diverged.step <= 4);
  assert.ok(!Number.isFinite(d.diverged.loss));
  assert.ok(!Number.isFinite(d.loss.at(-1)!));

  // Cancellation between epochs.
  let epochs = 0;
  const c = train(lin, big, { epochs: 1000, learningRate: 0.001 }, { onEpoch: () => epochs++, shouldStop: () => epochs >= 3 });
  assert.equal(c.epochs, 3);
  assert.equal(c.cancelled, true);
  assert.equal(c.loss.length, 3);

  assert.throws(() => new Trainer(lin, []), TrainError);
  assert.throws(() => new Trainer(lin, [{ input: [1, 2], target: [1] }]), /2 inputs/);
  assert.throws(() => new Trainer(lin, big, { learningRate: 0 }), TrainError);
  assert.throws(() => new Trainer(lin, big, { split: 0 }), TrainError);
});

test('XOR learns: examples/xor.netspec reaches a small loss and classifies all four points', () => {
  const file = path.join(repoRoot(), 'examples', 'xor.netspec');
  const r = runCli(['train', file, '--json']);
  assert.equal(r.status, 0, r.stderr);
  const [run] = r.json.runs;
  assert.equal(run.network, 'xor');
  assert.equal(run.epochs, 2000);
  assert.equal(run.loss.length, 2000);
  assert.ok(run.final_loss < 0.005, `final_loss ${run.final_loss}`);
  assert.equal(run.final_accuracy, 1);
  // The trained weights, run forward: every point on the right side of 0.5.
  const { program } = analyzeText(fs.readFileSync(file, 'utf8'));
  const net = program.networks.get('xor')!.network!;
  for (const L of net.layers) {
    L.W = Float64Array.from(run.layers[L.name].W.flat());
    L.b = Float64Array.from(run.layers[L.name].b!); // xor's layers have biases
  }
  for (const [x, t] of [[[0, 0], 0], [[0, 1], 1], [[1, 0], 1], [[1, 1], 0]] as const) {
    const [y] = predict(net, x);
    assert.equal(y > 0.5 ? 1 : 0, t, `xor(${x}) = ${y}`);
  }
});

function tinyNetwork(activation = 'sigmoid'): Network {
  return buildNetwork('t', 1, [{ name: 'y', units: 1, activation: builtinActivation(activation)!, hasBias: true }], 'squared_error', { scheme: 'xavier', seed: 1 });
}
