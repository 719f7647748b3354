/**
 * `norm(v)`, the Euclidean length, as expressions evaluate it (the oracle checks its derivative
 * inside a fn: test/oracle/evals.test.ts `normed`): values, the scaled sum that keeps huge
 * elements finite, and the mistakes the checker reports.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { analyze } from '../../server/src/analysis/analyze';

const values = (text: string) => analyze(text).evals.map((e) => e.value);

test('norm is the Euclidean length of a vector, and of a matrix\'s elements', () => {
  assert.deepEqual(values('eval norm([3, 4])\neval norm([[1, 2], [2, 4]])\neval norm([-7])\neval norm([0, 0])'), [5, 5, 7, 0]);
  // Σ x² would overflow to Infinity here; m·√(Σ (x/m)²) does not.
  const close = (x: unknown, want: number) => assert.ok(Math.abs((x as number) / want - 1) < 4e-16, `${String(x)} is not ${want}`);
  close(values('eval norm([3e200, 4e200])')[0], 5e200);
  close(values('eval norm([3e-200, 4e-200])')[0], 5e-200);
  assert.deepEqual(values('eval norm([1, 1 / 0])\neval norm([1, log(-1)])'), [Infinity, NaN]);
});

test('max(abs(v)), the largest magnitude, reads as written', () => {
  assert.deepEqual(values('eval max(abs([-3, 2, 0.5]))\neval sum(abs([-3, 2]))'), [3, 5]);
});

test('norm inside a fn differentiates by Σ uᵢuᵢ\' / ‖u‖', () => {
  // f(z) = ‖[z, 2]‖ = √(z² + 4): f'(z) = z / √(z² + 4)
  const [d] = values('fn f(z) = norm([z, 2])\neval f\'(1.5)');
  assert.ok(Math.abs((d as number) - 1.5 / Math.sqrt(1.5 ** 2 + 4)) < 1e-15, String(d));
});

test('norm\' and norm of two arguments are errors with their ranges', () => {
  const a = analyze("eval norm'([1, 2])\neval norm([1], [2])");
  assert.deepEqual(a.diagnostics.map((d) => [d.code, d.range.start.line]), [['derivative-order', 0], ['arity', 1]]);
  assert.match(a.diagnostics[1].message, /takes one vector or matrix/);
});
