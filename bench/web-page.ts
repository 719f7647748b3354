// The browser bench's page script (out/bench/web/page.js, an iife loaded by the page web.js
// serves): `window.netspecBench`, which the bench drives through Playwright. Everything timed is
// timed here, in the page, with performance.now(), so that no Playwright round trip is counted:
// - `steps`: the training worker of web-worker.ts (the engine's Trainer, the loop Node times);
// - `lsp`: dist/web/server.js as the language server, spoken to over postMessage as any browser
//   LSP client does (vscode-languageserver/browser reads and writes message objects);
// - `run`: dist/web/server.js as a training worker (`netspec-training`), given a run request as
//   the web language server gives it, timed from the request to the run's end.
import type { StepsReply, StepsRequest } from './steps';

/** A dedicated worker, as the page sees it (the project's lib has no DOM types). */
interface PageWorker {
  postMessage(message: unknown): void;
  terminate(): void;
  addEventListener(type: 'message', listener: (e: { data: unknown }) => void): void;
  addEventListener(type: 'error', listener: (e: { message?: string }) => void): void;
}
type WorkerConstructor = new (url: string, options?: { name?: string }) => PageWorker;
const Worker = (globalThis as unknown as { Worker: WorkerConstructor }).Worker;

/** A JSON-RPC message, loosely: a request, a response or a notification. */
interface Message {
  jsonrpc: '2.0';
  id?: number | string;
  method?: string;
  params?: unknown;
  result?: unknown;
  error?: { message: string };
}

interface Position {
  line: number;
  character: number;
}

/** An incremental change, as `textDocument/didChange` carries it. */
export interface Change {
  range: { start: Position; end: Position };
  text: string;
}

/** Sends a message to `worker` and resolves with its next reply; replies come in order. */
class StepsWorker {
  private readonly queue: ((r: StepsReply) => void)[] = [];

  constructor(private readonly worker: PageWorker) {
    worker.addEventListener('message', (e) => this.queue.shift()?.(e.data as StepsReply));
    worker.addEventListener('error', (e) => this.queue.shift()?.({ kind: 'error', message: e.message ?? 'the bench worker failed' }));
  }

  call(request: StepsRequest): Promise<StepsReply> {
    return new Promise((resolve) => {
      this.queue.push(resolve);
      this.worker.postMessage(request);
    });
  }
}

/** The language server in a worker, and the least of a client: requests, notifications, published diagnostics by version. */
class LspWorker {
  private next = 1;
  private readonly pending = new Map<number | string, { resolve(r: unknown): void; reject(e: Error): void }>();
  private readonly published = new Map<string, () => void>();

  constructor(private readonly worker: PageWorker) {
    worker.addEventListener('message', (e) => this.receive(e.data as Message));
  }

  private receive(m: Message): void {
    if (m.method === undefined && m.id !== undefined) {
      const p = this.pending.get(m.id);
      this.pending.delete(m.id);
      if (m.error) p?.reject(new Error(m.error.message));
      else p?.resolve(m.result);
    } else if (m.method !== undefined && m.id !== undefined) {
      // A request of the server's (configuration, refreshes): what a client without settings answers.
      const items = (m.params as { items?: unknown[] } | undefined)?.items;
      this.worker.postMessage({ jsonrpc: '2.0', id: m.id, result: m.method === 'workspace/configuration' ? (items ?? []).map(() => null) : null });
    } else if (m.method === 'textDocument/publishDiagnostics') {
      const p = m.params as { uri: string; version?: number };
      const key = `${p.uri}@${p.version}`;
      this.published.get(key)?.();
      this.published.delete(key);
    }
  }

  request(method: string, params: unknown): Promise<unknown> {
    const id = this.next++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ jsonrpc: '2.0', id, method, params });
    });
  }

  notify(method: string, params: unknown): void {
    this.worker.postMessage({ jsonrpc: '2.0', method, params });
  }

  /** Resolves when diagnostics for `uri` at `version` are published (register before sending the change). */
  diagnostics(uri: string, version: number, timeoutMs = 60_000): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no diagnostics for version ${version} within ${timeoutMs} ms`)), timeoutMs);
      this.published.set(`${uri}@${version}`, () => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  terminate(): void {
    this.worker.terminate();
  }
}

let steps: StepsWorker | undefined;
let lsp: LspWorker | undefined;

const bench = {
  /** Starts the steps worker (out/bench/web/worker.js) and sets its kernels; resolves with what they are. */
  async startSteps(url: string, mode: 'auto' | 'wasm' | 'js'): Promise<string> {
    steps = new StepsWorker(new Worker(url));
    const r = await steps.call({ kind: 'kernels', mode });
    if (r.kind !== 'kernels') throw new Error(r.kind === 'error' ? r.message : 'unexpected reply');
    return r.kernels;
  },

  /** Trains case `id` in the steps worker for about `ms`. */
  async time(id: string, ms: number): Promise<StepsReply> {
    if (!steps) throw new Error('startSteps first');
    return steps.call({ kind: 'time', id, ms });
  },

  /** Starts dist/web/server.js as the language server and initialises it as bench/editor.js does (no capabilities). */
  async startServer(url: string): Promise<void> {
    lsp?.terminate();
    lsp = new LspWorker(new Worker(url));
    await lsp.request('initialize', { processId: null, rootUri: null, capabilities: {} });
    lsp.notify('initialized', {});
  },

  /** Opens `text`; the milliseconds until its diagnostics (version 1). */
  async open(uri: string, text: string): Promise<number> {
    const server = lsp!;
    const published = server.diagnostics(uri, 1);
    const t0 = performance.now();
    server.notify('textDocument/didOpen', { textDocument: { uri, languageId: 'netspec', version: 1, text } });
    await published;
    return performance.now() - t0;
  },

  /** Sends each change as the next version (from `firstVersion`), one at a time; the milliseconds from each didChange to its diagnostics. */
  async edits(uri: string, firstVersion: number, changes: Change[]): Promise<number[]> {
    const server = lsp!;
    const times: number[] = [];
    let version = firstVersion;
    for (const change of changes) {
      const published = server.diagnostics(uri, version);
      const t0 = performance.now();
      server.notify('textDocument/didChange', { textDocument: { uri, version }, contentChanges: [change] });
      await published;
      times.push(performance.now() - t0);
      version++;
    }
    return times;
  },

  /** A hover's round trip at each position, in milliseconds; fails on an empty answer. */
  async hovers(uri: string, positions: Position[]): Promise<number[]> {
    const server = lsp!;
    const times: number[] = [];
    for (const position of positions) {
      const t0 = performance.now();
      const answer = await server.request('textDocument/hover', { textDocument: { uri }, position });
      times.push(performance.now() - t0);
      if (!answer) throw new Error(`no hover at ${JSON.stringify(position)}`);
    }
    return times;
  },

  stopServer(): void {
    lsp?.terminate();
    lsp = undefined;
  },

  /**
   * One run through dist/web/server.js started as a training worker, as web.ts starts it: the
   * milliseconds from posting the request to the run's end, to the first progress message, and
   * the end itself.
   */
  run(url: string, request: unknown): Promise<{ ms: number; firstProgressMs: number; end: unknown }> {
    return new Promise((resolve, reject) => {
      const t0 = performance.now();
      let firstProgressMs = NaN;
      const worker = new Worker(url, { name: 'netspec-training' });
      worker.addEventListener('message', (e) => {
        const kind = (e.data as { kind: string }).kind;
        if (kind === 'progress' && Number.isNaN(firstProgressMs)) firstProgressMs = performance.now() - t0;
        if (kind === 'done' || kind === 'error') {
          const ms = performance.now() - t0;
          worker.terminate();
          resolve({ ms, firstProgressMs, end: e.data });
        }
      });
      worker.addEventListener('error', (e) => reject(new Error(`the training worker failed: ${e.message}`)));
      worker.postMessage(request);
    });
  },
};

export type BenchPage = typeof bench;

(globalThis as unknown as { netspecBench: BenchPage }).netspecBench = bench;
