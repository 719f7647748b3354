import { scalarFunction, type ScalarName } from '../engine/activations';
import * as E from '../engine/expr';

/**
 * NetSpec scalar functions as PyTorch code, for the exported program: the built-in activations
 * (each value beside the derivative the engine uses, written from the forward value) and user `fn`s, their lowered bodies and exact symbolic derivatives (engine/expr.ts's
 * `derive`) translated to torch operations on a tensor `z`, elementwise.
 *
 * Every definition here is emitted only when the exported network needs it.
 */

/** A construct the export cannot translate; the message says which and why. */
export class ExportError extends Error {}

/**
 * The value of a sub-expression of an activation that does not depend on its variable, computed
 * as the engine computes it: what every export writes as a constant.
 */
export function constantOf(e: E.Expr, env: E.Environment): number {
  let v: unknown;
  try {
    v = E.evaluate(e, env);
  } catch (err) {
    throw new ExportError(`\`${E.format(e)}\` cannot be evaluated: ${err instanceof Error ? err.message : String(err)}`);
  }
  if (typeof v !== 'number') throw new ExportError(`\`${E.format(e)}\` is not a number; an activation is a scalar function`);
  return v;
}

/** A float64 as Python source that reads back as exactly the same number. */
export function pyNumber(x: number): string {
  if (Number.isNaN(x)) return 'math.nan';
  if (x === Infinity) return 'math.inf';
  if (x === -Infinity) return '-math.inf';
  // JavaScript's String(x) is the shortest decimal that reads back as x; Python reads it the same way.
  return String(x);
}

/** A constant of an expression: the language's `pi` and `e` as Python names them (the same doubles), else pyNumber. */
function pyConstant(x: number): string {
  if (x === Math.PI) return 'math.pi';
  if (x === Math.E) return 'math.e';
  return pyNumber(x);
}

/**
 * A built-in scalar function in Python: `value` is g(z, *params); `prime` is g'(z) as a layer's
 * backward pass computes it (from z and the forward value y: engine `derivative`); `d1` is g'(z)
 * as expressions compute it (engine `nth(1, …)`). Bodies are Python statements (4-space indent).
 */
interface PyBuiltin {
  doc: string;
  derivativeDoc: string;
  params: string[];
  value: string;
  prime: string;
  d1: string;
  /** Other definitions these bodies call. */
  uses?: string[];
}

const ONES = 'torch.ones_like(z)';
const full = (v: string) => `torch.full_like(z, ${v})`;

/**
 * Every scalar built-in of engine/activations.ts in torch: the compiler rejects a built-in that is
 * missing here (and a name that is not one), and test/export/builtins.test.ts runs each against
 * the engine.
 */
const BUILTINS = {
  sigmoid: {
    doc: `σ(z) = 1 / (1 + e^-z)`, derivativeDoc: `σ'(z) = p (1 - p), p = σ(z), with 1 - p = σ(-z): exact where σ saturates`,
    params: [],
    value: 'return torch.sigmoid(z)',
    prime: 'return y * torch.sigmoid(-z)',
    d1: 'return torch.sigmoid(z) * torch.sigmoid(-z)',
  },
  tanh: {
    doc: `tanh(z) = sinh z / cosh z`, derivativeDoc: `tanh'(z) = 1 - tanh²(z), as (1 - |t|)(1 + |t|) with 1 - |t| = 2 / (e^(2|z|) + 1): no cancellation`,
    params: [],
    value: 'return torch.tanh(z)',
    prime: 'return tanh_d1(z)',
    d1: 'a = 2 / (torch.exp(2 * torch.abs(z)) + 1)\n    return a * (2 - a)',
  },
  relu: {
    doc: `relu(z) = max(0, z)`, derivativeDoc: `relu'(z) = 1 if z > 0, else 0`,
    params: [],
    value: 'return torch.where(z > 0, z, torch.zeros_like(z))',
    prime: 'return relu_d1(z)',
    d1: `return torch.where(z > 0, ${ONES}, torch.zeros_like(z))`,
  },
  leaky_relu: {
    doc: `leaky_relu(z) = z if z > 0, else a z`, derivativeDoc: `leaky_relu'(z) = 1 if z > 0, else a`,
    params: ['a'],
    value: 'return torch.where(z > 0, z, a * z)',
    prime: 'return leaky_relu_d1(z, a)',
    d1: `return torch.where(z > 0, ${ONES}, ${full('a')})`,
  },
  elu: {
    doc: `elu(z) = z if z > 0, else a (e^z - 1)`, derivativeDoc: `elu'(z) = 1 if z > 0, else a e^z = g(z) + a`,
    params: ['a'],
    value: 'return torch.where(z > 0, z, a * torch.expm1(z))',
    prime: `return torch.where(z > 0, ${ONES}, y + a)`,
    d1: `return torch.where(z > 0, ${ONES}, a * torch.exp(z))`,
  },
  softplus: {
    doc: `softplus(z) = ln(1 + e^z) = max(z, 0) + ln(1 + e^-|z|)`, derivativeDoc: `softplus'(z) = σ(z)`,
    params: [],
    value: 'return torch.clamp(z, min=0) + torch.log1p(torch.exp(-torch.abs(z)))',
    prime: 'return torch.sigmoid(z)',
    d1: 'return torch.sigmoid(z)',
  },
  swish: {
    doc: `swish(z) = z σ(z)`, derivativeDoc: `swish'(z) = s + z s (1 - s), s = σ(z)`,
    params: [],
    value: 'return z * torch.sigmoid(z)',
    prime: 'return swish_d1(z)',
    d1: 's = torch.sigmoid(z)\n    return s + z * s * torch.sigmoid(-z)',
  },
  gelu: {
    doc: `gelu(z) = z Φ(z), exact (with erf)`, derivativeDoc: `gelu'(z) = Φ(z) + z φ(z)`,
    params: [],
    value: 'return z * normal_cdf(z)',
    prime: 'return gelu_d1(z)',
    d1: 'phi = normal_pdf(z)\n    return normal_cdf(z) + torch.where(phi == 0, torch.zeros_like(z), z * phi)',
    uses: ['normal_cdf', 'normal_pdf'],
  },
  linear: {
    doc: `linear(z) = z`, derivativeDoc: `linear'(z) = 1`,
    params: [],
    value: 'return z',
    prime: `return ${ONES}`,
    d1: `return ${ONES}`,
  },
  exp: { doc: `exp(z) = e^z`, derivativeDoc: `exp'(z) = e^z`, params: [], value: 'return torch.exp(z)', prime: 'return y', d1: 'return torch.exp(z)' },
  log: {
    doc: `log(z) = ln z`, derivativeDoc: `log'(z) = 1/z (NaN below 0)`,
    params: [],
    value: 'return torch.log(z)',
    prime: 'return 1 / z',
    d1: `return torch.where(z < 0, ${full('math.nan')}, 1 / z)`,
  },
  sqrt: {
    doc: `sqrt(z) = √z`, derivativeDoc: `sqrt'(z) = 1 / (2 √z) (NaN below 0)`,
    params: [],
    value: 'return torch.sqrt(z)',
    prime: 'return 0.5 / y',
    d1: `return torch.where(z < 0, ${full('math.nan')}, 0.5 * z ** -0.5)`,
  },
  abs: { doc: `abs(z) = |z|`, derivativeDoc: `abs'(z) = sign(z), 0 at 0`, params: [], value: 'return torch.abs(z)', prime: 'return torch.sign(z)', d1: 'return torch.sign(z)' },
  sinh: { doc: `sinh(z)`, derivativeDoc: `sinh'(z) = cosh(z)`, params: [], value: 'return torch.sinh(z)', prime: 'return torch.cosh(z)', d1: 'return torch.cosh(z)' },
  cosh: { doc: `cosh(z)`, derivativeDoc: `cosh'(z) = sinh(z)`, params: [], value: 'return torch.cosh(z)', prime: 'return torch.sinh(z)', d1: 'return torch.sinh(z)' },
  sin: { doc: `sin(z)`, derivativeDoc: `sin'(z) = cos(z)`, params: [], value: 'return torch.sin(z)', prime: 'return torch.cos(z)', d1: 'return torch.cos(z)' },
  cos: { doc: `cos(z)`, derivativeDoc: `cos'(z) = -sin(z)`, params: [], value: 'return torch.cos(z)', prime: 'return -torch.sin(z)', d1: 'return -torch.sin(z)' },
  tan: {
    doc: `tan(z)`, derivativeDoc: `tan'(z) = 1 + tan²(z)`,
    params: [],
    value: 'return torch.tan(z)',
    prime: 'return 1 + y * y',
    d1: 't = torch.tan(z)\n    return 1 + t * t',
  },
  atan: {
    doc: `atan(z)`, derivativeDoc: `atan'(z) = 1 / (1 + z²), as (1/r)/r with r = hypot(1, z): z² never overflows`,
    params: [],
    value: 'return torch.atan(z)',
    prime: 'return atan_d1(z)',
    d1: `r = torch.hypot(${ONES}, z)\n    return 1 / r / r`,
  },
} satisfies Record<ScalarName, PyBuiltin>;

const SUPPORT: Record<string, string> = {
  normal_cdf: 'def normal_cdf(z):\n    """Φ(z) = erfc(-z/√2) / 2, the standard normal distribution function."""\n    return 0.5 * torch.special.erfc(-z * math.sqrt(0.5))\n',
  normal_pdf: 'def normal_pdf(z):\n    """φ(z) = e^(-z²/2) / √(2π), the standard normal density."""\n    return torch.exp(-0.5 * z * z) / math.sqrt(2 * math.pi)\n',
};

/** Python names of the helpers; `abs` would hide Python's own. */
function valueName(fn: ScalarName): string {
  return fn === 'abs' ? 'absolute' : fn;
}

/**
 * Collects the Python definitions an exported network needs, in dependency order, and
 * translates expressions. `env` is the checked program's (for `let` values and `fn` bodies).
 */
export class PythonFunctions {
  /** Emitted definitions by key, in the order they were completed (callees first). */
  private readonly defs = new Map<string, string>();
  private readonly derivedBodies = new Map<string, E.Expr>();
  /** Python names of user fns and their derivatives, by `name/order` (or `name/prime`), unique. */
  private readonly userNames = new Map<string, string>();
  private readonly taken = new Set<string>();

  constructor(private readonly env: E.Environment) {}

  /** The definitions, callees before callers. */
  source(): string {
    return [...this.defs.values()].join('\n\n');
  }

  /**
   * A layer's activation as the arguments of `activation(z, g, g_prime, *params)`: the Python
   * names of g(z) and g'(z, y), and the parameter values.
   */
  layerActivation(name: string, params: readonly number[]): { g: string; gPrime: string; params: string[] } {
    const user = this.env.fns.get(name);
    if (user) {
      const g = this.userFunction(name, 0);
      const d = this.userFunction(name, 1);
      const prime = this.userName(`${name}/prime`, `fn_${name}_prime`);
      this.define(prime, `def ${prime}(z, y):\n    """${name}'(z): the exact derivative of ${name}'s body (y is not needed)."""\n    return ${d}(z)\n`);
      return { g, gPrime: prime, params: [] };
    }
    const f = scalarFunction(name);
    if (!f) throw new ExportError(`the activation \`${name}\` has no PyTorch translation`);
    const values = f.params.map((p, i) => params[i] ?? p.default);
    return { g: this.builtin(f.name, 'value'), gPrime: this.builtin(f.name, 'prime'), params: values.map(pyNumber) };
  }

  /** The Python name of a built-in's value, layer derivative or first derivative, defined on first use. */
  private builtin(fn: ScalarName, which: 'value' | 'prime' | 'd1'): string {
    const b: PyBuiltin = BUILTINS[fn];
    const name = which === 'value' ? valueName(fn) : `${fn}_${which}`;
    if (this.defs.has(name)) return name;
    for (const u of b.uses ?? []) this.define(u, SUPPORT[u]);
    // Bodies may call the first derivative (`tanh_d1`): define it first.
    if (which === 'prime' && /\b\w+_d1\(/.test(b.prime)) this.builtin(fn, 'd1');
    const args = ['z', ...(which === 'prime' ? ['y'] : []), ...b.params].join(', ');
    const body = which === 'value' ? b.value : which === 'prime' ? b.prime : b.d1;
    const doc = which === 'value' ? b.doc : which === 'prime' ? `${b.derivativeDoc}; y = ${fn}(z) from the forward pass` : b.derivativeDoc;
    this.define(name, `def ${name}(${args}):\n    """${doc}"""\n    ${body}\n`);
    return name;
  }

  /** The Python function for user fn `name` differentiated `order` times, defined on first use. */
  private userFunction(name: string, order: number): string {
    const py = this.userName(`${name}/${order}`, order === 0 ? `fn_${name}` : `fn_${name}_d${order}`);
    if (this.defs.has(py)) return py;
    const f = this.env.fns.get(name)!;
    const body = this.derived(name, f, order);
    // Reserve the name first: a body never calls itself (recursion is refused by the checker).
    const text = this.translateTop(body, new Map([[f.param, 'z']]));
    const what = order === 0 ? `${name}(${f.param}) = ${E.format(f.body)}` : `${name}${"'".repeat(order)}(${f.param}) = ${E.format(body)}, derived exactly from the body`;
    this.define(py, `def ${py}(z):\n    """${escapeDoc(what)}"""\n    return ${text}\n`);
    return py;
  }

  /** A Python name for a user fn (or a derivative of one) that no other definition has. */
  private userName(key: string, preferred: string): string {
    const known = this.userNames.get(key);
    if (known) return known;
    let py = preferred;
    for (let i = 2; this.taken.has(py); i++) py = `${preferred}_${i}`;
    this.taken.add(py);
    this.userNames.set(key, py);
    return py;
  }

  private derived(name: string, f: E.UserFunction, order: number): E.Expr {
    if (order === 0) return f.body;
    const key = `${name}/${order}`;
    const hit = this.derivedBodies.get(key);
    if (hit) return hit;
    const prev = this.derived(name, f, order - 1);
    const kind = (fn: string): 'scalar' | 'other' => (this.env.fns.has(fn) || scalarFunction(fn) ? 'scalar' : 'other');
    let d: E.Expr;
    try {
      d = E.derive(prev, f.param, kind);
    } catch (err) {
      if (err instanceof E.EvalError) throw new ExportError(`the derivative of \`${name}\` cannot be formed: ${err.message}`);
      throw err;
    }
    this.derivedBodies.set(key, d);
    return d;
  }

  private define(key: string, text: string): void {
    if (!this.defs.has(key)) this.defs.set(key, text);
  }

  /**
   * Derived input features (`input x[2] features [x1 * x2, …]`) as Python expressions of the
   * columns of the input tensor: variable j is `column(j)`, and `z` (one column) gives constants
   * their shape.
   */
  features(exprs: readonly E.Expr[], variables: readonly string[], column: (j: number) => string): string[] {
    const vars = new Map(variables.map((v, j) => [v, column(j)]));
    return exprs.map((e) => this.translateTop(e, vars));
  }

  /** A whole body: a tensor shaped like z even where the body does not depend on its variables. */
  private translateTop(e: E.Expr, vars: Vars): string {
    if (!depends(e, vars)) return full(this.constant(e));
    return this.translate(e, vars, 0);
  }

  /** The value of a sub-expression that does not depend on the parameter, computed here. */
  private constant(e: E.Expr): string {
    return pyConstant(constantOf(e, this.env));
  }

  /** e as a Python expression in its variables (`z` for a fn's parameter); parenthesised when its precedence is below `min`. */
  private translate(e: E.Expr, param: Vars, min: number): string {
    if (!depends(e, param)) {
      const c = this.constant(e);
      return c.startsWith('-') && min > 1 ? `(${c})` : c;
    }
    const wrap = (s: string, prec: number) => (prec < min ? `(${s})` : s);
    const t = (x: E.Expr, m: number) => this.translate(x, param, m);
    const tensor = (x: E.Expr) => (depends(x, param) ? t(x, 0) : full(this.constant(x)));
    switch (e.op) {
      case 'var': return param.get(e.name) ?? 'z';
      case 'neg': return wrap(`-${t(e.a, 4)}`, 3);
      case 'add': return wrap(`${t(e.a, 1)} + ${t(e.b, 2)}`, 1);
      case 'sub': return wrap(`${t(e.a, 1)} - ${t(e.b, 2)}`, 1);
      case 'mul': return wrap(`${t(e.a, 2)} * ${t(e.b, 3)}`, 2);
      case 'div': return wrap(`${t(e.a, 2)} / ${t(e.b, 3)}`, 2);
      case 'pow': return wrap(`${t(e.a, 5)} ** ${t(e.b, 3)}`, 4);
      case 'select': {
        // The engine's rule: then where a > b, otherwise where a < b, and the mean of both on a tie.
        const a = tensor(e.a);
        const b = tensor(e.b);
        const th = tensor(e.then);
        const ot = tensor(e.otherwise);
        const constant = (x: E.Expr) => (depends(x, param) ? undefined : E.evaluate(x, this.env));
        const [ct, co] = [constant(e.then), constant(e.otherwise)];
        // A tie of two constants is a constant too, computed as the engine does: t/2 + o/2.
        const tie = typeof ct === 'number' && typeof co === 'number' ? full(pyNumber(ct / 2 + co / 2)) : `${th} / 2 + ${ot} / 2`;
        return `torch.where(${a} > ${b}, ${th}, torch.where(${a} < ${b}, ${ot}, ${tie}))`;
      }
      case 'call': return this.call(e, param);
      case 'vector': throw new ExportError('a vector inside an activation has no meaning elementwise');
      case 'const': return pyConstant(e.value);
    }
  }

  private call(e: Extract<E.Expr, { op: 'call' }>, param: Vars): string {
    const prime = "'".repeat(e.order);
    if (this.env.fns.has(e.fn)) {
      if (e.args.length !== 1) throw new ExportError(`${e.fn} takes one argument, not ${e.args.length}`);
      return `${this.userFunction(e.fn, e.order)}(${this.translate(e.args[0], param, 0)})`;
    }
    if ((e.fn === 'max' || e.fn === 'min') && e.order === 0 && e.args.length === 2) {
      const [a, b] = e.args.map((x) => (depends(x, param) ? this.translate(x, param, 0) : full(this.constant(x))));
      return `torch.${e.fn === 'max' ? 'maximum' : 'minimum'}(${a}, ${b})`;
    }
    const f = scalarFunction(e.fn);
    if (!f) throw new ExportError(`\`${e.fn}${prime}(…)\` has no elementwise PyTorch translation`);
    if (e.order > 1) throw new ExportError(`\`${e.fn}${prime}(…)\`: derivatives of built-in functions above the first are not exported (yet)`);
    const params = f.params.map((p, i) => {
      const a = e.args[i + 1];
      if (!a) return pyNumber(p.default);
      if (depends(a, param)) throw new ExportError(`the parameter of \`${e.fn}\` must not depend on the variable in an exported activation`);
      return this.constant(a);
    });
    const name = this.builtin(f.name, e.order === 0 ? 'value' : 'd1');
    return `${name}(${[this.translate(e.args[0], param, 0), ...params].join(', ')})`;
  }
}

/** The variables of an expression being translated, each with its Python text (a fn's parameter is `z`). */
type Vars = ReadonlyMap<string, string>;

const depends = (e: E.Expr, vars: Vars) => [...vars.keys()].some((v) => E.dependsOn(e, v));

function escapeDoc(s: string): string {
  return s.replace(/\\/g, '\\\\').replace(/"""/g, '\\"\\"\\"');
}
