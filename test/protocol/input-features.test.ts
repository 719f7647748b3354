/**
 * Derived input features as an editor sees them over the real protocol on stdio: a feature that
 * names an input the layer does not have is an error on that name listing the inputs; the
 * input's hover shows the raw input and the features at the probe, and the first dense layer's
 * hover says it reads the features, with the features' count as its fan-in.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { hoverText, LspClient, positionOf } from '../support/lsp';

let client: LspClient;
before(async () => {
  client = await LspClient.start();
});
after(async () => {
  await client.stop();
});

test('a feature naming an input the layer lacks is an error on the name, with the inputs; other names resolve as anywhere', async () => {
  const uri = 'file:///features-bad.netspec';
  const text = 'network n {\n  input p[2] features [p1, p3 * p2, p, sin(q)]\n  dense y[1] sigmoid\n}\n';
  await client.open(uri, text, 1);
  const ds = (await client.diagnostics(uri, 1)).diagnostics;
  const at = (d: { range: { start: { line: number; character: number }; end: { character: number } } }) => text.split('\n')[d.range.start.line].slice(d.range.start.character, d.range.end.character);
  assert.deepEqual(ds.map((d) => [d.code, at(d), d.message]), [
    ['unknown-name', 'p3', '`p3` is not an input of `p[2]`: its inputs are p1, p2.'],
    ['unknown-name', 'p', '`p` is not an input of `p[2]`: its inputs are p1, p2.'],
    ['unknown-name', 'q', 'Unknown name `q`.'],
  ]);
});

test('hovers show the raw input and its features at the probe, and the first layer reads the features', async () => {
  const uri = 'file:///features.netspec';
  const text = [
    'network n {',
    '  input x[2] features [x1, x2, x1 * x2, sin(x1)]',
    '  dense h[3] tanh',
    '  dense y[1] sigmoid',
    '  loss binary_cross_entropy',
    '}',
    'probe n [0.5, -2] -> [1]',
    '',
  ].join('\n');
  await client.open(uri, text, 1);
  assert.deepEqual((await client.diagnostics(uri, 1)).diagnostics.filter((d) => d.severity === 1), []);
  const input = hoverText(await client.hover(uri, positionOf(text, 'x[2]', 0)));
  assert.match(input, /`x1`, `x2`, `x1 \* x2`, `sin\(x1\)`/);
  assert.match(input, /input `\[0\.5, -2\]` → features `\[0\.5, -2, -1, 0\.479426/);
  const h = hoverText(await client.hover(uri, positionOf(text, 'h[3]', 0)));
  assert.match(h, /W is 4×3/);
  assert.match(h, /feature j of the network's input `x`/);
  const network = hoverText(await client.hover(uri, positionOf(text, 'network n', 8)));
  assert.match(network, /4·3 \+ 3|19 parameters/);
});
