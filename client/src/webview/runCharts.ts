import type UPlot from 'uplot';
import { alignedSeries, rateMoves } from '../runFigures';
import { css, fmt, withAlpha } from './picture';

/**
 * The training panel's chart parts beyond the loss curves themselves: the theme's colours, the
 * learning-rate chart under the loss chart, and the loss chart's early-stop markers.
 */

/** uPlot, loaded by its own `<script>` (dist/media/uPlot.iife.min.js) before the page script. */
declare const uPlot: typeof UPlot;

/** The charts' colours and font, from the current theme; `series` one colour per curve (per run when runs are compared). */
export function theme() {
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
      withAlpha(css('--vscode-charts-red', '#f14c4c'), 1),
      withAlpha(css('--vscode-charts-yellow', '#cca700'), 1),
    ],
  };
}

/** A run as the learning-rate chart reads it, with its curve's colour and its name. */
export interface RateRun {
  epoch: readonly number[];
  lr: readonly (number | null)[];
  color: string;
  label: string;
}

/** How tall the learning-rate chart is (CSS pixels): a strip under the loss. */
const RATE_HEIGHT = 90;

let rateChart: UPlot | undefined;
let rateKey = '';

/**
 * The learning-rate chart (in `host`, inside `section`): each run whose rate moved (a `schedule`),
 * one line per run in its loss curve's colour, on the loss chart's epoch axis; the section is hidden
 * when no rate moved. Rebuilt when the runs or the theme change, else given the new data.
 */
export function updateRateChart(section: HTMLElement, host: HTMLElement, runs: readonly RateRun[], width: number): void {
  const shown = runs.filter((r) => rateMoves(r.lr));
  section.hidden = shown.length === 0;
  if (section.hidden) {
    rateChart?.destroy();
    rateChart = undefined;
    rateKey = '';
    return;
  }
  const { x, ys } = alignedSeries(shown.map((r) => ({ epoch: r.epoch, values: r.lr })));
  const data: UPlot.AlignedData = [x, ...ys];
  // How many epochs the rate chart draws (read by the UI test).
  host.dataset.points = String(ys[0].filter((v) => v !== null).length);
  const key = [...shown.map((r) => r.label + r.color), document.body.className].join('|');
  if (rateChart && key === rateKey) {
    rateChart.setData(data);
    if (rateChart.width !== width) rateChart.setSize({ width, height: RATE_HEIGHT });
    return;
  }
  rateChart?.destroy();
  const t = theme();
  const font = '11px ' + t.font;
  const axis = (o: UPlot.Axis): UPlot.Axis => ({ stroke: t.fg, font, labelFont: font, grid: { stroke: t.grid, width: 1 }, ticks: { stroke: t.grid, width: 1 }, ...o });
  rateChart = new uPlot({
    width,
    height: RATE_HEIGHT,
    scales: { x: { time: false, range: (_u, min, max) => [min, max > min ? max : min + 1] }, lr: { auto: true } },
    axes: [axis({ size: 24 }), axis({ scale: 'lr', label: 'lr', labelSize: 18, size: 58, values: (_u, vals) => vals.map((v) => fmt(v)) })],
    series: [{ label: 'epoch' }, ...shown.map((r): UPlot.Series => ({ label: r.label, stroke: r.color, width: 1.5, scale: 'lr', points: { show: false }, spanGaps: true, value: (_u, v) => fmt(v) }))],
    cursor: { drag: { x: false, y: false } },
    legend: { show: false },
  }, data, host);
  rateKey = key;
}

/** Fits the learning-rate chart to a new width. */
export function resizeRateChart(width: number): void {
  if (rateChart && rateChart.width !== width) rateChart.setSize({ width, height: RATE_HEIGHT });
}

/**
 * A uPlot plugin that marks, on the loss chart, the epoch where early stopping ended a run: a
 * dashed vertical line in the run's colour, labelled "early stop". `stops` is read at every draw,
 * so a run's end (which brings the flag) shows without rebuilding the chart.
 */
export function earlyStopMarks(stops: () => readonly { epoch: number; color: string }[]): UPlot.Plugin {
  return {
    hooks: {
      draw: [
        (u: UPlot) => {
          const ctx = u.ctx;
          const dpr = window.devicePixelRatio || 1;
          for (const s of stops()) {
            const x = u.valToPos(s.epoch, 'x', true);
            if (!Number.isFinite(x) || x < u.bbox.left || x > u.bbox.left + u.bbox.width) continue;
            ctx.save();
            ctx.strokeStyle = s.color;
            ctx.fillStyle = s.color;
            ctx.lineWidth = dpr;
            ctx.setLineDash([4 * dpr, 3 * dpr]);
            ctx.beginPath();
            ctx.moveTo(x, u.bbox.top);
            ctx.lineTo(x, u.bbox.top + u.bbox.height);
            ctx.stroke();
            ctx.font = `${10 * dpr}px ${theme().font}`;
            ctx.textAlign = 'right';
            ctx.fillText('early stop', x - 3 * dpr, u.bbox.top + 11 * dpr);
            ctx.restore();
          }
        },
      ],
    },
  };
}
