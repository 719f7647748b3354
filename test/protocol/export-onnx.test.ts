/**
 * Export to ONNX over the protocol: `netspec/exportOnnx` answers the model `netspec export --to
 * onnx` writes (the CLI, a separate process), with a run's weights once the network has trained
 * and the file's own when asked; a file with errors or an unknown network gets a reason; and the
 * server's own command (for editors without NetSpec's client) writes the model beside the spec,
 * never over an existing file.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, test } from 'node:test';
import type { ShowMessageParams } from 'vscode-languageserver-protocol';
import type { ExportOnnxAnswer } from '../../server/src/protocol/onnx';
import { LspClient } from '../support/lsp';
import { cliPath, repoRoot } from '../support/paths';
import { until } from '../support/until';

let client: LspClient;
const messages: ShowMessageParams[] = [];
before(async () => {
  client = await LspClient.start();
  client.connection.onNotification('window/showMessage', (m: ShowMessageParams) => void messages.push(m));
});
after(async () => {
  await client.stop();
});

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'netspec-onnx-lsp-'));
const XOR = fs.readFileSync(path.join(repoRoot(), 'examples', 'xor.netspec'), 'utf8');
const file = path.join(dir, 'xor.netspec');
fs.writeFileSync(file, XOR);
const uri = pathToFileURL(file).href;
const cli = (...args: string[]) => spawnSync(process.execPath, [cliPath(), 'export', 'xor.netspec', '--to', 'onnx', '-o', '-', ...args], { cwd: dir });
const bytes = (a: ExportOnnxAnswer) => {
  assert.ok(!('error' in a), JSON.stringify(a));
  return Buffer.from(a.model, 'base64');
};

test('netspec/exportOnnx: the CLI\'s model, in both element types; after a run, the run\'s weights by default', async () => {
  await client.open(uri, XOR, 1);
  await client.diagnostics(uri, 1);
  const own = (await client.connection.sendRequest('netspec/exportOnnx', { uri })) as ExportOnnxAnswer;
  assert.ok(!('error' in own));
  assert.deepEqual([own.suggestedName, own.network, own.weights, own.dtype], ['xor.xor.onnx', 'xor', 'file', 'float32']);
  assert.ok(bytes(own).equals(cli().stdout));
  const f64 = (await client.connection.sendRequest('netspec/exportOnnx', { uri, dtype: 'float64' })) as ExportOnnxAnswer;
  assert.ok(bytes(f64).equals(cli('--dtype', 'float64').stdout));

  const run = (await client.connection.sendRequest('netspec/train', { uri, line: 16 })) as { runId: string };
  await client.runEnd(run.runId);
  const trained = await until('the trained model', async () => {
    const a = (await client.connection.sendRequest('netspec/exportOnnx', { uri })) as ExportOnnxAnswer;
    return !('error' in a) && a.weights === 'trained' ? a : undefined;
  }, 10_000);
  assert.ok(!bytes(trained).equals(bytes(own)));
  // The run's weights are netspec train's: h.weight's dims and raw floats as --trained writes them.
  const cliTrained = cli('--trained').stdout;
  const weightsOf = (b: Buffer) => b.toString('latin1').split('h.weight')[1]?.slice(0, 60);
  assert.equal(weightsOf(bytes(trained)), weightsOf(cliTrained));
  // The file's own weights on request.
  const asked = (await client.connection.sendRequest('netspec/exportOnnx', { uri, weights: 'file' })) as ExportOnnxAnswer;
  assert.ok(bytes(asked).equals(cli().stdout));
});

test('bad requests: errors and the networks to choose from', async () => {
  const two = 'file:///two.netspec';
  await client.open(two, 'network a {\n  input x[1]\n  dense y[1] tanh\n}\nnetwork b {\n  input x[1]\n  dense y[1] tanh\n}\n', 1);
  await client.diagnostics(two, 1);
  assert.deepEqual(await client.connection.sendRequest('netspec/exportOnnx', { uri: two }), { error: 'say which network to export: a, b', networks: ['a', 'b'] });
  const untrained = (await client.connection.sendRequest('netspec/exportOnnx', { uri: two, network: 'a', weights: 'trained' })) as { error: string };
  assert.match(untrained.error, /`a` has no trained weights in this editor session/);
  const broken = 'file:///broken-onnx.netspec';
  await client.open(broken, 'network a {\n  input x[1]\n  dense y[1] tanhh\n}\n', 1);
  await client.diagnostics(broken, 1);
  assert.deepEqual(await client.connection.sendRequest('netspec/exportOnnx', { uri: broken }), { error: 'the file has errors; fix them before exporting' });
});

test('the server\'s Export to ONNX command writes the model beside the spec, never over a file', async () => {
  const target = path.join(dir, 'xor.xor.onnx');
  fs.rmSync(target, { force: true });
  const r = (await client.connection.sendRequest('workspace/executeCommand', { command: 'netspec.server.exportOnnx', arguments: [uri, 'xor'] })) as { path: string };
  assert.equal(r.path, target);
  assert.ok(fs.readFileSync(target).length > 100);
  await until('the message', () => messages.find((m) => m.message.startsWith('Exported xor (')), 5_000);
  const again = (await client.connection.sendRequest('workspace/executeCommand', { command: 'netspec.server.exportOnnx', arguments: [uri, 'xor'] })) as { error: string };
  assert.match(again.error, /xor\.xor\.onnx already exists beside the spec/);
});
