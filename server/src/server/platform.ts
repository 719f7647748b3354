import type { DataFiles, FetchedFiles } from '../runs/data-files';
import type { StartWorker } from './runs';

/**
 * What differs between the language server on Node (`main.ts`: stdio or IPC, worker threads, the
 * disk) and in a browser Web Worker (`web.ts`: postMessage, nested workers, files the client
 * reads). Everything else — analysis, engine, protocol, every handler in `server.ts` — is shared.
 */
export interface ServerPlatform {
  /** The address of docs/LANGUAGE.md, where each diagnostic code's link points (at its anchor). */
  readonly docs: string;
  /** The path a document's data files are relative to, as messages show it. */
  specFile(uri: string): string;
  /** Starts a training run off the server's thread. */
  readonly startWorker: StartWorker;
  /**
   * The data files (paths as the spec writes them) a run or an export of a document reads, when
   * the editor reads them for the server (the browser); undefined when the server reads `files`.
   */
  fetchFiles(uri: string, paths: readonly string[]): Promise<FetchedFiles | undefined>;
  /** Where data files are read when nothing was fetched. */
  readonly files: DataFiles;
  /**
   * Writes a new file beside a document (the server's Export to ONNX, for editors without
   * NetSpec's client), never replacing one; absent where the server has no disk (the browser,
   * whose client writes files itself).
   */
  createFile?(path: string, bytes: Uint8Array): Promise<void>;
  /** Calls `report` for a rejected promise nobody awaited: logged, never fatal. */
  onUnhandledRejection(report: (reason: unknown) => void): void;
}
