/**
 * The data of `netspec/plot`, behind the "Show plot" code lens: the server draws, any editor can
 * frame the pictures (VS Code's Show-plot panel does). No imports.
 */

/** `netspec/plot` params: a line (0-based) of a `fn` or `network` statement. */
export interface PlotParams {
  uri: string;
  line: number;
}

/**
 * `netspec/plot` answer: for a `fn`, its plot; for a network, first its own function (one input:
 * y(x) for its first outputs with its training samples; two inputs: a heatmap of the first output
 * with the samples; with its trained parameters after a run), then one plot per distinct scalar
 * activation of its layers; `null` when the line is in no such statement.
 */
export interface PlotAnswer {
  title: string;
  items: PlotItem[];
}

/** One picture as a standalone SVG document: a network's function, or an activation's g and g' over [-6, 6]. */
export interface PlotItem {
  label: string;
  svg: string;
  /** What it shows: an activation's formulas as the hover writes them, or a sentence; no Markdown but `name` quotes. */
  caption: string;
}
