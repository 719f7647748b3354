import { scalarFunction, type ScalarName } from '../../engine/activations';
import * as E from '../../engine/expr';
import { constantOf, ExportError } from '../expr-python';
import type { OnnxGraph } from './graph';

/**
 * NetSpec's scalar functions as ONNX nodes (opset 17), elementwise on a tensor: a built-in as the
 * operator ONNX has for it (Sigmoid, Tanh, Relu, LeakyRelu, Elu, Softplus, Identity, Exp, …) or
 * a small subgraph of the formula the engine computes (swish = z·σ(z); gelu = z·(1 + erf(z/√2))/2);
 * a user `fn` as its lowered body — the expression the engine evaluates — translated node by
 * node, its calls inlined, derivatives formed exactly (engine/expr.ts `derive`). What has no
 * translation is an ExportError that names it.
 */

type Build = (g: OnnxGraph, z: string, params: readonly number[]) => string;

/** A built-in: its value g(z) and its first derivative g'(z) (for a fn body that writes `f'(u)`). */
interface OnnxBuiltin {
  value: Build;
  d1: Build;
}

/**
 * An operator's float attribute (LeakyRelu's and Elu's alpha) is a float32 in ONNX: fine for a
 * float32 model, or a parameter a float32 holds exactly; else the float64 model computes the
 * formula with the parameter as a double.
 */
const exactAttribute = (g: OnnxGraph, a: number) => g.dtype === 'float32' || Math.fround(a) === a;
const sigmoidOf = (g: OnnxGraph, z: string) => g.node('Sigmoid', [z]);
const ones = (g: OnnxGraph, z: string) => g.filled(z, 1);
const positive = (g: OnnxGraph, z: string) => g.node('Greater', [z, g.scalar(0)]);
/** x where cond, else y: both tensors (or scalars that broadcast). */
const where = (g: OnnxGraph, cond: string, x: string, y: string) => g.node('Where', [cond, x, y]);
/** NaN where z < 0, else v (the engine's log' and sqrt' below their domain). */
const nanBelowZero = (g: OnnxGraph, z: string, v: string) => where(g, g.node('Less', [z, g.scalar(0)]), g.scalar(NaN), v);
/** Φ(z) = (1 + erf(z/√2)) / 2. */
const normalCdf = (g: OnnxGraph, z: string) => g.node('Mul', [g.node('Add', [g.node('Erf', [g.node('Mul', [z, g.scalar(Math.SQRT1_2)])]), g.scalar(1)]), g.scalar(0.5)]);
/** φ(z) = e^(−z²/2) / √(2π). */
const normalPdf = (g: OnnxGraph, z: string) => g.node('Mul', [g.node('Exp', [g.node('Mul', [g.node('Mul', [z, z]), g.scalar(-0.5)])]), g.scalar(1 / Math.sqrt(2 * Math.PI))]);

/**
 * Every scalar built-in of engine/activations.ts: the compiler rejects a built-in missing here, and
 * test/export/onnx.test.ts runs each through ONNX Runtime against the engine.
 */
const BUILTINS = {
  sigmoid: { value: (g, z) => sigmoidOf(g, z), d1: (g, z) => g.node('Mul', [sigmoidOf(g, z), sigmoidOf(g, g.node('Neg', [z]))]) },
  tanh: {
    value: (g, z) => g.node('Tanh', [z]),
    // 1 − tanh² as a(2 − a), a = 2 / (e^(2|z|) + 1): the engine's form, exact where tanh saturates.
    d1: (g, z) => {
      const a = g.node('Div', [g.scalar(2), g.node('Add', [g.node('Exp', [g.node('Mul', [g.node('Abs', [z]), g.scalar(2)])]), g.scalar(1)])]);
      return g.node('Mul', [a, g.node('Sub', [g.scalar(2), a])]);
    },
  },
  relu: { value: (g, z) => g.node('Relu', [z]), d1: (g, z) => where(g, positive(g, z), g.scalar(1), g.scalar(0)) },
  leaky_relu: {
    value: (g, z, [a]) => (exactAttribute(g, a) ? g.node('LeakyRelu', [z], [{ name: 'alpha', f: a }]) : where(g, positive(g, z), z, g.node('Mul', [z, g.scalar(a)]))),
    d1: (g, z, [a]) => where(g, positive(g, z), g.scalar(1), g.scalar(a)),
  },
  elu: {
    value: (g, z, [a]) => (exactAttribute(g, a) ? g.node('Elu', [z], [{ name: 'alpha', f: a }]) : where(g, positive(g, z), z, g.node('Mul', [g.node('Sub', [g.node('Exp', [z]), g.scalar(1)]), g.scalar(a)]))),
    d1: (g, z, [a]) => where(g, positive(g, z), g.scalar(1), g.node('Mul', [g.node('Exp', [z]), g.scalar(a)])),
  },
  softplus: { value: (g, z) => g.node('Softplus', [z]), d1: (g, z) => sigmoidOf(g, z) },
  swish: {
    value: (g, z) => g.node('Mul', [z, sigmoidOf(g, z)]),
    d1: (g, z) => {
      const s = sigmoidOf(g, z);
      return g.node('Add', [s, g.node('Mul', [g.node('Mul', [z, s]), sigmoidOf(g, g.node('Neg', [z]))])]);
    },
  },
  gelu: {
    value: (g, z) => g.node('Mul', [z, normalCdf(g, z)]),
    d1: (g, z) => g.node('Add', [normalCdf(g, z), g.node('Mul', [z, normalPdf(g, z)])]),
  },
  linear: { value: (g, z) => g.node('Identity', [z]), d1: (g, z) => ones(g, z) },
  exp: { value: (g, z) => g.node('Exp', [z]), d1: (g, z) => g.node('Exp', [z]) },
  log: { value: (g, z) => g.node('Log', [z]), d1: (g, z) => nanBelowZero(g, z, g.node('Reciprocal', [z])) },
  sqrt: { value: (g, z) => g.node('Sqrt', [z]), d1: (g, z) => nanBelowZero(g, z, g.node('Div', [g.scalar(0.5), g.node('Sqrt', [z])])) },
  abs: { value: (g, z) => g.node('Abs', [z]), d1: (g, z) => g.node('Sign', [z]) },
  sinh: { value: (g, z) => g.node('Sinh', [z]), d1: (g, z) => g.node('Cosh', [z]) },
  cosh: { value: (g, z) => g.node('Cosh', [z]), d1: (g, z) => g.node('Sinh', [z]) },
  sin: { value: (g, z) => g.node('Sin', [z]), d1: (g, z) => g.node('Cos', [z]) },
  cos: { value: (g, z) => g.node('Cos', [z]), d1: (g, z) => g.node('Neg', [g.node('Sin', [z])]) },
  tan: {
    value: (g, z) => g.node('Tan', [z]),
    d1: (g, z) => {
      const t = g.node('Tan', [z]);
      return g.node('Add', [g.node('Mul', [t, t]), g.scalar(1)]);
    },
  },
  atan: { value: (g, z) => g.node('Atan', [z]), d1: (g, z) => g.node('Reciprocal', [g.node('Add', [g.node('Mul', [z, z]), g.scalar(1)])]) },
} satisfies Record<ScalarName, OnnxBuiltin>;

/** Translates activations into one graph; `env` is the checked program's (lets and fn bodies). */
export class OnnxFunctions {
  private readonly derived = new Map<string, E.Expr>();

  constructor(private readonly graph: OnnxGraph, private readonly env: E.Environment) {}

  /** A layer's activation applied to tensor z: a built-in with its parameters, or a user fn. */
  activation(name: string, params: readonly number[], z: string): string {
    if (this.env.fns.has(name)) return this.userFunction(name, 0, z);
    const f = scalarFunction(name);
    if (!f) throw new ExportError(`the activation \`${name}\` has no ONNX translation`);
    return BUILTINS[f.name].value(this.graph, z, f.params.map((p, i) => params[i] ?? p.default));
  }

  /** User fn `name` differentiated `order` times, applied to tensor z (its body inlined). */
  private userFunction(name: string, order: number, z: string): string {
    const f = this.env.fns.get(name)!;
    const body = this.derivative(name, f, order);
    if (!E.dependsOn(body, f.param)) return this.graph.filled(z, this.constant(body));
    return this.translate(body, new Bindings(new Map([[f.param, z]]), z));
  }

  private derivative(name: string, f: E.UserFunction, order: number): E.Expr {
    if (order === 0) return f.body;
    const key = `${name}/${order}`;
    const hit = this.derived.get(key);
    if (hit) return hit;
    const kind = (fn: string): 'scalar' | 'other' => (this.env.fns.has(fn) || scalarFunction(fn) ? 'scalar' : 'other');
    let d: E.Expr;
    try {
      d = E.derive(this.derivative(name, f, order - 1), f.param, kind);
    } catch (err) {
      if (err instanceof E.EvalError) throw new ExportError(`the derivative of \`${name}\` cannot be formed: ${err.message}`);
      throw err;
    }
    this.derived.set(key, d);
    return d;
  }

  /** A sub-expression without the variable: its value, computed here as the engine computes it. */
  private constant(e: E.Expr): number {
    return constantOf(e, this.env);
  }

  /**
   * An expression of several variables (a derived input feature of x1 … xN), each bound to a
   * tensor; `like` is the tensor a constant expression takes its shape from.
   */
  expression(e: E.Expr, variables: ReadonlyMap<string, string>, like: string): string {
    const b = new Bindings(variables, like);
    return b.dependsOn(e) ? this.translate(e, b) : this.graph.filled(like, this.constant(e));
  }

  /** e with its variables bound to tensors, as nodes; its value's tensor. */
  private translate(e: E.Expr, b: Bindings): string {
    const g = this.graph;
    if (!b.dependsOn(e)) return g.scalar(this.constant(e));
    const t = (x: E.Expr) => this.translate(x, b);
    switch (e.op) {
      case 'var': return b.tensor(e.name);
      case 'neg': return g.node('Neg', [t(e.a)]);
      case 'add': return g.node('Add', [t(e.a), t(e.b)]);
      case 'sub': return g.node('Sub', [t(e.a), t(e.b)]);
      case 'mul': return g.node('Mul', [t(e.a), t(e.b)]);
      case 'div': return g.node('Div', [t(e.a), t(e.b)]);
      case 'pow': return g.node('Pow', [t(e.a), t(e.b)]);
      case 'select': {
        // The engine's rule: then where a > b, otherwise where a < b, the mean of both on a tie.
        const [a, b, th, ot] = [t(e.a), t(e.b), t(e.then), t(e.otherwise)];
        const tie = g.node('Add', [g.node('Mul', [th, g.scalar(0.5)]), g.node('Mul', [ot, g.scalar(0.5)])]);
        return where(g, g.node('Greater', [a, b]), th, where(g, g.node('Less', [a, b]), ot, tie));
      }
      case 'call': return this.call(e, b);
      case 'vector': throw new ExportError('a vector inside an activation has no meaning elementwise');
      case 'const': return g.scalar(e.value);
    }
  }

  private call(e: Extract<E.Expr, { op: 'call' }>, b: Bindings): string {
    const prime = "'".repeat(e.order);
    if (this.env.fns.has(e.fn)) {
      if (e.args.length !== 1) throw new ExportError(`${e.fn} takes one argument, not ${e.args.length}`);
      return this.userFunction(e.fn, e.order, this.tensorOf(e.args[0], b));
    }
    if ((e.fn === 'max' || e.fn === 'min') && e.order === 0 && e.args.length === 2) {
      return this.graph.node(e.fn === 'max' ? 'Max' : 'Min', e.args.map((x) => this.tensorOf(x, b)));
    }
    const f = scalarFunction(e.fn);
    if (!f) throw new ExportError(`\`${e.fn}${prime}(…)\` has no elementwise ONNX translation`);
    if (e.order > 1) throw new ExportError(`\`${e.fn}${prime}(…)\`: derivatives of built-in functions above the first are not exported (yet)`);
    const params = f.params.map((p, i) => {
      const a = e.args[i + 1];
      if (!a) return p.default;
      if (b.dependsOn(a)) throw new ExportError(`the parameter of \`${e.fn}\` must not depend on the variable in an exported activation`);
      return this.constant(a);
    });
    const builtin: OnnxBuiltin = BUILTINS[f.name];
    return (e.order === 0 ? builtin.value : builtin.d1)(this.graph, this.tensorOf(e.args[0], b), params);
  }

  /** An argument as a tensor shaped like z (a constant argument filled out, so operators see a tensor). */
  private tensorOf(x: E.Expr, b: Bindings): string {
    return b.dependsOn(x) ? this.translate(x, b) : this.graph.filled(b.like, this.constant(x));
  }
}

/** The variables of an expression being translated, each bound to a tensor, and the tensor constants take the shape of. */
class Bindings {
  constructor(private readonly tensors: ReadonlyMap<string, string>, readonly like: string) {}

  dependsOn(e: E.Expr): boolean {
    for (const v of this.tensors.keys()) if (E.dependsOn(e, v)) return true;
    return false;
  }

  tensor(name: string): string {
    const t = this.tensors.get(name);
    if (t === undefined) throw new ExportError(`\`${name}\` is not a variable here`);
    return t;
  }
}
