import { BrowserMessageReader, BrowserMessageWriter, createConnection, ProposedFeatures } from 'vscode-languageserver/browser';
import { CSV_MAX_CHARS } from '../engine/datasets';
import { ReadDataFileRequest } from '../protocol/requests';
import { DataFileProblem, folderOf, joinedPath, type FetchedFiles } from '../runs/data-files';
import { cancellationStrategy } from './cancellation';
import type { ServerPlatform } from './platform';
import type { RunControl, RunMessage, RunRequest } from './runs';
import { startServer } from './server';
import { runTraining } from './training-run';

/**
 * The language server in a browser (`dist/web/server.js`, self-contained): started as a dedicated
 * Web Worker, it speaks LSP through postMessage. The same script is also its own training worker:
 * started again under the name TRAINING (a nested worker, so a run never blocks hovers), it trains
 * one request and posts its progress, as `trainWorker.js` does on Node. There is no file system:
 * data files are read by the client (`netspec/readDataFile`) before a run or an export.
 */

/** The little of a dedicated worker's global scope used here (the project's lib has no DOM types). */
interface WorkerScope {
  readonly name: string;
  readonly location: { readonly href: string };
  postMessage(message: unknown): void;
  addEventListener(type: 'message', listener: (e: { data: unknown }) => void): void;
  addEventListener(type: 'unhandledrejection', listener: (e: { reason: unknown }) => void): void;
}

/** A Web Worker as its creator sees it. */
interface BrowserWorker {
  postMessage(message: unknown): void;
  terminate(): void;
  addEventListener(type: 'message', listener: (e: { data: unknown }) => void): void;
  addEventListener(type: 'error', listener: (e: { message?: string; preventDefault(): void }) => void): void;
}

type WorkerConstructor = new (url: string, options?: { name?: string }) => BrowserWorker;

/** The name a training worker is started under. */
const TRAINING = 'netspec-training';

const scope = globalThis as unknown as WorkerScope;

/** No disk in a browser: every file a run reads comes with its request. */
const noDisk = {
  read(): never {
    throw new DataFileProblem('there is no file system here, and the editor did not read it for this run');
  },
};

if (scope.name === TRAINING) {
  // A training worker: one request, then its messages until the server terminates it; the
  // messages after the request are controls (pause, resume, step).
  let controlListener: ((c: RunControl) => void) | undefined;
  let started = false;
  scope.addEventListener('message', (e) => {
    if (started) return controlListener?.(e.data as RunControl);
    started = true;
    // A MessageChannel task, not setTimeout: nested timeouts are clamped to 4 ms.
    const channel = new (globalThis as unknown as { MessageChannel: new () => { port1: { onmessage: (() => void) | null }; port2: { postMessage(m: unknown): void } } }).MessageChannel();
    let resolveYield: (() => void) | undefined;
    channel.port1.onmessage = () => resolveYield?.();
    void runTraining(e.data as RunRequest, noDisk, (m: RunMessage) => scope.postMessage(m), {
      listen: (listener) => (controlListener = listener),
      yieldToMessages: () => new Promise<void>((resolve) => {
        resolveYield = resolve;
        channel.port2.postMessage(null);
      }),
    });
  });
} else {
  const connection = createConnection(ProposedFeatures.all, new BrowserMessageReader(scope as never), new BrowserMessageWriter(scope as never), cancellationStrategy);
  startServer(connection, {
    docs: docsAddress(),
    specFile: pathOf,
    startWorker(request, events) {
      const Worker = (globalThis as unknown as { Worker?: WorkerConstructor }).Worker;
      let exited = false;
      const exit = () => {
        if (exited) return;
        exited = true;
        events.exit();
      };
      if (!Worker) {
        // A browser without nested workers: say so rather than train on the server's thread.
        queueMicrotask(() => {
          events.message({ kind: 'error', message: 'this browser cannot start a worker from a worker, so NetSpec cannot train here' });
          exit();
        });
        return { terminate: exit, control: () => undefined };
      }
      const worker = new Worker(scope.location.href, { name: TRAINING });
      worker.addEventListener('message', (e) => {
        const m = e.data as RunMessage;
        events.message(m);
        // The run's last message: the worker has nothing more to do.
        if (m.kind === 'done' || m.kind === 'error') {
          worker.terminate();
          exit();
        }
      });
      worker.addEventListener('error', (e) => {
        e.preventDefault();
        events.message({ kind: 'error', message: `the training worker failed: ${e.message ?? 'an uncaught error'}` });
        worker.terminate();
        exit();
      });
      worker.postMessage(request);
      return {
        terminate() {
          worker.terminate();
          exit();
        },
        control: (c) => worker.postMessage(c),
      };
    },
    async fetchFiles(uri, paths) {
      const fetched: FetchedFiles = {};
      for (const rel of paths) fetched[rel] = await readThroughClient(uri, rel);
      return fetched;
    },
    files: noDisk,
    onUnhandledRejection: (report) => scope.addEventListener('unhandledrejection', (e) => report(e.reason)),
  } satisfies ServerPlatform);

  /** Asks the client for a data file in the spec's folder (refusing any other before asking). */
  async function readThroughClient(specUri: string, rel: string): Promise<{ text: string } | { error: string }> {
    const folder = folderOf(specUri);
    if (!/^[a-z][a-z0-9+.-]*:\/\/?[^/]*\//i.test(specUri) || folder === '') return { error: 'the spec is not saved in a folder: save it beside its data file' };
    const inside = joinedPath('', rel);
    if (inside === undefined) return { error: `it is outside the spec's folder ${pathOf(folder)}; a data file must be in that folder or below it` };
    const uri = folder + inside.split('/').map((s) => encodeURIComponent(s)).join('/');
    try {
      return await connection.sendRequest(ReadDataFileRequest.type, { uri, maxBytes: CSV_MAX_CHARS });
    } catch (err) {
      return { error: `the editor did not read it (${err instanceof Error ? err.message : String(err)})` };
    }
  }
}

/** A URI's path as a person reads it (percent-decoded); the URI itself when it has none. */
function pathOf(uri: string): string {
  try {
    return decodeURIComponent(new URL(uri).pathname) || uri;
  } catch {
    return uri;
  }
}

/**
 * docs/LANGUAGE.md of the extension (or the playground) this script came from: dist/web/server.js
 * is two folders below it. A diagnostic's code links there; the VS Code client opens its own view.
 */
function docsAddress(): string {
  try {
    return new URL('../../docs/LANGUAGE.md', scope.location.href).href;
  } catch {
    return 'netspec:/docs/LANGUAGE.md'; // a worker started from a blob: URL has no base address
  }
}
