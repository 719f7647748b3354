import { AUXILIARY, scalarFunction } from '../engine/activations';
import { derive, evaluate, numberLiteral, type Environment, type Expr } from '../engine/expr';

/**
 * Readable derivative formulas for hovers. `expr.ts` differentiates exactly but mechanically: its
 * trees say `sigmoid'(u) * (1 * z)`. Here every f'(u) and f''(u) of a built-in is rewritten with
 * the identity its engine entry states (each derivative in terms of the function itself:
 * `identities` in engine/activations.ts), simplified without changing its value,
 * and printed with `·`, `−` and as few parentheses as precedence allows. Display logic only: the
 * engine never evaluates these forms.
 *
 * The identities use a few functions that exist only for display (engine `AUXILIARY`); their
 * names cannot be identifiers of the language (which are ASCII), so they never collide with a
 * user's `fn`.
 */
export const DISPLAY = {
  /** Iverson bracket [u > 0]: 1 if u > 0, else 0 (relu' exactly, 0 at 0 as the engine has it). */
  positive: AUXILIARY.positive.name,
  /** Iverson bracket [u ≤ 0]. */
  nonPositive: AUXILIARY.nonPositive.name,
  /** sign(u), 0 at 0 (abs'). */
  sign: AUXILIARY.sign.name,
  /** Φ, the standard normal distribution function (gelu'). */
  Phi: AUXILIARY.Phi.name,
  /** φ, the standard normal density. */
  phi: AUXILIARY.phi.name,
} as const;

const AUXILIARY_BY_NAME = new Map<string, (u: number) => number>(Object.values(AUXILIARY).map((f) => [f.name, f.value]));

// Raw constructors: the printer and the simplifier build plain trees and leave all tidying to simplify().
const c = (value: number): Expr => ({ op: 'const', value });
const bin = (op: 'add' | 'sub' | 'mul' | 'div' | 'pow', a: Expr, b: Expr): Expr => ({ op, a, b });
const product = (...fs: Expr[]): Expr => fs.reduce((a, b) => bin('mul', a, b));

/**
 * f⁽ⁿ⁾(args) for a built-in f and n = 1 or 2, as its engine entry writes it in terms of f itself
 * (sigmoid' = sigmoid(u)(1 − sigmoid(u)), …); undefined where the entry states no identity, for
 * other orders, and for anything that is not a built-in. A missing parameter is its default.
 */
function builtinDerivative(fn: string, order: number, args: Expr[]): Expr | undefined {
  const f = scalarFunction(fn);
  if (!f || f.identities === 'none' || (order !== 1 && order !== 2)) return undefined;
  const [u, ...rest] = args;
  const p = f.params.map((q, i) => rest[i] ?? c(q.default));
  return order === 1 ? f.identities.d1(u, p) : f.identities.d2(u, p);
}

/** The number of nodes of e as a tree, counted only up to cap (a shared DAG can unfold hugely). */
function size(e: Expr, cap: number): number {
  let n = 0;
  const stack = [e];
  while (stack.length > 0 && n <= cap) {
    const x = stack.pop()!;
    n++;
    switch (x.op) {
      case 'const':
      case 'var': break;
      case 'neg': stack.push(x.a); break;
      case 'call': stack.push(...x.args); break;
      case 'vector': stack.push(...x.items); break;
      case 'select': stack.push(x.a, x.b, x.then, x.otherwise); break;
      default: stack.push(x.a, x.b);
    }
  }
  return n;
}

/**
 * Replaces every first and second derivative of a built-in, f'(u) and f''(u), by its identity in
 * terms of f itself (see builtinDerivative). Mathematically equal, not bit-for-bit: 1 − sigmoid(u)
 * cancels where sigmoid saturates, which is why the engine evaluates the f'(u) form and this one
 * is only shown. Derivatives of user functions and of higher orders are left as they are.
 */
export function rewriteDerivatives(e: Expr): Expr {
  // Derived trees share subtrees (the product rule uses each factor twice); rewriting each node
  // once keeps the sharing, and with it simplify's memo, instead of unfolding the DAG.
  const done = new Map<Expr, Expr>();
  const rw = (x: Expr): Expr => {
    let out = done.get(x);
    if (out === undefined) done.set(x, (out = rewriteNode(x)));
    return out;
  };
  const rewriteNode = (x: Expr): Expr => {
    switch (x.op) {
      case 'const':
      case 'var': return x;
      case 'neg': return { op: 'neg', a: rw(x.a) };
      case 'vector': return { op: 'vector', items: x.items.map(rw) };
      case 'select': return { op: 'select', a: rw(x.a), b: rw(x.b), then: rw(x.then), otherwise: rw(x.otherwise) };
      case 'call': {
        const args = x.args.map(rw);
        return (x.order > 0 && builtinDerivative(x.fn, x.order, args)) || { ...x, args };
      }
      default: return bin(x.op, rw(x.a), rw(x.b));
    }
  };
  return rw(e);
}

// ---- simplification ---------------------------------------------------------------------------
//
// An expression is normalised to a sum of terms, each a coefficient times a product of powers
// base^exponent. Sums are never multiplied out: a sum inside a product stays one factor, so the
// tree never grows. Equal factors merge into powers and equal products into one term, but only
// where that holds for every value: exponents are added only when both are integers
// (x^0.5 · x^0.5 is NaN for x < 0, x is not), and (x^a)^k is flattened only for integers a, k.
// The one liberty taken is cancellation (x/x → 1, x − x → 0), which extends a formula across the
// points where the original is 0/0 or ∞ − ∞; wherever the original is finite the value is kept.

interface Factor {
  base: Expr;
  exp: Expr;
}
interface Term {
  coef: number;
  factors: Factor[];
}

/**
 * Memos for one simplify() call, by node. A derived tree is a DAG printed as a tree: the product
 * rule refers to the same factor P in P'·c + P·c', so n nested products reach P n times. Terms
 * are never mutated, so one normal form (and one key) per node keeps such derivatives linear,
 * not quadratic. They live only for the call, so a caller's later edits to a tree cannot go stale.
 */
interface Memo {
  keys: Map<Expr, string>;
  terms: Map<Expr, Term[]>;
  /** Nodes normalised (normaliseNode calls), for SimplifyWork. */
  normalised: number;
}
let memo: Memo | undefined;

/** A structural key: equal keys mean the same expression. */
function key(e: Expr): string {
  let k = memo?.keys.get(e);
  if (k === undefined) {
    k = computeKey(e);
    memo?.keys.set(e, k);
  }
  return k;
}

function computeKey(e: Expr): string {
  switch (e.op) {
    case 'const': return e.name ?? (Object.is(e.value, -0) ? '0' : String(e.value));
    case 'var': return `$${e.name}`;
    case 'neg': return `-(${key(e.a)})`;
    case 'call': return `${e.fn}'${e.order}(${e.args.map(key).join(',')})`;
    case 'vector': return `[${e.items.map(key).join(',')}]`;
    case 'select': return `?(${key(e.a)},${key(e.b)},${key(e.then)},${key(e.otherwise)})`;
    default: return `${e.op}(${key(e.a)},${key(e.b)})`;
  }
}

const isInt = (e: Expr): e is { op: 'const'; value: number } => e.op === 'const' && Number.isInteger(e.value);
const constOf = (e: Expr): number | undefined => (e.op === 'const' ? e.value : undefined);
const termKey = (t: Term) => t.factors.map((f) => `${key(f.base)}^${key(f.exp)}`).sort().join('*');

/** Multiplies factor lists, merging equal bases whose exponents are both integers. */
function mergeFactors(into: Factor[], more: readonly Factor[]): Factor[] {
  const out = into.slice();
  for (const f of more) {
    const k = key(f.base);
    const i = out.findIndex((g) => isInt(g.exp) && isInt(f.exp) && key(g.base) === k);
    if (i < 0) {
      out.push(f);
      continue;
    }
    const n = (out[i].exp as { value: number }).value + (f.exp as { value: number }).value;
    if (n === 0) out.splice(i, 1);
    else out[i] = { base: out[i].base, exp: c(n) };
  }
  return out;
}

function multiply(a: Term, b: Term): Term {
  return { coef: a.coef * b.coef, factors: mergeFactors(a.factors, b.factors) };
}

/** A sum as a single term: itself if it has one term, else one factor holding the whole sum. */
function asTerm(terms: Term[]): Term {
  if (terms.length === 0) return { coef: 0, factors: [] };
  if (terms.length === 1) return terms[0];
  return { coef: 1, factors: [{ base: build(terms), exp: c(1) }] };
}

/** Adds terms, merging those with the same product; a zero coefficient drops the term. */
function collect(terms: readonly Term[]): Term[] {
  const out: Term[] = [];
  const at = new Map<string, number>();
  for (const t of terms) {
    if (t.coef === 0) continue;
    const k = termKey(t);
    const i = at.get(k);
    if (i === undefined) {
      at.set(k, out.length);
      out.push(t);
    } else {
      out[i] = { coef: out[i].coef + t.coef, factors: out[i].factors };
    }
  }
  return out.filter((t) => t.coef !== 0);
}

/** A term c·(sum) with c = ±1 is the sum itself: flattening it is not expanding anything. */
function flattenSigned(t: Term): Term[] {
  if (Math.abs(t.coef) === 1 && t.factors.length === 1 && constOf(t.factors[0].exp) === 1) {
    const inner = normalise(t.factors[0].base);
    if (inner.length > 1) return inner.map((u) => ({ coef: u.coef * t.coef, factors: u.factors }));
  }
  return [t];
}

/** The single opaque factor e (a call, a select, a vector, a non-integer power…). */
const opaque = (e: Expr): Term[] => [{ coef: 1, factors: [{ base: e, exp: c(1) }] }];

/** Folds a built-in call on constants when the result is an integer (exp(0), sqrt(4)). */
function foldCall(e: Extract<Expr, { op: 'call' }>): number | undefined {
  if (e.order !== 0 || !e.args.every((a) => a.op === 'const')) return undefined;
  const f = scalarFunction(e.fn);
  if (!f || e.args.length > 1 + f.params.length) return undefined;
  const [z, ...rest] = e.args.map((a) => (a as { value: number }).value);
  const v = f.value(z, f.params.map((p, i) => rest[i] ?? p.default));
  return Number.isInteger(v) ? v : undefined;
}

function normalise(e: Expr): Term[] {
  let terms = memo?.terms.get(e);
  if (terms === undefined) {
    terms = normaliseNode(e);
    memo?.terms.set(e, terms);
  }
  return terms;
}

function normaliseNode(e: Expr): Term[] {
  if (memo) memo.normalised++;
  switch (e.op) {
    // A named constant stays a factor, as a variable does: 2·pi·x reads better than 6.28318530718·x.
    case 'const': return e.name ? opaque(e) : e.value === 0 ? [] : [{ coef: e.value, factors: [] }];
    case 'var': return opaque(e);
    case 'neg': return normalise(e.a).map((t) => ({ coef: -t.coef, factors: t.factors }));
    case 'add':
    case 'sub': {
      const sign = e.op === 'add' ? 1 : -1;
      const b = normalise(e.b).map((t) => ({ coef: sign * t.coef, factors: t.factors }));
      return collect([...normalise(e.a), ...b].flatMap(flattenSigned));
    }
    case 'mul': {
      const a = normalise(e.a);
      const b = normalise(e.b);
      if (a.length === 0 || b.length === 0) return [];
      return collect(flattenSigned(multiply(asTerm(a), asTerm(b))));
    }
    case 'div': {
      const a = normalise(e.a);
      const b = normalise(e.b);
      // Dividing by zero keeps the divisor as written: its ±∞ or NaN is the honest answer, and
      // the sign of a zero (0·x is −0 for x < 0) decides which infinity it is.
      if (b.length === 0) return opaque({ op: 'div', a: build(a), b: e.b });
      if (a.length === 0) return [];
      const d = asTerm(b);
      const t = multiply(asTerm(a), { coef: 1, factors: d.factors.map(inverseFactor) });
      // a/d rather than a·(1/d): one rounding, and 3/6 is exactly 0.5.
      return collect(flattenSigned({ coef: t.coef / d.coef, factors: t.factors }));
    }
    case 'pow': {
      const exp = simplify(e.b);
      const k = constOf(exp);
      if (k === 0) return [{ coef: 1, factors: [] }]; // Math.pow(anything, 0) is 1, NaN included
      const a = normalise(e.a);
      // 0 to a negative power is ±∞ by the sign of the zero: keep the base as written.
      if (k !== undefined && k < 0 && a.length === 0) return opaque({ op: 'pow', a: e.a, b: exp });
      return normalisePow(a, exp);
    }
    case 'call': {
      const args = e.args.map((a) => simplify(a));
      const call: Extract<Expr, { op: 'call' }> = { ...e, args };
      const folded = foldCall(call);
      if (folded !== undefined) return folded === 0 ? [] : [{ coef: folded, factors: [] }];
      return opaque(call);
    }
    case 'vector': return opaque({ op: 'vector', items: e.items.map((i) => simplify(i)) });
    case 'select': {
      const [a, b] = [e.a, e.b].map((x) => simplify(x));
      const thenTerms = normalise(e.then);
      const otherTerms = normalise(e.otherwise);
      const [then, otherwise] = [build(thenTerms), build(otherTerms)];
      if (key(then) === key(otherwise)) return thenTerms; // a tie averages equal halves
      const x = constOf(a);
      const y = constOf(b);
      if (x !== undefined && y !== undefined && !Number.isNaN(x) && !Number.isNaN(y)) {
        if (x > y) return thenTerms;
        if (x < y) return otherTerms;
      }
      return opaque({ op: 'select', a, b, then, otherwise });
    }
  }
}

/** f^-1: an integer exponent is negated; any other becomes an opaque factor to the power −1. */
function inverseFactor(f: Factor): Factor {
  if (isInt(f.exp)) return { base: f.base, exp: c(-f.exp.value) };
  return { base: factorExpr(f), exp: c(-1) };
}

/** a^exp, a already normalised, exp simplified and not 0. */
function normalisePow(a: Term[], exp: Expr): Term[] {
  const k = constOf(exp);
  if (k === 1) return a;
  if (k === undefined) return opaque({ op: 'pow', a: build(a), b: exp });
  if (a.length === 0) return Math.pow(0, k) === 0 ? [] : [{ coef: Math.pow(0, k), factors: [] }];
  if (a.length > 1) return [{ coef: 1, factors: [{ base: build(a), exp }] }];
  const t = a[0];
  if (t.factors.length === 0) {
    const v = Math.pow(t.coef, k);
    // 2^0.5 reads better than 1.41421356237; an integer power of a number is just a number.
    if (Number.isInteger(k) || Number.isInteger(v)) return [{ coef: v, factors: [] }];
    return [{ coef: 1, factors: [{ base: c(t.coef), exp }] }];
  }
  if (Number.isInteger(k) && t.factors.every((f) => isInt(f.exp))) {
    // (c·∏ xᵢ^nᵢ)^k = c^k ∏ xᵢ^(nᵢk) for integers: (2z)^2 = 4z^2, (−z)^2 = z^2.
    const factors = t.factors.map((f) => ({ base: f.base, exp: c((f.exp as { value: number }).value * k) }));
    return [{ coef: Math.pow(t.coef, k), factors: factors.filter((f) => constOf(f.exp) !== 0) }];
  }
  if (t.coef === 1 && t.factors.length === 1 && constOf(t.factors[0].exp) === 1) {
    return [{ coef: 1, factors: [{ base: t.factors[0].base, exp }] }];
  }
  return [{ coef: 1, factors: [{ base: build(a), exp }] }];
}

// ---- rebuilding a tree from the normal form -----------------------------------------------------

const factorExpr = (f: Factor): Expr => (constOf(f.exp) === 1 ? f.base : bin('pow', f.base, f.exp));

/** Factors in reading order: numbers, then variables, then the rest as they came. */
function ordered(factors: readonly Factor[]): Factor[] {
  const rank = (f: Factor) => (f.base.op === 'const' ? 0 : f.base.op === 'var' ? 1 : 2);
  return factors.map((f, i) => ({ f, i })).sort((x, y) => rank(x.f) - rank(y.f) || x.i - y.i).map((x) => x.f);
}

/** The largest denominator a coefficient is printed with: 10! / 10, so x^8 / 40320 and x^9 / 362880 read as written. */
export const MAX_DENOMINATOR = 1_000_000;
/**
 * How close p/q must be to a coefficient, relative: about 45 float64 ulps, room for the few
 * roundings of simplify's arithmetic on exact ratios (1/40320 · 8), and 50 times tighter than
 * the 12 significant digits a decimal is printed with. So a fraction is never further from the
 * value than the decimal it replaces would be, even for a value that is no ratio at all.
 */
const FRACTION_TOLERANCE = 1e-14;

/**
 * The simplest p/q (q ≤ MAX_DENOMINATOR) within FRACTION_TOLERANCE of m > 0, or undefined. The
 * convergents p_k/q_k of m's continued fraction [a0; a1, a2, …] (p_k = a_k p_{k−1} + p_{k−2},
 * likewise q_k) are its best approximations, each with the smallest denominator for its
 * accuracy, so the first one close enough is the ratio m was computed from.
 */
export function fraction(m: number): [number, number] | undefined {
  let [p0, q0, p1, q1] = [0, 1, 1, 0];
  let x = m;
  for (let k = 0; k < 64; k++) {
    const a = Math.floor(x);
    const [p, q] = [a * p1 + p0, a * q1 + q0];
    if (q > MAX_DENOMINATOR || p > Number.MAX_SAFE_INTEGER) return undefined;
    if (Math.abs(p / q - m) <= FRACTION_TOLERANCE * m) return [p, q];
    [p0, q0, p1, q1] = [p1, q1, p, q];
    if (x === a) return undefined;
    x = 1 / (x - a);
  }
  return undefined;
}

/**
 * |coef| as p/q for printing: halves as fractions (z^2 / 2 rather than 0.5·z^2), else a short
 * decimal (0.2·z rather than z / 5) unless there is only a denominator (1 / (5·u)), else a ratio
 * of integers when it reads shorter than the decimal (x^7 / 5040 rather than 0.000198412698413·x^7, z / 3
 * rather than 0.333333333333·z), else the float itself.
 */
function rational(m: number, preferFraction: boolean): [number, number] {
  if (Number.isInteger(m) || !Number.isFinite(m)) return [m, 1];
  const half = Math.round(m * 2);
  if (half > 0 && Math.abs(m * 2 - half) <= 1e-12 * m * 2) return [half, 2];
  if (String(m).length <= 6 && !preferFraction) return [m, 1];
  const f = fraction(m);
  if (!f) return [m, 1];
  const [fractionLength, decimalLength] = [`${f[0]}/${f[1]}`.length, numberLiteral(m).length];
  if (fractionLength < decimalLength || (preferFraction && fractionLength === decimalLength)) return f;
  return [m, 1];
}

function termExpr(t: Term): Expr {
  if (t.factors.length === 0) return c(t.coef); // a number stays a number: x^(−2), not x^(−(2))
  const fs = ordered(t.factors);
  const up = fs.filter((f) => !(f.exp.op === 'const' && f.exp.value < 0)).map(factorExpr);
  const down = fs.filter((f) => f.exp.op === 'const' && f.exp.value < 0).map((f) => factorExpr({ base: f.base, exp: c(-(f.exp as { value: number }).value) }));
  // With nothing but a denominator, 1 / (4·u) reads better than 0.25 / u.
  const [p, q] = rational(Math.abs(t.coef), up.length === 0);
  const num = p === 1 && up.length > 0 ? up : [c(p), ...up];
  const den = q === 1 ? down : [c(q), ...down];
  const body = den.length === 0 ? product(...num) : bin('div', product(...num), product(...den));
  return t.coef < 0 ? { op: 'neg', a: body } : body;
}

/** A sum from its terms; a leading negative term yields to the first positive one (1 − x). */
function build(terms: readonly Term[]): Expr {
  if (terms.length === 0) return c(0);
  const ts = terms.slice();
  const firstPositive = ts.findIndex((t) => t.coef > 0);
  if (firstPositive > 0) ts.unshift(...ts.splice(firstPositive, 1));
  let out = termExpr(ts[0]);
  for (const t of ts.slice(1)) {
    out = t.coef < 0 ? bin('sub', out, termExpr({ coef: -t.coef, factors: t.factors })) : bin('add', out, termExpr(t));
  }
  return out;
}

/**
 * An equal, simpler expression: constants folded, x + 0 = x, x·1 = x, x·0 = 0, x^1 = x, x^0 = 1,
 * x·x = x^2, xᵃ·xᵇ = xᵃ⁺ᵇ (integers a, b), x/x = 1, a − (−b) = a + b, −1·x = −x, products flattened
 * with numbers first, equal terms collected (2x + 3x = 5x). Sums are not multiplied out.
 * Wherever e is finite, simplify(e) evaluates to the same number up to rounding.
 */
export function simplify(e: Expr, work?: SimplifyWork): Expr {
  if (memo) return build(normalise(e)); // a nested call, for an argument or an exponent
  memo = { keys: new Map(), terms: new Map(), normalised: 0 };
  try {
    return build(normalise(e));
  } finally {
    if (work) work.normalised = memo.normalised;
    memo = undefined;
  }
}

/**
 * How much work a simplify() call did: the nodes it normalised, each once (the memo). A measure
 * that does not depend on the machine, for tests that bound the work on shared trees.
 */
export interface SimplifyWork {
  normalised: number;
}

// ---- printing ---------------------------------------------------------------------------------

const MINUS = '−'; // U+2212, for every minus: binary, unary and a number's sign

function prettyNumber(x: number): string {
  const s = numberLiteral(x);
  return s.startsWith('-') ? MINUS + s.slice(1) : s;
}

/** Binding strength: 1 sums, 2 products, 3 negation, 4 powers, 5 atoms. */
function precedence(e: Expr): number {
  switch (e.op) {
    case 'add':
    case 'sub': return 1;
    case 'mul':
    case 'div': return 2;
    case 'neg': return 3;
    case 'pow': return 4;
    case 'const': return !e.name && (e.value < 0 || Object.is(e.value, -0)) ? 3 : 5;
    default: return 5;
  }
}

/** The factors of a product chain, in order. */
function mulFactors(e: Expr): Expr[] {
  return e.op === 'mul' ? [...mulFactors(e.a), ...mulFactors(e.b)] : [e];
}

/**
 * Prints e for people: `·` for products, ` / ` for quotients, `^` for powers, `−` for minus, and
 * parentheses only where precedence needs them. A parenthesised sum after a call is juxtaposed,
 * as a textbook writes it: `sigmoid(z)(1 − sigmoid(z))`. Display functions print as Iverson
 * brackets `[u > 0]`, `sign(u)`, `Φ(u)`, `φ(u)`.
 */
export function pretty(e: Expr): string {
  const wrap = (x: Expr, min: number) => (precedence(x) < min ? `(${pretty(x)})` : pretty(x));
  switch (e.op) {
    case 'const': return e.name ?? prettyNumber(e.value);
    case 'var': return e.name;
    // −(a·b) = (−a)·b, so a product needs no parentheses; a sum does.
    case 'neg': return MINUS + (precedence(e.a) === 3 ? `(${pretty(e.a)})` : wrap(e.a, 2));
    case 'add':
    case 'sub': {
      // a − (b + c) and a + (−b) need parentheses; a − b·c does not.
      const right = precedence(e.b) === 1 || precedence(e.b) === 3 ? `(${pretty(e.b)})` : pretty(e.b);
      return `${pretty(e.a)} ${e.op === 'add' ? '+' : MINUS} ${right}`;
    }
    case 'mul': {
      const fs = mulFactors(e);
      let out = '';
      fs.forEach((f, i) => {
        // A leading sign reads as the product's (−2·z); later ones need parentheses: z·(−2).
        // A quotient is parenthesised so that a / b·c is never misread.
        const bare = f.op !== 'div' && (i === 0 ? precedence(f) >= 3 : precedence(f) >= 4);
        const s = bare ? pretty(f) : `(${pretty(f)})`;
        if (i > 0) out += out.endsWith(')') && (f.op === 'add' || f.op === 'sub') ? '' : '·';
        out += s;
      });
      return out;
    }
    case 'div': return `${wrap(e.a, 2)} / ${wrap(e.b, 4)}`;
    case 'pow': {
      // A name, a call or a non-negative number needs no parentheses as an exponent.
      const exp = precedence(e.b) === 5 && e.b.op !== 'vector' && e.b.op !== 'select' ? pretty(e.b) : `(${pretty(e.b)})`;
      return `${wrap(e.a, 5)}^${exp}`;
    }
    case 'vector': return `[${e.items.map(pretty).join(', ')}]`;
    case 'select': return `(${pretty(e.a)} > ${pretty(e.b)} ? ${pretty(e.then)} : ${pretty(e.otherwise)})`;
    case 'call': {
      const args = e.args.map(pretty).join(', ');
      if (e.order === 0 && e.fn === DISPLAY.positive) return `[${args} > 0]`;
      if (e.order === 0 && e.fn === DISPLAY.nonPositive) return `[${args} ≤ 0]`;
      if (e.order === 0 && e.fn === DISPLAY.sign) return `sign(${args})`;
      return `${e.fn}${"'".repeat(e.order)}(${args})`;
    }
  }
}

// ---- the formula a hover shows --------------------------------------------------------------------

/** Past this many nodes the identities are not applied: f'(u) stays compact where they would nest. */
const MAX_REWRITTEN_SIZE = 400;

/**
 * The derivative of `body` in `param`, for reading: d body / d param by expr.ts's exact rules,
 * with f'(u) and f''(u) of built-ins written in terms of f (sigmoid'(u) = sigmoid(u)(1 − sigmoid(u)),
 * tanh'(u) = 1 − tanh(u)^2, …), then simplified. `fn mish(z) = z * tanh(softplus(z))` gives
 * `tanh(softplus(z)) + z·(1 − tanh(softplus(z))^2)·sigmoid(z)`. Derivatives of user functions stay
 * f'(u): they have their own hover. Throws expr.ts's EvalError where derive does (a vector
 * function, a varying parameter).
 */
export function derivativeFormula(body: Expr, param: string, isScalarFn: (name: string) => boolean): string {
  const d = derive(body, param, (name) => (isScalarFn(name) ? 'scalar' : 'other'));
  const rewritten = rewriteDerivatives(d);
  const cap = Math.max(MAX_REWRITTEN_SIZE, 4 * size(d, 1e6));
  return pretty(simplify(size(rewritten, cap) <= cap ? rewritten : d));
}

// ---- evaluation, with the display functions ------------------------------------------------------

const usesDisplay = (e: Expr): boolean => {
  switch (e.op) {
    case 'const':
    case 'var': return false;
    case 'neg': return usesDisplay(e.a);
    case 'call': return AUXILIARY_BY_NAME.has(e.fn) || e.args.some(usesDisplay);
    case 'vector': return e.items.some(usesDisplay);
    case 'select': return [e.a, e.b, e.then, e.otherwise].some(usesDisplay);
    default: return usesDisplay(e.a) || usesDisplay(e.b);
  }
};

/**
 * The value of a rewritten formula: expr.ts's evaluate, extended with the display functions
 * ([u > 0], [u ≤ 0], sign, Φ, φ). Scalar only; it exists so that tests can check a formula
 * against the derivative it was made from.
 */
export function evaluateFormula(e: Expr, env: Environment): number {
  if (!usesDisplay(e)) {
    const v = evaluate(e, env);
    if (typeof v !== 'number') throw new Error('evaluateFormula: the formula is not a number');
    return v;
  }
  const at = (x: Expr) => evaluateFormula(x, env);
  switch (e.op) {
    case 'neg': return -at(e.a);
    case 'add': return at(e.a) + at(e.b);
    case 'sub': return at(e.a) - at(e.b);
    case 'mul': return at(e.a) * at(e.b);
    case 'div': return at(e.a) / at(e.b);
    case 'pow': return Math.pow(at(e.a), at(e.b));
    case 'call': {
      const display = AUXILIARY_BY_NAME.get(e.fn);
      if (display) return display(at(e.args[0]));
      return evaluateFormula({ ...e, args: e.args.map((a) => c(at(a))) }, env);
    }
    case 'select': return evaluateFormula({ op: 'select', a: c(at(e.a)), b: c(at(e.b)), then: c(at(e.then)), otherwise: c(at(e.otherwise)) }, env);
    default: throw new Error('evaluateFormula: the formula is not a number');
  }
}
