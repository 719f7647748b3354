import type { FileAnalysis } from '../analysis/analyze';
import { diagramLayout, diagramSvg, type DiagramLayout } from '../analysis/network-diagram';
import { paddedRange, trainingSamples } from '../analysis/network-plot';
import { forward, probe as probeAt, type Network, type ProbeResult } from '../engine/network';
import type { NetworkView, ViewColumn, ViewEdge, ViewHeatmap, ViewLayerGradient, ViewParameters, ViewRange } from '../protocol/network';
import type { NetworkInfo } from '../semantics/program';
import type * as ast from '../syntax/ast';

/**
 * *Show Network*'s data (protocol/network.ts): the diagram `netspec diagram` draws (analysis/
 * network-diagram.ts, the same layout and SVG), and around it what the view shows of the network
 * at its parameters — each unit's value and δ at the network's first probe, each unit's heatmap
 * over the input plane for a 2-input network, every drawn weight's gradient with the output
 * layer's chain-rule factors, the layers whose gradient vanishes against the output layer's, and
 * where each weight is written in the text.
 */

/** A layer whose mean |dE/dw| is at most this fraction of the output layer's is marked vanishing. */
export const VANISHING_RATIO = 1e-2;
/** Cells per side of a unit's heatmap: small pictures, a few times a second during a run. */
export const HEATMAP_RESOLUTION = 20;
/** Samples drawn over the output's heatmap at most. */
const HEATMAP_POINTS = 200;

/** Where the view's parameters come from, and, during a run, the epoch's mean |dE/dw| per dense layer. */
export interface ViewSource {
  network: Network;
  parameters: ViewParameters;
  epochGradients?: { epoch: number; layers: readonly ArrayLike<number>[] };
}

/**
 * The network of a request: by name; else the one whose `network`, `train` or `probe` statement is
 * on `line`; else the file's only network. A string says why there is none.
 */
export function networkOfRequest(a: FileAnalysis, name: string | undefined, line: number | undefined): NetworkInfo | string {
  const names = [...a.program.networks.keys()];
  if (name !== undefined) return a.program.networks.get(name) ?? `there is no network named \`${name}\``;
  if (line !== undefined) {
    const on = (s: ast.Node) => a.lines.position(s.start).line <= line && line <= a.lines.position(s.end).line;
    const stmt = a.program.file.statements.find(on);
    const named = stmt?.kind === 'network' ? stmt.name.text : stmt?.kind === 'train' || stmt?.kind === 'probe' ? stmt.network.text : undefined;
    const info = named !== undefined ? a.program.networks.get(named) : undefined;
    if (info) return info;
  }
  if (names.length === 1) return a.program.networks.get(names[0])!;
  return names.length === 0 ? 'the file defines no network' : `which network? The file defines ${names.map((n) => `\`${n}\``).join(', ')}`;
}

/**
 * The network's `init` clause as written after the keyword (`xavier seed 7`), when some layer's
 * weights come from it (a layer without its own `weights`), or the default's words when there is
 * no clause: what the view's header says the file's weights are.
 */
export function initOf(a: FileAnalysis, info: NetworkInfo): { init?: string } {
  const items = info.stmt.items;
  const explicit = new Set(items.filter((i): i is ast.ParamItem => i.kind === 'weights').map((i) => i.layer.text));
  if (info.layers.filter((l) => l.kind === 'dense').every((l) => explicit.has(l.name.text))) return {};
  const clause = items.find((i): i is ast.InitItem => i.kind === 'init');
  if (!clause) return { init: 'xavier seed 0' };
  return { init: a.text.slice(clause.scheme.start, clause.end).replace(/\s+/g, ' ').trim() };
}

/** The network with other parameters (a run's), when they fit its shape; else undefined. */
export function withParameters(net: Network, layers: readonly { W: ArrayLike<number>; b: ArrayLike<number> }[]): Network | undefined {
  if (layers.length !== net.layers.length) return undefined;
  if (net.layers.some((l, i) => layers[i].W.length !== l.W.length || layers[i].b.length !== l.b.length)) return undefined;
  return { ...net, layers: net.layers.map((l, i) => ({ ...l, W: Float64Array.from(layers[i].W), b: Float64Array.from(layers[i].b) })) };
}

/** The view of `info`'s network at `source`'s parameters (the analysis `a` is of the document `uri`). */
export function networkView(uri: string, a: FileAnalysis, info: NetworkInfo, source: ViewSource): NetworkView {
  const net = source.network;
  const name = info.stmt.name.text;
  const input = info.layers.find((l) => l.kind === 'input');
  const inputName = input?.name.text ?? 'x';
  const p = a.probes.find((x) => x.network === name && x.input && x.target);
  let result: ProbeResult | undefined;
  try {
    result = p ? probeAt(net, p.input!, p.target!) : undefined;
  } catch {
    result = undefined; // a probe the engine cannot evaluate: the view draws the weights only
  }
  const grads = result?.layers.map((l) => l.dW);
  const layout = diagramLayout(net, { inputName, ...(grads ? { grads } : {}) });
  const epoch = source.epochGradients;
  const gradOf = (layer: number, j: number, k: number): number | undefined =>
    epoch ? epoch.layers[layer]?.[j * net.layers[layer].units + k] : grads?.[layer]?.[j]?.[k];
  const frame = net.inputs === 2 ? heatmapFrame(a, name, net) : undefined;
  const columns = viewColumns(a, info, net, layout, result, p?.input, frame);
  const edges = layout.edges.map((e): ViewEdge => {
    const layer = layout.columns.findIndex((c) => c.name === e.to.layer && c.kind === 'dense') - 1;
    const grad = gradOf(layer, e.from.unit, e.to.unit);
    const factors = !epoch && result && p?.target ? outputFactors(info, net, result, p.target, layer, e.from.unit, e.to.unit) : undefined;
    return { layer, j: e.from.unit, k: e.to.unit, w: e.w, ...(grad !== undefined ? { grad } : {}), ...(factors ? { factors } : {}), source: weightSource(a, info, layer, e.from.unit, e.to.unit) };
  });
  const hasGrads = epoch !== undefined || grads !== undefined;
  const maxAbsGrad = hasGrads ? edges.reduce((m, e) => (e.grad !== undefined && Number.isFinite(e.grad) ? Math.max(m, Math.abs(e.grad)) : m), 0) : undefined;
  return {
    uri,
    network: name,
    line: a.lines.position(info.stmt.start).line,
    parameters: source.parameters,
    svg: diagramSvg(layout),
    width: layout.width,
    height: layout.height,
    columns,
    edges,
    maxAbsW: layout.scale.maxAbsW,
    ...(maxAbsGrad !== undefined ? { maxAbsGrad } : {}),
    ...(epoch ? { gradients: { source: 'epoch' as const, epoch: epoch.epoch } } : grads && p ? { gradients: { source: 'probe' as const, line: p.line - 1 } } : {}),
    ...(hasGrads ? { layers: layerGradients(a, info, net, (l, j, k) => gradOf(l, j, k) ?? NaN, !epoch) } : {}),
    ...(frame ? { heatmap: frame } : {}),
    ...(p && result ? { probe: { line: p.line - 1, input: p.input!, target: p.target!, output: result.output, loss: result.loss } } : {}),
  };
}

/** The layout's columns with each drawn unit's numbers at the probe and, for two inputs, its heatmap. */
function viewColumns(a: FileAnalysis, info: NetworkInfo, net: Network, layout: DiagramLayout, result: ProbeResult | undefined, x: readonly number[] | undefined, frame: ViewHeatmap | undefined): ViewColumn[] {
  const maps = frame ? unitHeatmaps(net, frame) : undefined;
  return layout.columns.map((c, i) => {
    const layerInfo = info.layers[i];
    const trace = i > 0 ? result?.layers[i - 1] : undefined;
    const drawn = c.drawn.map((u) => {
      const unit = { unit: u.unit, x: u.x, y: u.y } as ViewColumn['drawn'][number];
      // The raw input, as the probe writes it (a standardizing network's first layer sees it
      // rescaled); with derived features, the first column is the features the first layer takes.
      if (i === 0 && result && x) unit.value = net.features ? result.layers[0]?.trace.x[u.unit] : x[u.unit];
      if (trace) {
        unit.value = trace.trace.y[u.unit];
        unit.z = trace.trace.z[u.unit];
        unit.delta = trace.delta[u.unit];
        if (trace.trace.gprime) unit.gprime = trace.trace.gprime[u.unit];
      }
      if (maps) unit.heatmap = maps.values[i][u.unit];
      return unit;
    });
    return {
      name: c.name,
      kind: c.kind,
      units: c.units,
      ...(c.activation ? { activation: c.activation } : {}),
      x: c.x,
      line: layerInfo ? a.lines.position(layerInfo.item.start).line : a.lines.position(info.stmt.start).line,
      drawn,
      ...(c.marker ? { marker: c.marker } : {}),
      ...(maps ? { heatmapRange: maps.ranges[i] } : {}),
    };
  });
}

/**
 * The output layer's chain-rule factors of dE/dw_{j,k} = dE/dy_k · g'(z_k) · x_j (squared_error:
 * dE/dy_k = g(z_k) − t_k); none for softmax (a Jacobian, not a factor) or for sigmoid under
 * binary_cross_entropy (the loss is taken from z: δ_k = g(z_k) − t_k directly).
 */
function outputFactors(info: NetworkInfo, net: Network, r: ProbeResult, t: readonly number[], layer: number, j: number, k: number): ViewEdge['factors'] {
  if (layer !== net.layers.length - 1) return undefined;
  const g = r.layers[layer];
  const gp = g.trace.gprime;
  if (!gp || (info.loss === 'binary_cross_entropy' && net.layers[layer].activation.name === 'sigmoid')) return undefined;
  const squared = info.loss === 'squared_error';
  const dEdy = squared ? g.trace.y[k] - t[k] : gp[k] === 0 ? NaN : g.delta[k] / gp[k];
  return { dEdy, gprime: gp[k], x: g.trace.x[j], squared };
}

/** Entry (j, k) of the layer's `weights` matrix when the text writes one out, else the layer's line. */
function weightSource(a: FileAnalysis, info: NetworkInfo, layer: number, j: number, k: number): ViewRange {
  const dense = info.layers.filter((l) => l.kind === 'dense')[layer];
  const item = info.stmt.items.find((x): x is ast.ParamItem => x.kind === 'weights' && x.layer.text === dense?.name.text);
  const row = item?.value.kind === 'vector' ? item.value.items[j] : undefined;
  const entry = row?.kind === 'vector' ? row.items[k] : undefined;
  return a.lines.range(entry ?? row ?? item ?? dense?.item ?? info.stmt);
}

/**
 * Per dense layer, mean |dE/dw| over all its weights, its ratio to the output layer's, and when the
 * ratio is at most VANISHING_RATIO the sentence "vanishing: ×1e-4 of the output layer's" — with
 * the layer's saturation warning when the file reports one (it says why).
 */
function layerGradients(a: FileAnalysis, info: NetworkInfo, net: Network, grad: (l: number, j: number, k: number) => number, withDiagnostics: boolean): ViewLayerGradient[] {
  const means = net.layers.map((l, li) => {
    let s = 0;
    for (let j = 0; j < l.inputs; j++) for (let k = 0; k < l.units; k++) s += Math.abs(grad(li, j, k));
    return l.inputs * l.units ? s / (l.inputs * l.units) : 0;
  });
  const out = means[means.length - 1];
  const denseInfos = info.layers.filter((l) => l.kind === 'dense');
  return net.layers.map((l, li) => {
    const ratio = out > 0 && Number.isFinite(out) ? means[li] / out : undefined;
    const g: ViewLayerGradient = { layer: l.name, meanAbs: means[li], ...(ratio !== undefined ? { ratio } : {}) };
    if (ratio !== undefined && li < net.layers.length - 1 && ratio <= VANISHING_RATIO) {
      g.vanishing = `vanishing: ×${ratio === 0 ? '0' : ratio.toExponential(0)} of the output layer's`;
      const nameSpan = denseInfos[li]?.name;
      const d = withDiagnostics && nameSpan ? a.diagnostics.find((x) => x.code === 'saturated' && x.span.start === nameSpan.start) : undefined;
      if (d) g.saturation = { range: d.range, message: d.message };
    }
    return g;
  });
}

/** The input plane a 2-input network's heatmaps cover: its training samples' range, padded (else [−6, 6]²). */
function heatmapFrame(a: FileAnalysis, name: string, net: Network): ViewHeatmap {
  const K = net.layers[net.layers.length - 1].units;
  const samples = trainingSamples(a, name, K)?.samples ?? [];
  const shown = samples.length <= HEATMAP_POINTS ? samples : Array.from({ length: HEATMAP_POINTS }, (_, i) => samples[Math.round((i * (samples.length - 1)) / (HEATMAP_POINTS - 1))]);
  return {
    xRange: paddedRange(samples.map((s) => s.input[0]), [-6, 6]),
    yRange: paddedRange(samples.map((s) => s.input[1]), [-6, 6]),
    resolution: HEATMAP_RESOLUTION,
    points: shown.map((s) => ({ x: s.input[0], y: s.input[1], c: s.target[0] })),
  };
}

/** Three significant digits: a heatmap's values are colours, and a view asks for them a few times a second. */
const colour = (v: number) => (Number.isFinite(v) ? Number(v.toPrecision(3)) : v);

/**
 * Every unit's output over the frame's grid (cell (r, c) at x = x0 + (c + ½)(x1 − x0)/R,
 * y = y1 − (r + ½)(y1 − y0)/R, row-major from the top), through the engine's forward pass — the
 * input units' being x and y themselves, or with derived features each feature there — and each
 * column's colour range: the activation's own range where it is bounded (sigmoid, softmax [0, 1];
 * tanh [−1, 1]), else the values'.
 */
function unitHeatmaps(net: Network, frame: ViewHeatmap): { values: number[][][]; ranges: [number, number][] } {
  const R = frame.resolution;
  const [x0, x1] = frame.xRange;
  const [y0, y1] = frame.yRange;
  const firstColumn = net.layers[0]?.inputs ?? net.inputs;
  const values: number[][][] = [Array.from({ length: firstColumn }, () => [] as number[]), ...net.layers.map((l) => Array.from({ length: l.units }, () => [] as number[]))];
  for (let r = 0; r < R; r++) {
    for (let c = 0; c < R; c++) {
      const x = x0 + ((c + 0.5) * (x1 - x0)) / R;
      const y = y1 - ((r + 0.5) * (y1 - y0)) / R;
      let traces: ReturnType<typeof forward> | undefined;
      try {
        traces = forward(net, [x, y]);
      } catch {
        traces = undefined;
      }
      // The input column: x and y themselves, or, with derived features, each feature there.
      const first = net.features ? traces?.[0]?.x : [x, y];
      for (let j = 0; j < firstColumn; j++) values[0][j].push(first ? colour(first[j]) : NaN);
      net.layers.forEach((l, li) => {
        for (let k = 0; k < l.units; k++) values[li + 1][k].push(traces ? colour(traces[li].y[k]) : NaN);
      });
    }
  }
  const ranges = values.map((units, i): [number, number] => {
    const act = i > 0 ? net.layers[i - 1].activation.name : undefined;
    if (act === 'sigmoid' || act === 'softmax') return [0, 1];
    if (act === 'tanh') return [-1, 1];
    if (i === 0 && !net.features) return frame.xRange[1] - frame.xRange[0] >= frame.yRange[1] - frame.yRange[0] ? frame.xRange : frame.yRange;
    let lo = Infinity;
    let hi = -Infinity;
    for (const u of units) for (const v of u) if (Number.isFinite(v)) [lo, hi] = [Math.min(lo, v), Math.max(hi, v)];
    return lo <= hi ? [lo, hi === lo ? lo + 1 : hi] : [0, 1];
  });
  return { values, ranges };
}
