/**
 * Show Network's data (server/network-view.ts) and the gradients a run gives it
 * (Trainer.watchGradients): the gradients against central differences of the probe's loss, the
 * output layer's factors multiplying back to the gradient, every unit's heatmap against the
 * engine's forward pass, a saturated layer marked vanishing with the file's own saturation warning,
 * each weight's source range holding that weight's text, and an epoch's mean |dE/dw| against a
 * replay of the epoch through single-sample backpropagation (`probe`) and plain SGD steps.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { analyze } from '../../server/src/analysis/analyze';
import { forward, probe, type Network } from '../../server/src/engine/network';
import { cloneNetwork, Trainer, type Sample } from '../../server/src/engine/train';
import { generate } from '../../server/src/engine/datasets';
import { initOf, networkOfRequest, networkView, VANISHING_RATIO, withParameters } from '../../server/src/server/network-view';
import type { NetworkView } from '../../server/src/protocol/network';

const SMALL = `network n {
  input x[2]
  dense h[3] tanh
  dense y[1] sigmoid
  weights h = [[0.5, -0.25, 1.25], [1.5, 0.75, -2]]
  weights y = [[2], [-1], [0.125]]
  bias h = [0.1, 0, -0.3]
}
data pts {
  [0, 1] -> [1]
  [2, -1] -> [0]
  [-1.5, 0.5] -> [1]
}
train n on pts { epochs 3 }
probe n [0.3, -0.7] -> [1]
`;

function viewOf(text: string, name?: string, line?: number): { view: NetworkView; net: Network } {
  const a = analyze(text);
  const info = networkOfRequest(a, name, line);
  assert.ok(typeof info !== 'string', String(info));
  assert.ok(info.network);
  return { view: networkView('file:///t.netspec', a, info, { network: info.network, parameters: { kind: 'file' } }), net: info.network };
}

/** The probe's loss with w_{j,k} of layer l moved by h. */
function lossMoved(net: Network, l: number, j: number, k: number, h: number, x: number[], t: number[]): number {
  const moved = cloneNetwork(net);
  moved.layers[l].W[j * moved.layers[l].units + k] += h;
  return probe(moved, x, t).loss;
}

test('every edge carries dE/dw as central differences of the probe loss give it, and the output layer its three factors', () => {
  const { view, net } = viewOf(SMALL);
  assert.equal(view.edges.length, 2 * 3 + 3 * 1);
  assert.deepEqual(view.gradients, { source: 'probe', line: 14 });
  const x = [0.3, -0.7];
  const t = [1];
  for (const e of view.edges) {
    const h = 1e-6;
    const fd = (lossMoved(net, e.layer, e.j, e.k, h, x, t) - lossMoved(net, e.layer, e.j, e.k, -h, x, t)) / (2 * h);
    assert.ok(Math.abs(e.grad! - fd) < 1e-8, `w[${e.layer}][${e.j}][${e.k}]: ${e.grad} vs finite differences ${fd}`);
    if (e.layer === 1) {
      // squared_error (the default): (g(z_k) − t_k) · g'(z_k) · x_j
      const f = e.factors!;
      assert.equal(f.squared, true);
      const y = view.columns[2].drawn[0].value!;
      assert.equal(f.dEdy, y - t[0]);
      assert.equal(f.x, view.columns[1].drawn[e.j].value);
      assert.ok(Math.abs(f.dEdy * f.gprime * f.x - e.grad!) <= 1e-15 * Math.max(1, Math.abs(e.grad!)));
    } else {
      assert.equal(e.factors, undefined);
    }
  }
  // Units: the input's raw values, then g(z) and δ = dE/dz of each layer.
  assert.deepEqual(view.columns[0].drawn.map((u) => u.value), x);
  const r = probe(net, x, t);
  assert.deepEqual(view.columns[1].drawn.map((u) => u.delta), r.layers[0].delta);
  assert.deepEqual(view.columns[2].drawn.map((u) => u.value), r.output);
  assert.equal(view.maxAbsGrad, Math.max(...view.edges.map((e) => Math.abs(e.grad!))));
});

test('each weight\'s source is its entry in the weights matrix, or the layer line without one', () => {
  const { view } = viewOf(SMALL);
  const lines = SMALL.split('\n');
  const textOf = (r: NetworkView['edges'][number]['source']) => lines[r.start.line].slice(r.start.character, r.end.character);
  for (const e of view.edges) assert.equal(Number(textOf(e.source)), e.w, `w[${e.layer}][${e.j}][${e.k}]`);
  const noWeights = viewOf(SMALL.replace(/ {2}weights h = .*\n/, '')).view;
  for (const e of noWeights.edges.filter((x) => x.layer === 0)) assert.equal(textOf(e.source).trim(), 'dense h[3] tanh');
});

test('a 2-input network: every unit\'s heatmap is its output over the grid, through the engine\'s forward pass', () => {
  const { view, net } = viewOf(SMALL);
  const hm = view.heatmap!;
  assert.equal(hm.points.length, 3);
  const R = hm.resolution;
  for (const [ci, column] of view.columns.entries()) {
    for (const u of column.drawn) {
      assert.equal(u.heatmap!.length, R * R);
      for (const [r, c] of [[0, 0], [R - 1, 3], [7, R - 1]]) {
        const x = hm.xRange[0] + ((c + 0.5) * (hm.xRange[1] - hm.xRange[0])) / R;
        const y = hm.yRange[1] - ((r + 0.5) * (hm.yRange[1] - hm.yRange[0])) / R;
        const want = ci === 0 ? [x, y][u.unit] : forward(net, [x, y])[ci - 1].y[u.unit];
        const got = u.heatmap![r * R + c];
        assert.ok(Math.abs(got - want) <= 5e-3 * Math.max(1e-3, Math.abs(want)), `${column.name}:${u.unit} at (${r}, ${c}): ${got} vs ${want}`);
      }
    }
  }
  assert.deepEqual(view.columns[1].heatmapRange, [-1, 1]);
  assert.deepEqual(view.columns[2].heatmapRange, [0, 1]);
  // Three or more inputs: no heatmaps, values only.
  const wide = viewOf('network w {\n  input x[3]\n  dense y[1] linear\n}\nprobe w [1, 2, 3] -> [0]\n').view;
  assert.equal(wide.heatmap, undefined);
  assert.equal(wide.columns[1].drawn[0].heatmap, undefined);
});

test('a saturated hidden layer is marked vanishing, with the file\'s saturation warning as the reason', () => {
  const text = `network deep {
  input x[1]
  dense h[1] sigmoid
  dense y[1] linear
  weights h = [[40]]
  weights y = [[1]]
}
probe deep [1] -> [0]
`;
  const a = analyze(text);
  const { view } = viewOf(text);
  const [hidden, out] = view.layers!;
  assert.equal(out.ratio, 1);
  assert.equal(out.vanishing, undefined);
  assert.ok(hidden.ratio! <= VANISHING_RATIO && hidden.ratio! > 0, `ratio ${hidden.ratio}`);
  assert.equal(hidden.vanishing, `vanishing: ×${hidden.ratio!.toExponential(0)} of the output layer's`);
  const saturated = a.diagnostics.find((d) => d.code === 'saturated');
  assert.ok(saturated, 'the file reports the saturation');
  assert.deepEqual(hidden.saturation, { range: saturated.range, message: saturated.message });
  // Healthy weights: nothing vanishes.
  const fine = viewOf(text.replace('[[40]]', '[[0.5]]')).view;
  assert.equal(fine.layers![0].vanishing, undefined);
});

test('the network of a request: by name, by a line of its network, train or probe statement, or the only one', () => {
  const a = analyze(SMALL + 'network other {\n  input x[1]\n  dense y[1] linear\n}\n');
  const name = (r: ReturnType<typeof networkOfRequest>) => (typeof r === 'string' ? r : r.stmt.name.text);
  assert.equal(name(networkOfRequest(a, 'other', undefined)), 'other');
  assert.equal(name(networkOfRequest(a, undefined, 3)), 'n');
  assert.equal(name(networkOfRequest(a, undefined, 13)), 'n');
  assert.equal(name(networkOfRequest(a, undefined, 14)), 'n');
  assert.equal(name(networkOfRequest(a, undefined, 17)), 'other');
  assert.match(name(networkOfRequest(a, undefined, 9)), /which network\? The file defines `n`, `other`/);
  assert.match(name(networkOfRequest(a, 'nope', undefined)), /no network named `nope`/);
});

test('withParameters takes a run\'s parameters only when they fit the network', () => {
  const { net } = viewOf(SMALL);
  const layers = net.layers.map((l) => ({ W: l.W.map((w) => w * 2), b: l.b }));
  assert.equal(withParameters(net, layers)!.layers[1].W[0], 2 * net.layers[1].W[0]);
  assert.equal(withParameters(net, layers.slice(1)), undefined);
  assert.equal(withParameters(net, [layers[0], { W: new Float64Array(2), b: new Float64Array(1) }]), undefined);
});

test('a watched epoch\'s mean |dE/dw| equals a replay of that epoch: single-sample backpropagation, batch means, SGD steps', () => {
  const a = analyze('network s {\n  input p[2]\n  dense h[5] tanh\n  dense y[1] sigmoid\n  loss binary_cross_entropy\n  init xavier seed 4\n}\n');
  const net = a.program.networks.get('s')!.network!;
  const data: Sample[] = generate('spiral', { n: 60, noise: 0.1, seed: 1 }, 1);
  const lr = 0.3;
  const trainer = new Trainer(cloneNetwork(net), data, { learningRate: lr, epochs: 3, batch: 7, seed: 5 });
  trainer.runEpoch(); // an unwatched epoch first: the watch covers exactly the next one
  const replay = trainer.network();
  const batches = trainer.epochBatches(1);
  trainer.watchGradients();
  trainer.runEpoch();
  const means = trainer.takeGradientMeans()!;
  assert.equal(trainer.takeGradientMeans(), undefined, 'the watch ends with its epoch');
  const sums = replay.layers.map((l) => new Float64Array(l.W.length));
  for (const batch of batches) {
    const grads = replay.layers.map((l) => ({ W: new Float64Array(l.W.length), b: new Float64Array(l.units) }));
    for (const i of batch) {
      const r = probe(replay, data[i].input, data[i].target);
      r.layers.forEach((g, l) => {
        g.dW.forEach((row, j) => row.forEach((v, k) => (grads[l].W[j * replay.layers[l].units + k] += v / batch.length)));
        g.delta.forEach((d, k) => (grads[l].b[k] += d / batch.length));
      });
    }
    replay.layers.forEach((l, li) => {
      grads[li].W.forEach((g, i) => {
        sums[li][i] += Math.abs(g);
        l.W[i] -= lr * g;
      });
      grads[li].b.forEach((g, k) => (l.b[k] -= lr * g));
    });
  }
  means.forEach((m, l) => m.forEach((v, i) => {
    const want = sums[l][i] / batches.length;
    assert.ok(Math.abs(v - want) <= 1e-12 * Math.max(1, want), `layer ${l} weight ${i}: ${v} vs replay ${want}`);
  }));
});

test('derived input features: the first column is the features, with their values at the probe and their heatmaps over the plane', () => {
  const text = `network f {
  input x[2] features [x1, x2, x1 * x2]
  dense y[1] sigmoid
  weights y = [[0.5], [-1], [2]]
}
data pts {
  [0, 1] -> [1]
  [2, -1] -> [0]
}
train f on pts { epochs 1 }
probe f [0.3, -0.7] -> [1]
`;
  const { view } = viewOf(text);
  const first = view.columns[0];
  assert.equal(first.units, 3);
  assert.deepEqual(first.drawn.map((u) => u.value), [0.3, -0.7, 0.3 * -0.7]);
  assert.equal(view.edges.length, 3);
  const hm = view.heatmap!;
  const R = hm.resolution;
  const [r, c] = [4, 11];
  const x = hm.xRange[0] + ((c + 0.5) * (hm.xRange[1] - hm.xRange[0])) / R;
  const y = hm.yRange[1] - ((r + 0.5) * (hm.yRange[1] - hm.yRange[0])) / R;
  const want = [x, y, x * y];
  first.drawn.forEach((u, j) => assert.ok(Math.abs(u.heatmap![r * R + c] - want[j]) <= 5e-3 * Math.max(1e-3, Math.abs(want[j])), `feature ${j}: ${u.heatmap![r * R + c]} vs ${want[j]}`));
});

test('the file\'s weights say where they come from: the init clause when some layer uses it', () => {
  const a = analyze(SMALL);
  assert.deepEqual(initOf(a, a.program.networks.get('n')!), {}, 'every layer has its own weights');
  const b = analyze(SMALL.replace(/ {2}weights y = .*\n/, '').replace('  bias h', '  init   he   seed 4\n  bias h'));
  assert.deepEqual(initOf(b, b.program.networks.get('n')!), { init: 'he seed 4' });
  const c = analyze(SMALL.replace(/ {2}weights y = .*\n/, ''));
  assert.deepEqual(initOf(c, c.program.networks.get('n')!), { init: 'xavier seed 0' }, 'the default');
});
