/**
 * The data of `netspec/exportPyTorch`: the server writes the program, the client only the file.
 * No imports.
 */

/** `netspec/exportPyTorch` params; `network` may be left out when the document trains one network. */
export interface ExportParams {
  uri: string;
  network?: string;
}

/**
 * `netspec/exportPyTorch` answer: the program (`netspec export --to pytorch`'s, from the spec's
 * initial parameters) with the name to give it beside the spec, or why there is none; `networks`,
 * when the question was which network, lists the ones the document trains.
 */
export type ExportAnswer = ExportedProgram | ExportRefused;

export interface ExportedProgram {
  source: string;
  /** `<spec>.<network>.py`. */
  suggestedName: string;
  network: string;
}

export interface ExportRefused {
  error: string;
  networks?: string[];
}
