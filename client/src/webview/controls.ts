import type { FromTrainingPanel, PanelRow } from '../../../server/src/protocol/webview';

/**
 * The training panel's controls, in the VS Code panel only (trainingPanelBody's `controls`): the
 * header's Pause / Resume, Step epoch, Step batch, Stop and Retrain buttons, and clicks on the
 * decision boundary that add a sample (class 1; shift: class 0) or remove the nearest (alt). The
 * page only says what was clicked; the extension runs the command or asks the server for the edit.
 */

type Post = (m: FromTrainingPanel) => void;

const byId = <T extends HTMLElement>(id: string) => document.getElementById(id) as T | null;

/** The run the panel shows, for the clicks' message. */
let shownRunId: string | undefined;

/** Wires the buttons and the canvas; nothing when the page has no controls (the playground). */
export function initControls(post: Post): void {
  if (!byId('controls')) return;
  for (const action of ['pause', 'resume', 'stepEpoch', 'stepBatch', 'stop', 'retrain'] as const) {
    byId<HTMLButtonElement>(action)!.addEventListener('click', () => post({ type: 'control', action }));
  }
  const canvas = byId<HTMLCanvasElement>('boundary')!;
  canvas.addEventListener('click', (e) => {
    const point = dataPoint(canvas, e.offsetX, e.offsetY);
    if (!point || !shownRunId) return;
    post({ type: 'click', runId: shownRunId, x: point[0], y: point[1], mode: e.altKey ? 'remove' : e.shiftKey ? 'add0' : 'add1' });
  });
}

/**
 * The data point under CSS pixel (px, py) of the picture, inverting picture.ts's scales:
 * x = x0 + (px − left)/w·(x1 − x0), y = y1 − (py − top)/h·(y1 − y0); undefined off the plot area
 * or without a boundary.
 */
export function dataPoint(canvas: HTMLCanvasElement, px: number, py: number): [number, number] | undefined {
  if (!canvas.dataset.frame) return undefined;
  const f = JSON.parse(canvas.dataset.frame) as { x: number; y: number; w: number; h: number; xRange: [number, number]; yRange: [number, number] };
  const u = (px - f.x) / f.w;
  const v = (py - f.y) / f.h;
  if (!(u >= 0 && u <= 1 && v >= 0 && v <= 1)) return undefined;
  return [f.xRange[0] + u * (f.xRange[1] - f.xRange[0]), f.yRange[1] - v * (f.yRange[1] - f.yRange[0])];
}

/**
 * The buttons for the newest row: Pause while it runs; Resume and the steps while it is paused;
 * Stop until it ends; Retrain once there is a run. Clicks add data only on a decision boundary.
 */
export function updateControls(p: PanelRow | undefined, boundary: boolean): void {
  if (!byId('controls')) return;
  shownRunId = p?.runId;
  const going = p !== undefined && !p.done;
  const paused = going && p.paused !== undefined;
  const set = (id: string, enabled: boolean, shown = true) => {
    const b = byId<HTMLButtonElement>(id)!;
    b.disabled = !enabled;
    b.hidden = !shown;
  };
  set('pause', going && !paused, !paused);
  set('resume', paused, paused);
  set('stepEpoch', paused);
  set('stepBatch', paused);
  set('stop', going);
  set('retrain', p !== undefined);
  const hint = byId('clickHint');
  if (hint) hint.hidden = !boundary;
  byId('boundary')!.classList.toggle('clickable', boundary);
}
