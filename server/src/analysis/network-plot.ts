/**
 * *Show plot* on a network: the network's own function with the points it is trained on. One
 * input: y(x) for each of its first outputs (up to MAX_CURVES) as curves, the samples as dots.
 * Two inputs: the first output as a heatmap over the plane, the samples as dots coloured by their
 * target. The network is evaluated by the engine's predict() on raw inputs, so whatever the
 * engine applies inside (its parameters, trained or not; an input transform) is what is drawn.
 *
 * Each SVG states its mapping from data to pixels on its root (data-from, data-to, data-lo,
 * data-hi for the axes; data-left, data-top, data-w, data-h for the plot area), so a reader (or
 * a test) can turn any drawn point back into numbers.
 */
import { generate, GENERATOR_NAMES, type DataSample, type GeneratorName } from '../engine/datasets';
import { predict, type Network } from '../engine/network';
import { functionSamples } from '../semantics/data-sets';
import type { FileAnalysis } from './analyze';
import { multiples, n1, niceStep, polylines, tickText, valueText, xml, yRange } from './plot';

/** Outputs drawn as curves for a one-input network. */
export const MAX_CURVES = 3;
/** Samples along x for a curve. */
const CURVE_SAMPLES = 240;
/** Cells per side of the heatmap. */
export const HEATMAP_CELLS = 40;
/** Dots drawn at most (the first ones of the data set). */
const MAX_POINTS = 1000;

const INK = '#888888';
const COLORS = ['#3b82f6', '#e8590c', '#2f9e44'];
const FONT_SIZE = 11;
const CHAR_WIDTH = 6.2;

export interface NetworkPlot {
  label: string;
  svg: string;
  caption: string;
}

/**
 * The samples of the first `train` statement of `network`, when the analysis can know them: an
 * inline data set, or a generator (evaluated here, as a run would). A CSV file is not read here
 * (the analysis reads no files), so its points are not drawn.
 */
export function trainingSamples(a: FileAnalysis, network: string, outputs: number): { name: string; samples: DataSample[] } | undefined {
  const train = a.program.trains.find((t) => t.stmt.network.text === network);
  const set = train && a.program.data.get(train.stmt.data.text);
  if (!train || !set) return undefined;
  const name = train.stmt.data.text;
  if (set.samples) return { name, samples: set.samples };
  // One target, the expression's value; a NaN target (an expression undefined there) is no dot.
  if (set.function && outputs === 1) return { name, samples: functionSamples(set.function, a.program.env).filter((s) => Number.isFinite(s.target[0])) };
  const g = set.generator;
  if (g && (GENERATOR_NAMES as readonly string[]).includes(g.name) && (outputs === 1 || outputs === 2)) {
    try {
      return { name, samples: generate(g.name as GeneratorName, g, outputs) };
    } catch (err) {
      if (err instanceof RangeError) return undefined; // the checker reports bad arguments
      throw err;
    }
  }
  return undefined;
}

/** predict() that never throws into a picture: a failing evaluation is a gap (NaN). */
function outputAt(net: Network, input: number[]): number[] {
  try {
    return predict(net, input);
  } catch {
    return new Array<number>(net.layers[net.layers.length - 1].units).fill(NaN);
  }
}

/** The range of `values` padded by 5% (a single value gets ±1), or `fallback` when there are none. */
export function paddedRange(values: number[], fallback: [number, number]): [number, number] {
  const finite = values.filter(Number.isFinite);
  if (finite.length === 0) return fallback;
  let lo = Math.min(...finite);
  let hi = Math.max(...finite);
  if (hi - lo < 1e-9 * Math.max(1, Math.abs(lo))) [lo, hi] = [lo - 1, hi + 1];
  const pad = (hi - lo) * 0.05;
  return [lo - pad, hi + pad];
}

/**
 * The plots of a network's function: y(x) for one input, a heatmap for two; none for more.
 * `output` names the output layer, `data` the train statement's samples (when known).
 */
export function networkPlots(net: Network, output: string, data?: { name: string; samples: DataSample[] }): NetworkPlot[] {
  const points = data?.samples.slice(0, MAX_POINTS) ?? [];
  const of = data ? ` with the ${data.samples.length} samples of \`${data.name}\`` : '';
  const K = net.layers[net.layers.length - 1].units;
  if (net.inputs === 1) {
    return [{
      label: K === 1 ? `${output}(x)` : `${output}(x), outputs 0–${Math.min(K, MAX_CURVES) - 1}`,
      svg: curvePlot(net, output, points),
      caption: `The network's output over its input${of}; dots are the samples' targets.`,
    }];
  }
  if (net.inputs === 2) {
    return [{
      label: `${output}₀(x₁, x₂)`,
      svg: heatmapPlot(net, output, points),
      caption: `The network's first output over its two inputs (colour)${of}; dots are the samples, coloured by their target.`,
    }];
  }
  return [];
}

/** y(x) for the first outputs, with the samples' targets as dots. */
function curvePlot(net: Network, output: string, points: DataSample[], width = 480, height = 300): string {
  const K = Math.min(net.layers[net.layers.length - 1].units, MAX_CURVES);
  const [from, to] = paddedRange(points.map((p) => p.input[0]), [-6, 6]);
  const xs = Array.from({ length: CURVE_SAMPLES + 1 }, (_, i) => from + ((to - from) * i) / CURVE_SAMPLES);
  const outs = xs.map((x) => outputAt(net, [x]));
  const curves = Array.from({ length: K }, (_, k) => outs.map((o) => o[k]));
  const targets = points.flatMap((p) => p.target.slice(0, K)).filter(Number.isFinite);
  // The curves' robust range (one huge value does not flatten the rest), widened to every target:
  // a sample off the picture would hide the misfit it shows.
  let [lo, hi] = yRange([...curves.flat(), ...targets]);
  const margin = (hi - lo) * 0.04;
  if (targets.length) [lo, hi] = [Math.min(lo, Math.min(...targets) - margin), Math.max(hi, Math.max(...targets) + margin)];

  const legendHeight = 18;
  let yStep = niceStep(hi - lo, 5);
  if (multiples(lo, hi, yStep).length < 3) yStep = niceStep(hi - lo, 8);
  const yTicks = multiples(lo, hi, yStep);
  const yLabels = yTicks.map((y) => tickText(y, yStep));
  const left = Math.max(30, 10 + Math.max(0, ...yLabels.map((s) => s.length)) * CHAR_WIDTH);
  const top = legendHeight + 8;
  const w = width - left - 12;
  const h = height - top - 22;
  const px = (x: number) => left + ((x - from) / (to - from)) * w;
  const py = (y: number) => top + ((hi - y) / (hi - lo)) * h;
  const xStep = niceStep(to - from, 6);
  const xTicks = multiples(from, to, xStep);

  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="${FONT_SIZE}"` +
      ` data-from="${from}" data-to="${to}" data-lo="${lo}" data-hi="${hi}" data-left="${left}" data-top="${top}" data-w="${w}" data-h="${h}">`,
    `<title>${xml(`${output}(x) on [${valueText(from)}, ${valueText(to)}]`)}</title>`,
  ];
  const grid = [...xTicks.map((x) => `M${n1(px(x))} ${n1(top)}V${n1(top + h)}`), ...yTicks.map((y) => `M${n1(left)} ${n1(py(y))}H${n1(left + w)}`)];
  out.push(`<path d="${grid.join('')}" stroke="${INK}" stroke-opacity="0.25" stroke-width="0.5" fill="none"/>`);
  out.push(`<rect x="${n1(left)}" y="${n1(top)}" width="${n1(w)}" height="${n1(h)}" stroke="${INK}" fill="none"/>`);
  const labels = [
    ...xTicks.map((x) => `<text x="${n1(px(x))}" y="${n1(height - 6)}" text-anchor="middle">${xml(tickText(x, xStep))}</text>`),
    ...yTicks.map((y, i) => `<text x="${n1(left - 5)}" y="${n1(py(y) + 3.5)}" text-anchor="end">${xml(yLabels[i])}</text>`),
  ];
  out.push(`<g fill="${INK}">${labels.join('')}</g>`);
  // The samples first, under the curves.
  for (let k = 0; k < K; k++) {
    const dots = points
      .filter((p) => Number.isFinite(p.target[k]) && p.target[k] >= lo && p.target[k] <= hi && p.input[0] >= from && p.input[0] <= to)
      .map((p) => `<circle cx="${n1(px(p.input[0]))}" cy="${n1(py(p.target[k]))}" r="2.5"/>`);
    if (dots.length) out.push(`<g class="points" data-output="${k}" fill="${COLORS[k]}" fill-opacity="0.45">${dots.join('')}</g>`);
  }
  curves.forEach((ys, k) => {
    const d = polylines(xs, ys, lo, hi).map((line) => 'M' + line.map(([x, y]) => `${n1(px(x))} ${n1(py(y))}`).join(' ')).join('');
    out.push(`<path class="curve" data-output="${k}" d="${d}" stroke="${COLORS[k]}" stroke-width="2" fill="none" stroke-linejoin="round"/>`);
  });
  let lx = left;
  for (let k = 0; k < K; k++) {
    const text = K === 1 ? `${output}(x)` : `${output}[${k}](x)`;
    out.push(`<path d="M${n1(lx)} 10h18" stroke="${COLORS[k]}" stroke-width="2"/><text x="${n1(lx + 22)}" y="14" fill="${INK}">${xml(text)}</text>`);
    lx += 34 + text.length * CHAR_WIDTH;
  }
  out.push('</svg>');
  return out.join('');
}

/** A colour between blue (t = 0) and orange (t = 1) through grey: mid tones, for both themes. */
function ramp(t: number): string {
  const c = Math.max(0, Math.min(1, Number.isFinite(t) ? t : 0.5));
  const [a, m, b] = [[59, 130, 246], [136, 136, 136], [232, 89, 12]];
  const mix = (p: number[], q: number[], s: number) => p.map((v, i) => Math.round(v + (q[i] - v) * s));
  const rgb = c < 0.5 ? mix(a, m, c * 2) : mix(m, b, (c - 0.5) * 2);
  return `#${rgb.map((v) => v.toString(16).padStart(2, '0')).join('')}`;
}

/** The first output over the plane of the two inputs, with the samples coloured by target. */
function heatmapPlot(net: Network, output: string, points: DataSample[], width = 420, height = 400): string {
  const [x0, x1] = paddedRange(points.map((p) => p.input[0]), [-6, 6]);
  const [y0, y1] = paddedRange(points.map((p) => p.input[1]), [-6, 6]);
  const n = HEATMAP_CELLS;
  const cx = (i: number) => x0 + ((i + 0.5) * (x1 - x0)) / n;
  const cy = (j: number) => y0 + ((j + 0.5) * (y1 - y0)) / n;
  const values: number[][] = Array.from({ length: n }, (_, j) => Array.from({ length: n }, (_, i) => outputAt(net, [cx(i), cy(j)])[0]));
  const finite = values.flat().filter(Number.isFinite);
  const targets = points.map((p) => p.target[0]).filter(Number.isFinite);
  let vlo = Math.min(...finite, ...targets);
  let vhi = Math.max(...finite, ...targets);
  if (!(vhi > vlo)) [vlo, vhi] = [vlo - 1, vhi + 1];
  if (!Number.isFinite(vlo) || !Number.isFinite(vhi)) [vlo, vhi] = [0, 1];
  const t = (v: number) => (v - vlo) / (vhi - vlo);

  const left = 44;
  const top = 24;
  const w = width - left - 12;
  const h = height - top - 24;
  const px = (x: number) => left + ((x - x0) / (x1 - x0)) * w;
  const py = (y: number) => top + ((y1 - y) / (y1 - y0)) * h;
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="${FONT_SIZE}"` +
      ` data-from="${x0}" data-to="${x1}" data-lo="${y0}" data-hi="${y1}" data-left="${left}" data-top="${top}" data-w="${w}" data-h="${h}" data-vlo="${vlo}" data-vhi="${vhi}">`,
    `<title>${xml(`${output}₀(x₁, x₂) on [${valueText(x0)}, ${valueText(x1)}] × [${valueText(y0)}, ${valueText(y1)}]`)}</title>`,
  ];
  const cw = w / n;
  const ch = h / n;
  const cells: string[] = [];
  for (let j = 0; j < n; j++) {
    for (let i = 0; i < n; i++) {
      const v = values[j][i];
      // Each cell carries its centre and value, the numbers its colour stands for.
      cells.push(`<rect x="${n1(left + i * cw)}" y="${n1(top + h - (j + 1) * ch)}" width="${n1(cw + 0.2)}" height="${n1(ch + 0.2)}" fill="${ramp(t(v))}" data-x="${cx(i)}" data-y="${cy(j)}" data-v="${v}"/>`);
    }
  }
  out.push(`<g class="heatmap">${cells.join('')}</g>`);
  const dots = points
    .filter((p) => p.input[0] >= x0 && p.input[0] <= x1 && p.input[1] >= y0 && p.input[1] <= y1)
    .map((p) => `<circle cx="${n1(px(p.input[0]))}" cy="${n1(py(p.input[1]))}" r="3" fill="${ramp(t(p.target[0]))}"/>`);
  if (dots.length) out.push(`<g class="points" stroke="#ffffff" stroke-width="0.8">${dots.join('')}</g>`);
  const xStep = niceStep(x1 - x0, 6);
  const yStep = niceStep(y1 - y0, 6);
  const labels = [
    ...multiples(x0, x1, xStep).map((x) => `<text x="${n1(px(x))}" y="${n1(height - 8)}" text-anchor="middle">${xml(tickText(x, xStep))}</text>`),
    ...multiples(y0, y1, yStep).map((y) => `<text x="${n1(left - 5)}" y="${n1(py(y) + 3.5)}" text-anchor="end">${xml(tickText(y, yStep))}</text>`),
    `<text x="${n1(left)}" y="15">${xml(`${output}₀: ${valueText(vlo)}`)}</text>`,
    `<text x="${n1(left + w)}" y="15" text-anchor="end">${xml(valueText(vhi))}</text>`,
  ];
  out.push(`<g fill="${INK}">${labels.join('')}</g>`);
  // The colour scale between its two ends.
  const stops = Array.from({ length: 11 }, (_, i) => `<stop offset="${i / 10}" stop-color="${ramp(i / 10)}"/>`).join('');
  const textEnd = left + 14 + `${output}₀: ${valueText(vlo)}`.length * CHAR_WIDTH;
  const barEnd = left + w - 10 - valueText(vhi).length * CHAR_WIDTH;
  if (barEnd - textEnd > 20) out.push(`<defs><linearGradient id="scale">${stops}</linearGradient></defs><rect x="${n1(textEnd)}" y="7" width="${n1(barEnd - textEnd)}" height="9" fill="url(#scale)"/>`);
  out.push('</svg>');
  return out.join('');
}
