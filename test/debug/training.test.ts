/**
 * A `train` statement in the debug adapter (launch argument `train`): stopped at the end of each
 * epoch on the statement's line. The losses and parameters must be the run `netspec train --json`
 * makes, to the bit (the same Trainer: data, split, shuffles, optimiser); each layer's mean
 * |dE/dW| must be torch autograd's, averaged over the training samples, at the parameters the
 * stop shows; a condition such as `loss < 0.01` stops at the first epoch where it holds.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after as afterAll, test } from 'node:test';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { Discrepancies, oracle, runCli, type OracleProbe } from '../oracle/oracle';
import { after, launched, readStop, session, walk, type Stop } from '../support/dap';
import { repoRoot } from '../support/paths';

const XOR = path.join(repoRoot(), 'examples', 'xor.netspec');
const XOR_TRAIN_LINE = 17;
const XOR_DATA = [[[0, 0], [0]], [[0, 1], [1]], [[1, 0], [1]], [[1, 1], [0]]] as const;

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'netspec-debug-train-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** Mean |dE/dW| per layer of xor at the stop's parameters, from torch: the mean of the 4 samples' gradients. */
function torchMeanAbsGradient(stop: Stop): Record<string, number> {
  const layer = (name: string, activation: string) => ({ units: (stop.values.get(`b_${name}`) as number[]).length, activation, params: [], bias: true, W: stop.values.get(`W_${name}`) as number[][], b: stop.values.get(`b_${name}`) as number[] });
  const layers = [layer('h', 'tanh'), layer('y', 'sigmoid')];
  const answers = oracle(XOR_DATA.map(([x, t]) => ({ kind: 'probe' as const, inputs: 2, loss: 'squared_error', x: [...x], t: [...t], layers }))) as OracleProbe[];
  const out: Record<string, number> = {};
  ['h', 'y'].forEach((name, l) => {
    const dW = answers.map((a) => a.layers[l].dW.flat());
    const mean = dW[0].map((_, i) => dW.reduce((s, g) => s + g[i], 0) / dW.length);
    out[name] = mean.reduce((s, g) => s + Math.abs(g), 0) / mean.length;
  });
  return out;
}

test('examples/xor.netspec\'s train statement: epoch stops with `netspec train`\'s losses and weights to the bit, torch\'s mean |dE/dW|, and `loss < 0.01` stopping where it first holds', () => session(async (c) => {
  const cli = runCli(['train', XOR, '--json']);
  assert.equal(cli.status, 0, cli.stderr);
  const run = cli.json.runs[0];
  await launched(c, { program: XOR, train: XOR_TRAIN_LINE });
  const entry = await readStop(c);
  assert.equal(entry.name, 'train xor on xor_data');
  assert.equal(entry.line, XOR_TRAIN_LINE);
  assert.deepEqual([...entry.values.keys()], ['epoch', 'loss', 'W_h', 'b_h', 'mean |dE/dW| h', 'W_y', 'b_y', 'mean |dE/dW| y']);
  const d = new Discrepancies();
  const check = (stop: Stop) => {
    const want = torchMeanAbsGradient(stop);
    for (const name of ['h', 'y']) d.check(`${stop.name} mean |dE/dW| ${name}`, stop.values.get(`mean |dE/dW| ${name}`), want[name]);
  };
  check(entry);
  for (let epoch = 1; epoch <= 3; epoch++) {
    await after(c, () => c.request('next', { threadId: 1 }));
    const stop = await readStop(c);
    assert.equal(stop.name, `epoch ${epoch}`);
    assert.deepEqual(stop.below, ['train xor on xor_data']);
    assert.equal(stop.values.get('epoch'), epoch);
    assert.equal(stop.values.get('loss'), run.loss[epoch - 1], `epoch ${epoch}'s loss`);
  }
  const first = run.loss.findIndex((l) => l < 0.01) + 1;
  assert.ok(first > 3, `the loss first goes below 0.01 at epoch ${first}`);
  const set = await c.request<DebugProtocol.SetBreakpointsResponse['body']>('setBreakpoints', { source: { path: XOR }, breakpoints: [{ line: XOR_TRAIN_LINE, condition: 'loss < 0.01' }, { line: 5 }] });
  assert.deepEqual(set.breakpoints.map((b) => b.verified), [true, false]);
  assert.match(set.breakpoints[1].message!, /on the `train` line \(17\)/);
  await after(c, () => c.request('continue', { threadId: 1 }));
  const below = await readStop(c);
  assert.equal(below.name, `epoch ${first}`, 'Continue stops at the first epoch whose loss is below 0.01');
  check(below);
  await c.request('setBreakpoints', { source: { path: XOR }, breakpoints: [{ line: XOR_TRAIN_LINE, condition: `epoch == ${run.epochs}` }] });
  await after(c, () => c.request('continue', { threadId: 1 }));
  const last = await readStop(c);
  assert.equal(last.name, `epoch ${run.epochs}`);
  for (const name of ['h', 'y']) {
    assert.deepEqual(last.values.get(`W_${name}`), run.layers[name].W, `the trained W of ${name}`);
    assert.deepEqual(last.values.get(`b_${name}`), run.layers[name].b, `the trained b of ${name}`);
  }
  assert.match((await c.send('stepBack', { threadId: 1 })).message ?? '', /goes forward only/);
  assert.equal(await after(c, () => c.request('continue', { threadId: 1 })), 'terminated', 'after the last epoch the session ends');
  d.assertNone('mean |dE/dW| against torch');
}));

test('with a test set: every epoch\'s loss and test loss are the CLI\'s, and a step after the last epoch ends the session', () => session(async (c) => {
  const file = path.join(dir, 'split.netspec');
  fs.writeFileSync(file, [
    'network n {', '  input x[2]', '  dense h[3] tanh', '  dense y[1] sigmoid', '  loss binary_cross_entropy', '  init xavier seed 2', '}',
    'data d = xor(n: 40, noise: 0.1, seed: 3)',
    'train n on d {', '  split 0.75', '  epochs 12', '  batch 8', '  learning_rate 0.3', '  optimizer adam', '}', '',
  ].join('\n'));
  const run = runCli(['train', file, '--json']).json.runs[0];
  assert.ok(run.test_loss && run.test_loss.length === 12);
  await launched(c, { program: file, train: 9 });
  const stops = await walk(c);
  assert.deepEqual(stops.map((s) => s.name), ['train n on d', ...run.loss.map((_, i) => `epoch ${i + 1}`)]);
  assert.deepEqual(stops.slice(1).map((s) => s.values.get('loss')), run.loss);
  assert.deepEqual(stops.slice(1).map((s) => s.values.get('test_loss')), run.test_loss);
  // Each epoch's accuracy (netspec train's `epoch_accuracy`; its `accuracy` is the final parameters').
  assert.deepEqual(stops.slice(1).map((s) => s.values.get('accuracy')), run.epoch_accuracy);
}));

test('a line that is not a train statement, or both probe and train, are launch errors', async () => {
  const refused = (args: Record<string, unknown>) => session(async (c) => {
    const r = await c.launch(args);
    assert.equal(r.response.success, false);
    return (r.response as DebugProtocol.ErrorResponse).body.error!.format;
  });
  assert.equal(await refused({ program: XOR, train: 5 }), 'Line 5 is not a `train` statement. The train statements are on line 17 (train xor on xor_data).');
  assert.match(await refused({ program: XOR, train: 17, probe: 24 }), /not both/);
});
