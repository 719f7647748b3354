/**
 * `precision float32` against PyTorch's float32: random networks — every layer activation of the
 * engine's list, every loss, every optimiser, mini-batches, and wide ones whose products run on
 * the f32x4 WebAssembly kernel — trained by `netspec train --json` and by their exported
 * programs (whose `--dtype` defaults to the statement's float32), run by Debian's python with
 * torch. The two sum their products in different orders, so they agree to float32 rounding, not
 * bit for bit: every per-epoch loss and trained parameter to 1e-5 relative over a short run. Both
 * sides' parameters are float32 values, and the engine's float32 run is not its float64 one.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import type { LossName } from '../../server/src/engine/losses';
import { Discrepancies, randomTarget, requireTorch, runCli, type TrainRunJson } from '../oracle/oracle';
import { LAYER_ACTIVATIONS } from '../support/builtins';
import { drawNetwork, networkSource, outputForLoss, vectorSource } from '../support/networks';
import { SeededRandom } from '../support/random';
import { exportAll, runPrograms } from './support';

const LOSSES: readonly LossName[] = ['squared_error', 'mse', 'cross_entropy', 'binary_cross_entropy'];
const OPTIMIZERS = ['sgd', 'momentum(0.9)', 'adam'] as const;
const RATES = { sgd: 0.1, 'momentum(0.9)': 0.05, adam: 0.01 } as const;
/** float32 rounding, drifting a little over a short run; an element below a tenth of its tensor's scale S is held to 1e-6·S, absolutely. */
const TOLERANCE = { rel: 1e-5, cutoff: 0.1 };

interface Case {
  name: string;
  text: string;
}

/** One network per layer activation (each loss and optimiser in turn), then three wide ones. */
function generate(): Case[] {
  const rng = new SeededRandom(3232);
  const cases: Case[] = [];
  const shapes = [
    ...LAYER_ACTIVATIONS.map((act) => ({ act, inputs: [1, 3] as const, units: [2, 10] as const, samples: [10, 20] as const })),
    ...['tanh', 'relu', 'sigmoid'].map((act) => ({ act, inputs: [20, 40] as const, units: [16, 40] as const, samples: [60, 90] as const })),
  ];
  shapes.forEach(({ act, inputs, units, samples }, i) => {
    const loss = LOSSES[i % LOSSES.length];
    const name = `f${i}`;
    const shape = drawNetwork(rng, {
      name,
      loss,
      inputs,
      depth: [2, 3],
      units,
      nobias: { hidden: 0.2, output: 0 },
      layer: ({ output }) => (output ? outputForLoss(loss, 4, rng) : { activation: act }),
    });
    const K = shape.layers[shape.layers.length - 1].units;
    const n = rng.int(samples[0], samples[1]);
    const lines = [...networkSource(shape, `init xavier seed ${i}`), `data d${name} {`];
    for (let s = 0; s < n; s++) {
      const x = Array.from({ length: shape.inputs }, () => rng.uniform(-2, 2));
      lines.push(`  ${vectorSource(x)} -> ${vectorSource(randomTarget(loss, K, s, () => rng.next()))}`);
    }
    const optimizer = OPTIMIZERS[i % OPTIMIZERS.length];
    lines.push('}', `train ${name} on d${name} {`, `  optimizer ${optimizer}`, `  learning_rate ${RATES[optimizer]}`);
    lines.push(`  epochs 6`, `  batch ${rng.int(3, Math.floor(n / 2))}`, `  seed ${rng.int(0, 1000)}`, '  precision float32', '}', '');
    cases.push({ name, text: lines.join('\n') });
  });
  return cases;
}

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'netspec-float32-'));
const CASES = generate();
const spec = path.join(tmp, 'float32.netspec');
fs.writeFileSync(spec, CASES.map((c) => c.text).join('\n'));

/** Every W and b of a run, flat. */
const parameters = (run: TrainRunJson): number[] =>
  Object.values(run.layers as Record<string, { W: number[][]; b: number[] | null }>).flatMap((l) => [...l.W.flat(), ...(l.b ?? [])]);

test('precision float32: netspec train and the exported program on torch.float32 agree to 1e-5 over a short run', () => {
  requireTorch();
  for (const act of LAYER_ACTIVATIONS) assert.ok(CASES.some((c) => c.text.includes(`] ${act}`)), `no network has a ${act} layer`);
  const cli = runCli(['train', spec, '--json']);
  assert.equal(cli.status, 0, cli.stderr);
  const want: TrainRunJson[] = cli.json.runs;
  assert.equal(want.length, CASES.length);

  const exported = exportAll(spec, fs.readFileSync(spec, 'utf8'));
  const scripts = exported.map((e, i) => {
    assert.equal(e.network, CASES[i].name);
    assert.ok(e.source.includes('default="float32"'), `${e.network}: the program's --dtype defaults to the statement's precision`);
    const script = path.join(tmp, `${e.network}.py`);
    fs.writeFileSync(script, e.source);
    return script;
  });
  const results = runPrograms(scripts.map((script) => ({ script, args: ['--json', '--checkpoint', ''] })));

  const found = new Discrepancies();
  results.forEach((r, i) => {
    const what = CASES[i].name;
    const got = r.json.runs[0];
    for (const k of ['epochs', 'steps', 'batch', 'train_samples']) if (got[k] !== want[i][k]) found.add(`${what}: ${k} ${got[k]} instead of ${want[i][k]}`);
    found.check(`${what}: loss`, got.loss, want[i].loss, TOLERANCE);
    found.check(`${what}: final_loss`, got.final_loss, want[i].final_loss, TOLERANCE);
    for (const [name, layer] of Object.entries(want[i].layers as Record<string, { W: number[][]; b: number[] | null }>)) {
      found.check(`${what}: ${name}.W`, got.layers[name].W, layer.W, TOLERANCE);
      if (layer.b) found.check(`${what}: ${name}.b`, got.layers[name].b, layer.b, TOLERANCE);
    }
    for (const [side, run] of [['netspec', want[i]], ['torch', got]] as const) {
      const p = parameters(run);
      const off = p.findIndex((v) => Math.fround(v) !== v);
      if (off >= 0) found.add(`${what}: ${side}'s parameter ${off}, ${p[off]}, is not a float32 value`);
    }
  });
  found.assertNone('precision float32 against PyTorch float32');
});

test('the float32 run is not the float64 run: the same spec without `precision float32` trains other parameters, close to them', () => {
  const wide = path.join(tmp, 'float64.netspec');
  fs.writeFileSync(wide, fs.readFileSync(spec, 'utf8').replaceAll('  precision float32\n', ''));
  const [f32, f64] = [spec, wide].map((file) => {
    const r = runCli(['train', file, '--json']);
    assert.equal(r.status, 0, r.stderr);
    return r.json.runs as TrainRunJson[];
  });
  const found = new Discrepancies();
  f32.forEach((run, i) => {
    const a = parameters(run);
    const b = parameters(f64[i]);
    if (a.every((v, j) => v === b[j])) found.add(`${run.network}: float32 gave the float64 parameters exactly`);
    if (b.every((v) => Math.fround(v) === v)) found.add(`${run.network}: the float64 run's parameters are all float32 values`);
    found.check(`${run.network}: float32 against float64`, a, b, { rel: 1e-3, cutoff: 1e-2 });
  });
  found.assertNone('float32 against float64');
});
