/** The data generators (function(EXPR, …) among them) and the CSV reader of engine/datasets.ts, and their checks. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CSV_MAX_CHARS, FUNCTION_DEFAULTS, functionGridSize, functionInputs, generate, generateFunction, GENERATOR_DEFAULTS, GENERATOR_NAMES, parseCsv, type FunctionParams } from '../../server/src/engine/datasets';
import { completionsAt } from '../../server/src/analysis/completion';
import { signatureHelpAt } from '../../server/src/analysis/signature';
import { Random } from '../../server/src/engine/random';
import { analyzeText } from '../../server/src/semantics/checker';
import { functionSamples } from '../../server/src/semantics/data-sets';
import type { DataStmt } from '../../server/src/syntax/ast';
import { parse } from '../../server/src/syntax/parser';

test('generators: deterministic for a seed, different for another seed', () => {
  for (const g of GENERATOR_NAMES) {
    const a = generate(g, { n: 50, noise: 0.2, seed: 7 });
    const b = generate(g, { n: 50, noise: 0.2, seed: 7 });
    assert.deepEqual(a, b, g);
    const c = generate(g, { n: 50, noise: 0.2, seed: 8 });
    assert.notDeepEqual(a.map((s) => s.input), c.map((s) => s.input), `${g}: seeds 7 and 8 give the same points`);
  }
});

test('generators: the documented defaults', () => {
  assert.deepEqual(GENERATOR_DEFAULTS, { n: 200, noise: 0, seed: 0 });
  assert.deepEqual(generate('moons'), generate('moons', { n: 200, noise: 0, seed: 0 }));
  assert.equal(generate('xor').length, 200);
});

test('the checker hands a valid generator statement over with its defaults filled in', () => {
  const { program } = analyzeText('data a = spiral(n: 10, seed: 3)\ndata b = moons()\ndata c = xor(n: 0)\ndata d = circle(n: 5, nosie: 1)\n');
  assert.deepEqual(program.data.get('a')!.generator, { name: 'spiral', n: 10, noise: 0, seed: 3 });
  assert.deepEqual(program.data.get('b')!.generator, { name: 'moons', ...GENERATOR_DEFAULTS });
  assert.equal(program.data.get('c')!.generator, undefined);
  assert.equal(program.data.get('d')!.generator, undefined);
});

test('generators: two inputs, balanced alternating classes (class 1 first, so it has ⌈n/2⌉), targets 0/1 or one-hot', () => {
  for (const g of GENERATOR_NAMES) {
    for (const n of [1, 2, 7, 200]) {
      const d = generate(g, { n, noise: 0.1, seed: 3 });
      assert.equal(d.length, n);
      d.forEach((s, i) => {
        assert.equal(s.input.length, 2);
        assert.ok(s.input.every(Number.isFinite));
        assert.deepEqual(s.target, [i % 2 === 0 ? 1 : 0], `${g} sample ${i}`);
      });
      assert.equal(d.filter((s) => s.target[0] === 1).length, Math.ceil(n / 2));
      const two = generate(g, { n, noise: 0.1, seed: 3 }, 2);
      two.forEach((s, i) => {
        assert.deepEqual(s.input, d[i].input, 'the same points whatever the target width');
        assert.deepEqual(s.target, [1 - d[i].target[0], d[i].target[0]]);
      });
    }
  }
  assert.throws(() => generate('xor', {}, 3), RangeError);
  assert.throws(() => generate('xor', { n: 0 }), RangeError);
  assert.throws(() => generate('xor', { noise: -1 }), RangeError);
});

test('generators: the documented shapes and ranges', () => {
  const n = 2000;
  const at = (g: (typeof GENERATOR_NAMES)[number], noise = 0) => generate(g, { n, noise, seed: 11 });
  const inRange = (d: ReturnType<typeof generate>, lim: number) => d.every((s) => Math.abs(s.input[0]) <= lim && Math.abs(s.input[1]) <= lim);
  // Roughly [-6, 6] at the Playground's noise levels.
  for (const g of GENERATOR_NAMES) assert.ok(inRange(at(g, 0.1), g === 'gauss' ? 8 : 6.2), g);

  // xor: class 1 where x·y > 0, |x|, |y| in [0.3, 5.3); all four quadrants used.
  for (const s of at('xor')) {
    const [x, y] = s.input;
    assert.equal(x * y > 0 ? 1 : 0, s.target[0]);
    assert.ok(Math.abs(x) >= 0.3 && Math.abs(x) < 5.3 && Math.abs(y) >= 0.3 && Math.abs(y) < 5.3);
  }
  const quadrants = new Set(at('xor').map((s) => `${Math.sign(s.input[0])}${Math.sign(s.input[1])}`));
  assert.equal(quadrants.size, 4);

  // circle: class 1 inside radius 2.5, class 0 in the ring from 3.5 to 5.
  for (const s of at('circle')) {
    const r = Math.hypot(s.input[0], s.input[1]);
    if (s.target[0] === 1) assert.ok(r <= 2.5 + 1e-12, `inner r = ${r}`);
    else assert.ok(r >= 3.5 - 1e-12 && r <= 5 + 1e-12, `outer r = ${r}`);
  }

  // spiral: radius 5·m/n_c along each arm; the arms are point reflections of each other.
  const sp = at('spiral');
  sp.forEach((s, i) => {
    const m = Math.floor(i / 2);
    assert.ok(Math.abs(Math.hypot(s.input[0], s.input[1]) - (5 * m) / (n / 2)) < 1e-12);
  });
  for (let i = 0; i + 1 < n; i += 2) {
    assert.ok(Math.abs(sp[i].input[0] + sp[i + 1].input[0]) < 1e-12 && Math.abs(sp[i].input[1] + sp[i + 1].input[1]) < 1e-12);
  }

  // gauss: blobs at (2, 2) and (-2, -2), standard deviation sqrt(0.5 + 7 noise).
  for (const noise of [0, 0.2]) {
    const d = at('gauss', noise);
    for (const c of [0, 1]) {
      const xs = d.filter((s) => s.target[0] === c).flatMap((s) => s.input);
      const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
      const sd = Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / xs.length);
      const sigma = Math.sqrt(0.5 + 7 * noise);
      assert.ok(Math.abs(mean - (c ? 2 : -2)) < 4 * sigma / Math.sqrt(xs.length), `gauss class ${c} mean ${mean}`);
      assert.ok(Math.abs(sd / sigma - 1) < 0.06, `gauss class ${c} sd ${sd}, expected ${sigma}`);
    }
  }

  // moons: on circles of radius 3 centred at (-1.5, -0.75) (class 0, upper) and (1.5, 0.75) (class 1, lower).
  for (const s of at('moons')) {
    const [x, y] = s.input;
    const [cx, cy] = s.target[0] === 0 ? [-1.5, -0.75] : [1.5, 0.75];
    assert.ok(Math.abs(Math.hypot(x - cx, y - cy) - 3) < 1e-12);
    assert.ok(s.target[0] === 0 ? y >= cy - 1e-12 : y <= cy + 1e-12);
    assert.ok(Math.abs(x) <= 4.5 + 1e-12 && Math.abs(y) <= 2.25 + 1e-12);
  }

  // Noise moves the same points (the same draws), never the labels.
  for (const g of ['xor', 'circle', 'spiral', 'moons'] as const) {
    const a = at(g, 0);
    const b = at(g, 0.3);
    let moved = 0;
    a.forEach((s, i) => {
      assert.deepEqual(s.target, b[i].target);
      const d = Math.hypot(s.input[0] - b[i].input[0], s.input[1] - b[i].input[1]);
      const S = g === 'spiral' ? 1 : g === 'moons' ? 3 : 5;
      assert.ok(d <= 0.3 * S * Math.SQRT2 + 1e-12, `${g}: moved ${d}`);
      if (d > 0) moved++;
    });
    assert.ok(moved > n * 0.99, g);
  }
});

test('parseCsv: numbers, an optional header, blank lines, spaces, quotes, CRLF, the last columns as targets', () => {
  const r = parseCsv('x1, x2, "label"\r\n\r\n1, 2.5, 0\n  -3e-1 ,.5,1\n\n"4",+5,0\n', 1);
  assert.ok('samples' in r, JSON.stringify(r));
  assert.deepEqual(r.samples, [
    { input: [1, 2.5], target: [0] },
    { input: [-0.3, 0.5], target: [1] },
    { input: [4, 5], target: [0] },
  ]);
  const two = parseCsv('1,2,3,4\n5,6,7,8', 2);
  assert.ok('samples' in two);
  assert.deepEqual(two.samples[1], { input: [5, 6], target: [7, 8] });
  const bom = parseCsv('\ufeffa,b\n1,2\n', 1);
  assert.ok('samples' in bom);
  assert.deepEqual(bom.samples, [{ input: [1], target: [2] }]);
});

test('parseCsv: errors with their line and column (both 1-based)', () => {
  const err = (text: string, targets = 1) => {
    const r = parseCsv(text, targets);
    assert.ok('error' in r, `expected an error for ${JSON.stringify(text)}`);
    return r.error;
  };
  assert.deepEqual(err('1,2,3\n4,x5,6\n'), { line: 2, column: 3, message: 'expected a number, found `x5`' });
  assert.deepEqual(err('1,2,3\n4,,6\n'), { line: 2, column: 3, message: 'expected a number, found an empty field' });
  assert.deepEqual(err('x,y,t\n1,2,3\n\n4,5\n'), { line: 4, column: 4, message: 'the row has 2 columns, but the header (line 1) has 3' });
  assert.deepEqual(err('1,2,3\n4,5,6,7\n'), { line: 2, column: 7, message: 'the row has 4 columns, but the first row has 3' });
  assert.equal(err('1,2,abc\n').column, 5, 'a first row mixing numbers and words is not a header');
  assert.match(err('1,2,1e999\n').message, /too large/);
  assert.match(err('1,2\n', 2).message, /at least one input/);
  assert.match(err('').message, /no rows/);
  assert.match(err('\n\n  \n').message, /no rows/);
  assert.match(err('a,b\n').message, /header but no rows/);
  assert.equal(err('1,2\r\n3,4\r\n5;6\r\n').line, 3);
  assert.equal(err('1,2\r3,4\r5,x\r').line, 3, 'a lone CR ends a line');
  assert.ok(CSV_MAX_CHARS >= 1 << 20);
});

// ---- function(EXPR, n:, from:, to:, noise:, seed:) ---------------------------------------------

const fparams = (p: Partial<FunctionParams> = {}): FunctionParams => ({ inputs: 1, ...FUNCTION_DEFAULTS, ...p });

test('function: n evenly spaced inputs from `from` to `to`, both ends exactly; the documented defaults', () => {
  assert.deepEqual(FUNCTION_DEFAULTS, { n: 100, from: -1, to: 1, noise: 0, seed: 0 });
  for (const [n, a, b] of [[7, -3, 3], [100, -Math.PI, 0.1], [2, 0, 1], [1, -2, 5]] as const) {
    const xs = functionInputs(fparams({ n, from: a, to: b })).map((s) => s[0]);
    assert.equal(xs.length, n);
    assert.equal(xs[0], a);
    if (n > 1) assert.equal(xs[n - 1], b);
    for (let i = 1; i < n; i++) assert.ok(Math.abs(xs[i] - xs[i - 1] - (b - a) / (n - 1)) < 1e-12 * (b - a), `${n} points: step ${i}`);
  }
});

test('function: two inputs make the m × m grid, m = ⌈√n⌉, row by row (sample a·m + b is (t_a, t_b))', () => {
  for (const [n, m] of [[1, 1], [4, 2], [5, 3], [9, 3], [10, 4], [100, 10], [101, 11]] as const) {
    assert.equal(functionGridSize(2, n), m, `n ${n}`);
    const inputs = functionInputs(fparams({ inputs: 2, n, from: -2, to: 4 }));
    assert.equal(inputs.length, m * m);
    const t = functionInputs(fparams({ n: m, from: -2, to: 4 })).map((s) => s[0]);
    for (let a = 0; a < m; a++) for (let b = 0; b < m; b++) assert.deepEqual(inputs[a * m + b], [t[a], t[b]]);
  }
});

test('function: target = f(x) + noise·g, g standard normals by Box–Muller from Random(seed, 0), one per sample in order', () => {
  const f = (x: readonly number[]) => Math.exp(-x[0] * x[0]);
  const p = fparams({ n: 40, from: -3, to: 3, noise: 0.25, seed: 9 });
  const d = generateFunction(f, p);
  const rng = new Random(9, 0);
  d.forEach((s, i) => {
    const u1 = rng.next();
    const u2 = rng.next();
    const g = Math.sqrt(-2 * Math.log(1 - u1)) * Math.cos(2 * Math.PI * u2);
    assert.equal(s.target[0], f(s.input) + 0.25 * g, `sample ${i}`);
  });
  assert.deepEqual(generateFunction(f, p), d, 'deterministic');
  assert.notDeepEqual(generateFunction(f, { ...p, seed: 10 }).map((s) => s.target), d.map((s) => s.target));
  // Without noise, the function itself; and the inputs never depend on the noise or the seed.
  const clean = generateFunction(f, { ...p, noise: 0 });
  clean.forEach((s, i) => {
    assert.equal(s.target[0], f(s.input));
    assert.deepEqual(s.input, d[i].input);
  });
  assert.throws(() => generateFunction(f, { ...p, from: 1, to: 1 }), RangeError);
  assert.throws(() => generateFunction(f, { ...p, n: 0 }), RangeError);
});

test('function: the checker lowers EXPR with x (or x1, x2) free, fills in the defaults, and reads lets and fns', () => {
  const { program } = analyzeText([
    'let k = 2',
    'fn bump(u) = exp(-u * u)',
    'data a = function(k * bump(x), n: 7, from: -1, to: 2, seed: 4)',
    'data b = function(x1 * x2)',
    'data c = function(3)',
  ].join('\n') + '\n');
  assert.deepEqual(program.diagnostics.filter((d) => d.severity === 'error'), []);
  const a = program.data.get('a')!;
  assert.deepEqual(a.function!.params, { inputs: 1, n: 7, from: -1, to: 2, noise: 0, seed: 4 });
  assert.deepEqual([a.inputWidth, a.targetWidth], [1, 1]);
  const samples = functionSamples(a.function!, program.env);
  assert.deepEqual(samples.map((s) => s.target[0]), samples.map((s) => 2 * Math.exp(-s.input[0] * s.input[0])));
  const b = program.data.get('b')!;
  assert.deepEqual([b.function!.params.inputs, b.inputWidth, b.function!.variables], [2, 2, ['x1', 'x2']]);
  assert.deepEqual(functionSamples(b.function!, program.env).map((s) => s.target[0]), functionInputs(b.function!.params).map(([u, v]) => u * v));
  assert.equal(program.data.get('c')!.inputWidth, 1, 'a constant is a function of x');
});

test('function: mistakes are diagnostics with their ranges (unknown names, x with x1, ranges, arguments, a vector)', () => {
  const cases: [string, string, string, RegExp][] = [
    ['data d = function(scal * x)\nlet scale = 2', 'unknown-name', 'scal', /Did you mean `scale`/],
    ['data d = function(x * x1)', 'function-inputs', 'x * x1', /`x` and `x1`\/`x2`/],
    ['data d = function(x, from: 3, to: -3)', 'out-of-range', '-3', /from.*\(3\) must be below .*to.* \(-3\)/],
    ['data d = function(x, n: 0)', 'out-of-range', '0', /`n` \(the number of samples\) must be a whole number from 1 to 1,000,000, not 0/],
    ['data d = function(x, noise: -0.1)', 'out-of-range', '-0.1', /0 or more/],
    ['data d = function(x, seed: 1.5)', 'out-of-range', '1.5', /seed must be a whole number/],
    ['data d = function(x, nosie: 1)', 'unknown-argument', 'nosie', /Did you mean `noise`/],
    ['data d = function(x, n: 3, n: 4)', 'duplicate-setting', 'n', /given twice/],
    ['data d = function([x, x])', 'type', '[x, x]', /needs a number/],
    ['data d = function', 'syntax', 'function', /takes an expression of x first/],
  ];
  for (const [text, code, at, message] of cases) {
    const { program } = analyzeText(text + '\n');
    const d = program.diagnostics.find((x) => x.code === code);
    assert.ok(d, `${text}: no ${code} in ${JSON.stringify(program.diagnostics)}`);
    assert.equal(text.slice(d.span.start, d.span.end), at, `${text}: range`);
    assert.match(d.message, message, text);
    assert.equal(program.data.get('d')?.function, undefined, `${text}: no function data`);
  }
});

test('function and standardize: parsed with error recovery, every form of data definition takes `standardize`', () => {
  const text = [
    'data a = function(x, n: 5) standardize',
    'data b { [1] -> [2]  [3] -> [4] } standardize',
    'data c from "c.csv" (targets: 1) standardize',
    'data e = moons(n: 10)',
    '  standardize',
    'data f = spiral() standardise',
    'data g = function(x,',
    'let ok = 1',
  ].join('\n');
  const parsed = parse(text);
  const data = parsed.file.statements.filter((s): s is DataStmt => s.kind === 'data');
  assert.deepEqual(data.map((d) => [d.name.text, !!d.standardize]), [['a', true], ['b', true], ['c', true], ['e', true], ['f', false], ['g', false]].slice(0, data.length));
  assert.equal(parsed.file.statements.at(-1)?.kind, 'let', 'parsing resumes after an unfinished function(…)');
  const typo = parsed.errors.find((e) => text.slice(e.start, e.end) === 'standardise');
  assert.ok(typo, 'a misspelt standardize is reported where it stands');
  assert.match(typo.message, /`standardize`/);
  assert.equal(data.find((d) => d.name.text === 'f')?.end, text.indexOf(' standardise'), 'the data set survives the typo');
});

test('function: signature help names EXPR first, then the arguments by name; inside EXPR, the call there', () => {
  const text = 'data d = function(tanh(x), from: -3, n: 20)\n';
  const { program } = analyzeText(text);
  const at = (needle: string) => signatureHelpAt(program, text.indexOf(needle))!;
  assert.equal(at('tanh').signatures[0].label, 'function(EXPR, n, from, to, noise, seed)');
  assert.equal(at('tanh').activeParameter, 0);
  assert.equal(at('-3').activeParameter, 2, 'from');
  assert.equal(at('20').activeParameter, 1, 'n, whatever its place');
  assert.match(at('x)').signatures[0].label, /^tanh\(/);
});

test('completion after `data d =` offers function beside the generators', () => {
  const text = 'data d = ';
  const labels = completionsAt(analyzeText(text).program, text.length).map((c) => c.label);
  assert.deepEqual(labels, [...GENERATOR_NAMES, 'function']);
});

test('function: an expression that reads a let in error is spoiled by it, reported once at the let (a fuzz case)', () => {
  const text = 'data x = function(z + x, n: 0, from: 0, to: 0, noise: 0.1, seed: 1)\nlet z = [sigmoid(0, 0)]\ndata x from "points.csv" (targets: 1)\n';
  const { program } = analyzeText(text);
  assert.deepEqual(program.diagnostics.map((d) => d.code), ['out-of-range', 'out-of-range', 'arity', 'duplicate-name']);
  assert.equal(program.data.get('x')!.function, undefined);
});
