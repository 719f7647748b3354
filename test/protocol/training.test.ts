/** Training runs through the language server: progress, results that flow back, cancel, divergence. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import type { CodeAction, InlayHint } from 'vscode-languageserver-protocol';
import { analyze } from '../../server/src/analysis/analyze';
import { fingerprint } from '../../server/src/analysis/fingerprint';
import { predict, type Network } from '../../server/src/engine/network';
import { splitIndices } from '../../server/src/engine/train';
import type { DecisionBoundary, FittedCurve, Snapshot } from '../../server/src/protocol/training';
import { until } from '../support/until';
import { LspClient } from '../support/lsp';
import { applyEdits } from '../support/lsp-extra';
import { cliPath, repoRoot } from '../support/paths';

interface Progress {
  runId: string; network: string; epoch: number; epochs: number; loss: number; recent?: { epoch: number; loss: number }[]; done: boolean;
  cancelled?: boolean; diverged?: unknown; boundary?: DecisionBoundary; curve?: FittedCurve; snapshots?: Snapshot[]; firstLoss?: number; finalLoss?: number;
}

let client: LspClient;
const progress: Progress[] = [];
before(async () => {
  client = await LspClient.start();
  client.connection.onNotification('netspec/trainProgress', (p: Progress) => {
    progress.push(p);
  });
});
after(async () => {
  await client.stop();
});



const xor = fs.readFileSync(path.join(repoRoot(), 'examples', 'xor.netspec'), 'utf8');
const trainLine = xor.split('\n').findIndex((l) => l.startsWith('train xor'));

test('a run trains in the server: progress, then the probe uses the trained weights, equal to the CLI\'s', async () => {
  const uri = 'file:///train-xor.netspec';
  await client.open(uri, xor, 1);
  await client.diagnostics(uri, 1);
  const lossHint = async () => {
    const hints = (await client.connection.sendRequest('textDocument/inlayHint', { textDocument: { uri }, range: { start: { line: 0, character: 0 }, end: { line: 60, character: 0 } } })) as InlayHint[];
    return Number(String(hints.find((h) => String(h.label).startsWith('E = '))!.label).slice(4));
  };
  const before = await lossHint();
  const targets = (await client.connection.sendRequest('netspec/trainTargets', { uri })) as { network: string; line: number }[];
  assert.deepEqual(targets.map((t) => [t.network, t.line]), [['xor', trainLine]]);
  const started = (await client.connection.sendRequest('netspec/train', { uri, line: trainLine })) as { runId: string };
  const done = await until('the run to finish', () => progress.find((p) => p.runId === started.runId && p.done));
  assert.equal(done.epoch, 2000);
  const updates = progress.filter((p) => p.runId === started.runId && !p.done);
  assert.ok(updates.length >= 1 && updates.every((p, i) => i === 0 || p.epoch > updates[i - 1].epoch), 'progress in epoch order');
  assert.ok(updates.some((p) => p.boundary && p.boundary.values.length === 40 * 40), 'a decision boundary for the 2-input classifier');

  const afterLoss = await lossHint();
  assert.ok(afterLoss < before / 10, `the probe's loss should fall after training: ${before} → ${afterLoss}`);

  // "Insert trained weights" writes the CLI's trained parameters into the file, to 6 significant digits.
  const actions = (await client.connection.sendRequest('textDocument/codeAction', {
    textDocument: { uri }, range: { start: { line: 1, character: 0 }, end: { line: 1, character: 0 } }, context: { diagnostics: [] },
  })) as CodeAction[];
  const insert = actions.find((x) => x.title === 'Insert trained weights of xor (rounded to 6 significant digits)');
  assert.ok(insert?.edit, actions.map((x) => x.title).join(', '));
  const written = applyEdits(xor, insert!.edit!.changes![uri]);
  const net = analyze(written).program.networks.get('xor')!.network!;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'netspec-train-'));
  fs.writeFileSync(path.join(dir, 'xor.netspec'), xor);
  const cli = JSON.parse(spawnSync(process.execPath, [cliPath(), 'train', path.join(dir, 'xor.netspec'), '--json'], { encoding: 'utf8' }).stdout);
  const layers = cli.runs[0].layers as Record<string, { W: number[][]; b: number[] }>;
  for (const l of net.layers) {
    assert.deepEqual(Array.from(l.W), layers[l.name].W.flat().map((x) => Number(x.toPrecision(6))), `W of ${l.name}`);
    assert.deepEqual(Array.from(l.b), layers[l.name].b.map((x) => Number(x.toPrecision(6))), `b of ${l.name}`);
  }
  // The panel's curve: each progress message brings the epochs since the previous one (at most
  // 500, so a run of 2,000 epochs sends every one), in order, with the losses the CLI reports for
  // those epochs.
  const curve = updates.flatMap((p) => [...(p.recent ?? []), { epoch: p.epoch, loss: p.loss }]);
  assert.deepEqual(curve.map((p) => p.epoch), Array.from({ length: 2000 }, (_, i) => i + 1), 'every epoch on the curve, once, in order');
  updates.forEach((p, i) => {
    const skipped = p.epoch - (i === 0 ? 0 : updates[i - 1].epoch) - 1;
    assert.ok(skipped <= 500, `message ${i} (epoch ${p.epoch}) came ${skipped} epochs after the one before: more than 500`);
    assert.equal(p.recent?.length, skipped, `message ${i} (epoch ${p.epoch}) should carry the ${skipped} epochs before it`);
  });
  const cliLoss = cli.runs[0].loss as number[];
  for (const p of curve) assert.equal(p.loss, cliLoss[p.epoch - 1], `loss of epoch ${p.epoch}`);
  // The end says where the run began: the first epoch's loss.
  assert.equal((done as Progress).firstLoss, cliLoss[0]);

  // The replay: at most 100 snapshots, evenly spaced over the 2000 epochs, the first and the last
  // included; the last is the decision boundary of the trained weights (the CLI's), cell by cell.
  const snapshots = updates.flatMap((p) => p.snapshots ?? []);
  assert.equal(snapshots.length, 100);
  assert.equal(snapshots[0].epoch, 1);
  assert.equal(snapshots.at(-1)!.epoch, 2000);
  const gaps = snapshots.slice(1).map((s, i) => s.epoch - snapshots[i].epoch);
  assert.ok(Math.max(...gaps) - Math.min(...gaps) <= 1, `snapshots not evenly spaced: gaps ${[...new Set(gaps)]}`);
  const final = updates.at(-1)!.boundary!;
  assert.ok(final, 'the last progress event brings the final boundary');
  assert.deepEqual(snapshots.at(-1)!.values, final.values);
  // (The CLI's weights at full precision: the inserted ones above are rounded.)
  assert.deepEqual(final.values, gridOf(withCliLayers(xor, 'xor', layers), final), 'the final boundary is the trained network\'s class-1 probability');
  // An early snapshot is not the end: the replay has something to show.
  assert.notDeepEqual(snapshots[0].values, final.values);
  assert.ok(final.points.length === 4 && final.points.every((p) => !p.test), 'no split: every point is a training point');
});

/** A 2-input network's output over the picture's grid, by the formula of DecisionBoundary's doc. */
function gridOf(net: Network, b: DecisionBoundary): number[] {
  const R = b.resolution;
  const out: number[] = [];
  for (let r = 0; r < R; r++) {
    for (let c = 0; c < R; c++) {
      const x = b.xRange[0] + ((c + 0.5) * (b.xRange[1] - b.xRange[0])) / R;
      const y = b.yRange[1] - ((r + 0.5) * (b.yRange[1] - b.yRange[0])) / R;
      const v = predict(net, [x, y]);
      out.push(v.length === 2 ? v[1] : v[0]);
    }
  }
  return out;
}

/** Trains a spec with the CLI (in a folder of its own) and returns its network with the CLI's trained parameters. */
function trainedByCli(text: string, network: string): { net: Network; loss: number[] } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'netspec-train-'));
  const file = path.join(dir, 'spec.netspec');
  fs.writeFileSync(file, text);
  const out = spawnSync(process.execPath, [cliPath(), 'train', file, '--json'], { encoding: 'utf8' });
  const cli = JSON.parse(out.stdout);
  const run = cli.runs.find((r: { network: string }) => r.network === network);
  return { net: withCliLayers(text, network, run.layers), loss: run.loss };
}

/** The network of a spec with the parameters `netspec train --json` printed for it (by layer name). */
function withCliLayers(text: string, network: string, cliLayers: Record<string, { W: number[][]; b: number[] }>): Network {
  const initial = analyze(text).program.networks.get(network)!.network!;
  const layers = initial.layers.map((l) => ({ W: cliLayers[l.name].W.flat(), b: cliLayers[l.name].b }));
  return analyze(text, { trained: new Map([[network, { layers, definition: fingerprint(initial) }]]) }).program.networks.get(network)!.network!;
}

/** Starts the `train` statement of a spec in the server and waits for its end; returns every event of the run. */
async function runInServer(uri: string, text: string): Promise<Progress[]> {
  await client.open(uri, text, 1);
  await client.diagnostics(uri, 1);
  const line = text.split('\n').findIndex((l) => l.startsWith('train '));
  const started = (await client.connection.sendRequest('netspec/train', { uri, line })) as { runId: string };
  await until('the run to finish', () => progress.find((p) => p.runId === started.runId && p.done), 60_000);
  return progress.filter((p) => p.runId === started.runId);
}

test('a 1-input network: the fitted curve is the engine\'s prediction at its xs, live and in the snapshots; test points are flagged', async () => {
  const xs = Array.from({ length: 24 }, (_, i) => -3 + (6 * i) / 23);
  const rows = xs.map((x) => `  [${x}] -> [${Math.sin(x)}]`).join('\n');
  const text = `network fit {\n  input x[1]\n  dense h[8] tanh\n  dense y[1] linear\n  loss mse\n}\ndata d {\n${rows}\n}\ntrain fit on d {\n  optimizer adam\n  learning_rate 0.02\n  epochs 300\n  split 0.75\n  seed 4\n}\n`;
  const events = await runInServer('file:///fit-sin.netspec', text);
  const updates = events.filter((p) => !p.done);
  const curves = updates.filter((p) => p.curve);
  assert.ok(curves.length >= 1 && updates.every((p) => p.boundary === undefined), 'a curve, not a boundary, for one input');
  const curve = curves.at(-1)!.curve!;
  assert.equal(updates.at(-1)!.epoch, 300);
  assert.ok(updates.at(-1)!.curve, 'the last progress event brings the final curve');
  // The xs cover the data, evenly spaced.
  assert.ok(curve.xRange[0] < -3 && curve.xRange[1] > 3, `x range ${curve.xRange}`);
  assert.equal(curve.xs[0], curve.xRange[0]);
  assert.ok(Math.abs(curve.xs.at(-1)! - curve.xRange[1]) < 1e-12);
  assert.equal(curve.ys.length, 1);
  assert.equal(curve.ys[0].length, curve.xs.length);
  const { net, loss } = trainedByCli(text, 'fit');
  assert.deepEqual(curve.ys[0], curve.xs.map((x) => predict(net, [x])[0]), 'the final curve is y(x) of the trained network');
  // Snapshots: every epoch up to 100, here 100 of 300; the last one is the final curve.
  const snapshots = updates.flatMap((p) => p.snapshots ?? []);
  assert.equal(snapshots.length, 100);
  assert.deepEqual([snapshots[0].epoch, snapshots.at(-1)!.epoch], [1, 300]);
  assert.deepEqual(snapshots.at(-1)!.ys, curve.ys);
  assert.ok(snapshots.every((s) => s.ys?.[0].length === curve.xs.length && s.values === undefined));
  // The points are the data, the test set (split 0.75, seed 4) flagged.
  const test = new Set(splitIndices(xs.length, 0.75, 4).test);
  assert.equal(test.size, 6);
  assert.deepEqual(curve.points.map((p) => [p.x, p.y, p.test === true]), xs.map((x, i) => [x, Math.sin(x), test.has(i)]));
  assert.equal(events.find((p) => p.done)!.firstLoss, loss[0]);
});

test('a 2-input classifier with a test split: the boundary\'s points say which are test points', async () => {
  const text = 'network c {\n  input x[2]\n  dense h[6] tanh\n  dense y[1] sigmoid\n  loss binary_cross_entropy\n}\ndata d = circle(n: 120, noise: 0.05, seed: 2)\ntrain c on d {\n  epochs 20\n  split 0.7\n  seed 9\n}\n';
  const events = await runInServer('file:///circles-split.netspec', text);
  const b = events.filter((p) => p.boundary).at(-1)!.boundary!;
  assert.notEqual(b.kind, 'output');
  const test = new Set(splitIndices(120, 0.7, 9).test);
  assert.equal(b.points.length, 120);
  assert.deepEqual(b.points.map((p, i) => [i, p.test === true]), b.points.map((_, i) => [i, test.has(i)]));
  // Every epoch of a 20-epoch run has its snapshot.
  assert.deepEqual(events.flatMap((p) => p.snapshots ?? []).map((s) => s.epoch), Array.from({ length: 20 }, (_, i) => i + 1));
});

test('a 2-input network that is not a classifier: a heatmap of its output', async () => {
  const rows = [[0, 0, 0.5], [1, 0, 1.5], [0, 1, -0.5], [1, 1, 0.25], [0.5, 0.5, 2]].map(([a, b, t]) => `  [${a}, ${b}] -> [${t}]`).join('\n');
  const text = `network r {\n  input x[2]\n  dense h[4] tanh\n  dense y[1] linear\n  loss mse\n}\ndata d {\n${rows}\n}\ntrain r on d {\n  epochs 30\n}\n`;
  const events = await runInServer('file:///heatmap.netspec', text);
  const b = events.filter((p) => p.boundary).at(-1)!.boundary!;
  assert.equal(b.kind, 'output');
  assert.deepEqual(b.points.map((p) => p.c), [0.5, 1.5, -0.5, 0.25, 2], 'a heatmap\'s points carry their target');
  const { net } = trainedByCli(text, 'r');
  assert.deepEqual(b.values, gridOf(net, b));
});

test('a network of three inputs has no picture, but its run still has the replay\'s epochs', async () => {
  const text = 'network w {\n  input x[3]\n  dense y[1] linear\n  loss mse\n}\ndata d {\n  [1, 2, 3] -> [1]\n  [0, 1, 0] -> [0]\n}\ntrain w on d {\n  epochs 5\n}\n';
  const events = await runInServer('file:///three.netspec', text);
  assert.ok(events.every((p) => p.boundary === undefined && p.curve === undefined));
  assert.deepEqual(events.flatMap((p) => p.snapshots ?? []), [1, 2, 3, 4, 5].map((epoch) => ({ epoch })));
});

test('a run whose loss rose: its end says where it began (firstLoss) and where it ended', async () => {
  // Plain SGD past its stable step on E = (w·1 − 0)²: w ← w − 1.5·2w = −2w, the loss ×4 an epoch.
  const text = 'network lin {\n  input x[1]\n  dense y[1] linear nobias\n  loss mse\n  weights y = [[1]]\n}\ndata d {\n  [1] -> [0]\n}\ntrain lin on d {\n  learning_rate 1.5\n  epochs 8\n}\n';
  const events = await runInServer('file:///rose.netspec', text);
  const done = events.find((p) => p.done)!;
  assert.equal(done.diverged, undefined);
  assert.equal(done.firstLoss, 1);
  assert.equal(done.finalLoss, 4 ** 8);
  assert.deepEqual(events.flatMap((p) => p.snapshots ?? []).map((s) => s.ys![0].length), Array(8).fill(200));
});

test('stopping a run ends it at once, as cancelled', async () => {
  const uri = 'file:///long.netspec';
  const text = 'network big {\n  input x[2]\n  dense h[64] tanh\n  dense y[1] sigmoid\n  loss binary_cross_entropy\n}\ndata d = spiral(n: 400, seed: 3)\ntrain big on d {\n  epochs 10000000\n  batch 8\n}\n';
  await client.open(uri, text, 1);
  await client.diagnostics(uri, 1);
  const started = (await client.connection.sendRequest('netspec/train', { uri, line: 7 })) as { runId: string };
  await until('the first progress', () => progress.find((p) => p.runId === started.runId));
  const stopped = (await client.connection.sendRequest('netspec/stopTraining', { uri })) as { stopped: number };
  assert.equal(stopped.stopped, 1);
  const end = await until('the cancelled notice', () => progress.find((p) => p.runId === started.runId && p.done), 10_000);
  assert.equal(end.cancelled, true);
  // It says where it stopped: the last epoch reported before the stop.
  const reported = progress.filter((p) => p.runId === started.runId && !p.done).at(-1)!;
  assert.equal(end.epoch, reported.epoch);
  assert.equal(end.loss, reported.loss);
});

test('a diverging run stops, and its learning_rate gets a warning', async () => {
  const uri = 'file:///diverge.netspec';
  const text = 'network lin {\n  input x[1]\n  dense y[1] linear\n  weights y = [[1]]\n}\ndata d {\n  [1e100] -> [0]\n}\ntrain lin on d {\n  learning_rate 1e200\n  epochs 50\n}\n';
  await client.open(uri, text, 1);
  await client.diagnostics(uri, 1);
  const started = (await client.connection.sendRequest('netspec/train', { uri, line: 8 })) as { runId: string };
  const done = await until('the run to end', () => progress.find((p) => p.runId === started.runId && p.done));
  assert.ok(done.diverged, JSON.stringify(done));
  const d = await until('the diverged warning', () => client.published.filter((p) => p.uri === uri).at(-1)!.diagnostics.find((x) => x.code === 'diverged'));
  assert.deepEqual(d.range.start, { line: 9, character: 2 });
  assert.match(String(d.message), /diverged at epoch 2, step 1: the batch loss became Infinity/);
});

test('one status-bar item: a client that shows runs itself (showsTraining) gets no work-done progress; others do', async () => {
  const text = 'network n {\n  input x[1]\n  dense y[1] linear\n  loss mse\n}\ndata d {\n  [1] -> [2]\n}\ntrain n on d {\n  epochs 5\n}\n';
  const created: Record<string, number> = {};
  for (const shows of [true, false]) {
    const c = await LspClient.start({ capabilities: { window: { workDoneProgress: true } }, initializationOptions: shows ? { showsTraining: true } : {} });
    try {
      created[String(shows)] = 0;
      c.connection.onRequest('window/workDoneProgress/create', () => {
        created[String(shows)]++;
        return null;
      });
      const ended: unknown[] = [];
      c.connection.onNotification('netspec/trainProgress', (p: Progress) => {
        if (p.done) ended.push(p);
      });
      await c.open('file:///status.netspec', text, 1);
      await c.diagnostics('file:///status.netspec', 1);
      await c.connection.sendRequest('netspec/train', { uri: 'file:///status.netspec', line: 8 });
      await until('the run to end', () => ended.length > 0);
    } finally {
      await c.stop();
    }
  }
  assert.deepEqual(created, { true: 0, false: 1 });
});
