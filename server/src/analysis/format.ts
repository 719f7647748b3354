import type { Value } from '../engine/value';

/** A number for people: up to `digits` significant digits, no trailing zeros. */
export function formatNumber(x: number, digits = 6): string {
  if (!Number.isFinite(x)) return String(x);
  if (x === 0) return '0';
  const a = Math.abs(x);
  if (a >= 1e-4 && a < 1e9) return String(Number(x.toPrecision(digits)));
  return x.toExponential(digits - 1).replace(/\.?0+e/, 'e');
}

export function formatValue(v: Value, digits = 6): string {
  if (typeof v === 'number') return formatNumber(v, digits);
  return `[${(v as (number | number[])[]).map((x) => formatValue(x as Value, digits)).join(', ')}]`;
}

/** A matrix as aligned rows, for the terminal. */
export function formatMatrix(rows: readonly (readonly number[])[], indent = '    ', digits = 6): string {
  const cells = rows.map((r) => r.map((x) => formatNumber(x, digits)));
  const width = Math.max(1, ...cells.flat().map((c) => c.length));
  return cells.map((r) => indent + r.map((c) => c.padStart(width)).join('  ')).join('\n');
}

/**
 * A list of numbers that stays short: the first `max` entries, then "… N more". The full list is
 * for a tooltip or the CLI; a hover or a hint has the width of a few numbers.
 */
export function formatList(values: ArrayLike<number>, max = 8, digits = 6): string {
  const shown = Array.from({ length: Math.min(values.length, max) }, (_, i) => formatNumber(values[i], digits));
  return `[${shown.join(', ')}${values.length > max ? `, … ${values.length - max} more` : ''}]`;
}

const SUBSCRIPTS: Record<string, string> = {
  '0': '₀', '1': '₁', '2': '₂', '3': '₃', '4': '₄', '5': '₅', '6': '₆', '7': '₇', '8': '₈', '9': '₉', j: 'ⱼ', k: 'ₖ', '+': '₊', '-': '₋',
};

/**
 * Indices as Unicode subscripts, for Markdown where `x_{j,k}` would show its braces (or turn
 * into italics): subscript("jk") = "ⱼₖ", subscript("1,2") = "₁,₂".
 */
export function subscript(s: string): string {
  return [...s].map((c) => SUBSCRIPTS[c] ?? c).join('');
}
