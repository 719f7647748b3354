import type { DecisionBoundary, FittedCurve } from '../../../server/src/protocol/training';
import { CLASS_PALETTE, classColor, classHeat, type RGB } from '../classColors';

/**
 * The training panel's picture of the network, on a canvas: a 2-input network's output over a grid
 * (a classifier's probability of class 1 — the decision boundary — or another network's first
 * output as a heatmap) with the data over it, or a 1-input network's fitted curve y(x) over the
 * data. Training samples are filled dots, test samples hollow rings.
 */

/** Low and high (class 0 and class 1): TensorFlow Playground's orange and blue; more classes: classColors.ts. */
export const CLASS_COLORS: readonly RGB[] = CLASS_PALETTE.slice(0, 2);

export type { RGB };

/** What the canvas shows: one of the two, and the epoch it is of (for the replay and the UI test). */
export interface PictureView {
  boundary?: DecisionBoundary;
  curve?: FittedCurve;
  epoch?: number;
}

/** A theme variable (`--vscode-*`) of the page, or the fallback when the theme has none. */
export function css(name: string, fallback: string): string {
  const v = getComputedStyle(document.body).getPropertyValue(name).trim();
  return v || fallback;
}

/** A figure for people: 4 significant digits, exponential past 1e5 or below 1e-3. */
export function fmt(v: unknown): string {
  if (typeof v !== 'number') return '–';
  if (!Number.isFinite(v)) return String(v);
  if (v === 0) return '0';
  const a = Math.abs(v);
  return a >= 1e5 || a < 1e-3 ? v.toExponential(3) : String(Number(v.toPrecision(4)));
}

const PAD = { left: 40, right: 8, top: 6, bottom: 22 };

/** Draws the picture on the canvas, `size` CSS pixels square. */
export function drawPicture(canvas: HTMLCanvasElement, view: PictureView, size: number): void {
  const dpr = window.devicePixelRatio || 1;
  canvas.style.height = size + 'px';
  canvas.style.width = size + 'px';
  canvas.width = Math.round(size * dpr);
  canvas.height = Math.round(size * dpr);
  canvas.dataset.epoch = view.epoch === undefined ? '' : String(view.epoch);
  const ctx = canvas.getContext('2d')!;
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  ctx.clearRect(0, 0, size, size);
  const area = { x: PAD.left, y: PAD.top, w: size - PAD.left - PAD.right, h: size - PAD.top - PAD.bottom };
  // Where the data lies on the canvas (CSS pixels), for clicks that add samples (controls.ts).
  canvas.dataset.frame = view.boundary ? JSON.stringify({ ...area, xRange: view.boundary.xRange, yRange: view.boundary.yRange }) : '';
  if (view.boundary) drawGrid(ctx, area, view.boundary);
  else if (view.curve) drawCurve(ctx, area, view.curve);
}

interface Area { x: number; y: number; w: number; h: number }

/** [lo, hi] of the finite values (a degenerate or empty range widened to a unit one). */
function extent(values: Iterable<number>): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of values) {
    if (!Number.isFinite(v)) continue;
    lo = Math.min(lo, v);
    hi = Math.max(hi, v);
  }
  if (lo > hi) return [0, 1];
  return lo === hi ? [lo - 0.5, hi + 0.5] : [lo, hi];
}

function drawGrid(ctx: CanvasRenderingContext2D, a: Area, b: DecisionBoundary): void {
  const bg = parseColor(css('--vscode-editor-background', '#ffffff'));
  const [x0, x1] = b.xRange;
  const [y0, y1] = b.yRange;
  // A classifier's probability is already in [0, 1]; another network's output is scaled by the
  // range of its targets, so that the colours mean the same at every epoch of a replay.
  const classes = b.kind !== 'output';
  const [lo, hi] = classes ? [0, 1] : extent(b.points.map((p) => p.c));
  const unit = (v: number) => (v - lo) / (hi - lo);
  const res = b.resolution | 0;
  if (res > 0 && b.values.length >= res * res) {
    const off = document.createElement('canvas');
    off.width = res;
    off.height = res;
    const octx = off.getContext('2d')!;
    const img = octx.createImageData(res, res);
    const K = b.classes ?? 0;
    for (let i = 0; i < res * res; i++) {
      const v = b.values[i];
      // K classes: the cell's K probabilities, one per plane (protocol/training.ts DecisionBoundary).
      const c = K >= 3 ? classHeat(Array.from({ length: K }, (_, k) => b.values[k * res * res + i] ?? NaN), bg) : heat(typeof v === 'number' ? unit(v) : NaN, bg);
      img.data.set([c[0], c[1], c[2], 255], 4 * i);
    }
    octx.putImageData(img, 0, 0);
    ctx.imageSmoothingEnabled = true;
    ctx.imageSmoothingQuality = 'high';
    ctx.drawImage(off, a.x, a.y, a.w, a.h);
  }
  const sx = (x: number) => a.x + ((x - x0) / (x1 - x0 || 1)) * a.w;
  const sy = (y: number) => a.y + ((y1 - y) / (y1 - y0 || 1)) * a.h;
  const r = b.points.length > 400 ? 2.5 : 3.5;
  clipped(ctx, a, () => {
    for (const pt of b.points) {
      const color = classes ? ((b.classes ?? 0) >= 3 ? classColor(pt.c) : CLASS_COLORS[pt.c === 1 ? 1 : 0]) : mixed(unit(pt.c));
      dot(ctx, sx(pt.x), sy(pt.y), r, color, pt.test === true);
    }
  });
  frame(ctx, a, b.xRange, b.yRange, 'x₁', 'x₂', sx, sy);
}

function drawCurve(ctx: CanvasRenderingContext2D, a: Area, c: FittedCurve): void {
  const [x0, x1] = c.xRange;
  // The targets fix the vertical range (the curve is clipped to it), so a replay does not jump.
  const [lo, hi] = extent(c.points.length ? c.points.map((p) => p.y) : c.ys.flat());
  const pad = 0.12 * (hi - lo);
  const y0 = lo - pad;
  const y1 = hi + pad;
  const sx = (x: number) => a.x + ((x - x0) / (x1 - x0 || 1)) * a.w;
  const sy = (y: number) => a.y + ((y1 - y) / (y1 - y0 || 1)) * a.h;
  const colors = [css('--vscode-charts-blue', '#3794ff'), css('--vscode-charts-orange', '#d18616'), css('--vscode-charts-green', '#89d185'), css('--vscode-charts-purple', '#b180d7')];
  clipped(ctx, a, () => {
    const r = c.points.length > 400 ? 2 : 3;
    const outputs = c.ys.length;
    for (const pt of c.points) {
      const targets = pt.t && pt.t.length === outputs ? pt.t : [pt.y];
      targets.forEach((t, k) => dot(ctx, sx(pt.x), sy(t), r, parseColor(colors[k % colors.length]), pt.test === true, 0.55));
    }
    ctx.lineWidth = 2.5;
    c.ys.forEach((ys, k) => {
      ctx.strokeStyle = withAlpha(colors[k % colors.length], 1);
      ctx.beginPath();
      let pen = false;
      ys.forEach((y, i) => {
        if (typeof y !== 'number' || !Number.isFinite(y)) {
          pen = false;
          return;
        }
        // Far outside the view a canvas coordinate can overflow: keep it a few heights away.
        const py = Math.max(a.y - 4 * a.h, Math.min(a.y + 5 * a.h, sy(y)));
        if (pen) ctx.lineTo(sx(c.xs[i]), py);
        else ctx.moveTo(sx(c.xs[i]), py);
        pen = true;
      });
      ctx.stroke();
    });
  });
  frame(ctx, a, c.xRange, [y0, y1], 'x', 'y', sx, sy);
}

/** Runs `draw` clipped to the plot area. */
function clipped(ctx: CanvasRenderingContext2D, a: Area, draw: () => void): void {
  ctx.save();
  ctx.beginPath();
  ctx.rect(a.x, a.y, a.w, a.h);
  ctx.clip();
  draw();
  ctx.restore();
}

/** A sample: a filled dot with a thin outline (training), or a hollow ring (test). */
function dot(ctx: CanvasRenderingContext2D, x: number, y: number, r: number, color: RGB, test: boolean, alpha = 1): void {
  const fg = css('--vscode-editor-foreground', '#888');
  ctx.beginPath();
  ctx.arc(x, y, test ? r + 0.5 : r, 0, 2 * Math.PI);
  if (test) {
    ctx.lineWidth = 2;
    ctx.strokeStyle = 'rgb(' + color.join(',') + ')';
    ctx.stroke();
  } else {
    ctx.fillStyle = 'rgba(' + color.join(',') + ',' + alpha + ')';
    ctx.fill();
    ctx.lineWidth = 1;
    ctx.strokeStyle = withAlpha(fg, 0.85 * alpha);
    ctx.stroke();
  }
}

/** The frame, the axes through 0, and the ranges' ends. */
function frame(ctx: CanvasRenderingContext2D, a: Area, xr: [number, number], yr: [number, number], xLabel: string, yLabel: string, sx: (x: number) => number, sy: (y: number) => number): void {
  const fg = css('--vscode-editor-foreground', '#888');
  ctx.strokeStyle = withAlpha(fg, 0.35);
  ctx.lineWidth = 1;
  ctx.strokeRect(a.x + 0.5, a.y + 0.5, a.w - 1, a.h - 1);
  ctx.setLineDash([3, 3]);
  ctx.beginPath();
  if (xr[0] < 0 && xr[1] > 0) {
    ctx.moveTo(sx(0), a.y);
    ctx.lineTo(sx(0), a.y + a.h);
  }
  if (yr[0] < 0 && yr[1] > 0) {
    ctx.moveTo(a.x, sy(0));
    ctx.lineTo(a.x + a.w, sy(0));
  }
  ctx.stroke();
  ctx.setLineDash([]);
  ctx.fillStyle = fg;
  ctx.font = '11px ' + css('--vscode-font-family', 'sans-serif');
  ctx.textBaseline = 'top';
  ctx.textAlign = 'left';
  ctx.fillText(fmt(xr[0]), a.x, a.y + a.h + 5);
  ctx.textAlign = 'right';
  ctx.fillText(fmt(xr[1]), a.x + a.w, a.y + a.h + 5);
  ctx.textAlign = 'center';
  ctx.fillText(xLabel, a.x + a.w / 2, a.y + a.h + 5);
  ctx.textAlign = 'right';
  ctx.fillText(fmt(yr[1]), a.x - 4, a.y);
  ctx.textBaseline = 'bottom';
  ctx.fillText(fmt(yr[0]), a.x - 4, a.y + a.h);
  ctx.textBaseline = 'middle';
  ctx.fillText(yLabel, a.x - 4, a.y + a.h / 2);
}

/**
 * u ∈ [0, 1] (a probability of class 1, or an output scaled by its targets' range) → colour:
 * t = clamp(2u − 1, −1, 1); the low colour (t < 0) or the high one over the background at opacity
 * a = 0.6·|t|^0.8, so ½ is the background itself. Not a number: the background.
 */
export function heat(u: number, bg: RGB): RGB {
  if (!Number.isFinite(u)) return bg;
  const t = Math.max(-1, Math.min(1, 2 * u - 1));
  const c = CLASS_COLORS[t < 0 ? 0 : 1];
  const a = 0.6 * Math.pow(Math.abs(t), 0.8);
  const mix = (i: number) => Math.round(bg[i] + (c[i] - bg[i]) * a);
  return [mix(0), mix(1), mix(2)];
}

/** A sample's colour on the heatmap's scale: from the low colour to the high one through grey. */
function mixed(u: number): RGB {
  const t = Number.isFinite(u) ? Math.max(0, Math.min(1, u)) : 0.5;
  const [a, b] = CLASS_COLORS;
  return [0, 1, 2].map((i) => Math.round(a[i] + (b[i] - a[i]) * t)) as RGB;
}

/** A canvas context used only to parse CSS colours. */
let colorContext: CanvasRenderingContext2D | undefined;

/** Any CSS colour as [r, g, b], 0–255, as the canvas parses it (black when it cannot). */
export function parseColor(s: string): RGB {
  const ctx = (colorContext ??= document.createElement('canvas').getContext('2d')!);
  ctx.fillStyle = '#000';
  ctx.fillStyle = s;
  const v = String(ctx.fillStyle); // '#rrggbb' or 'rgba(r, g, b, a)'
  if (v[0] === '#') return [parseInt(v.slice(1, 3), 16), parseInt(v.slice(3, 5), 16), parseInt(v.slice(5, 7), 16)];
  const m = v.match(/[\d.]+/g) || ['0', '0', '0'];
  return [Number(m[0]), Number(m[1]), Number(m[2])];
}

export function withAlpha(color: string, a: number): string {
  const [r, g, b] = parseColor(color);
  return 'rgba(' + r + ',' + g + ',' + b + ',' + a + ')';
}
