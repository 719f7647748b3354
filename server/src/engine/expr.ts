import { MAX_DERIVATIVE_ORDER, scalarFunction } from './activations';
import { add, call, constant, div, mul, neg, num, pow, sub, type Expr } from './expr-nodes';
import { softmax, softmaxJacobian } from './softmax';
import { describeShape, flatten, groupDigits, isMatrix, map, ShapeError, zip, type Value } from './value';

/**
 * Symbolic expressions at work: exact differentiation, evaluation and printing. The tree and its
 * constructors are in expr-nodes.ts (the built-ins' derivative identities build trees too, and
 * this module needs the built-ins); they are re-exported here, where callers look for them.
 */
export { add, call, constant, div, mul, neg, num, pow, sub, type Expr };

export class EvalError extends Error {
  constructor(message: string, readonly node: Expr) {
    super(message);
  }
}

/** A user-defined scalar function `fn name(param) = body`. */
export interface UserFunction {
  param: string;
  body: Expr;
}

export interface Environment {
  /** Values of `let` names; may compute them on demand. */
  vars: { get(name: string): Value | undefined };
  fns: ReadonlyMap<string, UserFunction>;
  /** The forward pass of a network with its current parameters, if `name` is one. */
  network?(name: string): ((x: number[]) => number[]) | undefined;
  /** Derived bodies of user functions, by `name/order`; shared across evaluations. */
  derivedCache?: Map<string, Expr>;
}

export const MAX_CALL_DEPTH = 200;

// ---- differentiation --------------------------------------------------------------------------

/** The direct sub-expressions of e. */
export function children(e: Expr): Expr[] {
  switch (e.op) {
    case 'const':
    case 'var': return [];
    case 'neg': return [e.a];
    case 'call': return e.args;
    case 'vector': return e.items;
    case 'select': return [e.a, e.b, e.then, e.otherwise];
    default: return [e.a, e.b];
  }
}

/** Whether some node of e satisfies test. */
export function some(e: Expr, test: (node: Expr) => boolean): boolean {
  return test(e) || children(e).some((c) => some(c, test));
}

/** Whether e depends on the variable x (through the expression, not through a call's body). */
export function dependsOn(e: Expr, x: string): boolean {
  return some(e, (n) => n.op === 'var' && n.name === x);
}

/** dependsOn, remembering each node's answer: derived trees share subtrees, asked about again and again. */
function dependsMemo(e: Expr, x: string, memo: Map<Expr, boolean>): boolean {
  let r = memo.get(e);
  if (r === undefined) {
    r = (e.op === 'var' && e.name === x) || children(e).some((c) => dependsMemo(c, x, memo));
    memo.set(e, r);
  }
  return r;
}

/**
 * d e / d x, symbolically. Rules: sum, product and quotient rules; (u^c)' = c u^{c-1} u' for an
 * exponent that does not depend on x, else (u^v)' = u^v (v' ln u + v u'/u); and the chain rule
 * for calls, f⁽ⁿ⁾(u)' = f⁽ⁿ⁺¹⁾(u) u', which the evaluator computes exactly from closed forms.
 */
export function derive(e: Expr, x: string, isFunction: (name: string) => 'scalar' | 'other', depends = new Map<Expr, boolean>()): Expr {
  const d = (u: Expr) => derive(u, x, isFunction, depends);
  if (!dependsMemo(e, x, depends)) return num(0);
  switch (e.op) {
    case 'const': return num(0);
    case 'var': return num(1);
    case 'neg': return neg(d(e.a));
    case 'add': return add(d(e.a), d(e.b));
    case 'sub': return sub(d(e.a), d(e.b));
    case 'mul': return add(mul(d(e.a), e.b), mul(e.a, d(e.b)));
    case 'div': return sub(div(d(e.a), e.b), div(mul(e.a, d(e.b)), pow(e.b, num(2))));
    case 'pow': {
      if (!dependsOn(e.b, x)) return mul(mul(e.b, pow(e.a, sub(e.b, num(1)))), d(e.a));
      return mul(e, add(mul(d(e.b), call('log', 0, [e.a])), div(mul(e.b, d(e.a)), e.a)));
    }
    case 'vector': return { op: 'vector', items: e.items.map(d) };
    case 'select': return { op: 'select', a: e.a, b: e.b, then: d(e.then), otherwise: d(e.otherwise) };
    case 'call': {
      const [u, ...params] = e.args;
      if (e.fn === 'sum' && e.order === 0 && e.args.length === 1) return call('sum', 0, [d(u)]);
      // ‖u‖' = Σ u_i u_i' / ‖u‖ (undefined at u = 0, where the norm has a cone: 0/0 is NaN there).
      if (e.fn === 'norm' && e.order === 0 && e.args.length === 1) return div(call('sum', 0, [mul(u, d(u))]), e);
      if ((e.fn === 'max' || e.fn === 'min') && e.order === 0 && e.args.length === 2) {
        const [a, b] = e.fn === 'max' ? [e.args[0], e.args[1]] : [e.args[1], e.args[0]];
        return { op: 'select', a, b, then: d(e.fn === 'max' ? e.args[0] : e.args[1]), otherwise: d(e.fn === 'max' ? e.args[1] : e.args[0]) };
      }
      if (isFunction(e.fn) !== 'scalar') {
        throw new EvalError(`cannot differentiate through ${e.fn}(…): derivatives are taken of scalar functions of one variable`, e);
      }
      if (params.some((p) => dependsOn(p, x))) {
        throw new EvalError(`cannot differentiate ${e.fn} with respect to its parameter: only its first argument varies`, e);
      }
      if (e.order + 1 > MAX_DERIVATIVE_ORDER) {
        throw new EvalError(`derivatives of order above ${MAX_DERIVATIVE_ORDER} are not computed`, e);
      }
      return mul(call(e.fn, e.order + 1, e.args), d(u));
    }
  }
}

/**
 * The most nodes a fn's derivative may have. Each order can multiply the size (the product rule
 * doubles a product's terms), so a high derivative of a composite fn could take minutes and
 * gigabytes; past this size it is refused instead.
 */
export const MAX_DERIVATIVE_SIZE = 1_000_000;

/** Whether e, as a tree, has more than `cap` nodes; walks at most cap + 1 of them. */
function exceeds(e: Expr, cap: number): boolean {
  const stack = [e];
  for (let count = 0; stack.length; ) {
    if (++count > cap) return true;
    for (const c of children(stack.pop()!)) stack.push(c);
  }
  return false;
}

// ---- evaluation -------------------------------------------------------------------------------

/** The longest vector whose softmax Jacobian (n × n) is computed. */
export const MAX_JACOBIAN_SIZE = 1000;

/** Evaluates e in env. Throws EvalError (naming the node) for a mistake the checker could not see. */
export function evaluate(e: Expr, env: Environment): Value {
  return new Evaluator(env).run(e);
}

/** What evaluating an expression gave: its value, or the mistake that stopped it. */
export type Outcome = { value: Value } | { error: EvalError };

/**
 * `evaluate`, with a mistake in the expression as a value rather than a throw: for displays
 * (hovers, plots, inlay hints) that show a number where there is one and nothing where there is
 * not. Anything but an EvalError is a bug of ours, and still throws.
 */
export function tryEvaluate(e: Expr, env: Environment): Outcome {
  try {
    return { value: evaluate(e, env) };
  } catch (err) {
    if (err instanceof EvalError) return { error: err };
    throw err;
  }
}

/** The number e evaluates to, or NaN where it has none (a mistake, or a vector): a plot's y. */
export function scalarOrNaN(e: Expr, env: Environment): number {
  const r = tryEvaluate(e, env);
  return 'value' in r && typeof r.value === 'number' ? r.value : NaN;
}

class Evaluator {
  private depth = 0;
  private readonly cache: Map<string, Expr>;

  constructor(private readonly env: Environment) {
    this.cache = env.derivedCache ?? new Map();
  }

  /** `locals` holds a user function's parameter while its body runs; it shadows `let` names. */
  run(e: Expr, locals?: ReadonlyMap<string, Value>): Value {
    const vars = locals;
    switch (e.op) {
      case 'const': return e.value;
      case 'var': {
        const v = locals?.get(e.name) ?? this.env.vars.get(e.name);
        if (v === undefined) throw new EvalError(`\`${e.name}\` has no value`, e);
        return v;
      }
      case 'neg': return map(this.run(e.a, vars), (x) => -x);
      case 'vector': return this.vector(e, vars);
      case 'select': {
        const a = this.run(e.a, vars);
        const b = this.run(e.b, vars);
        const t = this.run(e.then, vars);
        const o = this.run(e.otherwise, vars);
        const cmp = this.binary(e, a, b, (x, y) => Math.sign(x - y) || 0);
        const fromThen = this.binary(e, cmp, t, (c, ti) => (c > 0 ? ti : c === 0 ? ti / 2 : 0));
        const fromOtherwise = this.binary(e, cmp, o, (c, oi) => (c < 0 ? oi : c === 0 ? oi / 2 : 0));
        return this.binary(e, fromThen, fromOtherwise, (x, y) => x + y);
      }
      case 'call': return this.call(e, vars);
      default: {
        const a = this.run(e.a, vars);
        const b = this.run(e.b, vars);
        switch (e.op) {
          case 'add': return this.binary(e, a, b, (x, y) => x + y);
          case 'sub': return this.binary(e, a, b, (x, y) => x - y);
          case 'mul': return this.binary(e, a, b, (x, y) => x * y);
          case 'div': return this.binary(e, a, b, (x, y) => x / y);
          default: return this.binary(e, a, b, (x, y) => Math.pow(x, y));
        }
      }
    }
  }

  private binary(e: Expr, a: Value, b: Value, f: (x: number, y: number) => number): Value {
    try {
      return zip(a, b, f);
    } catch (err) {
      if (err instanceof ShapeError) throw new EvalError(err.message, e);
      throw err;
    }
  }

  private vector(e: Extract<Expr, { op: 'vector' }>, vars: ReadonlyMap<string, Value> | undefined): Value {
    const items = e.items.map((item) => this.run(item, vars));
    if (items.every((v) => typeof v === 'number')) return items as number[];
    if (items.every((v) => Array.isArray(v) && !isMatrix(v))) {
      const rows = items as number[][];
      if (rows.some((r) => r.length !== rows[0].length)) {
        throw new EvalError(`the rows of this matrix have different lengths (${rows.map((r) => r.length).join(', ')})`, e);
      }
      if (rows[0].length === 0) throw new EvalError('a matrix cannot have empty rows', e);
      return rows;
    }
    throw new EvalError('a vector holds numbers and a matrix holds vectors of numbers; this mixes them or nests deeper', e);
  }

  private call(e: Extract<Expr, { op: 'call' }>, vars: ReadonlyMap<string, Value> | undefined): Value {
    const prime = "'".repeat(e.order);
    const user = this.env.fns.get(e.fn);
    if (user) {
      if (e.args.length !== 1) throw new EvalError(`${e.fn} takes one argument, not ${e.args.length}`, e);
      const arg = this.run(e.args[0], vars);
      if (++this.depth > MAX_CALL_DEPTH) throw new EvalError(`calls nest more than ${MAX_CALL_DEPTH} deep (is ${e.fn} recursive?)`, e);
      try {
        const body = this.derived(e.fn, user, e.order, e);
        return this.run(body, new Map([[user.param, arg]]));
      } finally {
        this.depth--;
      }
    }
    const net = this.env.network?.(e.fn);
    if (net) {
      if (e.order > 0) throw new EvalError(`${e.fn}${prime}(…) is not defined: a network's derivative is what \`probe\` computes`, e);
      if (e.args.length !== 1) throw new EvalError(`the network ${e.fn} takes one input vector`, e);
      const x = this.run(e.args[0], vars);
      if (typeof x === 'number' || isMatrix(x)) throw new EvalError(`the network ${e.fn} takes a vector, not ${describeShape(x)}`, e);
      return net(x as number[]);
    }
    const scalar = scalarFunction(e.fn);
    if (scalar) {
      const expected = 1 + scalar.params.length;
      if (e.order > MAX_DERIVATIVE_ORDER) throw new EvalError(`derivatives of order above ${MAX_DERIVATIVE_ORDER} are not computed`, e);
      if (e.args.length < 1 || e.args.length > expected) {
        throw new EvalError(`${e.fn} takes ${expected === 1 ? 'one argument' : `1 to ${expected} arguments (z${scalar.params.map((p) => `, ${p.name}`).join('')})`}, not ${e.args.length}`, e);
      }
      const z = this.run(e.args[0], vars);
      const params = scalar.params.map((p, i) => {
        if (i + 1 >= e.args.length) return p.default;
        const v = this.run(e.args[i + 1], vars);
        if (typeof v !== 'number') throw new EvalError(`the parameter ${p.name} of ${e.fn} must be a number, not ${describeShape(v)}`, e.args[i + 1]);
        return v;
      });
      if (e.order === 0) return map(z, (x) => scalar.value(x, params));
      return map(z, (x) => scalar.nth(e.order, x, params));
    }
    const args = e.args.map((a) => this.run(a, vars));
    const name = e.fn + prime;
    switch (e.fn) {
      case 'softmax': {
        if (args.length !== 1) throw new EvalError(`softmax takes one vector, not ${args.length} arguments`, e);
        const v = args[0];
        if (typeof v === 'number' || isMatrix(v)) throw new EvalError(`softmax takes a vector, not ${describeShape(v)}`, e);
        if (v.length === 0) throw new EvalError('softmax of an empty vector is not defined', e);
        if (e.order === 0) return softmax(v as number[]);
        if (e.order === 1) {
          // The Jacobian has n² entries: past MAX_JACOBIAN_SIZE it would exhaust memory, not inform.
          if (v.length > MAX_JACOBIAN_SIZE) throw new EvalError(`the Jacobian softmax'(v) of ${v.length} elements would be a ${v.length}×${v.length} matrix; the limit is ${MAX_JACOBIAN_SIZE} elements`, e);
          return softmaxJacobian(softmax(v as number[]));
        }
        throw new EvalError(`${name} is not computed: softmax' is its Jacobian; higher derivatives are tensors`, e);
      }
      case 'sum':
        if (e.order > 0) throw new EvalError(`${name} is not defined: sum is not a scalar function of one variable`, e);
        if (args.length !== 1) throw new EvalError(`sum takes one vector or matrix, not ${args.length} arguments`, e);
        return flatten(args[0]).reduce((s, x) => s + x, 0);
      case 'norm': {
        // ‖v‖ = √(Σ v_i²), the Euclidean norm of a vector (of a matrix: of all its elements, Frobenius).
        if (e.order > 0) throw new EvalError(`${name} is not defined: norm is not a scalar function of one variable`, e);
        if (args.length !== 1) throw new EvalError(`norm takes one vector or matrix, not ${args.length} arguments`, e);
        return euclideanNorm(flatten(args[0]));
      }
      case 'max':
      case 'min': {
        if (e.order > 0) throw new EvalError(`${name} is not defined: ${e.fn} is not a scalar function of one variable`, e);
        const pick = e.fn === 'max' ? Math.max : Math.min;
        if (args.length === 1) {
          const all = flatten(args[0]);
          if (all.length === 0) throw new EvalError(`${e.fn} of an empty vector is not defined`, e);
          return all.reduce((m, x) => pick(m, x));
        }
        if (args.length === 2) return this.binary(e, args[0], args[1], pick);
        throw new EvalError(`${e.fn} takes a vector, or two values, not ${args.length} arguments`, e);
      }
    }
    throw new EvalError(`\`${e.fn}\` is not a function`, e);
  }

  /** The body of `fn` differentiated `order` times in its parameter, cached. */
  private derived(name: string, f: UserFunction, order: number, at: Expr): Expr {
    if (order === 0) return f.body;
    const key = `${name}/${order}`;
    const hit = this.cache.get(key);
    if (hit) return hit;
    if (order > MAX_DERIVATIVE_ORDER) throw new EvalError(`derivatives of order above ${MAX_DERIVATIVE_ORDER} are not computed`, at);
    const prev = this.derived(name, f, order - 1, at);
    const kind = (fn: string): 'scalar' | 'other' => (this.env.fns.has(fn) || scalarFunction(fn) ? 'scalar' : 'other');
    const d = derive(prev, f.param, kind);
    if (exceeds(d, MAX_DERIVATIVE_SIZE)) {
      throw new EvalError(`the derivative of order ${order} of ${name} has more than ${groupDigits(MAX_DERIVATIVE_SIZE)} terms; it is not computed`, at);
    }
    this.cache.set(key, d);
    return d;
  }
}

/**
 * ‖v‖ = √(Σ v_i²), in element order. Where a square could overflow or underflow (max |v_i| past
 * 1e150 or below 1e-150) it is m·√(Σ (v_i/m)²) with m = max |v_i|, so a vector of 1e200s has a
 * finite norm; an infinite element gives Infinity, a NaN NaN.
 */
export function euclideanNorm(v: readonly number[]): number {
  let m = 0;
  for (const x of v) {
    if (Number.isNaN(x)) return NaN;
    m = Math.max(m, Math.abs(x));
  }
  if (m === 0 || m === Infinity) return m;
  let s = 0;
  if (m < 1e150 && m > 1e-150) {
    for (const x of v) s += x * x;
    return Math.sqrt(s);
  }
  for (const x of v) s += (x / m) * (x / m);
  return m * Math.sqrt(s);
}

// ---- printing ---------------------------------------------------------------------------------

const PRECEDENCE: Record<string, number> = { add: 1, sub: 1, mul: 2, div: 2, neg: 3, pow: 4 };

/** Prints e in the language's own syntax, with only the parentheses precedence needs. */
export function format(e: Expr): string {
  const wrap = (child: Expr, min: number) => {
    const s = format(child);
    const p = PRECEDENCE[child.op] ?? 9;
    return p < min || (child.op === 'const' && !child.name && child.value < 0 && min > 1) ? `(${s})` : s;
  };
  switch (e.op) {
    case 'const': return e.name ?? numberLiteral(e.value);
    case 'var': return e.name;
    case 'neg': return `-${wrap(e.a, 4)}`;
    case 'add': return `${wrap(e.a, 1)} + ${wrap(e.b, 2)}`;
    case 'sub': return `${wrap(e.a, 1)} - ${wrap(e.b, 2)}`;
    // Products associate, so a product on the right needs no parentheses.
    case 'mul': return `${wrap(e.a, 2)} * ${wrap(e.b, e.b.op === 'mul' ? 2 : 3)}`;
    case 'div': return `${wrap(e.a, 2)} / ${wrap(e.b, 3)}`;
    case 'pow': return `${wrap(e.a, 5)} ^ ${wrap(e.b, 3)}`;
    case 'vector': return `[${e.items.map(format).join(', ')}]`;
    case 'call': return `${e.fn}${"'".repeat(e.order)}(${e.args.map(format).join(', ')})`;
    case 'select': return `(${format(e.a)} > ${format(e.b)} ? ${format(e.then)} : ${format(e.otherwise)})`;
  }
}

/**
 * A constant as the language writes it in a printed expression (`format`, and the formulas
 * hovers show): whole numbers below 1e15 as they are, others to 12 significant digits. Not for
 * numbers shown on their own: analysis/format.ts `formatNumber` is that.
 */
export function numberLiteral(x: number): string {
  if (Number.isInteger(x) && Math.abs(x) < 1e15) return String(x);
  return String(Number(x.toPrecision(12)));
}
