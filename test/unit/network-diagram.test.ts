/**
 * The network diagram's layout (analysis/network-diagram.ts): columns left to right, units top to
 * bottom, a wide layer collapsed to its first and last units with a marker counting the hidden
 * ones, one edge per pair of drawn units carrying the network's own w_{j,k}, the width scale; and
 * the SVG made from it: well-formed, self-contained, its elements carrying the layout's numbers.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { analyze } from '../../server/src/analysis/analyze';
import type { Network } from '../../server/src/engine/network';
import {
  COLLAPSED_HEAD, COLLAPSED_TAIL, MAX_DRAWN_SLOTS, MAX_STROKE, MIN_STROKE, NEGATIVE_COLOR, POSITIVE_COLOR,
  diagramLayout, diagramSvg, widthFor,
} from '../../server/src/analysis/network-diagram';
import { parseXml } from '../support/xml';

function built(source: string, name: string): Network {
  const a = analyze(source);
  assert.deepEqual(a.diagnostics.filter((d) => d.severity === 'error'), []);
  const n = a.program.networks.get(name)?.network;
  assert.ok(n, `network ${name} built`);
  return n;
}

const WIDE = `network wide {
  input  x[3]
  dense  h[40] relu
  dense  y[2] sigmoid
  loss   squared_error
  init   xavier seed 3
}
`;

test('columns run left to right, units top to bottom, centred on the tallest column', () => {
  const layout = diagramLayout(built(WIDE, 'wide'), { inputName: 'x' });
  assert.deepEqual(layout.columns.map((c) => [c.name, c.kind, c.units]), [['x', 'input', 3], ['h', 'dense', 40], ['y', 'dense', 2]]);
  for (let i = 1; i < layout.columns.length; i++) assert.ok(layout.columns[i].x > layout.columns[i - 1].x);
  const middles: number[] = [];
  for (const c of layout.columns) {
    assert.ok(c.drawn.every((u) => u.x === c.x && u.layer === c.name));
    for (let s = 1; s < c.drawn.length; s++) assert.ok(c.drawn[s].y > c.drawn[s - 1].y, `${c.name} units go down`);
    const ys = [...c.drawn.map((u) => u.y), ...(c.marker ? [c.marker.y] : [])];
    middles.push((Math.min(...ys) + Math.max(...ys)) / 2);
    for (const y of ys) assert.ok(y > 0 && y < layout.height);
    assert.ok(c.x > 0 && c.x < layout.width);
  }
  for (const m of middles) assert.ok(Math.abs(m - middles[0]) < 1e-9, 'every column centred on the same line');
});

test('a 40-unit layer is drawn as its first and last units with a marker saying how many are hidden', () => {
  const layout = diagramLayout(built(WIDE, 'wide'), { inputName: 'x' });
  const h = layout.columns[1];
  const head = Array.from({ length: COLLAPSED_HEAD }, (_, i) => i);
  const tail = Array.from({ length: COLLAPSED_TAIL }, (_, i) => 40 - COLLAPSED_TAIL + i);
  assert.deepEqual(h.drawn.map((u) => u.unit), [...head, ...tail]);
  assert.equal(h.drawn.length + 1, MAX_DRAWN_SLOTS, 'the drawn units and the marker fill the slots');
  assert.ok(h.marker);
  assert.equal(h.marker.hidden, 40 - h.drawn.length);
  // The marker sits between the head and the tail.
  assert.ok(h.marker.y > h.drawn[COLLAPSED_HEAD - 1].y && h.marker.y < h.drawn[COLLAPSED_HEAD].y);
  assert.equal(layout.columns[0].marker, undefined);
  assert.equal(layout.columns[2].marker, undefined);
  // Exactly the pairs of drawn units are edges.
  assert.equal(layout.edges.length, 3 * h.drawn.length + h.drawn.length * 2);
  const svg = diagramSvg(layout);
  assert.match(svg, new RegExp(`class="hidden-units" data-hidden="${40 - h.drawn.length}"`));
});

test('a layer of exactly 16 units is drawn whole; 17 collapse', () => {
  const source = (units: number) => `network n {\n  input x[1]\n  dense h[${units}] tanh\n  dense y[1] sigmoid\n  loss squared_error\n}\n`;
  const whole = diagramLayout(built(source(16), 'n'), { inputName: 'x' }).columns[1];
  assert.equal(whole.drawn.length, 16);
  assert.equal(whole.marker, undefined);
  const collapsed = diagramLayout(built(source(17), 'n'), { inputName: 'x' }).columns[1];
  assert.equal(collapsed.drawn.length, COLLAPSED_HEAD + COLLAPSED_TAIL);
  assert.equal(collapsed.marker?.hidden, 17 - COLLAPSED_HEAD - COLLAPSED_TAIL);
});

test('each edge carries w_{j,k} of the explicit weights, its colour the sign and its width the scale', () => {
  const W = [[0.5, -2], [0, 1.25], [-0.125, 3]];
  const source = `network e {\n  input a[3]\n  dense o[2] tanh\n  weights o = [${W.map((r) => `[${r.join(', ')}]`).join(', ')}]\n  loss squared_error\n}\n`;
  const layout = diagramLayout(built(source, 'e'), { inputName: 'a' });
  assert.equal(layout.edges.length, 6);
  const maxAbs = Math.max(...W.flat().map(Math.abs));
  assert.equal(layout.scale.maxAbsW, maxAbs);
  for (const e of layout.edges) {
    assert.equal(e.from.layer, 'a');
    assert.equal(e.to.layer, 'o');
    const w = W[e.from.unit][e.to.unit];
    assert.equal(e.w, w);
    assert.equal(e.color, w < 0 ? NEGATIVE_COLOR : POSITIVE_COLOR);
    assert.ok(Math.abs(e.width - (MIN_STROKE + ((MAX_STROKE - MIN_STROKE) * Math.abs(w)) / maxAbs)) < 1e-12);
  }
  const widest = layout.edges.reduce((a, b) => (b.width > a.width ? b : a));
  assert.equal(widest.w, 3);
  assert.equal(widest.width, MAX_STROKE);
  assert.equal(layout.edges.find((e) => e.w === 0)?.width, MIN_STROKE);
  assert.deepEqual(layout.legend.map((l) => l.absW), [3, 1.5]);
  assert.equal(layout.hasGrads, false);
  assert.ok(layout.edges.every((e) => e.grad === undefined));
});

test('widthFor: all zero weights draw hairlines; a non-finite ratio draws the widest line, never NaN', () => {
  assert.equal(widthFor(0, 0), MIN_STROKE);
  assert.equal(widthFor(1, 1), MAX_STROKE);
  assert.equal(widthFor(Infinity, 1e308), MAX_STROKE);
  assert.equal(widthFor(1e308, 1e-308), MAX_STROKE);
  assert.ok(widthFor(0.25, 1) > widthFor(0.2, 1));
});

test('gradients from a probe ride on the edges, and the SVG is well-formed with one neuron per drawn unit', () => {
  const source = WIDE + 'probe wide [1, -1, 0.5] -> [1, 0]\n';
  const a = analyze(source);
  const info = a.program.networks.get('wide');
  assert.ok(info?.network);
  const probe = a.probes[0].result;
  assert.ok(probe);
  const layout = diagramLayout(info.network, { inputName: 'x', grads: probe.layers.map((l) => l.dW) });
  assert.equal(layout.hasGrads, true);
  for (const e of layout.edges) {
    const li = e.to.layer === 'h' ? 0 : 1;
    assert.equal(e.grad, probe.layers[li].dW[e.from.unit][e.to.unit]);
  }
  const svg = diagramSvg(layout);
  const els = parseXml(svg);
  assert.equal(els[0].name, 'svg');
  assert.ok(!/<script|href=|url\(/i.test(svg), 'self-contained, no scripts');
  const neurons = els.filter((e) => e.attrs.class === 'neuron');
  assert.equal(neurons.length, 3 + (COLLAPSED_HEAD + COLLAPSED_TAIL) + 2);
  assert.deepEqual(neurons.filter((e) => e.attrs['data-layer'] === 'h').map((e) => Number(e.attrs['data-unit'])), layout.columns[1].drawn.map((u) => u.unit));
  const edges = els.filter((e) => e.attrs.class === 'edge');
  assert.equal(edges.length, layout.edges.length);
  edges.forEach((el, i) => {
    const e = layout.edges[i];
    assert.equal(el.attrs['data-from'], `${e.from.layer}:${e.from.unit}`);
    assert.equal(el.attrs['data-to'], `${e.to.layer}:${e.to.unit}`);
    assert.equal(Number(el.attrs['data-w']), e.w + 0); // String(-0) is "0"
    assert.equal(Number(el.attrs['data-grad']), (e.grad ?? NaN) + 0);
    assert.equal(el.attrs.stroke, e.color);
    assert.ok(Math.abs(Number(el.attrs['stroke-width']) - e.width) < 0.005);
  });
  // Layer labels for every column.
  for (const name of ['x [3]', 'h [40] relu', 'y [2] sigmoid']) assert.ok(svg.includes(`>${name}</text>`), name);
});
