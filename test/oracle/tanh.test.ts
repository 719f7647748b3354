/**
 * The engine's own tanh and its derivative (kernels/tanh.ts: a polynomial below 0.55, e^{−2|z|}
 * from kernels/exp.ts from there on), which every tanh layer, probe and hover takes, against
 * mpmath at 60 digits rounded to float64: tanh within 1 ulp and sech² within 2, at ordinary and
 * at extreme points and on both sides of where the two forms meet.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { tanhNth } from '../../server/src/engine/activations';
import { sech2, tanh, TANH_POLY_MAX } from '../../server/src/engine/kernels/tanh';
import { SeededRandom } from '../support/random';
import { ulps } from '../support/ulps';
import { oracle, type OracleScalar } from './oracle';

test('tanh is within 1 ulp of mpmath\'s, and tanh\' = sech² within 2', () => {
  const rng = new SeededRandom(11);
  const points: number[] = [];
  for (let i = 0; i < 6000; i++) points.push(rng.uniform(-1, 1) * [1e-9, 0.3, TANH_POLY_MAX, 2, 20][i % 5]);
  for (let i = 0; i < 400; i++) points.push(TANH_POLY_MAX * (1 + rng.uniform(-1e-3, 1e-3)), -TANH_POLY_MAX * (1 + rng.uniform(-1e-3, 1e-3)));
  points.push(0.5493061443340549, 1e-300, -1e-300, 2 ** -28, 300, -300, 353.9);
  const [t, d] = oracle([
    { kind: 'scalar', fn: 'tanh', params: [], order: 0, points },
    { kind: 'scalar', fn: 'tanh', params: [], order: 1, points },
  ]) as OracleScalar[];
  let off = 0;
  points.forEach((z, i) => {
    const u = ulps(tanh(z), t.mp[i]);
    assert.ok(u <= 1, `tanh(${z}) = ${tanh(z)}, mpmath ${t.mp[i]}: ${u} ulps apart`);
    off += u;
    if (d.mp[i] >= 2.2250738585072014e-308) {
      assert.ok(ulps(sech2(z), d.mp[i]) <= 2, `sech²(${z}) = ${sech2(z)}, mpmath ${d.mp[i]}`);
      assert.equal(tanhNth(1, z), sech2(z), 'the activation\'s derivative is sech²');
    }
  });
  // correctly rounded at most points (Math.tanh, V8's fdlibm, is 1 or 2 ulps off at about 1 in 6)
  assert.ok(off < points.length / 10, `tanh is 1 ulp off mpmath at ${off} of ${points.length} points`);
});
