import * as E from '../engine/expr';
import type { Value } from '../engine/value';
import type { Program } from '../semantics/program';

/**
 * Hover plots, kept: a plot is a few hundred evaluations of a function and its derivative, and
 * the editor asks for the same one each time the pointer rests on the same name. A built-in's plot
 * depends only on its name, parameters and marked point; a user fn's also on its lowered body
 * (the object, new whenever any fn changes) and on the values of the lets its body reaches, which
 * are part of the key. A fn that reaches a network is drawn afresh every time.
 */
const MAX_BUILTIN = 256;
const builtin = new Map<string, string>();
let user = new WeakMap<E.UserFunction, Map<string, string>>();

export function cachedPlot(program: Program, name: string, params: readonly number[], mark: number | undefined, draw: () => string): string {
  const args = `${params.map(show).join(',')}|${mark === undefined ? '' : show(mark)}`;
  const fn = program.fns.get(name)?.fn;
  if (!fn) {
    const key = `${name}|${args}`;
    let svg = builtin.get(key);
    if (svg === undefined) {
      if (builtin.size >= MAX_BUILTIN) builtin.clear();
      builtin.set(key, (svg = draw()));
    }
    return svg;
  }
  const reads = letsRead(program, name);
  if (reads === undefined) return draw();
  const key = `${args}|${reads}`;
  let byKey = user.get(fn);
  if (!byKey) user.set(fn, (byKey = new Map()));
  let svg = byKey.get(key);
  if (svg === undefined) {
    if (byKey.size >= MAX_BUILTIN) byKey.clear();
    byKey.set(key, (svg = draw()));
  }
  return svg;
}

/** The lets a fn's body reaches (through the fns it calls too), with their values; undefined if it reaches a network or a let in error. */
function letsRead(program: Program, name: string): string | undefined {
  const seen = new Set<string>([name]);
  const stack = [name];
  const values = new Map<string, string>();
  while (stack.length) {
    const f = program.env.fns.get(stack.pop()!);
    if (!f) return undefined;
    let ok = true;
    E.some(f.body, (n) => {
      if (n.op === 'var' && n.name !== f.param && !values.has(n.name)) {
        const v = program.env.vars.get(n.name);
        if (v === undefined) ok = false;
        else values.set(n.name, show(v));
      } else if (n.op === 'call' && !seen.has(n.fn)) {
        const kind = program.declarations.get(n.fn)?.kind;
        if (kind === 'network') ok = false;
        else if (kind === 'fn') {
          seen.add(n.fn);
          stack.push(n.fn);
        }
      }
      return !ok;
    });
    if (!ok) return undefined;
  }
  return [...values].sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, v]) => `${k}=${v}`).join(';');
}

/** A value as text that tells every float64 apart (-0 included). */
function show(v: Value): string {
  if (typeof v === 'number') return Object.is(v, -0) ? '-0' : String(v);
  return `[${(v as Value[]).map(show).join(',')}]`;
}

/** Forgets every kept plot (for tests that compare a kept plot with a fresh one). */
export function clearPlotCache(): void {
  builtin.clear();
  user = new WeakMap();
}
