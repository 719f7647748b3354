/**
 * How the hovers of networks, layers and activations read, over the protocol: the numbers at the
 * probe come first and the explanation after, indices are Unicode subscripts (never `_{j,k}`),
 * a layer's input is xⱼ only when it is the network's input (aⱼ, the output of the layer before,
 * otherwise), and a big layer's tables are cut so the hover stays readable at VS Code's default
 * size.
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

async function hoverAt(uri: string, text: string, needle: string, delta: number): Promise<string> {
  return hoverText(await client.hover(uri, positionOf(text, needle, delta)));
}

const small = `network n {
  input x[2]
  dense h[3] tanh
  dense y[2] sigmoid
  loss squared_error
  weights h = [[0.3, -0.8, 0.5], [1.1, 0.2, -0.4]]
  weights y = [[0.7, -1.2], [-0.3, 0.9], [1.5, 0.4]]
}
probe n [0.6, -1.3] -> [1, 0]
`;

test('layer hover: the probe\'s numbers first, the explanation after, subscripts and not _{j,k}', async () => {
  const uri = 'file:///hover-order.netspec';
  await client.open(uri, small, 1);
  await client.diagnostics(uri, 1);
  const out = await hoverAt(uri, small, 'dense y', 6);
  const lines = out.split('\n');
  assert.match(lines[0], /^\*\*dense y\[2\] sigmoid\*\* of `n` · at the probe on line 9, loss E = \d/, out);
  const at = (re: RegExp) => {
    const i = lines.findIndex((l) => re.test(l));
    assert.ok(i >= 0, `${re} in:\n${out}`);
    return i;
  };
  // Numbers (δ, dE/db, dE/dW, the chain rule's factors) above the rule that starts the explanation.
  const rule = at(/^---$/);
  for (const re of [/^- δ = dE\/dz = `\[/, /^- dE\/db = δ = `\[/, /^\| j \\ k \|/, /^\| w₀,₀ \|/]) assert.ok(at(re) < rule, `${re} above the explanation:\n${out}`);
  assert.ok(at(/zₖ = Σⱼ aⱼ wⱼₖ \+ bₖ/) > rule, out);
  // y reads h: its input column is aⱼ, said to be the output of h; only the network's input is x.
  assert.match(out, /\| w \| \(g\(zₖ\) − tₖ\) \| g'\(zₖ\) \| aⱼ \| dE\/dw \|/, out);
  assert.match(out, /aⱼ is the output of `h`/, out);
  assert.doesNotMatch(out, /x_j|xⱼ|_\{|z_k|t_k/, out);

  const first = await hoverAt(uri, small, 'dense h', 6);
  assert.match(first, /xⱼ is the network's input `x`/, first);
  assert.match(first, /dE\/dW = xᵀδ, dE\/dwⱼₖ = xⱼ δₖ/, first);
  assert.doesNotMatch(first, /aⱼ|_\{/, first);
});

test('activation and network hovers: the values at the probe before the formulas', async () => {
  const uri = 'file:///hover-order-2.netspec';
  await client.open(uri, small, 1);
  await client.diagnostics(uri, 1);
  const act = await hoverAt(uri, small, 'tanh', 1);
  const values = act.indexOf('At the probe on line 9, layer `h`:');
  const formula = act.indexOf('tanh(z) = ');
  assert.ok(act.startsWith('**tanh**'), act);
  assert.ok(values > 0 && formula > values, `values before the formula:\n${act}`);
  assert.match(act, /- g'\(z\) = `\[/, act);

  const net = await hoverAt(uri, small, 'network n', 9);
  const output = net.indexOf('At the probe on line 9: output `[');
  assert.ok(output > 0 && output < net.indexOf('x[2] → h[3] tanh'), `output before the layers:\n${net}`);
  assert.match(net, /loss E = \d/, net);
});

test('a wide layer\'s hover is cut: a few rows and columns, "… N more", the key numbers on top', async () => {
  const uri = 'file:///hover-wide.netspec';
  const text = 'network big {\n  input x[20]\n  dense h[12] relu\n  dense y[10] sigmoid\n}\n' +
    `probe big [${Array.from({ length: 20 }, (_, i) => (i % 5) / 4 - 0.5).join(', ')}] -> [${Array.from({ length: 10 }, (_, i) => i % 2).join(', ')}]\n`;
  await client.open(uri, text, 1);
  await client.diagnostics(uri, 1);
  const out = await hoverAt(uri, text, 'dense y', 6);
  // 12 × 10 = 120 weights: 8 rows of factors, the rest counted.
  assert.equal([...out.matchAll(/^\| w[₀-₉]+,[₀-₉]+ \|/gm)].length, 8, out);
  assert.match(out, /… and 112 more weights\./, out);
  // dE/dW: 8 of 12 rows, 6 of 10 columns.
  assert.match(out, /^\| j \\ k \| 0 \| 1 \| 2 \| 3 \| 4 \| 5 \| … 4 more \|$/m, out);
  assert.equal([...out.matchAll(/^\| \d+ \| /gm)].length, 8, out);
  assert.match(out, /^\| … 4 more rows \|/m, out);
  // Vectors of 10: eight entries shown.
  assert.match(out, /- δ = dE\/dz = `\[[^\]]*, … 2 more\]`/, out);
  // Short enough to read without scrolling far: the numbers within the first lines.
  assert.ok(out.split('\n').length < 45, `${out.split('\n').length} lines:\n${out}`);
  assert.ok(out.split('\n').findIndex((l) => l.startsWith('- δ')) <= 3, out);
});
