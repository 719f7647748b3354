/**
 * Probes of networks that standardize their inputs (`data … standardize`), against PyTorch and
 * finite differences. Eight random networks, each trained (in the file) on an inline data set
 * whose inputs have large, different scales and offsets, with a split, so that the statistics are
 * those of the training part only. `netspec grad --json` must give:
 *  1. PyTorch autograd's output, loss, δ, dE/dW and dE/db (float64, 1e-9 relative) for the network
 *     fed (x − mean) / std, the statistics computed here from the samples and the split;
 *  2. dE/dW and dE/db equal to central finite differences of the engine's loss of the raw input.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { buildNetwork, builtinActivation, probe, type Network } from '../../server/src/engine/network';
import { splitIndices } from '../../server/src/engine/train';
import { drawNetwork, drawParameters, networkSource, oracleLayers, outputForLoss, vectorSource, type RandomNetwork } from '../support/networks';
import { SeededRandom } from '../support/random';
import { centralDifference, Discrepancies, oracle, randomTarget, runCli, type OracleProbe } from './oracle';

interface Case {
  net: RandomNetwork;
  samples: { x: number[]; t: number[] }[];
  split: number;
  seed: number;
  /** The probe's input (raw) and target. */
  x: number[];
  t: number[];
}

const LOSSES = ['squared_error', 'mse', 'cross_entropy', 'binary_cross_entropy'] as const;
const HIDDEN = ['tanh', 'sigmoid', 'softplus', 'gelu', 'elu', 'swish'];

function generate(): Case[] {
  const rng = new SeededRandom(7171);
  const cases: Case[] = [];
  for (let n = 0; n < 8; n++) {
    const loss = LOSSES[n % LOSSES.length];
    const shape = drawNetwork(rng, {
      name: `s${n}`,
      loss,
      inputs: [1, 3],
      depth: [1, 3],
      units: [1, 4],
      nobias: { hidden: 0.2, output: 0 },
      layer: ({ output }, r) => (output ? outputForLoss(loss, 3, r) : { activation: r.pick(HIDDEN) }),
    });
    const net = drawParameters(rng, shape, { W: (fanIn) => 1 / Math.sqrt(fanIn), b: 0.3 });
    const K = net.layers[net.layers.length - 1].units;
    // Input j has its own offset and scale, far from 0 and 1: standardizing matters.
    const offset = Array.from({ length: net.inputs }, () => rng.uniform(-200, 200));
    const scale = Array.from({ length: net.inputs }, () => 10 ** rng.uniform(-2, 2));
    const count = rng.int(6, 14);
    const samples = Array.from({ length: count }, (_, i) => ({
      x: offset.map((o, j) => o + scale[j] * rng.uniform(-1, 1)),
      t: randomTarget(loss, K, i, () => rng.next()),
    }));
    const x = offset.map((o, j) => o + scale[j] * rng.uniform(-1.5, 1.5));
    cases.push({ net, samples, split: n % 2 ? 0.7 : 1, seed: rng.int(0, 1000), x, t: randomTarget(loss, K, 99, () => rng.next()) });
  }
  return cases;
}

/** The mean and population std of each input over the training part, by the formulas, here. */
function statistics(c: Case): { mean: number[]; std: number[] } {
  const rows = splitIndices(c.samples.length, c.split, c.seed).train.map((i) => c.samples[i].x);
  const mean = c.samples[0].x.map((_, j) => rows.reduce((s, r) => s + r[j], 0) / rows.length);
  const std = mean.map((m, j) => {
    const s = Math.sqrt(rows.reduce((acc, r) => acc + (r[j] - m) ** 2, 0) / rows.length);
    return s > 0 ? s : 1;
  });
  return { mean, std };
}

function source(cases: Case[]): string {
  const lines: string[] = [];
  for (const c of cases) {
    lines.push(...networkSource(c.net), `data d${c.net.name} {`);
    for (const s of c.samples) lines.push(`  ${vectorSource(s.x)} -> ${vectorSource(s.t)}`);
    lines.push('} standardize', `train ${c.net.name} on d${c.net.name} {`, `  split ${c.split}`, `  seed ${c.seed}`, '}');
    lines.push(`probe ${c.net.name} ${vectorSource(c.x)} -> ${vectorSource(c.t)}`, '');
  }
  return lines.join('\n');
}

interface CliProbe {
  network: string;
  output: number[];
  loss: number;
  layers: Record<string, { dW: number[][]; db: number[] | null; delta: number[] }>;
}

function cli(cases: Case[]): CliProbe[] {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'netspec-standardize-'));
  try {
    const file = path.join(dir, 'standardize.netspec');
    fs.writeFileSync(file, source(cases));
    const r = runCli(['grad', file, '--json']);
    assert.equal(r.status, 0, `netspec grad failed (exit ${r.status}):\n${r.stderr}`);
    return r.json.probes as CliProbe[];
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** The engine's network for a case, standardizing as the test computed. */
function engineNetwork(c: Case): Network {
  const net = buildNetwork(
    c.net.name,
    c.net.inputs,
    c.net.layers.map((L) => ({ name: L.name, units: L.units, activation: builtinActivation(L.activation, L.params)!, hasBias: L.bias, W: L.W, b: L.b })),
    c.net.loss,
    { scheme: 'zeros', seed: 0 },
  );
  net.standardize = statistics(c);
  return net;
}

const CASES = generate();
const PROBES = cli(CASES);

test('a probe of a standardizing network matches PyTorch fed (x − mean) / std, to 1e-9 relative', () => {
  assert.equal(PROBES.length, CASES.length);
  const want = oracle(CASES.map((c) => {
    const { mean, std } = statistics(c);
    return { kind: 'probe' as const, inputs: c.net.inputs, layers: oracleLayers(c.net), loss: c.net.loss, x: c.x.map((v, j) => (v - mean[j]) / std[j]), t: c.t };
  })) as OracleProbe[];
  const d = new Discrepancies();
  CASES.forEach((c, i) => {
    const got = PROBES[i];
    const where = `${c.net.name} (${c.net.loss}, split ${c.split})`;
    d.check(`${where} output`, got.output, want[i].output);
    d.check(`${where} loss`, got.loss, want[i].loss);
    c.net.layers.forEach((L, l) => {
      d.check(`${where} ${L.name}.delta`, got.layers[L.name].delta, want[i].layers[l].delta);
      d.check(`${where} ${L.name}.dW`, got.layers[L.name].dW, want[i].layers[l].dW);
      if (L.bias) d.check(`${where} ${L.name}.db`, got.layers[L.name].db, want[i].layers[l].db);
    });
  });
  d.assertNone('standardizing probes against torch');
  // Not a vacuous pass: without standardization the first layer's gradient is another one.
  const raw = oracle([{ kind: 'probe', inputs: CASES[0].net.inputs, layers: oracleLayers(CASES[0].net), loss: CASES[0].net.loss, x: CASES[0].x, t: CASES[0].t }]) as OracleProbe[];
  assert.notDeepEqual(raw[0].layers[0].dW, PROBES[0].layers[CASES[0].net.layers[0].name].dW);
});

test('dE/dW and dE/db of a standardizing network match central finite differences of its loss at the raw input', () => {
  const d = new Discrepancies();
  CASES.forEach((c, i) => {
    const net = engineNetwork(c);
    const loss = () => probe(net, c.x, c.t).loss;
    const tol = { rel: 1e-6, cutoff: 1e-3, floor: 1e-8 * Math.max(1, Math.abs(loss())) };
    const central = (params: Float64Array, k: number) => centralDifference(params, k, loss);
    net.layers.forEach((layer, l) => {
      const got = PROBES[i].layers[layer.name];
      d.check(`${c.net.name} ${layer.name}.dW`, got.dW, Array.from({ length: layer.inputs }, (_, j) => Array.from({ length: layer.units }, (_, k) => central(layer.W, j * layer.units + k))), tol);
      if (c.net.layers[l].bias) d.check(`${c.net.name} ${layer.name}.db`, got.db, Array.from({ length: layer.units }, (_, k) => central(layer.b, k)), tol);
    });
  });
  d.assertNone('standardizing probes against finite differences');
});
