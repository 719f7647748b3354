/**
 * `netspec eval` against an independent oracle: every scalar built-in and alias of the engine's
 * list, f, f' and f'', at ordinary points and at extreme ones (±20, ±30, ±800, ±1e308); softmax
 * and its Jacobian; user fns and their derivatives; and the precedence of arithmetic.
 *
 * The references: at ordinary points PyTorch autograd, and mpmath at 60 digits, which must agree
 * with each other (that checks the oracle) and with the engine. At extreme points torch is not
 * accurate (its sigmoid'(30) is p(1 - p) from a p that rounds near 1, 1e-3 off), so mpmath is
 * the truth there, rounded to float64; a true value below the smallest double is 0 in float64,
 * so those are compared with an absolute floor of 1e-300. Where the truth is finite the engine
 * must not answer NaN; where it overflows float64 the answer is ±Infinity.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import type { AliasName, ScalarName } from '../../server/src/engine/activations';
import { scalarNamesWithAliases } from '../support/builtins';
import { Discrepancies, literal, oracle, runCli, type OracleRequest, type OracleScalar, type OracleSoftmax } from './oracle';

const FLOOR = 1e-300;

// ---- the cases ----------------------------------------------------------------------------------

interface ScalarFn {
  /** As written in an eval, before the point: `leaky_relu` */
  name: string;
  /** Extra arguments after the point: leaky_relu(z, 0.2) */
  params: number[];
  /** Ordinary points, where torch and mpmath agree. */
  ordinary: number[];
  /** Extreme points: mpmath alone is the reference. */
  extreme: number[];
  /** Points left out of f'' (kinks, where the second derivative is a matter of convention). */
  noSecond?: number[];
}

const ORDINARY = [-2.5, -1, -0.3, 0, 0.4, 1, 2.7];
const EXTREME = [20, -20, 30, -30, 800, -800, 1e308, -1e308];
const POSITIVE = [0.05, 0.3, 1, 2.7, 10];
const POSITIVE_EXTREME = [20, 30, 800, 1e308, 1e-10, 1e-300];

/**
 * Where a built-in needs more than the default points (its saturation, its kinks, its domain), or
 * a parameter is worth a case of its own. Every other built-in and alias of the engine's list is
 * evaluated at ORDINARY and EXTREME with its default parameters.
 */
const POINTS: Partial<Record<ScalarName | AliasName, Omit<ScalarFn, 'name'>[]>> = {
  sigmoid: [{ params: [], ordinary: ORDINARY, extreme: [...EXTREME, 36.7, -745] }],
  tanh: [{ params: [], ordinary: ORDINARY, extreme: [...EXTREME, 19.1, 1e-10] }],
  relu: [{ params: [], ordinary: ORDINARY, extreme: EXTREME, noSecond: [0] }],
  leaky_relu: [
    { params: [], ordinary: ORDINARY, extreme: EXTREME, noSecond: [0] },
    { params: [0.2], ordinary: ORDINARY, extreme: EXTREME, noSecond: [0] },
  ],
  elu: [
    { params: [], ordinary: ORDINARY, extreme: [...EXTREME, -1e-10], noSecond: [0] },
    { params: [0.5], ordinary: ORDINARY, extreme: EXTREME, noSecond: [0] },
  ],
  softplus: [{ params: [], ordinary: ORDINARY, extreme: [...EXTREME, 36.7, 40, -40, 1e-10] }],
  // gelu: the erf series and the erfc continued fraction meet at |z|/√2 = 2, z ≈ 2.83; Φ(z)
  // underflows near z = -38.5.
  gelu: [{ params: [], ordinary: [...ORDINARY, -2.9, -2.8, 2.8, 2.9, -6, 6], extreme: [...EXTREME, -10, -26, -35, -37, -38.5, 1e-10] }],
  exp: [{ params: [], ordinary: ORDINARY, extreme: [...EXTREME, 709, 710, -745] }],
  log: [{ params: [], ordinary: POSITIVE, extreme: POSITIVE_EXTREME }],
  sqrt: [{ params: [], ordinary: POSITIVE, extreme: POSITIVE_EXTREME }],
  abs: [{ params: [], ordinary: ORDINARY, extreme: EXTREME, noSecond: [0] }],
  sinh: [{ params: [], ordinary: ORDINARY, extreme: [...EXTREME, 710, -710, 1e-10] }],
  cosh: [{ params: [], ordinary: ORDINARY, extreme: [...EXTREME, 710, -710, 1e-10] }],
  // Near their zeros (the doubles nearest π and π/2, where the true value is ~1e-16, not 0) and
  // far out, where only an exact argument reduction is right.
  sin: [{ params: [], ordinary: ORDINARY, extreme: [...EXTREME, 3.141592653589793, 1.5707963267948966, 1e22, 1e-10] }],
  cos: [{ params: [], ordinary: ORDINARY, extreme: [...EXTREME, 3.141592653589793, 1.5707963267948966, 1e22, 1e-10] }],
  // At the double nearest the pole π/2, tan is 1.6e16 and tan' 2.7e32.
  tan: [{ params: [], ordinary: ORDINARY, extreme: [...EXTREME, 1.5707963267948966, -1.5707963267948966, 1.57, 1e22, 1e-10] }],
  // 1 + z² overflows past 1.3e154; atan' = 1/(1 + z²) must not become 0/NaN before it underflows.
  atan: [{ params: [], ordinary: ORDINARY, extreme: [...EXTREME, 1e10, -1e10, 1e154, 1e155, 1e-10] }],
};

/** Every scalar built-in and alias of the engine, in its order (aliases after their function). */
const SCALARS: ScalarFn[] = scalarNamesWithAliases().flatMap((name) =>
  (POINTS[name] ?? [{ params: [], ordinary: ORDINARY, extreme: EXTREME }]).map((points) => ({ name, ...points })),
);

/** User fns: NetSpec source here, the same formulas in torch_oracle.py's USER_FNS. */
const USER_FNS = [
  'fn mish(z) = z * tanh(softplus(z))',
  'fn s2(z) = z * sigmoid(z)',
  'fn poly(z) = 3 * z ^ 4 - 2 * z ^ 3 + z / 2 - 7',
  'fn comp(z) = mish(s2(z)) + poly(z) / 10',
  'fn bump(z) = exp(-z ^ 2)',
  'fn normed(z) = norm([z, 1, 2 * z])',
];
const USER_SCALARS: ScalarFn[] = [
  { name: 'mish', params: [], ordinary: ORDINARY, extreme: EXTREME },
  { name: 's2', params: [], ordinary: ORDINARY, extreme: EXTREME },
  // Past |z| ~ 1e77 3z^4 overflows and inf - inf is NaN in float64, in any formula evaluator.
  { name: 'poly', params: [], ordinary: ORDINARY, extreme: [20, -20, 30, -30, 800, -800, 1e50, -1e50] },
  { name: 'comp', params: [], ordinary: ORDINARY, extreme: [20, -20, 30, -30, 800, -800] },
  // bump'(z) = -2z e^(-z²): at |z| > 9e307 2z overflows and 0·inf is NaN, so not that far.
  { name: 'bump', params: [], ordinary: ORDINARY, extreme: [20, -20, 30, -30, 800, -800, 1e150, -1e150] },
  // ‖[z, 1, 2z]‖ and its derivatives through the chain rule Σ uᵢuᵢ'/‖u‖. Its f'' = (5z² + 1)^(−3/2)
  // comes out of the quotient rule as a difference of terms z² times larger, as for any fn
  // written so: past |z| ~ 1e3 that cancellation costs more than the tolerance.
  { name: 'normed', params: [], ordinary: ORDINARY, extreme: [20, -20, 30, -30, 100, -100] },
];

const SOFTMAX_INPUTS: number[][] = [
  [1, 2, 3], [0, 0], [-1, 0.5, 2, -3], [7], [0.25, -0.75, 0.125, 3, -2],
  [1000, 1001, 1002], [-1000, 0, 1000], [-800, -800.5], [1e308, -1e308], [-1e308, -1e308, 1e308],
];

/** Precedence (docs/LANGUAGE.md, *let, eval, fn and expressions*), with the values the reference states where it states them. */
const ARITHMETIC: { expr: string; value?: number }[] = [
  { expr: '-2 ^ 2', value: -4 },
  { expr: '2 ^ 3 ^ 2', value: 512 },
  { expr: '2 * -3', value: -6 },
  { expr: '(1 + 2) * 3', value: 9 },
  { expr: '-(1 + 2) * 3' },
  { expr: '1 - 2 - 3' },
  { expr: '12 / 4 / 3' },
  { expr: '2 ^ -1' },
  { expr: '-2 ^ -2' },
  { expr: '2 + 3 * 4 ^ 2 / 8' },
  { expr: '(2 ^ 3) ^ 2' },
  { expr: '- - 2' },
  { expr: '1.5e3 - .5 * 2.5E+2 / 5' },
];

// ---- one file of evals, and the oracle requests that answer them ----------------------------------

type Reference =
  | { kind: 'scalar'; fn: string; params: number[]; order: 0 | 1 | 2; x: number; extreme: boolean; request: number; index: number }
  | { kind: 'softmax'; order: 0 | 1; z: number[]; request: number }
  | { kind: 'expr'; value?: number; request: number };

interface EvalCase {
  expr: string;
  ref: Reference;
}

function build(): { cases: EvalCase[]; requests: OracleRequest[]; text: string } {
  const cases: EvalCase[] = [];
  const requests: OracleRequest[] = [];
  for (const f of [...SCALARS, ...USER_SCALARS]) {
    for (const order of [0, 1, 2] as const) {
      for (const extreme of [false, true]) {
        const points = (extreme ? f.extreme : f.ordinary).filter((x) => order < 2 || !f.noSecond?.includes(x));
        const request = requests.length;
        requests.push({ kind: 'scalar', fn: f.name, params: f.params, order, points });
        points.forEach((x, index) => {
          const args = [literal(x), ...f.params.map(literal)].join(', ');
          cases.push({ expr: `${f.name}${"'".repeat(order)}(${args})`, ref: { kind: 'scalar', fn: f.name, params: f.params, order, x, extreme, request, index } });
        });
      }
    }
  }
  for (const z of SOFTMAX_INPUTS) {
    for (const order of [0, 1] as const) {
      const request = requests.length;
      requests.push({ kind: 'softmax', order, z });
      cases.push({ expr: `softmax${"'".repeat(order)}([${z.map(literal).join(', ')}])`, ref: { kind: 'softmax', order, z, request } });
    }
  }
  for (const a of ARITHMETIC) {
    const request = requests.length;
    requests.push({ kind: 'expr', expr: a.expr });
    cases.push({ expr: a.expr, ref: { kind: 'expr', value: a.value, request } });
  }
  const text = [...USER_FNS, ...cases.map((c) => `eval ${c.expr}`)].join('\n') + '\n';
  return { cases, requests, text };
}

let memo: { cases: EvalCase[]; requests: OracleRequest[]; results: { line: number; expr: string; value: unknown; error?: string }[] } | undefined;

/** The cases and the CLI's answers: one file, one process. */
function run() {
  if (memo) return memo;
  const { cases, requests, text } = build();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'netspec-oracle-'));
  try {
    const file = path.join(dir, 'evals.netspec');
    fs.writeFileSync(file, text);
    const r = runCli(['eval', file, '--json']);
    assert.equal(r.status, 0, `netspec eval failed (exit ${r.status}):\n${r.stderr}`);
    const results = r.json.results;
    assert.equal(results.length, cases.length, 'one result per eval');
    results.forEach((res: { line: number }, i: number) => {
      assert.equal(res.line, USER_FNS.length + i + 1, `eval ${i} (${cases[i].expr}) reported at line ${res.line}`);
    });
    memo = { cases, requests, results };
    return memo;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

let answersMemo: unknown[] | undefined;
/** The oracle's answers, request by request: one python process. */
function oracleAnswers(): unknown[] {
  answersMemo ??= oracle(run().requests);
  return answersMemo;
}

/** The engine's value for case i, or a discrepancy when there is none. */
function valueOf(i: number, d: Discrepancies): unknown {
  const { cases, results } = run();
  const r = results[i];
  if (r.value === null || r.value === undefined) d.add(`${cases[i].expr}: no value (error: ${r.error ?? 'none'})`);
  return r.value;
}

// ---- the tests ------------------------------------------------------------------------------------

function checkScalars(user: boolean) {
  const { cases } = run();
  const answers = oracleAnswers();
  const names = new Set((user ? USER_SCALARS : SCALARS).map((f) => f.name));
  const d = new Discrepancies();
  /** Extreme points where torch differs from mpmath: torch's own inaccuracy, shown for information. */
  const torchOff: string[] = [];
  let checked = 0;
  cases.forEach((c, i) => {
    if (c.ref.kind !== 'scalar' || !names.has(c.ref.fn)) return;
    checked++;
    const got = valueOf(i, d);
    if (got === null || got === undefined) return;
    const { torch, mp } = answers[c.ref.request] as OracleScalar;
    const t = torch[c.ref.index];
    const m = mp[c.ref.index];
    if (Number.isFinite(m) && Number.isNaN(got)) {
      d.add(`${c.expr}: NaN, but the true value is finite (mpmath: ${m})`);
      return;
    }
    d.check(`${c.expr} against mpmath`, got, m, { floor: FLOOR });
    if (!c.ref.extreme) {
      d.check(`${c.expr} against torch`, got, t, { floor: FLOOR });
      d.check(`${c.expr} (the oracle itself: torch against mpmath)`, t, m, { floor: FLOOR });
    } else if (!Object.is(t, m) && (Number.isNaN(t) || Math.abs(t - m) > 1e-9 * Math.abs(m) + FLOOR)) {
      torchOff.push(`${c.expr}: torch ${t}, mpmath ${m}`);
    }
  });
  assert.ok(checked > 100, `only ${checked} cases`);
  return { d, torchOff };
}

test('built-in scalar functions, f and f\' and f\'\', match torch and mpmath (1e-9 relative, no NaN where finite)', (t) => {
  const { d, torchOff } = checkScalars(false);
  if (torchOff.length) t.diagnostic(`torch itself is off at ${torchOff.length} extreme points (mpmath decides), e.g. ${torchOff.slice(0, 4).join('; ')}`);
  d.assertNone('netspec eval of built-in functions');
});

test('user fns and their first and second derivatives match torch and mpmath', (t) => {
  const { d, torchOff } = checkScalars(true);
  if (torchOff.length) t.diagnostic(`torch itself is off at ${torchOff.length} extreme points (mpmath decides), e.g. ${torchOff.slice(0, 4).join('; ')}`);
  d.assertNone('netspec eval of user fns');
});

test('softmax and its Jacobian match torch and mpmath, including inputs like [1000, 1001, 1002]', () => {
  const { cases } = run();
  const answers = oracleAnswers();
  const d = new Discrepancies();
  cases.forEach((c, i) => {
    if (c.ref.kind !== 'softmax') return;
    const got = valueOf(i, d);
    if (got === null || got === undefined) return;
    const { torch, mp } = answers[c.ref.request] as OracleSoftmax;
    d.check(`${c.expr} against mpmath`, got, mp, { floor: FLOOR });
    d.check(`${c.expr} against torch`, got, torch, { floor: FLOOR });
    if (c.ref.order === 1) {
      // Rows of the Jacobian sum to 0: Σ_i dp_i/dz_j = d(Σ p_i)/dz_j = 0.
      const J = got as number[][];
      const scale = Math.max(...J.flat().map(Math.abs), FLOOR);
      J[0].forEach((_, j) => {
        const s = J.reduce((acc, row) => acc + row[j], 0);
        if (Math.abs(s) > 1e-15 * J.length * scale + FLOOR) d.add(`${c.expr}: column ${j} sums to ${s}, not 0`);
      });
    }
  });
  d.assertNone('netspec eval of softmax');
});

test('precedence: -2 ^ 2 is -4, 2 ^ 3 ^ 2 is 512, 2 * -3 is -6, (1 + 2) * 3 is 9 — as Python parses them', () => {
  const { cases } = run();
  const answers = oracleAnswers();
  const d = new Discrepancies();
  cases.forEach((c, i) => {
    if (c.ref.kind !== 'expr') return;
    const got = valueOf(i, d);
    const python = (answers[c.ref.request] as { value: number }).value;
    d.check(`${c.expr} against Python's grammar`, got, python, { rel: 0 });
    if (c.ref.value !== undefined) d.check(`${c.expr} against LANGUAGE.md`, got, c.ref.value, { rel: 0 });
  });
  d.assertNone('netspec eval of arithmetic');
});

test('every eval result echoes its source text (docs/LANGUAGE.md, Command line: "expr": SOURCE_TEXT)', () => {
  const { cases, results } = run();
  const d = new Discrepancies();
  cases.forEach((c, i) => {
    if (results[i].expr !== c.expr) d.add(`line ${results[i].line}: "expr" is ${JSON.stringify(results[i].expr)}, the source is ${JSON.stringify(c.expr)}`);
  });
  d.assertNone('netspec eval --json "expr"');
});
