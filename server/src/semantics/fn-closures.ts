import * as E from '../engine/expr';
import type * as ast from '../syntax/ast';
import type { Diagnostic } from './diagnostic';
import type { Declaration } from './program';

/**
 * The lets and networks each fn's body reaches, directly or through the fns it calls (sorted
 * names, per fn): what a statement that calls the fn reads through it, so that it is checked
 * again when one of them changes (memo.ts, analysis/reanalysis.ts). `kindOf`: what a name declares.
 */
export function fnClosures(userFns: ReadonlyMap<string, E.UserFunction>, kindOf: (name: string) => Declaration['kind'] | undefined): Map<string, string[]> {
  const direct = new Map<string, { values: Set<string>; calls: Set<string> }>();
  for (const [name, f] of userFns) {
    const values = new Set<string>();
    const calls = new Set<string>();
    E.some(f.body, (n) => {
      if (n.op === 'var' && n.name !== f.param) values.add(n.name);
      if (n.op === 'call') {
        const kind = kindOf(n.fn);
        if (kind === 'fn') calls.add(n.fn);
        else if (kind === 'network') values.add(n.fn);
      }
      return false;
    });
    direct.set(name, { values, calls });
  }
  const closures = new Map<string, string[]>();
  for (const name of direct.keys()) {
    const seen = new Set<string>([name]);
    const stack = [name];
    const values = new Set<string>();
    while (stack.length) {
      const d = direct.get(stack.pop()!);
      if (!d) continue;
      for (const v of d.values) values.add(v);
      for (const c of d.calls) {
        if (seen.has(c)) continue;
        seen.add(c);
        stack.push(c);
      }
    }
    closures.set(name, [...values].sort());
  }
  return closures;
}

/**
 * The fns' phase's reports counted by the fn each lies in (checker.ts `fnReports`), or undefined
 * when one lies in none of `fns`.
 */
export function reportsByFn(reports: readonly Diagnostic[], fns: readonly { stmt: ast.FnStmt }[]): Map<ast.Statement, number> | undefined {
  const counts = new Map<ast.Statement, number>();
  for (const d of reports) {
    const fn = fns.find(({ stmt }) => d.span.start >= stmt.start && d.span.end <= stmt.end)?.stmt;
    if (!fn) return undefined;
    counts.set(fn, (counts.get(fn) ?? 0) + 1);
  }
  return counts;
}

/**
 * Whether the fns' phase's reports (`reportsByFn`) all lie in `fns`: then they are those fns' own,
 * as a unit's diagnostics are its statement's (undefined, reports in no fn: never).
 */
export function reportsLieIn(reports: ReadonlyMap<ast.Statement, number> | undefined, fns: readonly ast.Statement[]): boolean {
  return reports !== undefined && [...reports.keys()].every((fn) => fns.includes(fn));
}
