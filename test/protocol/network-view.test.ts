/**
 * `netspec/networkView` over the protocol, as Show Network asks it: the *Show network* lens on each
 * network; the view's weights, values and gradients against `netspec grad --json` (the CLI, a
 * separate process); its SVG the one `netspec diagram` writes; during a run, the run's parameters
 * at most a few times a second with each epoch's mean |dE/dw|, and after it the trained network,
 * whose weights equal `netspec train --json`'s; bad requests answered with a reason.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import type { CodeLens } from 'vscode-languageserver-protocol';
import type { NetworkView, NetworkViewAnswer } from '../../server/src/protocol/network';
import { EXTENSION_OPTIONS, LspClient } from '../support/lsp';
import { cliPath } from '../support/paths';
import { until } from '../support/until';

let client: LspClient;
before(async () => {
  client = await LspClient.start({ initializationOptions: EXTENSION_OPTIONS });
});
after(async () => {
  await client.stop();
});

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'netspec-view-'));
function cli(args: string[], text: string): { code: number | null; out: string; err: string } {
  const file = path.join(tmp, 'spec.netspec');
  fs.writeFileSync(file, text);
  const r = spawnSync(process.execPath, [cliPath(), ...args.map((a) => (a === 'FILE' ? file : a))], { encoding: 'utf8' });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

const view = async (params: { uri: string; network?: string; line?: number }) =>
  (await client.connection.sendRequest('netspec/networkView', params)) as NetworkViewAnswer | null;
const viewOk = async (params: { uri: string; network?: string; line?: number }): Promise<NetworkView> => {
  const v = await view(params);
  assert.ok(v && !('error' in v), `a view: ${JSON.stringify(v)}`);
  return v;
};

const STATIC = `network n {
  input x[3]
  dense h[2] tanh
  dense y[2] linear
  loss mse
  weights h = [[0.5, -0.25], [1.5, 0.75], [-1, 0.125]]
  init xavier seed 9
}
probe n [0.3, -0.7, 2] -> [1, -1]
`;

test('the Show network lens, and a view whose numbers are netspec grad\'s and whose SVG is netspec diagram\'s', async () => {
  const uri = 'file:///view-static.netspec';
  await client.open(uri, STATIC, 1);
  await client.diagnostics(uri, 1);
  const lenses = (await client.connection.sendRequest('textDocument/codeLens', { textDocument: { uri } })) as CodeLens[];
  const show = lenses.filter((l) => l.command?.command === 'netspec.showNetwork');
  assert.deepEqual(show.map((l) => [l.range.start.line, l.command!.title, l.command!.arguments]), [[0, 'Show network', [uri, 0]]]);

  const v = await viewOk({ uri, line: 8 });
  assert.equal(v.network, 'n');
  assert.deepEqual(v.parameters, { kind: 'file', init: 'xavier seed 9' }, 'y\'s weights come from the init clause');
  assert.deepEqual(v.gradients, { source: 'probe', line: 8 });
  const grad = cli(['grad', 'FILE', '--json'], STATIC);
  assert.equal(grad.code, 0, grad.err);
  const p = JSON.parse(grad.out).probes[0] as { output: number[]; loss: number; layers: Record<string, { dW: number[][]; delta: number[] }> };
  assert.deepEqual(v.probe?.output, p.output);
  assert.equal(v.probe?.loss, p.loss);
  const names = ['h', 'y'];
  assert.equal(v.edges.length, 3 * 2 + 2 * 2);
  for (const e of v.edges) assert.equal(e.grad, p.layers[names[e.layer]].dW[e.j][e.k], `dE/dw of ${names[e.layer]}[${e.j}][${e.k}]`);
  assert.deepEqual(v.columns.slice(1).map((c) => c.drawn.map((u) => u.delta)), names.map((n) => p.layers[n].delta));
  // The explicit weights of h, read from the text; y's come from init, so they point at its line.
  const hRows = [[0.5, -0.25], [1.5, 0.75], [-1, 0.125]];
  for (const e of v.edges.filter((x) => x.layer === 0)) assert.equal(e.w, hRows[e.j][e.k]);
  assert.ok(v.edges.filter((x) => x.layer === 1).every((e) => e.source.start.line === 3), 'y\'s weights point at its dense line');
  // mse: the output factors are dE/dy_k (not g(z) − t), still multiplying back to the gradient.
  for (const e of v.edges.filter((x) => x.layer === 1)) {
    assert.equal(e.factors?.squared, false);
    assert.ok(Math.abs(e.factors!.dEdy * e.factors!.gprime * e.factors!.x - e.grad!) < 1e-15);
  }
  const diagram = cli(['diagram', 'FILE', '-o', '-'], STATIC);
  assert.equal(diagram.code, 0, diagram.err);
  assert.equal(v.svg, diagram.out);
  assert.equal(v.heatmap, undefined, 'three inputs: no heatmaps');
});

test('bad requests get a reason, and the document\'s networks', async () => {
  const uri = 'file:///view-bad.netspec';
  await client.open(uri, STATIC + 'network m {\n  input x[1]\n  dense y[1] nosuch\n}\n', 1);
  await client.diagnostics(uri, 1);
  const none = await view({ uri, network: 'nope' });
  assert.deepEqual(none, { error: 'there is no network named `nope`', networks: ['n', 'm'] });
  const broken = await view({ uri, network: 'm' });
  assert.ok(broken && 'error' in broken);
  assert.match(broken.error, /`m` has errors/);
  const which = await view({ uri });
  assert.ok(which && 'error' in which && /which network\?/.test(which.error));
  assert.equal(await view({ uri: 'file:///not-open.netspec' }), null);
});

const RUN = `network s {
  input p[2]
  dense h[8] tanh
  dense y[1] sigmoid
  loss binary_cross_entropy
  init xavier seed 3
}
data d = spiral(n: 200, noise: 0.1, seed: 1)
train s on d {
  optimizer adam
  learning_rate 0.01
  epochs 2500
  batch 8
  seed 2
}
probe s [1, -1] -> [1]
`;

test('during a run the view follows its parameters and epoch gradients; after it, the trained network', async () => {
  const uri = 'file:///view-run.netspec';
  await client.open(uri, RUN, 1);
  await client.diagnostics(uri, 1);
  const initial = await viewOk({ uri, network: 's' });
  assert.equal(initial.heatmap?.points.length, 200);
  assert.ok(initial.columns.every((c) => c.drawn.every((u) => u.heatmap?.length === initial.heatmap!.resolution ** 2)));
  const started = (await client.connection.sendRequest('netspec/train', { uri, line: 8 })) as { runId: string };
  const live = await until('a live view', async () => {
    const v = await viewOk({ uri, network: 's' });
    return v.parameters.kind === 'live' ? v : undefined;
  }, 30_000);
  assert.equal(live.parameters.kind === 'live' && live.parameters.runId, started.runId);
  assert.equal(live.parameters.kind === 'live' && live.parameters.epochs, 2500);
  assert.deepEqual(live.gradients, { source: 'epoch', epoch: live.parameters.kind === 'live' ? live.parameters.epoch : -1 });
  assert.ok(live.edges.every((e) => e.grad! >= 0 && e.factors === undefined), 'epoch gradients are magnitudes');
  assert.ok(live.edges.some((e, i) => e.w !== initial.edges[i].w), 'the run\'s weights, not the file\'s');
  const ended = await client.runEnd(started.runId, 120_000);
  assert.ok(!ended.error && !ended.cancelled, JSON.stringify(ended));
  const trained = await until('the trained view', async () => {
    const v = await viewOk({ uri, network: 's' });
    return v.parameters.kind === 'trained' ? v : undefined;
  }, 10_000);
  assert.deepEqual(trained.gradients, { source: 'probe', line: 15 });
  const cliRun = cli(['train', 'FILE', '--json'], RUN);
  assert.equal(cliRun.code, 0, cliRun.err);
  const layers = JSON.parse(cliRun.out).runs[0].layers as Record<string, { W: number[][] }>;
  const names = ['h', 'y'];
  for (const e of trained.edges) assert.equal(e.w, layers[names[e.layer]].W[e.j][e.k], `trained w of ${names[e.layer]}[${e.j}][${e.k}]`);
});

test('live views come at most a few times a second and their epochs advance', async () => {
  const uri = 'file:///view-rate.netspec';
  const long = RUN.replace('epochs 2500', 'epochs 100000');
  await client.open(uri, long, 1);
  await client.diagnostics(uri, 1);
  const started = (await client.connection.sendRequest('netspec/train', { uri, line: 8 })) as { runId: string };
  const epochs: number[] = [];
  const seen = new Set<number>();
  const t0 = Date.now();
  await until('three distinct live epochs', async () => {
    const v = await viewOk({ uri, network: 's' });
    if (v.parameters.kind === 'live' && !seen.has(v.parameters.epoch)) {
      seen.add(v.parameters.epoch);
      epochs.push(v.parameters.epoch);
    }
    return epochs.length >= 3 ? true : undefined;
  }, 30_000, 20);
  const elapsed = Date.now() - t0;
  await client.connection.sendRequest('netspec/stopTraining', { uri });
  await client.runEnd(started.runId);
  assert.deepEqual(epochs, [...epochs].sort((a, b) => a - b), `epochs advance: ${epochs}`);
  // Polled every 20 ms, yet a new snapshot comes at most every 250 ms: two gaps take ≥ 500 ms.
  assert.ok(elapsed >= 450, `three live snapshots within ${elapsed} ms`);
});
