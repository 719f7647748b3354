/**
 * The data of NetSpec's training messages (`netspec/trainTargets`, `netspec/train`,
 * `netspec/trainProgress`, `netspec/stopTraining`, `netspec/controlTraining`): plain JSON, declared once for the server that
 * sends it, the VS Code client and the training panel's webview that read it. No imports, so the
 * webview bundle can use these types without pulling in any library.
 *
 * JSON has no NaN or Infinity: a number that is not finite (a diverged loss) arrives as `null`,
 * which is why the panel checks every figure with `Number.isFinite` before drawing it.
 */

/** `netspec/trainTargets` params: the document whose `train` statements are asked for. */
export interface TrainTargetsParams {
  uri: string;
}

/** One `train` statement of a document, as `netspec/trainTargets` lists them (in file order). */
export interface TrainTarget {
  network: string;
  data: string;
  /** 0-based line of the `train` keyword: what `netspec/train` takes. */
  line: number;
  epochs: number;
  /** The statement's name for people: its 1-based line and its optimizer, rate and options (`line 12: adam lr 0.01`). */
  label: string;
}

/** `netspec/train` params: the `train` statement on `line` (0-based) of an open document. */
export interface TrainParams {
  uri: string;
  line: number;
}

/** `netspec/train` answer: the run started (its events carry `runId`), or why it did not. */
export type TrainAnswer = TrainStarted | TrainRefused;

export interface TrainStarted {
  runId: string;
  network: string;
  data: string;
  /** As in TrainTarget. */
  line: number;
  label: string;
}

export interface TrainRefused {
  error: string;
}

/** `netspec/trainAll` params: every `train` statement of an open document, run together (compared runs). */
export interface TrainAllParams {
  uri: string;
}

/**
 * `netspec/trainAll` answer: the runs started, one per `train` statement in file order, sharing one
 * `group` (every event of these runs carries it); or why none started.
 */
export type TrainAllAnswer = { group: string; runs: TrainStarted[] } | TrainRefused;

/** `netspec/stopTraining` params: stop this document's runs, or, without `uri`, every run. */
export interface StopTrainingParams {
  uri?: string;
}

/** `netspec/stopTraining` answer: how many runs were stopped. */
export interface StopTrainingResult {
  stopped: number;
}

/**
 * `netspec/controlTraining` params: pause a document's runs (or one network's), resume them, or
 * step a paused run by one `epoch` (the rest of the epoch in progress) or one `batch` (one
 * optimiser step), after which it is paused again. Stop stays `netspec/stopTraining`.
 */
export interface ControlTrainingParams {
  uri: string;
  network?: string;
  action: TrainingAction;
  /** For `step`: how far (default `epoch`). */
  unit?: 'epoch' | 'batch';
}

export type TrainingAction = 'pause' | 'resume' | 'step';

/**
 * `netspec/controlTraining` answer: how many runs were told. What they did arrives as
 * `netspec/trainProgress` events: a paused run's event has `paused`; the next without it means
 * it goes again.
 */
export interface ControlTrainingResult {
  runs: number;
}

/**
 * Where a paused run stands: `batch` of the epoch after `epoch` have run (0: between epochs), of
 * `batches` per epoch. While it is paused, probes, hovers, evals and the network view use its
 * parameters, as they use a finished run's.
 */
export interface PausedAt {
  batch: number;
  batches: number;
}

/** One epoch's figures. `accuracy` only for a classifier; the `test…` ones only with a test split. */
export interface EpochPoint {
  /** 1-based. */
  epoch: number;
  /** The mean of the epoch's batch losses. */
  loss: number;
  testLoss?: number;
  accuracy?: number;
  testAccuracy?: number;
  /** The learning rate of the epoch's steps (a `schedule` changes it from epoch to epoch). */
  lr?: number;
}

/**
 * What a trained network scores on a set of samples with its final parameters (engine/metrics.ts,
 * the same as `netspec train --json`): a classifier's confusion matrix (`confusion[true][predicted]`
 * = count) and accuracy (its trace over the count), or another network's RMSE over every output and
 * R² (the mean over outputs of 1 − SS_res/SS_tot; `null` on the wire when not finite).
 */
export type RunMetrics =
  | { kind: 'classes'; confusion: number[][]; accuracy: number }
  | { kind: 'regression'; rmse: number; r2: number };

/** Where a run stopped on a loss that was not finite (the engine's `Divergence`). */
export interface Divergence {
  /** 1-based epoch. */
  epoch: number;
  /** 1-based step within that epoch. */
  step: number;
  /** The batch loss that was not finite (`null` on the wire: JSON has no NaN or Infinity). */
  loss: number;
}

/**
 * A sample drawn over a picture: its inputs (x, and y for two inputs), `c` its class (0 or 1, or 0 … K − 1) for
 * a classifier or its first target otherwise; for one input, `y` is its first target and `t` all of
 * them. `test`: the sample is in the test set (drawn hollow), not in the training set.
 */
export interface PicturePoint {
  x: number;
  y: number;
  c?: number;
  t?: number[];
  test?: boolean;
}

/**
 * A 2-input network's output over a grid covering the data, and the data (at most 500 samples) to
 * draw over it: for a classifier (`kind` `class`, or absent) the probability of class 1 — the
 * decision boundary; otherwise (`output`) the first output, a heatmap.
 * Cell (r, c), 0-based, is at x = x0 + (c + ½)(x1 − x0)/resolution, y = y1 − (r + ½)(y1 − y0)/resolution.
 */
export interface DecisionBoundary {
  kind?: 'class' | 'output';
  /**
   * A classifier of K ≥ 3 classes (softmax): K. Then `values` holds K planes of resolution²
   * values, value k·resolution² + i being class k's probability at cell i, and a point's `c` is
   * its class, 0 … K − 1. Absent for two classes (or one sigmoid output): `values` is class 1's.
   */
  classes?: number;
  xRange: [number, number];
  yRange: [number, number];
  resolution: number;
  /** Row-major resolution×resolution, y from the top. */
  values: number[];
  /** `c`: the sample's class, 0 or 1 (0 … K − 1 with `classes`) (`class`), or its first target (`output`). */
  points: { x: number; y: number; c: number; test?: boolean }[];
}

/**
 * A 1-input network's fitted curve: y(x) at `xs` (evenly spaced over `xRange`, which covers the
 * data), one array per output, and the data (at most 500 samples) to draw under it.
 */
export interface FittedCurve {
  xRange: [number, number];
  xs: number[];
  ys: number[][];
  points: PicturePoint[];
}

/**
 * The picture at one epoch, for the replay: only its values — the grid's (`values`, as in
 * DecisionBoundary) or the curve's (`ys`, as in FittedCurve), neither for a network without a
 * picture (more than two inputs: the replay shows its loss curves); the grid, the xs and the points
 * are those of the run's live pictures. A run keeps at most 100 snapshots, evenly spaced over its
 * epochs, the first and the last included.
 */
export interface Snapshot {
  /** 1-based. */
  epoch: number;
  values?: number[];
  ys?: number[][];
}

/** What every `netspec/trainProgress` event says of its run. */
export interface RunEvent {
  /** The `runId` of `netspec/train`'s answer. */
  runId: string;
  uri: string;
  network: string;
  data: string;
  /** The `train` statement's 0-based line and its label (TrainTarget's). */
  line?: number;
  label?: string;
  /** Set on the runs a `netspec/trainAll` started together: its `group`. */
  group?: string;
}

/**
 * `netspec/trainProgress`: a run as it goes (at most every 50 ms), then exactly one end event
 * (`done: true`): trained, cancelled or failed.
 */
export type TrainProgress = TrainEpoch | TrainEnd;

export type TrainEnd = TrainFinished | TrainCancelled | TrainFailed;

/**
 * The epochs of one run a loss curve keeps (the run record's history, and the panel's series:
 * webview/trainingPanel.ts MAX_POINTS, the same number); past it, every other one is dropped. A run of at most this many epochs sends every epoch in its
 * events (`TrainEpoch`), a longer one thins them.
 */
export const CURVE_POINTS_MAX = 20000;

/**
 * The newest epoch, with the epochs since the previous event in `recent` (oldest first, at most
 * 500: in a run of up to 20,000 epochs an event goes as soon as 500 have gathered, so that a curve
 * drawn from the events has every epoch; a longer run's are thinned to 500); the network's picture
 * at most every 250 ms (`boundary` for two inputs, `curve` for one); and the replay's snapshots
 * taken since the previous event (`snapshots`, oldest first).
 */
export interface TrainEpoch extends RunEvent, EpochPoint {
  done: false;
  /** The run is paused here (`netspec/controlTraining`); `epoch` is the last epoch it finished (0: none yet). */
  paused?: PausedAt;
  epochs: number;
  recent: EpochPoint[];
  boundary?: DecisionBoundary;
  curve?: FittedCurve;
  snapshots?: Snapshot[];
}

/**
 * The run ran to its end: `epoch` = the epochs run (fewer than `epochs` when it diverged),
 * `loss` = `finalLoss` = the mean per-sample loss over the training set after the last step;
 * `firstLoss` = the first epoch's loss (the mean of its batch losses): a final loss above it means
 * the run made things worse (the panel and the end notification say "the loss rose").
 */
export interface TrainFinished extends RunEvent {
  done: true;
  epoch: number;
  epochs: number;
  loss: number;
  finalLoss: number;
  firstLoss: number;
  diverged?: Divergence;
  /** Early stopping (`patience`) ended the run after `epoch`. */
  stoppedEarly?: boolean;
  /** Over the training set with the final parameters; `testMetrics` over the test set (with a split). */
  metrics?: RunMetrics;
  testMetrics?: RunMetrics;
  cancelled?: undefined;
  error?: undefined;
}

/** The run was stopped; where, when an epoch had been reported before the stop. */
export interface TrainCancelled extends RunEvent {
  done: true;
  cancelled: true;
  epoch?: number;
  epochs?: number;
  loss?: number;
  error?: undefined;
}

/** The run failed (its data could not be read, its worker died): why. */
export interface TrainFailed extends RunEvent {
  done: true;
  error: string;
  cancelled?: undefined;
}
