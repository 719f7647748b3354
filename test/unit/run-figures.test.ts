/**
 * The training panel's pure parts beyond the loss: the final metrics in words, the confusion
 * matrix's table, compared runs on one epoch axis and in the list, the statements' labels, and the
 * record of a group of compared runs.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { alignedSeries, confusionTable, metricFigures, metricNumber, rateMoves, runSummary } from '../../client/src/runFigures';
import { RunRecord } from '../../client/src/runRecord';
import { analyze } from '../../server/src/analysis/analyze';
import { trainLabel } from '../../server/src/analysis/train-label';
import type { Snapshot, TrainProgress } from '../../server/src/protocol/training';

test('confusionTable: rows the true class; each cell\'s share of its row; the diagonal\'s sum over the total', () => {
  const t = confusionTable([[8, 2, 0], [1, 6, 3], [0, 0, 0]]);
  assert.equal(t.classes, 3);
  assert.equal(t.correct, 14);
  assert.equal(t.total, 20);
  assert.deepEqual(t.rows.map((r) => r.total), [10, 10, 0]);
  assert.deepEqual(t.rows[1].cells, [{ count: 1, share: 0.1, correct: false }, { count: 6, share: 0.6, correct: true }, { count: 3, share: 0.3, correct: false }]);
  // A class with no samples: shares of 0, not NaN.
  assert.deepEqual(t.rows[2].cells.map((c) => c.share), [0, 0, 0]);
});

test('metricFigures: a classifier\'s accuracy with its count; a regression\'s RMSE and R², the test set\'s named so; not finite as –', () => {
  assert.deepEqual(metricFigures({ kind: 'classes', confusion: [[50, 3], [4, 63]], accuracy: 113 / 120 }, 'training'), [['accuracy', '94.2% (113/120)']]);
  assert.deepEqual(metricFigures({ kind: 'regression', rmse: 0.0123456, r2: 0.98765 }, 'test'), [['test RMSE', '0.01235'], ['test R²', '0.9877']]);
  // JSON brings R² = −∞ (constant targets) as null.
  assert.deepEqual(metricFigures({ kind: 'regression', rmse: 2e-7, r2: null as unknown as number }, 'training'), [['RMSE', '2.000e-7'], ['R²', '–']]);
  assert.deepEqual(metricFigures(undefined, 'test'), []);
  assert.equal(metricNumber(123456), '1.235e+5');
  assert.equal(metricNumber(0), '0');
});

test('alignedSeries: every epoch of any run, ascending; a run\'s value where it has one, null elsewhere', () => {
  const { x, ys } = alignedSeries([
    { epoch: [1, 2, 3, 4], values: [4, 3, null, 1] },
    { epoch: [1, 3, 5], values: [9, 8, 7] },
  ]);
  assert.deepEqual(x, [1, 2, 3, 4, 5]);
  assert.deepEqual(ys, [[4, 3, null, 1, null], [9, null, 8, null, 7]]);
  assert.deepEqual(alignedSeries([]), { x: [], ys: [] });
});

test('rateMoves: only a rate that changed (a schedule) is charted', () => {
  assert.equal(rateMoves([0.1, 0.1, 0.1]), false);
  assert.equal(rateMoves([0.1, null, 0.05]), true);
  assert.equal(rateMoves([null, 0.1]), false);
  assert.equal(rateMoves([]), false);
});

test('runSummary: a compared run\'s state while it goes and how it ended, by the test set\'s figure when there is one', () => {
  assert.equal(runSummary({ done: false, epoch: 12, epochs: 300 }), 'epoch 12 / 300');
  assert.equal(runSummary({ done: true, epoch: 37, finalLoss: 0.123456, stoppedEarly: true, metrics: { kind: 'classes', confusion: [[1]], accuracy: 0.5 }, testMetrics: { kind: 'classes', confusion: [[1]], accuracy: 0.975 } }),
    'stopped early at epoch 37 · loss 0.1235 · test accuracy 97.5%');
  assert.equal(runSummary({ done: true, epoch: 300, finalLoss: 0.5, metrics: { kind: 'regression', rmse: 0.1, r2: 0.93 } }), 'done · loss 0.5 · R² 0.93');
  assert.equal(runSummary({ done: true, cancelled: true, epoch: 4 }), 'stopped at epoch 4');
  assert.equal(runSummary({ done: true, error: 'no data' }), 'failed');
});

test('trainLabel: the line, the optimizer and rate, and the options that are set', () => {
  const text = [
    'network n {', '  input x[2]', '  dense y[1] sigmoid', '  loss binary_cross_entropy', '}', 'data d = xor()',
    'train n on d { optimizer adam(0.9, 0.999) learning_rate 0.01 }',
    'train n on d { optimizer momentum(0.9) learning_rate 0.1 schedule cosine(50) batch 4 l2 0.001 patience 5 }',
    'train n on d',
  ].join('\n');
  const a = analyze(text);
  assert.deepEqual(a.diagnostics.filter((d) => d.severity === 'error'), []);
  assert.deepEqual(a.program.trains.map((t) => trainLabel(a.lines.position(t.stmt.start).line, t)), [
    'line 7: adam lr 0.01',
    'line 8: momentum 0.9 lr 0.1, schedule cosine(50), l2 0.001, batch 4, patience 5',
    'line 9: sgd lr 0.1',
  ]);
});

/** A progress event of a run (one epoch), as the server sends it. */
function epoch(runId: string, e: number, group?: string, snapshots?: Snapshot[]): TrainProgress {
  return { runId, uri: 'file:///a', network: 'n', data: 'd', ...(group ? { group, label: `run ${runId}` } : {}), done: false, epoch: e, epochs: 3, loss: 1 / e, lr: 0.1, recent: [], snapshots };
}

test('RunRecord: the runs of one group are recorded side by side; a new group or lone run starts over; an old one is ignored', () => {
  const r = new RunRecord();
  assert.equal(r.add(epoch('a', 1, 'g1'))!.restarted, true);
  assert.equal(r.add(epoch('b', 1, 'g1'))!.restarted, false, 'a second run of the group joins it');
  r.add(epoch('a', 2, 'g1'));
  r.add(epoch('b', 2, 'g1', [{ epoch: 2, values: [0.5] }]));
  const all = r.replay()!;
  assert.deepEqual(r.runs.map((x) => [x.runId, x.history.map((h) => h.epoch)]), [['a', [1, 2]], ['b', [1, 2]]]);
  assert.deepEqual(all.snapshots, [{ runId: 'b', snapshots: [{ epoch: 2, values: [0.5] }] }]);
  assert.equal(all.items.length, 4);
  // A lone run after the group: the record starts over with it alone.
  assert.equal(r.add(epoch('c', 1))!.restarted, true);
  assert.deepEqual(r.runs.map((x) => x.runId), ['c']);
  // A late event of the group shown before is ignored.
  assert.equal(r.add(epoch('a', 3, 'g1')), undefined);
  assert.deepEqual(r.runs.map((x) => x.runId), ['c']);
});
