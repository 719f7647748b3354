/**
 * A real LSP client for tests: spawns `node dist/server.js --stdio` and speaks JSON-RPC to it
 * with vscode-languageserver-protocol, as any editor would.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';
import {
  createProtocolConnection,
  StreamMessageReader,
  StreamMessageWriter,
  type CompletionItem,
  type DocumentSymbol,
  type Hover,
  type Position,
  type ProtocolConnection,
  type PublishDiagnosticsParams,
  type TextDocumentContentChangeEvent,
} from 'vscode-languageserver-protocol/node';
import { repoRoot } from './paths';
import { until } from './until';

/** A `netspec/trainProgress` event, as far as the tests read it (protocol/training.ts has them all). */
export interface RunProgress {
  runId: string;
  done: boolean;
  epoch?: number;
  finalLoss?: number;
  error?: string;
  cancelled?: boolean;
}

/**
 * What NetSpec's VS Code extension says at initialize (client/src/activate.ts): hovers may carry
 * pictures, and lenses may name its own commands. A test of what VS Code shows passes these; a test
 * without them sees what any other editor gets.
 */
export const EXTENSION_OPTIONS = { hoverImages: true, clientCommands: ['netspec.train', 'netspec.trainAll', 'netspec.showPlot', 'netspec.showNetwork', 'netspec.debugProbe'] } as const;

export class LspClient {
  readonly published: PublishDiagnosticsParams[] = [];
  /** Every `netspec/trainProgress` event the server sent, in order. */
  readonly runProgress: RunProgress[] = [];
  private readonly waiters: { test: (p: PublishDiagnosticsParams) => boolean; resolve: (p: PublishDiagnosticsParams) => void }[] = [];
  stderr = '';

  private constructor(readonly process: ChildProcess, readonly connection: ProtocolConnection) {}

  /**
   * `initializationOptions`: what the client says at initialize (e.g. `{ trusted: false }`);
   * `capabilities`: the client's (none unless given); `env`: the server's environment;
   * `configuration`: answer `workspace/configuration` (the client then says it can) with this
   * function of each item's section; `args`: the server's arguments (default `--stdio`).
   */
  static async start(options: { initializationOptions?: unknown; capabilities?: object; env?: NodeJS.ProcessEnv; configuration?: (section: string) => unknown; args?: string[] } = {}): Promise<LspClient> {
    const child = spawn(process.execPath, [path.join(repoRoot(), 'dist', 'server.js'), ...(options.args ?? ['--stdio'])], { stdio: ['pipe', 'pipe', 'pipe'], env: options.env ?? process.env });
    const connection = createProtocolConnection(new StreamMessageReader(child.stdout!), new StreamMessageWriter(child.stdin!));
    const client = new LspClient(child, connection);
    child.stderr!.on('data', (d) => (client.stderr += d));
    connection.onNotification('textDocument/publishDiagnostics', (p: PublishDiagnosticsParams) => {
      client.published.push(p);
      for (const w of [...client.waiters]) {
        if (w.test(p)) {
          client.waiters.splice(client.waiters.indexOf(w), 1);
          w.resolve(p);
        }
      }
    });
    connection.onNotification('netspec/trainProgress', (p: RunProgress) => void client.runProgress.push(p));
    connection.onNotification('window/logMessage', () => {});
    const configuration = options.configuration;
    if (configuration) connection.onRequest('workspace/configuration', (p: { items: { section?: string }[] }) => p.items.map((i) => configuration(i.section ?? '')));
    connection.listen();
    const capabilities = { ...(options.capabilities ?? {}), ...(configuration ? { workspace: { configuration: true } } : {}) };
    await connection.sendRequest('initialize', { processId: process.pid, rootUri: null, capabilities, initializationOptions: options.initializationOptions });
    await connection.sendNotification('initialized', {});
    return client;
  }

  /** Resolves with the first diagnostics published for `uri` at `version` (or already published). */
  diagnostics(uri: string, version: number, timeoutMs = 10_000): Promise<PublishDiagnosticsParams> {
    const test = (p: PublishDiagnosticsParams) => p.uri === uri && p.version === version;
    const done = this.published.find(test);
    if (done) return Promise.resolve(done);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no diagnostics for ${uri} version ${version} within ${timeoutMs} ms; got versions ${this.published.filter((p) => p.uri === uri).map((p) => p.version).join(', ')}`)), timeoutMs);
      this.waiters.push({ test, resolve: (p) => (clearTimeout(timer), resolve(p)) });
    });
  }

  /** The end event (`done: true`) of run `runId`, once the server has sent it. */
  runEnd(runId: string, timeoutMs = 60_000): Promise<RunProgress> {
    return until(`run ${runId} to end`, () => this.runProgress.find((p) => p.runId === runId && p.done), timeoutMs);
  }

  open(uri: string, text: string, version = 1): Promise<void> {
    return this.connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'netspec', version, text } });
  }

  change(uri: string, version: number, contentChanges: TextDocumentContentChangeEvent[]): Promise<void> {
    return this.connection.sendNotification('textDocument/didChange', { textDocument: { uri, version }, contentChanges });
  }

  hover(uri: string, position: Position): Promise<Hover | null> {
    return this.connection.sendRequest('textDocument/hover', { textDocument: { uri }, position });
  }

  symbols(uri: string): Promise<DocumentSymbol[] | null> {
    return this.connection.sendRequest('textDocument/documentSymbol', { textDocument: { uri } });
  }

  completion(uri: string, position: Position): Promise<CompletionItem[] | null> {
    return this.connection.sendRequest('textDocument/completion', { textDocument: { uri }, position });
  }

  async stop(): Promise<void> {
    try {
      await Promise.race([this.connection.sendRequest('shutdown'), new Promise((r) => setTimeout(r, 2000))]);
      await this.connection.sendNotification('exit');
    } catch {
      // already gone
    }
    this.connection.dispose();
    if (this.process.exitCode === null) this.process.kill();
  }
}

/** The position of the `nth` occurrence of `needle` in text (plus `delta` characters). */
export function positionOf(text: string, needle: string, delta = 0, nth = 0): Position {
  let at = -1;
  for (let i = 0; i <= nth; i++) {
    at = text.indexOf(needle, at + 1);
    if (at < 0) throw new Error(`'${needle}' not found`);
  }
  const before = text.slice(0, at + delta);
  const line = before.split('\n').length - 1;
  return { line, character: before.length - before.lastIndexOf('\n') - 1 };
}

export function hoverText(h: Hover | null): string {
  if (!h) return '';
  const c = h.contents;
  if (typeof c === 'string') return c;
  if (Array.isArray(c)) return c.map((x) => (typeof x === 'string' ? x : x.value)).join('\n');
  return c.value;
}
