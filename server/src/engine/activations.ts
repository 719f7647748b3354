import { add, call, div, mul, neg, num, pow, sub, type Expr } from './expr-nodes';
import { erf, normalCdf, normalPdf } from './special';
import { exp } from './kernels/exp';
import { sech2, tanh } from './kernels/tanh';

/**
 * The built-in functions of the language, one entry each: this file is the list every other
 * per-built-in table is checked against (`satisfies Record<ScalarName, …>` where the compiler can
 * check it, a test where it cannot; CONTRIBUTING.md, "Adding an activation").
 *
 * The scalar functions are the activations (docs/LANGUAGE.md, *Activations*) and the elementary functions
 * expressions may call. Each keeps its value and its derivative side by side, the derivative
 * written in terms of what the forward pass already computed (sigmoid: p(1 - p);
 * tanh: 1 - tanh²). Every one is stable for all finite inputs: no NaN where the true value is
 * finite, no overflow where it is representable.
 */
export interface ScalarDefinition {
  /** Parameters after z, with defaults: `leaky_relu(z, a)`, `elu(z, a)`. */
  readonly params: readonly { name: string; default: number }[];
  /** Whether a dense layer may use it as its activation. */
  readonly activation: boolean;
  /** g(z), for people: plain text with Unicode. */
  readonly formula: string;
  /** g'(z) in terms of the forward value, for people. */
  readonly derivativeFormula: string;
  /** g(z) */
  value(z: number, p: readonly number[]): number;
  /** g'(z), given y = g(z) from the forward pass. */
  derivative(z: number, y: number, p: readonly number[]): number;
  /** The n-th derivative (n ≥ 1), exact: closed forms, never finite differences. */
  nth(n: number, z: number, p: readonly number[]): number;
  /**
   * g'(u) and g''(u) as expressions written with g itself (sigmoid' = sigmoid(u)(1 − sigmoid(u))),
   * which is how hovers show a derivative (analysis/formula.ts). Only shown, never evaluated by the
   * engine: 1 − sigmoid(u) cancels where sigmoid saturates. 'none' keeps g'(u) as it is written.
   */
  readonly identities: DerivativeIdentities | 'none';
}

/** A scalar function with its name: what `scalarFunction` returns. */
export interface ScalarFunction extends ScalarDefinition {
  readonly name: ScalarName;
}

/** g⁽ⁿ⁾(u) in terms of u and the parameters' expressions p (defaults filled in). */
export type Identity = (u: Expr, p: readonly Expr[]) => Expr;

export interface DerivativeIdentities {
  readonly d1: Identity;
  readonly d2: Identity;
}

/** The highest derivative order the language computes. */
export const MAX_DERIVATIVE_ORDER = 8;

/** σ(z) = 1 / (1 + e^{-z}), evaluated on the side where e^{±z} cannot overflow (e^x from kernels/exp.ts, as the batch kernels take it). */
export function sigmoid(z: number): number {
  if (z >= 0) return 1 / (1 + exp(-z));
  const e = exp(z);
  return e / (1 + e);
}

/** softplus(z) = ln(1 + e^z) = max(z, 0) + ln(1 + e^{-|z|}). */
export function softplus(z: number): number {
  return Math.max(z, 0) + Math.log1p(Math.exp(-Math.abs(z)));
}

/**
 * Coefficients of the polynomial P_n with σ⁽ⁿ⁾ = P_n(σ), from P_0(p) = p and
 * P_{n+1}(p) = P_n'(p) · p(1 - p). Likewise tanh⁽ⁿ⁾ = Q_n(t) with Q_{n+1}(t) = Q_n'(t)(1 - t²).
 */
function derivativePolynomials(step: readonly number[]): number[][] {
  const polys: number[][] = [[0, 1]];
  for (let n = 1; n <= MAX_DERIVATIVE_ORDER; n++) {
    const prev = polys[n - 1];
    const dp = prev.slice(1).map((c, i) => c * (i + 1));
    const next = new Array(dp.length + step.length - 1).fill(0);
    dp.forEach((a, i) => step.forEach((b, j) => (next[i + j] += a * b)));
    polys.push(next);
  }
  return polys;
}
const SIGMOID_POLYS = derivativePolynomials([0, 1, -1]); // p - p²
const TANH_POLYS = derivativePolynomials([1, 0, -1]); // 1 - t²

function polyval(coeffs: readonly number[], x: number): number {
  let r = 0;
  for (let i = coeffs.length - 1; i >= 0; i--) r = r * x + coeffs[i];
  return r;
}

/**
 * σ⁽ⁿ⁾(z). The first two use 1 - p = σ(-z), computed directly rather than by subtraction, so they
 * keep full relative accuracy where σ saturates: σ' = p(1 - p), σ'' = p(1 - p)(1 - 2p).
 */
export function sigmoidNth(n: number, z: number): number {
  if (n === 0) return sigmoid(z);
  const p = sigmoid(z);
  const q = sigmoid(-z);
  if (n === 1) return p * q;
  if (n === 2) return p * q * (q - p);
  return polyval(SIGMOID_POLYS[n], p);
}

/**
 * tanh⁽ⁿ⁾(z); 1 - t² is computed without cancellation (kernels/tanh.ts): a(2 - a) with
 * a = 1 - |t| = 2e/(1 + e), e = e^{-2|z|}, for |z| ≥ 0.55, (1 - t)(1 + t) below.
 */
export function tanhNth(n: number, z: number): number {
  if (n === 1) return sech2(z);
  const t = tanh(z);
  if (n === 0) return t;
  if (n === 2) return -2 * t * sech2(z);
  return polyval(TANH_POLYS[n], t);
}

/** Φ⁽ᵐ⁾(z): Φ itself for m = 0, else φ⁽ᵐ⁻¹⁾(z) = (-1)^{m-1} He_{m-1}(z) φ(z) (Hermite polynomials). */
function normalCdfNth(m: number, z: number): number {
  if (m === 0) return normalCdf(z);
  const phi = normalPdf(z);
  if (phi === 0) return 0; // the polynomial factor cannot rescue an underflowed density
  const k = m - 1;
  let hPrev = 1;
  let h = z;
  if (k === 0) return phi;
  for (let i = 1; i < k; i++) [hPrev, h] = [h, z * h - i * hPrev];
  return (k % 2 === 0 ? 1 : -1) * h * phi;
}

function fallingFactorial(c: number, n: number): number {
  let r = 1;
  for (let i = 0; i < n; i++) r *= c - i;
  return r;
}

/**
 * sin⁽ⁿ⁾(z) = sin(z + nπ/2), by n mod 4: sin, cos, −sin, −cos. Adding nπ/2 to z would round, so
 * the quarter turn is taken by choosing the function instead.
 */
export function sinNth(n: number, z: number): number {
  switch (((n % 4) + 4) % 4) {
    case 0: return Math.sin(z);
    case 1: return Math.cos(z);
    case 2: return -Math.sin(z);
    default: return -Math.cos(z);
  }
}

/** tan⁽ⁿ⁾ = T_n(t), t = tan z, with T_0(t) = t and T_{n+1}(t) = T_n'(t)(1 + t²); integer coefficients. */
const TAN_POLYS = derivativePolynomials([1, 0, 1]); // 1 + t²

/**
 * tan⁽ⁿ⁾(z) = T_n(tan z). T_n has only even or only odd powers, all with coefficients ≥ 0, so its
 * terms never cancel: every order keeps the relative accuracy of tan z itself.
 */
export function tanNth(n: number, z: number): number {
  const t = Math.tan(z);
  return n === 0 ? t : polyval(TAN_POLYS[n], t);
}

/**
 * atan⁽ⁿ⁾(z) = (−1)ⁿ⁻¹ (n − 1)! · Im(qⁿ), q = 1/(z − i) = (z + i)/(1 + z²), for n ≥ 1.
 * From atan'(z) = 1/(1 + z²) = Im(1/(z − i)) and (d/dz)ᵏ (z − i)⁻¹ = (−1)ᵏ k! (z − i)⁻ᵏ⁻¹.
 * q is formed as (z/r)/r and (1/r)/r with r = √(1 + z²) (hypot), so 1 + z² never overflows, and
 * qⁿ by repeated products, so at z = 0 (q = i) the zeros of the even orders are exact.
 */
export function atanNth(n: number, z: number): number {
  if (n === 0) return Math.atan(z);
  const r = Math.hypot(1, z);
  const qRe = z / r / r;
  const qIm = 1 / r / r;
  let re = qRe;
  let im = qIm;
  for (let k = 1; k < n; k++) [re, im] = [re * qRe - im * qIm, re * qIm + im * qRe];
  return (n % 2 === 1 ? 1 : -1) * fallingFactorial(n - 1, n - 1) * im;
}

// ---- what the derivative identities are written with ---------------------------------------------

/**
 * Functions the identities need that the language does not have: Iverson brackets (relu'), sign
 * with sign(0) = 0 (abs'), and the normal distribution Φ and density φ (gelu'). Their names cannot
 * be identifiers of the language (which are ASCII), so they never collide with a user's `fn`;
 * analysis/formula.ts prints and evaluates them.
 */
export const AUXILIARY = {
  /** [u > 0]: 1 if u > 0, else 0 (relu' exactly, 0 at 0 as the engine has it). */
  positive: { name: '#pos', value: (u: number) => (u > 0 ? 1 : 0) },
  /** [u ≤ 0] */
  nonPositive: { name: '#nonpos', value: (u: number) => (u <= 0 ? 1 : 0) },
  /** sign(u), 0 at 0 */
  sign: { name: '#sign', value: (u: number) => Math.sign(u) },
  /** Φ(u) = (1 + erf(u/√2))/2 */
  Phi: { name: 'Φ', value: normalCdf },
  /** φ(u) = e^(−u²/2)/√(2π) */
  phi: { name: 'φ', value: normalPdf },
} as const;

const fx = (name: string, u: Expr): Expr => call(name, 0, [u]);
const aux = (which: keyof typeof AUXILIARY, u: Expr): Expr => call(AUXILIARY[which].name, 0, [u]);
const product = (...factors: Expr[]): Expr => factors.reduce((a, b) => mul(a, b));
const oneMinus = (x: Expr): Expr => sub(num(1), x);
/** s(1 − s), s = sigmoid(u) */
const sigmoidPrime = (u: Expr): Expr => mul(fx('sigmoid', u), oneMinus(fx('sigmoid', u)));
/** s(1 − s)(1 − 2s) */
const sigmoidSecond = (u: Expr): Expr => product(fx('sigmoid', u), oneMinus(fx('sigmoid', u)), oneMinus(mul(num(2), fx('sigmoid', u))));
/** 1 − t², t = tanh(u) */
const tanhPrime = (u: Expr): Expr => oneMinus(pow(fx('tanh', u), num(2)));

// ---- the scalar functions -----------------------------------------------------------------------

const none: readonly { name: string; default: number }[] = [];
const slope = (d: number) => [{ name: 'a', default: d }];

/** Every scalar built-in by its name, in the order completion and the docs list them. */
const SCALARS = {
  sigmoid: {
    params: none, activation: true,
    formula: 'σ(z) = 1 / (1 + e^(-z))',
    derivativeFormula: "σ'(z) = p (1 - p), where p = σ(z)",
    value: (z) => sigmoid(z),
    derivative: (z, y) => y * sigmoid(-z), // p (1 - p), with 1 - p = σ(-z) exact
    nth: (n, z) => sigmoidNth(n, z),
    /** σ' = σ(1 − σ), σ'' = σ(1 − σ)(1 − 2σ) */
    identities: { d1: sigmoidPrime, d2: sigmoidSecond },
  },
  tanh: {
    params: none, activation: true,
    formula: 'tanh(z) = sinh z / cosh z',
    derivativeFormula: "tanh'(z) = 1 - tanh²(z)",
    value: (z) => tanh(z),
    derivative: (z) => tanhNth(1, z), // 1 - t², without cancellation where t → ±1
    nth: (n, z) => tanhNth(n, z),
    /** tanh' = 1 − t², tanh'' = −2t(1 − t²) */
    identities: { d1: tanhPrime, d2: (u) => product(num(-2), fx('tanh', u), tanhPrime(u)) },
  },
  relu: {
    params: none, activation: true,
    formula: 'relu(z) = max(0, z)',
    derivativeFormula: "relu'(z) = 1 if z > 0, else 0",
    value: (z) => (z > 0 ? z : 0),
    derivative: (z) => (z > 0 ? 1 : 0),
    nth: (n, z) => (n === 1 ? (z > 0 ? 1 : 0) : 0),
    /** relu' = [u > 0], relu'' = 0 */
    identities: { d1: (u) => aux('positive', u), d2: () => num(0) },
  },
  leaky_relu: {
    params: slope(0.01), activation: true,
    formula: 'leaky_relu(z) = z if z > 0, else a·z (a = 0.01 by default)',
    derivativeFormula: "leaky_relu'(z) = 1 if z > 0, else a",
    value: (z, [a]) => (z > 0 ? z : a * z),
    derivative: (z, _y, [a]) => (z > 0 ? 1 : a),
    nth: (n, z, [a]) => (n === 1 ? (z > 0 ? 1 : a) : 0),
    /** leaky_relu' = [u > 0] + a[u ≤ 0], leaky_relu'' = 0 */
    identities: { d1: (u, [a]) => add(aux('positive', u), mul(a, aux('nonPositive', u))), d2: () => num(0) },
  },
  elu: {
    params: slope(1), activation: true,
    formula: 'elu(z) = z if z > 0, else a·(e^z - 1) (a = 1 by default)',
    derivativeFormula: "elu'(z) = 1 if z > 0, else g(z) + a",
    value: (z, [a]) => (z > 0 ? z : a * Math.expm1(z)),
    derivative: (z, y, [a]) => (z > 0 ? 1 : y + a),
    nth: (n, z, [a]) => (z > 0 ? (n === 1 ? 1 : 0) : a * Math.exp(z)),
    /** elu' = [u > 0] + a·e^u[u ≤ 0], elu'' = a·e^u[u ≤ 0] */
    identities: {
      d1: (u, [a]) => add(aux('positive', u), product(a, fx('exp', u), aux('nonPositive', u))),
      d2: (u, [a]) => product(a, fx('exp', u), aux('nonPositive', u)),
    },
  },
  softplus: {
    params: none, activation: true,
    formula: 'softplus(z) = ln(1 + e^z)',
    derivativeFormula: "softplus'(z) = σ(z)",
    value: (z) => softplus(z),
    derivative: (z) => sigmoid(z),
    nth: (n, z) => sigmoidNth(n - 1, z),
    /** softplus' = σ, softplus'' = σ(1 − σ) */
    identities: { d1: (u) => fx('sigmoid', u), d2: sigmoidPrime },
  },
  swish: {
    params: none, activation: true,
    formula: 'swish(z) = z·σ(z)',
    derivativeFormula: "swish'(z) = s + z·s(1 - s), where s = σ(z)",
    value: (z) => z * sigmoid(z),
    derivative: (z) => {
      const s = sigmoid(z);
      return s + z * s * sigmoid(-z);
    },
    // Leibniz: (z s)⁽ⁿ⁾ = z s⁽ⁿ⁾ + n s⁽ⁿ⁻¹⁾
    nth: (n, z) => {
      const hi = sigmoidNth(n, z);
      return (hi === 0 ? 0 : z * hi) + n * sigmoidNth(n - 1, z);
    },
    /** swish' = s + u·s(1 − s), swish'' = 2s(1 − s) + u·s(1 − s)(1 − 2s) */
    identities: {
      d1: (u) => add(fx('sigmoid', u), mul(u, sigmoidPrime(u))),
      d2: (u) => add(mul(num(2), sigmoidPrime(u)), mul(u, sigmoidSecond(u))),
    },
  },
  gelu: {
    params: none, activation: true,
    formula: 'gelu(z) = z·Φ(z), Φ(z) = (1 + erf(z/√2))/2',
    derivativeFormula: "gelu'(z) = Φ(z) + z·φ(z), φ(z) = e^(-z²/2)/√(2π)",
    value: (z) => z * normalCdf(z),
    derivative: (z) => {
      const phi = normalPdf(z);
      return normalCdf(z) + (phi === 0 ? 0 : z * phi);
    },
    // (z Φ)⁽ⁿ⁾ = z Φ⁽ⁿ⁾ + n Φ⁽ⁿ⁻¹⁾
    nth: (n, z) => {
      const hi = normalCdfNth(n, z);
      return (hi === 0 ? 0 : z * hi) + n * normalCdfNth(n - 1, z);
    },
    /** gelu' = Φ(u) + u·φ(u), gelu'' = (2 − u²)φ(u) */
    identities: {
      d1: (u) => add(aux('Phi', u), mul(u, aux('phi', u))),
      d2: (u) => mul(sub(num(2), pow(u, num(2))), aux('phi', u)),
    },
  },
  linear: {
    params: none, activation: true,
    formula: 'linear(z) = z',
    derivativeFormula: "linear'(z) = 1",
    value: (z) => z,
    derivative: () => 1,
    nth: (n) => (n === 1 ? 1 : 0),
    /** linear' = 1, linear'' = 0 */
    identities: { d1: () => num(1), d2: () => num(0) },
  },
  exp: {
    params: none, activation: false,
    formula: 'exp(z) = e^z', derivativeFormula: "exp'(z) = e^z",
    value: (z) => Math.exp(z),
    derivative: (_z, y) => y,
    nth: (_n, z) => Math.exp(z),
    /** exp⁽ⁿ⁾ = exp */
    identities: { d1: (u) => fx('exp', u), d2: (u) => fx('exp', u) },
  },
  log: {
    params: none, activation: false,
    formula: 'log(z) = ln z (natural)', derivativeFormula: "log'(z) = 1/z",
    value: (z) => Math.log(z),
    derivative: (z) => 1 / z,
    // ln⁽ⁿ⁾(z) = (-1)^{n-1} (n-1)! / zⁿ
    nth: (n, z) => (z < 0 ? NaN : ((n % 2 === 1 ? 1 : -1) * fallingFactorial(n - 1, n - 1)) / Math.pow(z, n)),
    /** log' = 1/u, log'' = −1/u² */
    identities: { d1: (u) => div(num(1), u), d2: (u) => neg(div(num(1), pow(u, num(2)))) },
  },
  sqrt: {
    params: none, activation: false,
    formula: 'sqrt(z) = √z', derivativeFormula: "sqrt'(z) = 1/(2√z)",
    value: (z) => Math.sqrt(z),
    derivative: (_z, y) => 0.5 / y,
    nth: (n, z) => (z < 0 ? NaN : fallingFactorial(0.5, n) * Math.pow(z, 0.5 - n)),
    /** sqrt' = 1/(2√u), sqrt'' = −1/(4u√u) */
    identities: {
      d1: (u) => div(num(1), mul(num(2), fx('sqrt', u))),
      d2: (u) => neg(div(num(1), product(num(4), u, fx('sqrt', u)))),
    },
  },
  abs: {
    params: none, activation: false,
    formula: 'abs(z) = |z|', derivativeFormula: "abs'(z) = sign(z) (0 at 0)",
    value: (z) => Math.abs(z),
    derivative: (z) => Math.sign(z),
    nth: (n, z) => (n === 1 ? Math.sign(z) : 0),
    /** abs' = sign(u), abs'' = 0 */
    identities: { d1: (u) => aux('sign', u), d2: () => num(0) },
  },
  sinh: {
    params: none, activation: false,
    formula: 'sinh(z) = (e^z - e^(-z))/2', derivativeFormula: "sinh'(z) = cosh(z)",
    value: (z) => Math.sinh(z),
    derivative: (z) => Math.cosh(z),
    nth: (n, z) => (n % 2 === 1 ? Math.cosh(z) : Math.sinh(z)),
    /** sinh' = cosh, sinh'' = sinh */
    identities: { d1: (u) => fx('cosh', u), d2: (u) => fx('sinh', u) },
  },
  cosh: {
    params: none, activation: false,
    formula: 'cosh(z) = (e^z + e^(-z))/2', derivativeFormula: "cosh'(z) = sinh(z)",
    value: (z) => Math.cosh(z),
    derivative: (z) => Math.sinh(z),
    nth: (n, z) => (n % 2 === 1 ? Math.sinh(z) : Math.cosh(z)),
    /** cosh' = sinh, cosh'' = cosh */
    identities: { d1: (u) => fx('sinh', u), d2: (u) => fx('cosh', u) },
  },
  sin: {
    params: none, activation: true,
    formula: 'sin(z), z in radians',
    derivativeFormula: "sin'(z) = cos(z)",
    value: (z) => Math.sin(z),
    derivative: (z) => Math.cos(z), // not from y: cos z = ±√(1 − y²) needs the sign z alone gives
    nth: (n, z) => sinNth(n, z),
    /** sin' = cos, sin'' = −sin */
    identities: { d1: (u) => fx('cos', u), d2: (u) => neg(fx('sin', u)) },
  },
  cos: {
    params: none, activation: true,
    formula: 'cos(z), z in radians',
    derivativeFormula: "cos'(z) = -sin(z)",
    value: (z) => Math.cos(z),
    derivative: (z) => -Math.sin(z),
    nth: (n, z) => sinNth(n + 1, z), // cos = sin(z + π/2)
    /** cos' = −sin, cos'' = −cos */
    identities: { d1: (u) => neg(fx('sin', u)), d2: (u) => neg(fx('cos', u)) },
  },
  tan: {
    params: none, activation: false, // poles at π/2 + kπ: a unit's output would be unbounded
    formula: 'tan(z) = sin z / cos z, z in radians',
    derivativeFormula: "tan'(z) = 1 + tan²(z)",
    value: (z) => Math.tan(z),
    derivative: (_z, y) => 1 + y * y,
    nth: (n, z) => tanNth(n, z),
    /** tan' = 1 + tan², tan'' = 2 tan (1 + tan²) */
    identities: {
      d1: (u) => add(num(1), pow(fx('tan', u), num(2))),
      d2: (u) => product(num(2), fx('tan', u), add(num(1), pow(fx('tan', u), num(2)))),
    },
  },
  atan: {
    params: none, activation: true,
    formula: 'atan(z), the angle in (-π/2, π/2) whose tangent is z',
    derivativeFormula: "atan'(z) = 1/(1 + z²)",
    value: (z) => Math.atan(z),
    derivative: (z) => atanNth(1, z), // 1/(1 + z²), without overflowing z²
    nth: (n, z) => atanNth(n, z),
    /** atan' = 1/(1 + u²), atan'' = −2u/(1 + u²)² */
    identities: {
      d1: (u) => div(num(1), add(num(1), pow(u, num(2)))),
      d2: (u) => neg(div(mul(num(2), u), pow(add(num(1), pow(u, num(2))), num(2)))),
    },
  },
} satisfies Record<string, ScalarDefinition>;

// ---- the names --------------------------------------------------------------------------------

/** The name of a scalar built-in (not an alias): a key of the table above. */
export type ScalarName = keyof typeof SCALARS;

/**
 * The trigonometric built-ins, by the letters that make their names: a trailing `h` (hyperbolic)
 * and a leading `a` (inverse) change the function, not its spelling, so "did you mean" never
 * crosses them (sin is not a misspelt sinh; semantics/suggest.ts).
 */
export const TRIGONOMETRIC: Partial<Record<ScalarName, 'circular' | 'hyperbolic' | 'inverse'>> = {
  sin: 'circular', cos: 'circular', tan: 'circular',
  sinh: 'hyperbolic', cosh: 'hyperbolic', tanh: 'hyperbolic',
  atan: 'inverse',
};

/** Other names for the same function. */
export const ALIASES = { silu: 'swish', identity: 'linear' } as const satisfies Record<string, ScalarName>;
export type AliasName = keyof typeof ALIASES;

/** Functions over whole vectors; they cannot be derived as scalars. */
export const VECTOR_FUNCTIONS = ['softmax', 'sum', 'max', 'min', 'norm'] as const;
export type VectorName = (typeof VECTOR_FUNCTIONS)[number];

/** Every name of a built-in function a user may write. */
export type BuiltinName = ScalarName | AliasName | VectorName;

export const SCALAR_NAMES = Object.keys(SCALARS) as readonly ScalarName[];
export const ALIAS_NAMES = Object.keys(ALIASES) as readonly AliasName[];
/** Every built-in name: the scalar functions, the aliases, the vector functions. */
export const BUILTIN_NAMES: readonly BuiltinName[] = [...SCALAR_NAMES, ...ALIAS_NAMES, ...VECTOR_FUNCTIONS];

export const SCALAR_FUNCTIONS: readonly ScalarFunction[] = SCALAR_NAMES.map((name): ScalarFunction => ({ name, ...SCALARS[name] }));

const byName = new Map<string, ScalarFunction>(SCALAR_FUNCTIONS.map((f) => [f.name, f]));
for (const alias of ALIAS_NAMES) byName.set(alias, byName.get(ALIASES[alias])!);

/** The scalar function of that name (aliases included), or undefined. */
export function scalarFunction(name: string): ScalarFunction | undefined {
  return byName.get(name);
}

/** Whether a name is one of the functions over whole vectors. */
export const isVectorName = (name: string): name is VectorName => (VECTOR_FUNCTIONS as readonly string[]).includes(name);

/** Names that are activations (for layers), including aliases and softmax. */
export function activationNames(): string[] {
  return [...SCALAR_FUNCTIONS.filter((f) => f.activation).map((f) => f.name), ...ALIAS_NAMES, 'softmax'];
}

/** Every built-in function name an expression may call. */
export function builtinNames(): string[] {
  return [...BUILTIN_NAMES];
}

export { erf };
