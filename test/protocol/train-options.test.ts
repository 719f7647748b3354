/**
 * A `train` block's l1, schedule and patience, and a `train` statement without a block, as an
 * editor sees them over the real protocol on stdio: diagnostics on the value with its valid range,
 * a did-you-mean for a misspelt schedule with its quick fix, completion of the options and the
 * schedules, hovers and signature help with the PyTorch equivalents.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Diagnostic } from 'vscode-languageserver-protocol';
import { hoverText, LspClient, positionOf } from '../support/lsp';

let client: LspClient;
before(async () => {
  client = await LspClient.start();
});
after(async () => {
  await client.stop();
});

/** The text a diagnostic's range covers (one line). */
const textAt = (text: string, d: Diagnostic) => text.split('\n')[d.range.start.line].slice(d.range.start.character, d.range.end.character);

const NET = 'network n {\n  input x[2]\n  dense h[3] tanh\n  dense y[1] sigmoid\n  loss binary_cross_entropy\n}\ndata d = moons(n: 20, seed: 1)\n';

type Action = { title: string; edit?: { changes: Record<string, { newText: string }[]> } };

test('values outside their range are errors on the value, with the range; a misspelt schedule gets a did-you-mean and its fix', async () => {
  const uri = 'file:///train-options.netspec';
  const text = NET + [
    'train n on d {',
    '  l1 -0.5',
    '  patience 0',
    '  schedule step(0, -2)',
    '}',
    'train n on d {',
    '  schedule cosin(10)',
    '  patience 2.5',
    '}',
    'train n on d {',
    '  schedule exponential',
    '}',
    'train n on d {',
    '  schedule cosine(10, 2)',
    '  l1 0.001',
    '}',
  ].join('\n') + '\n';
  await client.open(uri, text, 1);
  const ds = (await client.diagnostics(uri, 1)).diagnostics;
  const at = (d: Diagnostic) => textAt(text, d);
  assert.deepEqual(ds.map((d) => [d.code, at(d), d.message]), [
    ['out-of-range', '-0.5', 'l1 (the weight of λ·Σ|w| in the loss) must be 0 or more, not -0.5.'],
    ['out-of-range', '0', 'The patience (epochs without a new lowest loss) must be a whole number from 1 to 10,000,000, not 0.'],
    ['out-of-range', '0', 'The step size N (epochs between two decays) must be a whole number from 1 to 10,000,000, not 0.'],
    ['out-of-range', '-2', 'Gamma, the factor the learning rate is multiplied by, must be above 0, not -2.'],
    ['unknown-schedule', 'cosin', 'Unknown schedule `cosin`. Did you mean `cosine`? The schedules are step(N, G), exponential(G) or cosine(T).'],
    ['out-of-range', '2.5', 'The patience (epochs without a new lowest loss) must be a whole number from 1 to 10,000,000, not 2.5.'],
    ['arity', 'exponential', '`exponential` takes one parameter: exponential(G): the rate times G every epoch, as in exponential(0.95).'],
    ['arity', 'cosine(10, 2)', '`cosine` takes one parameter: cosine(T): from the learning rate down to 0 over T epochs, as in cosine(100).'],
  ]);
  assert.ok(ds.every((d) => d.severity === 1), 'all errors');
  const misspelt = ds.find((d) => d.code === 'unknown-schedule')!;
  const actions = (await client.connection.sendRequest('textDocument/codeAction', { textDocument: { uri }, range: misspelt.range, context: { diagnostics: [misspelt] } })) as Action[];
  assert.deepEqual(actions.map((a) => [a.title, a.edit?.changes[uri][0].newText]), [["Change to 'cosine'", 'cosine']]);
});

test('`train NET on DATA` without a block is every default: no diagnostics, and the statement is a trainable run', async () => {
  const uri = 'file:///bare-train.netspec';
  const text = NET + 'train n on d\nprobe n [0, 1] -> [1]\n';
  await client.open(uri, text, 1);
  assert.deepEqual((await client.diagnostics(uri, 1)).diagnostics.filter((d) => d.severity === 1), []);
  const lenses = ((await client.connection.sendRequest('textDocument/codeLens', { textDocument: { uri } })) ?? []) as { range: { start: { line: number } }; command?: { title: string } }[];
  const trainLine = text.split('\n').indexOf('train n on d');
  assert.ok(lenses.some((l) => l.range.start.line === trainLine), `a lens on the bare train statement: ${JSON.stringify(lenses)}`);
});

test('completion offers l1, schedule and patience in a train block, and the three schedules after `schedule`; hovers and signature help give the PyTorch equivalents', async () => {
  const uri = 'file:///train-complete.netspec';
  const typing = NET + 'train n on d {\n  \n  schedule \n}\n';
  await client.open(uri, typing, 1);
  await client.diagnostics(uri, 1);
  const typed = typing.split('\n');
  const options = ((await client.completion(uri, { line: typed.indexOf('  '), character: 2 })) ?? []).map((i) => i.label);
  for (const o of ['optimizer', 'learning_rate', 'l2', 'l1', 'schedule', 'patience']) assert.ok(options.includes(o), `${o} in ${options.join(', ')}`);
  const schedules = (await client.completion(uri, { line: typed.indexOf('  schedule '), character: 11 })) ?? [];
  assert.deepEqual(schedules.map((i) => i.label), ['step', 'exponential', 'cosine']);
  assert.match(schedules[2].detail ?? '', /cosine\(T\)/);

  const text = NET + 'train n on d {\n  schedule step(10, 0.5)\n  l1 0.001\n  patience 5\n}\n';
  await client.change(uri, 2, [{ text }]);
  assert.deepEqual((await client.diagnostics(uri, 2)).diagnostics.filter((d) => d.severity === 1), []);
  const lines = text.split('\n');

  const l1 = hoverText(await client.hover(uri, positionOf(text, 'l1 0.001', 0)));
  assert.match(l1, /λ·Σ\|w\|/);
  assert.match(l1, /weight\.abs\(\)\.sum\(\)/);
  const step = hoverText(await client.hover(uri, positionOf(text, 'step(10', 1)));
  assert.match(step, /StepLR\(optimizer, step_size=N, gamma=G\)/);
  const patience = hoverText(await client.hover(uri, positionOf(text, 'patience 5', 2)));
  assert.match(patience, /Early stopping/);

  const stepLine = lines.indexOf('  schedule step(10, 0.5)');
  const help = (await client.connection.sendRequest('textDocument/signatureHelp', { textDocument: { uri }, position: { line: stepLine, character: 20 } })) as { signatures: { label: string; documentation?: unknown }[]; activeParameter?: number } | null;
  assert.ok(help && help.signatures[0].label.startsWith('step('), JSON.stringify(help));
  assert.equal(help!.activeParameter, 1, 'the cursor is on G');
  assert.match(JSON.stringify(help!.signatures[0].documentation), /StepLR/);
});

test('precision: float32 and float64 are clean; a misspelling or an alias is unknown-precision with the valid ones and a fix; completion and hover say the PyTorch dtype', async () => {
  const uri = 'file:///train-precision.netspec';
  const text = NET + [
    'train n on d {',
    '  precision float32',
    '}',
    'train n on d {',
    '  precision float64',
    '}',
    'train n on d {',
    '  precision flaot32',
    '}',
    'train n on d {',
    '  precision fp32',
    '}',
    'train n on d {',
    '  precision 32',
    '}',
  ].join('\n') + '\n';
  await client.open(uri, text, 1);
  const ds = (await client.diagnostics(uri, 1)).diagnostics;
  const at = (d: Diagnostic) => textAt(text, d);
  assert.deepEqual(ds.map((d) => [d.code, at(d), d.message]), [
    ['unknown-precision', 'flaot32', 'Unknown precision `flaot32`. Did you mean `float32`? The precisions are float64 (the default) and float32.'],
    ['unknown-precision', 'fp32', 'Unknown precision `fp32`. Did you mean `float32`? The precisions are float64 (the default) and float32.'],
    ['type', '32', 'The precision is float64 or float32, as in `precision float32`.'],
  ]);
  for (const d of ds.filter((x) => x.code === 'unknown-precision')) {
    const actions = (await client.connection.sendRequest('textDocument/codeAction', { textDocument: { uri }, range: d.range, context: { diagnostics: [d] } })) as Action[];
    assert.deepEqual(actions.map((a) => a.edit?.changes[uri][0].newText), ['float32'], at(d));
  }

  const option = hoverText(await client.hover(uri, positionOf(text, 'precision float32', 0)));
  assert.match(option, /dtype=torch\.float32/);
  assert.match(option, /7 significant digits/);
  const value = hoverText(await client.hover(uri, positionOf(text, 'float64', 0)));
  assert.match(value, /torch\.float64/);

  const typing = NET + 'train n on d {\n  \n  precision \n}\n';
  await client.change(uri, 2, [{ text: typing }]);
  await client.diagnostics(uri, 2);
  const lines = typing.split('\n');
  const options = ((await client.completion(uri, { line: lines.indexOf('  '), character: 2 })) ?? []).map((i) => i.label);
  assert.ok(options.includes('precision'), options.join(', '));
  const values = (await client.completion(uri, { line: lines.indexOf('  precision '), character: 12 })) ?? [];
  assert.deepEqual(values.map((i) => i.label), ['float64', 'float32']);
  assert.match(JSON.stringify(values[1].documentation), /torch\.float32/);
});
