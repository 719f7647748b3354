/**
 * The network drawn as a figure: columns of units from the input to the output, one line per
 * weight, its colour the weight's sign and its width growing with |w|. Two halves, so that an
 * editor view can draw the same layout its own way: `diagramLayout` computes positions, edges and
 * the scale as plain data; `diagramSvg` turns a layout into a self-contained SVG (no scripts, no
 * external resources) for `netspec diagram`.
 *
 * Pure: no DOM, no Node, so the browser build and a webview can use it.
 */
import type { Network } from '../engine/network';
import { n1, valueText, xml } from './plot';

/** Layers with more units than this are drawn collapsed: their first and last units and a marker. */
export const MAX_DRAWN_SLOTS = 16;
/** A collapsed layer's first drawn units; after the marker come its last MAX_DRAWN_SLOTS − 1 − HEAD. */
export const COLLAPSED_HEAD = 8;
/** A collapsed layer's last drawn units: 16 slots = 8 units, the "…" marker, 7 units. */
export const COLLAPSED_TAIL = MAX_DRAWN_SLOTS - 1 - COLLAPSED_HEAD;

/** Stroke widths (px) of the thinnest (w = 0) and thickest (|w| = the largest drawn) lines. */
export const MIN_STROKE = 0.5;
export const MAX_STROKE = 6;

/** One for positive weights, one for negative: mid tones that read on light and dark backgrounds. */
export const POSITIVE_COLOR = '#2f7fd8';
export const NEGATIVE_COLOR = '#e8590c';

const COLUMN_GAP = 150;
const ROW_GAP = 30;
const RADIUS = 9;
const MARGIN_X = 60;
/** Room above the units for the layer labels. */
const TOP = 48;
/** Room below the units for the legend's three rows: colours, sample widths, the scale. */
const LEGEND_HEIGHT = 96;
/** The legend's widest row (the scale sentence at 12 px) fits in this, however narrow the network. */
const MIN_WIDTH = 420;
/** Horizontal room per legend sample: a 28 px line and a label such as "|w| = 0.9091". */
const LEGEND_STEP = 130;

export interface DiagramOptions {
  /** The input's name in the network's text (`input x[2]` → `x`): Network does not keep it. */
  inputName: string;
  /**
   * dE/dW of each dense layer, in the network's layer order, each [fan-in][units] as
   * ProbeResult.layers[i].dW: the edges then carry `grad`.
   */
  grads?: readonly (readonly (readonly number[])[])[];
}

/** A drawn unit: `unit` is its 0-based index in its layer. */
export interface DiagramUnit {
  layer: string;
  unit: number;
  x: number;
  y: number;
}

/** Where a collapsed layer's hidden units would be, and how many there are. */
export interface DiagramMarker {
  hidden: number;
  x: number;
  y: number;
}

export interface DiagramColumn {
  /** The input's name for the input layer, else the layer's name. */
  name: string;
  kind: 'input' | 'dense';
  /** All the layer's units, drawn or not. */
  units: number;
  /** The activation's name (dense layers). */
  activation?: string;
  x: number;
  drawn: DiagramUnit[];
  marker?: DiagramMarker;
}

export interface DiagramEdge {
  from: DiagramUnit;
  to: DiagramUnit;
  /** w_{j,k}, j = from.unit, k = to.unit. */
  w: number;
  /** dE/dw_{j,k}, when the options gave gradients. */
  grad?: number;
  /** The stroke width: widthFor(|w|, scale.maxAbsW). */
  width: number;
  color: string;
}

export interface DiagramScale {
  /** The largest |w| among the drawn edges (0 when there are none). */
  maxAbsW: number;
  minWidth: number;
  maxWidth: number;
}

export interface DiagramLayout {
  network: string;
  width: number;
  height: number;
  columns: DiagramColumn[];
  edges: DiagramEdge[];
  scale: DiagramScale;
  /** The legend's sample lines: |w| and the width drawn for it, largest first. */
  legend: { absW: number; width: number }[];
  /** Whether the edges carry gradients. */
  hasGrads: boolean;
}

/**
 * The stroke width of a weight: width(w) = MIN + (MAX − MIN) · |w| / max|w|, with max|w| the
 * largest |w| drawn, so the heaviest line is MAX_STROKE wide and a zero weight a hairline of
 * MIN_STROKE; every line stays visible. A non-finite |w| or ratio draws at MAX.
 */
export function widthFor(absW: number, maxAbsW: number): number {
  if (!(maxAbsW > 0)) return MIN_STROKE;
  const r = absW / maxAbsW;
  return MIN_STROKE + (MAX_STROKE - MIN_STROKE) * (Number.isFinite(r) ? Math.min(1, r) : 1);
}

/**
 * The indices of a layer's drawn units: all of them up to MAX_DRAWN_SLOTS units, else the first
 * COLLAPSED_HEAD and the last COLLAPSED_TAIL, with `hidden` = units − HEAD − TAIL in between.
 */
export function drawnUnits(units: number): { head: number[]; tail: number[]; hidden: number } {
  const range = (from: number, to: number) => Array.from({ length: Math.max(0, to - from) }, (_, i) => from + i);
  if (units <= MAX_DRAWN_SLOTS) return { head: range(0, units), tail: [], hidden: 0 };
  return { head: range(0, COLLAPSED_HEAD), tail: range(units - COLLAPSED_TAIL, units), hidden: units - COLLAPSED_HEAD - COLLAPSED_TAIL };
}

/**
 * Positions: column i at x = MARGIN_X + i · COLUMN_GAP; a column's slots (drawn units and the
 * marker) ROW_GAP apart, centred on the tallest column, so lines between columns stay symmetric.
 */
export function diagramLayout(network: Network, options: DiagramOptions): DiagramLayout {
  const layers: { name: string; kind: 'input' | 'dense'; units: number; activation?: string }[] = [
    // With derived features, the first column is what the first layer takes: the features.
    { name: options.inputName, kind: 'input', units: network.layers[0]?.inputs ?? network.inputs },
    ...network.layers.map((l) => ({ name: l.name, kind: 'dense' as const, units: l.units, activation: l.activation.name })),
  ];
  const slotsOf = (units: number) => Math.min(units, MAX_DRAWN_SLOTS);
  const tallest = Math.max(1, ...layers.map((l) => slotsOf(l.units)));
  const columns: DiagramColumn[] = layers.map((l, i) => {
    const x = MARGIN_X + i * COLUMN_GAP;
    const top = TOP + ((tallest - slotsOf(l.units)) * ROW_GAP) / 2 + ROW_GAP / 2;
    const { head, tail, hidden } = drawnUnits(l.units);
    const drawn: DiagramUnit[] = head.map((u, s) => ({ layer: l.name, unit: u, x, y: top + s * ROW_GAP }));
    let marker: DiagramMarker | undefined;
    if (hidden > 0) {
      marker = { hidden, x, y: top + head.length * ROW_GAP };
      tail.forEach((u, s) => drawn.push({ layer: l.name, unit: u, x, y: top + (head.length + 1 + s) * ROW_GAP }));
    }
    return { name: l.name, kind: l.kind, units: l.units, ...(l.activation ? { activation: l.activation } : {}), x, drawn, ...(marker ? { marker } : {}) };
  });
  const raw: Omit<DiagramEdge, 'width' | 'color'>[] = [];
  network.layers.forEach((layer, li) => {
    const dW = options.grads?.[li];
    for (const from of columns[li].drawn) {
      for (const to of columns[li + 1].drawn) {
        const w = layer.W[from.unit * layer.units + to.unit];
        const grad = dW?.[from.unit]?.[to.unit];
        raw.push({ from, to, w, ...(grad !== undefined ? { grad } : {}) });
      }
    }
  });
  const maxAbsW = raw.reduce((m, e) => (Number.isFinite(e.w) ? Math.max(m, Math.abs(e.w)) : m), 0);
  const edges = raw.map((e) => ({ ...e, width: widthFor(Math.abs(e.w), maxAbsW), color: e.w < 0 ? NEGATIVE_COLOR : POSITIVE_COLOR }));
  const legend = maxAbsW > 0 ? [maxAbsW, maxAbsW / 2].map((absW) => ({ absW, width: widthFor(absW, maxAbsW) })) : [];
  return {
    network: network.name,
    width: Math.max(MIN_WIDTH, MARGIN_X * 2 + Math.max(1, columns.length - 1) * COLUMN_GAP),
    height: TOP + tallest * ROW_GAP + LEGEND_HEIGHT,
    columns,
    edges,
    scale: { maxAbsW, minWidth: MIN_STROKE, maxWidth: MAX_STROKE },
    legend,
    hasGrads: options.grads !== undefined,
  };
}

/** A number for an attribute: full precision, so tools read back exactly the engine's value. */
const full = (x: number) => String(x);

/**
 * The layout as a self-contained SVG: `neuron` circles with data-layer and data-unit, `edge`
 * lines with data-from, data-to, data-w (and data-grad) and their own stroke and stroke-width,
 * layer labels, the "…" markers and a legend of the colours and the width scale.
 */
export function diagramSvg(layout: DiagramLayout): string {
  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${n1(layout.width)}" height="${n1(layout.height)}" viewBox="0 0 ${n1(layout.width)} ${n1(layout.height)}" font-family="sans-serif" font-size="12" data-network="${xml(layout.network)}">`);
  out.push(`<title>${xml(`Network ${layout.network}`)}</title>`);
  out.push('<g class="edges" fill="none">');
  for (const e of layout.edges) {
    const grad = e.grad !== undefined ? ` data-grad="${full(e.grad)}"` : '';
    const tip = `${e.from.layer}:${e.from.unit} → ${e.to.layer}:${e.to.unit}: w = ${valueText(e.w)}${e.grad !== undefined ? `, dE/dw = ${valueText(e.grad)}` : ''}`;
    out.push(`<line class="edge" data-from="${xml(`${e.from.layer}:${e.from.unit}`)}" data-to="${xml(`${e.to.layer}:${e.to.unit}`)}" data-w="${full(e.w)}"${grad} x1="${n1(e.from.x)}" y1="${n1(e.from.y)}" x2="${n1(e.to.x)}" y2="${n1(e.to.y)}" stroke="${e.color}" stroke-width="${e.width.toFixed(2)}" stroke-opacity="0.8"><title>${xml(tip)}</title></line>`);
  }
  out.push('</g>');
  for (const c of layout.columns) {
    const label = c.activation ? `${c.name} [${c.units}] ${c.activation}` : `${c.name} [${c.units}]`;
    out.push(`<text class="layer-label" x="${n1(c.x)}" y="${n1(TOP - 16)}" text-anchor="middle" fill="#888888">${xml(label)}</text>`);
    for (const u of c.drawn) {
      out.push(`<circle class="neuron" data-layer="${xml(u.layer)}" data-unit="${u.unit}" cx="${n1(u.x)}" cy="${n1(u.y)}" r="${RADIUS}" fill="#f2f2f2" stroke="#888888" stroke-width="1.5"><title>${xml(`${u.layer}:${u.unit}`)}</title></circle>`);
    }
    if (c.marker) {
      out.push(`<text class="hidden-units" data-hidden="${c.marker.hidden}" x="${n1(c.marker.x)}" y="${n1(c.marker.y + 4)}" text-anchor="middle" fill="#888888">${xml(`… ${c.marker.hidden} more`)}</text>`);
    }
  }
  out.push(legendSvg(layout));
  out.push('</svg>');
  return out.join('\n') + '\n';
}

/** The legend under the units, one row each: the two colours, sample widths, the scale in words. */
function legendSvg(layout: DiagramLayout): string {
  const x0 = 16;
  const y0 = layout.height - LEGEND_HEIGHT + 20;
  const parts: string[] = ['<g class="legend" fill="#888888">'];
  const sample = (x: number, y: number, color: string, width: number, text: string) =>
    `<line x1="${n1(x)}" y1="${n1(y)}" x2="${n1(x + 28)}" y2="${n1(y)}" stroke="${color}" stroke-width="${width.toFixed(2)}"/><text x="${n1(x + 34)}" y="${n1(y + 4)}">${xml(text)}</text>`;
  parts.push(sample(x0, y0, POSITIVE_COLOR, 3, 'w > 0'));
  parts.push(sample(x0 + LEGEND_STEP, y0, NEGATIVE_COLOR, 3, 'w < 0'));
  layout.legend.forEach((l, i) => parts.push(sample(x0 + i * LEGEND_STEP, y0 + 24, '#888888', l.width, `|w| = ${valueText(l.absW)}`)));
  const scale = layout.scale.maxAbsW > 0
    ? `line width ${MIN_STROKE} + ${MAX_STROKE - MIN_STROKE} · |w| / ${valueText(layout.scale.maxAbsW)} px`
    : 'all weights are 0';
  parts.push(`<text class="scale" x="${n1(x0)}" y="${n1(y0 + 52)}">${xml(scale)}</text>`);
  parts.push('</g>');
  return parts.join('\n');
}
