/**
 * A dense layer's parameters written back as NetSpec (`weights L = [[…], …]`, `bias L = […]`),
 * for people to read: one matrix row per line, each column aligned on its decimal point, every
 * number rounded to a given count of significant digits, and rows wider than a line wrapped
 * under their first column. What is written parses back to exactly the rounded numbers.
 */

/** Significant digits when nothing else is asked (`netspec.insertWeights.significantDigits`). */
export const DEFAULT_WEIGHT_DIGITS = 6;
/** A line of numbers wraps before this many characters. */
const LINE_WIDTH = 100;

export interface LayerParameters {
  name: string;
  inputs: number;
  units: number;
  hasBias: boolean;
  /** Row-major [inputs][units]. */
  W: ArrayLike<number>;
  b: ArrayLike<number>;
}

/**
 * x rounded to `digits` significant digits, in the shortest form that reads back as that rounded
 * number (`0.5`, `-1.23457`, `1.5e-7`); undefined when x is not finite (NetSpec has no literal for it).
 */
export function roundedLiteral(x: number, digits: number): string | undefined {
  if (!Number.isFinite(x)) return undefined;
  const r = Number(x.toPrecision(digits));
  return String(r === 0 ? 0 : r); // -0 reads as 0, and would print as "0" anyway
}

/**
 * The lines of a layer's `weights` (and `bias`, when it has one), each starting with `indent`;
 * undefined when a parameter is not finite. `digits` is clamped to 1…17.
 */
export function parameterLines(layer: LayerParameters, digits: number, indent = '  '): string[] | undefined {
  const d = Math.min(17, Math.max(1, Math.round(digits)));
  const cells: string[][] = [];
  for (let j = 0; j < layer.inputs; j++) {
    const row: string[] = [];
    for (let k = 0; k < layer.units; k++) {
      const s = roundedLiteral(layer.W[j * layer.units + k], d);
      if (s === undefined) return undefined;
      row.push(s);
    }
    cells.push(row);
  }
  const lines = matrixLines(`${indent}weights ${layer.name} = [`, cells);
  if (layer.hasBias) {
    const b = Array.from({ length: layer.units }, (_, k) => roundedLiteral(layer.b[k], d));
    if (b.some((s) => s === undefined)) return undefined;
    lines.push(...vectorLines(`${indent}bias ${layer.name} = `, b as string[]));
  }
  return lines;
}

/** Where a number's decimal point is, or would be: the width of its integer part, sign included. */
function pointOf(s: string): number {
  const dot = s.indexOf('.');
  if (dot >= 0) return dot;
  const e = s.indexOf('e');
  return e >= 0 ? e : s.length;
}

/**
 * Each column's cells padded so that the decimal points line up: spaces before a cell to the
 * column's widest integer part, and after it (past its comma, so no space comes before one) to
 * the column's widest fraction.
 */
function alignColumns(rows: string[][]): { lead: string; cell: string; trail: string }[][] {
  const columns = rows[0]?.length ?? 0;
  const left = Array.from({ length: columns }, (_, k) => Math.max(...rows.map((r) => pointOf(r[k]))));
  const right = Array.from({ length: columns }, (_, k) => Math.max(...rows.map((r) => r[k].length - pointOf(r[k]))));
  return rows.map((r) => r.map((c, k) => ({ lead: ' '.repeat(left[k] - pointOf(c)), cell: c, trail: ' '.repeat(right[k] - (c.length - pointOf(c))) })));
}

/** Cells on one line: `a, b, c`, each padded; no padding at the end of the line. */
function joinCells(cells: { lead: string; cell: string; trail: string }[], more: boolean): string {
  return cells.map((c, i) => c.lead + c.cell + (i < cells.length - 1 || more ? ',' : '') + (i < cells.length - 1 ? c.trail : '')).join(' ');
}

/**
 * `head[[a, b], [c, d]]` with one row per line: `head[[a, b],` then `[c, d]]` under it. A row
 * wider than LINE_WIDTH is cut into lines of as many columns as fit, continued under its first column.
 */
function matrixLines(head: string, rows: string[][]): string[] {
  const aligned = alignColumns(rows);
  const pad = ' '.repeat(head.length);
  const lines: string[] = [];
  aligned.forEach((row, j) => {
    const open = (j === 0 ? head : pad) + '[';
    const close = j === aligned.length - 1 ? ']]' : '],';
    wrap(row, open.length).forEach((part, i, parts) => {
      const last = i === parts.length - 1;
      lines.push((i === 0 ? open : ' '.repeat(open.length)) + joinCells(part, !last) + (last ? close : ''));
    });
  });
  return lines;
}

/** `head[a, b, c]`, wrapped like a matrix row. */
function vectorLines(head: string, cells: string[]): string[] {
  const [row] = alignColumns([cells]);
  const open = head + '[';
  return wrap(row, open.length).map((part, i, parts) => {
    const last = i === parts.length - 1;
    return (i === 0 ? open : ' '.repeat(open.length)) + joinCells(part, !last) + (last ? ']' : '');
  });
}

/** A row cut into parts of as many cells as fit in LINE_WIDTH after `indent` characters (at least one). */
function wrap<T extends { lead: string; cell: string; trail: string }>(row: T[], indent: number): T[][] {
  const width = Math.max(1, ...row.map((c) => c.lead.length + c.cell.length + c.trail.length));
  const perLine = Math.max(1, Math.floor((LINE_WIDTH - indent - 2) / (width + 2)));
  const parts: T[][] = [];
  for (let i = 0; i < row.length; i += perLine) parts.push(row.slice(i, i + perLine));
  return parts.length ? parts : [[]];
}
