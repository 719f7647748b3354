/**
 * The higher derivatives (orders 3 to 8) of every scalar built-in, as `netspec eval` computes them
 * (`sin'''(x)`, … — exact closed forms in the engine, never finite differences), against mpmath
 * (its own differentiation at a raised working precision, rounded to float64) and torch autograd
 * applied n times. evals.test.ts checks f, f' and f'' at many more points; this checks that the
 * orders above keep going right, including for sin⁽ⁿ⁾ = sin(z + nπ/2), the tan polynomials and
 * atan⁽ⁿ⁾ = (−1)ⁿ⁻¹(n − 1)!·Im((z − i)⁻ⁿ).
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { MAX_DERIVATIVE_ORDER, SCALAR_FUNCTIONS, type ScalarName } from '../../server/src/engine/activations';
import { Discrepancies, literal, oracle, runCli, type OracleRequest } from './oracle';

const ORDERS = Array.from({ length: MAX_DERIVATIVE_ORDER - 2 }, (_, i) => i + 3);
/** Away from 0, where relu, leaky_relu, elu and abs have their kink. */
const ORDINARY = [-2.5, -1, -0.3, 0.4, 1, 2.7];
/** Where a built-in needs other points: its domain, its kink, its poles, its zeros. */
const POINTS: Partial<Record<ScalarName, number[]>> = {
  log: [0.05, 0.3, 1, 2.7, 10],
  sqrt: [0.05, 0.3, 1, 2.7, 10],
  sigmoid: [...ORDINARY, 0],
  tanh: [...ORDINARY, 0],
  sin: [...ORDINARY, 0, Math.PI / 2, 100],
  cos: [...ORDINARY, 0, Math.PI, 100],
  // 1.5 and 1.57 approach the pole at π/2: the derivatives grow like (π/2 − z)^(−n−1).
  tan: [...ORDINARY, 0, 1.5, 1.57, -1.57],
  // atan⁽ⁿ⁾ has exact zeros at 0 (even n) and at ±1 for some n; 100 is far in the tail.
  atan: [...ORDINARY, 0, 100, -1e5],
};

interface Case {
  fn: ScalarName;
  points: number[];
  request: number;
  /** The eval lines of this function: [order index][point index]. */
  lines: number[][];
}

function build(): { cases: Case[]; requests: OracleRequest[]; text: string } {
  const requests: OracleRequest[] = [];
  const cases: Case[] = [];
  const evals: string[] = [];
  for (const f of SCALAR_FUNCTIONS) {
    const points = POINTS[f.name] ?? ORDINARY;
    const lines = ORDERS.map((n) => points.map((x) => {
      evals.push(`eval ${f.name}${"'".repeat(n)}(${literal(x)})`);
      return evals.length - 1;
    }));
    cases.push({ fn: f.name, points, request: requests.length, lines });
    requests.push({ kind: 'nth', fn: f.name, orders: ORDERS, points });
  }
  return { cases, requests, text: evals.join('\n') + '\n' };
}

test('every scalar built-in\'s derivatives of orders 3 to 8 match mpmath and torch autograd (1e-9 relative)', (t) => {
  const { cases, requests, text } = build();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'netspec-nth-'));
  let values: unknown[];
  try {
    const file = path.join(dir, 'derivatives.netspec');
    fs.writeFileSync(file, text);
    const r = runCli(['eval', file, '--json']);
    assert.equal(r.status, 0, `netspec eval failed (exit ${r.status}):\n${r.stderr}`);
    values = r.json.results.map((x) => x.value);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  const answers = oracle(requests) as { torch: (number | null)[][]; mp: number[][] }[];
  const d = new Discrepancies();
  let torchMissing = 0;
  for (const c of cases) {
    const { torch, mp } = answers[c.request];
    ORDERS.forEach((n, k) => {
      const got = c.lines[k].map((line) => values[line]);
      const what = `${c.fn}${"'".repeat(n)} at ${c.points.join(', ')}`;
      // Compared as one vector per order: a true zero (atan⁽⁸⁾(0)) is held to the accuracy of
      // the largest value of that order, which is what its rounding error is made of.
      d.check(`${what} against mpmath`, got, mp[k]);
      const answered = torch[k].every((v) => v !== null);
      if (answered) d.check(`${what} (the oracle itself: torch against mpmath)`, torch[k], mp[k], { rel: 1e-8 });
      else torchMissing++;
    });
  }
  if (torchMissing) t.diagnostic(`torch has no derivative of that order for ${torchMissing} function/order pairs (mpmath alone decides there)`);
  d.assertNone('netspec eval of higher derivatives');
});
