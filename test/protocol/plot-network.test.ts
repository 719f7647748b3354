/**
 * *Show plot* on a network over the protocol (`netspec/plot`): its first picture is the network's
 * function y(x) with the samples it trains on, and after a run in the server it is the trained
 * network's: the curve passes through the output the probe reports (the inlay hint's tooltip,
 * at full precision) at the probe's input, before and after training.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { InlayHint } from 'vscode-languageserver-protocol';
import { LspClient } from '../support/lsp';
import { until } from '../support/until';

let client: LspClient;
before(async () => {
  client = await LspClient.start();
});
after(async () => {
  await client.stop();
});

const samples = Array.from({ length: 9 }, (_, i) => -2 + i * 0.5).map((x) => `  [${x}] -> [${Math.sin(x).toFixed(4)}]`).join('\n');
const text = `network fit {
  input x[1]
  dense h[6] tanh
  dense y[1] linear
  init xavier seed 3
}
data wave {
${samples}
}
train fit on wave {
  optimizer adam
  learning_rate 0.05
  epochs 300
}
probe fit [0.5] -> [0.4794]
`;
const trainLine = text.split('\n').findIndex((l) => l.startsWith('train fit'));
const probeX = 0.5;

interface Plot { title: string; items: { label: string; svg: string; caption: string }[] }

/** The drawn curve's value at x, read back from the SVG's pixels (linear between drawn points). */
function curveAt(svg: string, x: number): { y: number; yPerPx: number } {
  const root = /^<svg[^>]*>/.exec(svg)![0];
  const get = (k: string) => Number(new RegExp(` data-${k}="([^"]+)"`).exec(root)![1]);
  const [from, to, lo, hi, left, top, w, h] = ['from', 'to', 'lo', 'hi', 'left', 'top', 'w', 'h'].map(get);
  const d = /<path class="curve" data-output="0" d="([^"]*)"/.exec(svg)![1];
  const pts = [...d.matchAll(/(-?[\d.]+) (-?[\d.]+)/g)].map(([, px, py]) => [from + ((Number(px) - left) / w) * (to - from), hi - ((Number(py) - top) / h) * (hi - lo)]);
  const i = pts.findIndex((p, k) => k > 0 && p[0] >= x);
  const [[x0, y0], [x1, y1]] = [pts[i - 1], pts[i]];
  return { y: y0 + ((x - x0) / (x1 - x0)) * (y1 - y0), yPerPx: (hi - lo) / h };
}

async function probeOutput(uri: string): Promise<number> {
  const hints = (await client.connection.sendRequest('textDocument/inlayHint', { textDocument: { uri }, range: { start: { line: 0, character: 0 }, end: { line: 40, character: 0 } } })) as InlayHint[];
  const tip = hints.map((h) => (typeof h.tooltip === 'string' ? h.tooltip : h.tooltip?.value ?? '')).find((t) => t.startsWith('loss E'))!;
  return Number(/output = \[([^\]]+)\]/.exec(tip)![1]);
}

test('Show plot on a 1-input network: y(x) through the probe\'s output, and the trained network\'s after a run', async () => {
  const uri = 'file:///plot-fit.netspec';
  await client.open(uri, text, 1);
  await client.diagnostics(uri, 1);
  const plot = async () => (await client.connection.sendRequest('netspec/plot', { uri, line: 0 })) as Plot;

  const first = await plot();
  assert.equal(first.title, 'Network fit');
  assert.deepEqual(first.items.map((i) => i.label), ['y(x)', 'tanh (layer h)', 'linear (layer y)']);
  assert.match(first.items[0].caption, /the 9 samples of `wave`/);
  assert.equal([...first.items[0].svg.matchAll(/<circle /g)].length, 9);
  const initial = await probeOutput(uri);
  const c0 = curveAt(first.items[0].svg, probeX);
  // Linear interpolation between points 1/240 of the range apart, and 0.1 px rounding.
  assert.ok(Math.abs(c0.y - initial) < 0.3 * c0.yPerPx + 1e-3, `before: the curve at ${probeX} is ${c0.y}, the probe says ${initial}`);

  const started = (await client.connection.sendRequest('netspec/train', { uri, line: trainLine })) as { runId: string };
  await client.runEnd(started.runId);
  const trained = await until('the probe to use the trained weights', async () => {
    const v = await probeOutput(uri);
    return v !== initial ? v : undefined;
  }, 10_000);
  const second = await plot();
  const c1 = curveAt(second.items[0].svg, probeX);
  assert.ok(Math.abs(c1.y - trained) < 0.3 * c1.yPerPx + 1e-3, `after: the curve at ${probeX} is ${c1.y}, the trained probe says ${trained}`);
  assert.notEqual(second.items[0].svg, first.items[0].svg);
  // Trained on sin: the fitted curve is close to sin(0.5) there.
  assert.ok(Math.abs(trained - Math.sin(probeX)) < 0.1, `trained output ${trained} vs sin(0.5)`);
});
