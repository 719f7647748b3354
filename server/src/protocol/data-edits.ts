/**
 * The data of `netspec/editData`: a click on the training panel's picture written into the `data`
 * block the run trained on (a sample added, the nearest removed), or a generated data set turned
 * into an inline block first. Plain JSON, no imports.
 */

/** A range of the document, as LSP's: 0-based lines and UTF-16 characters. */
export interface EditRange {
  start: { line: number; character: number };
  end: { line: number; character: number };
}

/** `netspec/editData` params. */
export interface EditDataParams {
  uri: string;
  /** The network the run trained: its inputs (two, for a click) and outputs decide what a row holds. */
  network: string;
  /** The data set to edit. */
  data: string;
  /** `add` a sample of class `class` at `point`, `remove` the sample nearest `point`, or `inline` a generated data set. */
  action: 'add' | 'remove' | 'inline';
  point?: [number, number];
  /** For `add`: 0 or 1. */
  class?: number;
}

/**
 * `netspec/editData` answer: one replacement for the client to apply (one undoable edit), or why
 * the click cannot be written — `generated` when the data set is generated and `inline` would
 * make it editable.
 */
export type EditDataAnswer = { edit: { range: EditRange; newText: string } } | { error: string; generated?: boolean };
