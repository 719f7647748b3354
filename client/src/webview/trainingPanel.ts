import type UPlot from 'uplot';
import type { Snapshot } from '../../../server/src/protocol/training';
import type { FromTrainingPanel, PanelRow, RunPicture, ToTrainingPanel } from '../../../server/src/protocol/webview';
import { logRange, logTicks, lossRose, smoothed } from '../figures';
import { classColor } from '../classColors';
import { initControls, updateControls } from './controls';
import { alignedSeries, metricFigures } from '../runFigures';
import { drawConfusion } from './metricsView';
import { drawRuns } from './runList';
import { earlyStopMarks, resizeRateChart, theme, updateRateChart } from './runCharts';
import { CLASS_COLORS, css, drawPicture, fmt, parseColor, type PictureView } from './picture';

/**
 * NetSpec: Training — the webview's page script, bundled by esbuild.js (browser, iife) into
 * dist/media/trainingPanel.js. It draws what the extension (client/src/trainingPanel.ts) posts:
 * a header with the run's state, the loss and accuracy curves (uPlot) and the network's picture
 * (picture.ts); a finished run gets a replay: a slider over the epochs the worker took snapshots
 * of, and a play button; its final metrics (a classifier's confusion matrices, metricsView.ts;
 * another network's RMSE and R² in the header), its learning rate under the loss when a schedule
 * moved it, and a marker where early stopping ended it. Compared runs (a group started by Train
 * All) share the loss chart, one colour per `train` statement named by its label; the header,
 * metrics, picture and replay are those of the run chosen in the list of runs. Work is batched:
 * messages only queue, one animation frame draws what is queued.
 */

/** uPlot, loaded by its own `<script>` (dist/media/uPlot.iife.min.js) before this one. */
declare const uPlot: typeof UPlot;
/** The webview's channel to the extension (VS Code defines it; it may be called once). */
declare function acquireVsCodeApi(): { postMessage(message: FromTrainingPanel): void };

const vscode = acquireVsCodeApi();
/**
 * Points kept per series; beyond it every other point is dropped (the newest is kept). The
 * protocol's CURVE_POINTS_MAX (protocol/training.ts), written out here because a page imports
 * only the protocol's types.
 */
const MAX_POINTS = 20000;
/** The smoothing weight w of the EMA (TensorBoard's default). */
const SMOOTHING = 0.6;
/** A replay played from the start lasts about this long, whatever the number of snapshots. */
const PLAY_MS = 4000;

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
  lr: (number | null)[];
  has: { testLoss: boolean; acc: boolean; testAcc: boolean };
  /** The newest picture (its frame — grid, xs, points — is also every snapshot's). */
  picture: RunPicture | undefined;
  /** The replay's snapshots, oldest first. */
  snapshots: Snapshot[];
}

/** The runs of the group shown (one for a lone run), in the order their first rows came. */
let runs: RunView[] = [];
/** The group shown: a Train All's group, or a lone run's id. */
let groupKey: string | undefined;
/** The run chosen in the list (the first by default): the header, metrics, picture and replay are its. */
let run = emptyRun(undefined);
/** The user chose a run of the group in the list: a run that joins later does not take its place. */
let chosenByUser = false;
let queue: ToTrainingPanel[] = [];
let frame = 0;
let chart: UPlot | undefined;
/** What the chart was built for (series, scale, theme): a change rebuilds it. */
let chartKey = '';
let logScale = true;
let smoothing = false;
let pictureDirty = false;
/** The snapshot the replay shows (an index into run.snapshots), or undefined: the newest state. */
let replayAt: number | undefined;
let playTimer: ReturnType<typeof setInterval> | undefined;

/** Where a run of the statement on `line` goes among runs kept in line order (a run without a line goes last). */
function insertionIndex(list: readonly RunView[], line: number | undefined): number {
  const i = line === undefined ? -1 : list.findIndex((x) => (x.last?.line ?? Infinity) > line);
  return i < 0 ? list.length : i;
}

function emptyRun(runId: string | undefined): RunView {
  return { runId, last: undefined, epoch: [], loss: [], testLoss: [], acc: [], testAcc: [], lr: [], has: { testLoss: false, acc: false, testAcc: false }, picture: undefined, snapshots: [] };
}

window.addEventListener('message', (event: MessageEvent<ToTrainingPanel>) => {
  queue.push(event.data);
  if (!frame) frame = requestAnimationFrame(drain);
});

function drain(): void {
  frame = 0;
  const q = queue;
  queue = [];
  let changed = false;
  for (const m of q) {
    if (!m || typeof m !== 'object') continue;
    if (m.type === 'reset') {
      runs = [];
      groupKey = undefined;
      run = emptyRun(undefined);
      stopReplay();
      changed = pictureDirty = true;
    } else if (m.type === 'progress') {
      for (const p of m.items || []) {
        add(p);
        changed = true;
      }
      for (const picture of m.pictures || []) {
        const r = runs.find((x) => x.runId === picture.runId);
        if (!r) continue;
        r.picture = picture;
        if (r === run) pictureDirty = true;
      }
      for (const s of m.snapshots || []) {
        runs.find((x) => x.runId === s.runId)?.snapshots.push(...s.snapshots);
        changed = true;
      }
    }
  }
  if (changed) {
    drawHeader();
    drawRunList();
    drawReplayBar();
    drawCurve();
    drawMetrics();
  }
  if (pictureDirty) {
    pictureDirty = false;
    drawPictureSection();
  }
}

/**
 * A row into its run's series: a new epoch is appended, the same epoch again replaces it. A row of
 * another group (or lone run) starts the panel over; a new run of the group joins it.
 */
function add(p: PanelRow): void {
  const group = p.group ?? p.runId;
  if (group !== groupKey) {
    groupKey = group;
    runs = [];
    chosenByUser = false;
    stopReplay();
    pictureDirty = true;
  }
  let r = runs.find((x) => x.runId === p.runId);
  if (!r) {
    r = emptyRun(p.runId);
    r.last = p;
    // The runs in the order of their statements (their first events come in whatever order the runs start).
    runs.splice(insertionIndex(runs, p.line), 0, r);
    if (!chosenByUser && run !== runs[0]) {
      run = runs[0];
      stopReplay();
      pictureDirty = true;
    }
  }
  r.last = p;
  // A run that ended before reporting an epoch (failed, or stopped at once) has a header, no point.
  if (p.epoch === undefined) return;
  const n = r.epoch.length;
  const at = n > 0 && r.epoch[n - 1] === p.epoch ? n - 1 : n;
  if (n > 0 && p.epoch < r.epoch[n - 1]) return;
  r.epoch[at] = p.epoch;
  r.loss[at] = num(p.loss);
  r.testLoss[at] = num(p.testLoss);
  r.acc[at] = num(p.accuracy);
  r.testAcc[at] = num(p.testAccuracy);
  r.lr[at] = num(p.lr);
  if (r.testLoss[at] !== null) r.has.testLoss = true;
  if (r.acc[at] !== null) r.has.acc = true;
  if (r.testAcc[at] !== null) r.has.testAcc = true;
  if (r.epoch.length > MAX_POINTS) {
    r.epoch = halve(r.epoch);
    r.loss = halve(r.loss);
    r.testLoss = halve(r.testLoss);
    r.acc = halve(r.acc);
    r.testAcc = halve(r.testAcc);
    r.lr = halve(r.lr);
  }
}

/** Several runs compared (Train All): the chart overlays them. */
function comparing(): boolean {
  return runs.length > 1;
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

/** A fraction as a percentage with one decimal. */
function pct(v: unknown): string {
  return typeof v === 'number' && Number.isFinite(v) ? (v * 100).toFixed(1) + '%' : '–';
}

// ---------------------------------------------------------------- header

/** The index of an epoch in the run's series, or -1. */
function indexOfEpoch(epoch: number): number {
  for (let i = run.epoch.length - 1; i >= 0; i--) if (run.epoch[i] <= epoch) return run.epoch[i] === epoch ? i : -1;
  return -1;
}

/** The epoch the panel shows: the replay's, or the newest. */
function shownEpoch(): number | undefined {
  return replayAt !== undefined ? run.snapshots[replayAt]?.epoch : run.last?.epoch;
}

/** The newest finite loss at or before series index i, with its epoch. */
function lastFiniteLoss(i: number): { loss: number; epoch: number } | undefined {
  for (let j = Math.min(i, run.loss.length - 1); j >= 0; j--) {
    const v = run.loss[j];
    if (v !== null) return { loss: v, epoch: run.epoch[j] };
  }
  return undefined;
}

function drawHeader(): void {
  const p = run.last;
  const verdict = $('verdict');
  if (!p) {
    $('network').textContent = 'No run yet';
    $('data').textContent = '';
    setStatus('idle', 'waiting');
    updateControls(undefined, false);
    $('epoch').textContent = '';
    $('bar').style.width = '0';
    $('metrics').textContent = '';
    verdict.hidden = true;
    return;
  }
  $('network').textContent = p.network;
  $('data').textContent = 'on ' + p.data + (comparing() && p.label ? ' · ' + p.label : '');
  if (p.error) setStatus('error', 'failed: ' + p.error);
  else if (p.diverged) setStatus('diverged', 'diverged at epoch ' + p.diverged.epoch + ' (step ' + p.diverged.step + ', loss ' + fmt(p.diverged.loss) + ')');
  else if (p.cancelled) setStatus('cancelled', p.epoch === undefined ? 'cancelled' : 'cancelled at epoch ' + p.epoch);
  else if (p.done) setStatus('done', 'done');
  else if (p.paused) setStatus('paused', 'paused' + (p.paused.batch ? ' in epoch ' + ((p.epoch ?? 0) + 1) + ' after batch ' + p.paused.batch + ' / ' + p.paused.batches : ''));
  else setStatus('running', 'running');
  updateControls(p, run.picture?.boundary?.kind === 'class');
  // In a replay the figures are those of the replayed epoch; otherwise the newest row's.
  const epoch = shownEpoch();
  const i = epoch === undefined ? -1 : indexOfEpoch(epoch);
  const replaying = replayAt !== undefined && i >= 0;
  $('epoch').textContent = epoch === undefined ? '' : (replaying ? 'replay: ' : '') + 'epoch ' + epoch + ' / ' + p.epochs;
  $('bar').style.width = (epoch !== undefined && p.epochs ? Math.min(100, (100 * epoch) / p.epochs) : 0) + '%';
  const figures = replaying
    ? { loss: run.loss[i], testLoss: run.has.testLoss ? run.testLoss[i] : undefined, accuracy: run.has.acc ? run.acc[i] : undefined, testAccuracy: run.has.testAcc ? run.testAcc[i] : undefined }
    : p;
  const metrics: [string, string][] = [];
  // A loss that is not finite (null on the wire) is no figure to read: the last finite one is.
  const finite = num(figures.loss);
  const before = finite === null ? lastFiniteLoss(i >= 0 ? i : run.loss.length - 1) : undefined;
  if (finite !== null || figures.loss !== undefined) metrics.push(['loss', finite !== null ? fmt(finite) : before ? fmt(before.loss) + ' (last finite, epoch ' + before.epoch + ')' : 'not finite']);
  if (figures.testLoss !== undefined && figures.testLoss !== null) metrics.push(['test loss', fmt(figures.testLoss)]);
  if (figures.accuracy !== undefined && figures.accuracy !== null) metrics.push(['accuracy', pct(figures.accuracy)]);
  if (figures.testAccuracy !== undefined && figures.testAccuracy !== null) metrics.push(['test accuracy', pct(figures.testAccuracy)]);
  // Once the run has ended (not in a replay: they are the last epoch's): a regression's final RMSE
  // and R² beside the loss (a classifier's confusion matrices have a section), and an early stop.
  if (!replaying && p.done) {
    if (p.metrics?.kind === 'regression') metrics.push(...metricFigures(p.metrics, 'training'), ...metricFigures(p.testMetrics, 'test'));
    if (p.stoppedEarly) metrics.push(['stopped early at epoch', String(p.epoch)]);
  }
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
  // An honest result: a run that ends above where it began says so.
  const rose = p.done && !p.error && !p.cancelled && !p.diverged ? lossRose(p.firstLoss, p.finalLoss) : undefined;
  verdict.hidden = !rose;
  verdict.textContent = rose ? capitalised(rose) + ': the learning rate may be too high.' : '';
}

function capitalised(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

type Status = 'idle' | 'running' | 'paused' | 'done' | 'cancelled' | 'diverged' | 'error';

/**
 * The status pill: its class (trainingPanel.css colours each) and text. Its `data-shown` lists, in
 * order, each status it has shown for the run on display (`data-run`): "running done" for a run
 * seen in progress. The editor tests read it: a run of half a second is over before a poll of the
 * page can see it running.
 */
function setStatus(kind: Status, text: string): void {
  const s = $('status');
  s.className = 'status ' + kind;
  s.textContent = text;
  const id = (run.last && run.runId) || '';
  const shown = s.dataset.run === id ? (s.dataset.shown ?? '').split(' ').filter(Boolean) : [];
  if (shown[shown.length - 1] !== kind) shown.push(kind);
  s.dataset.run = id;
  s.dataset.shown = shown.join(' ');
}

// ---------------------------------------------------------------- compared runs and metrics

/** The list of compared runs (hidden for a lone run), in the curves' colours. */
function drawRunList(): void {
  drawRuns($('runs'), comparing() ? runs : [], run.runId, theme().series, (id) => choose(runs.find((r) => r.runId === id)));
}

/** Shows the chosen run's header, metrics, picture and replay. */
function choose(r: RunView | undefined): void {
  if (!r || r === run) return;
  chosenByUser = true;
  run = r;
  stopReplay();
  drawHeader();
  drawRunList();
  drawReplayBar();
  drawCurve();
  drawMetrics();
  drawPictureSection();
}

/** The chosen run's confusion matrices, once it has ended as a classifier. */
function drawMetrics(): void {
  const p = run.last;
  const shown = p?.done === true && drawConfusion($('confusion'), [{ name: 'training', metrics: p.metrics }, { name: 'test', metrics: p.testMetrics }]);
  $('metricsSection').hidden = !shown;
}

// ---------------------------------------------------------------- replay

/** The replay bar: shown once a run has ended with snapshots; its slider runs over them. */
function drawReplayBar(): void {
  const n = run.snapshots.length;
  const ended = run.last?.done === true;
  const bar = $('replay');
  bar.hidden = !(ended && n > 0);
  if (bar.hidden) return;
  const slider = $<HTMLInputElement>('replaySlider');
  slider.max = String(n - 1);
  slider.value = String(replayAt ?? n - 1);
  const epoch = run.snapshots[replayAt ?? n - 1].epoch;
  $('replayEpoch').textContent = 'epoch ' + epoch + (replayAt === undefined || replayAt === n - 1 ? ' (end)' : '');
  $('play').textContent = playTimer ? '❚❚' : '▶';
  $('play').title = playTimer ? 'Pause' : 'Replay the run';
}

/** Shows snapshot i (the last one is the run's end, shown as the live state). */
function replayTo(i: number): void {
  const n = run.snapshots.length;
  if (n === 0) return;
  const at = Math.max(0, Math.min(n - 1, i));
  replayAt = at === n - 1 ? undefined : at;
  drawHeader();
  drawReplayBar();
  drawCurve();
  drawPictureSection();
}

function stopReplay(): void {
  if (playTimer) clearInterval(playTimer);
  playTimer = undefined;
  replayAt = undefined;
}

$('replaySlider').addEventListener('input', (e) => {
  if (playTimer) clearInterval(playTimer);
  playTimer = undefined;
  replayTo(Number((e.target as HTMLInputElement).value));
});

$('play').addEventListener('click', () => {
  if (playTimer) {
    clearInterval(playTimer);
    playTimer = undefined;
    drawReplayBar();
    return;
  }
  const n = run.snapshots.length;
  if (n === 0) return;
  // From the start, or on from where the slider stands.
  let i = replayAt === undefined ? 0 : replayAt;
  playTimer = setInterval(() => {
    i++;
    if (i >= n - 1) {
      clearInterval(playTimer);
      playTimer = undefined;
    }
    replayTo(i);
  }, Math.max(30, PLAY_MS / n));
  replayTo(i);
});

// ---------------------------------------------------------------- loss curve (uPlot)

/**
 * The series the chart has, in chartOptions()'s order: smoothed when asked; on a log scale the
 * losses are drawn as their log10 on a linear scale (uPlot's own log scale finds no ticks past
 * 1e17, which a diverging loss reaches), a loss ≤ 0 is a gap; in a replay, the epochs after the replayed one are gaps (the x axis keeps the
 * whole run, so the curve grows as the replay plays).
 */
function chartData(): UPlot.AlignedData {
  const shown = shownEpoch();
  const cut = replayAt !== undefined && shown !== undefined ? shown : Infinity;
  const prepare = (vs: (number | null)[], loss: boolean, r = run) => {
    const s = smoothing ? smoothed(vs, SMOOTHING) : vs;
    return s.map((v, i) => (r.epoch[i] > cut || v === null ? null : loss && logScale ? (v > 0 ? Math.log10(v) : null) : v));
  };
  // Compared runs: each run's train loss, and its test loss, on the epochs of them all.
  if (comparing()) {
    const { x, ys } = alignedSeries(runs.flatMap((r) => [r.loss, ...(r.has.testLoss ? [r.testLoss] : [])].map((vs) => ({ epoch: r.epoch, values: prepare(vs, true, r) }))));
    return [x, ...ys];
  }
  const data: [number[], ...(number | null)[][]] = [run.epoch, prepare(run.loss, true)];
  if (run.has.testLoss) data.push(prepare(run.testLoss, true));
  if (run.has.acc) data.push(prepare(run.acc, false));
  if (run.has.testAcc) data.push(prepare(run.testAcc, false));
  return data;
}

function drawCurve(): void {
  const any = run.epoch.length > 0 || runs.some((r) => r.epoch.length > 0);
  $('empty').hidden = any;
  $('chart').dataset.epochs = String(run.epoch.length); // how many epochs the curve has (read by the UI test)
  $('chart').dataset.stoppedEarly = earlyStops().map((s) => s.epoch).join(' ');
  drawRateChart();
  if (!any) {
    if (chart) {
      chart.destroy();
      chart = undefined;
      chartKey = '';
    }
    return;
  }
  const data = chartData();
  // How many epochs the drawn loss curve reaches (read by the UI test of the replay).
  const drawn = (data[1] as (number | null)[]).filter((v) => v !== null) as number[];
  $('chart').dataset.drawn = String(drawn.length);
  // The sum of the drawn train-loss values: what changes when the curve is smoothed (read by the UI test).
  $('chart').dataset.lossSum = String(drawn.reduce((a, b) => a + b, 0));
  const key = [comparing() ? runs.map((r) => `${r.runId}${r.has.testLoss}${r.last?.label}`).join('|') : '', run.has.testLoss, run.has.acc, run.has.testAcc, logScale, document.body.className].join();
  if (!chart || key !== chartKey) {
    if (chart) chart.destroy();
    chart = new uPlot(chartOptions(), data, $('chart'));
    chartKey = key;
  } else {
    chart.setData(data);
  }
}

/** Every loss the chart may draw (train and test, smoothed or not): what the log scale's range covers. */
function* losses(): Iterable<number | null> {
  for (const r of comparing() ? runs : [run]) {
    yield* r.loss;
    if (r.has.testLoss) yield* r.testLoss;
  }
}

/** The runs early stopping ended, with their curves' colours: where the loss chart marks it. */
function earlyStops(): { epoch: number; color: string }[] {
  const colors = theme().series;
  return (comparing() ? runs : [run]).flatMap((r, i) => (r.last?.done && r.last.stoppedEarly && r.last.epoch !== undefined ? [{ epoch: r.last.epoch, color: colors[i % colors.length] }] : []));
}

/** The learning rate under the loss, for the runs (all compared, or the one) whose rate a schedule moved. */
function drawRateChart(): void {
  const colors = theme().series;
  const shown = comparing() ? runs : [run];
  updateRateChart($('lrSection'), $('lrChart'), shown.map((r, i) => ({ epoch: r.epoch, lr: r.lr, color: colors[i % colors.length], label: comparing() ? (r.last?.label ?? '') : 'learning rate' })), chartWidth());
}

/** A loss as drawn (its log10 on a log scale) back to the loss. */
function lossOf(v: number | null): number | null {
  return v === null || !logScale ? v : 10 ** v;
}

function chartOptions(): UPlot.Options {
  const t = theme();
  const font = '11px ' + t.font;
  const axis = (o: UPlot.Axis): UPlot.Axis => ({ stroke: t.fg, font, labelFont: font, grid: { stroke: t.grid, width: 1 }, ticks: { stroke: t.grid, width: 1 }, ...o });
  const line = (label: string, color: string, scale: 'loss' | 'acc', dash?: number[]): UPlot.Series => ({
    label, stroke: color, width: 2, scale, dash, points: { show: false }, value: (_u, v) => (scale === 'acc' ? pct(v) : fmt(lossOf(v))), spanGaps: true,
  });
  const series: UPlot.Series[] = [{ label: 'epoch', value: (_u, v) => (v === null ? '–' : String(v)) }];
  if (comparing()) {
    // One colour per run, named by its statement; its test loss dashed.
    runs.forEach((r, i) => {
      const color = t.series[i % t.series.length];
      const name = r.last?.label ?? r.runId ?? '';
      series.push(line(name, color, 'loss'));
      if (r.has.testLoss) series.push(line(name + ' (test)', color, 'loss', [6, 3]));
    });
  } else {
    series.push(line('train loss', t.series[0], 'loss'));
    if (run.has.testLoss) series.push(line('test loss', t.series[1], 'loss'));
    if (run.has.acc) series.push(line('accuracy', t.series[2], 'acc', [6, 3]));
    if (run.has.testAcc) series.push(line('test accuracy', t.series[3], 'acc', [2, 3]));
  }
  // The curves' names, for the UI tests (uPlot's legend is hidden when runs are compared).
  $('chart').dataset.series = series.slice(1).map((x) => x.label).join('\n');
  // A power of ten far from 1 reads best as 1e±k.
  const tick = (v: number) => (logScale && Number.isInteger(v) && (v < -3 || v > 4) ? '1e' + v : fmt(lossOf(v)));
  const lossAxis = axis({ scale: 'loss', label: 'loss', labelSize: 18, size: 58, values: (_u, vals) => vals.map((v) => (v === null ? '' : tick(v))) });
  // On a log scale the ticks are a few powers of ten, however many decades the loss spans.
  if (logScale) lossAxis.splits = (_u, _i, min, max) => logTicks(10 ** min, 10 ** max).map(Math.log10);
  const axes = [axis({ label: 'epoch', labelSize: 18, size: 34 }), lossAxis];
  if (!comparing() && (run.has.acc || run.has.testAcc)) axes.push(axis({ scale: 'acc', side: 1, label: 'accuracy', labelSize: 18, size: 50, grid: { show: false }, values: (_u, vals) => vals.map((v) => Math.round(v * 100) + '%') }));
  return {
    width: chartWidth(),
    height: chartHeight(),
    scales: {
      // One epoch alone would be an empty range, in which uPlot's ticks never advance (it pushes
      // ticks until the array overflows, freezing the page for seconds): give it one epoch of width.
      x: { time: false, range: (u, min, max) => epochRange(u.data[0][0] ?? min, u.data[0].at(-1) ?? max) },
      // On a log scale the range is whole decades of the finite positive losses (never NaN, never 0).
      loss: logScale ? { range: () => (logRange(losses()) ?? [0.1, 1]).map(Math.log10) as UPlot.Range.MinMax } : { auto: true },
      acc: { range: [0, 1] },
    },
    axes,
    series,
    cursor: { drag: { x: true, y: false }, points: { size: 6 } },
    // Compared runs: the list of runs is the legend (their labels are long, and live values of six curves unreadable).
    legend: { live: true, show: !comparing() },
    plugins: [earlyStopMarks(earlyStops)],
  };
}

/** The x axis's range: the run's epochs, never empty. */
function epochRange(first: number, last: number): UPlot.Range.MinMax {
  return [first, last > first ? last : first + 1];
}

/** Side by side: the loss curve and the picture share a row (wide panels). */
function sideBySide(): boolean {
  return !$('boundarySection').hidden && $('curve').offsetTop === $('boundarySection').offsetTop;
}

function chartWidth(): number {
  return Math.max(280, Math.floor($('curve').clientWidth));
}

function chartHeight(): number {
  return layout().chart;
}

/**
 * The chart's height and the picture's size. Alone, or side by side with the picture (a wide
 * panel), the chart takes half the height; stacked (the default panel beside an editor), the chart
 * and the picture share what the header leaves, so the picture is seen without scrolling.
 */
function layout(): { chart: number; picture: number } {
  const section = $('boundarySection');
  const clamp = (v: number, lo: number, hi: number) => Math.max(lo, Math.min(hi, Math.floor(v)));
  const half = clamp(window.innerHeight * 0.5, 150, 420);
  const width = Math.floor(section.clientWidth || 360);
  if (section.hidden || sideBySide()) return { chart: half, picture: clamp(width, 180, 380) };
  // Below the header: the two section heads (as laid out: a legend may wrap), the gap between the
  // sections, the body's padding and uPlot's legend under the chart.
  const legend = chart ? Math.max(0, $('chart').offsetHeight - chart.height) : 40;
  const heads = Array.from(document.querySelectorAll<HTMLElement>('.section-head'), (h) => h.offsetHeight + 12).reduce((a, b) => a + b, 0);
  const rate = $('lrSection').hidden ? 0 : $('lrSection').offsetHeight;
  const free = window.innerHeight - $('curve').getBoundingClientRect().top - heads - 18 - 14 - 8 - legend - rate;
  const picture = clamp(Math.min(width, free * 0.55), 160, 380);
  return { chart: clamp(free - picture, 120, 420), picture };
}

$('log').addEventListener('change', (e) => {
  logScale = (e.target as HTMLInputElement).checked;
  chartKey = '';
  drawCurve();
});

$('smooth').addEventListener('change', (e) => {
  smoothing = (e.target as HTMLInputElement).checked;
  drawCurve();
});

// ---------------------------------------------------------------- the network's picture

/** The picture the panel shows: the newest, or the replayed snapshot's values in the newest's frame. */
function pictureView(): PictureView | undefined {
  const p = run.picture;
  if (!p) return undefined;
  const snap = replayAt !== undefined ? run.snapshots[replayAt] : undefined;
  if (p.boundary) return { boundary: snap?.values ? { ...p.boundary, values: snap.values } : p.boundary, epoch: snap?.epoch ?? run.last?.epoch };
  if (p.curve) return { curve: snap?.ys ? { ...p.curve, ys: snap.ys } : p.curve, epoch: snap?.epoch ?? run.last?.epoch };
  return undefined;
}

function drawPictureSection(): void {
  const view = pictureView();
  const section = $('boundarySection');
  const wasHidden = section.hidden;
  section.hidden = !view;
  if (!view) return;
  $('pictureTitle').textContent = view.curve ? 'Fitted curve y(x)' : view.boundary?.kind === 'output' ? 'Output over the inputs' : 'Decision boundary';
  drawLegend(view);
  // The section's appearance changes the layout: the chart's height depends on it.
  if (wasHidden && chart) chart.setSize({ width: chartWidth(), height: chartHeight() });
  drawPicture($<HTMLCanvasElement>('boundary'), view, pictureSize());
}

/** Square: as wide as its section allows and, stacked under the chart, within the window (layout()). */
function pictureSize(): number {
  return layout().picture;
}

function drawLegend(view: PictureView): void {
  const legend = $('legend');
  legend.textContent = '';
  const item = (cls: string, text: string, color?: string) => {
    const i = document.createElement('i');
    i.className = cls;
    if (color) i.style.setProperty('--c', color);
    legend.append(i, ' ' + text + ' ');
  };
  const rgb = (c: readonly number[]) => 'rgb(' + c.join(',') + ')';
  if (view.boundary && view.boundary.kind !== 'output') {
    for (let k = 0; k < Math.max(2, view.boundary.classes ?? 2); k++) item('dot', 'class ' + k, rgb(classColor(k)));
  } else if (view.boundary) {
    item('dot', 'low', rgb(CLASS_COLORS[0]));
    item('dot', 'high', rgb(CLASS_COLORS[1]));
  } else {
    item('line', 'network', rgb(parseColor(css('--vscode-charts-blue', '#3794ff'))));
  }
  const fg = css('--vscode-editor-foreground', '#888');
  item('dot', 'training', fg);
  const points = view.boundary?.points ?? view.curve?.points ?? [];
  if (points.some((p) => p.test)) item('dot hollow', 'test', fg);
}

// ---------------------------------------------------------------- resize and theme

let resizeFrame = 0;
/** Fits the chart and the picture to the page again (at most once a frame). */
function refit(): void {
  if (resizeFrame) return;
  resizeFrame = requestAnimationFrame(() => {
    resizeFrame = 0;
    if (chart) chart.setSize({ width: chartWidth(), height: chartHeight() });
    resizeRateChart(chartWidth());
    if (run.picture) drawPictureSection();
  });
}
// The body's width follows the panel's, but its height follows the content: the window's resize
// is what says the panel grew taller.
new ResizeObserver(refit).observe(document.body);
window.addEventListener('resize', refit);

// VS Code swaps the body's class (vscode-light / vscode-dark / vscode-high-contrast) and the
// --vscode-* variables when the theme changes: redraw in the new colours.
const themeObserver = new MutationObserver(() => {
  chartKey = '';
  drawCurve();
  drawPictureSection();
});
themeObserver.observe(document.body, { attributes: true, attributeFilter: ['class'] });
themeObserver.observe(document.documentElement, { attributes: true, attributeFilter: ['style', 'class'] });

drawHeader();
drawCurve();
initControls((m) => vscode.postMessage(m));
vscode.postMessage({ type: 'ready' });
