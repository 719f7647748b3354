/**
 * What runs leave, over the real protocol: trained weights dropped (with a message) when the
 * network's definition changes and kept through other edits, NetSpec: Reset Trained Weights,
 * *Insert trained weights* at the configured precision, the export that continues from the
 * trained weights (run with real PyTorch), the gradient check's result in its lens, and the
 * warning on `learning_rate` after a run whose loss rose.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, test } from 'node:test';
import type { CodeAction, CodeLens, Diagnostic, InlayHint } from 'vscode-languageserver-protocol';
import { analyze } from '../../server/src/analysis/analyze';
import { inlayHints } from '../../server/src/analysis/inlay';
import { runPrograms } from '../export/support';
import { LspClient, type RunProgress } from '../support/lsp';
import { applyEdits } from '../support/lsp-extra';
import { cliPath } from '../support/paths';
import { until } from '../support/until';

let client: LspClient;
const messages: string[] = [];
/** A second server whose client answers `workspace/configuration` (significant digits 4). */
let configured: LspClient;

before(async () => {
  client = await LspClient.start();
  client.connection.onNotification('window/showMessage', (m: { message: string }) => void messages.push(m.message));
  configured = await LspClient.start({ configuration: (section) => (section === 'netspec.insertWeights' ? { significantDigits: 4 } : null) });
});
after(async () => {
  await client.stop();
  await configured.stop();
});

const spec = [
  '# a 2-3-1 classifier',
  'network n {',
  '  input x[2]',
  '  dense h[3] tanh',
  '  dense y[1] sigmoid',
  '  loss binary_cross_entropy',
  '  init xavier seed 3',
  '}',
  'data d {',
  '  [0, 0] -> [0]',
  '  [0, 1] -> [1]',
  '  [1, 0] -> [1]',
  '  [1, 1] -> [0]',
  '}',
  'train n on d {',
  '  learning_rate 0.5',
  '  epochs 300',
  '}',
  'probe n [1, 0] -> [1]',
  'eval n([1, 0])',
].join('\n') + '\n';
const trainLine = spec.split('\n').indexOf('train n on d {');

let opened = 0;
/** Opens `text` as a new document (a file in a temporary folder, so it can be exported). */
async function openDoc(text: string, on = client): Promise<string> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'netspec-weights-'));
  const file = path.join(dir, `spec${++opened}.netspec`);
  fs.writeFileSync(file, text);
  const uri = pathToFileURL(file).toString();
  await on.open(uri, text, 1);
  await on.diagnostics(uri, 1);
  return uri;
}

/** Trains the `train` statement on `line` and resolves with its end. */
async function train(uri: string, line = trainLine, on = client): Promise<RunProgress> {
  const started = (await on.connection.sendRequest('netspec/train', { uri, line })) as { runId?: string; error?: string };
  assert.ok(started.runId, started.error);
  const end = await on.runEnd(started.runId);
  assert.equal(end.error, undefined);
  return end;
}

/** Replaces the whole text (a new version) and waits for its diagnostics. */
async function edit(uri: string, version: number, text: string, on = client): Promise<Diagnostic[]> {
  await on.change(uri, version, [{ text }]);
  return (await on.diagnostics(uri, version)).diagnostics;
}

const labels = async (uri: string): Promise<string[]> => {
  const hints = (await client.connection.sendRequest('textDocument/inlayHint', { textDocument: { uri }, range: { start: { line: 0, character: 0 }, end: { line: 99, character: 0 } } })) as InlayHint[];
  return hints.map((h) => String(h.label));
};
/** The hints a fresh analysis of `text` gives: the file's own weights. */
const ownLabels = (text: string) => inlayHints(analyze(text), 0, text.length).map((h) => h.label);
const trainedOf = async (uri: string) => ((await client.connection.sendRequest('netspec/trainedWeights', { uri })) as { networks: string[] }).networks;

test('trained weights survive edits elsewhere, and are dropped, with a message, when the definition changes even at the same shape', async () => {
  const edits: [string, string, string][] = [
    ['an activation', 'dense h[3] tanh', 'dense h[3] sigmoid'],
    ['the init seed', 'seed 3', 'seed 4'],
    ['the loss', 'loss binary_cross_entropy', 'loss squared_error'],
    ['explicit weights', '  init xavier seed 3', '  init xavier seed 3\n  bias h = [0, 0, 0.5]'],
  ];
  for (const [what, from, to] of edits) {
    const uri = await openDoc(spec);
    await train(uri);
    const trained = await labels(uri);
    assert.notDeepEqual(trained, ownLabels(spec), 'the run changed the probe and the eval');
    assert.deepEqual(await trainedOf(uri), ['n']);

    // Comments and other statements are not the network's definition: the weights stay.
    const elsewhere = spec.replace('# a 2-3-1 classifier', '# a 2-3-1 classifier, trained').replace('eval n([1, 0])', 'eval n([1, 0])\neval n([0, 1])');
    await edit(uri, 2, elsewhere);
    assert.deepEqual(await trainedOf(uri), ['n'], `${what}: an edit elsewhere kept them`);
    assert.deepEqual((await labels(uri)).slice(0, trained.length), trained);

    const before = messages.length;
    const changed = elsewhere.replace(from, to);
    const diagnostics = await edit(uri, 3, changed);
    const note = diagnostics.find((d) => d.code === 'trained-weights-dropped');
    assert.ok(note, `${what}: ${JSON.stringify(diagnostics)}`);
    assert.equal(note!.severity, 3, 'an information diagnostic');
    assert.deepEqual(note!.range, { start: { line: 1, character: 8 }, end: { line: 1, character: 9 } });
    assert.match(String(note!.message), /The trained weights of `n` were dropped: the network's definition changed/);
    await until('the message', () => messages.slice(before).find((m) => /trained weights of `n` were dropped/.test(m)));
    assert.deepEqual(await trainedOf(uri), []);
    assert.deepEqual(await labels(uri), ownLabels(changed), `${what}: the file's own weights, not the run's`);

    // Changing it back does not bring them back: they were dropped.
    await edit(uri, 4, elsewhere);
    assert.deepEqual(await labels(uri), ownLabels(elsewhere));
    // Training again clears the note.
    await train(uri);
    const after = await until('the note to go', async () => {
      const last = client.published.filter((p) => p.uri === uri).at(-1)!;
      return last.diagnostics.every((d) => d.code !== 'trained-weights-dropped') ? last : undefined;
    });
    assert.ok(after);
  }
});

test('NetSpec: Reset Trained Weights goes back to the file\'s own weights, for one network or all', async () => {
  const two = spec.replace('train n on d {', 'network m {\n  input x[2]\n  dense y[1] sigmoid\n  loss binary_cross_entropy\n}\ntrain m on d { epochs 50 }\ntrain n on d {')
    + 'probe m [0, 1] -> [1]\n';
  const uri = await openDoc(two);
  const lines = two.split('\n');
  await train(uri, lines.indexOf('train m on d { epochs 50 }'));
  await train(uri, lines.indexOf('train n on d {'));
  assert.deepEqual((await trainedOf(uri)).sort(), ['m', 'n']);
  const trained = await labels(uri);
  assert.notDeepEqual(trained, ownLabels(two));

  const one = await client.connection.sendRequest('netspec/resetTrainedWeights', { uri, network: 'n' });
  assert.deepEqual(one, { reset: ['n'], stopped: 0 });
  assert.deepEqual(await trainedOf(uri), ['m']);
  const all = await client.connection.sendRequest('netspec/resetTrainedWeights', { uri });
  assert.deepEqual(all, { reset: ['m'], stopped: 0 });
  assert.deepEqual(await trainedOf(uri), []);
  assert.deepEqual(await labels(uri), ownLabels(two));
  assert.deepEqual(await client.connection.sendRequest('netspec/resetTrainedWeights', { uri }), { reset: [], stopped: 0 });
});

test('Insert trained weights: one aligned row per line at the configured precision, which reads back as the rounded run', async () => {
  const wide = spec.replace('dense h[3] tanh', 'dense h[12] tanh');
  const uri = await openDoc(wide, configured);
  await train(uri, trainLine, configured);
  const actions = (await configured.connection.sendRequest('textDocument/codeAction', {
    textDocument: { uri }, range: { start: { line: 2, character: 0 }, end: { line: 2, character: 0 } }, context: { diagnostics: [] },
  })) as CodeAction[];
  const insert = actions.find((x) => x.title.startsWith('Insert trained weights of n'));
  assert.ok(insert?.edit, actions.map((x) => x.title).join(', '));
  assert.equal(insert!.title, 'Insert trained weights of n (rounded to 4 significant digits)');
  const written = applyEdits(wide, insert!.edit!.changes![uri]);
  const added = written.split('\n').filter((l) => /^ {2}(weights|bias) |^ {15,}\[| {20,}-?\d/.test(l));
  assert.ok(added.length >= 2 + 1 + 3 + 1, written);
  for (const l of written.split('\n')) assert.ok(l.length <= 100, `a line of ${l.length} characters: ${l}`);
  // `weights h` has 2 rows of 12: each on its own line(s), the second starting under the first.
  const h = written.split('\n').findIndex((l) => l.startsWith('  weights h = [['));
  assert.ok(h >= 0 && written.split('\n').slice(h + 1).some((l) => l.startsWith(' '.repeat('  weights h = ['.length) + '[')), written);

  const a = analyze(written);
  assert.deepEqual(a.diagnostics.filter((d) => d.severity === 'error'), []);
  // The CLI's run is the server's run (test/protocol/training.test.ts); rounded to 4 digits, it is what was inserted.
  const file = fileURLToPathSafe(uri);
  const cli = JSON.parse(spawnSync(process.execPath, [cliPath(), 'train', file, '--json'], { encoding: 'utf8' }).stdout);
  const layers = cli.runs[0].layers as Record<string, { W: number[][]; b: number[] }>;
  const round = (x: number) => Number(x.toPrecision(4));
  for (const l of a.program.networks.get('n')!.network!.layers) {
    assert.deepEqual(Array.from(l.W), layers[l.name].W.flat().map(round), `W of ${l.name}`);
    assert.deepEqual(Array.from(l.b), layers[l.name].b.map(round), `b of ${l.name}`);
  }
  // Without the setting: 6 digits.
  const plain = await openDoc(spec);
  await train(plain);
  const titles = ((await client.connection.sendRequest('textDocument/codeAction', {
    textDocument: { uri: plain }, range: { start: { line: 2, character: 0 }, end: { line: 2, character: 0 } }, context: { diagnostics: [] },
  })) as CodeAction[]).map((x) => x.title);
  assert.ok(titles.includes('Insert trained weights of n (rounded to 6 significant digits)'), titles.join(', '));
});

function fileURLToPathSafe(uri: string): string {
  return decodeURIComponent(new URL(uri).pathname);
}

test('Export to PyTorch from the trained weights: the program starts where the run ended (run with PyTorch)', async () => {
  // One batch of the whole set and no shuffle: epoch 1's loss is the loss of the starting weights.
  const uri = await openDoc(spec.replace('  epochs 300', '  epochs 300\n  batch 4'));
  const refused = (await client.connection.sendRequest('netspec/exportPyTorch', { uri, network: 'n', start: 'trained' })) as { error?: string };
  assert.match(String(refused.error), /no trained weights/);
  const end = await train(uri);
  const initial = (await client.connection.sendRequest('netspec/exportPyTorch', { uri, network: 'n' })) as { source: string; start: string };
  const trained = (await client.connection.sendRequest('netspec/exportPyTorch', { uri, network: 'n', start: 'trained' })) as { source: string; start: string };
  assert.equal(initial.start, 'initial');
  assert.equal(trained.start, 'trained');
  assert.match(trained.source, /It starts from the weights the editor's last run of `n` trained/);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'netspec-weights-export-'));
  const scripts = [['initial', initial.source], ['trained', trained.source]].map(([name, source]) => {
    const script = path.join(dir, `${name}.py`);
    fs.writeFileSync(script, source);
    return { script, args: ['--json', '--epochs', '1', '--checkpoint', path.join(dir, `${name}.pt`)] };
  });
  const [fromInitial, fromTrained] = runPrograms(scripts);
  const first = (r: typeof fromInitial) => (r.json.runs[0] as unknown as { loss: number[] }).loss[0];
  const cli = JSON.parse(spawnSync(process.execPath, [cliPath(), 'train', fileURLToPathSafe(uri), '--json'], { encoding: 'utf8' }).stdout);
  assert.ok(Math.abs(first(fromTrained) - end.finalLoss!) <= 1e-12 * Math.abs(end.finalLoss!), `epoch 1 from the trained weights: ${first(fromTrained)} vs the run's final ${end.finalLoss}`);
  assert.ok(Math.abs(first(fromInitial) - cli.runs[0].loss[0]) <= 1e-12, `epoch 1 from the initial weights: ${first(fromInitial)} vs ${cli.runs[0].loss[0]}`);
  assert.ok(Math.abs(first(fromInitial) - first(fromTrained)) > 1e-3, 'the two programs start from different weights');

  // After an edit to the network, its trained weights are gone, and so is the choice.
  await edit(uri, 2, spec.replace('seed 3', 'seed 5'));
  const gone = (await client.connection.sendRequest('netspec/exportPyTorch', { uri, network: 'n', start: 'trained' })) as { error?: string };
  assert.match(String(gone.error), /no trained weights/);
});

test('the Gradient check lens shows its result until the probe or the network changes', async () => {
  const lensTitles = async (uri: string) => ((await client.connection.sendRequest('textDocument/codeLens', { textDocument: { uri } })) as CodeLens[])
    .filter((l) => l.command?.command === 'netspec.gradientCheck').map((l) => l.command!.title);
  const uri = await openDoc(spec);
  const [lens] = ((await client.connection.sendRequest('textDocument/codeLens', { textDocument: { uri } })) as CodeLens[]).filter((l) => l.command?.command === 'netspec.gradientCheck');
  assert.equal(lens.command!.title, 'Gradient check');
  const r = (await client.connection.sendRequest('workspace/executeCommand', { command: lens.command!.command, arguments: lens.command!.arguments })) as { worst: number };
  const [title] = await lensTitles(uri);
  assert.match(title, /^Gradient check ✓ worst (0|\d(\.\d)?e-\d+)$/);
  assert.ok(r.worst < 1e-5);
  // An edit elsewhere keeps it; an edit to the probe, or a run that changes the weights, clears it.
  await edit(uri, 2, spec.replace('eval n([1, 0])', 'eval n([0, 0])'));
  assert.deepEqual(await lensTitles(uri), [title]);
  await edit(uri, 3, spec.replace('probe n [1, 0] -> [1]', 'probe n [1, 0] -> [0]'));
  assert.deepEqual(await lensTitles(uri), ['Gradient check']);
  await client.connection.sendRequest('workspace/executeCommand', { command: lens.command!.command, arguments: lens.command!.arguments });
  assert.match((await lensTitles(uri))[0], /✓/);
  await edit(uri, 4, spec.replace('probe n [1, 0] -> [1]', 'probe n [1, 0] -> [0]'));
  await train(uri);
  assert.deepEqual(await lensTitles(uri), ['Gradient check']);

  // relu at its kink (z = 0): backpropagation takes relu'(0) = 0, central differences ½.
  const kink = await openDoc('network k {\n  input x[1]\n  dense y[1] relu\n  weights y = [[1]]\n}\nprobe k [0] -> [1]\n');
  const [k] = ((await client.connection.sendRequest('textDocument/codeLens', { textDocument: { uri: kink } })) as CodeLens[]).filter((l) => l.command?.command === 'netspec.gradientCheck');
  await client.connection.sendRequest('workspace/executeCommand', { command: k.command!.command, arguments: k.command!.arguments });
  assert.match((await lensTitles(kink))[0], /^Gradient check ✗ worst \d/);
});

test('a run whose loss rose puts a warning on learning_rate with the figures, until the train statement changes', async () => {
  // One sample, w = 0: each step multiplies the error by 1 − 2·1.5 = −2, so the loss grows 4× an epoch.
  const text = 'network lin {\n  input x[1]\n  dense y[1] linear\n  weights y = [[0]]\n}\ndata one {\n  [1] -> [1]\n}\ntrain lin on one {\n  learning_rate 1.5\n  epochs 5\n}\n';
  const uri = await openDoc(text);
  await train(uri, 8);
  const warning = await until('the loss-rose warning', () => client.published.filter((p) => p.uri === uri).at(-1)!.diagnostics.find((d) => d.code === 'loss-rose'));
  assert.equal(warning.severity, 2);
  assert.deepEqual(warning.range, { start: { line: 9, character: 2 }, end: { line: 9, character: 19 } });
  assert.match(String(warning.message), /the loss rose during the last run of `lin`: from 0\.5 \(epoch 1\) to 512 at the end/i);
  assert.match(String(warning.message), /learning rate \(1\.5\) is the likely cause.*try a smaller learning_rate, e\.g\. 0\.15/i);
  // Its quick fix sets the suggested rate.
  const actions = (await client.connection.sendRequest('textDocument/codeAction', { textDocument: { uri }, range: warning.range, context: { diagnostics: [warning] } })) as CodeAction[];
  const fix = actions.find((a) => a.title === 'Set learning_rate to 0.15');
  assert.ok(fix?.edit, actions.map((a) => a.title).join(', '));
  const fixed = applyEdits(text, fix!.edit!.changes![uri]);
  assert.match(fixed, /learning_rate 0\.15\n/);
  const diagnostics = await edit(uri, 2, fixed);
  assert.equal(diagnostics.find((d) => d.code === 'loss-rose'), undefined, 'the warning is for the statement that ran');

  // The default rate: the warning sits on `train`.
  const implicit = text.replace('  learning_rate 1.5\n', '').replace('[[0]]', '[[0]]\n  loss mse').replace('[1] -> [1]', '[1] -> [1]\n  [2] -> [2]\n  [3] -> [3]\n  [4] -> [4]\n  [5] -> [5]');
  const uri2 = await openDoc(implicit);
  await train(uri2, implicit.split('\n').indexOf('train lin on one {'));
  const d2 = await until('the loss-rose warning on train', () => client.published.filter((p) => p.uri === uri2).at(-1)!.diagnostics.find((d) => d.code === 'loss-rose'));
  assert.equal(implicit.split('\n')[d2.range.start.line].slice(d2.range.start.character, d2.range.end.character), 'train');
  assert.match(String(d2.message), /the default, 0\.1/);
});

test('after a run, a saturation the trained weights caused says so, and suggests the learning rate first', async () => {
  // h starts at w = 0 (z = 0, not saturated); one step of rate 5 against an error of −10 moves
  // its weight and bias to 50, so z = 100 at the probe: tanh'(z) ≈ 0.
  const text = 'network s {\n  input x[1]\n  dense h[1] tanh\n  dense y[1] linear\n  weights h = [[0]]\n  weights y = [[1]]\n}\ndata one {\n  [1] -> [10]\n}\ntrain s on one {\n  learning_rate 5\n  epochs 1\n}\nprobe s [1] -> [10]\n';
  const uri = await openDoc(text);
  const own = client.published.filter((p) => p.uri === uri).at(-1)!.diagnostics;
  assert.equal(own.find((d) => d.code === 'saturated'), undefined, 'the file\'s own weights do not saturate h');
  await train(uri, 10);
  const d = await until('the saturation warning', () => client.published.filter((p) => p.uri === uri).at(-1)!.diagnostics.find((x) => x.code === 'saturated'));
  const message = String(d.message);
  assert.match(message, /^After training, 1 of 1 unit of `h` is saturated at the probe on line 15: z = 100/);
  assert.match(message, /the run produced it/);
  assert.ok(message.indexOf('learning_rate') >= 0 && message.indexOf('learning_rate') < message.indexOf('standardize'), message);
  // Back to the file's own weights: the warning goes with the run's.
  await client.connection.sendRequest('netspec/resetTrainedWeights', { uri });
  await until('the warning to go', () => client.published.filter((p) => p.uri === uri).at(-1)!.diagnostics.every((x) => x.code !== 'saturated') || undefined);
});
