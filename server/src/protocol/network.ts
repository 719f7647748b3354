/**
 * The data of `netspec/networkView`, behind *NetSpec: Show Network*: a network drawn as the
 * figure `netspec diagram` writes (the same SVG, from the same layout), with what a view adds to
 * it — each unit's value and δ at the probe, each 2-input network's unit heatmaps, the gradient
 * of every drawn weight, the layers whose gradient vanishes, and where in the text each weight is
 * written. Plain JSON; no imports, so the webview bundle can use these types.
 *
 * JSON has no NaN or Infinity: a number that is not finite arrives as `null`.
 */

/**
 * `netspec/networkView` params: the network named `network` in the document `uri`, or, without a
 * name, the network whose statement (or `train`/`probe` statement) is on `line` (0-based), or the
 * document's only network.
 */
export interface NetworkViewParams {
  uri: string;
  network?: string;
  line?: number;
}

/** `netspec/networkView` answer: the view, or why there is none (`null`: the document is not open). */
export type NetworkViewAnswer = NetworkView | NetworkViewRefused;

export interface NetworkViewRefused {
  error: string;
  /** The document's networks, so a view can offer another. */
  networks?: string[];
}

/** A range in the document, 0-based lines and UTF-16 characters (LSP's). */
export interface ViewRange {
  start: { line: number; character: number };
  end: { line: number; character: number };
}

/**
 * Whose parameters the view draws: the file's (explicit `weights`/`bias`, else `init`), those a
 * finished run left (`trained`), or a run's as it goes (`live`, at epoch `epoch` of `epochs`).
 * `init`: the network's `init` clause as written after the keyword (`xavier seed 7`), when some
 * layer's weights come from it (the view's header says "initial weights (init xavier seed 7)").
 */
export type ViewParameters =
  | { kind: 'file'; init?: string }
  | { kind: 'trained' }
  | { kind: 'live'; runId: string; epoch: number; epochs: number };

/**
 * What the edges' `grad` is: dE/dw at the network's first `probe` (on `line`; signed), or, while a
 * run goes (`parameters.kind` `live`), the mean over the steps of its last reported epoch of
 * |dE/dw| (each step's batch-mean gradient of the loss; an `l2` term is not in it): a magnitude,
 * never negative.
 */
export type ViewGradients =
  | { source: 'probe'; line: number }
  | { source: 'epoch'; epoch: number };

/** One drawn unit, with the diagram's position. `unit` is 0-based in its layer. */
export interface ViewUnit {
  unit: number;
  x: number;
  y: number;
  /** Its output at the probe: x_j for the input layer, g(z_k) for a dense one. */
  value?: number;
  /** δ_k = dE/dz_k at the probe (dense layers). */
  delta?: number;
  /** z_k and g'(z_k) at the probe (dense layers; g' absent for softmax). */
  z?: number;
  gprime?: number;
  /** A 2-input network: the unit's output over the view's grid (`ViewHeatmap`), row-major from the top. */
  heatmap?: number[];
}

/** A column of the diagram: the input, then each dense layer. */
export interface ViewColumn {
  /** The input's name for the input layer, else the layer's. */
  name: string;
  kind: 'input' | 'dense';
  units: number;
  activation?: string;
  x: number;
  /** 0-based line of the layer's statement. */
  line: number;
  drawn: ViewUnit[];
  /** A layer wider than 16 units: where the "… N more" marker is, and N. */
  marker?: { hidden: number; x: number; y: number };
  /** A heatmap's colour scale: the lowest and highest value of the layer's heatmaps (and of the activation's range where it is bounded). */
  heatmapRange?: [number, number];
}

/** Per dense layer: how large its gradient is against the output layer's, and why it may vanish. */
export interface ViewLayerGradient {
  layer: string;
  /** Mean |dE/dw| over all the layer's weights (not only the drawn ones). */
  meanAbs: number;
  /** meanAbs / the output layer's meanAbs (1 at the output layer; absent when that is 0). */
  ratio?: number;
  /** Set when ratio ≤ VANISHING_RATIO: the sentence the view writes over the layer's column. */
  vanishing?: string;
  /** The saturation diagnostic of this layer, when the file reports one: what vanishing is caused by. */
  saturation?: { range: ViewRange; message: string };
}

/** One drawn weight w_{j,k}: from unit j of column `layer` to unit k of column `layer + 1`. */
export interface ViewEdge {
  /** The dense layer's index (0 = the first dense layer); the edge goes into that layer. */
  layer: number;
  j: number;
  k: number;
  w: number;
  /** dE/dw_{j,k} (see ViewGradients). */
  grad?: number;
  /**
   * At the output layer, with a probe and an elementwise activation: the chain rule's factors,
   * dE/dw_{j,k} = dEdy · gprime · x, where dEdy = g(z_k) − t_k under squared_error (`squared`).
   * Under binary_cross_entropy after sigmoid the loss is computed from z, δ_k = g(z_k) − t_k, so
   * there are no separate factors.
   */
  factors?: { dEdy: number; gprime: number; x: number; squared: boolean };
  /** Where the weight is written: its entry in the layer's `weights` matrix, else the layer's line. */
  source: ViewRange;
}

/** The grid of a 2-input network's heatmaps, and the samples drawn over the output's. */
export interface ViewHeatmap {
  xRange: [number, number];
  yRange: [number, number];
  resolution: number;
  /** `c`: the sample's first target (a classifier's class). */
  points: { x: number; y: number; c: number; test?: boolean }[];
}

export interface NetworkView {
  uri: string;
  network: string;
  /** 0-based line of the `network` statement. */
  line: number;
  parameters: ViewParameters;
  /**
   * The figure `netspec diagram` writes for these parameters (its `data-grad`: dE/dw at the
   * probe, whatever `gradients` is): the view draws it, and *Export network diagram (SVG)* saves it.
   */
  svg: string;
  width: number;
  height: number;
  columns: ViewColumn[];
  edges: ViewEdge[];
  /** The largest |w| among the drawn edges, and the largest |grad| (the two width scales). */
  maxAbsW: number;
  maxAbsGrad?: number;
  gradients?: ViewGradients;
  /** One per dense layer, in order, when there are gradients. */
  layers?: ViewLayerGradient[];
  heatmap?: ViewHeatmap;
  /** The probe the values and gradients are at. */
  probe?: { line: number; input: number[]; target: number[]; output: number[]; loss: number };
}
