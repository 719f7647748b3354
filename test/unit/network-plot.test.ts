/**
 * *Show plot* on a network draws the network's own function: for one input, the curve y(x) whose
 * drawn points (turned back into numbers with the mapping the SVG states) lie on the network's
 * output, computed here by hand from its weights, not by the engine; the samples of its train
 * statement as dots; trained weights, when a run left them, instead of the file's. For two
 * inputs, a heatmap whose cells hold the output at their centres.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { analyze, type TrainedParameters } from '../../server/src/analysis/analyze';
import { plotsAt } from '../../server/src/analysis/hover';
import { fingerprint } from '../../server/src/analysis/fingerprint';
import { HEATMAP_CELLS } from '../../server/src/analysis/network-plot';

interface Mapping { from: number; to: number; lo: number; hi: number; left: number; top: number; w: number; h: number }

function mapping(svg: string): Mapping {
  const root = /^<svg[^>]*>/.exec(svg)![0];
  const get = (k: string) => Number(new RegExp(` data-${k}="([^"]+)"`).exec(root)![1]);
  return { from: get('from'), to: get('to'), lo: get('lo'), hi: get('hi'), left: get('left'), top: get('top'), w: get('w'), h: get('h') };
}

/** The drawn points of the curve of output k, back in data space. */
function curvePoints(svg: string, k: number): [number, number][] {
  const m = mapping(svg);
  const d = new RegExp(`<path class="curve" data-output="${k}" d="([^"]*)"`).exec(svg)![1];
  return [...d.matchAll(/(-?[\d.]+) (-?[\d.]+)/g)].map(([, px, py]) => [
    m.from + ((Number(px) - m.left) / m.w) * (m.to - m.from),
    m.hi - ((Number(py) - m.top) / m.h) * (m.hi - m.lo),
  ]);
}

/** The drawn samples (circles), back in data space. */
function dotsOf(svg: string): number[][] {
  const m = mapping(svg);
  return [...svg.matchAll(/<circle cx="([\d.]+)" cy="([\d.]+)"/g)].map(([, cx, cy]) => [
    m.from + ((Number(cx) - m.left) / m.w) * (m.to - m.from),
    m.hi - ((Number(cy) - m.top) / m.h) * (m.hi - m.lo),
  ]);
}

/**
 * Every drawn point lies on f: its y within what rounding the pixels to 0.1 px allows (0.05 px
 * in y, and 0.05 px in x times the slope).
 */
function assertOnCurve(svg: string, k: number, f: (x: number) => number): number {
  const m = mapping(svg);
  const pts = curvePoints(svg, k);
  const xPerPx = (m.to - m.from) / m.w;
  const yPerPx = (m.hi - m.lo) / m.h;
  for (const [x, y] of pts) {
    const slope = Math.abs(f(x + 1e-4) - f(x - 1e-4)) / 2e-4;
    const tolerance = 0.051 * yPerPx + 0.051 * xPerPx * slope + 1e-9;
    assert.ok(Math.abs(y - f(x)) <= tolerance, `at x = ${x}: drawn ${y}, the network gives ${f(x)} (tolerance ${tolerance})`);
  }
  return pts.length;
}

const oneInput = `network n {
  input x[1]
  dense h[2] tanh
  dense y[1] linear
  weights h = [[1.5, -0.7]]
  bias h = [0.2, 0.1]
  weights y = [[2], [1.2]]
  bias y = [-0.3]
}
data d {
  [-2] -> [-1]
  [0] -> [0.5]
  [1] -> [1.4]
  [3] -> [1]
}
train n on d { epochs 10 }
`;

test('one input: the curve is y(x) of the network over its samples\' range, and the samples are dots', () => {
  const a = analyze(oneInput);
  const plots = plotsAt(a, 0)!;
  assert.equal(plots.title, 'Network n');
  assert.deepEqual(plots.items.map((i) => i.label), ['y(x)', 'tanh (layer h)', 'linear (layer y)']);
  const svg = plots.items[0].svg;
  assert.match(plots.items[0].caption, /the 4 samples of `d`/);
  // By hand: y = 2·tanh(1.5x + 0.2) + 1.2·tanh(−0.7x + 0.1) − 0.3.
  const y = (x: number) => 2 * Math.tanh(1.5 * x + 0.2) + 1.2 * Math.tanh(-0.7 * x + 0.1) - 0.3;
  const n = assertOnCurve(svg, 0, y);
  assert.ok(n >= 200, `${n} points on the curve`);
  // The x-axis spans the samples' inputs, −2 to 3, padded by 5%.
  const m = mapping(svg);
  assert.ok(Math.abs(m.from - -2.25) < 1e-12 && Math.abs(m.to - 3.25) < 1e-12, JSON.stringify(m));
  // One dot per sample, at (input, target).
  const dots = dotsOf(svg);
  assert.equal(dots.length, 4);
  [[-2, -1], [0, 0.5], [1, 1.4], [3, 1]].forEach(([x, t], i) => {
    assert.ok(Math.abs(dots[i][0] - x) < 0.01 && Math.abs(dots[i][1] - t) < 0.02, `dot ${i}: ${dots[i]} vs ${[x, t]}`);
  });
});

test('after a run, the curve is the trained network\'s', () => {
  // A linear unit: y = w·x + b; a run's parameters w = 3, b = 1 replace the file's.
  const text = 'network lin {\n  input x[1]\n  dense y[1] linear\n  weights y = [[0.5]]\n  bias y = [0]\n}\ndata d {\n  [0] -> [1]\n  [2] -> [7]\n}\ntrain lin on d { epochs 5 }\n';
  const before = plotsAt(analyze(text), 0)!.items[0].svg;
  assertOnCurve(before, 0, (x) => 0.5 * x);
  const definition = fingerprint(analyze(text).program.networks.get('lin')!.network!);
  const trained = new Map<string, TrainedParameters>([['lin', { layers: [{ W: [3], b: [1] }], definition }]]);
  const after = plotsAt(analyze(text, { trained }), 0)!.items[0].svg;
  assertOnCurve(after, 0, (x) => 3 * x + 1);
  assert.throws(() => assertOnCurve(after, 0, (x) => 0.5 * x));
});

test('several outputs: one curve each (up to three), without data the domain is [-6, 6]', () => {
  const text = 'network m {\n  input x[1]\n  dense y[2] linear\n  weights y = [[1, -2]]\n  bias y = [0, 1]\n}\n';
  const plots = plotsAt(analyze(text), 0)!;
  assert.equal(plots.items[0].label, 'y(x), outputs 0–1');
  const svg = plots.items[0].svg;
  assert.deepEqual([mapping(svg).from, mapping(svg).to], [-6, 6]);
  assertOnCurve(svg, 0, (x) => x);
  assertOnCurve(svg, 1, (x) => -2 * x + 1);
  assert.doesNotMatch(svg, /<circle/);
});

test('two inputs: a heatmap of the first output, each cell the output at its centre, and the generated samples', () => {
  const text = 'network c {\n  input x[2]\n  dense y[1] sigmoid\n  weights y = [[1.5], [-2]]\n  bias y = [0.25]\n  loss binary_cross_entropy\n}\ndata pts = xor(n: 60, seed: 3)\ntrain c on pts { epochs 3 }\n';
  const plots = plotsAt(analyze(text), 0)!;
  assert.equal(plots.items[0].label, 'y₀(x₁, x₂)');
  const svg = plots.items[0].svg;
  const cells = [...svg.matchAll(/<rect [^>]*data-x="([^"]+)" data-y="([^"]+)" data-v="([^"]+)"/g)];
  assert.equal(cells.length, HEATMAP_CELLS * HEATMAP_CELLS);
  for (const [, x1, x2, v] of cells) {
    const expected = 1 / (1 + Math.exp(-(1.5 * Number(x1) - 2 * Number(x2) + 0.25)));
    assert.ok(Math.abs(Number(v) - expected) < 1e-12, `at (${x1}, ${x2}): ${v} vs ${expected}`);
  }
  assert.equal([...svg.matchAll(/<circle /g)].length, 60);
  assert.match(plots.items[0].caption, /the 60 samples of `pts`/);
});

test('three inputs: no function plot, only the activations', () => {
  const text = 'network t {\n  input x[3]\n  dense y[1] relu\n}\n';
  assert.deepEqual(plotsAt(analyze(text), 0)!.items.map((i) => i.label), ['relu (layer y)']);
});

test('function(…) data with standardize: the dots are its samples, the curve is the network of the raw input', () => {
  const text = `network n {
  input x[1]
  dense y[1] linear
  weights y = [[2]]
  bias y = [0.5]
}
data d = function(x * x, n: 11, from: -1, to: 1) standardize
train n on d { epochs 1 }
`;
  const svg = plotsAt(analyze(text), 0)!.items[0].svg;
  // All 11 inputs are the training part (no split): mean 0, population std √(Σx²/11).
  const xs = Array.from({ length: 11 }, (_, i) => -1 + i / 5);
  const std = Math.sqrt(xs.reduce((s, x) => s + x * x, 0) / 11);
  assertOnCurve(svg, 0, (x) => (2 * x) / std + 0.5);
  const dots = dotsOf(svg);
  assert.equal(dots.length, 11);
  dots.forEach(([x, t], i) => assert.ok(Math.abs(x - xs[i]) < 0.01 && Math.abs(t - xs[i] * xs[i]) < 0.02, `dot ${i}: ${[x, t]}`));
});
