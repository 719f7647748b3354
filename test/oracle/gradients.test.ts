/**
 * `netspec grad` against an independent oracle. Forty networks drawn from a fixed seed (1-3 dense
 * layers of 1-5 units; every activation of the engine's list, softmax and user fns; nobias
 * layers; every loss, matched and mismatched with the output) are written as .netspec files with
 * explicit weights, and the CLI's output, loss, dE/dW, dE/db and delta are checked
 *  1. against PyTorch autograd (float64), to 1e-9 relative;
 *  2. against central finite differences of the engine's own loss, to 1e-6 relative;
 *  3. at the output layer under squared_error, against the chain rule's factorisation
 *     dE/dw_{j,k} = (y_k - t_k) g'(z_k) x_j.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { scalarFunction, SCALAR_FUNCTIONS } from '../../server/src/engine/activations';
import * as E from '../../server/src/engine/expr';
import type { LossName } from '../../server/src/engine/losses';
import { buildNetwork, builtinActivation, forward, probe, type Activation, type Network } from '../../server/src/engine/network';
import { aliasesOf, VECTOR_ACTIVATIONS } from '../support/builtins';
import { activationSource, drawNetwork, drawParameters, networkSource, oracleLayers, vectorSource, type ActivationChoice, type RandomNetwork } from '../support/networks';
import { SeededRandom } from '../support/random';
import { centralDifference, Discrepancies, oracle, runCli, type OracleProbe } from './oracle';

// ---- the activations, as NetSpec writes them and as the oracle and the engine know them --------
// A layer's activation is its name in the file, the oracle and the engine (aliases kept: silu and
// identity are tested as written), with explicit parameters (`leaky_relu(0.2)`) or none (the defaults).

/** User fns used as activations: NetSpec source, and the same body as an engine expression. */
const USER_FNS: Record<string, { source: string; body: E.Expr }> = {
  mish: {
    source: 'fn mish(z) = z * tanh(softplus(z))',
    body: E.mul({ op: 'var', name: 'z' }, E.call('tanh', 0, [E.call('softplus', 0, [{ op: 'var', name: 'z' }])])),
  },
  softsign_fn: {
    source: 'fn softsign_fn(z) = z / (1 + abs(z))',
    body: E.div({ op: 'var', name: 'z' }, E.add(E.num(1), E.call('abs', 0, [{ op: 'var', name: 'z' }]))),
  },
};

/**
 * Every activation of the engine's list, in its order: the parametrised ones with and without
 * explicit parameters (`leaky_relu(a)`), each followed by its aliases; softmax; the user fns.
 */
const ALL: readonly string[] = [
  ...SCALAR_FUNCTIONS.filter((f) => f.activation).flatMap((f) => [f.name, ...(f.params.length ? [`${f.name}(a)`] : []), ...aliasesOf(f.name)]),
  ...VECTOR_ACTIVATIONS,
  ...Object.keys(USER_FNS),
];
/**
 * Those torch differentiates accurately at any |z|. torch's sigmoid' is y(1 - y) and tanh' is
 * 1 - y², from a y that rounds near 1: at z = 10, tanh' loses 1e-8 relative there. Networks that
 * reach large |z| (the saturated ones below) use only these; the others keep |z| <= 6.
 */
const SATURATION_SAFE: readonly string[] = ['relu', 'leaky_relu(a)', 'elu(a)', 'linear', 'softplus', 'gelu', 'swish', 'mish'];
const MAX_ORDINARY_Z = 6;

/** A network of test/support/networks.ts with its probe. */
interface NetCase extends RandomNetwork {
  x: number[];
  t: number[];
  /** What the case is for, shown in failures. */
  note: string;
}

// ---- the random networks ------------------------------------------------------------------------
// Drawn by test/support/networks.ts: the shape from this test's plans and activation cycle, the
// parameters redrawn (with the input x) until they suit the case; the targets are the plan's.

type Plan = {
  loss: LossName;
  /** The output activation, or undefined for any (from the cycle). */
  output?: string;
  /** How to draw targets. */
  target: 'real' | 'probability' | 'one-hot' | 'unit' | 'binary';
  note: string;
};

/** Ten plans, each used four times: every loss, matched and mismatched with the output. */
const PLANS: readonly Plan[] = [
  { loss: 'squared_error', output: 'scalar', target: 'real', note: 'squared_error (factorisation checked)' },
  { loss: 'mse', target: 'real', note: 'mse' },
  { loss: 'cross_entropy', output: 'softmax', target: 'probability', note: 'softmax + cross_entropy' },
  { loss: 'binary_cross_entropy', output: 'sigmoid', target: 'unit', note: 'sigmoid + binary_cross_entropy' },
  { loss: 'squared_error', output: 'scalar', target: 'real', note: 'squared_error (factorisation checked)' },
  { loss: 'cross_entropy', output: 'positive', target: 'probability', note: 'cross_entropy on a sigmoid/softplus output (mismatched, finite)' },
  { loss: 'binary_cross_entropy', output: 'softmax', target: 'unit', note: 'binary_cross_entropy on a softmax output (mismatched, finite)' },
  { loss: 'squared_error', target: 'real', note: 'squared_error, any output' },
  { loss: 'cross_entropy', output: 'softmax', target: 'one-hot', note: 'softmax + cross_entropy, one-hot target' },
  { loss: 'binary_cross_entropy', output: 'sigmoid', target: 'binary', note: 'sigmoid + binary_cross_entropy, targets 0 and 1' },
];
const NETWORKS = 40;
const SATURATED = 4; // the last four: large weights, |z| well past 10 at the output

function parseChoice(entry: string, rng: SeededRandom): ActivationChoice {
  if (entry === 'leaky_relu(a)') return { activation: 'leaky_relu', params: [round3(rng.uniform(0.01, 0.5))] };
  if (entry === 'elu(a)') return { activation: 'elu', params: [round3(rng.uniform(0.2, 2))] };
  const explicit = /^(\w+)\(a\)$/.exec(entry);
  if (explicit) {
    // Another parametrised built-in: its parameters drawn between half and one and a half times their defaults.
    const f = scalarFunction(explicit[1])!;
    return { activation: f.name, params: f.params.map((p) => round3(p.default * rng.uniform(0.5, 1.5))) };
  }
  return { activation: entry, params: [] };
}
const round3 = (x: number) => Math.round(x * 1000) / 1000;

function generate(): NetCase[] {
  const rng = new SeededRandom(20240611);
  const cases: NetCase[] = [];
  let cycle = 0;
  let safeCycle = 0;
  for (let n = 0; n < NETWORKS; n++) {
    const saturated = n >= NETWORKS - SATURATED;
    const plan: Plan = saturated
      ? n % 2 === 0
        ? { loss: 'cross_entropy', output: 'softmax', target: 'probability', note: 'saturated softmax + cross_entropy' }
        : { loss: 'binary_cross_entropy', output: 'sigmoid', target: 'unit', note: 'saturated sigmoid + binary_cross_entropy' }
      : PLANS[n % PLANS.length];
    const shape = drawNetwork(rng, {
      name: `n${n}`,
      loss: plan.loss,
      inputs: [1, 5],
      depth: [1, 3],
      units: [1, 5],
      nobias: { hidden: 0.25, output: 0.25 },
      layer: ({ output }) => {
        let entry: string;
        if (output && plan.output === 'scalar') {
          do entry = ALL[cycle++ % ALL.length];
          while (entry === 'softmax');
        } else if (output && plan.output === 'positive') entry = rng.pick(['sigmoid', 'softplus']);
        else if (output && plan.output) entry = plan.output;
        else entry = saturated ? SATURATION_SAFE[safeCycle++ % SATURATION_SAFE.length] : ALL[cycle++ % ALL.length];
        const act = parseChoice(entry, rng);
        return { ...act, units: act.activation === 'softmax' ? [2, 5] : undefined };
      },
    });
    const t = targets(plan.target, shape.layers[shape.layers.length - 1].units, rng);
    // Parameters: redrawn until the pre-activations stay where torch is accurate (ordinary
    // networks), or until the output saturates (the saturated ones). A saturated network of one
    // input and one layer rarely reaches |z| ≥ 12 with weights of 6 at most (|x| ≤ 2, |b| ≤ 1):
    // after a thousand draws its weights may grow to 12.
    for (let attempt = 0; ; attempt++) {
      if (attempt > 2000) throw new Error(`network n${n}: no acceptable parameters in 2000 draws`);
      const x = Array.from({ length: shape.inputs }, () => rng.uniform(-2, 2));
      const net = drawParameters(rng, shape, { W: saturated ? (attempt <= 1000 ? 6 : 12) : 1.5, b: 1 });
      const zs = forward(engineNetwork(net), x).map((tr) => Array.from(tr.z));
      const maxZ = Math.max(...zs.flat().map(Math.abs));
      const maxOut = Math.max(...zs[zs.length - 1].map(Math.abs));
      if (saturated ? maxOut >= 12 && maxZ <= 200 : maxZ <= MAX_ORDINARY_Z) {
        cases.push({ ...net, x, t, note: plan.note });
        break;
      }
    }
  }
  return cases;
}

function targets(kind: Plan['target'], K: number, rng: SeededRandom): number[] {
  switch (kind) {
    case 'real':
      return Array.from({ length: K }, () => rng.uniform(-1.5, 1.5));
    case 'probability': {
      const w = Array.from({ length: K }, () => rng.uniform(0.05, 1.05));
      const s = w.reduce((a, b) => a + b, 0);
      return w.map((v) => v / s);
    }
    case 'one-hot': {
      const hot = rng.int(0, K - 1);
      return Array.from({ length: K }, (_, k) => (k === hot ? 1 : 0));
    }
    case 'unit':
      return Array.from({ length: K }, () => rng.next());
    case 'binary':
      return Array.from({ length: K }, (_, k) => (k % 2 === 0 ? 1 : 0));
  }
}

// ---- the same network three ways: NetSpec source, oracle request, engine object --------------------

function source(cases: NetCase[]): { text: string; probeLines: number[] } {
  const lines = Object.values(USER_FNS).map((f) => f.source);
  lines.push('');
  const probeLines: number[] = [];
  for (const c of cases) {
    lines.push(`# ${c.note}`, ...networkSource(c));
    lines.push(`probe ${c.name} ${vectorSource(c.x)} -> ${vectorSource(c.t)}`);
    probeLines.push(lines.length); // 1-based: the line just pushed (every entry is one line)
    lines.push('');
  }
  return { text: lines.join('\n'), probeLines };
}

function oracleRequest(c: NetCase) {
  return { kind: 'probe' as const, inputs: c.inputs, loss: c.loss, x: c.x, t: c.t, layers: oracleLayers(c) };
}

/** A user fn as a layer activation, from the engine's symbolic expressions. */
function userActivation(name: string): Activation {
  const env: E.Environment = { vars: { get: () => undefined }, fns: new Map([[name, { param: 'z', body: USER_FNS[name].body }]]) };
  const at = (order: number, z: number) => E.evaluate(E.call(name, order, [E.num(z)]), env) as number;
  return { kind: 'scalar', name, value: (z) => at(0, z), derivative: (z) => at(1, z) };
}

function engineNetwork(net: RandomNetwork): Network {
  const specs = net.layers.map((L) => {
    const activation = USER_FNS[L.activation] ? userActivation(L.activation) : builtinActivation(L.activation, L.params);
    if (!activation) throw new Error(`the engine has no activation ${L.activation}`);
    return { name: L.name, units: L.units, activation, hasBias: L.bias, W: L.W, b: L.bias ? L.b : undefined };
  });
  return buildNetwork(net.name, net.inputs, specs, net.loss, { scheme: 'zeros', seed: 0 });
}

// ---- running it once ------------------------------------------------------------------------------

interface CliProbe {
  line: number;
  network: string;
  output: number[];
  loss: number;
  layers: Record<string, { dW: number[][]; db: number[] | null; delta: number[] }>;
}

let memo: { cases: NetCase[]; probes: CliProbe[]; probeLines: number[] } | undefined;

/** The cases and the CLI's answers for them: one file, one process. */
function cliResults() {
  if (memo) return memo;
  const cases = generate();
  const { text, probeLines } = source(cases);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'netspec-oracle-'));
  try {
    const file = path.join(dir, 'gradients.netspec');
    fs.writeFileSync(file, text);
    const r = runCli(['grad', file, '--json']);
    assert.equal(r.status, 0, `netspec grad failed (exit ${r.status}):\n${r.stderr}`);
    const probes = r.json.probes as CliProbe[];
    assert.equal(probes.length, cases.length, 'one probe result per probe');
    memo = { cases, probes, probeLines };
    return memo;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

let oracleMemo: OracleProbe[] | undefined;
function oracleResults(cases: NetCase[]): OracleProbe[] {
  oracleMemo ??= oracle(cases.map(oracleRequest)) as OracleProbe[];
  return oracleMemo;
}

const describe = (c: NetCase) =>
  `${c.name} (${c.note}; ${c.inputs} -> ${c.layers.map((L) => `${L.units} ${activationSource(L)}${L.bias ? '' : ' nobias'}`).join(' -> ')}, ${c.loss})`;

// ---- the tests ------------------------------------------------------------------------------------

test('the random networks cover every activation, every loss and nobias layers', () => {
  const { cases } = cliResults();
  const used = new Set(cases.flatMap((c) => c.layers.map((L) => L.activation + (L.params.length ? '(a)' : ''))));
  for (const a of ALL) assert.ok(used.has(a), `no network uses ${a}`);
  const hidden = new Set(cases.flatMap((c) => c.layers.slice(0, -1).map((L) => L.activation)));
  assert.ok(hidden.has('softmax'), 'no hidden softmax layer');
  for (const loss of ['squared_error', 'mse', 'cross_entropy', 'binary_cross_entropy']) {
    assert.ok(cases.some((c) => c.loss === loss), `no network uses ${loss}`);
  }
  assert.ok(cases.some((c) => c.layers.some((L) => !L.bias)), 'no nobias layer');
  assert.ok(cases.some((c) => c.layers.length === 3) && cases.some((c) => c.layers.length === 1), 'depths 1 to 3');
});

test('netspec grad matches PyTorch autograd to 1e-9 relative', () => {
  const { cases, probes, probeLines } = cliResults();
  const expected = oracleResults(cases);
  const d = new Discrepancies();
  cases.forEach((c, i) => {
    const got = probes[i];
    const want = expected[i];
    const where = describe(c);
    if (got.line !== probeLines[i] || got.network !== c.name) d.add(`${where}: probe reported as ${got.network} at line ${got.line}, expected line ${probeLines[i]}`);
    if (!got.output) {
      d.add(`${where}: no result (${JSON.stringify(got)})`);
      return;
    }
    d.check(`${where} output`, got.output, want.output);
    d.check(`${where} loss`, got.loss, want.loss);
    c.layers.forEach((L, l) => {
      const g = got.layers[L.name];
      const w = want.layers[l];
      if (!g) {
        d.add(`${where}: layer ${L.name} missing`);
        return;
      }
      d.check(`${where} ${L.name}.delta`, g.delta, w.delta);
      d.check(`${where} ${L.name}.dW`, g.dW, w.dW);
      if (L.bias) d.check(`${where} ${L.name}.db`, g.db, w.db);
      else if (g.db !== null) d.add(`${where} ${L.name}.db: a nobias layer must report "db": null, got ${JSON.stringify(g.db)}`);
    });
  });
  d.assertNone('netspec grad against torch');
});

test('dE/dW and dE/db match central finite differences of the engine loss to 1e-6 relative', () => {
  const { cases, probes } = cliResults();
  const d = new Discrepancies();
  cases.forEach((c, i) => {
    const net = engineNetwork(c);
    const loss = () => probe(net, c.x, c.t).loss;
    const E0 = loss();
    // Rounding in E(w ± h) is ~ε|E| per evaluation, ~ε|E|/h in the quotient (h >= 1e-6): well
    // under this absolute allowance. Truncation, h²E'''/6, is far smaller still.
    const tol = { rel: 1e-6, cutoff: 1e-3, floor: 1e-8 * Math.max(1, Math.abs(E0)) };
    const central = (params: Float64Array, k: number) => centralDifference(params, k, loss);
    net.layers.forEach((layer, l) => {
      const got = probes[i].layers[layer.name];
      const fdW = Array.from({ length: layer.inputs }, (_, j) => Array.from({ length: layer.units }, (_, k) => central(layer.W, j * layer.units + k)));
      d.check(`${describe(c)} ${layer.name}.dW`, got.dW, fdW, tol);
      if (c.layers[l].bias) {
        const fdb = Array.from({ length: layer.units }, (_, k) => central(layer.b, k));
        d.check(`${describe(c)} ${layer.name}.db`, got.db, fdb, tol);
      }
    });
  });
  d.assertNone('netspec grad against finite differences');
});

test("squared_error at the output layer factorises by the chain rule: dE/dw_jk = (y_k - t_k) g'(z_k) x_j", () => {
  const { cases, probes } = cliResults();
  const expected = oracleResults(cases);
  const d = new Discrepancies();
  let checked = 0;
  cases.forEach((c, i) => {
    const out = c.layers[c.layers.length - 1];
    if (c.loss !== 'squared_error' || out.activation === 'softmax') return;
    checked++;
    const { x, gprime } = expected[i].layers[c.layers.length - 1]; // x: the layer's input; g'(z) by autograd
    const y = probes[i].output;
    const factor = y.map((yk, k) => (yk - c.t[k]) * gprime![k]);
    const got = probes[i].layers[out.name];
    d.check(`${describe(c)} ${out.name}.delta = (y - t) g'(z)`, got.delta, factor);
    d.check(`${describe(c)} ${out.name}.dW = (y - t) g'(z) x`, got.dW, x.map((xj) => factor.map((f) => f * xj)));
  });
  assert.ok(checked >= 8, `only ${checked} squared_error networks with an elementwise output`);
  d.assertNone('the chain rule\'s factorisation');
});
