import { AbstractMessageReader, AbstractMessageWriter, type DataCallback, type Disposable, type Message, type MessageTransports } from 'vscode-languageclient/browser';

/** The little of a browser Worker used here (the project's lib has no DOM types). */
export interface BrowserWorker {
  postMessage(message: unknown): void;
  terminate(): void;
  addEventListener(type: 'message', listener: (e: { data: unknown }) => void): void;
  addEventListener(type: 'error', listener: (e: { message?: string; preventDefault(): void }) => void): void;
  removeEventListener(type: 'message', listener: (e: { data: unknown }) => void): void;
}

/**
 * The language client's transports over the server's Web Worker.
 *
 * A worker that fails — an error its script did not catch, or a script that did not load — is
 * ended and reported as a closed connection: that is what a server process that dies is on the
 * desktop, and the client's error handler then starts a new worker (up to 4 times in 3 minutes)
 * and logs "Connection to server got closed. Server will restart." as it does there.
 * vscode-languageclient's own browser transports report such a failure as a connection error
 * instead, on which the client stops the server for good; and they need `instanceof Worker`,
 * which fails in VS Code's web worker extension host, where `Worker` is the host's wrapper.
 * `failed` says why, for the output.
 */
export function workerTransports(worker: BrowserWorker, failed: (why: string) => void): MessageTransports {
  return { reader: new WorkerReader(worker, failed), writer: new WorkerWriter(worker) };
}

class WorkerReader extends AbstractMessageReader {
  private ended = false;

  constructor(private readonly worker: BrowserWorker, failed: (why: string) => void) {
    super();
    worker.addEventListener('error', (e) => {
      e.preventDefault(); // reported here, not again as an uncaught error of the host
      if (this.ended) return;
      this.ended = true;
      failed(e.message ?? 'the worker stopped with an error');
      worker.terminate();
      this.fireClose();
    });
  }

  listen(callback: DataCallback): Disposable {
    const listener = (e: { data: unknown }) => callback(e.data as Message);
    this.worker.addEventListener('message', listener);
    return { dispose: () => this.worker.removeEventListener('message', listener) };
  }

  /** The connection is disposed when the client stops or restarts: the worker goes with it. */
  override dispose(): void {
    this.ended = true;
    this.worker.terminate();
    super.dispose();
  }
}

class WorkerWriter extends AbstractMessageWriter {
  private errors = 0;

  constructor(private readonly worker: BrowserWorker) {
    super();
  }

  write(message: Message): Promise<void> {
    try {
      this.worker.postMessage(message);
      return Promise.resolve();
    } catch (err) {
      this.fireError(err, message, ++this.errors);
      return Promise.reject(err);
    }
  }

  end(): void {}
}
