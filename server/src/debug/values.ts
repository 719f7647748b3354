import { formatNumber } from '../analysis/format';
import { isMatrix, type Value } from '../engine/value';

/**
 * How the debugger shows a value: a number as its shortest round-trip form (`String(x)`, so the
 * Variables view loses nothing, −0 included), a vector or a matrix as a short summary that expands into
 * `[0]`, `[1]`, … (a matrix into its rows, a row into its entries).
 */

/** Entries a summary lists before "…". */
export const SUMMARY_ITEMS = 3;

/** A number in a summary: 3 significant digits, with a true minus sign. */
const short = (x: number) => formatNumber(x, 3).replace(/^-/, '−');

/**
 * A number to the last bit: String(x), its shortest round-trip form, except that −0 stays `-0`
 * (String(-0) is "0"; a product with a zero input keeps the sign torch keeps too).
 */
export const exact = (x: number): string => (Object.is(x, -0) ? '-0' : String(x));

/**
 * A vector as `[0.0396, −0.0581, …] (4)`, a matrix as `[[0.1, 0.2, …], …] (3×4)`, a number
 * exactly.
 */
export function summary(v: Value): string {
  if (typeof v === 'number') return exact(v);
  if (isMatrix(v)) {
    const rows = v.slice(0, 2).map((r) => list(r));
    return `[${rows.join(', ')}${v.length > 2 ? ', …' : ''}] (${v.length}×${v[0].length})`;
  }
  return `${list(v as number[])} (${v.length})`;
}

function list(v: readonly number[]): string {
  const shown = v.slice(0, SUMMARY_ITEMS).map(short);
  return `[${shown.join(', ')}${v.length > SUMMARY_ITEMS ? ', …' : ''}]`;
}

/** What a value's type reads as in the Variables view. */
export function typeName(v: Value): string {
  if (typeof v === 'number') return 'number';
  if (isMatrix(v)) return `matrix ${v.length}×${v[0].length}`;
  return `vector ${v.length}`;
}

/** The children of a vector or a matrix, `[i]` by `[i]`; none for a number. */
export function children(v: Value): { name: string; value: Value }[] {
  if (typeof v === 'number') return [];
  return (v as Value[]).map((item, i) => ({ name: `[${i}]`, value: item }));
}
