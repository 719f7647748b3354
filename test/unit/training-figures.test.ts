/** The figures of a training run as the panel and the notifications show them, and the replay's snapshot plan. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { logRange, logTicks, lossRose, shortNumber, smoothed } from '../../client/src/figures';
import { SNAPSHOTS_MAX, snapshotEpochs } from '../../server/src/server/pictures';

test('lossRose: only a final loss above the first epoch\'s, in the words the panel and the notification use', () => {
  assert.equal(lossRose(0.42, 68.04), 'the loss rose from 0.42 to 68');
  assert.equal(lossRose(0.42, 0.1), undefined);
  assert.equal(lossRose(0.42, 0.42), undefined);
  // A final loss that is not finite arrives as null: it rose.
  assert.equal(lossRose(0.5, null), 'the loss rose from 0.5 to Infinity');
  assert.equal(lossRose(null, 3), undefined);
  assert.equal(lossRose(undefined, 3), undefined);
  assert.equal(lossRose(2e-5, 3.2e7), 'the loss rose from 2.00e-5 to 3.20e+7');
  assert.equal(shortNumber(-0.000123456), '-1.23e-4');
  assert.equal(shortNumber(65536), '6.55e+4');
  assert.equal(shortNumber(1234.5), '1230');
});

test('smoothed: TensorBoard\'s bias-corrected EMA, computed from its definition', () => {
  const w = 0.6;
  const vs = [3, 1, null, 4, 1, 5, NaN, 9];
  const out = smoothed(vs, w);
  // By hand: m_i = w m_{i−1} + (1 − w) v_i over the finite values, divided by 1 − w^n.
  let m = 0;
  let n = 0;
  const expected = vs.map((v) => {
    if (v === null || !Number.isFinite(v)) return null;
    m = w * m + (1 - w) * v;
    n++;
    return m / (1 - w ** n);
  });
  assert.deepEqual(out, expected);
  assert.ok(Math.abs(out[0]! - 3) < 1e-12, 'the first point is the first value (bias-corrected)');
  assert.deepEqual(smoothed([2, 2, 2, 2], 0.9).map((v) => Number(v!.toFixed(12))), [2, 2, 2, 2], 'a constant stays constant');
  assert.deepEqual(smoothed([1, 5, 2], 0), [1, 5, 2], 'weight 0 is no smoothing');
  // Smoothing reduces the spread of a noisy curve.
  const noisy = Array.from({ length: 200 }, (_, i) => 1 + (i % 2 ? 0.5 : -0.5));
  const s = smoothed(noisy, 0.6).slice(20) as number[];
  assert.ok(Math.max(...s) - Math.min(...s) < 0.5, `spread ${Math.max(...s) - Math.min(...s)}`);
});

test('logTicks: a few powers of ten however many decades the loss spans', () => {
  assert.deepEqual(logTicks(0.01, 10), [0.01, 0.1, 1, 10]);
  const huge = logTicks(1e-3, 1e300);
  assert.ok(huge.length >= 2 && huge.length <= 6, `${huge.length} ticks`);
  assert.ok(huge.every((t) => Number.isFinite(t) && Math.log10(t) % 1 === 0));
  assert.equal(huge[0], 1e-3);
  assert.deepEqual(logTicks(2, 3), [2, 3], 'within one decade: the ends');
  assert.deepEqual(logTicks(0, 1), []);
  assert.deepEqual(logTicks(1, Infinity), []);
});

test('logRange: whole decades of the finite positive losses', () => {
  assert.deepEqual(logRange([0.5, null, 30, Infinity, NaN, -1, 0]), [0.1, 100]);
  assert.deepEqual(logRange([1]), [1, 10]);
  assert.equal(logRange([null, 0, -2]), undefined);
  const r = logRange([1e-3, 1.7e308])!;
  assert.ok(r.every(Number.isFinite) && r[0] > 0, `${r}`);
});

test('snapshotEpochs: at most 100, evenly spaced, the first and the last epoch included', () => {
  assert.equal(SNAPSHOTS_MAX, 100);
  assert.deepEqual([...snapshotEpochs(5)], [1, 2, 3, 4, 5]);
  assert.equal(snapshotEpochs(100).size, 100);
  for (const E of [101, 400, 2000, 12345, 1e7]) {
    const s = [...snapshotEpochs(E)].sort((a, b) => a - b);
    assert.equal(s.length, 100, `E = ${E}`);
    assert.deepEqual([s[0], s.at(-1)], [1, E]);
    const gaps = s.slice(1).map((e, i) => e - s[i]);
    assert.ok(Math.max(...gaps) - Math.min(...gaps) <= 1, `E = ${E}: gaps ${[...new Set(gaps)]}`);
  }
  assert.equal(snapshotEpochs(0).size, 0);
});
