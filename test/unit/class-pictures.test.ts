/** A K-class softmax's decision boundary: the worker's K probability planes and the panel's K colours. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { analyze } from '../../server/src/analysis/analyze';
import { predict } from '../../server/src/engine/network';
import { GRID_RESOLUTION, picture, pictureFrame, pictureKind, picturePoints } from '../../server/src/server/pictures';
import { CLASS_PALETTE, classColor, classHeat, type RGB } from '../../client/src/classColors';

const spec = `network n {
  input x[2]
  dense h[5] tanh
  dense y[3] softmax
  loss cross_entropy
  init xavier seed 4
}
data d {
  [0, 0] -> [1, 0, 0]
  [1, 0] -> [0, 1, 0]
  [0, 1] -> [0, 0, 1]
  [2, 2] -> [0, 1, 0]
}
`;

test('a 3-class softmax is drawn as a boundary: its points carry their class, its grid one plane per class', () => {
  const a = analyze(spec);
  const net = a.program.networks.get('n')!.network!;
  const samples = a.program.data.get('d')!.samples!;
  assert.equal(pictureKind(net, true), 'boundary');
  const points = picturePoints('boundary', samples, [3]);
  assert.deepEqual(points.map((p) => [p.c, p.test]), [[0, false], [1, false], [2, false], [1, true]]);
  const b = picture(net, pictureFrame('boundary', points)).boundary!;
  assert.equal(b.classes, 3);
  const R = GRID_RESOLUTION;
  assert.equal(b.values.length, 3 * R * R);
  // Cell (r, c) at the documented coordinates: plane k is class k's probability there.
  for (const [r, c] of [[0, 0], [7, 31], [R - 1, R - 1]]) {
    const x = b.xRange[0] + ((c + 0.5) * (b.xRange[1] - b.xRange[0])) / R;
    const y = b.yRange[1] - ((r + 0.5) * (b.yRange[1] - b.yRange[0])) / R;
    const p = predict(net, [x, y]);
    for (let k = 0; k < 3; k++) assert.equal(b.values[k * R * R + r * R + c], p[k]);
  }
  // Two classes keep one plane (class 1's probability), and no `classes`.
  const two = analyze(spec.replace('y[3]', 'y[2]').replace(/\[1, 0, 0\]/g, '[1, 0]').replace(/\[0, 1, 0\]/g, '[0, 1]').replace(/\[0, 0, 1\]/g, '[0, 1]'));
  const net2 = two.program.networks.get('n')!.network!;
  const b2 = picture(net2, pictureFrame('boundary', picturePoints('boundary', two.program.data.get('d')!.samples!, []))).boundary!;
  assert.equal(b2.classes, undefined);
  assert.equal(b2.values.length, R * R);
  // More than two sigmoid outputs are labels: a heatmap.
  const labels = analyze(spec.replace('softmax', 'sigmoid').replace('cross_entropy', 'binary_cross_entropy')).program.networks.get('n')!.network!;
  assert.equal(pictureKind(labels, true), 'heatmap');
});

test('K colours: the winning class over the background, stronger as the network is surer', () => {
  const bg: RGB = [255, 255, 255];
  // Classes 0 and 1 are the two-class picture's orange and blue; all ten differ.
  assert.deepEqual(CLASS_PALETTE.slice(0, 2), [[245, 147, 34], [8, 119, 189]]);
  assert.equal(new Set(CLASS_PALETTE.map((c) => c.join())).size, CLASS_PALETTE.length);
  assert.deepEqual(classColor(CLASS_PALETTE.length + 2), CLASS_PALETTE[2]);
  // Tied classes: the background; certain: 60% of the class's colour.
  assert.deepEqual(classHeat([1 / 3, 1 / 3, 1 / 3], bg), bg);
  const sure = classHeat([0, 0, 1], bg);
  assert.deepEqual(sure, [0, 1, 2].map((i) => Math.round(255 + (CLASS_PALETTE[2][i] - 255) * 0.6)));
  // Between: the winner's hue, closer to the background.
  const half = classHeat([0.2, 0.6, 0.2], bg);
  const dist = (c: RGB) => Math.hypot(c[0] - 255, c[1] - 255, c[2] - 255);
  assert.ok(dist(half) > 0 && dist(half) < dist(classHeat([0, 1, 0], bg)));
  assert.ok(half[2] > half[0], 'class 1 is blue');
  assert.deepEqual(classHeat([NaN, 0.5, 0.5], bg), bg);
});
