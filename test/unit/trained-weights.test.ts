/**
 * Trained parameters in the analysis: a network's fingerprint names its definition (so trained
 * weights are never applied to a different network, even of the same shape), the `weights`
 * lines *Insert trained weights* writes read back as the rounded numbers, and a saturation the
 * trained weights caused says the run produced it.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { analyze, type TrainedParameters } from '../../server/src/analysis/analyze';
import { fingerprint } from '../../server/src/analysis/fingerprint';
import { parameterLines, roundedLiteral } from '../../server/src/analysis/weights-text';
import { drawNetwork, drawParameters, networkSource } from '../support/networks';
import { SeededRandom } from '../support/random';

const base = [
  'let slope = 0.1',
  'fn act(z) = z * tanh(z) + slope * z',
  'network n {',
  '  input x[2]',
  '  dense h[3] tanh',
  '  dense k[2] leaky_relu(0.1)',
  '  dense y[1] act',
  '  loss squared_error',
  '  init xavier seed 7',
  '  bias h = [0, 0, 0]',
  '}',
  'probe n [1, 2] -> [0.5]',
  'eval 1 + 2',
].join('\n') + '\n';

const definitionOf = (text: string) => {
  const net = analyze(text).program.networks.get('n')?.network;
  assert.ok(net, `n builds in:\n${text}`);
  return fingerprint(net);
};

test('a network\'s fingerprint changes with its definition, and only with it', () => {
  const original = definitionOf(base);
  const same = {
    'a comment': base.replace('  dense h[3] tanh', '  dense h[3] tanh   # hidden'),
    'spacing': base.replace('dense k[2] leaky_relu(0.1)', 'dense   k[2]   leaky_relu( 0.1 )'),
    'another statement': base.replace('eval 1 + 2', 'eval 3 * 4\nlet other = 5'),
    'the probe': base.replace('probe n [1, 2] -> [0.5]', 'probe n [3, 4] -> [1]'),
    'a bias written as its default': base.replace('  bias h = [0, 0, 0]\n', ''),
  };
  for (const [what, text] of Object.entries(same)) assert.equal(definitionOf(text), original, `${what} is not the definition`);
  // Every one of these keeps every shape, so only the fingerprint tells the networks apart.
  const changed = {
    'an activation': base.replace('dense h[3] tanh', 'dense h[3] sigmoid'),
    'an activation\'s parameter': base.replace('leaky_relu(0.1)', 'leaky_relu(0.2)'),
    'the body of a fn used as activation': base.replace('z * tanh(z)', 'z * sigmoid(z)'),
    'a let that fn reads': base.replace('let slope = 0.1', 'let slope = 0.2'),
    'the init seed': base.replace('seed 7', 'seed 8'),
    'the init scheme': base.replace('init xavier', 'init he'),
    'an explicit bias': base.replace('bias h = [0, 0, 0]', 'bias h = [0, 0.5, 0]'),
    'explicit weights': base.replace('  bias h', '  weights y = [[1], [2]]\n  bias h'),
    'the loss': base.replace('loss squared_error', 'loss mse'),
    'nobias': base.replace('dense y[1] act', 'dense y[1] act nobias'),
  };
  const seen = new Set([original]);
  for (const [what, text] of Object.entries(changed)) {
    const f = definitionOf(text);
    assert.ok(!seen.has(f), `${what} should change the fingerprint`);
    seen.add(f);
  }
});

/** Parameters for `n` of the base text's shapes: 2→3→2→1. */
function parametersFor(text: string, scale: number): TrainedParameters {
  const net = analyze(text).program.networks.get('n')!.network!;
  return {
    definition: fingerprint(net),
    layers: net.layers.map((l) => ({ W: Array.from(l.W, (_, i) => scale * ((i % 3) - 1)), b: Array.from(l.b, (_, i) => scale * i) })),
  };
}

test('trained parameters apply to the definition they were trained from, and are stale for any other', () => {
  const trained = new Map([['n', parametersFor(base, 0.25)]]);
  const applied = analyze(base, { trained });
  assert.deepEqual(applied.staleTrained, []);
  assert.deepEqual(Array.from(applied.program.networks.get('n')!.network!.layers[0].W), Array.from(trained.get('n')!.layers[0].W));
  assert.notEqual(applied.probes[0].result!.loss, analyze(base).probes[0].result!.loss);

  // Same shapes, another activation: never applied; the caller is told to drop them.
  const edited = base.replace('dense h[3] tanh', 'dense h[3] sigmoid');
  const stale = analyze(edited, { trained });
  assert.deepEqual(stale.staleTrained, ['n']);
  assert.equal(stale.probes[0].result!.loss, analyze(edited).probes[0].result!.loss);

  // A network in error (mid-edit) has no definition to compare: they wait, unapplied, not stale.
  const broken = base.replace('dense h[3] tanh', 'dense h[3] tahn');
  assert.deepEqual(analyze(broken, { trained }).staleTrained, []);
});

test('a saturation the trained weights caused says the run produced it; one the file had does not', () => {
  const text = base.replace('probe n [1, 2] -> [0.5]', 'probe n [1, 1] -> [0.5]');
  const saturating = new Map([['n', parametersFor(text, 40)]]);
  const after = analyze(text, { trained: saturating }).diagnostics.filter((d) => d.code === 'saturated');
  assert.equal(after.length, 1, after.map((d) => d.message).join('\n'));
  assert.match(after[0].message, /^After training, \d of 3 units of `h` (is|are) saturated at the probe on line 12/);
  assert.match(after[0].message, /the run produced it/);
  // The learning rate comes first, the inputs' scale after it.
  assert.ok(after[0].message.indexOf('learning_rate') < after[0].message.indexOf('standardize'), after[0].message);

  // Saturated by the file's own weights: the usual advice, with or without a run's parameters.
  const own = text.replace('  bias h = [0, 0, 0]', '  weights h = [[40, 0, -40], [40, 0, -40]]');
  const ownNet = analyze(own).program.networks.get('n')!.network!;
  // A run that left `h` as it was (and changed the layers after it): the saturation is the file's.
  const mild = new Map([['n', { definition: fingerprint(ownNet), layers: ownNet.layers.map((l, i) => ({ W: Array.from(l.W, (w) => (i === 0 ? w : w / 2)), b: Array.from(l.b) })) }]]);
  for (const options of [{}, { trained: mild }]) {
    const d = analyze(own, options).diagnostics.filter((x) => x.code === 'saturated');
    assert.equal(d.length, 1);
    assert.doesNotMatch(d[0].message, /After training/);
    assert.match(d[0].message, /scale the inputs or the initial weights down/);
  }
});

test('Insert trained weights\' lines: one row per line, aligned, short, and they read back as the rounded numbers', () => {
  const rng = new SeededRandom(20261201);
  for (let round = 0; round < 40; round++) {
    const shape = drawNetwork(rng, {
      name: 'n', loss: 'squared_error', inputs: [1, 12], depth: [1, 3], units: [1, 24],
      layer: () => ({ activation: rng.pick(['tanh', 'relu', 'linear']) }), nobias: { hidden: 0.2, output: 0.2 },
    });
    // Magnitudes from 1e-9 to 1e7, either sign, so that plain and exponent forms mix in a column.
    const scale = 10 ** rng.int(-9, 7);
    const net = drawParameters(rng, shape, { W: scale, b: scale });
    const digits = rng.int(1, 17);
    let fanIn = net.inputs;
    const written = net.layers.flatMap((L) => {
      const lines = parameterLines({ name: L.name, inputs: fanIn, units: L.units, hasBias: L.bias, W: L.W.flat(), b: L.b }, digits);
      assert.ok(lines, 'finite parameters are written');
      fanIn = L.units;
      return lines;
    });
    for (const l of written) assert.ok(l.length <= 100, `a line of ${l.length} characters:\n${l}`);
    // Aligned: within a matrix, the n-th number of every row's m-th line has its decimal point
    // (or where it would be) in the same column of text.
    for (const rows of matricesOf(written)) {
      const points = rows.map((lines) => lines.map(pointColumns));
      for (const [r, lines] of points.entries()) assert.deepEqual(lines, points[0], `row ${r} is aligned with row 0:\n${rows.flat().join('\n')}`);
    }
    const text = [...networkSource(shape).slice(0, -1), ...written, '}'].join('\n') + '\n';
    const a = analyze(text);
    assert.deepEqual(a.diagnostics.filter((d) => d.severity === 'error').map((d) => d.message), [], text);
    const built = a.program.networks.get('n')!.network!;
    built.layers.forEach((l, i) => {
      const L = net.layers[i];
      assert.deepEqual(Array.from(l.W), L.W.flat().map((x) => Number(x.toPrecision(digits))), `W of ${l.name}, ${digits} digits`);
      if (L.bias) assert.deepEqual(Array.from(l.b), L.b.map((x) => Number(x.toPrecision(digits))), `b of ${l.name}`);
    });
  }
});

test('a row of numbers is written with its rows on their own lines and decimal points aligned', () => {
  const lines = parameterLines({ name: 'h', inputs: 2, units: 3, hasBias: true, W: [0.123456789, -12.5, 3, -0.5, 1.25, 1e-9], b: [0, -1, 0.25] }, 6)!;
  assert.deepEqual(lines, [
    '  weights h = [[ 0.123457, -12.5,  3],',
    '               [-0.5,        1.25, 1e-9]]',
    '  bias h = [0, -1, 0.25]',
  ]);
  assert.equal(roundedLiteral(Number.NaN, 6), undefined);
  assert.equal(parameterLines({ name: 'h', inputs: 1, units: 1, hasBias: false, W: [Infinity], b: [0] }, 6), undefined);
});

/** The `weights` matrices among written lines, each as its rows, each row as its lines. */
function matricesOf(lines: string[]): string[][][] {
  const out: string[][][] = [];
  let inMatrix = false;
  for (const line of lines) {
    if (/^ {2}bias /.test(line)) inMatrix = false;
    if (/^ {2}weights /.test(line)) {
      out.push([]);
      inMatrix = true;
    }
    if (!inMatrix) continue;
    const m = out.at(-1)!;
    if (line.includes('[')) m.push([line]);
    else m.at(-1)!.push(line);
  }
  return out;
}

/** Where each number on a line has its decimal point (or where it would be). */
function pointColumns(line: string): number[] {
  return [...line.matchAll(/-?\d+(?:\.\d+)?(?:e[+-]?\d+)?/g)].filter((m) => !/[\w]/.test(line[m.index - 1] ?? ' ')).map((m) => {
    const dot = m[0].search(/[.e]/);
    return m.index + (dot >= 0 ? dot : m[0].length);
  });
}
