import { CONSTANTS, type ConstantName } from './constants';

/**
 * The expression tree and its constructors, and nothing else, so that activations.ts can build
 * its derivative identities with them while expr.ts (which needs the activations) works on them.
 */

/**
 * Expressions as the engine sees them: symbolic, so that a user `fn` can be differentiated
 * exactly, to any order, by the chain rule (never by finite differences). The semantic layer
 * lowers the syntax tree to these; they carry no source positions (an error names the node,
 * and the caller maps the node back to text).
 */
export type Expr =
  /** A number; `name` when it is one of the language's constants as written (`pi`), for printing. */
  | { op: 'const'; value: number; name?: ConstantName }
  | { op: 'var'; name: string }
  | { op: 'neg'; a: Expr }
  | { op: 'add' | 'sub' | 'mul' | 'div' | 'pow'; a: Expr; b: Expr }
  /** f(args), or its order-th derivative in the first argument: f'(x) has order 1. */
  | { op: 'call'; fn: string; order: number; args: Expr[] }
  | { op: 'vector'; items: Expr[] }
  /** a > b ? then : a < b ? otherwise : the mean of both (a tie splits, as max's gradient does). */
  | { op: 'select'; a: Expr; b: Expr; then: Expr; otherwise: Expr };

// ---- construction, with the simplifications that keep derived trees small -------------------

export const num = (value: number): Expr => ({ op: 'const', value });
/** A named constant (`pi`, `e`): its value, and its name for printing; arithmetic on it folds to a plain number. */
export const constant = (name: ConstantName): Expr => ({ op: 'const', value: CONSTANTS[name].value, name });
const isConst = (e: Expr, v?: number) => e.op === 'const' && (v === undefined || e.value === v);

export function add(a: Expr, b: Expr): Expr {
  if (isConst(a, 0)) return b;
  if (isConst(b, 0)) return a;
  if (a.op === 'const' && b.op === 'const') return num(a.value + b.value);
  return { op: 'add', a, b };
}
export function sub(a: Expr, b: Expr): Expr {
  if (isConst(b, 0)) return a;
  if (isConst(a, 0)) return neg(b);
  if (a.op === 'const' && b.op === 'const') return num(a.value - b.value);
  return { op: 'sub', a, b };
}
export function mul(a: Expr, b: Expr): Expr {
  if (isConst(a, 0) || isConst(b, 0)) return num(0);
  if (isConst(a, 1)) return b;
  if (isConst(b, 1)) return a;
  if (a.op === 'const' && b.op === 'const') return num(a.value * b.value);
  return { op: 'mul', a, b };
}
export function div(a: Expr, b: Expr): Expr {
  if (isConst(a, 0)) return num(0);
  if (isConst(b, 1)) return a;
  return { op: 'div', a, b };
}
export function pow(a: Expr, b: Expr): Expr {
  if (isConst(b, 1)) return a;
  if (isConst(b, 0)) return num(1);
  return { op: 'pow', a, b };
}
export function neg(a: Expr): Expr {
  if (a.op === 'const') return num(-a.value);
  if (a.op === 'neg') return a.a;
  return { op: 'neg', a };
}
export const call = (fn: string, order: number, args: Expr[]): Expr => ({ op: 'call', fn, order, args });

