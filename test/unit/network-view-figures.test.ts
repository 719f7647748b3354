/**
 * What the network view's page says and draws (client/src/networkFigures.ts), on views the server
 * builds (server/network-view.ts): in weights mode the lines as the diagram's SVG has them, in
 * gradients mode widths by |dE/dw| from the probe's own backpropagation, the tooltips' numbers
 * and factors, the structure key that decides an in-place update; and the pacer of its requests
 * (client/src/pacer.ts): never two in flight, at most one start per interval, a debounce.
 */
import assert from 'node:assert/strict';
import { mock, test } from 'node:test';
import { analyze } from '../../server/src/analysis/analyze';
import { MAX_STROKE as D_MAX, MIN_STROKE as D_MIN, NEGATIVE_COLOR as D_NEG, POSITIVE_COLOR as D_POS, widthFor } from '../../server/src/analysis/network-diagram';
import type { NetworkView } from '../../server/src/protocol/network';
import { networkOfRequest, networkView } from '../../server/src/server/network-view';
import {
  edgeEnds, edgeLook, edgeTip, legendText, MAX_STROKE, MIN_STROKE, NEGATIVE_COLOR, parametersText, POSITIVE_COLOR, strokeWidth, structureKey, unitTip,
} from '../../client/src/networkFigures';
import { Pacer } from '../../client/src/pacer';
import { SeededRandom } from '../support/random';
import { parseXml } from '../support/xml';

const SPEC = `network n {
  input x[3]
  dense h[2] tanh
  dense y[1] sigmoid
  loss squared_error
  weights h = [[0.5, -0.25], [0.75, 0.125], [-0.5, 1]]
  weights y = [[1.5], [-2]]
}
probe n [1, 0.5, -1] -> [1]
`;

function viewOf(text: string): NetworkView {
  const a = analyze(text);
  const info = networkOfRequest(a, undefined, undefined);
  assert.ok(typeof info !== 'string' && info.network, String(info));
  return networkView('file:///t.netspec', a, info, { network: info.network, parameters: { kind: 'file' } });
}

test('the page\'s copies of the diagram\'s scale and colours are the diagram\'s, and strokeWidth is its widthFor', () => {
  assert.deepEqual([MIN_STROKE, MAX_STROKE, POSITIVE_COLOR, NEGATIVE_COLOR], [D_MIN, D_MAX, D_POS, D_NEG]);
  const r = new SeededRandom(15);
  for (let i = 0; i < 500; i++) {
    const max = r.pick([0, 1e-300, r.uniform(0, 10), Infinity]);
    const abs = r.pick([0, r.uniform(0, 10), max, Infinity, NaN]);
    assert.equal(strokeWidth(abs, max), widthFor(abs, max), `|v| ${abs}, max ${max}`);
  }
  assert.equal(strokeWidth(1, undefined), MIN_STROKE);
});

test('weights mode draws each line as the diagram\'s SVG does: its width and its sign\'s colour', () => {
  const view = viewOf(SPEC);
  const lines = parseXml(view.svg).filter((e) => e.attrs.class === 'edge');
  assert.equal(lines.length, view.edges.length);
  for (const edge of view.edges) {
    const { from, to } = edgeEnds(view, edge);
    const line = lines.find((l) => l.attrs['data-from'] === from && l.attrs['data-to'] === to);
    assert.ok(line, `${from} → ${to}`);
    const look = edgeLook(view, edge, 'weights');
    assert.equal(look.width.toFixed(2), line.attrs['stroke-width']);
    assert.equal(look.positive ? POSITIVE_COLOR : NEGATIVE_COLOR, line.attrs.stroke);
    assert.equal(Number(line.attrs['data-w']), edge.w);
  }
});

test('gradients mode: widths 0.5 + 5.5·|dE/dw| / max|dE/dw| with the probe\'s dE/dw, colours by its sign; a run\'s epoch means by the sign of w', () => {
  const view = viewOf(SPEC);
  // dE/dw from the analysis's own probe (not from the view).
  const probe = analyze(SPEC).probes[0].result!;
  const grad = (layer: number, j: number, k: number) => probe.layers[layer].dW[j][k];
  const max = Math.max(...view.edges.map((e) => Math.abs(grad(e.layer, e.j, e.k))));
  let widest = 0;
  for (const e of view.edges) {
    const g = grad(e.layer, e.j, e.k);
    const look = edgeLook(view, e, 'gradients');
    assert.ok(Math.abs(look.width - (0.5 + 5.5 * Math.abs(g) / max)) < 1e-12, `${look.width} for dE/dw ${g}`);
    assert.equal(look.positive, g >= 0);
    widest = Math.max(widest, look.width);
  }
  assert.equal(widest, MAX_STROKE);
  assert.match(legendText(view, 'gradients'), /^dE\/dw at the probe on line 9; colour: the sign of dE\/dw; line width 0\.5 \+ 5\.5 · \|dE\/dw\| \/ \S+ px$/);
  assert.match(legendText(view, 'weights'), /^colour: the sign of w; line width 0\.5 \+ 5\.5 · \|w\| \/ 2 px$/);
  // Mean |dE/dw| of an epoch: magnitudes, so the colour is the weight's sign.
  const epoch: NetworkView = { ...view, gradients: { source: 'epoch', epoch: 7 }, edges: view.edges.map((e) => ({ ...e, grad: Math.abs(e.grad!) })) };
  for (const e of epoch.edges) assert.equal(edgeLook(epoch, e, 'gradients').positive, e.w >= 0);
  assert.match(legendText(epoch, 'gradients'), /^mean \|dE\/dw\| over the steps of epoch 7; colour: the sign of w \(the means are magnitudes\)/);
  // Without gradients, the gradients mode is the weights mode.
  const none: NetworkView = { ...view, gradients: undefined };
  assert.deepEqual(edgeLook(none, view.edges[0], 'gradients'), edgeLook(none, view.edges[0], 'weights'));
});

test('an output line\'s tooltip: w and dE/dw in full precision, and the three factors that multiply to dE/dw', () => {
  const view = viewOf(SPEC);
  const probe = analyze(SPEC).probes[0].result!;
  const edge = view.edges.find((e) => e.layer === 1 && e.j === 1 && e.k === 0)!;
  const tip = edgeTip(view, edge);
  assert.equal(tip[0], 'w₁,₀: h:1 → y:0');
  assert.equal(tip[1], 'w = -2');
  assert.equal(Number(/^dE\/dw = (\S+)$/.exec(tip[2])![1]), probe.layers[1].dW[1][0]);
  const m = /^\(g\(z₀\) − t₀\) · g'\(z₀\) · a₁ = (\S+) · (\S+) · (\S+) = (\S+)$/.exec(tip[3]);
  assert.ok(m, tip[3]);
  // The factors by hand: y − t, y(1 − y) for sigmoid, a₁ = tanh(z₁) of the hidden layer.
  const y = probe.output[0];
  const a1 = probe.layers[0].trace.y[1];
  const close = (shown: string, v: number) => assert.ok(Math.abs(Number(shown) - v) <= 5e-3 * Math.abs(v), `${shown} vs ${v}`);
  close(m[1], y - 1);
  close(m[2], y * (1 - y));
  close(m[3], a1);
  close(m[4], (y - 1) * y * (1 - y) * a1);
  // A hidden layer's line has no factors; its inputs are x.
  const hidden = edgeTip(view, view.edges.find((e) => e.layer === 0)!);
  assert.equal(hidden.length, 3);
  assert.match(hidden[0], /^w₀,₀: x:0 → h:0$/);
  const unit = unitTip(view.columns[2], view.columns[2].drawn[0]);
  assert.deepEqual(unit.slice(0, 2), ['y:0 (sigmoid)', `g(z) = ${y}`]);
  assert.ok(unit.some((l) => l.startsWith('δ = dE/dz = ')), unit.join(' | '));
});

test('the structure key: other weights keep it (an in-place update), another width changes it', () => {
  const a = viewOf(SPEC);
  const b = viewOf(SPEC.replace('[-2]]', '[-3]]'));
  const c = viewOf(SPEC.replace('dense h[2] tanh', 'dense h[3] tanh').replace(/ {2}weights h = .*\n/, '').replace('[[1.5], [-2]]', '[[1.5], [-2], [1]]'));
  assert.equal(structureKey(a), structureKey(b));
  assert.notEqual(structureKey(a), structureKey(c));
  assert.equal(parametersText({ kind: 'live', runId: 'r', epoch: 120, epochs: 400 }), 'training: epoch 120 / 400');
  assert.equal(parametersText({ kind: 'file', init: 'xavier seed 7' }), 'initial weights (init xavier seed 7)');
  assert.equal(parametersText({ kind: 'trained' }), 'trained weights (the last run\'s)');
});

test('the pacer: never two requests in flight, starts at least an interval apart, a debounce that moves, one request for many asks', async () => {
  mock.timers.enable({ apis: ['setTimeout'] });
  try {
    let clock = 0;
    const starts: number[] = [];
    let inFlight = 0;
    let maxInFlight = 0;
    const answers: (() => void)[] = [];
    const pacer = new Pacer(() => {
      starts.push(clock);
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      return new Promise<void>((resolve) => answers.push(() => {
        inFlight--;
        resolve();
      }));
    }, 250, () => clock);
    const tick = async (ms: number) => {
      for (let i = 0; i < ms; i++) {
        clock++;
        mock.timers.tick(1);
        await Promise.resolve();
      }
    };
    const answer = async () => {
      answers.shift()!();
      await new Promise<void>((r) => queueMicrotask(r));
      await Promise.resolve();
    };
    // A run's progress every 50 ms for 2 s, each request answered after 120 ms.
    for (let t = 0; t < 2000; t += 50) {
      pacer.soon();
      await tick(50);
      if (answers.length && clock - starts[starts.length - 1] >= 120) await answer();
    }
    while (answers.length) await answer();
    await tick(300);
    while (answers.length) await answer();
    assert.equal(maxInFlight, 1);
    for (let i = 1; i < starts.length; i++) assert.ok(starts[i] - starts[i - 1] >= 250, `starts ${starts.join(', ')}`);
    assert.ok(starts.length >= 6 && starts.length <= 9, `about 4 a second for 2 s: ${starts.join(', ')}`);
    // Edits: each one moves the request; one request 300 ms after the last.
    const before = starts.length;
    for (let i = 0; i < 5; i++) {
      pacer.debounce(300);
      await tick(100);
    }
    assert.equal(starts.length, before, 'no request while typing');
    await tick(250);
    assert.equal(starts.length, before + 1);
    assert.equal(starts[starts.length - 1], clock - 50);
    await answer();
    // Disposed: nothing more.
    pacer.soon();
    pacer.dispose();
    await tick(1000);
    assert.equal(starts.length, before + 1);
  } finally {
    mock.timers.reset();
  }
});
