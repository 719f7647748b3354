import type { DecisionBoundary, Divergence, FittedCurve, PausedAt, RunMetrics, Snapshot } from './training';
import type { NetworkView, ViewRange } from './network';

/**
 * The messages between the VS Code extension and its webviews, as plain discriminated unions on
 * `type`. Type-only: this module (and what it imports) emits no code, so the webview bundle
 * (client/src/webview/) gets the types and nothing else.
 *
 * The Show-plot panel runs no script (`enableScripts: false`) and exchanges no messages; the
 * training panel's are below, then the network view's (*Show Network*).
 */

/**
 * One row of the training panel: what a `netspec/trainProgress` event says of its run, without
 * `recent` (expanded into rows of their own), its picture (sent apart, only the newest) and its
 * snapshots (sent apart, all of them). Rows of several runs of one `group` (Train All) are one
 * comparison: the panel overlays their curves. A run's
 * end event is merged into the row of its last epoch, so that row keeps that epoch's test loss
 * and accuracies. A row without an epoch is the end of a run that reported none (a failed run, or
 * one stopped before its first epoch).
 */
export interface PanelRow {
  runId: string;
  uri: string;
  network: string;
  data: string;
  /** 1-based. */
  epoch?: number;
  epochs?: number;
  loss?: number;
  testLoss?: number;
  accuracy?: number;
  testAccuracy?: number;
  /** The learning rate of the epoch's steps. */
  lr?: number;
  /** The `train` statement's 0-based line and its label (`line 12: adam lr 0.01`); the group of compared runs. */
  line?: number;
  label?: string;
  group?: string;
  done: boolean;
  finalLoss?: number;
  /** The first epoch's loss, on the end row of a run that finished. */
  firstLoss?: number;
  diverged?: Divergence;
  /** On the end row: early stopping ended the run, and its final metrics (training set, test set). */
  stoppedEarly?: boolean;
  metrics?: RunMetrics;
  testMetrics?: RunMetrics;
  cancelled?: boolean;
  error?: string;
  /** The run is paused here (a later epoch's row, without it, means it went on). */
  paused?: PausedAt;
}

/** The replay's snapshots of the run `runId`, oldest first. */
export interface RunSnapshots {
  runId: string;
  snapshots: Snapshot[];
}

/** The newest picture of the run `runId`: its decision boundary or heatmap (2 inputs), or its fitted curve (1 input). */
export interface RunPicture {
  runId: string;
  boundary?: DecisionBoundary;
  curve?: FittedCurve;
}

/**
 * Extension → training panel. `reset` comes before a replay of the whole record (a panel opened
 * late or reloaded, or a new run or group of runs); `progress` brings the rows since the previous
 * message, oldest first, at most every 40 ms, the newest picture of each run whose picture changed,
 * and the snapshots (for the replay) taken since the previous message, by run.
 */
export type ToTrainingPanel =
  | { type: 'reset' }
  | { type: 'progress'; items: PanelRow[]; pictures?: RunPicture[]; snapshots?: RunSnapshots[] };

/**
 * Training panel → extension. `ready`: the script listens (sent again after a reload). `control`:
 * a header button (the commands of the same names). `click`: the picture was clicked at the data
 * point (x, y): add a sample of class 1 (`add1`, a click), of class 0 (`add0`, shift-click), or
 * remove the nearest (`remove`, alt-click), in the data block of the run shown.
 */
export type FromTrainingPanel =
  | { type: 'ready' }
  | { type: 'control'; action: PanelAction }
  | { type: 'click'; runId: string; x: number; y: number; mode: 'add1' | 'add0' | 'remove' };

/** The training panel's header buttons. */
export type PanelAction = 'pause' | 'resume' | 'stepEpoch' | 'stepBatch' | 'stop' | 'retrain';

/**
 * Extension → network view (*NetSpec: Show Network*). `view`: the network to draw (the first one,
 * or a newer one: after an edit, during a run, at its end). `refused`: the view could not be
 * built now (the text does not check, the network was renamed…): the page keeps its last drawing,
 * marked as out of date, under the reason.
 */
export type ToNetworkView =
  | { type: 'view'; view: NetworkView }
  | { type: 'refused'; error: string };

/**
 * Network view → extension. `ready`: the script listens (again after a reload). `reveal`: show
 * this range of the spec in its editor, selected (a weight's entry, a layer's line, a saturation
 * diagnostic). `export`: *Export network diagram (SVG)* of what the view shows.
 */
export type FromNetworkView =
  | { type: 'ready' }
  | { type: 'reveal'; range: ViewRange }
  | { type: 'export' };
