/**
 * `netspec/readDataFile` (server → client): in the browser, where the language server has no
 * file system, the client reads a data file (`data … from "x.csv"`) for a training run or an
 * export through the editor (`vscode.workspace.fs`). The server has already resolved the path
 * against the spec's folder and refused anything outside it; the client refuses a file larger
 * than `maxBytes` without reading it.
 */
export interface ReadDataFileParams {
  /** The file's URI, in the spec's folder or below it. */
  uri: string;
  /** The largest file the server accepts, in bytes. */
  maxBytes: number;
}

/** The file's text (UTF-8), or why it could not be read ("no such file", "it has N bytes; …"). */
export type ReadDataFileAnswer = { text: string } | { error: string };
