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
 * `netspec/plot` answer: for a `fn`, its plot; for a network, one plot per distinct scalar
 * activation of its layers; `null` when the line is in no such statement.
 */
export interface PlotAnswer {
  title: string;
  items: PlotItem[];
}

/** One activation: g and g' over [-6, 6] as a standalone SVG document. */
export interface PlotItem {
  label: string;
  svg: string;
  /** The activation's formulas, as the hover writes them, without Markdown. */
  caption: string;
}
