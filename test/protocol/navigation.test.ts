/**
 * Navigation and editing over the real protocol: definition, references, rename (with prepare
 * and refusals), formatting, folding, semantic tokens and signature help, each with exact results.
 */
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import type { Location, Range } from 'vscode-languageserver-protocol';
import { analyze } from '../../server/src/analysis/analyze';
import { symbolIndex } from '../../server/src/analysis/references';
import { encodeSemanticTokens, semanticTokens } from '../../server/src/analysis/semantic-tokens';
import { parse } from '../../server/src/syntax/parser';
import { LspClient } from '../support/lsp';
import * as nav from '../support/lsp-extra';
import { specCorpus } from '../support/sources';

let client: LspClient;
before(async () => {
  client = await LspClient.start();
});
after(async () => {
  await client.stop();
});

const NAV = [
  '# navigation: every kind of name', //                 0
  'let a = 2', //                                        1
  'fn f(a) = a * b', //                                  2
  "fn g(z) = a + f'(z) + f''(z)", //                     3
  'let b = a', //                                        4
  'network n {', //                                      5
  '  input x[2]', //                                     6
  '  dense h[a] f', //                                   7
  '  dense y[1] sigmoid', //                             8
  '  weights h = [[a, a], [1, 1]]', //                   9
  '  bias y = [b]', //                                   10
  '}', //                                                11
  'probe n [a, 1] -> [1]', //                            12
  'eval n([1, 2]) + g(1)', //                            13
  'data d {', //                                         14
  '  [a, 0] -> [1]', //                                  15
  '}', //                                                16
  'train n on d {', //                                   17
  '  epochs a', //                                       18
  '  optimizer sgd', //                                  19
  '}', //                                                20
  '',
].join('\n');
const NAV_URI = 'file:///nav.netspec';

const at = (line: number, character: number) => ({ line, character });
/** A one-line range, `line:start-end`, for compact expectations. */
const r = (line: number, start: number, end: number): Range => ({ start: at(line, start), end: at(line, end) });
const ranges = (locations: Location[] | null) => (locations ?? []).map((l) => l.range);

/** What a file means: its tree without positions, every eval's value and every probe's numbers. */
function meaning(text: string) {
  const strip = (_k: string, v: unknown) => (_k === 'start' || _k === 'end' ? undefined : v);
  const a = analyze(text);
  return {
    tree: JSON.stringify(parse(text).file.statements, strip),
    evals: a.evals.map((e) => e.value ?? e.error),
    // The numbers only: a rename changes the layer names a probe reports.
    probes: a.probes.map((p) => (p.result ? { output: p.result.output, loss: p.result.loss, layers: p.result.layers.map((l) => [l.dW, l.db, l.delta]) } : p.error)),
    diagnostics: a.diagnostics.map((d) => d.code),
  };
}

test('the server announces every navigation capability, with the semantic token legend', async () => {
  const { capabilities } = await nav.initializeResult();
  assert.equal(capabilities.definitionProvider, true);
  assert.equal(capabilities.referencesProvider, true);
  assert.deepEqual(capabilities.renameProvider, { prepareProvider: true });
  assert.equal(capabilities.documentFormattingProvider, true);
  assert.equal(capabilities.foldingRangeProvider, true);
  assert.deepEqual(capabilities.signatureHelpProvider, { triggerCharacters: ['(', ','], retriggerCharacters: [','] });
  assert.deepEqual(capabilities.semanticTokensProvider, {
    legend: {
      tokenTypes: ['keyword', 'function', 'property', 'class', 'struct', 'variable', 'parameter', 'enumMember'],
      tokenModifiers: ['declaration', 'readonly', 'defaultLibrary'],
    },
    full: { delta: true },
  });
  // The features the main server already had are still there.
  assert.equal(capabilities.hoverProvider, true);
});

test('go to definition: lets, parameters, fns (from a derivative call and a layer), layers, networks, data', async () => {
  await client.open(NAV_URI, NAV);
  const def = async (line: number, character: number) => ranges(await nav.definition(client, NAV_URI, at(line, character)));
  assert.deepEqual(await def(3, 10), [r(1, 4, 5)], 'a let used in a fn that does not shadow it');
  assert.deepEqual(await def(2, 10), [r(2, 5, 6)], 'the parameter, not the let of the same name');
  assert.deepEqual(await def(3, 15), [r(2, 3, 4)], "the cursor on the prime of f'");
  assert.deepEqual(await def(3, 22), [r(2, 3, 4)], "f''");
  assert.deepEqual(await def(7, 13), [r(2, 3, 4)], 'a fn used as an activation');
  assert.deepEqual(await def(9, 10), [r(7, 8, 9)], 'weights LAYER');
  assert.deepEqual(await def(10, 7), [r(8, 8, 9)], 'bias LAYER');
  assert.deepEqual(await def(12, 6), [r(5, 8, 9)], 'probe NETWORK');
  assert.deepEqual(await def(13, 5), [r(5, 8, 9)], 'a network call');
  assert.deepEqual(await def(13, 17), [r(3, 3, 4)], 'a fn call');
  assert.deepEqual(await def(17, 11), [r(14, 5, 6)], 'train … on DATA');
  assert.deepEqual(await def(1, 4), [r(1, 4, 5)], 'a declaration is its own definition');
  assert.deepEqual(await def(8, 13), [], 'a built-in has no definition in the file');
  assert.deepEqual(await def(19, 12), [], 'an optimizer is not a name');
});

test('find references: with and without the declaration; a shadowing parameter is not the let', async () => {
  const refs = async (line: number, character: number, decl: boolean) => ranges(await nav.references(client, NAV_URI, at(line, character), decl));
  const letA = [r(1, 4, 5), r(3, 10, 11), r(4, 8, 9), r(7, 10, 11), r(9, 16, 17), r(9, 19, 20), r(12, 9, 10), r(15, 3, 4), r(18, 9, 10)];
  assert.deepEqual(await refs(4, 8, true), letA);
  assert.deepEqual(await refs(4, 8, false), letA.slice(1));
  assert.deepEqual(await refs(2, 5, true), [r(2, 5, 6), r(2, 10, 11)], 'the parameter a of f');
  assert.deepEqual(await refs(2, 3, true), [r(2, 3, 4), r(3, 14, 15), r(3, 22, 23), r(7, 13, 14)], 'f: name only, without primes');
  assert.deepEqual(await refs(5, 8, false), [r(12, 6, 7), r(13, 5, 6), r(17, 6, 7)], 'the network n');
  assert.deepEqual(await refs(7, 8, true), [r(7, 8, 9), r(9, 10, 11)], 'the layer h');
  assert.deepEqual(await refs(14, 5, true), [r(14, 5, 6), r(17, 11, 12)], 'the data set d');
  assert.deepEqual(await refs(4, 4, true), [r(2, 14, 15), r(4, 4, 5), r(10, 12, 13)], 'b, used above its declaration');
  assert.deepEqual(await refs(8, 14, true), [r(8, 13, 20)], 'a built-in: its uses');
  assert.deepEqual(await refs(11, 0, true), [], 'nothing under the cursor');
});

test('rename a let: every use, none of the shadowed parameter, and the file means the same', async () => {
  const edit = await nav.rename(client, NAV_URI, at(3, 10), 'rate');
  const edits = edit!.changes![NAV_URI];
  assert.deepEqual(edits.map((e) => e.range), [r(1, 4, 5), r(3, 10, 11), r(4, 8, 9), r(7, 10, 11), r(9, 16, 17), r(9, 19, 20), r(12, 9, 10), r(15, 3, 4), r(18, 9, 10)]);
  assert.ok(edits.every((e) => e.newText === 'rate'));
  const renamed = nav.applyEdits(NAV, edits);
  assert.equal(renamed.split('\n')[2], 'fn f(a) = a * b');
  assert.equal(renamed.split('\n')[9], '  weights h = [[rate, rate], [1, 1]]');
  const before = meaning(NAV);
  const after = meaning(renamed);
  assert.deepEqual(after.evals, before.evals);
  assert.deepEqual(after.probes, before.probes);
  assert.deepEqual(after.diagnostics, before.diagnostics);
});

test('rename a parameter, a layer, a fn, a network, a data set', async () => {
  const ranges = async (line: number, character: number, name: string) => (await nav.rename(client, NAV_URI, at(line, character), name))!.changes![NAV_URI].map((e) => e.range);
  assert.deepEqual(await ranges(2, 10, 'u'), [r(2, 5, 6), r(2, 10, 11)]);
  assert.deepEqual(await ranges(9, 10, 'hidden'), [r(7, 8, 9), r(9, 10, 11)]);
  assert.deepEqual(await ranges(3, 23, 'act'), [r(2, 3, 4), r(3, 14, 15), r(3, 22, 23), r(7, 13, 14)]);
  assert.deepEqual(await ranges(13, 5, 'net'), [r(5, 8, 9), r(12, 6, 7), r(13, 5, 6), r(17, 6, 7)]);
  assert.deepEqual(await ranges(17, 11, 'samples'), [r(14, 5, 6), r(17, 11, 12)]);
});

test('rename refuses, with a message the editor shows, what would break or change the file', async () => {
  const refused = (line: number, character: number, name: string) => nav.errorOf(nav.rename(client, NAV_URI, at(line, character), name));
  assert.equal(await refused(1, 4, 'b'), '`b` is already declared (a let, line 5).');
  assert.equal(await refused(5, 8, 'd'), '`d` is already declared (a data set, line 15).');
  assert.equal(await refused(1, 4, 'z'), '`g` uses `a` (line 4), and its parameter `z` would hide it.');
  assert.equal(await refused(5, 8, 'z'), '`z` is the parameter of `g` (line 4); a network may not take its name.');
  assert.equal(await refused(2, 5, 'b'), 'The body of `f` uses `b` (line 3); a parameter of that name would hide it.');
  assert.equal(await refused(2, 5, 'n'), '`n` is already declared (a network, line 6); a parameter may not take its name.');
  assert.equal(await refused(7, 8, 'y'), 'The network `n` already has a layer `y` (line 9).');
  assert.equal(await refused(2, 3, 'relu'), '`relu` is a built-in function; choose another name.');
  assert.equal(await refused(2, 3, 'eval'), '`eval` is a reserved word; choose another name.');
  assert.equal(await refused(2, 3, '2fast'), "`2fast` is not a valid name: a name starts with a letter or '_' and goes on with letters, digits and '_'.");
  assert.equal(await refused(2, 3, 'f-g'), "`f-g` is not a valid name: a name starts with a letter or '_' and goes on with letters, digits and '_'.");
  assert.equal(await refused(8, 14, 'sig'), '`sigmoid` is a built-in function; it cannot be renamed.');
});

test('prepare rename: the name (without primes) and its text, or why not', async () => {
  assert.deepEqual(await nav.prepareRename(client, NAV_URI, at(3, 24)), { range: r(3, 22, 23), placeholder: 'f' });
  assert.deepEqual(await nav.prepareRename(client, NAV_URI, at(9, 11)), { range: r(9, 10, 11), placeholder: 'h' });
  const refused = (line: number, character: number) => nav.errorOf(nav.prepareRename(client, NAV_URI, at(line, character)));
  assert.equal(await refused(8, 15), '`sigmoid` is a built-in function; it cannot be renamed.');
  assert.equal(await refused(5, 2), '`network` is a keyword; it cannot be renamed.');
  assert.equal(await refused(18, 3), '`epochs` is a keyword; it cannot be renamed.');
  assert.equal(await refused(1, 8), 'A number cannot be renamed.');
  assert.equal(await refused(19, 13), '`sgd` is a word of the language (a loss, an initialisation, an optimizer or a generator); only names declared in this file can be renamed.');
});

test('rename every declared name of every example: same meaning, and only that name changes', async () => {
  let renamedCount = 0;
  for (const file of specCorpus().filter((f) => f.name.startsWith('examples'))) {
    const uri = `file:///rename-${path.basename(file.name)}`;
    await client.open(uri, file.text);
    const analysis = analyze(file.text);
    const declarations = symbolIndex(analysis.program).occurrences.filter((o) => o.use === 'declaration');
    const before = meaning(file.text);
    for (const [k, d] of declarations.entries()) {
      const position = analysis.lines.position(d.name.start);
      const newName = `renamed_${k}`;
      const what = `${file.name}: ${d.name.text} -> ${newName}`;
      const edit = await nav.rename(client, uri, position, newName);
      const edits = edit!.changes![uri];
      const expected = await nav.references(client, uri, position, true);
      assert.deepEqual(edits.map((e) => e.range), ranges(expected), what);
      const renamed = nav.applyEdits(file.text, edits);
      assert.equal(renamed.replace(new RegExp(`\\b${newName}\\b`, 'g'), d.name.text), file.text, `${what}: only the name changes`);
      const after = meaning(renamed);
      assert.deepEqual(after.evals, before.evals, what);
      assert.deepEqual(after.probes, before.probes, what);
      assert.deepEqual(after.diagnostics, before.diagnostics, what);
      renamedCount++;
    }
  }
  assert.ok(renamedCount >= 20, `only ${renamedCount} names were renamed`);
});

const MESSY = [
  '',
  '# two comment lines',
  '# fold together',
  'network   n{',
  'input x [ 2 ]',
  '      dense h[4]   leaky_relu( 0.1 )   # trailing',
  '  dense y[ 1 ] sigmoid',
  '    weights y=[[1],[2],',
  '[3],[4]]',
  '',
  '',
  '',
  '}',
  'let   a=-1',
  "eval   f''( a )+2^ -a*( 1-a )",
  'fn f ( z ) = z*tanh( z )',
  '',
].join('\n');

const MESSY_FORMATTED = [
  '# two comment lines',
  '# fold together',
  'network n {',
  '  input x[2]',
  '  dense h[4] leaky_relu(0.1)   # trailing',
  '  dense y[1] sigmoid',
  '  weights y = [[1], [2],',
  '               [3], [4]]',
  '',
  '}',
  'let a = -1',
  "eval f''(a) + 2^-a * (1 - a)",
  'fn f(z) = z * tanh(z)',
  '',
].join('\n');

test('formatting: a messy file, exactly; formatting it again changes nothing', async () => {
  const uri = 'file:///messy.netspec';
  await client.open(uri, MESSY);
  const edits = (await nav.formatting(client, uri))!;
  const formatted = nav.applyEdits(MESSY, edits);
  assert.equal(formatted, MESSY_FORMATTED);
  await client.change(uri, 2, [{ text: formatted }]);
  assert.deepEqual(await nav.formatting(client, uri), []);
  assert.deepEqual(meaning(formatted), meaning(MESSY));
});

test('formatting refuses a file with a syntax error: no edits', async () => {
  const uri = 'file:///broken.netspec';
  await client.open(uri, 'let   a = \nnetwork n {\n input x[2]\n');
  assert.deepEqual(await nav.formatting(client, uri), []);
});

test('formatting every example and golden case: idempotent, same meaning; files with syntax errors untouched', async () => {
  let formattedCount = 0;
  for (const file of specCorpus()) {
    const uri = `file:///format-${path.basename(file.name)}`;
    await client.open(uri, file.text);
    const edits = (await nav.formatting(client, uri))!;
    if (parse(file.text).errors.length) {
      assert.deepEqual(edits, [], `${file.name} has syntax errors: it is not formatted`);
      continue;
    }
    formattedCount++;
    const once = nav.applyEdits(file.text, edits);
    await client.change(uri, 2, [{ text: once }]);
    assert.deepEqual(await nav.formatting(client, uri), [], `${file.name}: formatting twice changes nothing`);
    assert.deepEqual(meaning(once), meaning(file.text), `${file.name}: same meaning`);
  }
  assert.ok(formattedCount >= 6, `only ${formattedCount} files were formatted`);
});

test('folding: blocks (the closing brace stays visible) and runs of full-line comments', async () => {
  const uri = 'file:///fold.netspec';
  const text = [
    '# one', //              0
    '# two', //              1
    '# three', //            2
    'network n {', //        3
    '  input x[2]', //       4
    '  # inside', //         5
    '  dense y[1] relu', //  6
    '}', //                  7
    'eval 1 # trailing', //  8
    '# not a run', //        9
    'eval 2', //             10
    'train n on d { }', //   11
    'data d {', //           12
    '  [1, 2] -> [3]', //    13
    '}', //                  14
  ].join('\n');
  await client.open(uri, text);
  assert.deepEqual(await nav.foldingRanges(client, uri), [
    { startLine: 0, endLine: 2, kind: 'comment' },
    { startLine: 3, endLine: 6 },
    { startLine: 12, endLine: 13 },
  ]);
});

test('semantic tokens: keywords, built-ins, fns, parameters, lets, layers, networks and data', async () => {
  const uri = 'file:///tokens.netspec';
  const text = [
    'let a = 1',
    'fn f(z) = z * a + tanh(z)',
    'network n {',
    '  input x[2]',
    '  dense y[1] f nobias',
    '  init xavier seed 3',
    '}',
    'data d = xor(n: 10)',
    'train n on d {',
    '  optimizer sgd',
    '}',
    "eval n([1, 2]) + f'(a)",
  ].join('\n');
  await client.open(uri, text);
  const { capabilities } = await nav.initializeResult();
  const legend = (capabilities.semanticTokensProvider as { legend: { tokenTypes: string[]; tokenModifiers: string[] } }).legend;
  const tokens = nav.decodeSemanticTokens((await nav.semanticTokens(client, uri))!.data, legend);
  assert.deepEqual(tokens, [
    '0:0+3 keyword', '0:4+1 variable.declaration.readonly',
    '1:0+2 keyword', '1:3+1 function.declaration', '1:5+1 parameter.declaration', '1:10+1 parameter', '1:14+1 variable.readonly', '1:18+4 function.defaultLibrary', '1:23+1 parameter',
    '2:0+7 keyword', '2:8+1 class.declaration',
    '3:2+5 keyword', '3:8+1 property.declaration',
    '4:2+5 keyword', '4:8+1 property.declaration', '4:13+1 function', '4:15+6 keyword',
    '5:2+4 keyword', '5:7+6 enumMember.defaultLibrary', '5:14+4 keyword',
    '7:0+4 keyword', '7:5+1 struct.declaration', '7:9+3 enumMember.defaultLibrary',
    '8:0+5 keyword', '8:6+1 class', '8:8+2 keyword', '8:11+1 struct',
    '9:2+9 keyword', '9:12+3 enumMember.defaultLibrary',
    '11:0+4 keyword', '11:5+1 class', '11:17+1 function', '11:20+1 variable.readonly',
  ]);
});

test('semantic tokens after edits: the delta from the last answer, applied to it, is the full answer; a stale id gets a full answer', async () => {
  const uri = 'file:///token-deltas.netspec';
  let text = NAV;
  let version = 1;
  await client.open(uri, text, version);
  type Full = { resultId: string; data: number[] };
  type Delta = { resultId: string; edits: { start: number; deleteCount: number; data?: number[] }[] };
  const first = (await nav.semanticTokens(client, uri)) as Full;
  assert.ok(first.resultId && first.data.length > 0);
  // A value typed, a line added, a name used, an unknown name, a statement at the end: each answered by a delta.
  const edits: [string, string][] = [['let a = 2', '0'], ['every kind of name\n', 'let extra = 1\n'], ['fn f(a) = a * b', ' + extra'], ['eval n([1, 2]) + g(1)', ' + nope'], ['', 'eval extra + 1\n']];
  let last = first;
  for (const [after, typed] of edits) {
    const at = after ? text.indexOf(after) + after.length : text.length;
    const before = text.slice(0, at).split('\n');
    const position = { line: before.length - 1, character: before[before.length - 1].length };
    text = text.slice(0, at) + typed + text.slice(at);
    await client.change(uri, ++version, [{ range: { start: position, end: position }, text: typed }]);
    const delta = (await client.connection.sendRequest('textDocument/semanticTokens/full/delta', { textDocument: { uri }, previousResultId: last.resultId })) as Delta;
    assert.ok(Array.isArray(delta.edits), `after typing ${JSON.stringify(typed)}: a delta`);
    // Each delta from the one before: what the client holds is only ever edited.
    const applied = [...last.data];
    for (const e of [...delta.edits].reverse()) applied.splice(e.start, e.deleteCount, ...(e.data ?? []));
    const a = analyze(text);
    const expected = encodeSemanticTokens(semanticTokens(a.program), a.lines);
    assert.deepEqual(applied, expected, `after typing ${JSON.stringify(typed)}`);
    assert.ok(delta.edits.reduce((n, e) => n + (e.data?.length ?? 0), 0) < expected.length / 4, 'a delta is much less than the whole');
    last = { resultId: delta.resultId, data: applied };
  }
  const full = (await nav.semanticTokens(client, uri)) as Full;
  assert.deepEqual(full.data, last.data);
  const stale = (await client.connection.sendRequest('textDocument/semanticTokens/full/delta', { textDocument: { uri }, previousResultId: first.resultId })) as Full;
  assert.deepEqual(stale.data, last.data, 'an id that is not the last one sent gets the whole answer');
});

test('signature help: built-ins with parameters, derivatives, user fns, softmax, max, activations in a layer', async () => {
  const uri = 'file:///signature.netspec';
  const text = [
    'fn mish(z) = z * tanh(softplus(z))', //                                                    0
    "eval leaky_relu(1, 0.2) + elu(1) + sigmoid'(0) + mish(2) + softmax([1, 2]) + max(1, 2)", // 1
    'network n {', //                                                                           2
    '  input x[2]', //                                                                          3
    '  dense y[1] leaky_relu(0.1)', //                                                          4
    '}', //                                                                                     5
    'eval n([1, 2])', //                                                                        6
  ].join('\n');
  await client.open(uri, text);
  const help = (line: number, character: number) => nav.signatureHelp(client, uri, at(line, character));
  const col = (needle: string, delta = 0) => text.split('\n')[1].indexOf(needle) + delta;

  const leaky = await help(1, col('leaky_relu(', 11));
  assert.deepEqual(leaky, {
    signatures: [{
      label: 'leaky_relu(z, a = 0.01)',
      documentation: { kind: 'markdown', value: '`leaky_relu(z) = z if z > 0, else a·z (a = 0.01 by default)`' },
      parameters: [{ label: [11, 12], documentation: 'a number, or a vector (elementwise)' }, { label: [14, 22], documentation: 'a, default 0.01' }],
    }],
    activeSignature: 0,
    activeParameter: 0,
  });
  assert.equal((await help(1, col('0.2')))!.activeParameter, 1);
  assert.equal((await help(1, col(' elu(1', 5)))!.signatures[0].label, 'elu(z, a = 1)');
  const sigmoid = (await help(1, col("sigmoid'(", 9)))!;
  assert.equal(sigmoid.signatures[0].label, "sigmoid'(z)");
  assert.deepEqual(sigmoid.signatures[0].documentation, { kind: 'markdown', value: "`σ'(z) = p (1 - p), where p = σ(z)`" });
  const mish = (await help(1, col('mish(', 5)))!;
  assert.equal(mish.signatures[0].label, 'mish(z)');
  assert.deepEqual(mish.signatures[0].documentation, { kind: 'markdown', value: '`fn mish(z) = z * tanh(softplus(z))`' });
  const softmax = (await help(1, col('2])')))!;
  assert.equal(softmax.signatures[0].label, 'softmax(v)');
  assert.equal(softmax.activeParameter, 0, 'the commas inside the vector are not the call\'s');
  const max = (await help(1, col('max(1, 2', 7)))!;
  assert.deepEqual(max.signatures.map((s) => s.label), ['max(v)', 'max(a, b)']);
  assert.equal(max.activeSignature, 1);
  assert.equal(max.activeParameter, 1);
  const inner = (await help(0, 31))!;
  assert.equal(inner.signatures[0].label, 'softplus(z)', 'the innermost call');
  const layer = (await help(4, 24))!;
  assert.equal(layer.signatures[0].label, 'leaky_relu(a = 0.01)', 'as an activation, z is implied');
  assert.equal(layer.activeParameter, 0);
  const network = (await help(6, 7))!;
  assert.equal(network.signatures[0].label, 'n(x[2])');
  assert.equal(await help(1, 4), null, 'outside any call');
  assert.equal(await help(1, col('leaky_relu(')), null, 'before the parenthesis');
});
