/**
 * Readable derivative formulas (analysis/formula.ts): the identities that rewrite f'(u) in terms of
 * f, the simplifier (which must never change a finite value), and the printer (whose output,
 * read back by the language's own parser, must mean the same expression).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SCALAR_FUNCTIONS, scalarFunction } from '../../server/src/engine/activations';
import { derive, evaluate, type Environment, type Expr } from '../../server/src/engine/expr';
import { DISPLAY, derivativeFormula, evaluateFormula, fraction, MAX_DENOMINATOR, pretty, rewriteDerivatives, simplify } from '../../server/src/analysis/formula';
import { analyze } from '../../server/src/analysis/analyze';
import { hoverAt } from '../../server/src/analysis/hover';
import { SeededRandom } from '../support/random';
import { analyzeText } from '../../server/src/semantics/checker';
import { scalarNamesWithAliases } from '../support/builtins';

// ---- helpers ----------------------------------------------------------------------------------

const k = (value: number): Expr => ({ op: 'const', value });
const v = (name: string): Expr => ({ op: 'var', name });
const op = (o: 'add' | 'sub' | 'mul' | 'div' | 'pow', a: Expr, b: Expr): Expr => ({ op: o, a, b });
const neg = (a: Expr): Expr => ({ op: 'neg', a });
const call = (fn: string, order: number, ...args: Expr[]): Expr => ({ op: 'call', fn, order, args });
const x = v('x');
const y = v('y');

function envAt(values: Record<string, number>, fns: Environment['fns'] = new Map()): Environment {
  return { vars: { get: (n) => values[n] }, fns, derivedCache: new Map() };
}
const at = (e: Expr, values: Record<string, number>) => evaluate(e, envAt(values)) as number;

/** The fns of a source text, lowered by the real front end. */
function fns(text: string) {
  const { program } = analyzeText(text);
  const isScalar = (n: string) => program.env.fns.has(n) || !!scalarFunction(n);
  return { program, isScalar };
}

/** d/dparam of every fn in text, as derivativeFormula prints it. */
function formulas(text: string): Record<string, string> {
  const { program, isScalar } = fns(text);
  const out: Record<string, string> = {};
  for (const [name, info] of program.fns) {
    assert.ok(info.fn, `${name} did not lower`);
    out[name] = derivativeFormula(info.fn.body, info.fn.param, isScalar);
  }
  return out;
}

/** True when a and b agree to tol relative to scale (NaN agrees with NaN, ∞ with itself). */
function close(a: number, b: number, tol: number, scale = Math.max(Math.abs(a), Math.abs(b))): boolean {
  if (Number.isNaN(a) || Number.isNaN(b)) return Number.isNaN(a) && Number.isNaN(b);
  if (!Number.isFinite(a) || !Number.isFinite(b)) return a === b;
  if (!Number.isFinite(scale)) scale = Math.max(Math.abs(a), Math.abs(b)); // no usable error bound
  return Math.abs(a - b) <= tol * Math.max(scale, 1e-300);
}

// ---- the examples of the brief ----------------------------------------------------------------

test('derivative formulas of the six example functions', () => {
  const got = formulas([
    'fn swish2(z) = z * sigmoid(z)',
    'fn mish(z) = z * tanh(softplus(z))',
    'fn sq(z) = z^2',
    'fn cube(z) = z ^ 3 / 6',
    'fn bump(z) = exp(-z ^ 2)',
    'fn lin(z) = 3 * z + 1',
  ].join('\n'));
  assert.deepEqual(got, {
    swish2: 'sigmoid(z) + z·sigmoid(z)(1 − sigmoid(z))',
    mish: 'tanh(softplus(z)) + z·(1 − tanh(softplus(z))^2)·sigmoid(z)',
    sq: '2·z',
    cube: 'z^2 / 2',
    bump: '−2·z·exp(−z^2)',
    lin: '3',
  });
});

test('more formulas read as a person would write them', () => {
  const got = formulas([
    'fn a(z) = log(1 + z^2)',
    'fn b(z) = sigmoid(2*z - 1)',
    'fn c(z) = 1 / (1 + exp(-z))',
    'fn d(z) = z / z + z * z * z',
    'fn e(z) = relu(z) + leaky_relu(z) + elu(z, 2)',
    'fn f(z) = gelu(z)',
    'fn g(z) = sigmoid\'(z)',
    'fn h(z) = z + tanh(z)',
    'fn i(z) = 2 ^ z',
    'fn j(z) = -(z - 1)^2 / 3',
    'fn k(z) = f(z) * 2',
    'fn l(z) = abs(z) + sinh(z) - cosh(2*z)',
    'fn m(z) = sqrt(z)',
    'fn n(z) = silu(z) + identity(z)',
  ].join('\n'));
  assert.deepEqual(got, {
    a: '2·z / (1 + z^2)',
    b: '2·sigmoid(2·z − 1)(1 − sigmoid(2·z − 1))',
    c: 'exp(−z) / (1 + exp(−z))^2',
    d: '3·z^2',
    e: '3·[z > 0] + 0.01·[z ≤ 0] + 2·exp(z)·[z ≤ 0]', // relu, leaky_relu and elu each slope 1,
    f: 'Φ(z) + z·φ(z)',
    g: 'sigmoid(z)(1 − sigmoid(z))(1 − 2·sigmoid(z))',
    h: '2 − tanh(z)^2',
    i: '2^z·log(2)',
    j: '−2·(z − 1) / 3',
    k: "2·f'(z)", // a user function's derivative has its own hover
    l: 'sign(z) + cosh(z) − 2·sinh(2·z)',
    m: '1 / (2·sqrt(z))',
    n: 'sigmoid(z) + z·sigmoid(z)(1 − sigmoid(z)) + 1',
  });
});

test('a long product collapses, in linear work: shared subtrees are simplified once', () => {
  const body = Array(300).fill('tanh(z)').join(' * ');
  assert.deepEqual(formulas(`fn p(z) = ${body}`), { p: '300·(1 − tanh(z)^2)·tanh(z)^299' });
  // The work, counted rather than timed: the product rule's tree is a DAG whose unfolded size is
  // quadratic in the number of factors; simplify normalises each distinct node once.
  const { program, isScalar } = fns(`fn p(z) = ${body}`);
  const f = program.fns.get('p')!.fn!;
  const d = rewriteDerivatives(derive(f.body, f.param, (n) => (isScalar(n) ? 'scalar' : 'other')));
  const work = { normalised: 0 };
  simplify(d, work);
  const { distinct, unfolded } = sizes(d);
  assert.ok(work.normalised <= distinct, `normalised ${work.normalised} nodes of ${distinct} distinct ones`);
  assert.ok(unfolded > 20 * distinct, `the unfolded tree (${unfolded} nodes) is not much larger than the DAG (${distinct}): the test no longer measures sharing`);
});

/** A tree's distinct nodes, and its size with every shared subtree counted each time it is reached. */
function sizes(e: Expr): { distinct: number; unfolded: number } {
  const unfoldedOf = new Map<Expr, number>();
  const visit = (n: Expr): number => {
    let u = unfoldedOf.get(n);
    if (u !== undefined) return u;
    const kids = n.op === 'const' || n.op === 'var' ? [] : n.op === 'neg' ? [n.a] : n.op === 'call' ? n.args : n.op === 'vector' ? n.items
      : n.op === 'select' ? [n.a, n.b, n.then, n.otherwise] : [n.a, n.b];
    u = 1 + kids.reduce((sum, c) => sum + visit(c), 0);
    unfoldedOf.set(n, u);
    return u;
  };
  const unfolded = visit(e);
  return { distinct: unfoldedOf.size, unfolded };
}

test('derivativeFormula fails as derive does, with its EvalError', () => {
  const { program, isScalar } = fns('fn s(z) = sum(softmax([z, 1]))');
  const f = program.fns.get('s')!.fn!;
  assert.throws(() => derivativeFormula(f.body, f.param, isScalar), /cannot differentiate/);
});

// ---- the identities ---------------------------------------------------------------------------

test('every rewritten first and second derivative equals the engine value', () => {
  // Every scalar built-in and alias of the engine's list, and the parameters given explicitly.
  const cases: [string, Expr[]][] = [];
  for (const name of scalarNamesWithAliases()) cases.push([name, [x]]);
  cases.push(['leaky_relu', [x, k(0.2)]], ['elu', [x, k(0.5)]]);
  let checked = 0;
  for (const [name, args] of cases) {
    for (const order of [1, 2]) {
      const original = call(name, order, ...args);
      const shown = rewriteDerivatives(original);
      if (scalarFunction(name)!.identities === 'none') {
        assert.equal(pretty(shown), pretty(original), `${name} states no identity, yet order ${order} was rewritten`);
        continue;
      }
      assert.notEqual(pretty(shown), pretty(original), `${name} order ${order} was not rewritten`);
      // Moderate points, and the kinks of relu and friends exactly: 1 − sigmoid(u) cancels where
      // sigmoid saturates, which is why the engine never evaluates these forms.
      for (const z of [-3, -1.7, -0.5, -1e-3, 0, 1e-3, 0.3, 1, 2.5, 3]) {
        const want = at(original, { x: z });
        if (Number.isNaN(want)) continue; // log and sqrt below 0: the engine says NaN, 1/u extends it
        const got = evaluateFormula(shown, envAt({ x: z }));
        assert.ok(close(got, want, 1e-10), `${name}${"'".repeat(order)}(${z}): ${got} vs ${want} (${pretty(shown)})`);
        checked++;
      }
    }
  }
  assert.ok(checked > 300, `${checked}`);
});

test('the identities print in terms of the function itself', () => {
  const show = (name: string, order: number, ...args: Expr[]) => pretty(simplify(rewriteDerivatives(call(name, order, ...(args.length ? args : [v('u')])))));
  assert.equal(show('sigmoid', 1), 'sigmoid(u)(1 − sigmoid(u))');
  assert.equal(show('tanh', 1), '1 − tanh(u)^2');
  assert.equal(show('tanh', 2), '−2·tanh(u)(1 − tanh(u)^2)');
  assert.equal(show('softplus', 1), 'sigmoid(u)');
  assert.equal(show('exp', 1), 'exp(u)');
  assert.equal(show('log', 1), '1 / u');
  assert.equal(show('log', 2), '−1 / u^2');
  assert.equal(show('sqrt', 1), '1 / (2·sqrt(u))');
  assert.equal(show('sqrt', 2), '−1 / (4·u·sqrt(u))');
  assert.equal(show('sinh', 1), 'cosh(u)');
  assert.equal(show('cosh', 1), 'sinh(u)');
  assert.equal(show('linear', 1), '1');
  assert.equal(show('identity', 2), '0');
  assert.equal(show('swish', 1), 'sigmoid(u) + u·sigmoid(u)(1 − sigmoid(u))');
  assert.equal(show('relu', 1), '[u > 0]');
  assert.equal(show('gelu', 1), 'Φ(u) + u·φ(u)');
  assert.equal(show('gelu', 2), '(2 − u^2)·φ(u)');
  assert.equal(show('leaky_relu', 1), '[u > 0] + 0.01·[u ≤ 0]');
  assert.equal(show('elu', 1, v('u'), k(0.5)), '[u > 0] + exp(u)·[u ≤ 0] / 2');
  assert.equal(show('abs', 1), 'sign(u)');
  // Third derivatives and user functions keep the prime notation.
  assert.equal(show('sigmoid', 3), "sigmoid'''(u)");
  assert.equal(show('myfn', 1), "myfn'(u)");
  assert.equal(DISPLAY.positive.startsWith('#'), true); // not an identifier of the language
});

// ---- the simplifier ---------------------------------------------------------------------------

test('simplify: identities, folding, powers, ordering, cancellation', () => {
  const s = (e: Expr) => pretty(simplify(e));
  assert.equal(s(op('add', op('mul', k(2), k(3)), k(1))), '7');
  assert.equal(s(op('add', x, k(0))), 'x');
  assert.equal(s(op('mul', k(1), x)), 'x');
  assert.equal(s(op('mul', k(0), x)), '0');
  assert.equal(s(op('pow', x, k(1))), 'x');
  assert.equal(s(op('pow', x, k(0))), '1');
  assert.equal(s(op('mul', x, x)), 'x^2');
  assert.equal(s(op('mul', op('pow', x, k(2)), op('mul', k(3), x))), '3·x^3');
  assert.equal(s(op('mul', call('sin2', 0, x), op('mul', k(-1), x))), '−x·sin2(x)'); // numbers, variables, then the rest
  assert.equal(s(op('sub', y, neg(x))), 'y + x');
  assert.equal(s(op('mul', k(-1), x)), '−x');
  assert.equal(s(op('div', x, x)), '1');
  assert.equal(s(op('div', op('mul', x, y), x)), 'y');
  assert.equal(s(op('add', op('mul', k(2), x), op('mul', x, k(3)))), '5·x');
  assert.equal(s(op('sub', x, x)), '0');
  assert.equal(s(op('div', k(1), op('mul', x, y))), '1 / (x·y)');
  assert.equal(s(op('div', x, k(4))), '0.25·x'); // a short decimal, but 1 / (4·x) and x / 3
  assert.equal(s(op('div', k(1), op('mul', x, k(4)))), '1 / (4·x)');
  assert.equal(s(op('div', x, k(3))), 'x / 3');
  assert.equal(s(op('mul', k(0.2), x)), '0.2·x');
  assert.equal(s(op('mul', k(0.02), x)), '0.02·x');
  assert.equal(s(op('mul', k(1.5), x)), '3·x / 2');
  assert.equal(s(op('pow', op('mul', k(-2), x), k(2))), '4·x^2');
  assert.equal(s(op('pow', op('pow', x, k(2)), k(3))), 'x^6');
  assert.equal(s(call('exp', 0, k(0))), '1');
  assert.equal(s(call('sqrt', 0, k(2))), 'sqrt(2)'); // not folded into 1.41421356237
  assert.equal(s(neg(op('sub', x, y))), 'y − x');
  assert.equal(s(op('add', neg(x), k(1))), '1 − x');
  // Merging only where it holds for every x: x^0.5·x^0.5 is NaN for x < 0, and (x^2)^0.5 is |x|.
  assert.equal(s(op('mul', op('pow', x, k(0.5)), op('pow', x, k(0.5)))), 'x^0.5·x^0.5');
  assert.equal(s(op('pow', op('pow', x, k(2)), k(0.5))), '(x^2)^0.5');
  // Dividing by an exact zero is kept, not folded into ∞.
  assert.equal(s(op('div', x, k(0))), 'x / 0');
  assert.equal(s(op('div', k(1), op('mul', k(0), x))), '1 / (0·x)'); // −∞ for x < 0: the zero keeps its sign
});

test('simplify never multiplies sums out', () => {
  // (x+1)(x+2)…(x+12): expanding would give 2^12 terms; the product stays twelve factors.
  let e: Expr = k(1);
  for (let i = 1; i <= 12; i++) e = op('mul', e, op('add', x, k(i)));
  const out = pretty(simplify(e));
  assert.equal(out.split('+').length - 1, 12, out);
  assert.ok(out.startsWith('(x + 1)(x + 2)'), out);
});

/** A random expression over x and y from + − · / ^, negation and the built-ins. */
/** The scalar built-ins a random expression calls: every one the engine has. */
const SCALAR_NAMES = SCALAR_FUNCTIONS.map((f) => f.name);

function randomExpr(r: SeededRandom, depth: number): Expr {
  const pick = <T>(xs: readonly T[]): T => r.pick(xs);
  if (depth === 0 || r.next() < 0.2) {
    const leaf = r.next();
    if (leaf < 0.4) return x;
    if (leaf < 0.6) return y;
    return k(pick([0, 1, -1, 2, 3, 0.5, -2.5, 0.1, 6]));
  }
  const sub = () => randomExpr(r, depth - 1);
  const kind = r.next();
  if (kind < 0.15) return neg(sub());
  if (kind < 0.3) {
    const fn = pick(SCALAR_NAMES);
    return call(fn, r.next() < 0.25 ? 1 : 0, sub());
  }
  if (kind < 0.4) {
    // A small exponent keeps the values in range; a non-integer one exercises the careful cases.
    return op('pow', sub(), r.next() < 0.2 ? sub() : k(pick([2, 3, -1, -2, 0.5, 0, 1])));
  }
  return op(pick(['add', 'sub', 'mul', 'div', 'mul', 'add'] as const), sub(), sub());
}

/**
 * A first-order bound on the rounding error of evaluating e at p, in units of relative error:
 * sums add the magnitudes of their parts, so a value that results from cancellation is compared
 * at the scale of what cancelled.
 */
function magnitude(e: Expr, p: Record<string, number>): number {
  const m = magnitudeOrNaN(e, p);
  return Number.isFinite(m) ? m : Infinity;
}
function magnitudeOrNaN(e: Expr, p: Record<string, number>): number {
  const val = (u: Expr) => Math.abs(evaluateFormula(u, envAt(p)));
  const magnitude = magnitudeOrNaN;
  switch (e.op) {
    case 'const':
    case 'var': return val(e);
    case 'neg': return magnitude(e.a, p);
    case 'add':
    case 'sub': return magnitude(e.a, p) + magnitude(e.b, p);
    case 'mul': return magnitude(e.a, p) * magnitude(e.b, p);
    case 'div': {
      const b = val(e.b);
      return (magnitude(e.a, p) / b) * (1 + magnitude(e.b, p) / b);
    }
    case 'pow': {
      const a = val(e.a);
      return val(e) * (1 + (val(e.b) * magnitude(e.a, p)) / a + Math.abs(Math.log(a)) * magnitude(e.b, p));
    }
    case 'call': {
      // The display functions are steps or bounded by 1 in slope (Φ, φ).
      const display = (Object.values(DISPLAY) as string[]).includes(e.fn);
      const slope = display ? 1 : e.order < 8 ? val({ ...e, order: e.order + 1, args: e.args } as Expr) : 0;
      return val(e) + slope * magnitude(e.args[0], p);
    }
    default: return val(e);
  }
}

test('simplify never changes a finite value (random expressions, random points)', () => {
  const r = new SeededRandom(20240611);
  let compared = 0;
  let shrunk = 0;
  for (let n = 0; n < 3000; n++) {
    const e = randomExpr(r, 4);
    const s = simplify(e);
    if (pretty(s).length < pretty(e).length) shrunk++;
    for (let i = 0; i < 4; i++) {
      const p = { x: r.uniform(-3, 3), y: r.uniform(-3, 3) };
      const want = at(e, p);
      if (!Number.isFinite(want)) continue; // x/x → 1 may extend a formula across 0/0; that is all
      const got = at(s, p);
      const scale = Math.max(Math.abs(want), magnitude(e, p));
      assert.ok(close(got, want, 1e-12, scale), `${pretty(e)} → ${pretty(s)} at ${JSON.stringify(p)}: ${got} vs ${want}`);
      compared++;
    }
  }
  assert.ok(compared > 6000, `only ${compared} finite comparisons`);
  assert.ok(shrunk > 1000, `simplify shortened only ${shrunk} of 3000`);
});

test('the whole pipeline keeps the value of random fn derivatives', () => {
  const r = new SeededRandom(7);
  let compared = 0;
  for (let n = 0; n < 1000; n++) {
    const body = randomExpr(r, 3);
    let d: Expr;
    try {
      d = derive(body, 'x', () => 'scalar');
    } catch {
      continue; // a derivative order past the engine's maximum
    }
    const shown = simplify(rewriteDerivatives(d));
    for (const xv of [-1.3, -0.4, 0.7, 1.9]) {
      const p = { x: xv, y: 0.6 };
      const want = at(d, p);
      if (!Number.isFinite(want)) continue;
      const got = evaluateFormula(shown, envAt(p));
      // The identities trade the engine's stable forms for readable ones (1 − tanh(u)^2 cancels
      // where tanh saturates), so the bound is that of whichever form is worse.
      const scale = Math.max(Math.abs(want), magnitude(d, p), magnitude(shown, p));
      assert.ok(close(got, want, 1e-9, scale), `d/dx ${pretty(body)} = ${pretty(shown)} at ${xv}: ${got} vs ${want}`);
      compared++;
    }
  }
  assert.ok(compared > 2000, `only ${compared} finite comparisons`);
});

// ---- the printer ------------------------------------------------------------------------------

test('pretty output, read back by the language, is the same expression', () => {
  // Juxtaposition and the Unicode signs are for reading; put back the language's spelling.
  const ascii = (s: string) => s.replace(/·/g, ' * ').replace(/−/g, '-').replace(/\)\(/g, ') * (');
  const r = new SeededRandom(99);
  let compared = 0;
  for (let n = 0; n < 400; n++) {
    const e = simplify(randomExpr(r, 4));
    const text = pretty(e);
    if (text.includes('[') || text.includes('sign(') || text.includes('?')) continue; // display-only forms
    const { program } = analyzeText(`let y = 0.6\nfn g(x) = ${ascii(text)}`);
    const g = program.fns.get('g')?.fn;
    assert.ok(g, `did not parse: ${ascii(text)} (from ${text})`);
    for (const xv of [-1.1, 0.35, 2.2]) {
      const want = at(e, { x: xv, y: 0.6 });
      const got = at(g.body, { x: xv, y: 0.6 });
      if (!Number.isFinite(want)) continue;
      // Printed numbers carry 12 significant digits.
      assert.ok(close(got, want, 1e-9, Math.max(Math.abs(want), magnitude(e, { x: xv, y: 0.6 }))), `${text}: ${got} vs ${want}`);
      compared++;
    }
  }
  assert.ok(compared > 500, `only ${compared} comparisons`);
});

test('pretty: minimal parentheses, one minus sign, juxtaposition only after a call', () => {
  assert.equal(pretty(op('sub', x, op('add', y, k(1)))), 'x − (y + 1)');
  assert.equal(pretty(op('sub', x, op('mul', y, k(2)))), 'x − y·2');
  assert.equal(pretty(op('add', x, neg(y))), 'x + (−y)');
  assert.equal(pretty(op('pow', neg(x), k(2))), '(−x)^2');
  assert.equal(pretty(neg(op('pow', x, k(2)))), '−x^2');
  assert.equal(pretty(op('pow', x, k(-1))), 'x^(−1)');
  assert.equal(pretty(op('pow', x, op('pow', y, k(2)))), 'x^(y^2)');
  assert.equal(pretty(op('pow', k(2), call('sigmoid', 0, x))), '2^sigmoid(x)');
  assert.equal(pretty(op('pow', k(-2), x)), '(−2)^x');
  assert.equal(pretty(op('div', x, op('mul', y, k(2)))), 'x / (y·2)');
  assert.equal(pretty(op('mul', op('div', x, y), k(2))), '(x / y)·2');
  assert.equal(pretty(op('mul', x, op('add', x, k(1)))), 'x·(x + 1)');
  assert.equal(pretty(op('mul', call('tanh', 0, x), op('add', x, k(1)))), 'tanh(x)(x + 1)');
  assert.equal(pretty(op('mul', x, neg(y))), 'x·(−y)');
  assert.equal(pretty(neg(neg(x))), '−(−x)');
  assert.equal(pretty(k(-3)), '−3');
  assert.equal(pretty(call('sigmoid', 2, x)), "sigmoid''(x)");
  assert.ok(!/-/.test(pretty(simplify(op('sub', neg(x), op('mul', k(-2), y))))), 'one minus sign, U+2212');
});

test('rational coefficients print as fractions: x^7 / 5040, not 0.000198412698413·x^7', () => {
  const got = formulas([
    'fn taylor(x) = 1 - x^2/2 + x^4/24 - x^6/720 + x^8/40320',
    'fn third(x) = x^3 / 3 + x^2 / 7',
    'fn ninth(x) = x^9 / 362880',
    'fn wave(x) = sin(pi * x) / 6',
    'fn short(x) = 0.2 * x^2 + 1.67326 * x',
  ].join('\n'));
  assert.deepEqual(got, {
    taylor: 'x^3 / 6 − x − x^5 / 120 + x^7 / 5040',
    third: 'x^2 + 2·x / 7',
    ninth: 'x^8 / 40320',
    wave: 'pi·cos(pi·x) / 6',
    // a short decimal stays one; 1.67326 is 83663/50000, which reads worse than the decimal
    short: '0.4·x + 1.67326',
  });
});

test('fraction() recovers ratios of integers exactly and never invents one for other values', () => {
  const rng = new SeededRandom(7);
  for (let i = 0; i < 2000; i++) {
    const q = 1 + Math.floor(rng.next() * 50000);
    const p = 1 + Math.floor(rng.next() * 1e6);
    // Computed the way simplify computes coefficients: a few roundings of exact ratios.
    const m = ((p * 3) / q) / 3;
    const f = fraction(m);
    assert.ok(f, `${p}/${q}`);
    assert.equal(f[0] * q, p * f[1], `${p}/${q} read as ${f[0]}/${f[1]}`);
  }
  // Values that are no ratio of small integers: no fraction, or one within the tolerance (a
  // fraction is never further from the value than the 12-digit decimal it replaces).
  for (const m of [Math.PI, Math.E, Math.SQRT2, Math.LN2, 1 / Math.PI, Math.exp(-3), 0.1 + 0.2 + 1e-13]) {
    const f = fraction(m);
    if (f) assert.ok(Math.abs(f[0] / f[1] - m) <= 1e-14 * m && f[1] <= MAX_DENOMINATOR, `${m} as ${f[0]}/${f[1]}`);
  }
  assert.equal(fraction(Math.PI), undefined);
  assert.equal(fraction(Math.SQRT2), undefined);
  let invented = 0;
  for (let i = 0; i < 2000; i++) if (fraction(0.5 + rng.next()) !== undefined) invented++;
  assert.ok(invented <= 5, `${invented} of 2000 random doubles read as fractions`);
});

test('a fn\'s hover shows its derivative with fractions', () => {
  const text = 'fn taylor(x) = x^8 / 40320 - x^2 / 3\n';
  const md = hoverAt(analyze(text), text.indexOf('taylor'))!.markdown;
  assert.match(md, /`taylor'\(x\) = x\^7 \/ 5040 − 2·x \/ 3`/);
  assert.doesNotMatch(md, /0\.000198/);
});
