/**
 * Pause, step and resume a training run through the language server (netspec/controlTraining):
 * the parameters of a paused run are what probes use, they equal `netspec train`'s after the same
 * number of epochs, and a run paused, stepped by a batch and an epoch and resumed ends with
 * exactly the parameters of a run never interrupted.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import type { InlayHint } from 'vscode-languageserver-protocol';
import { analyze, type TrainedParameters } from '../../server/src/analysis/analyze';
import { fullValue } from '../../server/src/analysis/inlay';
import type { PausedAt } from '../../server/src/protocol/training';
import type { TrainedParametersAnswer } from '../../server/src/protocol/weights';
import { until } from '../support/until';
import { LspClient } from '../support/lsp';
import { cliPath } from '../support/paths';

interface Progress { runId: string; epoch: number; epochs: number; loss: number; done: boolean; paused?: PausedAt; cancelled?: boolean }

let client: LspClient;
const progress: Progress[] = [];
before(async () => {
  client = await LspClient.start();
  client.connection.onNotification('netspec/trainProgress', (p: Progress) => void progress.push(p));
});
after(async () => {
  await client.stop();
});

/** A run of a second or two: long enough that a pause sent at its first event lands well before its end. */
const spec = (epochs: number) => `network s {
  input x[2]
  dense h[16] tanh
  dense y[2] softmax
  loss cross_entropy
  init xavier seed 5
}
data d = spiral(n: 200, noise: 0.1, seed: 3)
train s on d {
  optimizer adam
  learning_rate 0.01
  epochs ${epochs}
  batch 10
  seed 4
}
probe s [1, 0.5] -> [0, 1]
`;
const EPOCHS = 3000;
const TRAIN_LINE = 8;

/** `netspec train --json`'s parameters of the spec run for `epochs`, flat as the server holds them. */
function cliParameters(epochs: number): { W: number[]; b: number[] }[] {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'netspec-control-'));
  const file = path.join(dir, 's.netspec');
  fs.writeFileSync(file, spec(epochs));
  const r = spawnSync(process.execPath, [cliPath(), 'train', file, '--json'], { encoding: 'utf8' });
  fs.rmSync(dir, { recursive: true, force: true });
  assert.equal(r.status, 0, r.stderr);
  const layers = JSON.parse(r.stdout).runs[0].layers as Record<string, { W: number[][]; b: number[] }>;
  return ['h', 'y'].map((n) => ({ W: layers[n].W.flat(), b: layers[n].b }));
}

async function trained(uri: string): Promise<TrainedParametersAnswer['networks'][string]> {
  const answer = (await client.connection.sendRequest('netspec/trainedParameters', { uri })) as TrainedParametersAnswer;
  assert.ok(answer.networks.s, 'the network has trained parameters');
  return answer.networks.s;
}

/** The probe's loss hint's tooltip: the loss in full. */
async function lossHint(uri: string): Promise<string> {
  const hints = (await client.connection.sendRequest('textDocument/inlayHint', { textDocument: { uri }, range: { start: { line: 0, character: 0 }, end: { line: 30, character: 0 } } })) as InlayHint[];
  const h = hints.find((x) => String(x.label).startsWith('E = '));
  assert.ok(h, 'the probe has its loss hint');
  return String(h.tooltip).split('\n')[0];
}

const control = (uri: string, action: string, unit?: string) =>
  client.connection.sendRequest('netspec/controlTraining', { uri, action, unit }) as Promise<{ runs: number }>;

test('pause, step a batch and an epoch, resume: paused parameters reach the probe, and the run ends as if never paused', async () => {
  const uri = 'file:///control.netspec';
  const text = spec(EPOCHS);
  await client.open(uri, text, 1);
  await client.diagnostics(uri, 1);
  const fileHint = await lossHint(uri);
  const started = (await client.connection.sendRequest('netspec/train', { uri, line: TRAIN_LINE })) as { runId: string };
  const events = () => progress.filter((p) => p.runId === started.runId);
  await until('the first progress', () => events()[0]);
  assert.deepEqual(await control(uri, 'pause'), { runs: 1 });
  const pausedEvent = (after: number) => until('a paused event', () => events().slice(after).find((p) => p.paused));
  const first = await pausedEvent(0);
  assert.ok(first.epoch < EPOCHS, 'paused before the end');

  // One epoch: the rest of the epoch in progress, then paused again between epochs.
  let seen = events().length;
  await control(uri, 'step', 'epoch');
  const stepped = await pausedEvent(seen);
  assert.equal(stepped.epoch, first.epoch + 1);
  assert.deepEqual(stepped.paused, { batch: 0, batches: 20 });
  // Paused between epochs: the parameters are `netspec train`'s after that many epochs, bit for bit.
  const atPause = await trained(uri);
  assert.deepEqual(atPause.layers, cliParameters(stepped.epoch));
  // …and the probe's loss is computed with them.
  const expected = analyze(text, { trained: new Map<string, TrainedParameters>([['s', atPause]]) }).probes[0].result;
  assert.ok(expected);
  const hint = await lossHint(uri);
  assert.notEqual(hint, fileHint);
  assert.equal(hint, `loss E = ${fullValue(expected.loss)}`);

  // One batch: one optimiser step into the next epoch.
  seen = events().length;
  await control(uri, 'step', 'batch');
  const batch = await pausedEvent(seen);
  assert.equal(batch.epoch, stepped.epoch);
  assert.deepEqual(batch.paused, { batch: 1, batches: 20 });
  assert.notDeepEqual((await trained(uri)).layers, atPause.layers, 'one step moved the parameters');

  // A step while running does nothing; a resume runs to the end.
  seen = events().length;
  assert.deepEqual(await control(uri, 'resume'), { runs: 1 });
  const done = await until('the run to finish', () => events().find((p) => p.done), 60_000);
  assert.equal(done.epoch, EPOCHS);
  assert.ok(events().slice(seen).every((p) => !p.paused), 'no pause after the resume');
  assert.deepEqual((await trained(uri)).layers, cliParameters(EPOCHS), 'paused, stepped and resumed = never paused');
});

test('stopping a paused run keeps its paused parameters; bad controls tell no run', async () => {
  const uri = 'file:///control-stop.netspec';
  const text = spec(100000);
  await client.open(uri, text, 1);
  await client.diagnostics(uri, 1);
  assert.deepEqual(await control(uri, 'pause'), { runs: 0 }, 'no run yet');
  const started = (await client.connection.sendRequest('netspec/train', { uri, line: TRAIN_LINE })) as { runId: string };
  const events = () => progress.filter((p) => p.runId === started.runId);
  await until('the first progress', () => events()[0]);
  for (const bad of [{ uri, action: 'explode' }, { uri: 7, action: 'pause' }, null]) {
    assert.deepEqual(await client.connection.sendRequest('netspec/controlTraining', bad), { runs: 0 });
  }
  await control(uri, 'pause');
  await until('a paused event', () => events().find((p) => p.paused));
  const paused = await trained(uri);
  await client.connection.sendRequest('netspec/stopTraining', { uri });
  const end = await until('the cancelled event', () => events().find((p) => p.done));
  assert.equal(end.cancelled, true);
  assert.deepEqual((await trained(uri)).layers, paused.layers);
});
