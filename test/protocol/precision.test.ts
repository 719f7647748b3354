/**
 * `precision float32` through the language server: the editor's run (a worker thread) trains in
 * float32 — its final loss is the CLI's float32 run's, bit for bit, and not the float64 run's.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { until } from '../support/until';
import { LspClient } from '../support/lsp';
import { cliPath } from '../support/paths';

let client: LspClient;
const done: { runId: string; finalLoss?: number; done: boolean }[] = [];
before(async () => {
  client = await LspClient.start();
  client.connection.onNotification('netspec/trainProgress', (p: { runId: string; finalLoss?: number; done: boolean }) => {
    if (p.done) done.push(p);
  });
});
after(async () => {
  await client.stop();
});

const spec = (precision: string) => `network n {
  input x[2]
  dense h[6] tanh
  dense y[1] sigmoid
  loss binary_cross_entropy
  init xavier seed 3
}
data d = moons(n: 40, noise: 0.1, seed: 2)
train n on d {
  optimizer adam
  learning_rate 0.02
  epochs 30
  batch 8
${precision}}
`;

/** `netspec train --json`'s final loss and parameters of a spec. */
function cli(text: string): { final_loss: number; layers: Record<string, { W: number[][]; b: number[] }> } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'netspec-precision-'));
  const file = path.join(dir, 'p.netspec');
  fs.writeFileSync(file, text);
  const r = spawnSync(process.execPath, [cliPath(), 'train', file, '--json'], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout).runs[0];
}

test('the editor trains a precision float32 statement in float32: the CLI\'s float32 final loss, bit for bit', async () => {
  const text = spec('  precision float32\n');
  const uri = 'file:///precision.netspec';
  await client.open(uri, text, 1);
  assert.deepEqual((await client.diagnostics(uri, 1)).diagnostics.filter((d) => d.severity === 1), []);
  const line = text.split('\n').findIndex((l) => l.startsWith('train n'));
  const started = (await client.connection.sendRequest('netspec/train', { uri, line })) as { runId: string };
  const end = await until('the run to finish', () => done.find((p) => p.runId === started.runId));
  const f32 = cli(text);
  const f64 = cli(spec(''));
  assert.equal(end.finalLoss, f32.final_loss);
  assert.notEqual(f32.final_loss, f64.final_loss);
  for (const [name, layer] of Object.entries(f32.layers)) {
    for (const w of [...layer.W.flat(), ...layer.b]) assert.equal(Math.fround(w), w, `${name}: ${w} is a float32 value`);
  }
});
