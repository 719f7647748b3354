import { Random } from './random';

/**
 * Data for `data NAME = GENERATOR(n: …, noise: …, seed: …)`, `data NAME = function(EXPR, …)`
 * (below, `generateFunction`) and `data NAME from "file.csv"`.
 *
 * Generators, in the spirit of the TensorFlow Playground: two inputs (x, y) in roughly [-6, 6],
 * two classes, deterministic for a seed on every machine (all randomness comes from
 * `new Random(seed, 0)` of random.ts, drawn in the order each generator documents).
 *
 * Common rules:
 * - Sample i (0-based) belongs to class c_i = 1 when i is even and 0 when i is odd: the classes
 *   alternate, class 1 has ⌈n/2⌉ samples and class 0 ⌊n/2⌋ (for odd n class 1 has one more).
 *   m_i = ⌊i/2⌋ is the sample's index within its class, n_c the size of its class.
 * - u(a, b) is `rng.uniform(a, b)`: a + (b − a)·rng.next(), a double in [a, b).
 * - Noise moves points, never labels: each coordinate gets noise·S·u(−1, 1) added (S per
 *   generator below), so noise makes the classes overlap while the classes stay balanced. These
 *   draws are made even when noise is 0, so for one seed a larger noise moves the same points
 *   further. (gauss is the exception: there the noise widens the blobs.)
 * - Targets: width 1 gives [c]; width 2 gives the one-hot [1 − c, c] (unit k is class k), for a
 *   softmax output with cross_entropy.
 *
 * The generators, per sample, with its draws in order:
 * - `xor`: a = 0.3 + u(0, 5), b = 0.3 + u(0, 5), q = rng.next() < 0.5; signs (sx, sy) are
 *   (+, +) if q else (−, −) for class 1, and (+, −) if q else (−, +) for class 0 (class 1 is
 *   where x·y > 0); x = sx·a + noise·5·u(−1, 1), y = sy·b + noise·5·u(−1, 1). S = 5.
 * - `circle`: class 1 is the inner disc, r = u(0, 2.5); class 0 the outer ring, r = u(3.5, 5);
 *   then θ = u(0, 2π); x = r sin θ + noise·5·u(−1, 1), y = r cos θ + noise·5·u(−1, 1). S = 5.
 * - `spiral`: two interleaved spirals, one per class, points evenly along them: f = m_i / n_c,
 *   r = 5f, θ = 3.5π f (+ π for class 0); x = r sin θ + noise·u(−1, 1), y = r cos θ +
 *   noise·u(−1, 1). S = 1 (as the Playground: the arms are about 1.4 apart).
 * - `gauss`: two Gaussian blobs, class 1 centred at (2, 2), class 0 at (−2, −2), each coordinate
 *   with standard deviation σ = √(0.5 + 7·noise) (the Playground's variance 0.5 at noise 0, 4 at
 *   noise 0.5): x = ±2 + σ·g₁, y = ±2 + σ·g₂, g a standard normal by Box–Muller from two draws,
 *   g = √(−2 ln(1 − rng.next())) · cos(2π·rng.next()).
 * - `moons`: two interleaving half circles (scikit-learn's make_moons, scaled by 3 and centred):
 *   θ = u(0, π); class 0 (the upper moon) at (cos θ, sin θ), class 1 (the lower one) at
 *   (1 − cos θ, 0.5 − sin θ); then x = 3(x₀ − 0.5) + noise·3·u(−1, 1), y = 3(y₀ − 0.25) +
 *   noise·3·u(−1, 1), so x is in [−4.5, 4.5] and y in [−2.25, 2.25] without noise. S = 3.
 */

export type GeneratorName = 'xor' | 'circle' | 'spiral' | 'gauss' | 'moons';
export const GENERATOR_NAMES: readonly GeneratorName[] = ['xor', 'circle', 'spiral', 'gauss', 'moons'];

export interface GeneratorParams {
  /** Number of samples, at least 1. */
  n: number;
  /** 0 or more; see each generator. */
  noise: number;
  /** A non-negative integer up to 2^53. */
  seed: number;
}

/** What a generator gives when an argument is left out. */
export const GENERATOR_DEFAULTS: Readonly<GeneratorParams> = { n: 200, noise: 0, seed: 0 };

export interface DataSample {
  input: number[];
  target: number[];
}

/**
 * The n samples of a generator (see the module comment for the formulas), with `targets` = 1
 * (class 0/1) or 2 (one-hot). Throws a RangeError for anything else.
 */
export function generate(name: GeneratorName, params: Partial<GeneratorParams> = {}, targets = 1): DataSample[] {
  const { n, noise, seed } = { ...GENERATOR_DEFAULTS, ...params };
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`n must be a whole number of at least 1, not ${n}`);
  if (!(noise >= 0) || !Number.isFinite(noise)) throw new RangeError(`the noise must be a finite number of 0 or more, not ${noise}`);
  if (!Number.isInteger(seed) || seed < 0 || seed > Number.MAX_SAFE_INTEGER) throw new RangeError(`the seed must be a whole number from 0 to 2^53 − 1, not ${seed}`);
  if (targets !== 1 && targets !== 2) {
    throw new RangeError(`a generator gives 1 target (the class, 0 or 1) or 2 (one-hot), not ${targets}`);
  }
  const point = POINT[name];
  if (!point) throw new RangeError(`unknown generator ${name}`);
  const rng = new Random(seed, 0);
  const sizes = [Math.floor(n / 2), Math.ceil(n / 2)]; // class 0, class 1
  const out: DataSample[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const c = i % 2 === 0 ? 1 : 0;
    const [x, y] = point(rng, c, Math.floor(i / 2), sizes[c], noise);
    out[i] = { input: [x, y], target: targets === 1 ? [c] : [1 - c, c] };
  }
  return out;
}

type PointFn = (rng: Random, c: number, m: number, nc: number, noise: number) => [number, number];

const jitter = (rng: Random, noise: number, scale: number) => noise * scale * rng.uniform(-1, 1);

const POINT: Record<GeneratorName, PointFn> = {
  xor(rng, c, _m, _nc, noise) {
    const a = 0.3 + rng.uniform(0, 5);
    const b = 0.3 + rng.uniform(0, 5);
    const q = rng.next() < 0.5;
    const sx = q ? 1 : -1;
    const sy = c === 1 ? sx : -sx;
    return [sx * a + jitter(rng, noise, 5), sy * b + jitter(rng, noise, 5)];
  },
  circle(rng, c, _m, _nc, noise) {
    const r = c === 1 ? rng.uniform(0, 2.5) : rng.uniform(3.5, 5);
    const theta = rng.uniform(0, 2 * Math.PI);
    return [r * Math.sin(theta) + jitter(rng, noise, 5), r * Math.cos(theta) + jitter(rng, noise, 5)];
  },
  spiral(rng, c, m, nc, noise) {
    const f = m / nc;
    const r = 5 * f;
    const theta = 3.5 * Math.PI * f + (c === 1 ? 0 : Math.PI);
    return [r * Math.sin(theta) + jitter(rng, noise, 1), r * Math.cos(theta) + jitter(rng, noise, 1)];
  },
  gauss(rng, c, _m, _nc, noise) {
    const sigma = Math.sqrt(0.5 + 7 * noise);
    const centre = c === 1 ? 2 : -2;
    return [centre + sigma * normal(rng), centre + sigma * normal(rng)];
  },
  moons(rng, c, _m, _nc, noise) {
    const theta = rng.uniform(0, Math.PI);
    const x0 = c === 0 ? Math.cos(theta) : 1 - Math.cos(theta);
    const y0 = c === 0 ? Math.sin(theta) : 0.5 - Math.sin(theta);
    return [3 * (x0 - 0.5) + jitter(rng, noise, 3), 3 * (y0 - 0.25) + jitter(rng, noise, 3)];
  },
};

/** A standard normal by Box–Muller: √(−2 ln(1 − u₁)) cos(2π u₂), u₁ and u₂ from rng.next(). */
function normal(rng: Random): number {
  const u1 = rng.next();
  const u2 = rng.next();
  return Math.sqrt(-2 * Math.log(1 - u1)) * Math.cos(2 * Math.PI * u2);
}

// ---- function(EXPR, …) ---------------------------------------------------------------------

/** `data NAME = function(EXPR, n: …, from: …, to: …, noise: …, seed: …)`: its numbers. */
export interface FunctionParams {
  /** 1: EXPR of x; 2: EXPR of x1 and x2. */
  inputs: 1 | 2;
  /** One input: the number of samples; two: the grid has ⌈√n⌉ points per axis. At least 1. */
  n: number;
  /** The inputs' range, [from, to], from below to. */
  from: number;
  to: number;
  /** The standard deviation of the Gaussian noise on the target, 0 or more. */
  noise: number;
  seed: number;
}

/** What `function(EXPR)` gives when an argument is left out. */
export const FUNCTION_DEFAULTS: Readonly<Omit<FunctionParams, 'inputs'>> = { n: 100, from: -1, to: 1, noise: 0, seed: 0 };

/** The points per axis of a function generator's inputs: n for one input, ⌈√n⌉ for two. */
export function functionGridSize(inputs: 1 | 2, n: number): number {
  if (inputs === 1) return n;
  const m = Math.ceil(Math.sqrt(n));
  // Math.sqrt is correctly rounded, but guard the ceiling anyway: the smallest m with m² ≥ n.
  return (m - 1) * (m - 1) >= n ? m - 1 : m;
}

/**
 * The m evenly spaced points from a to b inclusive: t_i = a + (b − a)·i/(m − 1) for i < m − 1,
 * and t_{m−1} = b exactly; a single point is a.
 */
export function evenlySpaced(a: number, b: number, m: number): number[] {
  const out: number[] = new Array(m);
  for (let i = 0; i < m; i++) out[i] = i === m - 1 && m > 1 ? b : a + ((b - a) * i) / (m - 1 || 1);
  return out;
}

/**
 * The inputs of a function generator, in sample order. One input: x_i = t_i, the n evenly
 * spaced points of [from, to] (`evenlySpaced`). Two inputs: the m × m grid, m = ⌈√n⌉ (so the data
 * set has m² ≥ n samples), row by row: sample a·m + b is (x1, x2) = (t_a, t_b).
 */
export function functionInputs(p: FunctionParams): number[][] {
  const m = functionGridSize(p.inputs, p.n);
  const t = evenlySpaced(p.from, p.to, m);
  if (p.inputs === 1) return t.map((x) => [x]);
  const out: number[][] = [];
  for (let a = 0; a < m; a++) for (let b = 0; b < m; b++) out.push([t[a], t[b]]);
  return out;
}

/**
 * The samples of `function(EXPR, …)`: the inputs of `functionInputs`, each with the target
 * [f(x) + noise·g_i], where g_i is a standard normal drawn by Box–Muller (`normal`, two draws of
 * `new Random(seed, 0)`), one per sample in sample order, drawn even when noise is 0 (so for a
 * seed, a larger noise moves the same targets further). `f` is EXPR at the sample's inputs; a
 * value that is not a finite number is returned as it is (the caller reports it).
 */
export function generateFunction(f: (x: readonly number[]) => number, p: FunctionParams): DataSample[] {
  if (!Number.isInteger(p.n) || p.n < 1) throw new RangeError(`n must be a whole number of at least 1, not ${p.n}`);
  if (!(p.from < p.to) || !Number.isFinite(p.from) || !Number.isFinite(p.to)) throw new RangeError(`from must be below to, both finite, not ${p.from} and ${p.to}`);
  if (!(p.noise >= 0) || !Number.isFinite(p.noise)) throw new RangeError(`the noise must be a finite number of 0 or more, not ${p.noise}`);
  const rng = new Random(p.seed, 0);
  return functionInputs(p).map((input) => {
    const y = f(input);
    const g = normal(rng);
    return { input, target: [p.noise === 0 ? y : y + p.noise * g] };
  });
}

// ---- CSV ------------------------------------------------------------------------------------

/** The largest CSV file read, in characters (and bytes, which the CLI checks before reading). */
export const CSV_MAX_CHARS = 64 * 1024 * 1024;
/** The most samples (rows) a CSV file may hold. */
export const CSV_MAX_SAMPLES = 1_000_000;

export interface CsvError {
  /** 1-based line. */
  line: number;
  /** 1-based column (UTF-16 code units), where the offending field starts. */
  column: number;
  message: string;
}

/**
 * Reads samples from CSV text: numbers only, separated by commas; the last `targets` columns of
 * each row are the targets, the others the inputs.
 * - Line breaks are `\n`, `\r\n` or `\r`. Blank lines (only spaces or tabs) are ignored anywhere.
 * - Spaces and tabs around a field are ignored; a field may be wrapped in double quotes.
 * - A number is written as in JSON or C (`12`, `-0.5`, `.5`, `1e-3`, `+2`) and must be finite.
 * - The first non-blank line is a header, and skipped, when none of its fields is a number;
 *   a first line that mixes numbers and words is an error, like any other malformed row.
 * - Every row has as many fields as the first one (the header, if there is one), and more than
 *   `targets` of them (at least one input).
 * Errors name the line and column (both 1-based) of the offending field.
 */
export function parseCsv(text: string, targets: number): { samples: DataSample[] } | { error: CsvError } {
  const fail = (line: number, column: number, message: string) => ({ error: { line, column, message } });
  if (!Number.isInteger(targets) || targets < 1) return fail(1, 1, `the number of target columns must be a whole number of at least 1, not ${targets}`);
  if (text.length > CSV_MAX_CHARS) return fail(1, 1, `the file has ${text.length} characters; the limit is ${CSV_MAX_CHARS}`);
  const samples: DataSample[] = [];
  let width = -1; // fields per row, from the first non-blank line
  let headerLine = 0;
  let line = 0;
  let pos = 0;
  if (text.charCodeAt(0) === 0xfeff) pos = 1; // a byte-order mark
  while (pos <= text.length) {
    // one line: [pos, end)
    let end = pos;
    while (end < text.length && text[end] !== '\n' && text[end] !== '\r') end++;
    line++;
    const row = text.slice(pos, end);
    pos = end + (text[end] === '\r' && text[end + 1] === '\n' ? 2 : 1);
    if (/^[ \t]*$/.test(row)) {
      if (end >= text.length) break;
      continue;
    }
    const fields = splitFields(row);
    if (width < 0) {
      width = fields.length;
      const numeric = fields.map((f) => parseNumber(f.text) !== undefined);
      if (numeric.every((isNum) => !isNum)) {
        headerLine = line;
        if (width <= targets) return fail(line, 1, `the header has ${width} column${width === 1 ? '' : 's'}, but ${targets} target column${targets === 1 ? '' : 's'} and at least one input are needed`);
        if (end >= text.length) break;
        continue;
      }
      if (width <= targets) return fail(line, 1, `the row has ${width} column${width === 1 ? '' : 's'}, but ${targets} target column${targets === 1 ? '' : 's'} and at least one input are needed`);
    }
    if (fields.length !== width) {
      const first = headerLine ? `the header (line ${headerLine})` : 'the first row';
      const column = fields.length > width ? fields[width].column : row.length + 1;
      return fail(line, column, `the row has ${fields.length} column${fields.length === 1 ? '' : 's'}, but ${first} has ${width}`);
    }
    const values: number[] = new Array(width);
    for (let k = 0; k < width; k++) {
      const f = fields[k];
      const v = parseNumber(f.text);
      if (v === undefined) {
        const what = f.text === '' ? 'an empty field' : `\`${f.text.length > 40 ? f.text.slice(0, 40) + '…' : f.text}\``;
        return fail(line, f.column, `expected a number, found ${what}`);
      }
      if (!Number.isFinite(v)) return fail(line, f.column, `the number ${f.text} is too large for a float64`);
      values[k] = v;
    }
    if (samples.length >= CSV_MAX_SAMPLES) return fail(line, 1, `more than ${CSV_MAX_SAMPLES} rows; that is the limit`);
    samples.push({ input: values.slice(0, width - targets), target: values.slice(width - targets) });
    if (end >= text.length) break;
  }
  if (samples.length === 0) return fail(Math.max(line, 1), 1, headerLine ? 'the file has a header but no rows of numbers' : 'the file has no rows of numbers');
  return { samples };
}

/** The comma-separated fields of a row, trimmed and unquoted, with their 1-based columns. */
function splitFields(row: string): { text: string; column: number }[] {
  const out: { text: string; column: number }[] = [];
  let start = 0;
  for (;;) {
    let comma = row.indexOf(',', start);
    if (comma < 0) comma = row.length;
    let a = start;
    let b = comma;
    while (a < b && (row[a] === ' ' || row[a] === '\t')) a++;
    while (b > a && (row[b - 1] === ' ' || row[b - 1] === '\t')) b--;
    let text = row.slice(a, b);
    if (text.length >= 2 && text[0] === '"' && text[text.length - 1] === '"') text = text.slice(1, -1).replace(/""/g, '"');
    out.push({ text, column: (a < b ? a : start) + 1 });
    if (comma >= row.length) break;
    start = comma + 1;
  }
  return out;
}

const NUMBER = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

function parseNumber(s: string): number | undefined {
  return NUMBER.test(s) ? Number(s) : undefined;
}
