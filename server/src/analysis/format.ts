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
