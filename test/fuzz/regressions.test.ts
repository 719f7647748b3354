/**
 * Every counterexample the fuzzers found, kept as a plain test so that it stays fixed whatever
 * the generators draw next. Each is checked with all of test/fuzz/invariants.ts.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { hoverAt } from '../../server/src/analysis/hover';
import { checkText } from './invariants';

const found: [string, string][] = [
  // The derivative inlay hint evaluated a call with too many arguments and threw.
  ['inlay hint on a call with two arguments', 'eval sigmoid(sigmoid(0, 0))\nlet x = 0'],
  // A bad escape before an astral character ended between the halves of its surrogate pair.
  ['bad escape of an astral character', '"\\\u{10000}'],
  ['bad escape of U+10FFFF in a data path', 'probe x[0] -> [0, 0]\ndata x from "a\\\u{10FFFF}"b.csv" (targets: 1) # ☃ 😀'],
  // The hover of `tanh\r\n'(0.5)` counted the prime as right after the name: it ended inside \r\n.
  ['primes on the next line', "eval tanh\r\n'(0.5)\r\n"],
];

for (const [what, text] of found) {
  test(`regression: ${what}`, () => {
    checkText(text);
  });
}

test("regression: hovering softmax of a long vector does not build its n² Jacobian", async () => {
  const { analyze } = await import('../../server/src/analysis/analyze');
  const a = analyze(`eval softmax([${Array(30_000).fill('0').join(', ')}])\n`);
  const h = hoverAt(a, 6);
  assert.ok(h && !h.markdown.includes('Jacobian at'), 'a Jacobian table for 30,000 inputs');
});
