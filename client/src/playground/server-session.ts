import type { InitializationOptions } from '../../../server/src/protocol/initialize';
import {
  BrowserMessageReader,
  BrowserMessageWriter,
  createProtocolConnection,
  DidChangeTextDocumentNotification,
  DidOpenTextDocumentNotification,
  ExitNotification,
  InitializedNotification,
  InitializeRequest,
  type InitializeResult,
  type ProtocolConnection,
  type PublishDiagnosticsParams,
  PublishDiagnosticsNotification,
  type ServerCapabilities,
  type TextDocumentContentChangeEvent,
  ShowMessageNotification,
  LogMessageNotification,
  ConfigurationRequest,
  CodeLensRefreshRequest,
  InlayHintRefreshRequest,
  type MessageType,
} from 'vscode-languageserver-protocol/browser';
import { ReadDataFileRequest, TrainProgressNotification, TrainTargetsRequest } from '../../../server/src/protocol/requests';
import type { TrainProgress } from '../../../server/src/protocol/training';
import { settingsSection } from './settings';

/**
 * The page's language server: dist/web/server.js (copied to web/server.js) as a dedicated Web
 * Worker, spoken to over LSP through postMessage, and the one document the page edits, kept in
 * sync. A worker that dies — an error event, or no answer to the heartbeat — is replaced by a new
 * one that gets the document's current text, so nothing typed is lost; a server that keeps dying
 * is left stopped, and the page says so rather than restarting it forever.
 */

/** The document's address; the playground has one document and no folder. */
export const DOCUMENT_URI = 'file:///playground/main.netspec';
/**
 * How often the page checks that the server answers, and how long it waits for the answer: its
 * answer takes milliseconds (training runs in a worker of its own), so 8 s of silence is a dead
 * or hung worker, not a busy one, even on a loaded machine.
 */
const HEARTBEAT_MS = 2000;
const ANSWER_MS = 8000;
/** Initialization loads the engine (and assembles its WebAssembly kernel): more time. */
const INITIALIZE_MS = 20000;
/** More restarts than this within RESTART_WINDOW_MS: the server fails on something it keeps meeting. */
const RESTARTS_MAX = 3;
const RESTART_WINDOW_MS = 60000;

/** What the session tells the page. */
export interface SessionEvents {
  diagnostics(p: PublishDiagnosticsParams): void;
  progress(p: TrainProgress): void;
  /** window/showMessage: 1 error, 2 warning, 3 info, 4 log. */
  message(type: MessageType, text: string): void;
  /** The server asks the editor to ask again (after a run, a gradient check). */
  refresh(what: 'codeLens' | 'inlayHints'): void;
  /** A new server runs (after `reason`); what the old one had (runs, trained weights) is gone. */
  restarted(reason: string): void;
  /** The server is down for good (it kept failing). */
  stopped(reason: string): void;
}

/** The document as the editor holds it. */
export interface EditedDocument {
  text(): string;
  version(): number;
}

export class ServerSession {
  private worker: Worker | undefined;
  private connection: ProtocolConnection | undefined;
  private ready: Promise<ProtocolConnection> | undefined;
  private heartbeat: ReturnType<typeof setInterval> | undefined;
  private restarts: number[] = [];
  private stoppedForGood = false;
  /** The version the newest server was opened at: changes up to it are in the text it got. */
  private openedVersion = -1;
  capabilities: ServerCapabilities = {};

  constructor(
    private readonly serverUrl: string,
    private readonly document: EditedDocument,
    private readonly events: SessionEvents,
  ) {}

  /** Starts the server and opens the document in it; resolves once it answered `initialize`. */
  start(): Promise<ProtocolConnection> {
    const worker = new Worker(this.serverUrl);
    this.worker = worker;
    const connection = createProtocolConnection(new BrowserMessageReader(worker), new BrowserMessageWriter(worker));
    this.connection = connection;
    worker.addEventListener('error', (e) => {
      e.preventDefault();
      if (this.worker === worker) this.restart(`the language server failed (${e.message || 'an uncaught error'})`);
    });
    connection.onNotification(PublishDiagnosticsNotification.type, (p) => this.events.diagnostics(p));
    connection.onNotification(TrainProgressNotification.type, (p) => this.events.progress(p));
    connection.onNotification(ShowMessageNotification.type, (p) => this.events.message(p.type, p.message));
    connection.onNotification(LogMessageNotification.type, (p) => console.log(`[server] ${p.message}`));
    connection.onRequest(ConfigurationRequest.type, (p) => p.items.map((item) => settingsSection(item.section)));
    connection.onRequest(CodeLensRefreshRequest.type, () => this.events.refresh('codeLens'));
    connection.onRequest(InlayHintRefreshRequest.type, () => this.events.refresh('inlayHints'));
    connection.onRequest(ReadDataFileRequest.type, () => ({
      error: 'the playground has no files: write the data inline (data name { x -> y … }) or use a generator such as spiral(…), xor(…) or function(…)',
    }));
    connection.listen();
    this.ready = (async () => {
      const result: InitializeResult = await withTimeout(connection.sendRequest(InitializeRequest.type, {
        processId: null,
        rootUri: null,
        workspaceFolders: null,
        clientInfo: { name: 'NetSpec playground' },
        capabilities: {
          workspace: { configuration: true, codeLens: { refreshSupport: true }, inlayHint: { refreshSupport: true } },
          textDocument: {
            publishDiagnostics: { versionSupport: true, codeDescriptionSupport: true, relatedInformation: false },
            hover: { contentFormat: ['markdown', 'plaintext'] },
            completion: { completionItem: { snippetSupport: true, documentationFormat: ['markdown', 'plaintext'] } },
            codeAction: { codeActionLiteralSupport: { codeActionKind: { valueSet: ['quickfix', 'refactor.rewrite'] } } },
          },
        },
        // The page shows runs itself (the panel, the status line); every file here is the user's own.
        // The page runs Train, Show plot and Show network itself (main.ts), and Monaco shows pictures in hovers.
        initializationOptions: { trusted: true, showsTraining: true, hoverImages: true, clientCommands: ['netspec.train', 'netspec.showPlot', 'netspec.showNetwork'] } satisfies InitializationOptions,
      }), INITIALIZE_MS, 'the language server did not start');
      this.capabilities = result.capabilities;
      await connection.sendNotification(InitializedNotification.type, {});
      this.openedVersion = this.document.version();
      await connection.sendNotification(DidOpenTextDocumentNotification.type, {
        textDocument: { uri: DOCUMENT_URI, languageId: 'netspec', version: this.openedVersion, text: this.document.text() },
      });
      return connection;
    })();
    this.ready.catch((err: unknown) => {
      if (this.worker === worker) this.restart(err instanceof Error ? err.message : String(err));
    });
    this.heartbeat ??= setInterval(() => void this.checkAlive(), HEARTBEAT_MS);
    return this.ready;
  }

  /** The connection once the server answered initialize (a restart gives a new one). */
  async connected(): Promise<ProtocolConnection> {
    if (!this.ready) throw new Error('the language server is not started');
    return this.ready;
  }

  /**
   * The document changed (to its current version): its changes in order, each applying to the
   * text the previous left. A change made while a server starts is already in the text its
   * didOpen carried, so it is not sent again.
   */
  async changed(changes: TextDocumentContentChangeEvent[]): Promise<void> {
    const version = this.document.version();
    const connection = await this.connected();
    if (version <= this.openedVersion) return;
    await connection.sendNotification(DidChangeTextDocumentNotification.type, {
      textDocument: { uri: DOCUMENT_URI, version },
      contentChanges: changes,
    });
  }

  /** The worker, for the page's test hook (stopping it silently, as a worker killed by the browser). */
  currentWorker(): Worker | undefined {
    return this.worker;
  }

  /** Asks a cheap question; a server that does not answer in time is replaced. */
  private async checkAlive(): Promise<void> {
    if (this.stoppedForGood || !this.connection || document.visibilityState === 'hidden') return;
    const worker = this.worker;
    let connection: ProtocolConnection;
    try {
      connection = await withTimeout(this.connected(), INITIALIZE_MS, 'the language server did not start');
      await withTimeout(connection.sendRequest(TrainTargetsRequest.type, { uri: DOCUMENT_URI }), ANSWER_MS, `the language server did not answer for ${ANSWER_MS / 1000} s`);
    } catch (err) {
      if (this.worker === worker && !this.stoppedForGood) this.restart(err instanceof Error ? err.message : String(err));
    }
  }

  /** Replaces the worker; the new server gets the document's current text. */
  restart(reason: string): void {
    this.dispose();
    const now = Date.now();
    this.restarts = this.restarts.filter((t) => now - t < RESTART_WINDOW_MS);
    if (this.restarts.length >= RESTARTS_MAX) {
      this.stoppedForGood = true;
      this.events.stopped(`${reason}; it failed ${RESTARTS_MAX + 1} times in a minute, so it is not restarted again: your text is kept, reload the page to try again`);
      return;
    }
    this.restarts.push(now);
    this.start().then(() => this.events.restarted(reason), () => undefined);
  }

  private dispose(): void {
    const { worker, connection } = this;
    this.worker = undefined;
    this.connection = undefined;
    if (connection) {
      void connection.sendNotification(ExitNotification.type).catch(() => undefined);
      connection.dispose();
    }
    worker?.terminate();
  }
}

/** `p`, or a rejection saying `what` after `ms`. */
function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(what)), ms);
    p.then(
      (v) => {
        clearTimeout(timer);
        resolve(v);
      },
      (e: unknown) => {
        clearTimeout(timer);
        reject(e instanceof Error ? e : new Error(String(e)));
      },
    );
  });
}
