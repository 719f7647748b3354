/**
 * Small pictures for hovers: a function with its derivative as a self-contained SVG, carried in
 * the Markdown as a data URI (a hover cannot point at a file), and a softmax Jacobian as a table.
 *
 * The SVG must read on light and dark editor themes alike, so its background is transparent and
 * every colour is a mid tone; it names no font file and references nothing outside itself. It
 * must also survive whatever a user's `fn` computes: NaN, ±∞, constants and values near 1e308.
 */

export interface PlotOptions {
  /** g, evaluated at each sample. */
  f: (z: number) => number;
  /** g′. */
  df: (z: number) => number;
  /** The function's name, for the legend: `label` and `label′`. */
  label: string;
  /** The domain; [-6, 6] by default, where every activation has done its interesting part. */
  from?: number;
  to?: number;
  /** A point to mark with a dot on both curves and its values in the legend. */
  mark?: number;
  width?: number;
  height?: number;
}

/** Samples across the domain: enough for a smooth curve at hover size, few enough for ~8 KB. */
const SAMPLES = 200;

// Mid tones: each has at least 3:1 contrast on white and on VS Code's dark hover background.
const INK = '#888888';
const G_COLOR = '#3b82f6';
const DG_COLOR = '#e8590c';
const FONT_SIZE = 11;
/** Average advance of a sans-serif character at FONT_SIZE, to reserve room for text. */
const CHAR_WIDTH = 6.2;

/** A coordinate with one decimal, without a trailing ".0" (and never "-0"). */
export function n1(x: number): string {
  return String(Math.round(x * 10) / 10 + 0);
}

/** Escapes text for XML content and attribute values. */
export function xml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** A value for people, 4 significant digits; never the words NaN or Infinity. */
export function valueText(x: number): string {
  if (Number.isNaN(x)) return 'undefined';
  if (!Number.isFinite(x)) return x > 0 ? '∞' : '−∞';
  if (x === 0) return '0';
  const a = Math.abs(x);
  const s = a >= 1e-3 && a < 1e6 ? String(Number(x.toPrecision(4))) : x.toExponential(2).replace(/\.?0+e/, 'e').replace('e+', 'e');
  return s.replace('-', '−');
}

/** A tick label: as many decimals as the step needs, exponent form for very large or small. */
export function tickText(x: number, step: number): string {
  if (Math.abs(x) < step * 1e-9) return '0';
  const a = Math.abs(x);
  const s = a >= 1e5 || a < 1e-3 ? x.toExponential(1).replace(/\.0e/, 'e').replace('e+', 'e') : x.toFixed(Math.max(0, Math.min(6, -Math.floor(Math.log10(step) + 1e-9))));
  return s.replace('-', '−');
}

/** The 1-2-5 step nearest above span/target: about `target` intervals across the span. */
export function niceStep(span: number, target: number): number {
  const raw = span / target;
  const mag = Math.pow(10, Math.floor(Math.log10(raw)));
  for (const m of [1, 2, 5, 10]) if (m * mag >= raw * (1 - 1e-9)) return m * mag;
  return 10 * mag;
}

/** Multiples of step within [lo, hi], at most `max` of them (none if the step is unusable). */
export function multiples(lo: number, hi: number, step: number, max = 40): number[] {
  if (!(step > 0) || !Number.isFinite(step) || (hi - lo) / step > max) return [];
  const out: number[] = [];
  for (let i = Math.ceil(lo / step - 1e-9); i * step <= hi + step * 1e-9; i++) out.push(i * step);
  return out;
}

/**
 * The y-range to draw: the central 98% of the finite values of g and g′ (so one huge value, such
 * as 1/z next to 0, does not flatten the rest), stretched to include 0 when that at most triples
 * it (the axis then shows), widened when the functions are constant, padded by 6%.
 */
export function yRange(values: readonly number[]): [number, number] {
  const finite = values.filter(Number.isFinite).sort((a, b) => a - b);
  if (finite.length === 0) return [-1.06, 1.06];
  // Far beyond any readable tick; keeps hi − lo finite.
  const clamp = (x: number) => Math.max(-1e300, Math.min(1e300, x));
  let lo = clamp(finite[Math.floor(0.01 * (finite.length - 1))]);
  let hi = clamp(finite[Math.ceil(0.99 * (finite.length - 1))]);
  if (lo > 0 && hi <= 3 * (hi - lo)) lo = 0;
  if (hi < 0 && -lo <= 3 * (hi - lo)) hi = 0;
  if (hi - lo <= 1e-9 * Math.max(Math.abs(lo), Math.abs(hi))) {
    // Constant: show it in a window that includes 0 or, far from 0, ±10% of its value.
    const c = (lo + hi) / 2;
    const half = c === 0 ? 1 : Math.abs(c) * (Math.abs(c) > 1e6 ? 0.1 : 1);
    [lo, hi] = c === 0 ? [-1, 1] : Math.abs(c) > 1e6 ? [c - half, c + half] : [Math.min(0, c), Math.max(0, c)];
  }
  const pad = (hi - lo) * 0.06;
  return [lo - pad, hi + pad];
}

export type Point = [number, number];

/**
 * The samples as polylines clipped to [lo, hi]: a non-finite value ends a line, a segment that
 * leaves the range is drawn to its edge, and one that jumps from below to above (a pole, as 1/z
 * has at 0) is not drawn.
 */
export function polylines(xs: readonly number[], ys: readonly number[], lo: number, hi: number): Point[][] {
  const lines: Point[][] = [];
  let current: Point[] | undefined;
  const edge = (x0: number, y0: number, x1: number, y1: number, y: number): Point => {
    const t = (y - y0) / (y1 - y0);
    return [x0 + (Number.isFinite(t) ? t : 0) * (x1 - x0), y];
  };
  for (let i = 0; i + 1 < xs.length; i++) {
    const [x0, y0, x1, y1] = [xs[i], ys[i], xs[i + 1], ys[i + 1]];
    const inside = (y: number) => y >= lo && y <= hi;
    let segment: [Point, Point] | undefined;
    if (Number.isFinite(y0) && Number.isFinite(y1)) {
      if (inside(y0) && inside(y1)) segment = [[x0, y0], [x1, y1]];
      else if (inside(y0)) segment = [[x0, y0], edge(x0, y0, x1, y1, y1 > hi ? hi : lo)];
      else if (inside(y1)) segment = [edge(x0, y0, x1, y1, y0 > hi ? hi : lo), [x1, y1]];
    }
    if (!segment) {
      current = undefined;
      continue;
    }
    const last = current?.[current.length - 1];
    if (current && last && last[0] === segment[0][0] && last[1] === segment[0][1]) current.push(segment[1]);
    else lines.push((current = [segment[0], segment[1]]));
    // A line that ran into the edge has ended there.
    if (!inside(segment[1][1]) || segment[1][1] !== y1) current = undefined;
  }
  return lines;
}

/**
 * An SVG plot of g (solid) and g′ (dashed) over [from, to] (default [-6, 6]), sampled at about
 * 200 points: axes through 0 with ticks, light grid lines at the labelled ticks, a legend, and,
 * with `mark`, a dot on each curve at z = mark with g(mark) and g′(mark) in the legend.
 * The y-range is that of yRange(); values are in data space, mapped to pixels by
 * px = left + (z − from)/(to − from)·w and py = top + (hi − y)/(hi − lo)·h, rounded to 0.1 px.
 */
export function plotFunction(opts: PlotOptions): string {
  // A curve that is clipped at every other sample costs a move per piece; fewer samples keep
  // even that under the size a hover should carry.
  let svg = '';
  for (const samples of [SAMPLES, 120, 60]) {
    svg = render(opts, samples);
    if (svg.length <= MAX_SVG_BYTES) break;
  }
  return svg;
}

/** What a hover's data URI should stay under (base64 adds a third). */
const MAX_SVG_BYTES = 8000;

function render(opts: PlotOptions, samples: number): string {
  const width = Math.max(120, Math.round(opts.width ?? 360));
  const height = Math.max(90, Math.round(opts.height ?? 220));
  let from = opts.from ?? -6;
  let to = opts.to ?? 6;
  if (!(Number.isFinite(from) && Number.isFinite(to) && to > from)) [from, to] = [-6, 6];

  const safe = (g: (z: number) => number, z: number) => {
    try {
      const y = g(z);
      return typeof y === 'number' ? y : NaN;
    } catch {
      return NaN; // a function that throws is undefined there, like NaN
    }
  };
  const xs = Array.from({ length: samples + 1 }, (_, i) => from + ((to - from) * i) / samples);
  const gs = xs.map((z) => safe(opts.f, z));
  const dgs = xs.map((z) => safe(opts.df, z));
  const [lo, hi] = yRange([...gs, ...dgs]);

  const mark = opts.mark !== undefined && Number.isFinite(opts.mark) && opts.mark >= from && opts.mark <= to ? opts.mark : undefined;
  const markG = mark === undefined ? NaN : safe(opts.f, mark);
  const markDg = mark === undefined ? NaN : safe(opts.df, mark);

  // ---- layout: legend band on top, y labels on the left, x labels below ----
  const name = opts.label;
  const at = mark === undefined ? '' : `(${valueText(mark)})`;
  const legend = [
    { text: `${name}${at}${mark === undefined ? '' : ` = ${valueText(markG)}`}`, color: G_COLOR, dash: false },
    { text: `${name}′${at}${mark === undefined ? '' : ` = ${valueText(markDg)}`}`, color: DG_COLOR, dash: true },
  ];
  const entryWidth = (t: string) => 26 + t.length * CHAR_WIDTH;
  const oneRow = entryWidth(legend[0].text) + 12 + entryWidth(legend[1].text) <= width - 8;
  const legendHeight = oneRow ? 16 : 30;

  // Five or so labelled values; a 1-2-5 step can leave only two, so then halve it.
  let yStep = niceStep(hi - lo, 5);
  if (multiples(lo, hi, yStep).length < 3) yStep = niceStep(hi - lo, 8);
  const yTicks = multiples(lo, hi, yStep);
  const yLabels = yTicks.map((y) => tickText(y, yStep));
  const left = Math.max(26, 10 + Math.max(0, ...yLabels.map((s) => s.length)) * CHAR_WIDTH);
  const right = 10;
  const top = legendHeight + 8;
  const bottom = 18;
  const w = width - left - right;
  const h = height - top - bottom;
  const px = (z: number) => left + ((z - from) / (to - from)) * w;
  const py = (y: number) => top + ((hi - y) / (hi - lo)) * h;

  const span = to - from;
  const labelStep = niceStep(span, 6);
  const xLabels = multiples(from, to, labelStep);
  const xTicks = span >= 3 && span <= 20 ? multiples(from, to, 1) : xLabels;

  const out: string[] = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="${FONT_SIZE}">`,
    `<title>${xml(`${name} and ${name}′ on [${valueText(from)}, ${valueText(to)}]`)}</title>`,
  );

  // Grid at the labelled ticks, faint, so the curves can be read against numbers.
  const grid = [...xLabels.map((z) => `M${n1(px(z))} ${n1(top)}V${n1(top + h)}`), ...yTicks.map((y) => `M${n1(left)} ${n1(py(y))}H${n1(left + w)}`)];
  if (grid.length) out.push(`<path d="${grid.join('')}" stroke="${INK}" stroke-opacity="0.25" stroke-width="0.5" fill="none"/>`);

  // Axes through 0 where 0 is in view, else along the edge the numbers are nearest to.
  const axisY = lo <= 0 && hi >= 0 ? py(0) : hi < 0 ? top : top + h;
  const axisX = from <= 0 && to >= 0 ? px(0) : to < 0 ? left + w : left;
  const axes = [`M${n1(left)} ${n1(axisY)}H${n1(left + w)}`, `M${n1(axisX)} ${n1(top)}V${n1(top + h)}`];
  for (const z of xTicks) axes.push(`M${n1(px(z))} ${n1(axisY - 3)}v6`);
  for (const y of yTicks) axes.push(`M${n1(axisX - 3)} ${n1(py(y))}h6`);
  out.push(`<path d="${axes.join('')}" stroke="${INK}" stroke-width="1" fill="none"/>`);

  // Labels in the margins, where they never sit on a curve.
  const labels: string[] = [];
  for (const z of xLabels) {
    // Centred under its tick, unless that would push it off the picture's edge.
    const text = tickText(z, labelStep);
    const half = (text.length * CHAR_WIDTH) / 2;
    const x = px(z);
    const [ax, anchor] = x - half < 1 ? [1, 'start'] : x + half > width - 1 ? [width - 1, 'end'] : [x, 'middle'];
    labels.push(`<text x="${n1(ax)}" y="${n1(height - 5)}" text-anchor="${anchor}">${xml(text)}</text>`);
  }
  yTicks.forEach((y, i) => labels.push(`<text x="${n1(left - 5)}" y="${n1(py(y) + 3.5)}" text-anchor="end">${xml(yLabels[i])}</text>`));
  out.push(`<g fill="${INK}">${labels.join('')}</g>`);

  // The curves.
  const path = (ys: number[]) =>
    polylines(xs, ys, lo, hi)
      .map((line) => 'M' + line.map(([z, y]) => `${n1(px(z))} ${n1(py(y))}`).join(' '))
      .join('');
  out.push(`<path class="g" d="${path(gs)}" stroke="${G_COLOR}" stroke-width="2" fill="none" stroke-linejoin="round"/>`);
  out.push(`<path class="dg" d="${path(dgs)}" stroke="${DG_COLOR}" stroke-width="1.75" stroke-dasharray="5 3" fill="none" stroke-linejoin="round"/>`);

  // The marked point: a guide down to the axis and a dot on each curve that is finite and in view.
  if (mark !== undefined) {
    out.push(`<path d="M${n1(px(mark))} ${n1(top)}V${n1(top + h)}" stroke="${INK}" stroke-width="1" stroke-dasharray="2 2"/>`);
    for (const [y, color, cls] of [[markG, G_COLOR, 'mark'], [markDg, DG_COLOR, 'mark-d']] as const) {
      if (Number.isFinite(y) && y >= lo && y <= hi) {
        out.push(`<circle class="${cls}" cx="${n1(px(mark))}" cy="${n1(py(y))}" r="3.5" fill="${color}" stroke="${INK}" stroke-width="0.75"/>`);
      }
    }
  }

  // The legend: a sample of each line and its name (and values at the mark).
  let lx = 8;
  let ly = 12;
  for (const entry of legend) {
    out.push(
      `<path d="M${n1(lx)} ${n1(ly - 4)}h20" stroke="${entry.color}" stroke-width="${entry.dash ? 1.75 : 2}"${entry.dash ? ' stroke-dasharray="5 3"' : ''}/>`,
      `<text x="${n1(lx + 26)}" y="${n1(ly)}" fill="${INK}">${xml(entry.text)}</text>`,
    );
    if (oneRow) lx += entryWidth(entry.text) + 12;
    else ly += 14;
  }
  out.push('</svg>');
  return out.join('');
}

/** The UTF-8 bytes of `text` in base64, with what both Node and browsers have (no `Buffer`). */
function base64(text: string): string {
  const bytes = new TextEncoder().encode(text);
  let binary = '';
  // In slices: String.fromCharCode takes its characters as arguments, and arguments are bounded.
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}

/** `data:image/svg+xml;base64,…`: base64 rather than percent-encoding, which Markdown could mangle. */
export function svgDataUri(svg: string): string {
  return `data:image/svg+xml;base64,${base64(svg)}`;
}

/**
 * A Markdown image of the SVG. With `width`, the picture is rescaled by rewriting the root
 * element's width and height (its viewBox keeps the drawing), which every Markdown renderer
 * honours, unlike HTML attributes or VS Code's `|width=` suffix.
 */
export function markdownImage(svg: string, alt: string, width?: number): string {
  let sized = svg;
  if (width !== undefined && Number.isFinite(width) && width > 0) {
    const m = /^<svg\b[^>]*?\swidth="([\d.]+)"[^>]*?\sheight="([\d.]+)"/.exec(svg);
    if (m) {
      const height = (Number(m[2]) * width) / Number(m[1]);
      sized = svg.replace(/^(<svg\b[^>]*?\s)width="[\d.]+"([^>]*?\s)height="[\d.]+"/, `$1width="${n1(width)}"$2height="${n1(height)}"`);
    }
  }
  const safeAlt = alt.replace(/[\\[\]]/g, (c) => `\\${c}`).replace(/\s+/g, ' ');
  return `![${safeAlt}](${svgDataUri(sized)})`;
}

/** A number for a table cell, with the same conventions as the plot. */
function cell(x: number): string {
  return valueText(x);
}

/** Rows and columns a hover table shows before it elides the rest. */
const MAX_TABLE = 10;

/**
 * The softmax Jacobian J[i][j] = ∂p_i/∂z_j = p_i(δ_ij − p_j) as a Markdown table: a row per
 * output p_i (with its value), a column per input z_j, at most 10 of each (then "…").
 */
export function plotJacobianTable(J: number[][], p: number[]): string {
  const n = J.length;
  if (n === 0) return '';
  const cols = Math.max(...J.map((r) => r.length));
  const shownRows = Math.min(n, MAX_TABLE);
  const shownCols = Math.min(cols, MAX_TABLE);
  const more = (count: number, shown: number) => count > shown;
  const header = ['∂pᵢ/∂zⱼ', ...Array.from({ length: shownCols }, (_, j) => `z${j + 1}`), ...(more(cols, shownCols) ? ['…'] : [])];
  const lines = [`| ${header.join(' | ')} |`, `| --- |${' ---: |'.repeat(header.length - 1)}`];
  for (let i = 0; i < shownRows; i++) {
    const row = J[i];
    const cells = Array.from({ length: shownCols }, (_, j) => (j < row.length ? (i === j ? `**${cell(row[j])}**` : cell(row[j])) : ''));
    const name = i < p.length ? `p${i + 1} = ${cell(p[i])}` : `p${i + 1}`;
    lines.push(`| ${[name, ...cells, ...(more(cols, shownCols) ? ['…'] : [])].join(' | ')} |`);
  }
  if (more(n, shownRows)) lines.push(`| … ${'| '.repeat(header.length - 1)}|`);
  return lines.join('\n');
}
