/**
 * `netspec/exportPyTorch` over the protocol: the program the CLI writes for the same file (also
 * after a run in the server has trained the network: the export starts from the spec's initial
 * weights), the suggested name, data read from a CSV beside the spec, and the errors the client
 * shows (several networks and none named, a file with errors, no train statement).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, test } from 'node:test';
import { LspClient } from '../support/lsp';
import { cliPath, repoRoot } from '../support/paths';

type Answer = { source?: string; suggestedName?: string; network?: string; error?: string; networks?: string[] };

let client: LspClient;
before(async () => {
  client = await LspClient.start();
});
after(async () => {
  await client.stop();
});

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'netspec-export-lsp-'));

/** What `netspec export NAME --to pytorch -o -` prints, run in the spec's folder. */
function cliExport(name: string, network?: string): string {
  const r = spawnSync(process.execPath, [cliPath(), 'export', name, ...(network ? ['--network', network] : []), '--to', 'pytorch', '-o', '-'], { cwd: tmp, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout;
}

async function exportOf(uri: string, network?: string): Promise<Answer> {
  return (await client.connection.sendRequest('netspec/exportPyTorch', { uri, ...(network ? { network } : {}) })) as Answer;
}

test('the server answers the program the CLI writes, from the initial weights even after a run trained them', async () => {
  const text = fs.readFileSync(path.join(repoRoot(), 'examples', 'xor.netspec'), 'utf8');
  const file = path.join(tmp, 'xor.netspec');
  fs.writeFileSync(file, text);
  const uri = pathToFileURL(file).toString();
  await client.open(uri, text, 1);
  await client.diagnostics(uri, 1);
  const expected = cliExport('xor.netspec');
  const first = await exportOf(uri);
  assert.equal(first.error, undefined);
  assert.equal(first.suggestedName, 'xor.xor.py');
  assert.equal(first.network, 'xor');
  assert.equal(first.source, expected);

  const line = text.split('\n').findIndex((l) => l.startsWith('train xor'));
  const started = (await client.connection.sendRequest('netspec/train', { uri, line })) as { runId: string };
  await client.runEnd(started.runId);
  assert.equal((await exportOf(uri, 'xor')).source, expected, 'the trained weights do not leak into the export');
});

test('several networks: the error names them; a named one exports, with its CSV data read beside the spec', async () => {
  const text = `network a {\n  input x[2]\n  dense y[1] sigmoid\n  loss binary_cross_entropy\n}\nnetwork b {\n  input x[2]\n  dense y[1] linear\n}\ndata pts from "pts.csv"\ntrain a on pts { epochs 5 }\ntrain b on pts { epochs 5  batch 2  seed 3 }\n`;
  const file = path.join(tmp, 'two.netspec');
  fs.writeFileSync(file, text);
  fs.writeFileSync(path.join(tmp, 'pts.csv'), 'x,y,t\n0,0,0\n0,1,1\n1,0,1\n1,1,0\n0.5,0.5,1\n');
  const uri = pathToFileURL(file).toString();
  await client.open(uri, text, 1);
  await client.diagnostics(uri, 1);
  const unnamed = await exportOf(uri);
  assert.match(unnamed.error ?? '', /say which network to export: a, b/);
  assert.deepEqual(unnamed.networks, ['a', 'b']);
  const b = await exportOf(uri, 'b');
  assert.equal(b.suggestedName, 'two.b.py');
  assert.equal(b.source, cliExport('two.netspec', 'b'));
  assert.ok(b.source!.includes('[0.5, 0.5],'), 'the CSV rows are embedded');
  assert.match((await exportOf(uri, 'c')).error ?? '', /no train statement trains `c`/);
});

test('a file with errors, a file without a train statement, a document that is not open', async () => {
  const broken = 'file:///nowhere/broken.netspec';
  await client.open(broken, 'network n {\n  input x[1]\n  dense y[1] sigmoud\n}\n', 1);
  await client.diagnostics(broken, 1);
  assert.match((await exportOf(broken)).error ?? '', /the file has errors/);
  const plain = 'file:///nowhere/plain.netspec';
  await client.open(plain, 'network n {\n  input x[1]\n  dense y[1] sigmoid\n}\n', 1);
  await client.diagnostics(plain, 1);
  assert.match((await exportOf(plain)).error ?? '', /no train statement/);
  assert.match((await exportOf('file:///nowhere/closed.netspec')).error ?? '', /not open/);
});
