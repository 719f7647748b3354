/**
 * The trigonometric built-ins, the constants pi and e, family-safe suggestions and fractions in
 * derived formulas, as an editor sees them over the real protocol on stdio: diagnostics with
 * their messages and quick fixes, hovers, completion.
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

type Action = { title: string; edit?: { changes: Record<string, { newText: string }[]> } };
const actionsFor = (uri: string, d: Diagnostic) =>
  client.connection.sendRequest('textDocument/codeAction', { textDocument: { uri }, range: d.range, context: { diagnostics: [d] } }) as Promise<Action[]>;

test('sin, cos, tan, atan, pi and e are known: a file that uses them has no diagnostics, and hovers show their values', async () => {
  const uri = 'file:///trig.netspec';
  const text = [
    'eval sin(pi / 6)',
    'eval cos(0) + tan(0) + atan(1) * 4',
    "eval sin''''''''(1)",
    'fn wave(x) = sin(2 * pi * x) + e',
    'network n {',
    '  input x[1]',
    '  dense h[4] sin',
    '  dense y[1] atan',
    '  loss mse',
    '}',
  ].join('\n') + '\n';
  await client.open(uri, text, 1);
  assert.deepEqual((await client.diagnostics(uri, 1)).diagnostics, []);
  assert.match(hoverText(await client.hover(uri, positionOf(text, 'eval sin', 6))), /0\.5\b/);
  assert.match(hoverText(await client.hover(uri, positionOf(text, 'atan(1)', 1))), /atan/);
  assert.match(hoverText(await client.hover(uri, positionOf(text, 'pi', 1))), /3\.141592653589793/);
  const wave = hoverText(await client.hover(uri, positionOf(text, 'fn wave', 4)));
  assert.ok(wave.includes("wave'(x) = 2·pi·cos(2·pi·x)"), wave);
});

test('a misspelt trigonometric function is corrected within its family; a function NetSpec lacks is named, with a fix only to the same function', async () => {
  const uri = 'file:///family.netspec';
  const text = 'eval sinn(1)\neval asin(1)\neval arctan(1)\neval relu6(1)\n';
  await client.open(uri, text, 1);
  const ds = (await client.diagnostics(uri, 1)).diagnostics;
  assert.deepEqual(ds.map((d) => [d.range.start.line, d.code, d.message]), [
    [0, 'unknown-function', 'Unknown function `sinn`. Did you mean `sin`?'],
    [1, 'unknown-function', 'NetSpec has no `asin`. Its trigonometric functions are sin, cos, tan, sinh, cosh, tanh, atan.'],
    [2, 'unknown-function', 'NetSpec has no `arctan`: the same function is `atan`.'],
    [3, 'unknown-function', 'NetSpec has no `relu6`; write min(relu(x), 6).'],
  ]);
  const fixes = await Promise.all(ds.map(async (d) => (await actionsFor(uri, d)).map((a) => [a.title, a.edit?.changes[uri][0].newText])));
  assert.deepEqual(fixes, [[["Change to 'sin'", 'sin']], [], [["Change to 'atan'", 'atan']], []]);
});

test('completion in an expression offers pi and e, and the new functions', async () => {
  const uri = 'file:///complete.netspec';
  const text = 'eval 2 * \n';
  await client.open(uri, text, 1);
  await client.diagnostics(uri, 1);
  const items = (await client.completion(uri, { line: 0, character: 9 })) ?? [];
  const labels = items.map((i) => i.label);
  for (const name of ['pi', 'e', 'sin', 'cos', 'tan', 'atan']) assert.ok(labels.includes(name), `${name} in ${labels.join(', ')}`);
});

test('a fn\'s hover writes rational coefficients as fractions', async () => {
  const uri = 'file:///taylor.netspec';
  const text = 'fn cos8(x) = 1 - x^2/2 + x^4/24 - x^6/720 + x^8/40320\n';
  await client.open(uri, text, 1);
  await client.diagnostics(uri, 1);
  const h = hoverText(await client.hover(uri, positionOf(text, 'cos8', 1)));
  assert.ok(h.includes("cos8'(x) = x^3 / 6 − x − x^5 / 120 + x^7 / 5040"), h);
});
