import type UPlot from 'uplot';
import type { FromTrainingPanel, PanelRow, RunBoundary, ToTrainingPanel } from '../../../server/src/protocol/webview';

/**
 * NetSpec: Training — the webview's page script, bundled by esbuild.js (browser, iife) into
 * dist/media/trainingPanel.js. It draws what the extension (client/src/trainingPanel.ts) posts:
 * a header with the run's state, the loss and accuracy curves (uPlot) and, for a 2-input
 * classifier, the decision boundary on a canvas. Work is batched: messages only queue, one
 * animation frame draws what is queued.
 */

/** uPlot, loaded by its own `<script>` (dist/media/uPlot.iife.min.js) before this one. */
declare const uPlot: typeof UPlot;
/** The webview's channel to the extension (VS Code defines it; it may be called once). */
declare function acquireVsCodeApi(): { postMessage(message: FromTrainingPanel): void };

const vscode = acquireVsCodeApi();
/** Points kept per series; beyond it every other point is dropped (the newest is kept). */
const MAX_POINTS = 20000;
/** Class 0 and class 1: TensorFlow Playground's orange and blue. */
const CLASS_COLORS: readonly RGB[] = [[245, 147, 34], [8, 119, 189]];

type RGB = [number, number, number];

/** The element with this id in the panel's page (client/src/trainingPanel.ts writes them all). */
function $<T extends HTMLElement = HTMLElement>(id: string): T {
  return document.getElementById(id) as T;
}

/** The run the panel shows: one entry per epoch in each series, `null` where a figure is missing. */
interface RunView {
  runId: string | undefined;
  last: PanelRow | undefined;
  epoch: number[];
  loss: (number | null)[];
  testLoss: (number | null)[];
  acc: (number | null)[];
  testAcc: (number | null)[];
  has: { testLoss: boolean; acc: boolean; testAcc: boolean };
  boundary: RunBoundary | undefined;
}

let run = emptyRun(undefined);
let queue: ToTrainingPanel[] = [];
let frame = 0;
let chart: UPlot | undefined;
/** What the chart was built for (series, scale, theme): a change rebuilds it. */
let chartKey = '';
let logScale = true;
let boundaryDirty = false;

function emptyRun(runId: string | undefined): RunView {
  return { runId, last: undefined, epoch: [], loss: [], testLoss: [], acc: [], testAcc: [], has: { testLoss: false, acc: false, testAcc: false }, boundary: undefined };
}

window.addEventListener('message', (event: MessageEvent<ToTrainingPanel>) => {
  queue.push(event.data);
  if (!frame) frame = requestAnimationFrame(drain);
});

function drain(): void {
  frame = 0;
  const q = queue;
  queue = [];
  let header = false;
  let curve = false;
  for (const m of q) {
    if (!m || typeof m !== 'object') continue;
    if (m.type === 'reset') {
      run = emptyRun(undefined);
      header = curve = boundaryDirty = true;
    } else if (m.type === 'progress') {
      for (const p of m.items || []) {
        add(p);
        header = curve = true;
      }
      if (m.boundary && m.boundary.runId === run.runId) {
        run.boundary = m.boundary;
        boundaryDirty = true;
      }
    }
  }
  if (header) drawHeader();
  if (curve) drawCurve();
  if (boundaryDirty) {
    boundaryDirty = false;
    drawBoundary();
  }
}

/** A row into the run's series: a new epoch is appended, the same epoch again replaces it. */
function add(p: PanelRow): void {
  if (p.runId !== run.runId) {
    run = emptyRun(p.runId);
    boundaryDirty = true;
  }
  run.last = p;
  // A run that ended before reporting an epoch (failed, or stopped at once) has a header, no point.
  if (p.epoch === undefined) return;
  const n = run.epoch.length;
  const at = n > 0 && run.epoch[n - 1] === p.epoch ? n - 1 : n;
  if (n > 0 && p.epoch < run.epoch[n - 1]) return;
  run.epoch[at] = p.epoch;
  run.loss[at] = num(p.loss);
  run.testLoss[at] = num(p.testLoss);
  run.acc[at] = num(p.accuracy);
  run.testAcc[at] = num(p.testAccuracy);
  if (run.testLoss[at] !== null) run.has.testLoss = true;
  if (run.acc[at] !== null) run.has.acc = true;
  if (run.testAcc[at] !== null) run.has.testAcc = true;
  if (run.epoch.length > MAX_POINTS) {
    run.epoch = halve(run.epoch);
    run.loss = halve(run.loss);
    run.testLoss = halve(run.testLoss);
    run.acc = halve(run.acc);
    run.testAcc = halve(run.testAcc);
  }
}

/** A figure to draw, or `null` (missing, or not finite: JSON brings NaN and Infinity as null). */
function num(v: unknown): number | null {
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

/** Every other element, keeping the last (the newest epoch). */
function halve<T>(xs: T[]): T[] {
  const out = xs.filter((_, i) => i % 2 === 0);
  if ((xs.length - 1) % 2 !== 0) out.push(xs[xs.length - 1]);
  return out;
}

/** A figure for people: 4 significant digits, exponential past 1e5 or below 1e-3. */
function fmt(v: unknown): string {
  if (typeof v !== 'number') return '–';
  if (!Number.isFinite(v)) return String(v);
  if (v === 0) return '0';
  const a = Math.abs(v);
  return a >= 1e5 || a < 1e-3 ? v.toExponential(3) : String(Number(v.toPrecision(4)));
}

/** A fraction as a percentage with one decimal. */
function pct(v: unknown): string {
  return typeof v === 'number' && Number.isFinite(v) ? (v * 100).toFixed(1) + '%' : '–';
}

// ---------------------------------------------------------------- header

function drawHeader(): void {
  const p = run.last;
  if (!p) {
    $('network').textContent = 'No run yet';
    $('data').textContent = '';
    setStatus('idle', 'waiting');
    $('epoch').textContent = '';
    $('bar').style.width = '0';
    $('metrics').textContent = '';
    return;
  }
  $('network').textContent = p.network;
  $('data').textContent = 'on ' + p.data;
  if (p.error) setStatus('error', 'failed: ' + p.error);
  else if (p.diverged) setStatus('diverged', 'diverged at epoch ' + p.diverged.epoch + ' (step ' + p.diverged.step + ', loss ' + fmt(p.diverged.loss) + ')');
  else if (p.cancelled) setStatus('cancelled', p.epoch === undefined ? 'cancelled' : 'cancelled at epoch ' + p.epoch);
  else if (p.done) setStatus('done', 'done');
  else setStatus('running', 'running');
  $('epoch').textContent = p.epoch === undefined ? '' : 'epoch ' + p.epoch + ' / ' + p.epochs;
  $('bar').style.width = (p.epoch !== undefined && p.epochs ? Math.min(100, (100 * p.epoch) / p.epochs) : 0) + '%';
  const metrics: [string, string][] = [['loss', fmt(p.loss)]];
  if (p.testLoss !== undefined) metrics.push(['test loss', fmt(p.testLoss)]);
  if (p.accuracy !== undefined) metrics.push(['accuracy', pct(p.accuracy)]);
  if (p.testAccuracy !== undefined) metrics.push(['test accuracy', pct(p.testAccuracy)]);
  const box = $('metrics');
  box.textContent = '';
  for (const [k, v] of metrics) {
    const span = document.createElement('span');
    span.append(k + ' ');
    const b = document.createElement('b');
    b.textContent = v;
    span.append(b);
    box.append(span);
  }
}

type Status = 'idle' | 'running' | 'done' | 'cancelled' | 'diverged' | 'error';

/** The status pill: its class (trainingPanel.css colours each) and text. */
function setStatus(kind: Status, text: string): void {
  const s = $('status');
  s.className = 'status ' + kind;
  s.textContent = text;
}

// ---------------------------------------------------------------- loss curve (uPlot)

/** A theme variable (`--vscode-*`) of the page, or the fallback when the theme has none. */
function css(name: string, fallback: string): string {
  const v = getComputedStyle(document.body).getPropertyValue(name).trim();
  return v || fallback;
}

/** The chart's colours and font, from the current theme. */
function theme() {
  return {
    fg: css('--vscode-editor-foreground', '#888'),
    dim: css('--vscode-descriptionForeground', '#888'),
    grid: withAlpha(css('--vscode-editor-foreground', '#888'), 0.12),
    font: css('--vscode-font-family', 'sans-serif'),
    // Opaque (a theme may give these with alpha, which washes a 2px line out).
    series: [
      withAlpha(css('--vscode-charts-blue', '#3794ff'), 1),
      withAlpha(css('--vscode-charts-orange', '#d18616'), 1),
      withAlpha(css('--vscode-charts-green', '#89d185'), 1),
      withAlpha(css('--vscode-charts-purple', '#b180d7'), 1),
    ],
  };
}

/** The series the chart has, in chartOptions()'s order; on a log scale a loss ≤ 0 is a gap. */
function chartData(): UPlot.AlignedData {
  const positive = (v: number | null) => (logScale && v !== null && v <= 0 ? null : v);
  const data: [number[], ...(number | null)[][]] = [run.epoch, run.loss.map(positive)];
  if (run.has.testLoss) data.push(run.testLoss.map(positive));
  if (run.has.acc) data.push(run.acc);
  if (run.has.testAcc) data.push(run.testAcc);
  return data;
}

function drawCurve(): void {
  $('empty').hidden = run.epoch.length > 0;
  $('chart').dataset.epochs = String(run.epoch.length); // how many epochs the curve has (read by the UI test)
  if (run.epoch.length === 0) {
    if (chart) {
      chart.destroy();
      chart = undefined;
      chartKey = '';
    }
    return;
  }
  const key = [run.has.testLoss, run.has.acc, run.has.testAcc, logScale, document.body.className].join();
  if (!chart || key !== chartKey) {
    if (chart) chart.destroy();
    chart = new uPlot(chartOptions(), chartData(), $('chart'));
    chartKey = key;
  } else {
    chart.setData(chartData());
  }
}

function chartOptions(): UPlot.Options {
  const t = theme();
  const font = '11px ' + t.font;
  const axis = (o: UPlot.Axis): UPlot.Axis => ({ stroke: t.fg, font, labelFont: font, grid: { stroke: t.grid, width: 1 }, ticks: { stroke: t.grid, width: 1 }, ...o });
  const line = (label: string, color: string, scale: 'loss' | 'acc', dash?: number[]): UPlot.Series => ({
    label, stroke: color, width: 2, scale, dash, points: { show: false }, value: (_u, v) => (scale === 'acc' ? pct(v) : fmt(v)), spanGaps: true,
  });
  const series: UPlot.Series[] = [{ label: 'epoch', value: (_u, v) => (v === null ? '–' : String(v)) }, line('train loss', t.series[0], 'loss')];
  if (run.has.testLoss) series.push(line('test loss', t.series[1], 'loss'));
  if (run.has.acc) series.push(line('accuracy', t.series[2], 'acc', [6, 3]));
  if (run.has.testAcc) series.push(line('test accuracy', t.series[3], 'acc', [2, 3]));
  const axes = [
    axis({ label: 'epoch', labelSize: 18, size: 34 }),
    axis({ scale: 'loss', label: 'loss', labelSize: 18, size: 54, values: (_u, vals) => vals.map((v) => (v === null ? '' : fmt(v))) }),
  ];
  if (run.has.acc || run.has.testAcc) axes.push(axis({ scale: 'acc', side: 1, label: 'accuracy', labelSize: 18, size: 50, grid: { show: false }, values: (_u, vals) => vals.map((v) => Math.round(v * 100) + '%') }));
  return {
    width: chartWidth(),
    height: chartHeight(),
    scales: {
      x: { time: false },
      loss: logScale ? { distr: 3, log: 10 } : { auto: true },
      acc: { range: [0, 1] },
    },
    axes,
    series,
    cursor: { drag: { x: true, y: false }, points: { size: 6 } },
    legend: { live: true },
  };
}

function chartWidth(): number {
  return Math.max(280, Math.floor($('curve').clientWidth));
}

function chartHeight(): number {
  return Math.max(200, Math.min(420, Math.floor(window.innerHeight * 0.5)));
}

$('log').addEventListener('change', (e) => {
  logScale = (e.target as HTMLInputElement).checked;
  chartKey = '';
  drawCurve();
});

// ---------------------------------------------------------------- decision boundary

function drawBoundary(): void {
  const b = run.boundary;
  const section = $('boundarySection');
  section.hidden = !b;
  if (!b) return;
  const canvas = $<HTMLCanvasElement>('boundary');
  const cssSize = Math.max(220, Math.min(380, Math.floor(section.clientWidth || 360)));
  const dpr = window.devicePixelRatio || 1;
  canvas.style.height = cssSize + 'px';
  canvas.width = Math.round(cssSize * dpr);
  canvas.height = Math.round(cssSize * dpr);
  const ctx = canvas.getContext('2d')!;
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  ctx.clearRect(0, 0, cssSize, cssSize);

  const pad = { left: 34, right: 6, top: 6, bottom: 22 };
  const w = cssSize - pad.left - pad.right;
  const h = cssSize - pad.top - pad.bottom;
  const [x0, x1] = b.xRange;
  const [y0, y1] = b.yRange;
  const bg = parseColor(css('--vscode-editor-background', '#ffffff'));
  const fg = css('--vscode-editor-foreground', '#888');

  // The heatmap: resolution×resolution pixels, scaled up smoothly.
  const res = b.resolution | 0;
  if (res > 0 && b.values.length >= res * res) {
    const off = document.createElement('canvas');
    off.width = res;
    off.height = res;
    const octx = off.getContext('2d')!;
    const img = octx.createImageData(res, res);
    for (let i = 0; i < res * res; i++) {
      const c = heat(b.values[i], bg);
      img.data[4 * i] = c[0];
      img.data[4 * i + 1] = c[1];
      img.data[4 * i + 2] = c[2];
      img.data[4 * i + 3] = 255;
    }
    octx.putImageData(img, 0, 0);
    ctx.imageSmoothingEnabled = true;
    ctx.imageSmoothingQuality = 'high';
    ctx.drawImage(off, pad.left, pad.top, w, h);
  }

  // The data.
  const sx = (x: number) => pad.left + ((x - x0) / (x1 - x0 || 1)) * w;
  const sy = (y: number) => pad.top + ((y1 - y) / (y1 - y0 || 1)) * h;
  ctx.save();
  ctx.beginPath();
  ctx.rect(pad.left, pad.top, w, h);
  ctx.clip();
  ctx.lineWidth = 1;
  ctx.strokeStyle = withAlpha(fg, 0.85);
  const r = b.points.length > 400 ? 2.5 : 3.5;
  for (const pt of b.points) {
    const c = CLASS_COLORS[pt.c === 1 ? 1 : 0];
    ctx.fillStyle = 'rgb(' + c.join(',') + ')';
    ctx.beginPath();
    ctx.arc(sx(pt.x), sy(pt.y), r, 0, 2 * Math.PI);
    ctx.fill();
    ctx.stroke();
  }
  ctx.restore();

  // Frame, the axes through 0 and the ranges' ends.
  ctx.strokeStyle = withAlpha(fg, 0.35);
  ctx.strokeRect(pad.left + 0.5, pad.top + 0.5, w - 1, h - 1);
  ctx.setLineDash([3, 3]);
  ctx.beginPath();
  if (x0 < 0 && x1 > 0) {
    ctx.moveTo(sx(0), pad.top);
    ctx.lineTo(sx(0), pad.top + h);
  }
  if (y0 < 0 && y1 > 0) {
    ctx.moveTo(pad.left, sy(0));
    ctx.lineTo(pad.left + w, sy(0));
  }
  ctx.stroke();
  ctx.setLineDash([]);
  ctx.fillStyle = fg;
  ctx.font = '11px ' + css('--vscode-font-family', 'sans-serif');
  ctx.textBaseline = 'top';
  ctx.textAlign = 'left';
  ctx.fillText(fmt(x0), pad.left, pad.top + h + 5);
  ctx.textAlign = 'right';
  ctx.fillText(fmt(x1), pad.left + w, pad.top + h + 5);
  ctx.textAlign = 'center';
  ctx.fillText('x₁', pad.left + w / 2, pad.top + h + 5);
  ctx.textAlign = 'right';
  ctx.textBaseline = 'top';
  ctx.fillText(fmt(y1), pad.left - 4, pad.top);
  ctx.textBaseline = 'bottom';
  ctx.fillText(fmt(y0), pad.left - 4, pad.top + h);
  ctx.textBaseline = 'middle';
  ctx.fillText('x₂', pad.left - 4, pad.top + h / 2);
}

/**
 * Probability p of class 1 → colour: t = clamp(2p − 1, −1, 1); the class colour c (orange for
 * t < 0, blue otherwise) over the background at opacity a = 0.6·|t|^0.8, so 0.5 is the
 * background itself. Not a number: the background.
 */
function heat(p: unknown, bg: RGB): RGB {
  if (typeof p !== 'number' || !Number.isFinite(p)) return bg;
  const t = Math.max(-1, Math.min(1, 2 * p - 1));
  const c = CLASS_COLORS[t < 0 ? 0 : 1];
  const a = 0.6 * Math.pow(Math.abs(t), 0.8);
  const mix = (i: number) => Math.round(bg[i] + (c[i] - bg[i]) * a);
  return [mix(0), mix(1), mix(2)];
}

/** A canvas context used only to parse CSS colours. */
let colorContext: CanvasRenderingContext2D | undefined;

/** Any CSS colour as [r, g, b], 0–255, as the canvas parses it (black when it cannot). */
function parseColor(s: string): RGB {
  const ctx = (colorContext ??= document.createElement('canvas').getContext('2d')!);
  ctx.fillStyle = '#000';
  ctx.fillStyle = s;
  const v = String(ctx.fillStyle); // '#rrggbb' or 'rgba(r, g, b, a)'
  if (v[0] === '#') return [parseInt(v.slice(1, 3), 16), parseInt(v.slice(3, 5), 16), parseInt(v.slice(5, 7), 16)];
  const m = v.match(/[\d.]+/g) || ['0', '0', '0'];
  return [Number(m[0]), Number(m[1]), Number(m[2])];
}

function withAlpha(color: string, a: number): string {
  const [r, g, b] = parseColor(color);
  return 'rgba(' + r + ',' + g + ',' + b + ',' + a + ')';
}

// ---------------------------------------------------------------- resize and theme

let resizeFrame = 0;
new ResizeObserver(() => {
  if (resizeFrame) return;
  resizeFrame = requestAnimationFrame(() => {
    resizeFrame = 0;
    if (chart) chart.setSize({ width: chartWidth(), height: chartHeight() });
    if (run.boundary) drawBoundary();
  });
}).observe(document.body);

// VS Code swaps the body's class (vscode-light / vscode-dark / vscode-high-contrast) and the
// --vscode-* variables when the theme changes: redraw in the new colours.
const themeObserver = new MutationObserver(() => {
  chartKey = '';
  drawCurve();
  drawBoundary();
});
themeObserver.observe(document.body, { attributes: true, attributeFilter: ['class'] });
themeObserver.observe(document.documentElement, { attributes: true, attributeFilter: ['style', 'class'] });

drawHeader();
drawCurve();
vscode.postMessage({ type: 'ready' });
