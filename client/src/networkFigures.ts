import type { NetworkView, ViewColumn, ViewEdge, ViewGradients, ViewParameters, ViewUnit } from '../../server/src/protocol/network';
import { shortNumber } from './figures';

/**
 * The words and numbers of the network view (*NetSpec: Show Network*): what its header, legend
 * and tooltips say, and the line widths of its gradients mode. Pure (types and figures.ts only), so
 * the page script bundles it and the unit tests read it.
 */

/**
 * The diagram's stroke scale and colours (server/src/analysis/network-diagram.ts, which the page
 * cannot import: the webview bundle takes nothing of the server but types). The unit tests hold
 * these copies equal to the diagram's.
 */
export const MIN_STROKE = 0.5;
export const MAX_STROKE = 6;
export const POSITIVE_COLOR = '#2f7fd8';
export const NEGATIVE_COLOR = '#e8590c';

/** What the lines show: each weight w, or its gradient dE/dw. */
export type ViewMode = 'weights' | 'gradients';

/**
 * The stroke width of a line for |v| (a weight or a gradient) against the largest drawn |v|:
 * width = MIN + (MAX − MIN) · |v| / max|v| px, the diagram's `widthFor`; a hairline when the
 * largest is 0 or unknown, the widest line when the ratio is not finite (an infinite gradient).
 */
export function strokeWidth(absV: number, maxAbsV: number | null | undefined): number {
  if (typeof maxAbsV !== 'number' || !(maxAbsV > 0)) return MIN_STROKE;
  const r = absV / maxAbsV;
  return MIN_STROKE + (MAX_STROKE - MIN_STROKE) * (Number.isFinite(r) ? Math.min(1, r) : 1);
}

/** How a line is drawn in a mode: its width and whether it takes the positive colour. */
export interface EdgeLook {
  width: number;
  positive: boolean;
}

/**
 * Weights: width by |w| / max|w|, colour by the sign of w (what the diagram's SVG already has).
 * Gradients: width by |dE/dw| / max|dE/dw|; colour by the sign of dE/dw at a probe, but by the sign
 * of w for a run's epoch means, which are magnitudes (ViewGradients). A missing or non-finite
 * gradient (`null` on the wire) is a hairline.
 */
export function edgeLook(view: NetworkView, edge: ViewEdge, mode: ViewMode): EdgeLook {
  if (mode === 'weights' || !view.gradients) return { width: strokeWidth(Math.abs(edge.w), view.maxAbsW), positive: !(edge.w < 0) };
  const g = edge.grad;
  if (typeof g !== 'number' || !Number.isFinite(g)) return { width: MIN_STROKE, positive: !(edge.w < 0) };
  const positive = view.gradients.source === 'epoch' ? !(edge.w < 0) : !(g < 0);
  return { width: strokeWidth(Math.abs(g), view.maxAbsGrad), positive };
}

/** The SVG's names of an edge's ends: `data-from` and `data-to`, "LAYER:j" and "LAYER:k". */
export function edgeEnds(view: NetworkView, edge: ViewEdge): { from: string; to: string } {
  return { from: `${view.columns[edge.layer]?.name}:${edge.j}`, to: `${view.columns[edge.layer + 1]?.name}:${edge.k}` };
}

/** A key for an edge of the SVG or of the view: the same for the same weight. */
export function edgeKey(from: string, to: string): string {
  return `${from}>${to}`;
}

/**
 * What the structure of a drawing is: its columns (names, widths, drawn units) and edges. Two
 * views with the same key have the same elements, so a new one can be copied onto the page's
 * elements in place (keeping hover and keyboard focus); another key redraws.
 */
export function structureKey(view: NetworkView): string {
  const columns = view.columns.map((c) => `${c.name}[${c.units}]${c.activation ?? ''}:${c.drawn.map((u) => u.unit).join(',')}`);
  return `${view.network}|${columns.join('|')}|${view.edges.length}|${view.heatmap ? 'map' : ''}`;
}

const SUBSCRIPTS = '₀₁₂₃₄₅₆₇₈₉';

/** n in subscript digits: 12 → ₁₂. */
export function subscript(n: number): string {
  return String(n).replace(/\d/g, (d) => SUBSCRIPTS[Number(d)]);
}

/** A number in full precision (what the engine computed), or "not finite" for JSON's `null`. */
export function full(v: number | null | undefined): string {
  return typeof v === 'number' ? String(v) : 'not finite';
}

/** A number for a formula: 4 significant digits. */
function short(v: number | null | undefined): string {
  return typeof v === 'number' ? shortNumber(v) : 'not finite';
}

/** The header's line saying whose parameters the lines are. */
export function parametersText(p: ViewParameters): string {
  if (p.kind === 'trained') return 'trained weights (the last run\'s)';
  if (p.kind === 'live') return `training: epoch ${p.epoch} / ${p.epochs}`;
  return p.init ? `initial weights (init ${p.init})` : 'the file\'s weights';
}

/** Where the gradients come from, as the legend says it. */
export function gradientsText(g: ViewGradients): string {
  return g.source === 'probe' ? `dE/dw at the probe on line ${g.line + 1}` : `mean |dE/dw| over the steps of epoch ${g.epoch}`;
}

/**
 * The legend's scale sentence for a mode: the width formula in numbers, and in gradients mode
 * where the gradients come from and what the colours mean.
 */
export function legendText(view: NetworkView, mode: ViewMode): string {
  const range = `${MIN_STROKE} + ${MAX_STROKE - MIN_STROKE}`;
  if (mode === 'gradients' && view.gradients) {
    const max = view.maxAbsGrad;
    const scale = typeof max === 'number' && max > 0 ? `line width ${range} · |dE/dw| / ${short(max)} px` : 'every gradient is 0';
    const colour = view.gradients.source === 'epoch' ? 'colour: the sign of w (the means are magnitudes)' : 'colour: the sign of dE/dw';
    return `${gradientsText(view.gradients)}; ${colour}; ${scale}`;
  }
  return view.maxAbsW > 0 ? `colour: the sign of w; line width ${range} · |w| / ${short(view.maxAbsW)} px` : 'every weight is 0';
}

/** The legend's two colour labels: the sign the line's colour says (of w, or of dE/dw at a probe). */
export function signLabels(view: NetworkView, mode: ViewMode): [string, string] {
  return mode === 'gradients' && view.gradients?.source === 'probe' ? ['dE/dw > 0', 'dE/dw < 0'] : ['w > 0', 'w < 0'];
}

/** The name of a dense layer's inputs: xⱼ for the first (the network's input), aⱼ after it. */
function inputName(layer: number): string {
  return layer === 0 ? 'x' : 'a';
}

/**
 * An edge's tooltip, line by line: which weight it is (wⱼ,ₖ from unit j of one column to unit k of
 * the next), w in full precision, its gradient, and at the output layer, at a probe, the chain
 * rule's factors: dE/dwⱼₖ = (g(zₖ) − tₖ) · g'(zₖ) · aⱼ under squared error, dE/dyₖ · g'(zₖ) · aⱼ
 * otherwise, each factor's value and their product.
 */
export function edgeTip(view: NetworkView, edge: ViewEdge): string[] {
  const { from, to } = edgeEnds(view, edge);
  const j = subscript(edge.j);
  const k = subscript(edge.k);
  const lines = [`w${j},${k}: ${from} → ${to}`, `w = ${full(edge.w)}`];
  if (edge.grad !== undefined && view.gradients) {
    lines.push(view.gradients.source === 'probe' ? `dE/dw = ${full(edge.grad)}` : `mean |dE/dw| = ${full(edge.grad)} (epoch ${view.gradients.epoch})`);
    const f = edge.factors;
    if (f && view.gradients.source === 'probe') {
      const a = `${inputName(edge.layer)}${j}`;
      const first = f.squared ? `(g(z${k}) − t${k})` : `dE/dy${k}`;
      lines.push(`${first} · g'(z${k}) · ${a} = ${short(f.dEdy)} · ${short(f.gprime)} · ${short(f.x)} = ${short(edge.grad)}`);
    }
  }
  return lines;
}

/**
 * A unit's tooltip: its name, and at the probe its value (xⱼ for an input, g(zₖ) for a dense
 * unit) with z, g'(z) and δ = dE/dz, in full precision.
 */
export function unitTip(column: ViewColumn, unit: ViewUnit): string[] {
  const name = `${column.name}:${unit.unit}${column.activation ? ` (${column.activation})` : ''}`;
  const lines = [name];
  if (column.kind === 'input') {
    if (unit.value !== undefined) lines.push(`x${subscript(unit.unit)} = ${full(unit.value)}`);
    return lines;
  }
  if (unit.value !== undefined) lines.push(`g(z) = ${full(unit.value)}`);
  if (unit.z !== undefined) lines.push(`z = ${full(unit.z)}`);
  if (unit.gprime !== undefined) lines.push(`g'(z) = ${full(unit.gprime)}`);
  if (unit.delta !== undefined) lines.push(`δ = dE/dz = ${full(unit.delta)}`);
  return lines;
}

/** A unit's label by it (networks without heatmaps): its value and δ at the probe, short. */
export function unitLabel(unit: ViewUnit): string[] {
  const out: string[] = [];
  if (unit.value !== undefined) out.push(short(unit.value));
  if (unit.delta !== undefined) out.push(`δ ${short(unit.delta)}`);
  return out;
}

/** The probe line of the header: where the values and gradients are taken. */
export function probeText(view: NetworkView): string | undefined {
  const p = view.probe;
  if (!p) return undefined;
  const vec = (v: number[]) => `[${v.map(short).join(', ')}]`;
  return `At the probe on line ${p.line + 1}: ${vec(p.input)} → ${vec(p.output)}, target ${vec(p.target)}, E = ${short(p.loss)}`;
}

/** What the view says when it has no gradients to draw. */
export function noGradientsHint(network: string): string {
  return `Add a \`probe ${network} [x] -> [t]\` to see gradients.`;
}
