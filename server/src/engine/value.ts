/** A value of the language: a number, a vector, or a matrix (rows of equal length). */
export type Value = number | number[] | number[][];

export type Shape = [] | [number] | [number, number];

export function shapeOf(v: Value): Shape {
  if (typeof v === 'number') return [];
  if (v.length > 0 && Array.isArray(v[0])) return [v.length, (v[0] as number[]).length];
  return [v.length];
}

export function describeShape(v: Value): string {
  const s = shapeOf(v);
  if (s.length === 0) return 'a number';
  if (s.length === 1) return `a vector of ${s[0]}`;
  return `a ${s[0]}×${s[1]} matrix`;
}

export function isMatrix(v: Value): v is number[][] {
  return Array.isArray(v) && v.length > 0 && Array.isArray(v[0]);
}

export function isVector(v: Value): v is number[] {
  return Array.isArray(v) && !isMatrix(v);
}

/** Applies f to every number of v. */
export function map(v: Value, f: (x: number) => number): Value {
  if (typeof v === 'number') return f(v);
  if (isMatrix(v)) return v.map((row) => row.map(f));
  return (v as number[]).map(f);
}

export class ShapeError extends Error {}

/**
 * Applies f elementwise to a and b of the same shape; a number pairs with every element of the
 * other operand (broadcasting, as in PyTorch).
 */
export function zip(a: Value, b: Value, f: (x: number, y: number) => number): Value {
  if (typeof a === 'number') return map(b, (y) => f(a, y));
  if (typeof b === 'number') return map(a, (x) => f(x, b));
  const sa = shapeOf(a);
  const sb = shapeOf(b);
  if (sa.length !== sb.length || sa.some((n, i) => n !== sb[i])) {
    throw new ShapeError(`cannot combine ${describeShape(a)} with ${describeShape(b)}: the shapes differ`);
  }
  if (isMatrix(a)) return a.map((row, i) => row.map((x, j) => f(x, (b as number[][])[i][j])));
  return (a as number[]).map((x, i) => f(x, (b as number[])[i]));
}

/** Every number of v, row by row. */
export function flatten(v: Value): number[] {
  if (typeof v === 'number') return [v];
  if (isMatrix(v)) return v.flat();
  return v as number[];
}

/**
 * A whole number with its digits grouped by threes, `12,345,678`, as `toLocaleString('en-US')`
 * writes it, without ICU: the first call of that maps about 5 MB of locale data into the language
 * server for good and takes about 12 ms (a hover on a network paid it).
 */
export function groupDigits(n: number): string {
  return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}
