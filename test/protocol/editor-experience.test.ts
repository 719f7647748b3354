/** Inlay hints, numeric warnings, code lenses, the gradient check and quick fixes, over the protocol. */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { CodeAction, CodeLens, Diagnostic, InlayHint } from 'vscode-languageserver-protocol';
import { analyze } from '../../server/src/analysis/analyze';
import { EXTENSION_OPTIONS, LspClient } from '../support/lsp';
import { applyEdits } from '../support/lsp-extra';

let client: LspClient;
const messages: string[] = [];
before(async () => {
  client = await LspClient.start({ initializationOptions: EXTENSION_OPTIONS });
  client.connection.onNotification('window/showMessage', (m: { message: string }) => {
    messages.push(m.message);
  });
});
after(async () => {
  await client.stop();
});


async function fixes(uri: string, d: Diagnostic): Promise<CodeAction[]> {
  return (await client.connection.sendRequest('textDocument/codeAction', { textDocument: { uri }, range: d.range, context: { diagnostics: [d] } })) as CodeAction[];
}

test('inlay hints: values after evals and lets, the loss after a probe', async () => {
  const uri = 'file:///inlay.netspec';
  const text = 'let z = 0.5\nlet w = z * 2\neval sigmoid\'(z)\nnetwork n {\n  input x[1]\n  dense y[1] linear\n  weights y = [[2]]\n  bias y = [1]\n}\nprobe n [3] -> [5]\n';
  await client.open(uri, text, 1);
  await client.diagnostics(uri, 1);
  const hints = (await client.connection.sendRequest('textDocument/inlayHint', {
    textDocument: { uri }, range: { start: { line: 0, character: 0 }, end: { line: 10, character: 0 } },
  })) as InlayHint[];
  assert.deepEqual(hints.map((h) => [h.position.line, h.position.character, h.label]), [
    [1, 13, '= 1'],
    [2, 16, '= 0.235'],
    [9, 18, 'E = 2'],
  ]);
});

test('numeric warnings carry their numbers and a link to the docs', async () => {
  const uri = 'file:///numeric.netspec';
  const text = 'network n {\n  input x[1]\n  dense y[1] sigmoid\n  weights y = [[75]]\n}\nprobe n [1] -> [1]\neval log(-1)\n';
  await client.open(uri, text, 1);
  const d = (await client.diagnostics(uri, 1)).diagnostics;
  const saturated = d.find((x) => x.code === 'saturated');
  assert.ok(saturated, JSON.stringify(d));
  assert.equal(saturated!.severity, 2);
  assert.match(String(saturated!.message), /z = 75, sigmoid'\(z\) = 2\.7e-33/);
  assert.deepEqual(saturated!.range, { start: { line: 2, character: 8 }, end: { line: 2, character: 9 } });
  assert.match(saturated!.codeDescription!.href, /docs\/LANGUAGE\.md#saturated$/);
  const nan = d.find((x) => x.code === 'not-finite');
  assert.ok(nan && /NaN/.test(String(nan.message)), JSON.stringify(d));
});

test('code lens "Gradient check" runs backpropagation against finite differences', async () => {
  const uri = 'file:///lens.netspec';
  const text = 'network n {\n  input x[2]\n  dense h[3] tanh\n  dense y[2] softmax\n  loss cross_entropy\n  init xavier seed 4\n}\nprobe n [0.5, -1] -> [0, 1]\n';
  await client.open(uri, text, 1);
  await client.diagnostics(uri, 1);
  const all = (await client.connection.sendRequest('textDocument/codeLens', { textDocument: { uri } })) as CodeLens[];
  assert.deepEqual(all.map((l) => [l.range.start.line, l.command!.title]), [[7, 'Gradient check'], [7, 'Debug probe'], [0, 'Show plot'], [0, 'Show network']]);
  // The debugger's lens is the client's command, with the document and the probe's 0-based line.
  assert.deepEqual(all[1].command!.command, 'netspec.debugProbe');
  assert.deepEqual(all[1].command!.arguments, [uri, 7]);
  const lenses = all.filter((l) => l.command!.title === 'Gradient check');
  assert.equal(lenses[0].command!.title, 'Gradient check');
  assert.equal(lenses[0].range.start.line, 7);
  const result = (await client.connection.sendRequest('workspace/executeCommand', { command: lenses[0].command!.command, arguments: lenses[0].command!.arguments })) as { count: number; worst: number };
  assert.equal(result.count, 2 * 3 + 3 + 3 * 2 + 2);
  assert.ok(result.worst < 1e-6, `worst relative error ${result.worst}`);
  for (let i = 0; i < 50 && !messages.some((m) => m.startsWith('Gradient check of probe n')); i++) await new Promise((r) => setTimeout(r, 20));
  assert.match(messages.find((m) => m.startsWith('Gradient check of probe n')) ?? '', /agrees with finite differences\. Worst relative error .* over 17 parameters/);
});

test('"Show plot": the plots of a network\'s activations and of a fn, as SVG', async () => {
  const uri = 'file:///plots.netspec';
  const text = 'network n {\n  input x[2]\n  dense h[3] tanh\n  dense k[3] leaky_relu(0.2)\n  dense y[2] softmax\n  loss cross_entropy\n}\nfn bump(z) = exp(-z ^ 2)\n';
  await client.open(uri, text, 1);
  await client.diagnostics(uri, 1);
  const net = (await client.connection.sendRequest('netspec/plot', { uri, line: 0 })) as { title: string; items: { label: string; svg: string; caption: string }[] };
  assert.equal(net.title, 'Network n');
  // The network's own function first (two inputs: a heatmap of its first output), then its activations.
  assert.deepEqual(net.items.map((i) => i.label), ['y₀(x₁, x₂)', 'tanh (layer h)', 'leaky_relu(0.2) (layer k)']);
  assert.match(net.items[1].caption, /1 - tanh²\(z\)/);
  for (const i of net.items) assert.match(i.svg, /^<svg[^>]*xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
  const fn = (await client.connection.sendRequest('netspec/plot', { uri, line: 7 })) as { items: { caption: string }[] };
  assert.match(fn.items[0].caption, /bump'\(z\) = −2·z·exp\(−z\^2\)/);
});

test('quick fix: weights of the wrong shape become a matrix of the right shape, from the init', async () => {
  const uri = 'file:///shape.netspec';
  const text = 'network n {\n  input x[2]\n  dense y[3] relu\n  loss mse\n  init he seed 9\n  weights y = [[1, 2]]\n}\n';
  await client.open(uri, text, 1);
  const [d] = (await client.diagnostics(uri, 1)).diagnostics;
  assert.equal(d.code, 'shape');
  const [fix] = await fixes(uri, d);
  assert.equal(fix.title, 'Replace with a 2×3 matrix initialised by `he seed 9`');
  const fixed = applyEdits(text, fix.edit!.changes![uri]);
  const a = analyze(fixed);
  assert.deepEqual(a.diagnostics, []);
  // The inserted weights are exactly what `init he seed 9` gives the layer without them.
  const initial = analyze(text.replace(/  weights y = .*\n/, '')).program.networks.get('n')!.network!;
  assert.deepEqual(Array.from(a.program.networks.get('n')!.network!.layers[0].W), Array.from(initial.layers[0].W));
});

test('quick fix: a network without a loss gets the one that fits its output layer', async () => {
  const uri = 'file:///loss.netspec';
  const text = 'network n {\n  input x[2]\n  dense y[3] softmax\n}\n';
  await client.open(uri, text, 1);
  const [d] = (await client.diagnostics(uri, 1)).diagnostics;
  assert.equal(d.code, 'missing-loss');
  assert.equal(d.severity, 4);
  const [fix] = await fixes(uri, d);
  assert.equal(applyEdits(text, fix.edit!.changes![uri]), 'network n {\n  input x[2]\n  dense y[3] softmax\n  loss cross_entropy\n}\n');
});
