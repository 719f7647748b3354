import type { NetworkView, ViewColumn, ViewEdge, ViewRange, ViewUnit } from '../../../server/src/protocol/network';
import type { FromNetworkView, ToNetworkView } from '../../../server/src/protocol/webview';
import {
  edgeEnds, edgeKey, edgeLook, edgeTip, legendText, NEGATIVE_COLOR, noGradientsHint, parametersText,
  POSITIVE_COLOR, probeText, signLabels, structureKey, unitLabel, unitTip, type ViewMode,
} from '../networkFigures';
import { drawUnitMap, unitMapUrl } from './unitMaps';

/**
 * NetSpec: Show Network — the webview's page script, bundled by esbuild.js (browser, iife) into
 * dist/media/networkView.js. It shows the SVG the server drew (`netspec diagram`'s figure, in
 * `NetworkView.svg`) and decorates it: theme colours (networkView.css), the weights | gradients
 * switch (kept with vscode.setState), a legend, the vanishing layers, each unit's heatmap (2
 * inputs) or value and δ at the probe, tooltips on lines and units (hover and keyboard focus),
 * and a click or Enter on a line that reveals its weight in the text. A new view of the same
 * structure is copied onto the drawn elements in place, so hover and focus survive a live run.
 */

interface PageState {
  mode: ViewMode;
}

/** The webview's channel to the extension (VS Code defines it; it may be called once). */
declare function acquireVsCodeApi(): { postMessage(message: FromNetworkView): void; getState(): PageState | undefined; setState(state: PageState): void };

const vscode = acquireVsCodeApi();
const SVG_NS = 'http://www.w3.org/2000/svg';
/** A unit's thumbnail (px, in the diagram's units) and its enlarged version. */
const THUMB = 26;
const ZOOM = 160;
/** How far from a line the pointer still takes it (screen px): the thinnest lines are 0.5 px wide. */
const HIT_PX = 5;
/** The width of a unit's value and δ labels, right of the unit (diagram units). */
const VALUE_ROOM = 80;

let view: NetworkView | undefined;
let mode: ViewMode = vscode.getState()?.mode === 'gradients' ? 'gradients' : 'weights';
let structure = '';
let pending: ToNetworkView[] = [];
let frame = 0;
/** The drawn elements by key, with what the view says of them. */
let edges = new Map<string, { el: SVGLineElement; edge: ViewEdge }>();
let units = new Map<string, { el: SVGCircleElement; column: ViewColumn; unit: ViewUnit; last: boolean }>();
/** The element whose tooltip is shown (its key), so that an update rewrites the tooltip. */
let tipFor: { kind: 'edge' | 'unit'; key: string; x: number; y: number } | undefined;

function $<T extends HTMLElement = HTMLElement>(id: string): T {
  return document.getElementById(id) as T;
}

window.addEventListener('message', (event: MessageEvent<ToNetworkView>) => {
  pending.push(event.data);
  if (!frame) frame = requestAnimationFrame(drain);
});

/** Draws what the messages since the last frame say: only the newest view counts. */
function drain(): void {
  frame = 0;
  const q = pending;
  pending = [];
  let next: NetworkView | undefined;
  let error: string | undefined;
  for (const m of q) {
    if (m?.type === 'view') {
      next = m.view;
      error = undefined;
    } else if (m?.type === 'refused') error = m.error;
  }
  if (next) render(next);
  showError(error);
}

function showError(error: string | undefined): void {
  const box = $('error');
  box.hidden = error === undefined;
  box.textContent = error === undefined ? '' : `Not up to date: ${error}`;
  $('diagram').classList.toggle('stale', error !== undefined);
}

/** The effective mode: gradients only when the view has them. */
function shownMode(): ViewMode {
  return mode === 'gradients' && view?.gradients ? 'gradients' : 'weights';
}

function render(next: NetworkView): void {
  view = next;
  document.title = `Network ${next.network}`;
  $('title').textContent = `Network ${next.network}`;
  const params = $('params');
  params.textContent = parametersText(next.parameters);
  params.className = 'params ' + next.parameters.kind;
  $('probe').textContent = probeText(next) ?? '';
  const diagram = $('diagram');
  diagram.dataset.parameters = next.parameters.kind;
  diagram.dataset.epoch = next.parameters.kind === 'live' ? String(next.parameters.epoch) : '';
  installSvg(next);
  drawToolbar();
  decorate();
  drawNotes();
  refreshTip();
}

// ---------------------------------------------------------------- the SVG

/** The server's SVG into the page: in place when the structure is the same, else replaced. */
function installSvg(next: NetworkView): void {
  const parsed = new DOMParser().parseFromString(next.svg, 'image/svg+xml').documentElement;
  if (parsed.nodeName !== 'svg' || parsed.querySelector('parsererror')) return; // keep the last drawing
  const diagram = $('diagram');
  const current = diagram.querySelector<SVGSVGElement>('svg.network');
  const key = structureKey(next);
  if (current && key === structure) copyInPlace(current, parsed);
  else {
    const focused = keyOf(document.activeElement);
    const svg = document.importNode(parsed, true) as unknown as SVGSVGElement;
    svg.classList.add('network');
    svg.setAttribute('role', 'group');
    svg.setAttribute('aria-label', `Network ${next.network}`);
    // Our tooltips replace the figure's <title>s (two tooltips at once would be noise).
    svg.querySelectorAll(':scope > title, .edge > title, .neuron > title').forEach((t) => t.remove());
    diagram.replaceChildren(svg);
    structure = key;
    fit(svg, next);
    index(svg, next);
    if (focused) (edges.get(focused)?.el ?? units.get(focused)?.el)?.focus();
    return;
  }
  index(current, next);
}

/**
 * The figure without its legend (the page writes its own, for the mode shown): the view box ends
 * below the lowest unit or marker; and as wide as the panel, up to 1.75 times its natural size.
 */
function fit(svg: SVGSVGElement, next: NetworkView): void {
  let bottom = 0;
  for (const c of next.columns) {
    for (const u of c.drawn) bottom = Math.max(bottom, u.y);
    if (c.marker) bottom = Math.max(bottom, c.marker.y);
  }
  const height = Math.min(next.height, bottom + 24);
  // Room right of the last column for its units' values (networks without heatmaps).
  const right = next.heatmap ? 0 : Math.max(0, ...next.columns.map((c) => c.x)) + VALUE_ROOM;
  const width = Math.max(next.width, right);
  svg.setAttribute('viewBox', `0 0 ${width} ${height}`);
  svg.removeAttribute('width');
  svg.removeAttribute('height');
  svg.style.maxWidth = `${Math.round(width * 1.75)}px`;
  svg.style.aspectRatio = `${width} / ${height}`;
}

/** The same elements, the new numbers: every attribute of each same-keyed edge and unit, the labels and the legend. */
function copyInPlace(svg: SVGSVGElement, fresh: Element): void {
  // Not `class`: the page's own classes (the sign, the hovered line) stay; the figure's is constant.
  const copy = (to: Element, from: Element) => {
    for (const a of Array.from(from.attributes)) if (a.name !== 'class' && to.getAttribute(a.name) !== a.value) to.setAttribute(a.name, a.value);
  };
  const byKey = new Map<string, Element>();
  fresh.querySelectorAll('.edge').forEach((e) => byKey.set(edgeKey(e.getAttribute('data-from') ?? '', e.getAttribute('data-to') ?? ''), e));
  svg.querySelectorAll('.edge').forEach((e) => {
    const from = byKey.get(edgeKey(e.getAttribute('data-from') ?? '', e.getAttribute('data-to') ?? ''));
    if (from) copy(e, from);
  });
  const labels = fresh.querySelectorAll('.layer-label, .hidden-units');
  svg.querySelectorAll('.layer-label, .hidden-units').forEach((t, i) => {
    if (labels[i] && t.textContent !== labels[i].textContent) t.textContent = labels[i].textContent;
  });
  const legend = fresh.querySelector('.legend');
  const old = svg.querySelector('.legend');
  if (legend && old) old.replaceWith(document.importNode(legend, true));
}

/** The maps from keys to the drawn elements and what the view says of them. */
function index(svg: SVGSVGElement, next: NetworkView): void {
  edges = new Map();
  const lines = new Map<string, SVGLineElement>();
  svg.querySelectorAll<SVGLineElement>('line.edge').forEach((e) => lines.set(edgeKey(e.getAttribute('data-from') ?? '', e.getAttribute('data-to') ?? ''), e));
  for (const edge of next.edges) {
    const { from, to } = edgeEnds(next, edge);
    const el = lines.get(edgeKey(from, to));
    if (el) edges.set(edgeKey(from, to), { el, edge });
  }
  units = new Map();
  const circles = new Map<string, SVGCircleElement>();
  svg.querySelectorAll<SVGCircleElement>('circle.neuron').forEach((c) => circles.set(`${c.getAttribute('data-layer')}:${c.getAttribute('data-unit')}`, c));
  next.columns.forEach((column, ci) => {
    for (const unit of column.drawn) {
      const el = circles.get(`${column.name}:${unit.unit}`);
      if (el) units.set(`${column.name}:${unit.unit}`, { el, column, unit, last: ci === next.columns.length - 1 });
    }
  });
}

/** The key of a drawn edge or unit element, if it is one. */
function keyOf(el: Element | null): string | undefined {
  if (!el) return undefined;
  if (el.classList.contains('edge')) return edgeKey(el.getAttribute('data-from') ?? '', el.getAttribute('data-to') ?? '');
  if (el.classList.contains('neuron')) return `${el.getAttribute('data-layer')}:${el.getAttribute('data-unit')}`;
  return undefined;
}

/**
 * The mode's look on every line (width, sign colour), each line and unit focusable with its
 * label, and the extras: the vanishing layers' sentences over their columns, the heatmaps or the
 * values by the units.
 */
function decorate(): void {
  if (!view) return;
  const svg = $('diagram').querySelector<SVGSVGElement>('svg.network');
  if (!svg) return;
  const m = shownMode();
  document.body.dataset.mode = m;
  for (const { el, edge } of edges.values()) {
    const look = edgeLook(view, edge, m);
    el.setAttribute('stroke-width', look.width.toFixed(2));
    el.setAttribute('stroke', look.positive ? POSITIVE_COLOR : NEGATIVE_COLOR);
    el.classList.toggle('pos', look.positive);
    el.classList.toggle('neg', !look.positive);
    el.setAttribute('tabindex', '0');
    el.setAttribute('role', 'button');
    el.setAttribute('aria-label', edgeTip(view, edge).join('; '));
  }
  for (const { el, column, unit } of units.values()) {
    el.setAttribute('tabindex', '0');
    el.setAttribute('role', 'button');
    el.setAttribute('aria-label', unitTip(column, unit).join('; '));
    el.classList.toggle('mapped', unit.heatmap !== undefined && view.heatmap !== undefined);
  }
  drawExtras(svg, m);
  const [positive, negative] = signLabels(view, m);
  const swatch = (cls: string, text: string) => {
    const span = document.createElement('span');
    const i = document.createElement('i');
    i.className = cls;
    span.append(i, text);
    return span;
  };
  $('legend').replaceChildren(swatch('pos', positive), swatch('neg', negative), legendText(view, m));
}

/** A group of our own in the SVG (created once, emptied on each call). */
function group(svg: SVGSVGElement, cls: string, before: Element | null): SVGGElement {
  let g = svg.querySelector<SVGGElement>(`g.${cls}`);
  if (!g) {
    g = document.createElementNS(SVG_NS, 'g');
    g.setAttribute('class', cls);
    svg.insertBefore(g, before?.parentNode === svg ? before : null);
  }
  return g;
}

function drawExtras(svg: SVGSVGElement, m: ViewMode): void {
  if (!view) return;
  // Heatmaps above the lines and under the circles; values and sentences on top.
  const maps = group(svg, 'unit-maps', svg.querySelector('circle.neuron'));
  const values = group(svg, 'unit-values', null);
  const notes = group(svg, 'vanishing-notes', null);
  values.replaceChildren();
  notes.replaceChildren();
  const grid = view.heatmap;
  const images = new Map<string, SVGImageElement>();
  maps.querySelectorAll<SVGImageElement>('image').forEach((i) => images.set(i.dataset.key ?? '', i));
  const seen = new Set<string>();
  for (const [key, { column, unit, last }] of units) {
    if (grid && unit.heatmap) {
      let img = images.get(key);
      if (!img) {
        img = document.createElementNS(SVG_NS, 'image');
        img.dataset.key = key;
        img.setAttribute('width', String(THUMB));
        img.setAttribute('height', String(THUMB));
        img.setAttribute('preserveAspectRatio', 'none');
        maps.append(img);
      }
      img.setAttribute('x', String(unit.x - THUMB / 2));
      img.setAttribute('y', String(unit.y - THUMB / 2));
      img.setAttribute('href', unitMapUrl(THUMB, unit.heatmap, grid, column.heatmapRange, last));
      seen.add(key);
    } else if (!grid) {
      unitLabel(unit).forEach((text, i) => values.append(svgText(text, unit.x + 12, unit.y - 3 + i * 11, 'unit-value', 'start')));
    }
  }
  for (const [key, img] of images) if (!seen.has(key)) img.remove();
  // Each vanishing layer's sentence over its column (columns[i + 1] is dense layer i), in gradients mode.
  if (m === 'gradients') {
    (view.layers ?? []).forEach((l, i) => {
      const column = view!.columns[i + 1];
      if (l.vanishing && column) notes.append(svgText(l.vanishing, column.x, i % 2 === 0 ? 12 : 22, 'vanishing', 'middle'));
    });
  }
}

function svgText(text: string, x: number, y: number, cls: string, anchor: 'start' | 'middle'): SVGTextElement {
  const t = document.createElementNS(SVG_NS, 'text');
  t.setAttribute('x', String(x));
  t.setAttribute('y', String(y));
  t.setAttribute('class', cls);
  t.setAttribute('text-anchor', anchor);
  t.textContent = text;
  return t;
}

// ---------------------------------------------------------------- toolbar, legend, notes

function drawToolbar(): void {
  const has = view?.gradients !== undefined;
  const gradients = $<HTMLInputElement>('mode-gradients');
  gradients.disabled = !has;
  $('gradients-label').classList.toggle('disabled', !has);
  $<HTMLInputElement>(shownMode() === 'gradients' ? 'mode-gradients' : 'mode-weights').checked = true;
  const hint = $('hint');
  hint.hidden = has || !view;
  // `code` in the hint as code.
  hint.replaceChildren(...(view && !has ? noGradientsHint(view.network) : '').split('`').map((part, i) => {
    if (i % 2 === 0) return part;
    const code = document.createElement('code');
    code.textContent = part;
    return code;
  }));
}

/** The vanishing layers, with a link to the saturation diagnostic that explains one. */
function drawNotes(): void {
  const list = $('notes');
  list.replaceChildren();
  for (const l of view?.layers ?? []) {
    if (!l.vanishing) continue;
    const li = document.createElement('li');
    li.append(`${l.layer}: ${l.vanishing}`);
    if (l.saturation) {
      const range = l.saturation.range;
      const link = document.createElement('a');
      link.href = '#';
      link.className = 'saturation';
      link.textContent = 'saturated units';
      link.title = l.saturation.message;
      link.addEventListener('click', (e) => {
        e.preventDefault();
        reveal(range);
      });
      li.append(' — caused by ', link);
    }
    list.append(li);
  }
  list.hidden = list.childElementCount === 0;
}

for (const id of ['mode-weights', 'mode-gradients']) {
  $<HTMLInputElement>(id).addEventListener('change', (e) => {
    const input = e.target as HTMLInputElement;
    if (!input.checked) return;
    mode = input.value === 'gradients' ? 'gradients' : 'weights';
    vscode.setState({ mode });
    decorate();
    refreshTip();
  });
}

$('export').addEventListener('click', () => vscode.postMessage({ type: 'export' }));

function reveal(range: ViewRange): void {
  vscode.postMessage({ type: 'reveal', range });
}

// ---------------------------------------------------------------- tooltips, zoom, reveal

/** The edge under the pointer: the line itself, or the nearest within HIT_PX (thin lines are hard to hit). */
function edgeAt(event: MouseEvent): string | undefined {
  const target = event.target as Element | null;
  if (target?.classList.contains('edge')) return keyOf(target);
  if (target?.classList.contains('neuron')) return undefined;
  const svg = $('diagram').querySelector<SVGSVGElement>('svg.network');
  const ctm = svg?.getScreenCTM();
  if (!svg || !ctm) return undefined;
  const p = new DOMPoint(event.clientX, event.clientY).matrixTransform(ctm.inverse());
  const scale = Math.hypot(ctm.a, ctm.b) || 1;
  let best: string | undefined;
  let bestD = HIT_PX / scale;
  for (const [key, { el }] of edges) {
    const d = distance(p.x, p.y, el.x1.baseVal.value, el.y1.baseVal.value, el.x2.baseVal.value, el.y2.baseVal.value);
    if (d < bestD) {
      bestD = d;
      best = key;
    }
  }
  return best;
}

/** The distance from (px, py) to the segment (x1, y1)–(x2, y2). */
function distance(px: number, py: number, x1: number, y1: number, x2: number, y2: number): number {
  const dx = x2 - x1;
  const dy = y2 - y1;
  const len = dx * dx + dy * dy;
  const t = len > 0 ? Math.max(0, Math.min(1, ((px - x1) * dx + (py - y1) * dy) / len)) : 0;
  return Math.hypot(px - (x1 + t * dx), py - (y1 + t * dy));
}

function showTip(kind: 'edge' | 'unit', key: string, x: number, y: number): void {
  if (tipFor && tipFor.kind === kind && tipFor.key === key) {
    // The same element: the tooltip follows the pointer; its content is what it was.
    tipFor.x = x;
    tipFor.y = y;
    place($('tip'), x, y);
    if (!$('zoom').hidden) place($('zoom'), x, y + 8, true);
    return;
  }
  if (tipFor) hideTip();
  tipFor = { kind, key, x, y };
  const active = kind === 'edge' ? edges.get(key)?.el : units.get(key)?.el;
  active?.classList.add('active');
  refreshTip();
}

function hideTip(): void {
  if (tipFor) (tipFor.kind === 'edge' ? edges.get(tipFor.key)?.el : units.get(tipFor.key)?.el)?.classList.remove('active');
  tipFor = undefined;
  $('tip').hidden = true;
  $('zoom').hidden = true;
}

/** Writes the tooltip of what it is shown for (again after an update: the numbers changed). */
function refreshTip(): void {
  const tip = $('tip');
  if (!tipFor || !view) return;
  let lines: string[] | undefined;
  if (tipFor.kind === 'edge') {
    const e = edges.get(tipFor.key);
    if (e) lines = edgeTip(view, e.edge);
    tip.dataset.key = tipFor.key;
  } else {
    const u = units.get(tipFor.key);
    if (u) {
      lines = unitTip(u.column, u.unit);
      drawZoom(u.column, u.unit, u.last);
    }
    tip.dataset.key = tipFor.key;
  }
  if (!lines) return hideTip();
  tip.replaceChildren(...lines.map((l, i) => {
    const div = document.createElement('div');
    div.textContent = l;
    if (i === 0) div.className = 'head';
    return div;
  }));
  tip.hidden = false;
  place(tip, tipFor.x, tipFor.y);
}

/** The enlarged heatmap of a unit (2-input networks), with the data over the output layer's. */
function drawZoom(column: ViewColumn, unit: ViewUnit, last: boolean): void {
  const zoom = $('zoom');
  if (!view?.heatmap || !unit.heatmap) {
    zoom.hidden = true;
    return;
  }
  drawUnitMap($<HTMLCanvasElement>('zoomCanvas'), ZOOM, unit.heatmap, view.heatmap, column.heatmapRange, last);
  const [x0, x1] = view.heatmap.xRange;
  const [y0, y1] = view.heatmap.yRange;
  $('zoomCaption').textContent = `${column.name}:${unit.unit} over x₁ ∈ [${x0}, ${x1}], x₂ ∈ [${y0}, ${y1}]`;
  zoom.hidden = false;
  const tip = tipFor;
  if (tip) place(zoom, tip.x, tip.y + 8, true);
}

/** Puts a floating box near (x, y) in the window, inside it. */
function place(box: HTMLElement, x: number, y: number, below = false): void {
  const w = box.offsetWidth;
  const h = box.offsetHeight;
  let left = x + 14;
  let top = below ? y + 14 + ($('tip').hidden ? 0 : $('tip').offsetHeight + 6) : y + 14;
  if (left + w > window.innerWidth - 4) left = Math.max(4, x - w - 14);
  if (top + h > window.innerHeight - 4) top = Math.max(4, y - h - 14);
  box.style.left = `${left + window.scrollX}px`;
  box.style.top = `${top + window.scrollY}px`;
}

const diagramEl = $('diagram');
diagramEl.addEventListener('mousemove', (e) => {
  const target = e.target as Element | null;
  if (target?.classList.contains('neuron')) {
    showTip('unit', keyOf(target)!, e.clientX, e.clientY);
    return;
  }
  const key = edgeAt(e);
  if (key) showTip('edge', key, e.clientX, e.clientY);
  else if (tipFor && document.activeElement !== (tipFor.kind === 'edge' ? edges.get(tipFor.key)?.el : units.get(tipFor.key)?.el)) hideTip();
});
diagramEl.addEventListener('mouseleave', () => hideTip());
diagramEl.addEventListener('click', (e) => {
  const target = e.target as Element | null;
  if (target?.classList.contains('neuron')) return activate(keyOf(target));
  activate(edgeAt(e));
});
diagramEl.addEventListener('focusin', (e) => {
  const target = e.target as Element;
  const key = keyOf(target);
  if (!key) return;
  const r = target.getBoundingClientRect();
  showTip(target.classList.contains('edge') ? 'edge' : 'unit', key, r.left + r.width / 2, r.top + r.height / 2);
});
diagramEl.addEventListener('focusout', () => hideTip());
diagramEl.addEventListener('keydown', (e) => {
  if (e.key !== 'Enter' && e.key !== ' ') return;
  const key = keyOf(e.target as Element);
  if (!key) return;
  e.preventDefault();
  activate(key);
});
document.addEventListener('keydown', (e) => {
  if (e.key === 'Escape') hideTip();
});

/** A line reveals its weight's entry in the text (or the layer's line); a unit, its layer's line. */
function activate(key: string | undefined): void {
  if (!key) return;
  const e = edges.get(key);
  if (e) return reveal(e.edge.source);
  const u = units.get(key);
  if (u) reveal({ start: { line: u.column.line, character: 0 }, end: { line: u.column.line, character: 0 } });
}

// VS Code swaps the body's class (vscode-light / vscode-dark / vscode-high-contrast) when the theme
// changes: the heatmaps are painted over the background colour, so they are redrawn.
new MutationObserver(() => decorate()).observe(document.body, { attributes: true, attributeFilter: ['class'] });

drawToolbar();
vscode.postMessage({ type: 'ready' });
