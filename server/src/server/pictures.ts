import { predict, type Network } from '../engine/network';
import type { Sample } from '../engine/train';
import type { DecisionBoundary, FittedCurve, PicturePoint, Snapshot } from '../protocol/training';

/**
 * What the training panel draws of a network beside its loss curve, computed in the training
 * worker through the engine's `predict` (so a network that transforms its inputs is drawn against
 * the raw inputs, like the data): a 2-input network's output over a grid (a classifier's
 * probability of class 1, or of each of K classes: the decision boundary), or a 1-input network's fitted curve y(x); and the
 * epochs at which a run keeps a snapshot of it for the replay.
 */

/** At most this many samples are drawn over a picture. */
export const POINTS_MAX = 500;
/** Cells per side of a 2-input network's grid. */
export const GRID_RESOLUTION = 40;
/** Points of a fitted curve. */
export const CURVE_POINTS = 200;
/** At most this many snapshots per run (for the replay): evenly spaced, first and last epoch included. */
export const SNAPSHOTS_MAX = 100;

/** What a run's network is drawn as: nothing, a grid over two inputs, or a curve over one. */
export type PictureKind = 'none' | 'boundary' | 'heatmap' | 'curve';

/**
 * A 1-input network is drawn as a curve; a 2-input classifier (the trainer found class targets:
 * one output, two, or K one-hot classes of a softmax) as its decision boundary; any other 2-input network as a
 * heatmap of its first output; wider inputs not at all.
 */
export function pictureKind(net: Network, classifier: boolean): PictureKind {
  if (net.inputs === 1) return 'curve';
  if (net.inputs !== 2) return 'none';
  const out = net.layers.at(-1)!;
  // More than two sigmoid outputs are labels, not classes: a heatmap of the first.
  return classifier && (out.units <= 2 || out.activation.kind === 'softmax') ? 'boundary' : 'heatmap';
}

/** The class of a boundary's sample: its target for one output, else the index of its one-hot 1. */
function classOf(target: ArrayLike<number>): number {
  if (target.length === 1) return target[0];
  let best = 0;
  for (let k = 1; k < target.length; k++) if (target[k] > target[best]) best = k;
  return best;
}

/**
 * The samples to draw (at most POINTS_MAX, evenly spaced over the data so a sorted data set keeps
 * its whole range), each marked when it is in the test set.
 */
export function picturePoints(kind: PictureKind, data: readonly Sample[], testIndices: readonly number[]): PicturePoint[] {
  if (kind === 'none') return [];
  const test = new Set(testIndices);
  const n = Math.min(POINTS_MAX, data.length);
  const K = data[0]?.target.length ?? 0;
  return Array.from({ length: n }, (_, i) => {
    const index = n === data.length ? i : Math.round((i * (data.length - 1)) / Math.max(1, n - 1));
    const s = data[index];
    // A boundary's class is the class's index (one output: t); otherwise the first target.
    const c = kind === 'boundary' && K >= 2 ? classOf(s.target) : s.target[0];
    return kind === 'curve'
      ? { x: s.input[0], y: s.target[0], t: Array.from(s.target), test: test.has(index) }
      : { x: s.input[0], y: s.input[1], c, test: test.has(index) };
  });
}

/** [lo, hi] padded by a tenth of its width on each side (by 1 when the width is 0). */
function padded(values: readonly number[]): [number, number] {
  const finite = values.filter(Number.isFinite);
  const lo = finite.length ? Math.min(...finite) : -1;
  const hi = finite.length ? Math.max(...finite) : 1;
  const w = hi - lo || 1;
  return [lo - 0.1 * w, hi + 0.1 * w];
}

/** The fixed geometry of a run's picture: the ranges and the points (what every snapshot shares). */
export interface PictureFrame {
  kind: PictureKind;
  xRange: [number, number];
  yRange: [number, number];
  points: PicturePoint[];
}

export function pictureFrame(kind: PictureKind, points: PicturePoint[]): PictureFrame {
  return { kind, xRange: padded(points.map((p) => p.x)), yRange: padded(points.map((p) => p.y)), points };
}

/**
 * The grid's values: cell (r, c), 0-based, at x = x0 + (c + ½)(x1 − x0)/R, y = y1 − (r + ½)(y1 − y0)/R,
 * row-major from the top; the value is the class-1 probability (two outputs: the second) for a
 * boundary, the first output for a heatmap. A boundary of K ≥ 3 classes has K planes of R² values
 * one after the other: value k·R² + i is class k's probability at cell i.
 */
export function gridValues(net: Network, frame: PictureFrame): number[] {
  const R = GRID_RESOLUTION;
  const [x0, x1] = frame.xRange;
  const [y0, y1] = frame.yRange;
  const K = net.layers.at(-1)!.units;
  const planes = frame.kind === 'boundary' && K >= 3 ? K : 1;
  const out = new Array<number>(planes * R * R);
  for (let r = 0; r < R; r++) {
    const y = y1 - ((r + 0.5) * (y1 - y0)) / R;
    for (let c = 0; c < R; c++) {
      const x = x0 + ((c + 0.5) * (x1 - x0)) / R;
      const v = predict(net, [x, y]);
      const i = r * R + c;
      if (planes > 1) for (let k = 0; k < K; k++) out[k * R * R + i] = v[k];
      else out[i] = frame.kind === 'boundary' && K === 2 ? v[1] : v[0];
    }
  }
  return out;
}

/** The curve's inputs: CURVE_POINTS evenly spaced over the x range, both ends included. */
export function curveXs(frame: PictureFrame): number[] {
  const [x0, x1] = frame.xRange;
  return Array.from({ length: CURVE_POINTS }, (_, i) => x0 + (i / (CURVE_POINTS - 1)) * (x1 - x0));
}

/** y(x) at each of the curve's inputs, one array per output. */
export function curveValues(net: Network, xs: readonly number[]): number[][] {
  const K = net.layers.at(-1)!.units;
  const ys: number[][] = Array.from({ length: K }, () => []);
  for (const x of xs) predict(net, [x]).forEach((v, k) => ys[k].push(v));
  return ys;
}

/** The picture of `net` in `frame`. */
export function picture(net: Network, frame: PictureFrame): { boundary?: DecisionBoundary; curve?: FittedCurve } {
  if (frame.kind === 'curve') {
    const xs = curveXs(frame);
    return { curve: { xRange: frame.xRange, xs, ys: curveValues(net, xs), points: frame.points } };
  }
  if (frame.kind === 'none') return {};
  const K = net.layers.at(-1)!.units;
  return {
    boundary: {
      kind: frame.kind === 'boundary' ? 'class' : 'output',
      ...(frame.kind === 'boundary' && K >= 3 ? { classes: K } : {}),
      xRange: frame.xRange,
      yRange: frame.yRange,
      resolution: GRID_RESOLUTION,
      values: gridValues(net, frame),
      points: frame.points.map((p) => ({ x: p.x, y: p.y, c: p.c ?? 0, test: p.test })),
    },
  };
}

/** A snapshot: the picture's values only (its frame is the run's, sent with the live pictures). */
export function snapshot(epoch: number, net: Network, frame: PictureFrame): Snapshot {
  const p = picture(net, frame);
  return p.curve ? { epoch, ys: p.curve.ys } : { epoch, values: p.boundary?.values };
}

/**
 * The epochs (1-based) at which a run of E epochs keeps a snapshot: all of them when E ≤ S,
 * otherwise e_i = 1 + round(i (E − 1)/(S − 1)) for i = 0 … S − 1 (S = SNAPSHOTS_MAX), so the
 * first and the last epoch are always among them and the memory of a run's replay is bounded.
 */
export function snapshotEpochs(epochs: number, max = SNAPSHOTS_MAX): Set<number> {
  const E = Math.max(0, Math.floor(epochs));
  if (E <= max) return new Set(Array.from({ length: E }, (_, i) => i + 1));
  return new Set(Array.from({ length: max }, (_, i) => 1 + Math.round((i * (E - 1)) / (max - 1))));
}
