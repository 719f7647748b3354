import * as E from '../engine/expr';
import type { Value } from '../engine/value';
import { capitalise } from '../semantics/diagnostic';
import { lower } from '../semantics/lowering';
import type { Program } from '../semantics/program';
import { Spoiled, type Scope } from '../semantics/scope';
import { parse } from '../syntax/parser';
import type * as ast from '../syntax/ast';

/**
 * NetSpec expressions typed into the debugger — the debug console, watches, breakpoint
 * conditions — read with the stop's variables in scope (`delta`, `z`, …) beside the file's lets
 * and fns: the language's own parser, lowering and evaluator, so `sigmoid'(z)` means what it
 * means in an `eval`. A stop's variable hides a let of the same name, as a fn's parameter does.
 */

/** An expression parsed and lowered, or what is wrong with it. */
export type Compiled = { expr: E.Expr; reads: ReadonlySet<string> } | { error: string };

/** A comparison a breakpoint condition may end with; the language itself has none. */
export type Comparison = '<' | '<=' | '>' | '>=' | '==' | '!=';

/** A breakpoint condition: `EXPR`, true when not 0, or `EXPR OP EXPR`. */
export interface Condition {
  left: Compiled;
  op?: Comparison;
  right?: Compiled;
}

/** Parses one expression with the language's parser: the text of an `eval` statement. */
function parseExpression(text: string): ast.Expr | string {
  if (/[\r\n]/.test(text.trim())) return 'one expression, on one line';
  const prefix = 'eval ';
  const parsed = parse(prefix + text);
  if (parsed.errors.length > 0) {
    const e = parsed.errors[0];
    return `${e.message} (at column ${Math.max(1, e.start - prefix.length + 1)})`;
  }
  const stmt = parsed.file.statements[0];
  if (parsed.file.statements.length !== 1 || stmt.kind !== 'eval') return 'one expression, such as `max(abs(delta))`';
  return stmt.value;
}

/**
 * Parses and lowers `text` against the checked program, with `names` (a stop's variables) as
 * names that have a value. Lets and fns are the file's; nothing is reported to the file.
 */
export function compile(program: Program, text: string, names: ReadonlySet<string>): Compiled {
  const parsed = parseExpression(text);
  if (typeof parsed === 'string') return { error: parsed };
  let message: string | undefined;
  const fail = (m: string): Spoiled => {
    message ??= m;
    return new Spoiled();
  };
  const scope: Scope = {
    declarations: program.declarations,
    userFns: program.env.fns,
    spans: new WeakMap(),
    env: program.env,
    letValue(name) {
      const value = program.env.vars.get(name);
      if (value === undefined) throw fail(`\`${name}\` is in error in the file`);
      return value;
    },
    letFailed: (name) => program.env.vars.get(name) === undefined,
    report: () => undefined,
    error: (_code, _span, m) => fail(m),
    unknown: (_code, what, name) => fail(`Unknown ${what} \`${name.text}\`${names.size ? `; here: ${[...names].join(', ')}` : ''}.`),
  };
  try {
    const lowered = lower(scope, parsed, names);
    const reads = new Set<string>();
    return { expr: rename(lowered, names, reads), reads };
  } catch (err) {
    if (err instanceof Spoiled) return { error: message ?? 'the expression has errors' };
    throw err;
  }
}

/**
 * The lowered expression with the stop's names made private (`name` → `\0name`), so that a fn's
 * body, which reads the file's lets by name, never sees a stop's variable in their place.
 */
function rename(e: E.Expr, names: ReadonlySet<string>, reads: Set<string>): E.Expr {
  const r = (x: E.Expr) => rename(x, names, reads);
  switch (e.op) {
    case 'const': return e;
    case 'var':
      if (!names.has(e.name)) return e;
      reads.add(e.name);
      return { op: 'var', name: PRIVATE + e.name };
    case 'neg': return { op: 'neg', a: r(e.a) };
    case 'call': return { ...e, args: e.args.map(r) };
    case 'vector': return { op: 'vector', items: e.items.map(r) };
    case 'select': return { op: 'select', a: r(e.a), b: r(e.b), then: r(e.then), otherwise: r(e.otherwise) };
    default: return { op: e.op, a: r(e.a), b: r(e.b) };
  }
}

const PRIVATE = '\u0000';

/** Evaluates a compiled expression with the stop's values; an EvalError's message on a mistake. */
export function evaluateWith(program: Program, compiled: { expr: E.Expr }, values: ReadonlyMap<string, Value>): { value: Value } | { error: string } {
  const env: E.Environment = {
    ...program.env,
    vars: { get: (name) => (name.startsWith(PRIVATE) ? values.get(name.slice(1)) : program.env.vars.get(name)) },
  };
  const r = E.tryEvaluate(compiled.expr, env);
  if ('error' in r) return { error: capitalise(r.error.message.split(PRIVATE).join('')) };
  return r;
}

/**
 * Splits a breakpoint condition at its comparison (outside brackets), and compiles each side
 * with `names` in scope: `max(abs(delta)) < 1e-6`, `E > 0.5`, or an expression alone.
 */
export function compileCondition(program: Program, text: string, names: ReadonlySet<string>): Condition {
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '(' || c === '[') depth++;
    else if (c === ')' || c === ']') depth--;
    else if (depth === 0 && '<>=!'.includes(c)) {
      const op = (['<=', '>=', '==', '!=', '<', '>'] as const).find((o) => text.startsWith(o, i));
      if (!op) return { left: { error: `\`${c}\` is not a comparison; use <, <=, >, >=, == or !=` } };
      return { left: compile(program, text.slice(0, i), names), op, right: compile(program, text.slice(i + op.length), names) };
    }
  }
  return { left: compile(program, text, names) };
}

/** The error of a condition that cannot be compiled, or undefined. */
export function conditionError(c: Condition): string | undefined {
  for (const side of [c.left, c.right]) if (side && 'error' in side) return side.error;
  return undefined;
}

/**
 * Whether the condition holds with the stop's values: 'skip' when it reads a variable this stop
 * does not have (a condition on `delta` is about backward stages), an error's message when it
 * fails or is not a number.
 */
export function conditionHolds(program: Program, c: Condition, values: ReadonlyMap<string, Value>): boolean | 'skip' | { error: string } {
  const number = (side: Compiled): number | 'skip' | { error: string } => {
    if ('error' in side) return side;
    for (const name of side.reads) if (!values.has(name)) return 'skip';
    const r = evaluateWith(program, side, values);
    if ('error' in r) return r;
    if (typeof r.value !== 'number') return { error: 'A condition compares numbers; this is not one (wrap it in `max`, `min`, `sum` or `norm`)' };
    return r.value;
  };
  const a = number(c.left);
  if (typeof a !== 'number') return a;
  if (!c.op || !c.right) return a !== 0 && !Number.isNaN(a);
  const b = number(c.right);
  if (typeof b !== 'number') return b;
  switch (c.op) {
    case '<': return a < b;
    case '<=': return a <= b;
    case '>': return a > b;
    case '>=': return a >= b;
    case '==': return a === b;
    case '!=': return a !== b;
  }
}
