/**
 * `netspec grad` against an independent oracle. Forty networks drawn from a fixed seed (1-3 dense
 * layers of 1-5 units; every activation of the engine's list, softmax and user fns; nobias
 * layers; every loss, matched and mismatched with the output) are written as .netspec files with
 * explicit weights, and the CLI's output, loss, dE/dW, dE/db and delta are checked
 *  1. against PyTorch autograd (float64), to 1e-9 relative;
 *  2. against central finite differences of the engine's own loss, to 1e-6 relative;
 *  3. at the output layer under squared_error, against the seed document's factorisation
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
import { seededRandom } from '../support/random';
import { Discrepancies, literal, oracle, runCli, type OracleLayer, type OracleProbe } from './oracle';

// ---- the activations, as NetSpec writes them and as the oracle and the engine know them --------

interface ActivationChoice {
  /** The name in the file, the oracle and the engine (aliases kept: silu and identity are tested as written). */
  name: string;
  /** Explicit parameters, written `leaky_relu(0.2)`; none means the defaults. */
  params: number[];
}

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

interface LayerCase {
  name: string;
  units: number;
  act: ActivationChoice;
  bias: boolean;
  W: number[][];
  b: number[];
}

interface NetCase {
  name: string;
  inputs: number;
  layers: LayerCase[];
  loss: LossName;
  x: number[];
  t: number[];
  /** What the case is for, shown in failures. */
  note: string;
}

// ---- the random networks ------------------------------------------------------------------------

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

function parseChoice(entry: string, rand: () => number): ActivationChoice {
  if (entry === 'leaky_relu(a)') return { name: 'leaky_relu', params: [round3(0.01 + 0.49 * rand())] };
  if (entry === 'elu(a)') return { name: 'elu', params: [round3(0.2 + 1.8 * rand())] };
  const explicit = /^(\w+)\(a\)$/.exec(entry);
  if (explicit) {
    // Another parametrised built-in: its parameters drawn between half and one and a half times their defaults.
    const f = scalarFunction(explicit[1])!;
    return { name: f.name, params: f.params.map((p) => round3(p.default * (0.5 + rand()))) };
  }
  return { name: entry, params: [] };
}
const round3 = (x: number) => Math.round(x * 1000) / 1000;

function generate(): NetCase[] {
  const rand = seededRandom(20240611);
  const int = (lo: number, hi: number) => lo + Math.floor(rand() * (hi - lo + 1));
  const uniform = (lo: number, hi: number) => lo + (hi - lo) * rand();
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
    const depth = int(1, 3);
    const inputs = int(1, 5);
    const layers: LayerCase[] = [];
    for (let l = 0; l < depth; l++) {
      const last = l === depth - 1;
      let entry: string;
      if (last && plan.output === 'scalar') {
        do entry = ALL[cycle++ % ALL.length];
        while (entry === 'softmax');
      } else if (last && plan.output === 'positive') entry = rand() < 0.5 ? 'sigmoid' : 'softplus';
      else if (last && plan.output) entry = plan.output;
      else entry = saturated ? SATURATION_SAFE[safeCycle++ % SATURATION_SAFE.length] : ALL[cycle++ % ALL.length];
      const act = parseChoice(entry, rand);
      const units = act.name === 'softmax' ? int(2, 5) : int(1, 5);
      const name = last ? 'out' : `h${l + 1}`;
      layers.push({ name, units, act, bias: rand() >= 0.25, W: [], b: [] });
    }
    const K = layers[layers.length - 1].units;
    const t = targets(plan.target, K, rand);
    // Parameters: redrawn until the pre-activations stay where torch is accurate (ordinary
    // networks), or until the output saturates (the saturated ones). A saturated network of one
    // input and one layer rarely reaches |z| ≥ 12 with weights of 6 at most (|x| ≤ 2, |b| ≤ 1):
    // after a thousand draws its weights may grow to 12. (Networks found sooner draw as before.)
    let x: number[];
    for (let attempt = 0; ; attempt++) {
      if (attempt > 2000) throw new Error(`network n${n}: no acceptable parameters in 2000 draws`);
      const scale = saturated ? (attempt <= 1000 ? 6 : 12) : 1.5;
      x = Array.from({ length: inputs }, () => uniform(-2, 2));
      let M = inputs;
      for (const L of layers) {
        L.W = Array.from({ length: M }, () => Array.from({ length: L.units }, () => uniform(-scale, scale)));
        L.b = L.bias ? Array.from({ length: L.units }, () => uniform(-1, 1)) : new Array(L.units).fill(0);
        M = L.units;
      }
      const zs = forward(engineNetwork({ name: `n${n}`, inputs, layers, loss: plan.loss, x, t, note: '' }), x).map((tr) => Array.from(tr.z));
      const maxZ = Math.max(...zs.flat().map(Math.abs));
      const maxOut = Math.max(...zs[zs.length - 1].map(Math.abs));
      if (saturated ? maxOut >= 12 && maxZ <= 200 : maxZ <= MAX_ORDINARY_Z) break;
    }
    cases.push({ name: `n${n}`, inputs, layers, loss: plan.loss, x, t, note: plan.note });
  }
  return cases;
}

function targets(kind: Plan['target'], K: number, rand: () => number): number[] {
  switch (kind) {
    case 'real':
      return Array.from({ length: K }, () => -1.5 + 3 * rand());
    case 'probability': {
      const w = Array.from({ length: K }, () => 0.05 + rand());
      const s = w.reduce((a, b) => a + b, 0);
      return w.map((v) => v / s);
    }
    case 'one-hot': {
      const hot = Math.floor(rand() * K);
      return Array.from({ length: K }, (_, k) => (k === hot ? 1 : 0));
    }
    case 'unit':
      return Array.from({ length: K }, () => rand());
    case 'binary':
      return Array.from({ length: K }, (_, k) => (k % 2 === 0 ? 1 : 0));
  }
}

// ---- the same network three ways: NetSpec source, oracle request, engine object --------------------

const vector = (v: number[]) => `[${v.map(literal).join(', ')}]`;
const matrix = (m: number[][]) => `[${m.map(vector).join(',\n      ')}]`;
const activationSource = (a: ActivationChoice) => (a.params.length ? `${a.name}(${a.params.map(literal).join(', ')})` : a.name);

function source(cases: NetCase[]): { text: string; probeLines: number[] } {
  const lines = Object.values(USER_FNS).map((f) => f.source);
  lines.push('');
  const probeLines: number[] = [];
  for (const c of cases) {
    lines.push(`# ${c.note}`, `network ${c.name} {`, `  input x[${c.inputs}]`);
    for (const L of c.layers) lines.push(`  dense ${L.name}[${L.units}] ${activationSource(L.act)}${L.bias ? '' : ' nobias'}`);
    lines.push(`  loss ${c.loss}`);
    for (const L of c.layers) {
      lines.push(`  weights ${L.name} = ${matrix(L.W)}`);
      if (L.bias) lines.push(`  bias ${L.name} = ${vector(L.b)}`);
    }
    lines.push('}');
    lines.push(`probe ${c.name} ${vector(c.x)} -> ${vector(c.t)}`);
    probeLines.push(lines.join('\n').split('\n').length); // 1-based: the line just pushed (matrices span lines)
    lines.push('');
  }
  return { text: lines.join('\n'), probeLines };
}

function oracleRequest(c: NetCase) {
  return {
    kind: 'probe' as const,
    inputs: c.inputs,
    loss: c.loss,
    x: c.x,
    t: c.t,
    layers: c.layers.map((L): OracleLayer => ({ units: L.units, activation: L.act.name, params: L.act.params, bias: L.bias, W: L.W, b: L.b })),
  };
}

/** A user fn as a layer activation, from the engine's symbolic expressions. */
function userActivation(name: string): Activation {
  const env: E.Environment = { vars: { get: () => undefined }, fns: new Map([[name, { param: 'z', body: USER_FNS[name].body }]]) };
  const at = (order: number, z: number) => E.evaluate(E.call(name, order, [E.num(z)]), env) as number;
  return { kind: 'scalar', name, value: (z) => at(0, z), derivative: (z) => at(1, z) };
}

function engineNetwork(c: NetCase): Network {
  const specs = c.layers.map((L) => {
    const activation = USER_FNS[L.act.name] ? userActivation(L.act.name) : builtinActivation(L.act.name, L.act.params);
    if (!activation) throw new Error(`the engine has no activation ${L.act.name}`);
    return { name: L.name, units: L.units, activation, hasBias: L.bias, W: L.W, b: L.bias ? L.b : undefined };
  });
  return buildNetwork(c.name, c.inputs, specs, c.loss, { scheme: 'zeros', seed: 0 });
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
  `${c.name} (${c.note}; ${c.inputs} -> ${c.layers.map((L) => `${L.units} ${activationSource(L.act)}${L.bias ? '' : ' nobias'}`).join(' -> ')}, ${c.loss})`;

// ---- the tests ------------------------------------------------------------------------------------

test('the random networks cover every activation, every loss and nobias layers', () => {
  const { cases } = cliResults();
  const used = new Set(cases.flatMap((c) => c.layers.map((L) => L.act.name + (L.act.params.length ? '(a)' : ''))));
  for (const a of ALL) assert.ok(used.has(a), `no network uses ${a}`);
  const hidden = new Set(cases.flatMap((c) => c.layers.slice(0, -1).map((L) => L.act.name)));
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
    /** (E(p + h) - E(p - h)) / 2h for one parameter, h = 1e-6 relative (absolute below |p| = 1). */
    const central = (params: Float64Array, k: number) => {
      const p0 = params[k];
      const h = 1e-6 * Math.max(Math.abs(p0), 1);
      params[k] = p0 + h;
      const up = params[k] - p0; // the step actually taken, after rounding
      const Ep = loss();
      params[k] = p0 - h;
      const down = p0 - params[k];
      const Em = loss();
      params[k] = p0;
      return (Ep - Em) / (up + down);
    };
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

test("squared_error at the output layer factorises as the seed says: dE/dw_jk = (y_k - t_k) g'(z_k) x_j", () => {
  const { cases, probes } = cliResults();
  const expected = oracleResults(cases);
  const d = new Discrepancies();
  let checked = 0;
  cases.forEach((c, i) => {
    const out = c.layers[c.layers.length - 1];
    if (c.loss !== 'squared_error' || out.act.name === 'softmax') return;
    checked++;
    const { x, gprime } = expected[i].layers[c.layers.length - 1]; // x: the layer's input; g'(z) by autograd
    const y = probes[i].output;
    const factor = y.map((yk, k) => (yk - c.t[k]) * gprime![k]);
    const got = probes[i].layers[out.name];
    d.check(`${describe(c)} ${out.name}.delta = (y - t) g'(z)`, got.delta, factor);
    d.check(`${describe(c)} ${out.name}.dW = (y - t) g'(z) x`, got.dW, x.map((xj) => factor.map((f) => f * xj)));
  });
  assert.ok(checked >= 8, `only ${checked} squared_error networks with an elementwise output`);
  d.assertNone('the seed factorisation');
});
