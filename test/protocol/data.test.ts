/**
 * `function(…)` data and `standardize` through the language server: the data set's and the
 * network's hovers, a run on function data, and a CSV file's statistics that only a run knows
 * (before it probes use the raw inputs; after it, the run's statistics, as the CLI computes them).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, test } from 'node:test';
import { analyze } from '../../server/src/analysis/analyze';
import { formatNumber } from '../../server/src/analysis/format';
import { probe } from '../../server/src/engine/network';
import { splitIndices } from '../../server/src/engine/train';
import { hoverText, LspClient, positionOf } from '../support/lsp';
import { cliPath } from '../support/paths';
import { until } from '../support/until';


const FUNCTION_SPEC = `data wave = function(tanh(2 * x) + 0.5 * x, n: 40, from: 10, to: 30, noise: 0.05, seed: 2) standardize
network fit {
  input x[1]
  dense h[5] tanh
  dense y[1] linear
  loss squared_error
  init xavier seed 1
}
train fit on wave { optimizer adam learning_rate 0.05 epochs 60 split 0.75 seed 3 }
probe fit [20] -> [1]
`;

const CSV_SPEC = `network n {
  input x[2]
  dense h[3] tanh
  dense y[1] linear
  loss squared_error
  init xavier seed 2
}
data pts from "points.csv" standardize
train n on pts { epochs 20 learning_rate 0.1 split 0.7 seed 5 }
probe n [150, 0.2] -> [1]
`;
const CSV = 'a,b,t\n100,0.1,1\n140,0.3,2\n90,0.2,0\n170,0.25,1\n130,0.15,3\n160,0.05,2\n';

let dir: string;
let client: LspClient;
before(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'netspec-data-'));
  fs.writeFileSync(path.join(dir, 'fn.netspec'), FUNCTION_SPEC);
  fs.writeFileSync(path.join(dir, 'csv.netspec'), CSV_SPEC);
  fs.writeFileSync(path.join(dir, 'points.csv'), CSV);
  client = await LspClient.start();
});
after(async () => {
  await client.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

const uriOf = (name: string) => pathToFileURL(path.join(dir, name)).href;
const train = (uri: string, line: number) => client.connection.sendRequest('netspec/train', { uri, line }) as Promise<{ runId?: string; error?: string }>;

test('hovers over the protocol: what a function data set holds, and the statistics the network standardizes by', async () => {
  const uri = uriOf('fn.netspec');
  await client.open(uri, FUNCTION_SPEC, 1);
  const published = await client.diagnostics(uri, 1);
  assert.deepEqual(published.diagnostics.filter((d) => d.severity === 1), []);
  const data = hoverText(await client.hover(uri, positionOf(FUNCTION_SPEC, 'wave', 1)));
  assert.match(data, /\*\*data wave\*\* · 40 samples · 1 input → 1 target/);
  assert.match(data, /x: 40 evenly spaced points from 10 to 30 · target = `tanh\(2 \* x\) \+ 0\.5 \* x` \+ 0\.05·N\(0, 1\) \(seed 2\)/);
  assert.match(data, /\| x \| [\d.]+ \| [\d.]+ \|/);
  const net = hoverText(await client.hover(uri, positionOf(FUNCTION_SPEC, 'fit', 1)));
  assert.match(net, /`fit` standardizes its inputs \(statistics of `wave`\)/);
  // The same numbers as the analysis of the file.
  const s = analyze(FUNCTION_SPEC).program.networks.get('fit')!.network!.standardize!;
  assert.ok(s.mean[0] > 15 && s.mean[0] < 25 && s.std[0] > 4, JSON.stringify(s));
});

test('a run on function data with standardize trains in the server, and ends where the CLI ends', async () => {
  const uri = uriOf('fn.netspec');
  const started = await train(uri, 8);
  assert.ok(started.runId, JSON.stringify(started));
  const done = await client.runEnd(started.runId);
  assert.equal(done.error, undefined, done.error);
  const cli = JSON.parse(spawnSync(process.execPath, [cliPath(), 'train', path.join(dir, 'fn.netspec'), '--json'], { encoding: 'utf8' }).stdout);
  assert.equal(done.finalLoss, cli.runs[0].final_loss);
  assert.ok(cli.runs[0].final_loss < cli.runs[0].loss[0] / 5, `the standardized fit learns: ${cli.runs[0].loss[0]} → ${cli.runs[0].final_loss}`);
  // The CLI's text says what the run standardized by: the statistics the check computed.
  const text = spawnSync(process.execPath, [cliPath(), 'train', path.join(dir, 'fn.netspec')], { encoding: 'utf8' }).stdout;
  const s = analyze(FUNCTION_SPEC).program.networks.get('fit')!.network!.standardize!;
  assert.ok(text.includes(`\n  inputs standardized: mean [${formatNumber(s.mean[0])}], std [${formatNumber(s.std[0])}]\n`), text);
});

test('a CSV file: probes use raw inputs until a run reads it, then the run\'s statistics of its training part', async () => {
  const uri = uriOf('csv.netspec');
  await client.open(uri, CSV_SPEC, 1);
  await client.diagnostics(uri, 1);
  const net = hoverText(await client.hover(uri, positionOf(CSV_SPEC, 'n {')));
  assert.match(net, /a CSV file: its statistics are computed when a run reads it; until then probes and evals use the raw inputs/);
  const loss = async () => {
    const hints = (await client.connection.sendRequest('textDocument/inlayHint', { textDocument: { uri }, range: { start: { line: 0, character: 0 }, end: { line: 20, character: 0 } } })) as { label: string }[];
    return hints.map((h) => String(h.label)).find((l) => l.startsWith('E = '));
  };
  const before = await loss();
  const started = await train(uri, 8);
  assert.ok(started.runId, JSON.stringify(started));
  const done = await client.runEnd(started.runId);
  assert.equal(done.error, undefined, done.error);
  // The CLI's trained network, standardized as its run was: the probe's loss the server now shows.
  const cli = JSON.parse(spawnSync(process.execPath, [cliPath(), 'train', path.join(dir, 'csv.netspec'), '--json'], { encoding: 'utf8' }).stdout);
  const a = analyze(CSV_SPEC);
  const network = a.program.networks.get('n')!.network!;
  for (const l of network.layers) {
    l.W.set(cli.runs[0].layers[l.name].W.flat());
    l.b.set(cli.runs[0].layers[l.name].b);
  }
  const rows = [[100, 0.1], [140, 0.3], [90, 0.2], [170, 0.25], [130, 0.15], [160, 0.05]];
  const train7 = splitIndices(6, 0.7, 5).train.map((i) => rows[i]);
  const mean = [0, 1].map((j) => train7.reduce((s, r) => s + r[j], 0) / train7.length);
  const std = [0, 1].map((j) => Math.sqrt(train7.reduce((s, r) => s + (r[j] - mean[j]) ** 2, 0) / train7.length));
  network.standardize = { mean, std };
  const want = probe(network, [150, 0.2], [1]).loss;
  const after = await until('the probe to use the trained network', async () => {
    const l = await loss();
    return l !== before ? l : undefined;
  });
  assert.ok(after, 'an E = hint');
  const shown = Number(after.slice(4));
  assert.ok(Math.abs(shown - want) <= 1e-5 * Math.max(1, Math.abs(want)), `the probe's loss ${shown} should be the standardized trained network's ${want}`);
  assert.match(hoverText(await client.hover(uri, positionOf(CSV_SPEC, 'n {'))), /statistics of `pts`, from the last run/);
});
