/**
 * The ONNX export against the two independent readers users will meet: ONNX's own checker
 * (Debian's python3-onnx, `check_model(full_check=True)`, which also infers every shape) and ONNX
 * Runtime (the onnxruntime-web package's WebAssembly build, run in Node). Every example and random
 * networks of every built-in activation and of user fns (derivatives inside their bodies included),
 * with and without a loss: the runtime's outputs equal `netspec grad`'s forward outputs at random
 * probes, to 1e-5 relative in float32 and 1e-12 in float64 where the runtime has float64 kernels.
 * `--trained` exports exactly the weights `netspec train` prints.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import * as ort from 'onnxruntime-web';
import type { LossName } from '../../server/src/engine/losses';
import { PYTHON } from '../oracle/oracle';
import { LAYER_ACTIVATIONS, ownOrderThenRest } from '../support/builtins';
import { cliPath, repoRoot } from '../support/paths';
import { SeededRandom } from '../support/random';
import { drawNetwork, drawParameters, networkSource, outputForLoss, parseActivation, vectorSource } from '../support/networks';

const ONNX_MISSING = "ONNX is missing: install Debian's python3-onnx (apt-get install python3-onnx; npm test does it through scripts/setup.sh)";

const FNS = `
let k = 0.25
fn mish(z) = z * tanh(softplus(z))
fn hinge(z) = max(z, 0.1 * z)
fn ratio(u) = u / (1 + abs(u)) + k * u ^ 2 - exp(-u ^ 2)
fn trig(z) = sin(z) + atan(z) * cos(z) - sinh(z / 4) + cosh(z / 5) + log(1 + z ^ 2) + sqrt(abs(z) + 1) + tan(z / 8)
fn slopes(z) = sigmoid'(z) + tanh'(z) + relu'(z) + softplus'(z) + swish'(z) + gelu'(z) + elu'(z, 0.5) + leaky_relu'(z, 0.1) + atan'(z) + tan'(z / 8) + sin'(z) + cos'(z) + exp'(-z * z) + linear'(z) + sinh'(z / 4) + cosh'(z / 4) + abs'(z) + log'(2 + z ^ 2) + sqrt'(1 + z ^ 2)
fn dmish(z) = mish'(z) + pi / 10
fn flat(z) = e
`;
const HIDDEN = ownOrderThenRest(['tanh', 'mish', 'relu', 'hinge', 'leaky_relu(0.2)', 'elu(0.7)', 'softplus', 'ratio', 'gelu', 'swish', 'trig', 'slopes', 'dmish', 'flat', 'sigmoid', 'linear'], LAYER_ACTIVATIONS);
const LOSSES: readonly (LossName | undefined)[] = ['squared_error', 'mse', 'cross_entropy', 'binary_cross_entropy', undefined];

interface Case {
  name: string;
  text: string;
  /** Each network with its probes' inputs and outputs, as `netspec grad --json` prints them. */
  networks: { name: string; input: string; output: string; width: number; units: number; probes: { input: number[]; output: number[] }[] }[];
}

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'netspec-onnx-'));

function netspec(args: string[]) {
  const r = spawnSync(process.execPath, [cliPath(), ...args], { encoding: 'utf8', maxBuffer: 64 << 20 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

/** A case's networks and probes, read back from `netspec grad --json` (the engine's forward pass). */
function withProbes(name: string, text: string, io: Record<string, { input: string; output: string; width: number; units: number }>): Case {
  const file = path.join(tmp, `${name}.netspec`);
  fs.writeFileSync(file, text);
  const r = netspec(['grad', file, '--json']);
  assert.equal(r.code, 0, `${name}: ${r.err}`);
  const probes = JSON.parse(r.out).probes as { network: string; line: number; output: number[] }[];
  const lines = text.split('\n');
  const networks = Object.entries(io).map(([net, shape]) => ({
    name: net,
    ...shape,
    probes: probes.filter((p) => p.network === net).map((p) => ({ input: JSON.parse(/probe \w+ (\[[^\]]*\])/.exec(lines[p.line - 1])![1]) as number[], output: p.output })),
  }));
  return { name, text, networks };
}

function randomCases(): Case[] {
  const rng = new SeededRandom(2020);
  let cycle = 0;
  const cases: Case[] = [];
  for (let i = 0; cycle < HIDDEN.length || i < LOSSES.length * 2; i++) {
    const loss = LOSSES[i % LOSSES.length];
    const shape = drawNetwork(rng, {
      name: `net${i}`,
      loss: loss ?? 'squared_error',
      inputs: [1, 4],
      depth: [2, 3],
      units: [1, 4],
      layer: (at, r) => (at.output ? outputForLoss(loss ?? 'squared_error', 3, r) : parseActivation(HIDDEN[cycle++ % HIDDEN.length])),
      nobias: { hidden: 0.25, output: 0.25 },
    });
    const net = drawParameters(rng, shape, { W: (fanIn) => 1.5 / Math.sqrt(fanIn), b: 0.5 });
    // Without a loss line when the case has none (a network need not say one).
    const source = networkSource(net).filter((l) => loss !== undefined || !/^\s+loss /.test(l));
    const probes = Array.from({ length: 3 }, () => {
      const x = Array.from({ length: net.inputs }, () => Math.round(rng.uniform(-3, 3) * 1000) / 1000);
      return `probe ${net.name} ${vectorSource(x)} -> ${vectorSource(new Array<number>(net.layers.at(-1)!.units).fill(0))}`;
    });
    const out = net.layers.at(-1)!;
    cases.push(withProbes(net.name, [FNS, ...source, ...probes, ''].join('\n'), { [net.name]: { input: 'x', output: out.name, width: net.inputs, units: out.units } }));
  }
  return cases;
}

function exampleCases(): Case[] {
  return fs.readdirSync(path.join(repoRoot(), 'examples')).filter((f) => f.endsWith('.netspec')).map((f) => {
    const text = fs.readFileSync(path.join(repoRoot(), 'examples', f), 'utf8');
    const io: Record<string, { input: string; output: string; width: number; units: number }> = {};
    for (const m of text.matchAll(/^network (\w+) \{([\s\S]*?)^\}/gm)) {
      const input = /input\s+(\w+)\[(\d+)\]/.exec(m[2])!;
      const dense = [...m[2].matchAll(/dense\s+(\w+)\[(\d+)\]/g)].at(-1)!;
      io[m[1]] = { input: input[1], output: dense[1], width: Number(input[2]), units: Number(dense[2]) };
    }
    // One more probe per network, so every network is run at least twice.
    const extra = Object.entries(io).map(([n, s]) => `probe ${n} ${vectorSource(Array.from({ length: s.width }, (_, j) => 0.5 - j * 0.75))} -> ${vectorSource(new Array<number>(s.units).fill(0))}`);
    return withProbes(f.replace(/\.netspec$/, ''), `${text}\n${extra.join('\n')}\n`, io);
  });
}

/** Derived input features, standardized inputs under them, and a constant feature. */
function featureCase(): Case {
  const text = `network feat {
  input p[2] features [p1, p2, p1 * p2, sin(p1), p2 ^ 2, 0.5, mish(p2)]
  dense h[3] tanh
  dense out[2] softmax
  loss cross_entropy
  init xavier seed 5
}
fn mish(z) = z * tanh(softplus(z))
data d {
  [0.5, -1] -> [1, 0]
  [2, 0.25] -> [0, 1]
  [-1.5, 3] -> [1, 0]
} standardize
train feat on d { epochs 3 }
probe feat [0.3, -0.7] -> [1, 0]
probe feat [-2, 1.5] -> [0, 1]
probe feat [4, 0] -> [0, 1]
`;
  return withProbes('features', text, { feat: { input: 'p', output: 'out', width: 2, units: 2 } });
}

/** `netspec export --to onnx` for each network of a case, in both element types; the model files. */
function exportCase(c: Case, dtype: 'float32' | 'float64'): Map<string, string> {
  const file = path.join(tmp, `${c.name}.netspec`);
  const models = new Map<string, string>();
  for (const n of c.networks) {
    const out = path.join(tmp, `${c.name}.${n.name}.${dtype}.onnx`);
    const r = netspec(['export', file, '--network', n.name, '--to', 'onnx', '--dtype', dtype, '-o', out, '--force']);
    assert.equal(r.code, 0, `${c.name}/${n.name} ${dtype}: ${r.err}`);
    models.set(n.name, out);
  }
  return models;
}

/** ONNX's checker over every model in one python: the models that fail, with why. */
function checkModels(files: string[]): { file: string; error: string }[] {
  const script = `
import json, sys
try:
    import onnx
except ImportError:
    sys.exit(3)
failed = []
for f in json.load(sys.stdin):
    try:
        onnx.checker.check_model(onnx.load(f), full_check=True)
    except Exception as e:
        failed.append({"file": f, "error": str(e)[:500]})
print(json.dumps(failed))
`;
  const r = spawnSync(PYTHON, ['-c', script], { input: JSON.stringify(files), encoding: 'utf8', maxBuffer: 16 << 20 });
  if (r.error || r.status === 3) throw new Error(`${ONNX_MISSING}${r.error ? ` (${r.error.message})` : ''}`);
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout);
}

/** The model run by ONNX Runtime on the rows; undefined when the runtime has no kernel for an operator in this type. */
async function runModel(file: string, input: string, output: string, rows: number[][], dtype: 'float32' | 'float64'): Promise<number[][] | undefined> {
  let session: ort.InferenceSession;
  try {
    // float64 without the runtime's fusions, which rewrite some subgraphs into float-only kernels
    // (x·σ(x) into QuickGelu): the graph as written, in doubles.
    session = await ort.InferenceSession.create(file, dtype === 'float64' ? { graphOptimizationLevel: 'disabled' } : {});
  } catch (err) {
    if (dtype === 'float64' && /Could not find an implementation|Failed to find kernel/.test(String(err))) return undefined;
    throw err;
  }
  const width = rows[0].length;
  const data = dtype === 'float32' ? Float32Array.from(rows.flat()) : Float64Array.from(rows.flat());
  const r = await session.run({ [input]: new ort.Tensor(dtype, data, [rows.length, width]) });
  const y = r[output];
  assert.ok(y, `the model has an output named ${output}: ${Object.keys(r)}`);
  const units = Number(y.dims[1]);
  const flat = Array.from(y.data as Float32Array | Float64Array);
  await session.release();
  return rows.map((_, i) => flat.slice(i * units, (i + 1) * units));
}

test('every example and random networks of every activation: ONNX\'s checker accepts them and ONNX Runtime computes netspec grad\'s outputs', async () => {
  ort.env.wasm.numThreads = 1;
  const cases = [...exampleCases(), ...randomCases(), featureCase()];
  const activations = new Set(cases.flatMap((c) => [...c.text.matchAll(/^\s+dense \w+\[\d+\] (\w+)/gm)].map((m) => m[1])));
  for (const a of HIDDEN.map((h) => parseActivation(h).activation)) assert.ok(activations.has(a), `the cases cover ${a}`);
  const models = { float32: cases.map((c) => exportCase(c, 'float32')), float64: cases.map((c) => exportCase(c, 'float64')) };
  const failed = checkModels([...models.float32, ...models.float64].flatMap((m) => [...m.values()]));
  assert.deepEqual(failed, []);
  const noKernels: string[] = [];
  let compared64 = 0;
  for (const dtype of ['float32', 'float64'] as const) {
    const tolerance = dtype === 'float32' ? 1e-5 : 1e-12;
    for (const [ci, c] of cases.entries()) {
      for (const n of c.networks) {
        assert.ok(n.probes.length >= 1, `${c.name}/${n.name} has probes`);
        const got = await runModel(models[dtype][ci].get(n.name)!, n.input, n.output, n.probes.map((p) => p.input), dtype);
        if (!got) {
          noKernels.push(`${c.name}/${n.name}`);
          continue;
        }
        if (dtype === 'float64') compared64++;
        n.probes.forEach((p, i) => p.output.forEach((want, k) => {
          const have = got[i][k];
          assert.ok(Math.abs(have - want) <= tolerance * Math.max(1, Math.abs(want)), `${c.name}/${n.name} ${dtype} at ${JSON.stringify(p.input)} output ${k}: ONNX Runtime ${have}, netspec ${want}`);
        }));
      }
    }
  }
  // The runtime lacks float64 kernels for some operators (Erf, Sin, …); most networks still run in float64.
  assert.ok(compared64 >= cases.length / 2, `float64 compared on ${compared64} networks; no kernels for ${noKernels.join(', ')}`);
});

test('netspec export --to onnx: the graph\'s names and doc strings, --trained equal to netspec train\'s weights, and clear errors', () => {
  const xor = path.join(repoRoot(), 'examples', 'xor.netspec');
  const out = path.join(tmp, 'xor.trained.onnx');
  const r = netspec(['export', xor, '--to', 'onnx', '--trained', '--dtype', 'float64', '-o', out]);
  assert.equal(r.code, 0, r.err);
  assert.equal(r.out, `${out}\n`);
  const train = netspec(['train', xor, '--json']);
  assert.equal(train.code, 0, train.err);
  const layers = JSON.parse(train.out).runs[0].layers as Record<string, { W: number[][]; b: number[] }>;
  const read = spawnSync(PYTHON, ['-c', `
import json, sys, onnx
from onnx import numpy_helper
m = onnx.load(sys.argv[1])
print(json.dumps({
  "ir": m.ir_version, "opset": [o.version for o in m.opset_import], "producer": m.producer_name, "doc": m.doc_string,
  "inputs": [(i.name, [d.dim_param or d.dim_value for d in i.type.tensor_type.shape.dim]) for i in m.graph.input],
  "outputs": [(o.name, [d.dim_param or d.dim_value for d in o.type.tensor_type.shape.dim]) for o in m.graph.output],
  "init": {t.name: numpy_helper.to_array(t).tolist() for t in m.graph.initializer if "." in t.name},
  "nodes": [(n.op_type, n.doc_string) for n in m.graph.node],
}))
`, out], { encoding: 'utf8' });
  if (read.status === 1 && /No module named 'onnx'/.test(read.stderr)) throw new Error(ONNX_MISSING);
  assert.equal(read.status, 0, read.stderr);
  const m = JSON.parse(read.stdout);
  assert.equal(m.ir, 8);
  assert.deepEqual(m.opset, [17]);
  assert.equal(m.producer, 'NetSpec');
  assert.match(m.doc, /^The network `xor` of xor\.netspec \(line 2\), its forward pass with its trained weights \(line 17: 2000 epochs on `xor_data`/);
  assert.deepEqual(m.inputs, [['x', ['N', 2]]]);
  assert.deepEqual(m.outputs, [['y', ['N', 1]]]);
  assert.deepEqual(m.init['h.weight'], layers.h.W);
  assert.deepEqual(m.init['h.bias'], layers.h.b);
  assert.deepEqual(m.init['y.weight'], layers.y.W);
  assert.deepEqual(m.init['y.bias'], layers.y.b);
  assert.deepEqual(m.nodes.map((n: [string, string]) => n[0]), ['MatMul', 'Add', 'Tanh', 'MatMul', 'Add', 'Sigmoid']);
  assert.equal(m.nodes[0][1], 'xor.netspec:4: dense  h[4] tanh');

  // The default: float32, FILE.NAME.onnx beside the spec, never replaced without --force.
  const dir = fs.mkdtempSync(path.join(tmp, 'beside-'));
  fs.copyFileSync(xor, path.join(dir, 'xor.netspec'));
  const first = netspec(['export', path.join(dir, 'xor.netspec'), '--to', 'onnx']);
  assert.equal(first.code, 0, first.err);
  assert.ok(fs.existsSync(path.join(dir, 'xor.xor.onnx')));
  const again = netspec(['export', path.join(dir, 'xor.netspec'), '--to', 'onnx']);
  assert.equal(again.code, 2);
  assert.match(again.err, /already exists; use --force/);
  // -o - writes the bytes themselves.
  const stdout = spawnSync(process.execPath, [cliPath(), 'export', xor, '--to', 'onnx', '-o', '-']);
  assert.equal(stdout.status, 0);
  assert.deepEqual(stdout.stdout, fs.readFileSync(path.join(dir, 'xor.xor.onnx')));

  const usage = [
    [['export', xor, '--to', 'onnx', '--dtype', 'float16'], /--dtype float16: the types are float32 and float64/],
    [['export', xor, '--to', 'pytorch', '--trained'], /--trained is an option of export --to onnx/],
    [['train', xor, '--dtype', 'float64'], /--dtype is an option of export --to onnx, not of train/],
    [['export', xor, '--to', 'tflite'], /the targets are pytorch and onnx/],
    [['export', xor, '--to', 'onnx', '--network', 'nope'], /has no network named `nope`: it defines `xor`/],
  ] as const;
  for (const [args, message] of usage) {
    const u = netspec([...args]);
    assert.equal(u.code, 2, `${args.join(' ')}: ${u.err}`);
    assert.match(u.err, message);
    assert.doesNotMatch(u.err, /\n\s+at .+:\d+:\d+/);
  }
  const noTrain = path.join(tmp, 'untrained.netspec');
  fs.writeFileSync(noTrain, 'network n {\n  input x[1]\n  dense y[1] tanh\n}\n');
  const t = netspec(['export', noTrain, '--to', 'onnx', '--trained']);
  assert.equal(t.code, 2);
  assert.match(t.err, /--trained runs the network's first `train` statement, and `n` has none/);
  assert.equal(netspec(['export', noTrain, '--to', 'onnx', '-o', path.join(tmp, 'untrained.onnx')]).code, 0, 'no train statement is needed');
  // What has no translation is an error naming it, and nothing is written.
  const curved = path.join(tmp, 'curved.netspec');
  fs.writeFileSync(curved, "fn bend(z) = sigmoid''(z)\nnetwork n {\n  input x[1]\n  dense y[1] bend\n}\n");
  const c = netspec(['export', curved, '--to', 'onnx', '-o', path.join(tmp, 'curved.onnx')]);
  assert.equal(c.code, 1, c.err);
  assert.match(c.err, /`sigmoid''\(…\)`: derivatives of built-in functions above the first are not exported/);
  assert.ok(!fs.existsSync(path.join(tmp, 'curved.onnx')));
});
