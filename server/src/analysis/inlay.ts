import { scalarFunction } from '../engine/activations';
import * as E from '../engine/expr';
import type { Value } from '../engine/value';
import type * as ast from '../syntax/ast';
import { constantValue } from '../semantics/lowering';
import type { FileAnalysis } from './analyze';
import { formatNumber } from './format';

/** Which inline values to show; the editor's settings (`netspec.inlayHints.*`). */
export interface InlayOptions {
  values: boolean;
  probeLoss: boolean;
  derivatives: boolean;
  significantDigits: number;
}

export const DEFAULT_INLAY: InlayOptions = { values: true, probeLoss: true, derivatives: false, significantDigits: 4 };

export interface InlayHint {
  /** Offset the hint stands after. */
  offset: number;
  label: string;
  tooltip?: string;
}

/** A value in a few characters: numbers to `digits` significant digits, long vectors elided. */
export function shortValue(v: Value, digits: number): string {
  if (typeof v === 'number') return formatNumber(v, digits);
  const items = v as (number | number[])[];
  const shown = items.slice(0, 4).map((x) => shortValue(x as Value, digits));
  return `[${shown.join(', ')}${items.length > 4 ? `, … ${items.length - 4} more` : ''}]`;
}

/**
 * Inline values: `= value` after each eval and let, `E = loss` after each probe, and optionally
 * `g' = …` after a scalar activation call whose argument is a constant.
 */
export function inlayHints(a: FileAnalysis, from: number, to: number, o: InlayOptions = DEFAULT_INLAY): InlayHint[] {
  const hints: InlayHint[] = [];
  const inRange = (s: { start: number; end: number }) => s.end >= from && s.start <= to;
  const d = Math.max(1, Math.min(17, Math.round(o.significantDigits)));
  if (o.values) {
    for (const e of a.evals) {
      if (e.value !== undefined && inRange(e.stmt)) hints.push({ offset: e.stmt.end, label: `= ${shortValue(e.value, d)}` });
    }
    for (const l of a.program.lets) {
      if (!inRange(l.stmt) || l.stmt.value.kind === 'number') continue; // a literal already shows its value
      const v = l.value;
      if (v !== undefined) hints.push({ offset: l.stmt.end, label: `= ${shortValue(v, d)}` });
    }
  }
  if (o.probeLoss) {
    for (const p of a.probes) {
      if (p.result && inRange(p.stmt)) hints.push({ offset: p.stmt.end, label: `E = ${formatNumber(p.result.loss, d)}`, tooltip: `output ${shortValue(p.result.output, d)}` });
    }
  }
  if (o.derivatives) {
    for (const e of a.evals) {
      if (!inRange(e.stmt)) continue;
      visitCalls(e.stmt.value, (call) => {
        const f = scalarFunction(call.callee.text);
        // A call with the wrong number of arguments is the checker's to report, not a hint's.
        if (!f || call.primes > 0 || call.args.length === 0 || call.args.length > 1 + f.params.length) return;
        const z = constantValue(a.program, call.args[0]);
        if (typeof z !== 'number') return;
        const params = call.args.slice(1).map((x) => constantValue(a.program, x));
        if (params.some((x) => typeof x !== 'number')) return;
        const r = E.tryEvaluate(E.call(call.callee.text, 1, [E.num(z), ...(params as number[]).map(E.num)]), a.program.env);
        if ('value' in r && typeof r.value === 'number') hints.push({ offset: call.end, label: `${call.callee.text}' = ${formatNumber(r.value, d)}` });
      });
    }
  }
  return hints.sort((x, y) => x.offset - y.offset);
}

function visitCalls(e: ast.Expr, f: (c: ast.CallExpr) => void): void {
  switch (e.kind) {
    case 'call': f(e); e.args.forEach((x) => visitCalls(x, f)); break;
    case 'unary': visitCalls(e.operand, f); break;
    case 'binary': visitCalls(e.left, f); visitCalls(e.right, f); break;
    case 'vector': e.items.forEach((x) => visitCalls(x, f)); break;
    default: break;
  }
}
