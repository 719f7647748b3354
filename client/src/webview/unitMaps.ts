import type { ViewHeatmap } from '../../../server/src/protocol/network';
import { CLASS_COLORS, css, heat, parseColor, type RGB } from './picture';

/**
 * The network view's unit heatmaps (a 2-input network, as the TensorFlow Playground's neuron
 * thumbnails): a unit's output over the input plane, in the training panel's diverging palette
 * (picture.ts `heat`: the low colour, the background at the middle of the column's range, the high
 * colour), with the data drawn over the output layer's.
 */

/**
 * Draws a unit's heatmap on `canvas`, `size` CSS pixels square: value v at grid cell i → the
 * colour heat(u) with u = (v − lo) / (hi − lo) over the column's range [lo, hi]; then, when
 * `points` is given, the samples (classes in the class colours, other targets on the same scale;
 * test samples as rings).
 */
export function drawUnitMap(canvas: HTMLCanvasElement, size: number, values: readonly (number | null)[], grid: ViewHeatmap, range: [number, number] | undefined, points: boolean): void {
  const dpr = window.devicePixelRatio || 1;
  canvas.width = Math.round(size * dpr);
  canvas.height = Math.round(size * dpr);
  const ctx = canvas.getContext('2d');
  if (!ctx) return;
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  ctx.clearRect(0, 0, size, size);
  const bg = parseColor(css('--vscode-editor-background', '#ffffff'));
  const [lo, hi] = range && range[1] > range[0] ? range : extent(values);
  const unit = (v: number | null) => (typeof v === 'number' ? (v - lo) / (hi - lo) : NaN);
  const res = grid.resolution | 0;
  if (res > 0 && values.length >= res * res) {
    const off = document.createElement('canvas');
    off.width = res;
    off.height = res;
    const octx = off.getContext('2d');
    if (!octx) return;
    const img = octx.createImageData(res, res);
    for (let i = 0; i < res * res; i++) {
      const c = heat(unit(values[i]), bg);
      img.data.set([c[0], c[1], c[2], 255], 4 * i);
    }
    octx.putImageData(img, 0, 0);
    ctx.imageSmoothingEnabled = true;
    ctx.drawImage(off, 0, 0, size, size);
  }
  if (points) {
    const [x0, x1] = grid.xRange;
    const [y0, y1] = grid.yRange;
    const classes = grid.points.every((p) => p.c === 0 || p.c === 1);
    const r = size >= 100 ? 2.5 : 1.2;
    for (const p of grid.points) {
      const x = ((p.x - x0) / (x1 - x0 || 1)) * size;
      const y = ((y1 - p.y) / (y1 - y0 || 1)) * size;
      const color: RGB = classes ? CLASS_COLORS[p.c === 1 ? 1 : 0] : strong(unit(p.c));
      ctx.beginPath();
      ctx.arc(x, y, r, 0, 2 * Math.PI);
      if (p.test) {
        ctx.lineWidth = 1;
        ctx.strokeStyle = `rgb(${color.join(',')})`;
        ctx.stroke();
      } else {
        ctx.fillStyle = `rgb(${color.join(',')})`;
        ctx.fill();
      }
    }
  }
}

/** A unit's heatmap as a data: URL image (what the SVG's <image> shows; the CSP allows data: images). */
export function unitMapUrl(size: number, values: readonly (number | null)[], grid: ViewHeatmap, range: [number, number] | undefined, points: boolean): string {
  const canvas = document.createElement('canvas');
  drawUnitMap(canvas, size, values, grid, range, points);
  return canvas.toDataURL('image/png');
}

/** [lo, hi] of the finite values, a degenerate range widened to a unit one. */
function extent(values: readonly (number | null)[]): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of values) {
    if (typeof v !== 'number' || !Number.isFinite(v)) continue;
    lo = Math.min(lo, v);
    hi = Math.max(hi, v);
  }
  if (lo > hi) return [0, 1];
  return lo === hi ? [lo - 0.5, hi + 0.5] : [lo, hi];
}

/** A sample's colour on the column's scale, at full strength: from the low colour to the high one. */
function strong(u: number): RGB {
  const t = Number.isFinite(u) ? Math.max(0, Math.min(1, u)) : 0.5;
  const [a, b] = CLASS_COLORS;
  return [0, 1, 2].map((i) => Math.round(a[i] + (b[i] - a[i]) * t)) as RGB;
}
