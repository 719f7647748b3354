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
  /** At most MAX_LABEL characters, cut between entries (with "…"), never inside a number. */
  label: string;
  /** The whole value, every entry at full precision. */
  tooltip: string;
}

/**
 * The longest label: VS Code cuts an inlay hint at `editor.inlayHints.maximumLength` (43 by
 * default) wherever that falls, mid-number too; a label that fits is never cut by the editor.
 */
export const MAX_LABEL = 40;

/** Entries a tooltip lists before "… N more" (a tooltip is a popup, not a file). */
const MAX_TOOLTIP_ENTRIES = 400;

/**
 * A value in at most `width` characters: numbers to `digits` significant digits; a vector or
 * matrix keeps the entries that fit and ends with "…" where the rest would be, so no number is
 * cut. `[…]` when not even its first entry fits.
 */
export function shortValue(v: Value, digits: number, width = MAX_LABEL): string {
  if (typeof v === 'number') return formatNumber(v, digits);
  const items = v as (number | number[])[];
  let out = '[';
  for (let i = 0; i < items.length; i++) {
    const sep = i === 0 ? '' : ', ';
    // Room for this entry, and for ", …]" should the next one not fit.
    const room = width - out.length - sep.length - (i === items.length - 1 ? 1 : 4);
    const item = room > 0 ? shortValue(items[i] as Value, digits, room) : undefined;
    if (item === undefined || item.length > room || (Array.isArray(items[i]) && item === '[…]' && i > 0)) return `${out}${sep}…]`;
    out += sep + item;
  }
  return `${out}]`;
}

/** Every entry at full precision (JavaScript's shortest round-trip form), a matrix one row a line. */
export function fullValue(v: Value): string {
  if (typeof v === 'number') return String(v);
  const items = v as (number | number[])[];
  const more = items.length > MAX_TOOLTIP_ENTRIES ? `, … ${items.length - MAX_TOOLTIP_ENTRIES} more` : '';
  const shown = items.slice(0, MAX_TOOLTIP_ENTRIES);
  if (shown.some((x) => Array.isArray(x))) return `[${shown.map((x) => fullValue(x as Value)).join(',\n ')}${more}]`;
  return `[${shown.map((x) => String(x)).join(', ')}${more}]`;
}

/**
 * Where a statement's hint goes: right after it, or, when a comment follows it on its line, at the
 * end of that line, so the hint never pushes the comment to the right and out of view.
 */
function hintOffset(text: string, end: number): number {
  const lineEnd = text.slice(end).search(/[\r\n]|$/) + end;
  const rest = text.slice(end, lineEnd);
  return /^\s*#/.test(rest) ? end + rest.trimEnd().length : end;
}

/**
 * Inline values: `= value` after each eval and let, `E = loss` after each probe, and optionally
 * `g' = …` after a scalar activation call whose argument is a constant. Each label is short
 * (shortValue); its tooltip has the whole value.
 */
export function inlayHints(a: FileAnalysis, from: number, to: number, o: InlayOptions = DEFAULT_INLAY): InlayHint[] {
  const hints: InlayHint[] = [];
  const inRange = (s: { start: number; end: number }) => s.end >= from && s.start <= to;
  const d = Math.max(1, Math.min(17, Math.round(o.significantDigits)));
  const valueHint = (end: number, prefix: string, v: Value, name?: string): InlayHint => ({
    offset: hintOffset(a.text, end),
    label: `${prefix}${shortValue(v, d, MAX_LABEL - prefix.length)}`,
    tooltip: `${name ? `${name} = ` : ''}${fullValue(v)}`,
  });
  if (o.values) {
    for (const e of a.evals) {
      if (e.value !== undefined && inRange(e.stmt)) hints.push(valueHint(e.stmt.end, '= ', e.value, a.text.slice(e.stmt.value.start, e.stmt.value.end)));
    }
    for (const l of a.program.lets) {
      if (!inRange(l.stmt) || l.stmt.value.kind === 'number') continue; // a literal already shows its value
      const v = l.value;
      if (v !== undefined) hints.push(valueHint(l.stmt.end, '= ', v, l.stmt.name.text));
    }
  }
  if (o.probeLoss) {
    for (const p of a.probes) {
      if (p.result && inRange(p.stmt)) {
        hints.push({
          offset: hintOffset(a.text, p.stmt.end),
          label: `E = ${formatNumber(p.result.loss, d)}`,
          tooltip: `loss E = ${fullValue(p.result.loss)}\noutput = ${fullValue(p.result.output)}`,
        });
      }
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
        if ('value' in r && typeof r.value === 'number') {
          hints.push({ offset: call.end, label: `${call.callee.text}' = ${formatNumber(r.value, d)}`, tooltip: `${call.callee.text}'(${fullValue(z)}) = ${fullValue(r.value)}` });
        }
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
