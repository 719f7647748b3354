/** Training runs through the language server: progress, results that flow back, cancel, divergence. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import type { CodeAction, InlayHint } from 'vscode-languageserver-protocol';
import { analyze } from '../../server/src/analysis/analyze';
import { until } from '../support/until';
import { LspClient } from '../support/lsp';
import { applyEdits } from '../support/lsp-extra';
import { cliPath, repoRoot } from '../support/paths';

interface Progress { runId: string; network: string; epoch: number; epochs: number; loss: number; recent?: { epoch: number; loss: number }[]; done: boolean; cancelled?: boolean; diverged?: unknown; boundary?: { values: number[] } }

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
  // The panel's curve: each progress message brings the epochs since the previous one (thinned to
  // at most 500 a message), in order, with the losses the CLI reports for those epochs.
  const curve = updates.flatMap((p) => [...(p.recent ?? []), { epoch: p.epoch, loss: p.loss }]);
  assert.ok(curve.every((p, i) => i === 0 || p.epoch > curve[i - 1].epoch), 'curve epochs in order');
  assert.equal(curve.at(-1)!.epoch, 2000);
  updates.forEach((p, i) => {
    const skipped = p.epoch - (i === 0 ? 0 : updates[i - 1].epoch) - 1;
    assert.equal(p.recent?.length, Math.min(skipped, 500), `message ${i} (epoch ${p.epoch}) should carry the ${skipped} epochs before it`);
  });
  const cliLoss = cli.runs[0].loss as number[];
  for (const p of curve) assert.equal(p.loss, cliLoss[p.epoch - 1], `loss of epoch ${p.epoch}`);
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
