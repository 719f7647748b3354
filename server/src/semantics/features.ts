import * as E from '../engine/expr';
import type { InputFeatures } from '../engine/network';
import { describeShape, groupDigits } from '../engine/value';
import type * as ast from '../syntax/ast';
import { ownSlice } from '../syntax/text';
import { LIMITS } from './limits';
import { tryLower } from './lowering';
import { Spoiled, type CheckContext } from './scope';

/**
 * Derived input features, `input x[2] features [x1, x2, x1 * x2, sin(x1)]`: each item is an
 * expression of the raw inputs, named after the input layer with a 1-based index (x1, x2, …,
 * as the TensorFlow Playground's X₁, X₂), and of anything an expression may name (lets, fns,
 * built-ins, constants). The first dense layer takes the features instead of the inputs.
 */

/** The names of the raw inputs of `input NAME[width]`: NAME1 … NAMEwidth. */
export function inputVariables(name: string, width: number): string[] {
  return Array.from({ length: width }, (_, j) => `${name}${j + 1}`);
}

/** Every name an expression mentions (not the callees), with its node. */
function namesIn(e: ast.Expr): ast.Name[] {
  const out: ast.Name[] = [];
  const stack: ast.Expr[] = [e];
  while (stack.length) {
    const x = stack.pop()!;
    if (x.kind === 'name') out.push(x.name);
    else if (x.kind === 'call') stack.push(...x.args);
    else if (x.kind === 'unary') stack.push(x.operand);
    else if (x.kind === 'binary') stack.push(x.left, x.right);
    else if (x.kind === 'vector') stack.push(...x.items);
  }
  return out;
}

/**
 * The features of an input item, checked: undefined when it has none, 'error' when one is in
 * error (reported). A name like the input's with an index past its width (`x3` of `x[2]`) or the
 * input's own name is an `unknown-name` error that lists the inputs.
 */
export function checkFeatures(cx: CheckContext, item: ast.InputItem, width: number): InputFeatures | 'error' | undefined {
  const f = item.features;
  if (!f) return undefined;
  const list = f.list;
  if (list.kind !== 'vector') {
    cx.error('type', list, `\`features\` takes a list of expressions of the inputs, as in \`features [${item.name.text}1, ${item.name.text}1 * ${item.name.text}1]\`.`);
    return 'error';
  }
  if (list.items.length === 0 || list.items.length > LIMITS.maxUnits) {
    cx.error('out-of-range', list, `A network takes 1 to ${groupDigits(LIMITS.maxUnits)} features, not ${list.items.length}.`);
    return 'error';
  }
  const variables = inputVariables(item.name.text, width);
  const known = new Set(variables);
  const shown = width <= 4 ? variables.join(', ') : `${variables[0]} … ${variables[width - 1]}`;
  const pattern = new RegExp(`^${item.name.text.replace(/[^A-Za-z0-9_]/g, '')}(\\d+)$`);
  let ok = true;
  const exprs: E.Expr[] = [];
  for (const e of list.items) {
    const misnamed = namesIn(e).filter((n) => !known.has(n.text) && !cx.declarations.has(n.text) && (n.text === item.name.text || pattern.test(n.text)));
    for (const name of misnamed) cx.error('unknown-name', name, `\`${name.text}\` is not an input of \`${item.name.text}[${width}]\`: its inputs are ${shown}.`);
    const lowered = misnamed.length ? undefined : tryLower(cx, e, known);
    if (!lowered) {
      ok = false;
      continue;
    }
    // One value, at inputs of 0.5: an expression that is not a number is a mistake of the file.
    const at = new Map(variables.map((v) => [v, 0.5]));
    const outer = cx.env;
    let v: E.Outcome;
    try {
      v = E.tryEvaluate(lowered, { ...outer, vars: { get: (n) => at.get(n) ?? outer.vars.get(n) } });
    } catch (err) {
      // A let it reads is in error, or reads this network (a cycle): reported there.
      if (err instanceof Spoiled) return 'error';
      throw err;
    }
    if ('value' in v && typeof v.value !== 'number') {
      cx.error('type', e, `A feature is a number, not ${describeShape(v.value)}.`);
      ok = false;
      continue;
    }
    exprs.push(lowered);
  }
  if (!ok) return 'error';
  // A holder, as user activations have: the checker's environment while checking, the Program's after.
  const holder = cx.activeEnv;
  const texts = list.items.map((e) => ownSlice(cx.file.text, e.start, e.end).replace(/\s+/g, ' '));
  const index = new Map(variables.map((v, j) => [v, j]));
  return {
    texts,
    exprs,
    variables,
    compute(x, out) {
      const env = holder.current!;
      const vars = { get: (n: string) => { const j = index.get(n); return j !== undefined ? x[j] : env.vars.get(n); } };
      for (let i = 0; i < exprs.length; i++) out[i] = E.scalarOrNaN(exprs[i], { ...env, vars });
    },
  };
}
