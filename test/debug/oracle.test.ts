/**
 * The debug adapter over stdio (`node dist/debugAdapter.js`), whole sessions on random networks:
 * every activation of the engine's list (softmax and a user fn too) and every loss, stepped with
 * Step Over from the probe to the end. At each stop the top frame must be the stage (`forward L`,
 * `loss`, `backward L`) on its line, and every variable, expanded to its numbers, must equal the
 * engine's probe to the last bit and PyTorch float64 autograd (test/oracle/torch_oracle.py) to
 * 1e-9; a step past the last stage ends the session. And the README's promise on
 * examples/xor.netspec: every δ and dE/dw the Variables view shows is `netspec grad --json`'s.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after as afterAll, test } from 'node:test';
import { analyze } from '../../server/src/analysis/analyze';
import { SCALAR_FUNCTIONS, scalarFunction } from '../../server/src/engine/activations';
import { lossAndGradient, type LossName } from '../../server/src/engine/losses';
import { softmaxJacobian } from '../../server/src/engine/softmax';
import type { Value } from '../../server/src/engine/value';
import { Discrepancies, oracle, runCli, type OracleProbe } from '../oracle/oracle';
import { DapClient, launched, walk, type Stop } from '../support/dap';
import { drawNetwork, drawParameters, networkSource, oracleLayers, vectorSource, type RandomNetwork } from '../support/networks';
import { repoRoot } from '../support/paths';
import { SeededRandom } from '../support/random';

const LOSSES: readonly LossName[] = ['squared_error', 'mse', 'cross_entropy', 'binary_cross_entropy'];
/** Every layer activation of the engine's list, softmax, and a user fn (the oracle's `mish`). */
const ACTIVATIONS: readonly string[] = [...SCALAR_FUNCTIONS.filter((f) => f.activation).map((f) => f.name), 'softmax', 'mish'];
const MISH = 'fn mish(z) = z * tanh(softplus(z))';
const NETWORKS = 16;
/** torch's sigmoid' and tanh' lose digits where they saturate; the networks stay where it is accurate. */
const MAX_Z = 6;

interface Case {
  net: RandomNetwork;
  x: number[];
  t: number[];
  /** 1-based lines of the probe, of each dense layer, and of the loss. */
  probeLine: number;
  layerLines: number[];
  lossLine: number;
}

/**
 * The networks, as one file: layer activations cycle through ACTIVATIONS (parametrised ones with
 * drawn parameters every other time); each loss in turn, its output matched with it or not (a
 * probability output for the cross-entropies, which take logarithms of it).
 */
function generate(): { text: string; cases: Case[] } {
  const rng = new SeededRandom(1613);
  const lines = [MISH, ''];
  const cases: Case[] = [];
  let cycle = 0;
  for (let n = 0; n < NETWORKS; n++) {
    const loss = LOSSES[n % LOSSES.length];
    const matched = n % 8 < 4;
    const shape = drawNetwork(rng, {
      name: `n${n}`, loss, inputs: [1, 4], depth: [1, 3], units: [1, 4], nobias: { hidden: 0.25, output: 0.25 },
      layer: ({ output }) => {
        let activation: string;
        if (output && loss === 'cross_entropy') activation = matched ? 'softmax' : 'sigmoid';
        else if (output && loss === 'binary_cross_entropy') activation = matched ? 'sigmoid' : 'softmax';
        else activation = ACTIVATIONS[cycle++ % ACTIVATIONS.length];
        const f = scalarFunction(activation);
        const params = f && f.params.length && cycle % 2 === 0 ? f.params.map((p) => Math.round(p.default * rng.uniform(0.5, 1.5) * 1000) / 1000) : [];
        return { activation, params, units: activation === 'softmax' ? [2, 4] : undefined };
      },
    });
    const K = shape.layers[shape.layers.length - 1].units;
    const t = loss === 'cross_entropy' ? normalised(Array.from({ length: K }, () => rng.uniform(0.05, 1))) : Array.from({ length: K }, () => (loss === 'binary_cross_entropy' ? rng.next() : rng.uniform(-1.5, 1.5)));
    for (let attempt = 0; ; attempt++) {
      if (attempt > 1000) throw new Error(`network n${n}: no parameters with |z| <= ${MAX_Z} in 1000 draws`);
      const net = drawParameters(rng, shape, { W: 1.5, b: 1 });
      const x = Array.from({ length: shape.inputs }, () => rng.uniform(-2, 2));
      const block = networkSource(net);
      const first = lines.length + 1;
      const candidate = [...lines, ...block, `probe ${net.name} ${vectorSource(x)} -> ${vectorSource(t)}`, ''];
      const a = analyze(candidate.join('\n'));
      const probe = a.probes[a.probes.length - 1];
      if (!probe.result || probe.result.layers.some((l) => l.trace.z.some((z) => Math.abs(z) > MAX_Z))) continue;
      lines.splice(0, lines.length, ...candidate);
      // networkSource: `network`, `input`, one `dense` line per layer, then `loss`.
      const layerLines = net.layers.map((_, i) => first + 2 + i);
      cases.push({ net, x, t, probeLine: first + block.length, layerLines, lossLine: first + 2 + net.layers.length });
      break;
    }
  }
  return { text: lines.join('\n'), cases };
}

const normalised = (w: number[]) => w.map((v) => v / w.reduce((a, b) => a + b, 0));

/** The stages a session must stop at, in order: names and lines. */
function expectedStages(c: Case): { name: string; line: number }[] {
  const L = c.net.layers;
  return [
    { name: `probe ${c.net.name}`, line: c.probeLine },
    ...L.map((l, i) => ({ name: `forward ${l.name}`, line: c.layerLines[i] })),
    { name: 'loss', line: c.lossLine },
    ...[...L].reverse().map((l, r) => ({ name: `backward ${l.name}`, line: c.layerLines[L.length - 1 - r] })),
  ];
}

/** What each stop must show, by variable name, from the oracle's autograd and the spec's own numbers. */
function fromOracle(c: Case, o: OracleProbe, stage: string): Map<string, Value> {
  const L = c.net.layers;
  const m = new Map<string, Value>();
  if (stage.startsWith('probe')) return m.set('input', c.x).set('target', c.t);
  if (stage === 'loss') return m.set('E', o.loss).set('output', o.output).set('target', c.t).set('dE/dy', o.dy);
  const [kind, name] = stage.split(' ');
  const l = L.findIndex((layer) => layer.name === name);
  const ol = o.layers[l];
  if (kind === 'forward') {
    m.set('x', ol.x).set('W', L[l].W);
    if (L[l].bias) m.set('b', L[l].b);
    return m.set('z', ol.z).set('g(z)', ol.y);
  }
  m.set('x', ol.x).set('z', ol.z).set("g'(z)", ol.jacobian ?? ol.gprime!);
  if (l === L.length - 1) m.set('dE/dy', o.dy);
  else m.set('W_next', L[l + 1].W).set('delta_next', o.layers[l + 1].delta);
  m.set('delta', ol.delta).set('dE/dW', ol.dW);
  if (L[l].bias) m.set('dE/db', ol.db!);
  return m;
}

/** The same, from the engine's own probe of the analysed file (network.ts `probe`, through analyze). */
function fromEngine(text: string, c: Case, stage: string): Map<string, Value> {
  const a = analyze(text);
  const p = a.probes.find((q) => q.line === c.probeLine)!;
  const r = p.result!;
  const net = a.program.networks.get(c.net.name)!.network!;
  const rows = (l: number) => Array.from({ length: net.layers[l].inputs }, (_, j) => Array.from(net.layers[l].W.subarray(j * net.layers[l].units, (j + 1) * net.layers[l].units)));
  const out = r.layers[r.layers.length - 1].trace;
  const dy = new Float64Array(out.y.length);
  lossAndGradient(net.loss, 'other', out.z, out.y, c.t, dy);
  const m = new Map<string, Value>();
  if (stage.startsWith('probe')) return m.set('input', p.input!).set('target', p.target!);
  if (stage === 'loss') return m.set('E', r.loss).set('output', r.output).set('target', p.target!).set('dE/dy', Array.from(dy));
  const [kind, name] = stage.split(' ');
  const l = net.layers.findIndex((layer) => layer.name === name);
  const g = r.layers[l];
  if (kind === 'forward') {
    m.set('x', Array.from(g.trace.x)).set('W', rows(l));
    if (net.layers[l].hasBias) m.set('b', Array.from(net.layers[l].b));
    return m.set('z', Array.from(g.trace.z)).set('g(z)', Array.from(g.trace.y));
  }
  m.set('x', Array.from(g.trace.x)).set('z', Array.from(g.trace.z));
  m.set("g'(z)", g.trace.gprime ? Array.from(g.trace.gprime) : softmaxJacobian(Array.from(g.trace.y)));
  if (l === net.layers.length - 1) m.set('dE/dy', Array.from(dy));
  else m.set('W_next', rows(l + 1)).set('delta_next', r.layers[l + 1].delta);
  m.set('delta', g.delta).set('dE/dW', g.dW);
  if (g.db) m.set('dE/db', g.db);
  return m;
}

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'netspec-debug-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

test('Step Over walks every random network\'s probe stage by stage; every variable is the engine\'s to the bit and torch autograd\'s to 1e-9', async () => {
  const { text, cases } = generate();
  const file = path.join(dir, 'random.netspec');
  fs.writeFileSync(file, text);
  assert.deepEqual(analyze(text).diagnostics.filter((d) => d.severity === 'error'), [], 'the generated file has no errors');
  const used = new Set(cases.flatMap((c) => c.net.layers.map((l) => l.activation)));
  assert.deepEqual(ACTIVATIONS.filter((a) => !used.has(a)), [], 'every activation is a layer of some network');
  assert.deepEqual(LOSSES.filter((l) => !cases.some((c) => c.net.loss === l)), [], 'every loss is some network\'s');
  assert.ok(cases.some((c) => c.net.layers.length > 1) && cases.some((c) => c.net.layers.some((l) => !l.bias)), 'hidden layers and nobias layers occur');

  const answers = oracle(cases.map((c) => ({ kind: 'probe' as const, inputs: c.net.inputs, loss: c.net.loss, x: c.x, t: c.t, layers: oracleLayers(c.net) }))) as OracleProbe[];
  const d = new Discrepancies();
  let compared = 0;
  for (const [i, c] of cases.entries()) {
    const client = await DapClient.start();
    try {
      const { first } = await launched(client, { program: file, probe: c.probeLine });
      assert.equal(first, 'stopped', `${c.net.name}: the session stops on entry`);
      const stops = await walk(client);
      assert.deepEqual(stops.map((s) => ({ name: s.name, line: s.line })), expectedStages(c), `${c.net.name}: the stages, their order and their lines`);
      for (const [k, s] of stops.entries()) {
        assert.deepEqual(s.below, k === 0 ? [] : [`probe ${c.net.name}`], `${c.net.name} ${s.name}: the probe's frame is below the stage's`);
        const want = fromOracle(c, answers[i], s.name);
        const engine = fromEngine(text, c, s.name);
        assert.deepEqual([...s.values.keys()], [...want.keys()], `${c.net.name} ${s.name}: the variables and their order`);
        for (const [name, value] of s.values) {
          // Bit for bit: String(x) is x's shortest round-trip form.
          assert.deepEqual(value, engine.get(name), `${c.net.name} ${s.name} ${name}: the engine's probe`);
          d.check(`${c.net.name} (${c.net.loss}) ${s.name} ${name}`, value, want.get(name));
          compared++;
        }
      }
    } finally {
      await client.close();
    }
  }
  d.assertNone('the debugger against torch autograd');
  assert.ok(compared > 200, `only ${compared} variables compared`);
});

test('examples/xor.netspec: every δ, dE/dW and dE/db the Variables view shows is `netspec grad --json`\'s', async () => {
  const program = path.join(repoRoot(), 'examples', 'xor.netspec');
  const grad = runCli(['grad', program, '--json']);
  assert.equal(grad.status, 0, grad.stderr);
  const probe = grad.json.probes[0] as { line: number; layers: Record<string, { dW: number[][]; db: number[] | null; delta: number[] }> };
  const client = await DapClient.start();
  try {
    await launched(client, { program });
    const stops: Stop[] = await walk(client);
    const backward = stops.filter((s) => s.name.startsWith('backward'));
    assert.deepEqual(backward.map((s) => s.name), ['backward y', 'backward h']);
    // JSON has no −0: the CLI writes it as 0, so the comparison reads the debugger's numbers through JSON too.
    const json = (v: unknown) => JSON.parse(JSON.stringify(v)) as unknown;
    for (const s of backward) {
      const layer = probe.layers[s.name.split(' ')[1]];
      assert.deepEqual(json(s.values.get('delta')), layer.delta);
      assert.deepEqual(json(s.values.get('dE/dW')), layer.dW);
      assert.deepEqual(json(s.values.get('dE/db')), layer.db);
    }
    assert.equal(stops[0].line, probe.line, 'the session starts on the probe the CLI reports');
  } finally {
    await client.close();
  }
});
