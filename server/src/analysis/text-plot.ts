/**
 * A function and its derivative drawn in text, for editors whose hovers show no pictures (a
 * terminal's Neovim, Helix, Emacs): each curve a few lines of braille characters — a braille cell
 * is 2 dots wide and 4 tall, so 30 characters by 3 lines hold 60 × 12 dots — with its y-range on
 * the left and the x-range under both. Pure text, no escapes: it goes into a Markdown code block.
 */
import { valueText, yRange, type PlotOptions } from './plot';

/** Characters per curve line, and lines per curve. */
export const TEXT_PLOT_COLUMNS = 30;
export const TEXT_PLOT_ROWS = 3;

/** The dot bits of a braille cell (U+2800 + bits), by [row 0–3][column 0–1]. */
const DOT = [
  [0x01, 0x08],
  [0x02, 0x10],
  [0x04, 0x20],
  [0x40, 0x80],
];

/** What the picture plot takes, without what only a picture has (its size, a marked point). */
export type TextPlotOptions = Pick<PlotOptions, 'f' | 'df' | 'label' | 'from' | 'to'>;

/** A value of g at z, NaN where it is undefined or throws. */
function safe(g: (z: number) => number, z: number): number {
  try {
    const y = g(z);
    return typeof y === 'number' ? y : NaN;
  } catch {
    return NaN;
  }
}

/**
 * One curve as TEXT_PLOT_ROWS lines of braille: sample i of 2·COLUMNS at x_i = from + (i + ½)·(to − from)/(2·COLUMNS),
 * its dot row r = round((hi − y) / (hi − lo) · (4·ROWS − 1)); consecutive samples are joined by
 * filling the rows between them in the later sample's column, so a steep curve stays a line. A value
 * outside [lo, hi] or not finite draws nothing.
 */
function brailleCurve(ys: readonly number[], lo: number, hi: number): string[] {
  const W = TEXT_PLOT_COLUMNS;
  const H = TEXT_PLOT_ROWS * 4;
  const cells = Array.from({ length: TEXT_PLOT_ROWS }, () => new Array<number>(W).fill(0));
  const rowOf = (y: number) => Math.round(((hi - y) / (hi - lo)) * (H - 1));
  const set = (col: number, row: number) => {
    if (row < 0 || row >= H) return;
    cells[Math.floor(row / 4)][Math.floor(col / 2)] |= DOT[row % 4][col % 2];
  };
  let prev: number | undefined;
  ys.forEach((y, i) => {
    if (!Number.isFinite(y) || y < lo || y > hi) {
      prev = undefined;
      return;
    }
    const r = rowOf(y);
    if (prev === undefined) set(i, r);
    else for (let k = Math.min(prev, r); k <= Math.max(prev, r); k++) set(i, k);
    prev = r;
  });
  return cells.map((line) => line.map((bits) => String.fromCharCode(0x2800 + bits)).join(''));
}

/**
 * g and g' over [from, to] (default [−6, 6]) as text: for each, a label line, then the curve with
 * its top and bottom values on the left; the x-range under both.
 */
export function textPlot(opts: TextPlotOptions): string {
  let from = opts.from ?? -6;
  let to = opts.to ?? 6;
  if (!(Number.isFinite(from) && Number.isFinite(to) && to > from)) [from, to] = [-6, 6];
  const n = TEXT_PLOT_COLUMNS * 2;
  const xs = Array.from({ length: n }, (_, i) => from + ((i + 0.5) * (to - from)) / n);
  const curves: [string, number[]][] = [
    [opts.label, xs.map((z) => safe(opts.f, z))],
    [`${opts.label}'`, xs.map((z) => safe(opts.df, z))],
  ];
  const ranges = curves.map(([, ys]) => yRange(ys));
  const labels = ranges.flatMap(([lo, hi]) => [valueText(hi), valueText(lo)]);
  const pad = Math.max(...labels.map((l) => l.length));
  const out: string[] = [];
  curves.forEach(([label, ys], c) => {
    const [lo, hi] = ranges[c];
    const lines = brailleCurve(ys, lo, hi);
    out.push(`${label}:`);
    lines.forEach((line, r) => {
      const side = r === 0 ? valueText(hi) : r === lines.length - 1 ? valueText(lo) : '';
      out.push(`${side.padStart(pad)} ┤${line}`);
    });
  });
  const left = valueText(from);
  const right = valueText(to);
  out.push(`${' '.repeat(pad + 2)}${left}${right.padStart(TEXT_PLOT_COLUMNS - left.length)}`);
  return out.join('\n');
}
