/**
 * The data of `netspec/exportPyTorch`: the server writes the program, the client only the file.
 * No imports.
 */

/**
 * `netspec/exportPyTorch` params; `network` may be left out when the document trains one network.
 * `start`: where the program's training starts — `initial` (the default) reproduces the run the
 * spec describes, from its initial parameters; `trained` continues from the parameters the
 * network's last run in the editor left (refused when there are none).
 */
export interface ExportParams {
  uri: string;
  network?: string;
  start?: ExportStart;
}

export type ExportStart = 'initial' | 'trained';

/**
 * `netspec/exportPyTorch` answer: the program (`netspec export --to pytorch`'s, from the spec's
 * initial parameters, or from the trained ones when asked) with the name to give it beside the spec, or why there is none; `networks`,
 * when the question was which network, lists the ones the document trains.
 */
export type ExportAnswer = ExportedProgram | ExportRefused;

export interface ExportedProgram {
  source: string;
  /** `<spec>.<network>.py`. */
  suggestedName: string;
  network: string;
  /** The parameters the program starts from. */
  start: ExportStart;
}

export interface ExportRefused {
  error: string;
  networks?: string[];
}
