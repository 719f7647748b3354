/**
 * The data of `netspec/exportOnnx`: the server makes the model, the client writes the file (through
 * `vscode.workspace.fs`, so the browser build can too). No imports.
 */

/**
 * `netspec/exportOnnx` params. `network` may be left out when the document defines one network.
 * `weights`: `trained` (the default when the network was trained in this editor session) or `file`
 * (its explicit or initial weights). `dtype`: the model's element type, float32 by default.
 */
export interface ExportOnnxParams {
  uri: string;
  network?: string;
  weights?: 'file' | 'trained';
  dtype?: 'float32' | 'float64';
}

export type ExportOnnxAnswer = ExportedModel | ExportOnnxRefused;

export interface ExportedModel {
  /** The model's bytes, base64. */
  model: string;
  /** `<spec>.<network>.onnx`. */
  suggestedName: string;
  network: string;
  weights: 'file' | 'trained';
  dtype: 'float32' | 'float64';
}

export interface ExportOnnxRefused {
  error: string;
  /** When the question was which network: the document's networks. */
  networks?: string[];
}
