import { builtinNames, MAX_DERIVATIVE_ORDER, scalarFunction } from '../engine/activations';
import { CONSTANT_NAMES, CONSTANTS, isConstantName } from '../engine/constants';
import * as E from '../engine/expr';
import { describeShape, groupDigits, isMatrix, type Value } from '../engine/value';
import type * as ast from '../syntax/ast';
import type { Span } from '../syntax/text';
import { capitalise } from './diagnostic';
import type { Program } from './program';
import { Spoiled, type Scope } from './scope';
import { notBuiltIn } from './suggest';

/**
 * Lowering (syntax expressions → the engine's symbolic form) and constants (lowered, then
 * evaluated). Every function takes the Scope it resolves names in: the checker while it checks,
 * or a checked Program (`constantValue`). A mistake is reported through the scope and ends the
 * expression with Spoiled.
 */

/** Names a fn may not take and a bare name may not be: the built-in functions. */
export const RESERVED_FOR_BUILTINS: ReadonlySet<string> = new Set(builtinNames());

function mark<T extends E.Expr>(s: Scope, e: T, span: Span): T {
  s.spans.set(e, span);
  return e;
}

/**
 * A fn's parameter, as `lower` takes it: unlike the variables of a data set's `function(…)` or
 * of a network's features, it marks a body lowered before the lets are computed.
 */
export class FnParams extends Set<string> {}

/** Lowers a syntax expression to the engine's form; names in `params` are its variables (a fn's parameter: FnParams). */
export function lower(s: Scope, e: ast.Expr, params: ReadonlySet<string>): E.Expr {
  switch (e.kind) {
    case 'number': return mark(s, E.num(e.value), e);
    case 'error': throw new Spoiled();
    case 'unary': return mark(s, { op: 'neg', a: lower(s, e.operand, params) }, e);
    case 'binary': {
      const ops = { '+': 'add', '-': 'sub', '*': 'mul', '/': 'div', '^': 'pow' } as const;
      return mark(s, { op: ops[e.op], a: lower(s, e.left, params), b: lower(s, e.right, params) }, e);
    }
    case 'vector': return mark(s, { op: 'vector', items: e.items.map((i) => lower(s, i, params)) }, e);
    case 'name': return mark(s, lowerName(s, e.name, params), e);
    case 'call': return mark(s, lowerCall(s, e, params), e);
  }
}

/** Lowers, or undefined when the expression is spoiled (its diagnostic reported). */
export function tryLower(s: Scope, e: ast.Expr, params: ReadonlySet<string>): E.Expr | undefined {
  try {
    return lower(s, e, params);
  } catch (err) {
    if (err instanceof Spoiled) return undefined;
    throw err;
  }
}

/**
 * A bare name: a fn's parameter, else a declared `let`, else one of the constants `pi` and `e`.
 * A declaration or a parameter of the same name hides the constant (docs/LANGUAGE.md, *Constants*):
 * the constants are not reserved words, so a file that names something `e` keeps its meaning.
 */
function lowerName(s: Scope, name: ast.Name, params: ReadonlySet<string>): E.Expr {
  const v = (): E.Expr => ({ op: 'var', name: name.text });
  if (params.has(name.text)) return v();
  const d = s.declarations.get(name.text);
  if (d?.kind === 'let') {
    // Outside a fn body, the let is computed now: an expression that names a let in error is
    // spoiled by it, wherever the let stands in the file (not only when it was computed first).
    // So too a data set's `function(…)` and a network's features, whose variables are no fn's.
    // A fn's body is lowered before any let is computed, and reads its lets when called.
    if (!(params instanceof FnParams)) s.letValue(name.text);
    else if (s.letFailed(name.text)) throw new Spoiled();
    return v();
  }
  if (d?.kind === 'network') throw s.error('not-a-value', name, `\`${name.text}\` is a network; call it on an input vector, as in \`${name.text}([…])\`.`);
  if (d?.kind === 'fn') throw s.error('not-a-value', name, `\`${name.text}\` is a function; call it, as in \`${name.text}(1.0)\`.`);
  if (d?.kind === 'data') throw s.error('not-a-value', name, `\`${name.text}\` is a data set; it is used by \`train\`, not in expressions.`);
  if (isConstantName(name.text)) return E.constant(name.text);
  if (RESERVED_FOR_BUILTINS.has(name.text)) throw s.error('not-a-value', name, `\`${name.text}\` is a function; call it, as in \`${name.text}(1.0)\`.`);
  const candidates = [...params, ...[...s.declarations.values()].filter((x) => x.kind === 'let').map((x) => x.name.text),
    // Any one-letter name is one edit from `e`: the constants are offered for longer words (`p1`) and for `E`.
    ...CONSTANT_NAMES.filter((c) => name.text.length > 1 || c === name.text.toLowerCase())];
  throw s.unknown('unknown-name', 'name', name, candidates);
}

function lowerCall(s: Scope, e: ast.CallExpr, params: ReadonlySet<string>): E.Expr {
  const name = e.callee.text;
  const prime = "'".repeat(e.primes);
  const args = () => e.args.map((a) => lower(s, a, params));
  const arity = (min: number, max: number, usage: string) => {
    if (e.args.length < min || e.args.length > max) {
      throw s.error('arity', e, `\`${name}${prime}\` takes ${usage}, not ${e.args.length} argument${e.args.length === 1 ? '' : 's'}.`);
    }
  };
  if (params.has(name)) throw s.error('not-a-function', e.callee, `\`${name}\` is this function's parameter, a value; it cannot be called.`);
  if (e.primes > MAX_DERIVATIVE_ORDER) throw s.error('derivative-order', e.callee, `\`${name}\` with ${e.primes} primes: derivatives of order above ${MAX_DERIVATIVE_ORDER} are not computed.`);
  const d = s.declarations.get(name);
  if (d?.kind === 'fn') {
    arity(1, 1, 'one argument');
    const a = args();
    if (!s.userFns.has(name)) throw new Spoiled(); // its own definition is in error
    return E.call(name, e.primes, a);
  }
  if (d?.kind === 'network') {
    if (e.primes > 0) throw s.error('network-derivative', e.callee, `\`${name}${prime}\` is not defined: the derivatives of a network are what \`probe ${name} … -> …\` computes.`);
    arity(1, 1, 'one input vector');
    return E.call(name, 0, args());
  }
  if (d?.kind === 'let' || d?.kind === 'data') throw s.error('not-a-function', e.callee, `\`${name}\` is a ${d.kind === 'let' ? 'value' : 'data set'}, not a function.`);
  const scalar = scalarFunction(name);
  if (scalar) {
    const n = 1 + scalar.params.length;
    arity(1, n, n === 1 ? 'one argument' : `1 to ${n} arguments (z${scalar.params.map((p) => `, ${p.name}`).join('')})`);
    return E.call(name, e.primes, args());
  }
  switch (name) {
    case 'softmax':
      arity(1, 1, 'one vector');
      if (e.primes > 1) throw s.error('derivative-order', e.callee, `\`softmax${prime}\` is not computed: softmax' is the Jacobian dp_i/dz_j = p_i(δ_ij - p_j); higher derivatives are tensors.`);
      return E.call(name, e.primes, args());
    case 'sum':
    case 'norm':
    case 'max':
    case 'min':
      if (e.primes > 0) throw s.error('derivative-order', e.callee, `\`${name}${prime}\` is not defined: derivatives are taken of scalar functions of one variable.`);
      if (name === 'sum' || name === 'norm') arity(1, 1, 'one vector or matrix');
      else arity(1, 2, 'a vector, or two values');
      return E.call(name, 0, args());
  }
  if (isConstantName(name)) throw s.error('not-a-function', e.callee, `\`${name}\` is a constant (${CONSTANTS[name].value}), not a function; multiply with \`*\`, as in \`2 * ${name}\`.`);
  const elsewhere = notBuiltIn(name);
  if (elsewhere) throw s.error('unknown-function', e.callee, elsewhere.message, elsewhere.instead);
  const fnNames = [...s.declarations.values()].filter((x) => x.kind === 'fn' || x.kind === 'network').map((x) => x.name.text);
  throw s.unknown('unknown-function', 'function', e.callee, [...builtinNames(), ...fnNames]);
}

// ---- constants ------------------------------------------------------------------------------

/** Lowers and evaluates an expression that must be constant; errors are reported at their span. */
export function constant(s: Scope, e: ast.Expr, params: ReadonlySet<string>): Value | undefined {
  const lowered = tryLower(s, e, params);
  if (!lowered) return undefined;
  try {
    return E.evaluate(lowered, s.env);
  } catch (err) {
    if (err instanceof Spoiled) return undefined;
    if (err instanceof E.EvalError) {
      s.error('eval', s.spans.get(err.node) ?? e, capitalise(err.message) + '.');
      return undefined;
    }
    throw err;
  }
}

/** The parameters of an expression outside a fn: none. */
export const NO_PARAMS: ReadonlySet<string> = new Set();

/** A constant that must be a finite number. */
export function number(s: Scope, e: ast.Expr, what: string): number | undefined {
  const v = constant(s, e, NO_PARAMS);
  if (v === undefined) return undefined;
  if (typeof v !== 'number') {
    s.error('type', e, `${capitalise(what)} must be a number, not ${describeShape(v)}.`);
    return undefined;
  }
  if (!Number.isFinite(v)) {
    s.error('not-finite', e, `${capitalise(what)} must be finite, not ${v}.`);
    return undefined;
  }
  return v;
}

/** A constant that must be a whole number in [min, max]. */
export function integer(s: Scope, e: ast.Expr, what: string, min: number, max: number): number | undefined {
  const v = number(s, e, what);
  if (v === undefined) return undefined;
  if (!Number.isInteger(v) || v < min || v > max) {
    s.error('out-of-range', e, `${capitalise(what)} must be a whole number from ${min} to ${groupDigits(max)}, not ${v}.`);
    return undefined;
  }
  return v;
}

/** A constant that must be a vector (of `width` numbers, when given). */
export function vector(s: Scope, e: ast.Expr, what: string, width?: number): number[] | undefined {
  const v = constant(s, e, NO_PARAMS);
  if (v === undefined) return undefined;
  if (typeof v === 'number' || isMatrix(v)) {
    s.error('type', e, `${capitalise(what)} must be a vector${width !== undefined ? ` of ${width}` : ''}, not ${describeShape(v)}.`);
    return undefined;
  }
  if (width !== undefined && v.length !== width) {
    s.error('shape', e, `${capitalise(what)} has ${v.length} value${v.length === 1 ? '' : 's'}; it needs ${width}.`);
    return undefined;
  }
  return v as number[];
}

/**
 * The value of an expression of a checked file, if it is a constant one (no fn parameter, no
 * error): what a hover or an inlay hint shows for a call's argument. Reports nothing, never
 * throws; reads the lets' values the check computed.
 */
export function constantValue(program: Program, e: ast.Expr): Value | undefined {
  const quiet = (): Spoiled => new Spoiled();
  const scope: Scope = {
    declarations: program.declarations,
    userFns: program.env.fns,
    spans: new WeakMap(),
    env: program.env,
    letValue(name) {
      const v = program.env.vars.get(name);
      if (v === undefined) throw new Spoiled(); // the let is in error
      return v;
    },
    letFailed: (name) => program.env.vars.get(name) === undefined,
    report: () => undefined,
    error: quiet,
    unknown: quiet,
  };
  return constant(scope, e, NO_PARAMS);
}
